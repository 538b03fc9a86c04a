"""Bookings: the family's selection, the two-step confirmation, places and
waiting lists, copying, and the nightly transmission.

The guide (p. 10-12, « Réservations des activités »):

* « Vous ne pourrez pas accéder à la réservation si votre Compte Famille est
  débiteur » and the dossier must have been transmitted (p. 4);
* clicking a day, a week, a weekday of the month or the month selects or
  cancels: « si le 1er jour réservable ... n'est pas réservé, tous les jours
  seront réservés, s'il est déjà réservé, tous les jours seront annulés »;
* « Vos réservations ne sont pas validées dès que vous cliquez » — a first
  validation shows the recap (bookings, then cancellations), a second confirms
  it, and « une vérification est alors effectuée pour contrôler que les journées
  demandées sont toujours disponibles »: requests are accepted, put on the
  waiting list, or refused;
* reservations can be copied to another child or activity, and those that
  cannot are listed;
* everything confirmed is « Non Transmise » until the nightly run, which sends
  the family a report.

A :class:`Register` holds every reservation of the commune. A family works in
a :class:`BookingSession` (:meth:`Register.open_session`); nothing reaches the
register before :meth:`BookingSession.confirm`, which is all-or-nothing and
thread-safe.

>>> import periscolaire as ps
>>> from datetime import date, datetime
>>> from decimal import Decimal
>>> register = ps.Register(ps.load_commune())
>>> family = ps.Family(id="F1", name="DUPONT", children=(ps.Child("paolo", "Paolo", "DUPONT"),))
>>> session = register.open_session(family, now=datetime(2024, 8, 26, 10), balance=Decimal("20.00"),
...                                 dossier_complete=True)
>>> [d.day for d in session.toggle_week("paolo", "RESTAURATION", date(2024, 9, 9))]
[9, 10, 12, 13]
>>> outcome = session.confirm(datetime(2024, 8, 26, 10, 5))
>>> len(outcome.accepted), register.status("paolo", "RESTAURATION", date(2024, 9, 9))
(4, <ReservationStatus.ACCEPTED: 'accepted'>)
"""

from __future__ import annotations

import enum
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final, NamedTuple, NoReturn

import attrs

from periscolaire.calendar import (
    BookingPeriod,
    DayState,
    SchoolCalendar,
    day_state,
    days_between,
    days_in_month,
)
from periscolaire.commune import Commune
from periscolaire.errors import (
    BookingAccessDenied,
    BookingError,
    NotBookable,
    UnknownActivity,
    UnknownChild,
)
from periscolaire.family import Family
from periscolaire.money import money

__all__ = [
    "BookingSession",
    "DayCell",
    "Movement",
    "MovementKind",
    "Outcome",
    "Promotion",
    "Recap",
    "Register",
    "Rejection",
    "Request",
    "Reservation",
    "ReservationStatus",
]

ONE_DAY = timedelta(days=1)

#: French messages for the codes of refusals and rejections.
MESSAGES: Mapping[str, str] = {
    "not_running": "L'activité n'a pas lieu ce jour-là.",
    "not_open_yet": "Les réservations de ce jour ne sont pas encore ouvertes.",
    "past_deadline": "Vous êtes hors délai pour réserver ou annuler ce jour.",
    "not_enrolled": "L'enfant n'est pas inscrit à cette activité.",
    "not_custody_day": "Ce jour n'est pas un jour de garde de ce compte.",
    "already_booked": "Ce jour est déjà réservé.",
    "booked_by_other_account": "Ce jour a été réservé depuis un autre compte famille.",
    "not_booked": "Ce jour n'est plus réservé.",
    "full": "Plus de place disponible.",
}


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


class ReservationStatus(enum.StrEnum):
    """A reservation in the register: it holds a place, or waits for one."""

    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"

    @property
    def label(self) -> str:
        return "acceptée" if self is ReservationStatus.ACCEPTED else "en liste d'attente"


