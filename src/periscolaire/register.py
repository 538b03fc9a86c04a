"""The register: a commune's reservations, places and waiting lists, in a store.

A :class:`Register` is where a host meets the booking rules. It does not hold
state itself: its store does (in memory by default, or a database opened with
:func:`~periscolaire.open_store`), and each operation is one unit of work of
that store — the touched (activity, day) slots locked, read, decided by the
rules of :mod:`periscolaire.booking`, written, committed. Several registers
(several threads, or several worker processes over one database) can serve the
same commune: places are never overbooked and waiting lists stay first come,
first served.

>>> import periscolaire as ps
>>> from datetime import date, datetime
>>> from decimal import Decimal
>>> register = ps.Register(ps.load_commune())           # in memory
>>> family = ps.Family("F1", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
>>> session = register.open_session(family, now=datetime(2024, 8, 26, 10), balance=Decimal(0),
...                                 dossier_complete=True)
>>> session.toggle_weekday("paolo", "MERCREDI", date(2024, 9, 11))
(datetime.date(2024, 9, 11), datetime.date(2024, 9, 18), datetime.date(2024, 9, 25))
>>> len(session.confirm(datetime(2024, 8, 26, 10, 5)).accepted)
3
>>> register.places_left("MERCREDI", date(2024, 9, 11))
47
>>> [m.kind.value for m in register.untransmitted()["F1"]]   # « Non Transmise » (p. 12)
['accepted', 'accepted', 'accepted']
>>> len(register.transmit(datetime(2024, 8, 27, 2))["F1"]), register.transmit(datetime(2024, 8, 28, 2))
(3, {})
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from periscolaire.arguments import identifier
from periscolaire.booking import (
    HELD_ACCEPTED,
    HELD_FAMILY,
    STATUS,
    Applicant,
    BookingRules,
    BookingSession,
    Decision,
    Held,
    Key,
    Movement,
    MovementKind,
    Occupancy,
    Outcome,
    Promotion,
    Request,
    Reservation,
    ReservationStatus,
    SlotCounts,
    WaitingRank,
    decide,
    decide_promotions,
    rank_waiting,
)
from periscolaire.commune import Commune
from periscolaire.errors import BookingAccessDenied, BookingError, InvalidArgument, require_bool
from periscolaire.family import Family
from periscolaire.money import money
from periscolaire.store import BookingUnit, JournalEntry, Store
from periscolaire.validators import whole_number

__all__ = ["Register"]


class _Nothing:
    """The state an empty confirmation reads: nothing (it reads nothing)."""

    def held(self, key: Key) -> None:
        return None

    def counts(self, code: str) -> SlotCounts:
        return SlotCounts({}, {}, {})

    def queue(self, code: str, day: date, n: int) -> list[tuple[Key, str]]:
        return []


_NOTHING = _Nothing()
_KINDS = (MovementKind.CANCELLED, MovementKind.ACCEPTED, MovementKind.WAITLISTED, MovementKind.REFUSED)


#: The most places a day may have (an agent's typo, not a leisure centre).
MAX_PLACES = 100_000


def _check_places(places: Any) -> None:
    whole_number(places, "places", 0, MAX_PLACES, optional=True, code="bad_places")


def _check_instant(now: Any, name: str = "now") -> None:
    if not isinstance(now, datetime):
        raise InvalidArgument(f"{name} : une date et heure (datetime) est attendue, reçu {now!r}.")


def _check_day(day: Any) -> None:
    if type(day) is not date:
        raise InvalidArgument(f"day : une date (datetime.date) est attendue, reçu {day!r}.")


def _check_changes(changes: Any) -> None:
    """A mapping (each change is checked by the decision, where it is read)."""
    if not isinstance(changes, Mapping):
        raise InvalidArgument(
            f"changes : un dictionnaire (enfant, activité, jour) -> bool est attendu, reçu {changes!r}."
        )


class Register:
    """Every reservation of a commune, the places taken and the waiting lists.

    ``store`` holds the state (default: a new in-memory store). A host
    serves families through sessions (:meth:`open_session`), runs
    :meth:`transmit` every night and sends the promotion e-mails of
    :meth:`pending_promotions`. Every operation is all-or-nothing.

    ``families`` (a mapping or a function of a family id) gives the family
    accounts whose ``resident``, ``priority`` and children order the
    waiting lists of activities with ``waiting_list_priorities``; a family
    it does not know is the last one this register opened a session or
    confirmed for, else a resident without priority nor known siblings.
    Give it on every worker so that all of them rank alike.
    """

    def __init__(
        self,
        commune: Commune,
        store: Store | None = None,
        *,
        families: Mapping[str, Family] | Callable[[str], Family | None] | None = None,
    ) -> None:
        if store is None:
            from periscolaire.store.memory import MemoryStore

            store = MemoryStore()
        if not isinstance(commune, Commune):
            raise InvalidArgument(
                f"commune : une ps.Commune est attendue (ps.load_commune()), reçu {commune!r}."
            )
        if not callable(getattr(store, "bookings", None)):
            raise InvalidArgument(f"store : un stockage de ps.open_store(url) est attendu, reçu {store!r}.")
        self.commune = commune
        self.calendar = commune.calendar
        self.rules = BookingRules(commune)
        self.store = store
        self._bookings = store.bookings(commune.store_key)
        if families is not None and not (isinstance(families, Mapping) or callable(families)):
            raise InvalidArgument(
                f"families : un dictionnaire ou une fonction id -> ps.Family est attendu, reçu {families!r}."
            )
        self._directory = families
        #: Families seen by this register's sessions and confirmations.
        self._seen: dict[str, Family] = {}

    def family(self, family_id: str) -> Family | None:
        """The family account with this id, as the waiting lists' priorities
        read it: the host's ``families``, else the last one seen here."""
        directory = self._directory
        found: Family | None = None
        if isinstance(directory, Mapping):
            found = directory.get(family_id)
        elif directory is not None:
            found = directory(family_id)
        if found is not None and not isinstance(found, Family):
            raise InvalidArgument(
                f"families : une ps.Family est attendue pour {family_id!r}, reçu {found!r}."
            )
        return found if found is not None else self._seen.get(family_id)

    @classmethod
    def from_reservations(
        cls, commune: Commune, reservations: Iterable[Reservation], *, store: Store | None = None
    ) -> Register:
        """A register whose store is filled with reservations kept elsewhere
        (any order; see :meth:`load`)."""
        register = cls(commune, store)
        register.load(reservations)
        return register

    def load(self, reservations: Iterable[Reservation]) -> None:
        """Fill an empty commune of the store with reservations kept elsewhere
        (a host's own table, a migration). Waiting lists are rebuilt in
        ``sequence`` order. Data that breaks an invariant (an unknown
        activity, a key twice, more accepted than places) is refused and
        nothing is stored."""
        if isinstance(reservations, str | bytes | Mapping) or not isinstance(reservations, Iterable):
            raise InvalidArgument(
                f"reservations : une liste de ps.Reservation est attendue, reçu {reservations!r}."
            )
        rows = list(reservations)
        for row in rows:
            if not isinstance(row, Reservation):
                raise InvalidArgument(f"reservations : des ps.Reservation sont attendues, reçu {row!r}.")
            self.rules.check(row.activity)
            if not self.calendar.runs_on(row.activity, row.day):
                raise BookingError(
                    f"Réservation d'un jour sans activité : {row.activity} le {row.day:%d/%m/%Y} ({row.child}).",
                    code="not_running",
                )
        rows.sort(key=lambda r: r.sequence)
        seen: set[Key] = set()
        sequences: set[int] = set()
        accepted: dict[tuple[str, date], int] = {}
        for row in rows:
            key = (row.child, row.activity, row.day)
            if key in seen:
                raise BookingError(f"Réservation en double : {key!r}.", code="duplicate_reservation")
            if row.sequence in sequences:
                # The waiting lists' order would be a guess.
                raise BookingError(
                    f"Deux réservations ont la séquence {row.sequence} : l'ordre des listes d'attente "
                    "en dépend, chaque réservation a la sienne.",
                    code="duplicate_sequence",
                )
            seen.add(key)
            sequences.add(row.sequence)
            if row.status == ReservationStatus.ACCEPTED:
                accepted[(row.activity, row.day)] = accepted.get((row.activity, row.day), 0) + 1
        for (code, day), taken in accepted.items():
            capacity = self.capacity(code, day)  # an agent's override included
            if capacity is not None and taken > capacity:
                raise BookingError(
                    f"{taken} réservations acceptées pour {capacity} places : {code} {day}.",
                    code="overbooked",
                )
        self._bookings.load(rows)

    # -- places ----------------------------------------------------------------

    def capacity(self, code: str, day: date) -> int | None:
        """Places for the activity that day (``None``: unlimited)."""
        self.rules.check(code)
        _check_day(day)
        return self.rules.capacity_on(code, day, self._bookings.slot(code, day).override)

    def set_capacity(
        self, code: str, day: date, places: int | None, *, now: datetime | None = None
    ) -> tuple[Promotion, ...]:
        """Change the places of one day (an agent's decision; ``None`` goes
        back to the configuration's). Reducing them cancels nobody. Places
        added go to the head of the waiting list: at once when ``now`` is
        given (the promotions made are returned, and wait in the outbox),
        else at the next confirmation of that day or :meth:`promote`."""
        self.rules.check(code)
        _check_day(day)
        _check_places(places)
        if now is not None:
            _check_instant(now)
        rules = self.rules
        families = self.family

        def work(unit: BookingUnit) -> Decision | None:
            unit.set_override(code, day, places)
            if now is None:
                return None
            decision = decide_promotions(rules, code, day, now, unit, families)
            if decision:
                unit.apply(decision)
            return decision

        decision = self._bookings.run(work, slots=((code, day),))
        return () if decision is None else decision.promotions()

    def places_left(self, code: str, day: date) -> int | None:
        """Places still free that day (``None``: unlimited). Shown to families,
        knowing it may change before they confirm (guide p. 11)."""
        self.rules.check(code)
        _check_day(day)
        slot = self._bookings.slot(code, day)
        capacity = self.rules.capacity_on(code, day, slot.override)
        return None if capacity is None else max(0, capacity - slot.taken)

    def taken(self, code: str, day: date) -> int:
        """Accepted reservations that day."""
        self.rules.check(code)
        _check_day(day)
        return self._bookings.slot(code, day).taken

    def waiting_list(self, code: str, day: date) -> tuple[Request, ...]:
        """The day's waiting list in the order it is served: first come
        first, or the activity's ``waiting_list_priorities`` (the highest
        tier first, first come first served within a tier)."""
        return tuple(Request(*key) for key, _, _ in self._ranked(code, day))

    def waiting_rank(self, child_id: str, code: str, day: date) -> WaitingRank | None:
        """The reservation's place on the day's waiting list (1: the next
        place freed is its) and the criterion behind it — ``(3,
        "resident")``, whose ``.text`` reads « 3e sur la liste d'attente
        (famille de la commune) »; None when it does not wait."""
        identifier(child_id, "child_id")
        self.rules.check(code)
        _check_day(day)
        key = (child_id, code, day)
        held = self._bookings.held(key)
        if held is None or held[HELD_ACCEPTED]:
            return None
        for rank, (waiting, _, criterion) in enumerate(self._ranked(code, day), 1):
            if waiting == key:
                return WaitingRank(rank, criterion)
        return None

    def _ranked(self, code: str, day: date) -> list[tuple[Key, str, str | None]]:
        self.rules.check(code)
        _check_day(day)
        bookings = self._bookings
        keys = bookings.waiting_list(code, day)
        criteria = self.rules.priorities[code]
        if not criteria:
            return [(key, "", None) for key in keys]
        queue = [(key, held[HELD_FAMILY]) for key in keys if (held := bookings.held(key)) is not None]

        def accepted(key: Key) -> bool:
            held = bookings.held(key)
            return held is not None and held[HELD_ACCEPTED]

        return rank_waiting(criteria, queue, self.family, accepted)

    def occupancy(self, code: str, first: date, last: date) -> Occupancy:
        """Accepted reservations and agents' overrides per day of ``first..last``."""
        self.rules.check(code)
        _check_day(first)
        _check_day(last)
        return self._bookings.occupancy(code, first, last)

    # -- reading -----------------------------------------------------------------

    def status(self, child_id: str, code: str, day: date) -> ReservationStatus | None:
        """The reservation's status, or ``None`` when the day is not booked."""
        identifier(child_id, "child_id")
        identifier(code, "code")
        _check_day(day)
        held = self._bookings.held((child_id, code, day))
        return None if held is None else STATUS[held[HELD_ACCEPTED]]

    def owner(self, child_id: str, code: str, day: date) -> str | None:
        """The family account that holds the reservation."""
        identifier(child_id, "child_id")
        identifier(code, "code")
        _check_day(day)
        held = self._bookings.held((child_id, code, day))
        return None if held is None else held[HELD_FAMILY]

    def reservations(self, family: str | None = None) -> Iterator[Reservation]:
        """Every reservation (of one family account), in sequence order."""
        if family is not None:
            identifier(family, "family")
        return self._bookings.reservations(family)

    def children_reservations(self, children: Sequence[str]) -> Mapping[Key, Held]:
        """The reservations of these children, whichever account made them
        (what a session shows on the children's calendars)."""
        if isinstance(children, str) or not all(isinstance(c, str) for c in children):
            raise InvalidArgument(
                f"children : une liste d'identifiants d'enfants est attendue, reçu {children!r}."
            )
        return self._bookings.children_reservations(children)

    def __len__(self) -> int:
        return self._bookings.count()

    # -- sessions ------------------------------------------------------------------

    def open_session(
        self,
        family: Family,
        *,
        now: datetime,
        balance: Decimal,
        dossier_complete: bool,
        pending: Mapping[str, Any] | None = None,
    ) -> BookingSession:
        """Open the booking screen for a family account.

        Refused (:class:`~periscolaire.BookingAccessDenied`) when the account is
        in debt (« si votre Compte Famille est débiteur », p. 10: code
        ``debtor``) or the dossier does not grant access (p. 4: code
        ``dossier_incomplete``). ``pending`` reopens a session with the
        changes saved by :meth:`BookingSession.to_dict` (on this worker or
        another one).
        """
        if not isinstance(family, Family):
            raise InvalidArgument(f"family : une ps.Family est attendue, reçu {family!r}.")
        balance = money(balance, "balance")
        _check_instant(now)
        require_bool(dossier_complete, "dossier_complete")
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
        self._seen[family.id] = family
        session = BookingSession(self, family, now)
        if pending is not None:
            session.restore(pending)
        return session

    def confirm(self, family: Family, changes: Mapping[Key, bool], now: datetime) -> Outcome:
        """Confirm a family's changes — ``(child, activity, day)`` → True to
        book, False to cancel, in the order selected — at ``now``, in one unit
        of work: every change checked again, then applied together
        (:func:`periscolaire.booking.decide`)."""
        return self.apply(family, changes, now).outcome()

    @property
    def live_reads(self) -> bool:
        """Whether reads give the live state (the in-memory store) rather
        than a snapshot of a database."""
        return self._bookings.live_reads

    def apply(self, family: Family, changes: Mapping[Key, bool], now: datetime) -> Decision:
        """:meth:`confirm`, returning the whole decision applied (its
        outcome, and what became of every reservation it read or wrote):
        what :meth:`BookingSession.confirm` calls."""
        _check_instant(now)
        _check_changes(changes)
        rules = self.rules
        if not changes:
            return Decision(rules, _NOTHING, family.id, now)
        applicant = Applicant.of(family)
        changes = dict(changes)
        self._seen[family.id] = family
        families = self.family

        def work(unit: BookingUnit) -> Decision:
            decision = decide(rules, applicant, changes, now, unit, families)
            if decision:
                unit.apply(decision)
            return decision

        return self._bookings.run(work, keys=tuple(changes))

    def promote(self, code: str, day: date, now: datetime) -> tuple[Promotion, ...]:
        """Fill free places of a day from its waiting list (after
        :meth:`set_capacity` raised them); returns the promotions made."""
        self.rules.check(code)
        _check_day(day)
        _check_instant(now)
        rules = self.rules
        families = self.family

        def work(unit: BookingUnit) -> Decision:
            decision = decide_promotions(rules, code, day, now, unit, families)
            if decision:
                unit.apply(decision)
            return decision

        return self._bookings.run(work, slots=((code, day),)).promotions()

    # -- the nightly run -----------------------------------------------------------

    def untransmitted(self, family: str | None = None) -> Mapping[str, tuple[Movement, ...]]:
        """Movements confirmed since the last nightly run, per family account
        (of one account): the « Non Transmise » bookings and cancellations
        (guide p. 12), as :meth:`transmit` will report them."""
        return _movements(self._bookings.untransmitted(family))

    def transmit(self, now: datetime) -> Mapping[str, tuple[Movement, ...]]:
        """The nightly run: each family's movements since the last run, one
        confirmation after the other (in each: cancellations, acceptances,
        waiting list, refusals); every reservation becomes « transmise ».
        Each movement belongs to exactly one run, in whichever process.

        A run is known by its instant (in commune-local time, however it is
        written): ``transmit`` again with the same ``now`` returns that run's
        movements again, and nothing newer — a batch that crashed before its
        e-mails went out runs again with the same ``now`` and loses nothing
        (docs/stores.md)."""
        _check_instant(now)
        # One instant, however it is written: 02:00 in Paris, 00:00 UTC and a
        # naive 02:00 (commune-local) are the same run.
        return _movements(self._bookings.transmit(self.calendar.local(now)))

    def pending_promotions(self) -> tuple[Promotion, ...]:
        """The outbox: promotions whose « réservation acceptée » e-mail is not
        marked sent, oldest first. Send each, then :meth:`mark_sent` it: a
        batch that crashes resumes where it stopped (docs/embedding.md)."""
        return tuple(self._bookings.pending_promotions())

    def mark_sent(self, promotions: Iterable[Promotion], now: datetime | None = None) -> None:
        """Mark promotions' e-mails sent: they leave the outbox."""
        if now is not None:
            _check_instant(now)
        promotions = list(promotions)
        for promotion in promotions:
            if not isinstance(promotion, Promotion):
                raise InvalidArgument(f"promotions : des ps.Promotion sont attendues, reçu {promotion!r}.")
        self._bookings.mark_sent([p.id for p in promotions], now)

    def take_promotions(self, now: datetime | None = None) -> tuple[Promotion, ...]:
        """The outbox emptied at once, in one transaction: promotions not yet
        taken, each returned to one caller only, whatever the number of
        processes asking. (A crash before the e-mails are sent loses them:
        prefer :meth:`pending_promotions` and :meth:`mark_sent`.)"""
        if now is not None:
            _check_instant(now)
        return tuple(self._bookings.take_promotions(now))

    def __repr__(self) -> str:
        return f"Register(commune={self.commune.name!r}, store={self.store.url!r})"


def _movements(entries: Iterable[JournalEntry]) -> dict[str, tuple[Movement, ...]]:
    out: dict[str, list[Movement]] = {}
    for entry in entries:
        movements = out.setdefault(entry.family, [])
        for kind, keys in zip(_KINDS, entry[2:], strict=True):
            movements += [Movement(kind, key[1], key[0], key[2]) for key in keys]
    return {family: tuple(items) for family, items in out.items()}
