"""Invariants of the register under any sequence of family actions, on every store.

A Hypothesis state machine drives several family accounts (two of them the
separated parents of one child) and their sessions: they toggle days, weeks and
months, copy, discard and confirm in any order while the clock moves on, and
agents change the places of a day. After every step: never more accepted
reservations than places, waiting lists in confirmation order and only on full
days, one reservation per child and day, counts that match the reservations,
and an operation that raises changes nothing. The same machines run on the
memory, SQLite, PostgreSQL and MariaDB stores (tests/stores.py), and on two
communes: Cestas and Vallon (tests/communes/), whose activities have deadlines
and cancellation rules of their own. What they book — the days, the instant
the run starts, the few places — is read from each commune's configuration
(:func:`scenario`), never a Cestas date.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import attrs
import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import periscolaire as ps
from periscolaire.booking import Key
from periscolaire.commune import WAITING_CRITERIA
from tests.properties.shared import cestas, on_every_commune, on_every_store, vallon
from tests.stores import Backend, keyed, store_url

Load = Callable[[], ps.Commune]

#: Places per day on the days with a waiting list, at most (the commune's own
#: number when smaller): few, so that waiting lists fill.
FEW = {ps.Season.SCHOOL: 2, ps.Season.HOLIDAYS: 1}


@attrs.frozen
class Scenario:
    """What the machines book on one commune, read from its configuration.

    ``days``: three days of each activity with a waiting list and of one
    without (the last by code), all bookable at ``start`` — the first two
    and one a week later or more; ``start``, 09:00 on the first day bookings
    open when every one of them has three such days. ``places``: the places
    of the waiting-list activities' days. The families' alternate weeks
    start with the week of the first day, Amalia eats at the activity
    without a limit only.
    """

    commune: ps.Commune
    start: datetime
    days: dict[str, tuple[date, ...]]
    places: dict[str, int]
    unlimited: str
    families: tuple[ps.Family, ...]

    @property
    def waiting(self) -> list[str]:
        """The activities with a waiting list."""
        return sorted(self.places)

    @property
    def wednesday(self) -> str:
        """The first school activity with a waiting list (the Wednesday centre)."""
        return next(c for c in self.waiting if self.commune.activities[c].season is ps.Season.SCHOOL)


def _three_days(cal: ps.SchoolCalendar, code: str, now: datetime) -> tuple[date, ...] | None:
    days = cal.bookable_days(code, cal.first_day, cal.last_day, now)
    later = [d for d in days[2:] if d >= days[1] + timedelta(days=7)]
    return (days[0], days[1], later[0]) if later else None


@functools.cache
def scenario(load: Load) -> Scenario:
    commune = load()
    cal = commune.calendar
    activities = commune.activities
    waiting = sorted(code for code, a in activities.items() if a.waiting_list)
    unlimited = sorted(code for code, a in activities.items() if a.capacity is None)[-1]
    codes = [*waiting, unlimited]
    openings = {p.opens for p in commune.periods} | {w.opens for w in commune.holiday_windows if w.opens}
    for opening in sorted(openings):
        start = datetime.combine(opening, clock_time(9))
        picked = {code: _three_days(cal, code, start) for code in codes}
        if all(picked.values()):
            break
    else:  # pragma: no cover - a commune where it never happens
        raise AssertionError(f"{commune.name}: no opening leaves three bookable days of {codes}")
    days = {code: found for code, found in picked.items() if found is not None}
    places = {}
    for code in waiting:
        activity = activities[code]
        places[code] = min(FEW[activity.season], activity.capacity or FEW[activity.season])
    shared = ps.Child("paolo", "Paolo", "DUPONT")
    families = (
        ps.Family(
            "F-MERE", "DUPONT", (shared, ps.Child("amalia", "Amalia", "DUPONT", activities={unlimited}))
        ),
        ps.Family(
            "F-PERE", "DURAND", (shared,), custody=ps.AlternateWeeks(min(min(d) for d in days.values()))
        ),
        ps.Family("F-MARTIN", "MARTIN", (ps.Child("lea", "Léa", "MARTIN"), ps.Child("noe", "Noé", "MARTIN"))),
        ps.Family("F-BERNARD", "BERNARD", (ps.Child("tom", "Tom", "BERNARD"),)),
    )
    return Scenario(commune, start, days, places, unlimited, families)


def snapshot(register: ps.Register) -> list[ps.Reservation]:
    return sorted(register.reservations(), key=lambda r: (r.child, r.activity, r.day))


class RegisterMachine(RuleBasedStateMachine):
    #: The store's URL (set by :func:`tests.properties.shared.on_every_store`); each example gets a commune of its own.
    url = "memory://"
    #: The commune's loader (:data:`tests.properties.shared.COMMUNES`).
    load: ClassVar[Load] = staticmethod(cestas)
    _stores: ClassVar[dict[str, ps.Store]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.scenario = scenario(type(self).load)
        store = self._stores.get(self.url) if self.url != "memory://" else None
        if store is None:
            store = ps.open_store(self.url)
            if self.url != "memory://":
                self._stores[self.url] = store
        self.register = ps.Register(keyed(self.scenario.commune, "machine"), store=store)
        for code, places in self.scenario.places.items():
            for day in self.scenario.days[code]:
                self.register.set_capacity(code, day, places)
        self.now = self.scenario.start
        self.nights = 0
        self.sessions: list[ps.BookingSession] = []
        self.confirmed_order: list[int] = []

    @initialize()
    def open_sessions(self) -> None:
        for family in self.scenario.families:
            self.sessions.append(self._open(family))
        self.sessions.append(self._open(self.scenario.families[2]))  # a second session of one family

    def _open(self, family: ps.Family) -> ps.BookingSession:
        return self.register.open_session(family, now=self.now, balance=Decimal(0), dossier_complete=True)

    def _pick(self, data: st.DataObject) -> tuple[ps.BookingSession, str, str, date]:
        s = data.draw(st.sampled_from(self.sessions))
        child = data.draw(st.sampled_from([c.id for c in s.family.children]))
        code = data.draw(st.sampled_from(sorted(self.scenario.days)))
        day = data.draw(st.sampled_from(self.scenario.days[code]))
        return s, child, code, day

    @rule(data=st.data())
    def toggle_day(self, data: st.DataObject) -> None:
        s, child, code, day = self._pick(data)
        before_register, before_recap = snapshot(self.register), s.recap()
        pending, shown = s.is_pending(child, code, day), s.is_booked(child, code, day)
        try:
            selected = s.toggle_day(child, code, day)
        except ps.NotBookable as exc:
            assert s.recap() == before_recap
            assert not pending  # taking back a selection is always possible
            self._as_the_calendar_says(s, code, day, cancelling=shown, refusal=exc.code)
        else:
            assert selected == s.is_booked(child, code, day)  # the calendar shows what was clicked
            if not pending:
                self._as_the_calendar_says(s, code, day, cancelling=shown, refusal=None)
        assert snapshot(self.register) == before_register  # a selection never reaches the register

    def _as_the_calendar_says(
        self, s: ps.BookingSession, code: str, day: date, *, cancelling: bool, refusal: str | None
    ) -> None:
        """A selection is accepted, or refused for a date, as the calendar
        says at the session's clock: a booking from the opening to the
        deadline, a cancellation until its own deadline (Vallon's differ)."""
        cal = self.scenario.commune.calendar
        if cancelling:
            if refusal is None or refusal == "past_deadline":
                assert cal.is_cancellable(code, day, s.now) == (refusal is None)
        elif refusal is None or refusal in ("not_open_yet", "past_deadline", "not_running"):
            assert cal.state(code, day, s.now).value == (refusal or ps.DayState.BOOKABLE.value)

    @rule(data=st.data(), kind=st.sampled_from(["week", "weekday", "month"]))
    def toggle_many(self, data: st.DataObject, kind: str) -> None:
        s, child, code, day = self._pick(data)
        before = snapshot(self.register)
        getattr(s, f"toggle_{kind}")(child, code, day)
        assert snapshot(self.register) == before  # selections never reach the register

    @rule(data=st.data())
    def copy(self, data: st.DataObject) -> None:
        s, child, code, _ = self._pick(data)
        target_child = data.draw(st.sampled_from([c.id for c in s.family.children]))
        target_code = data.draw(st.sampled_from(sorted(self.scenario.days)))
        before_register, before_recap = snapshot(self.register), s.recap()
        try:
            rejections = s.copy(child, code, target_child, target_code, 1)
        except ps.BookingError as exc:
            rejections, error = (), exc.code
        else:
            error = None
        if error is not None:
            assert error == "copy_onto_itself"
            assert s.recap() == before_recap
        for rejection in rejections:
            assert rejection.request not in s.recap().bookings or rejection.code == "already_booked"
        assert snapshot(self.register) == before_register

    @precondition(lambda self: len(self.register) > 0)
    @rule(data=st.data())
    def cancel_a_reservation(self, data: st.DataObject) -> None:
        row = data.draw(st.sampled_from(snapshot(self.register)))
        s = data.draw(st.sampled_from([s for s in self.sessions if s.family.id == row.family]))
        if s.is_booked(row.child, row.activity, row.day) and s.is_pending(row.child, row.activity, row.day):
            return  # already selected for cancellation... or re-booked; leave it
        before, before_register = s.recap(), snapshot(self.register)
        cancelling = s.is_booked(row.child, row.activity, row.day)
        try:
            selected = s.toggle_day(row.child, row.activity, row.day)
        except ps.NotBookable as exc:
            error: str | None = exc.code
        else:
            error = None
            assert selected == s.is_booked(row.child, row.activity, row.day)
        self._as_the_calendar_says(s, row.activity, row.day, cancelling=cancelling, refusal=error)
        if error is not None:
            assert error in ("past_deadline", "not_running")
            assert s.recap() == before
        assert snapshot(self.register) == before_register  # selected, not yet cancelled

    @rule(data=st.data())
    def a_family_cancels_a_whole_day(self, data: st.DataObject) -> None:
        # Every child of the account on one day, in one confirmation: siblings,
        # one accepted and one waiting, must not promote each other.
        s = data.draw(st.sampled_from(self.sessions))
        code = data.draw(st.sampled_from(sorted(self.scenario.days)))
        day = data.draw(st.sampled_from(self.scenario.days[code]))
        mine = [
            r for r in snapshot(self.register) if (r.family, r.activity, r.day) == (s.family.id, code, day)
        ]
        s.discard()
        for row in mine:
            try:
                s.toggle_day(row.child, code, day)
            except ps.NotBookable:
                return
        before = {p.id for p in self.register.pending_promotions()}
        outcome = s.confirm(self.now)
        for request in outcome.cancelled:
            assert self.register.status(*request) is None
        promoted = [p.request for p in self.register.pending_promotions() if p.id not in before]
        assert not set(promoted) & set(outcome.cancelled)

    @rule(data=st.data())
    def discard(self, data: st.DataObject) -> None:
        s = data.draw(st.sampled_from(self.sessions))
        s.discard()
        assert not s.recap()

    @rule(data=st.data(), hours=st.integers(0, 24))
    def confirm(self, data: st.DataObject, hours: int) -> None:
        self.now += timedelta(hours=hours)
        busy = [s for s in self.sessions if s.recap()]
        s = data.draw(st.sampled_from(busy or self.sessions))
        recap = s.recap()
        outcome = s.confirm(self.now)
        for name in ("accepted", "waitlisted", "refused", "cancelled"):
            if getattr(outcome, name):
                event(f"confirm: some {name}")
        handled = [
            *outcome.accepted,
            *outcome.waitlisted,
            *(r.request for r in outcome.refused),
            *outcome.cancelled,
        ]
        assert sorted(handled) == sorted([*recap.bookings, *recap.cancellations])
        assert not s.recap()
        for request in outcome.accepted:
            assert self.register.status(*request) is not None
        for request in outcome.cancelled:
            assert self.register.owner(*request) != s.family.id
        # Every change re-checked at the confirmation's instant, each against its own deadline.
        cal = self.scenario.commune.calendar
        for request in (*outcome.accepted, *outcome.waitlisted):
            assert cal.is_bookable(request.activity, request.day, self.now)
        for request in outcome.cancelled:
            assert cal.is_cancellable(request.activity, request.day, self.now)
        for rejection in outcome.refused:
            if rejection.code == "past_deadline":
                r = rejection.request
                still = cal.is_cancellable if r in recap.cancellations else cal.is_bookable
                assert not still(r.activity, r.day, self.now)

    def _waiting_day(self, data: st.DataObject, which: int) -> tuple[str, date]:
        code = data.draw(st.sampled_from(self.scenario.waiting))
        return code, self.scenario.days[code][which]

    @rule(data=st.data(), extra=st.integers(0, 2), which=st.integers(0, 2))
    def agent_changes_places(self, data: st.DataObject, extra: int, which: int) -> None:
        # An agent's decision: places added go to the head of the waiting list at
        # once. (Places below the accepted count cancel nobody: not drawn here,
        # where accepted <= places is an invariant.)
        code, day = self._waiting_day(data, which)
        queue = self.register.waiting_list(code, day)
        places = self.register.taken(code, day) + extra
        free = extra
        promoted = self.register.set_capacity(code, day, places, now=self.now)
        assert self.register.capacity(code, day) == places
        assert [p.request for p in promoted] == list(queue[: max(0, free)])

    @rule(data=st.data(), which=st.integers(0, 2))
    def agent_promotes(self, data: st.DataObject, which: int) -> None:
        code, day = self._waiting_day(data, which)
        queue = self.register.waiting_list(code, day)
        promoted = self.register.promote(code, day, self.now)
        assert [p.request for p in promoted] == list(queue[: len(promoted)])  # first come, first served

    @precondition(lambda self: self.now < self.scenario.start + timedelta(days=36))
    @rule()
    def transmit(self) -> None:
        self.nights += 1  # each run its own night (a run again with the same instant replays it)
        night = self.scenario.start.replace(hour=2)
        movements = self.register.transmit(night + timedelta(days=self.nights))
        assert all(r.transmitted for r in self.register.reservations())
        assert all(movements.values())

    @invariant()
    def accepted_never_exceeds_places(self) -> None:
        accepted: dict[tuple[str, date], int] = {}
        for r in self.register.reservations():
            if r.status is ps.ReservationStatus.ACCEPTED:
                accepted[(r.activity, r.day)] = accepted.get((r.activity, r.day), 0) + 1
        for (code, day), n in accepted.items():
            capacity = self.register.capacity(code, day)
            assert capacity is None or n <= capacity
            assert self.register.taken(code, day) == n

    @invariant()
    def waiting_lists_are_in_confirmation_order_and_only_on_full_days(self) -> None:
        rows = {(r.child, r.activity, r.day): r for r in self.register.reservations()}
        for code, days in self.scenario.days.items():
            for day in days:
                queue = self.register.waiting_list(code, day)
                sequences = [rows[tuple(req)].sequence for req in queue]
                assert sequences == sorted(sequences)
                assert all(rows[tuple(req)].status is ps.ReservationStatus.WAITLISTED for req in queue)
                if queue:
                    assert self.register.places_left(code, day) == 0

    @invariant()
    def waiting_lists_hold_the_waitlisted_reservations(self) -> None:
        waiting: dict[tuple[str, date], int] = {}
        for r in self.register.reservations():
            if r.status is ps.ReservationStatus.WAITLISTED:
                waiting[(r.activity, r.day)] = waiting.get((r.activity, r.day), 0) + 1
        for code, days in self.scenario.days.items():
            for day in days:
                assert len(self.register.waiting_list(code, day)) == waiting.get((code, day), 0)

    @invariant()
    def nobody_accepted_after_someone_still_waiting(self) -> None:
        # First come, first served: on every day, each accepted reservation was
        # confirmed before every reservation still on the waiting list.
        rows = list(self.register.reservations())
        for code, days in self.scenario.days.items():
            for day in days:
                accepted = [
                    r.sequence for r in rows if (r.activity, r.day) == (code, day) and r.status == "accepted"
                ]
                waiting = [
                    r.sequence
                    for r in rows
                    if (r.activity, r.day) == (code, day) and r.status == "waitlisted"
                ]
                if accepted and waiting:
                    assert max(accepted) < min(waiting)

    @invariant()
    def one_reservation_per_child_and_day(self) -> None:
        keys = [(r.child, r.activity, r.day) for r in self.register.reservations()]
        assert len(keys) == len(set(keys))

    @invariant()
    def custody_and_enrolment_hold_in_the_register(self) -> None:
        custody = self.scenario.families[1].custody
        assert custody is not None
        for r in self.register.reservations():
            if r.family == "F-PERE":
                assert custody.covers(r.day)
            if r.child == "amalia":
                assert r.activity == self.scenario.unlimited


class VallonRegisterMachine(RegisterMachine):
    load = staticmethod(vallon)


REGISTER_SETTINGS = {
    "sqlite": settings(max_examples=25, stateful_step_count=30),
    "servers": settings(max_examples=20, stateful_step_count=30),
}
(
    TestRegisterMachine,
    TestRegisterMachineOnSQLite,
    TestRegisterMachineOnPostgreSQL,
    TestRegisterMachineOnMariaDB,
) = on_every_store(RegisterMachine, **REGISTER_SETTINGS)
(
    TestVallonRegisterMachine,
    TestVallonRegisterMachineOnSQLite,
    TestVallonRegisterMachineOnPostgreSQL,
    TestVallonRegisterMachineOnMariaDB,
) = on_every_store(VallonRegisterMachine, **REGISTER_SETTINGS)


#: How long a thread waits at the barrier for the seven others, and how long
#: the test waits for all eight: a confirmation that never returns fails the
#: test within these bounds instead of hanging the run.
BARRIER_TIMEOUT = 30.0
JOIN_TIMEOUT = 120.0


@on_every_commune
@pytest.mark.parametrize("name", ["memory", "sqlite", "postgresql", "mariadb"])
def test_eight_threads_confirming_never_overbook(load: Load, name: str, tmp_path: Path) -> None:
    backend = Backend(name, store_url(name, tmp_path))
    plan = scenario(load)
    code, start = plan.wednesday, plan.start
    register = backend.register(plan.commune)
    wednesdays = plan.days[code]
    for day in wednesdays:
        register.set_capacity(code, day, 5)
    families = [ps.Family(f"F{i}", f"N{i}", (ps.Child(f"c{i}", "Prénom", f"N{i}"),)) for i in range(8)]
    barrier = threading.Barrier(len(families), timeout=BARRIER_TIMEOUT)
    outcomes: list[ps.Outcome] = []
    errors: list[tuple[str, BaseException]] = []
    lock = threading.Lock()

    def family_books(family: ps.Family) -> None:
        # 21 rounds: each books its three Wednesdays, then cancels them, ... and
        # books them again last; confirmations race at the barrier.
        try:
            for _ in range(21):
                s = register.open_session(family, now=start, balance=Decimal(0), dossier_complete=True)
                for day in wednesdays:
                    s.toggle_day(family.children[0].id, code, day)
                barrier.wait()
                outcome = s.confirm(start)
                with lock:
                    outcomes.append(outcome)
        except BaseException as exc:  # collected, re-raised by the test below
            barrier.abort()  # the others stop waiting at once
            with lock:
                errors.append((family.id, exc))

    # Daemon threads: one stuck in a confirmation cannot keep the interpreter alive.
    threads = [threading.Thread(target=family_books, args=(f,), name=f.id, daemon=True) for f in families]
    for t in threads:
        t.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"a confirmation never returned ({JOIN_TIMEOUT:.0f} s): {stuck}; errors: {errors}"
    # The cause first: the others only saw the barrier broken by it.
    causes = [e for e in errors if not isinstance(e[1], threading.BrokenBarrierError)] or errors
    if causes:
        family_id, cause = causes[0]
        cause.add_note(f"in the thread of {family_id}; {len(errors)} of {len(threads)} threads failed")
        raise cause
    backend.close()
    for day in wednesdays:
        assert register.taken(code, day) == 5
        assert len(register.waiting_list(code, day)) == 3
    assert len(register) == 24
    assert len(outcomes) == 8 * 21  # every thread confirmed every round
    booked = sum(len(o.accepted) + len(o.waitlisted) for o in outcomes)
    cancelled = sum(len(o.cancelled) for o in outcomes)
    assert booked - cancelled == 24
    assert not any(o.refused for o in outcomes)


# -- waiting-list priorities ---------------------------------------------------------------

PRIORITY_FAMILIES = [
    ps.Family("F-A", "ALPHA", (ps.Child("a1", "Anna", "ALPHA"), ps.Child("a2", "Aldo", "ALPHA"))),
    ps.Family("F-B", "BETA", (ps.Child("b1", "Bea", "BETA"),), resident=False),
    ps.Family("F-C", "GAMMA", (ps.Child("c1", "Cyril", "GAMMA"),), priority=1),
    ps.Family(
        "F-D",
        "DELTA",
        (ps.Child("d1", "Dora", "DELTA"), ps.Child("d2", "Dan", "DELTA")),
        resident=False,
        priority=2,
    ),
]
#: The priority machine books the first two days of the Wednesday centre (:attr:`Scenario.wednesday`).
PRIORITY_DAYS = (0, 1)
CRITERIA = sorted(WAITING_CRITERIA)


class PriorityMachine(RuleBasedStateMachine):
    """Any policy (ordered criteria, or none): every promotion — after a
    cancellation, places added with or without ``now``, ``promote`` — takes
    the highest-ranked waiting request, first come first served within a
    tier, ranks read again after each promotion (a sibling accepted lifts a
    request); the waiting list and the ranks shown follow the same order."""

    url = "memory://"
    load: ClassVar[Load] = staticmethod(cestas)
    _stores: ClassVar[dict[str, ps.Store]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.directory = {f.id: f for f in PRIORITY_FAMILIES}
        self.owner_of = {c.id: f.id for f in PRIORITY_FAMILIES for c in f.children}
        self.scenario = scenario(type(self).load)
        self.code = code = self.scenario.wednesday
        self.days = [self.scenario.days[code][i] for i in PRIORITY_DAYS]
        self.now = self.scenario.start

    @initialize(policy=st.lists(st.sampled_from(CRITERIA), unique=True, max_size=3))
    def choose_policy(self, policy: list[str]) -> None:
        self.policy = tuple(policy)
        event(f"policy: {', '.join(policy) or 'FIFO'}")
        commune, code = self.scenario.commune, self.code
        activities = dict(commune.activities)
        activities[code] = attrs.evolve(activities[code], waiting_list_priorities=self.policy)
        commune = keyed(attrs.evolve(commune, activities=activities), "prio")
        store = self._stores.get(self.url) if self.url != "memory://" else None
        if store is None:
            store = ps.open_store(self.url)
            if self.url != "memory://":
                self._stores[self.url] = store
        self.register = ps.Register(commune, store=store, families=self.directory)
        for day in self.days:
            self.register.set_capacity(code, day, 1)

    # -- the reference model: the policy written again, plainly ---------------------------

    def _rows(self) -> dict[Key, ps.Reservation]:
        return {(r.child, r.activity, r.day): r for r in self.register.reservations()}

    def _key(self, row: ps.Reservation, accepted: set[Key]) -> tuple[tuple[int, ...], int]:
        family = self.directory[row.family]
        tier = []
        for criterion in self.policy:
            if criterion == "priority":
                tier.append(-family.priority)
            elif criterion == "resident":
                tier.append(0 if family.resident else 1)
            else:
                sibling = any(
                    (c.id, row.activity, row.day) in accepted for c in family.children if c.id != row.child
                )
                tier.append(0 if sibling else 1)
        return tuple(tier), row.sequence

    def _served_order(self, day: date, rows: dict[Key, ps.Reservation]) -> list[str]:
        accepted = {k for k, r in rows.items() if r.status is ps.ReservationStatus.ACCEPTED}
        waiting = [r for k, r in rows.items() if k[2] == day and r.status is ps.ReservationStatus.WAITLISTED]
        return [r.child for r in sorted(waiting, key=lambda r: self._key(r, accepted))]

    def _check(self, before: dict[Key, ps.Reservation], cancelled: tuple[ps.Request, ...] = ()) -> None:
        """Each promotion of the last operation took the best-ranked request
        still waiting, as the reference model ranks them."""
        promotions = [p.request for p in self.register.take_promotions()]
        if promotions:
            event("promotions")
        gone: set[Key] = {(r.child, r.activity, r.day) for r in cancelled}
        accepted = {
            k for k, r in before.items() if r.status is ps.ReservationStatus.ACCEPTED and k not in gone
        }
        waiting = {
            k: r for k, r in before.items() if r.status is ps.ReservationStatus.WAITLISTED and k not in gone
        }
        for request in promotions:
            key: Key = (request.child, request.activity, request.day)
            candidates = [r for k, r in waiting.items() if (k[1], k[2]) == (request.activity, request.day)]
            best = min(candidates, key=lambda r: self._key(r, accepted))
            assert best.child == request.child, (self.policy, request, candidates)
            del waiting[key]
            accepted.add(key)

    # -- what families and agents do ------------------------------------------------------

    def _session(self, family_id: str) -> ps.BookingSession:
        return self.register.open_session(
            self.directory[family_id], now=self.now, balance=Decimal(0), dossier_complete=True
        )

    @rule(
        child=st.sampled_from(sorted({c.id for f in PRIORITY_FAMILIES for c in f.children})),
        which=st.sampled_from(PRIORITY_DAYS),
    )
    def a_family_books(self, child: str, which: int) -> None:
        day = self.days[which]
        if self.register.status(child, self.code, day) is not None:
            return
        before = self._rows()
        session = self._session(self.owner_of[child])
        session.toggle_day(child, self.code, day)
        outcome = session.confirm(self.now)
        assert outcome.accepted or outcome.waitlisted
        self._check(before)
        if outcome.accepted:  # a newcomer takes a place only when nobody waits for it
            assert not self.register.waiting_list(self.code, day)

    @precondition(lambda self: len(self.register) > 0)
    @rule(data=st.data())
    def a_family_cancels(self, data: st.DataObject) -> None:
        before = self._rows()
        row = data.draw(st.sampled_from(sorted(before.values(), key=lambda r: r.sequence)))
        session = self._session(row.family)
        session.toggle_day(row.child, row.activity, row.day)
        outcome = session.confirm(self.now)
        assert outcome.cancelled
        self._check(before, outcome.cancelled)

    @rule(which=st.sampled_from(PRIORITY_DAYS), extra=st.integers(0, 2), at_once=st.booleans())
    def an_agent_adds_places(self, which: int, extra: int, at_once: bool) -> None:
        day = self.days[which]
        before = self._rows()
        places = self.register.taken(self.code, day) + extra
        promoted = self.register.set_capacity(self.code, day, places, now=self.now if at_once else None)
        assert at_once or not promoted
        self._check(before)

    @rule(which=st.sampled_from(PRIORITY_DAYS))
    def an_agent_promotes(self, which: int) -> None:
        day = self.days[which]
        before = self._rows()
        self.register.promote(self.code, day, self.now)
        self._check(before)

    @rule(
        family=st.sampled_from([f.id for f in PRIORITY_FAMILIES]),
        priority=st.integers(0, 2),
        resident=st.booleans(),
    )
    def an_agent_changes_a_familys_standing(self, family: str, priority: int, resident: bool) -> None:
        self.directory[family] = attrs.evolve(self.directory[family], priority=priority, resident=resident)

    @rule(minutes=st.integers(1, 60))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    # -- what holds after every step ---------------------------------------------------------

    @invariant()
    def the_waiting_list_and_the_ranks_follow_the_policy(self) -> None:
        if not hasattr(self, "register"):
            return
        rows = self._rows()
        for day in self.days:
            expected = self._served_order(day, rows)
            assert [r.child for r in self.register.waiting_list(self.code, day)] == expected
            for rank, child in enumerate(expected, 1):
                shown = self.register.waiting_rank(child, self.code, day)
                assert shown is not None
                assert shown.rank == rank


class VallonPriorityMachine(PriorityMachine):
    load = staticmethod(vallon)


PRIORITY_SETTINGS = {
    "sqlite": settings(max_examples=25, stateful_step_count=30),
    "servers": settings(max_examples=15, stateful_step_count=25),
}
(
    TestPriorityMachine,
    TestPriorityMachineOnSQLite,
    TestPriorityMachineOnPostgreSQL,
    TestPriorityMachineOnMariaDB,
) = on_every_store(PriorityMachine, **PRIORITY_SETTINGS)
(
    TestVallonPriorityMachine,
    TestVallonPriorityMachineOnSQLite,
    TestVallonPriorityMachineOnPostgreSQL,
    TestVallonPriorityMachineOnMariaDB,
) = on_every_store(VallonPriorityMachine, **PRIORITY_SETTINGS)