class MovementKind(enum.StrEnum):
    """What happened to a request at confirmation (the report's sections)."""

    WAITLISTED = "waitlisted"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    CANCELLED = "cancelled"


class Request(NamedTuple):
    """One day of one activity for one child (a line of the recap)."""

    child: str
    activity: str
    day: date


class Movement(NamedTuple):
    """A change to a family's requests, for the nightly report."""

    kind: MovementKind
    activity: str
    child: str
    day: date


@attrs.frozen
class Rejection:
    """A request that was not applied, with the rule that refused it."""

    request: Request
    code: str

    @property
    def message(self) -> str:
        """French text for the family."""
        return MESSAGES.get(self.code, self.code)


@attrs.frozen
class Recap:
    """The recap shown before confirmation: bookings, then cancellations."""

    bookings: tuple[Request, ...]
    cancellations: tuple[Request, ...]

    def __bool__(self) -> bool:
        return bool(self.bookings or self.cancellations)


@attrs.frozen
class Outcome:
    """What a confirmation did: each request accepted, waitlisted, refused or cancelled."""

    accepted: tuple[Request, ...] = ()
    waitlisted: tuple[Request, ...] = ()
    refused: tuple[Rejection, ...] = ()
    cancelled: tuple[Request, ...] = ()


@attrs.frozen
class Promotion:
    """A waiting-list reservation accepted because a place was freed
    (« lorsque des réservations en liste d'attente seront acceptées », p. 12)."""

    request: Request
    family: str
    at: datetime


@attrs.frozen
class Reservation:
    """A reservation as a host stores it (one row per child, activity, day).

    ``sequence`` orders confirmations (the waiting list is first come, first
    served); ``transmitted`` is False until the nightly run.
    """

    child: str
    activity: str
    day: date
    family: str
    status: ReservationStatus = attrs.field(converter=ReservationStatus)
    sequence: int = 0
    transmitted: bool = False


class DayCell(NamedTuple):
    """One day of the portal's calendar for a child and an activity."""

    day: date
    state: DayState
    booked: bool
    pending: bool
    waitlisted: bool
    places_left: int | None


# --------------------------------------------------------------------------
# The register
# --------------------------------------------------------------------------

_Key = tuple[str, str, date]  # child, activity, day
_BOOK = True
_CANCEL = False


# A reservation held by the register: (family, accepted, sequence, transmitted).
# A plain tuple of atoms, replaced and never mutated: the garbage collector
# stops tracking such tuples, which keeps a register of a million reservations
# cheap to hold (see benchmarks/bench_booking.py).
_Held = tuple[str, bool, int, bool]
_FAMILY: Final = 0
_IS_ACCEPTED: Final = 1
_STATUS = {True: ReservationStatus.ACCEPTED, False: ReservationStatus.WAITLISTED}
_new_tuple = tuple.__new__


def _requests(keys: list[_Key]) -> tuple[Request, ...]:
    return tuple([_new_tuple(Request, key) for key in keys])


class Register:
    """Every reservation of a commune, the places taken and the waiting lists.

    A host hydrates it from its store (:meth:`from_reservations`), serves
    families through sessions, persists :meth:`reservations` and runs
    :meth:`transmit` every night. Confirmations are serialized by a lock: never
    more accepted reservations than places, whatever the order of sessions and
    threads.
    """

    def __init__(self, commune: Commune) -> None:
        self.commune = commune
        self.calendar: SchoolCalendar = commune.calendar
        self._windows = {code: dict(self.calendar.windows(code)) for code in commune.activities}
        self._capacity: dict[str, int | None] = {c: a.capacity for c, a in commune.activities.items()}
        # Per activity, then per day: no (activity, day) tuple is built on the hot path.
        self._overrides: dict[str, dict[date, int]] = {
            c: dict(a.capacity_overrides) for c, a in commune.activities.items()
        }
        self._waiting_list = {c: a.waiting_list for c, a in commune.activities.items()}
        self._held: dict[_Key, _Held] = {}
        self._taken: dict[str, dict[date, int]] = {c: {} for c in commune.activities}
        self._queues: dict[str, dict[date, dict[_Key, None]]] = {c: {} for c in commune.activities}
        # family -> one entry per confirmation: (cancelled, accepted, waitlisted, refused) keys
        # One entry per confirmation: (family, cancelled, accepted, waitlisted, refused keys).
        self._journal: list[
            tuple[str, tuple[_Key, ...], tuple[_Key, ...], tuple[_Key, ...], tuple[_Key, ...]]
        ] = []
        self._promotions: list[Promotion] = []
        self._sequence = 0
        self._lock = threading.RLock()
        self._day_lists: dict[tuple[date, date, int], tuple[date, ...]] = {}

    @classmethod
    def from_reservations(cls, commune: Commune, reservations: Iterable[Reservation]) -> Register:
        """A register hydrated from stored reservations (any order).

        Waiting lists are rebuilt in ``sequence`` order. Stored data that breaks
        an invariant (a key twice, more accepted than places) is refused.
        """
        register = cls(commune)
        for row in sorted(reservations, key=lambda r: r.sequence):
            key = (row.child, row.activity, row.day)
            if row.activity not in commune.activities:
                raise UnknownActivity(row.activity)
            if key in register._held:
                raise BookingError(f"Réservation en double : {key!r}.", code="duplicate_reservation")
            register._hold(key, row.family, row.status, row.sequence, row.transmitted)
            register._sequence = max(register._sequence, row.sequence)
        for code, days in register._taken.items():
            for day, taken in days.items():
                capacity = register.capacity(code, day)
                if capacity is not None and taken > capacity:
                    raise BookingError(
                        f"{taken} réservations acceptées pour {capacity} places : {code} {day}.",
                        code="overbooked",
                    )
        return register

    def _days(self, first: date, last: date, step: int) -> tuple[date, ...]:
        """Days from ``first`` to ``last`` every ``step`` days (cached: the same
        weeks and months are asked for by every family)."""
        days = self._day_lists.get((first, last, step))
        if days is None:
            days = self._day_lists[(first, last, step)] = tuple(days_between(first, last, step))
        return days

    def _hold(
        self, key: _Key, family: str, status: ReservationStatus, sequence: int, transmitted: bool
    ) -> None:
        accepted = ReservationStatus(status) is ReservationStatus.ACCEPTED
        self._held[key] = (family, accepted, sequence, transmitted)
        _, code, day = key
        if accepted:
            taken = self._taken[code]
            taken[day] = taken.get(day, 0) + 1
        else:
            self._queues[code].setdefault(day, {})[key] = None

    # -- places ----------------------------------------------------------------

    def capacity(self, code: str, day: date) -> int | None:
        """Places for the activity that day (``None``: unlimited)."""
        if code not in self._capacity:
            raise UnknownActivity(code)
        return self._overrides[code].get(day, self._capacity[code])

    def set_capacity(self, code: str, day: date, places: int | None) -> None:
        """Change the places of one day (an agent's decision). Reducing them
        cancels nobody; freeing some promotes the waiting list at the next
        cancellation or :meth:`promote`."""
        if code not in self._capacity:
            raise UnknownActivity(code)
        if places is not None and (isinstance(places, bool) or not isinstance(places, int) or places < 0):
            raise ValueError(f"places must be an int >= 0 or None, got {places!r}")
        with self._lock:
            if places is None:
                self._overrides[code].pop(day, None)
            else:
                self._overrides[code][day] = places

    def places_left(self, code: str, day: date) -> int | None:
        """Places still free that day (``None``: unlimited). Shown to families,
        knowing it may change before they confirm (guide p. 11)."""
        capacity = self.capacity(code, day)
        if capacity is None:
            return None
        return max(0, capacity - self._taken[code].get(day, 0))

    def taken(self, code: str, day: date) -> int:
        """Accepted reservations that day."""
        if code not in self._taken:
            raise UnknownActivity(code)
        return self._taken[code].get(day, 0)

    def waiting_list(self, code: str, day: date) -> tuple[Request, ...]:
        """The day's waiting list, first come first."""
        if code not in self._queues:
            raise UnknownActivity(code)
        return tuple(Request(*key) for key in self._queues[code].get(day, ()))

    # -- reading -----------------------------------------------------------------

    def status(self, child_id: str, code: str, day: date) -> ReservationStatus | None:
        """The reservation's status, or ``None`` when the day is not booked."""
        held = self._held.get((child_id, code, day))
        return None if held is None else _STATUS[held[_IS_ACCEPTED]]

    def owner(self, child_id: str, code: str, day: date) -> str | None:
        """The family account that holds the reservation."""
        held = self._held.get((child_id, code, day))
        return None if held is None else held[_FAMILY]

    def reservations(self, family: str | None = None) -> Iterator[Reservation]:
        """Every reservation (of one family account), for the host to persist."""
        for (child, code, day), (owner, accepted, sequence, transmitted) in list(self._held.items()):
            if family is None or owner == family:
                yield Reservation(child, code, day, owner, _STATUS[accepted], sequence, transmitted)

    def __len__(self) -> int:
        return len(self._held)

    # -- sessions ------------------------------------------------------------------

    def open_session(
        self,
        family: Family,
        *,
        now: datetime,
        balance: Decimal,
        dossier_complete: bool,
    ) -> BookingSession:
        """Open the booking screen for a family account.

        Refused (:class:`~periscolaire.BookingAccessDenied`) when the account is
        in debt (« si votre Compte Famille est débiteur », p. 10: code
        ``debtor``) or the dossier does not grant access (p. 4: code
        ``dossier_incomplete``).
        """
        balance = money(balance, "balance")
        if balance < 0:
            raise BookingAccessDenied(
                f"Votre compte famille est débiteur ({balance} €) : réglez-le pour accéder aux réservations.",
                code="debtor",
            )
        if not dossier_complete:
            raise BookingAccessDenied(
                "Votre dossier famille n'a pas été transmis : complétez-le pour accéder aux réservations.",
                code="dossier_incomplete",
            )
        return BookingSession(self, family, now)

    # -- confirmation (called by sessions, under the lock) --------------------------

    def _confirm(self, session: BookingSession, now: datetime) -> Outcome:  # noqa: PLR0915
        """Apply a session's pending changes at ``now`` (caller holds the lock).

        Cancellations first (they free places), then bookings, each in the
        order the family selected them. Every check of
        :meth:`BookingSession._book_check` is repeated here, inline: this is
        the hot path of the opening rush.
        """
        local = self.calendar.local(now)
        family = session.family.id
        pending = session._pending
        windows = self._windows
        held_map = self._held
        accepted: list[_Key] = []
        waitlisted: list[_Key] = []
        refused: list[Rejection] = []
        cancelled: list[_Key] = []
        refused_keys: list[_Key] = []  # refused bookings (refused cancellations are not reported)
        for key, action in pending.items():
            if action is _BOOK:
                continue
            reason = session._cancel_check(key, local)
            if reason is None:
                self._release(key, held_map[key], now)
                cancelled.append(key)
            else:  # shown on screen; the guide's report has no section for it
                refused.append(Rejection(_new_tuple(Request, key), reason))
        enrolled_in = session._enrolled
        custody = session._custody
        sequence = self._sequence
        last_code = None
        table: Mapping[date, tuple[datetime, datetime, datetime]] = {}
        taken: dict[date, int] = {}
        overrides: dict[date, int] = {}
        capacity_of: int | None = None
        has_waiting_list = False
        for key, action in pending.items():
            if action is not _BOOK:
                continue
            child, code, day = key
            if code != last_code:  # selections come grouped by activity: look these up once
                last_code = code
                table = windows[code]
                taken = self._taken[code]
                overrides = self._overrides[code]
                capacity_of = self._capacity[code]
                has_waiting_list = self._waiting_list[code]
            window = table.get(day)
            enrolled = enrolled_in[child]
            if enrolled is not None and code not in enrolled:
                reason = "not_enrolled"
            elif window is None:
                reason = "not_running"
            elif custody is not None and not custody(day):
                reason = "not_custody_day"
            elif local < window[0]:
                reason = "not_open_yet"
            elif local >= window[1]:
                reason = "past_deadline"
            else:
                # One look-up in the (large) register: claim the key as accepted,
                # then correct the claim if the day is full.
                sequence += 1
                claim = (family, True, sequence, False)
                if held_map.setdefault(key, claim) is not claim:
                    reason = "already_booked"
                else:
                    capacity = overrides.get(day, capacity_of) if overrides else capacity_of
                    count = taken.get(day, 0)
                    if capacity is None or count < capacity:
                        taken[day] = count + 1
                        accepted.append(key)
                        continue
                    if has_waiting_list:
                        held_map[key] = (family, False, sequence, False)
                        queues = self._queues[code]
                        queue = queues.get(day)
                        if queue is None:
                            queue = queues[day] = {}
                        queue[key] = None
                        waitlisted.append(key)
                        continue
                    del held_map[key]
                    reason = "full"
            refused.append(Rejection(_new_tuple(Request, key), reason))
            refused_keys.append(key)
        self._sequence = sequence
        if cancelled or accepted or waitlisted or refused_keys:
            # Tuples of plain tuples: the garbage collector stops tracking them.
            self._journal.append(
                (family, tuple(cancelled), tuple(accepted), tuple(waitlisted), tuple(refused_keys))
            )
        return Outcome(_requests(accepted), _requests(waitlisted), tuple(refused), _requests(cancelled))

    def _release(self, key: _Key, held: _Held, now: datetime) -> None:
        """Remove a reservation; a freed place goes to the waiting list."""
        _, code, day = key
        del self._held[key]
        if not held[_IS_ACCEPTED]:
            queues = self._queues[code]
            del queues[day][key]
            if not queues[day]:
                del queues[day]
            return
        taken = self._taken[code]
        taken[day] -= 1
        if not taken[day]:
            del taken[day]
        self._promote(code, day, now)

    def _promote(self, code: str, day: date, now: datetime) -> None:
        queues = self._queues[code]
        queue = queues.get(day)
        capacity = self.capacity(code, day)
        taken = self._taken[code]
        while queue and (capacity is None or taken.get(day, 0) < capacity):
            key = next(iter(queue))
            del queue[key]
            owner, _, sequence, transmitted = self._held[key]
            self._held[key] = (owner, True, sequence, transmitted)
            taken[day] = taken.get(day, 0) + 1
            self._promotions.append(Promotion(Request(*key), owner, now))
        if queue is not None and not queue:
            del queues[day]

    def promote(self, code: str, day: date, now: datetime) -> tuple[Promotion, ...]:
        """Fill free places of a day from its waiting list (after
        :meth:`set_capacity` raised them); returns the promotions made."""
        if code not in self._capacity:
            raise UnknownActivity(code)
        with self._lock:
            before = len(self._promotions)
            self._promote(code, day, now)
            return tuple(self._promotions[before:])

    # -- the nightly run -----------------------------------------------------------

    def transmit(self, now: datetime) -> Mapping[str, tuple[Movement, ...]]:
        """The nightly run: each family's movements since the last run, one
        confirmation after the other (in each: cancellations, acceptances,
        waiting list, refusals); every reservation becomes « transmise »."""
        with self._lock:
            journal, self._journal = self._journal, []
            held = self._held
            for key, (owner, accepted, sequence, _) in held.items():
                held[key] = (owner, accepted, sequence, True)
        kinds = (MovementKind.CANCELLED, MovementKind.ACCEPTED, MovementKind.WAITLISTED, MovementKind.REFUSED)
        movements: dict[str, list[Movement]] = {}
        for family, *groups in journal:
            out = movements.setdefault(family, [])
            for kind, keys in zip(kinds, groups, strict=True):
                out += [Movement(kind, key[1], key[0], key[2]) for key in keys]
        return {family: tuple(items) for family, items in movements.items()}

    def take_promotions(self) -> tuple[Promotion, ...]:
        """Promotions not yet taken, for the « réservation acceptée » e-mails;
        each is returned once."""
        with self._lock:
            promotions, self._promotions = self._promotions, []
        return tuple(promotions)

    def __repr__(self) -> str:
        return f"Register(commune={self.commune.name!r}, reservations={len(self._held)})"


# --------------------------------------------------------------------------
# The family's session
# --------------------------------------------------------------------------


class BookingSession:
    """One family's booking screen: pending changes until :meth:`confirm`.

    ``now`` is the session's clock for selections; :meth:`confirm` takes the
    instant of the confirmation and re-checks every change against it.
    """

    def __init__(self, register: Register, family: Family, now: datetime) -> None:
        self.register = register
        self.family = family
        self.now = now
        self._local = register.calendar.local(now)
        self._pending: dict[_Key, bool] = {}
        self._children = {c.id: c for c in family.children}
        self._enrolled = {c.id: c.activities for c in family.children}
        self._custody: Callable[[date], bool] | None = family.custody.covers if family.custody else None
        self._windows = register._windows

    # -- checks ------------------------------------------------------------------------

    def _known(self, child_id: str, code: str) -> None:
        if child_id not in self._children:
            raise UnknownChild(child_id)
        if code not in self._windows:
            raise UnknownActivity(code)

    def _book_check(self, child: str, code: str, day: date, local: datetime) -> str | None:
        """Why the child cannot book that day at ``local`` (None: it can)."""
        enrolled = self._enrolled[child]
        if enrolled is not None and code not in enrolled:
            return "not_enrolled"
        window = self._windows[code].get(day)
        if window is None:
            return "not_running"
        if self._custody is not None and not self._custody(day):
            return "not_custody_day"
        if local < window[0]:
            return "not_open_yet"
        if local >= window[1]:
            return "past_deadline"
        return None

    def _cancel_check(self, key: _Key, local: datetime | None = None) -> str | None:
        """Why this account cannot cancel the reservation at ``local`` (default:
        the session's clock); None: it can."""
        held = self.register._held.get(key)
        if held is None:
            return "not_booked"
        if held[_FAMILY] != self.family.id:
            return "booked_by_other_account"
        window = self._windows[key[1]].get(key[2])
        if window is None:
            return "not_running"
        if (self._local if local is None else local) >= window[2]:
            return "past_deadline"
        return None

    def _raise(self, key: _Key, code: str) -> NoReturn:
        child, activity, day = key
        raise NotBookable(
            f"{MESSAGES[code]} ({self._children[child].first_name}, {activity}, {day:%d/%m/%Y})",
            code=code,
        )

    # -- what the calendar shows ------------------------------------------------------------

    def is_booked(self, child_id: str, code: str, day: date) -> bool:
        """As the calendar shows it: booked (or waitlisted) in the register,
        with this session's pending changes applied."""
        key = (child_id, code, day)
        pending = self._pending.get(key)
        if pending is not None:
            return pending
        return key in self.register._held

    def is_pending(self, child_id: str, code: str, day: date) -> bool:
        return (child_id, code, day) in self._pending

    def state(self, child_id: str, code: str, day: date) -> DayState | str:
        """The day's state for this child: a :class:`DayState`, or the code of
        a child-level reason (``not_enrolled``, ``not_custody_day``)."""
        self._known(child_id, code)
        reason = self._book_check(child_id, code, day, self._local)
        if reason in ("not_enrolled", "not_custody_day"):
            return reason
        return self.register.calendar.state(code, day, self.now)

    # -- selection -------------------------------------------------------------------------

    def toggle_day(self, child_id: str, code: str, day: date) -> bool:
        """Select or unselect one day; returns whether it is now shown booked.

        A booked day becomes a pending cancellation, an unbooked one a pending
        booking; toggling again removes the pending change. A day that cannot
        be booked (or cancelled) now raises :class:`~periscolaire.NotBookable`.
        """
        self._known(child_id, code)
        key = (child_id, code, day)
        if key in self._pending:
            del self._pending[key]
            return key in self.register._held
        if key in self.register._held:
            reason = self._cancel_check(key)
            if reason is not None:
                self._raise(key, reason)
            self._pending[key] = _CANCEL
            return False
        reason = self._book_check(child_id, code, day, self._local)
        if reason is not None:
            self._raise(key, reason)
        self._pending[key] = _BOOK
        return True

    def toggle_week(self, child_id: str, code: str, day: date) -> tuple[date, ...]:
        """The Monday-to-Sunday week of ``day`` (the arrow left of the week)."""
        monday = day - timedelta(days=day.weekday())
        return self._toggle(child_id, code, self.register._days(monday, monday + timedelta(days=6), 1))

    def toggle_weekday(self, child_id: str, code: str, day: date) -> tuple[date, ...]:
        """Every same weekday as ``day`` in its month (the arrow under the weekday)."""
        first = day.replace(day=1 + (day.day - 1) % 7)
        return self._toggle(child_id, code, self.register._days(first, _month_end(day), 7))

    def toggle_month(self, child_id: str, code: str, day: date) -> tuple[date, ...]:
        """Every day of the month of ``day`` (the icon right of the month)."""
        return self._toggle(child_id, code, self.register._days(day.replace(day=1), _month_end(day), 1))

    def _toggle(self, child_id: str, code: str, days: tuple[date, ...]) -> tuple[date, ...]:
        """The guide's rule for a selection: look at its first bookable day as
        the calendar shows it; if not booked, book every bookable day, if
        booked, cancel them. Returns the days whose state changed."""
        self._known(child_id, code)
        enrolled = self._enrolled[child_id]
        if enrolled is not None and code not in enrolled:
            return ()
        table = self._windows[code]
        local = self._local
        custody = self._custody
        # The checks of _book_check, for many days at once.
        bookable = [
            d
            for d in days
            if (w := table.get(d)) is not None and w[0] <= local < w[1] and (custody is None or custody(d))
        ]
        if not bookable:
            return ()
        target = not self.is_booked(child_id, code, bookable[0])
        pending = self._pending
        held = self.register._held
        changed = []
        for day in bookable:
            key = (child_id, code, day)
            selected = pending.get(key)
            if selected is not None:  # a pending change: undo it if it goes the other way
                if selected is target:
                    continue
                del pending[key]
            elif (key in held) is target:
                continue
            elif target:
                pending[key] = _BOOK
            elif self._cancel_check(key) is None:
                pending[key] = _CANCEL
            else:
                continue  # booked from another account, or too late to cancel
            changed.append(day)
        return tuple(changed)

    # -- recap, discard, copy ---------------------------------------------------------------

    def recap(self) -> Recap:
        """The recap (« récapitulatif »): bookings, then cancellations, each
        by child (family order), activity (configuration order) and day."""
        child_rank = {c.id: i for i, c in enumerate(self.family.children)}
        code_rank = {c: i for i, c in enumerate(self._windows)}

        def ordered(action: bool) -> tuple[Request, ...]:
            ranked = sorted(
                (child_rank[k[0]], code_rank[k[1]], k[2], k) for k, v in self._pending.items() if v is action
            )
            return tuple(_new_tuple(Request, r[3]) for r in ranked)

        return Recap(ordered(_BOOK), ordered(_CANCEL))

    def discard(self) -> None:
        """Drop every pending change (« toutes les opérations ... seront annulées »)."""
        self._pending.clear()

    def copy(
        self,
        source_child: str,
        source_code: str,
        target_child: str,
        target_code: str,
        period: BookingPeriod | int,
    ) -> tuple[Rejection, ...]:
        """Repeat, on another child and/or activity, the source's booked days of
        a period (pending included). Days that cannot be copied come back as
        rejections (« la liste de ces réservations non importées », p. 11)."""
        self._known(source_child, source_code)
        self._known(target_child, target_code)
        if (source_child, source_code) == (target_child, target_code):
            raise BookingError(
                "Impossible de recopier des réservations sur le même enfant et la même activité.",
                code="copy_onto_itself",
            )
        if isinstance(period, int):
            period = self.register.calendar.period(period)
        register = self.register
        source_days = [
            d
            for d in register.calendar.running_days(source_code, period.start, period.end)
            if self.is_booked(source_child, source_code, d)
        ]
        pending_books = Counter((k[1], k[2]) for k, v in self._pending.items() if v is _BOOK)
        rejections = []
        for day in source_days:
            key = (target_child, target_code, day)
            reason = self._book_check(target_child, target_code, day, self._local)
            if reason is None and self.is_booked(target_child, target_code, day):
                reason = "already_booked"
            if reason is None and not register._waiting_list[target_code]:
                left = register.places_left(target_code, day)
                if left is not None and left - pending_books[(target_code, day)] <= 0:
                    reason = "full"
            if reason is not None:
                rejections.append(Rejection(Request(*key), reason))
                continue
            if self._pending.get(key) is _CANCEL:
                del self._pending[key]  # it was booked: undoing the cancellation books it again
            else:
                self._pending[key] = _BOOK
                pending_books[(target_code, day)] += 1
        return tuple(rejections)

    # -- confirmation --------------------------------------------------------------------

    def confirm(self, now: datetime) -> Outcome:
        """Apply the recap at ``now``: every change is re-checked (a deadline may
        have passed, places may be gone), then applied in one step. The
        selection is emptied; the session's clock moves to ``now``."""
        register = self.register
        with register._lock:
            outcome = register._confirm(self, now)
            self._pending.clear()
        self.now = now
        self._local = register.calendar.local(now)
        return outcome

    # -- the portal's calendar ------------------------------------------------------------

    def month(self, child_id: str, code: str, year: int, month: int) -> tuple[DayCell, ...]:
        """Every day of a month for a child and an activity: state, booked flag
        (pending included), pending flag, waiting-list flag and places left."""
        self._known(child_id, code)
        register = self.register
        table = self._windows[code]
        local = self._local
        pending = self._pending
        held_map = register._held
        capacity = register._capacity[code]
        overrides = register._overrides[code]
        taken = register._taken[code]
        enrolled = self._enrolled[child_id]
        excluded = enrolled is not None and code not in enrolled
        custody = self._custody
        cells = []
        first = date(year, month, 1)
        for day in register._days(first, date(year, month, days_in_month(year, month)), 1):
            if excluded or (custody is not None and not custody(day)):
                state = DayState.NOT_RUNNING
            else:
                state = day_state(table.get(day), local)
            key = (child_id, code, day)
            held = held_map.get(key)
            shown = pending.get(key)
            places = overrides.get(day, capacity) if overrides else capacity
            cells.append(
                _new_tuple(  # DayCell(...) without its Python-level __new__: this is a hot loop
                    DayCell,
                    (
                        day,
                        state,
                        (held is not None) if shown is None else shown,
                        shown is not None,
                        held is not None and not held[_IS_ACCEPTED],
                        None if places is None else max(0, places - taken.get(day, 0)),
                    ),
                )
            )
        return tuple(cells)

    def __repr__(self) -> str:
        return (
            f"BookingSession(family={self.family.id!r}, now={self.now.isoformat()}, "
            f"pending={len(self._pending)})"
        )


def _month_end(day: date) -> date:
    return date(day.year, day.month, days_in_month(day.year, day.month))
