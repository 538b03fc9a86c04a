"""Bookings: the family's selection, the two-step confirmation, places and
waiting lists, copying, and the nightly transmission — the rules, written once.

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

This module holds the rules only: a family's :class:`BookingSession` (the
selection), and :func:`decide`, the confirmation decision. Neither reads or
writes state by itself: a :class:`~periscolaire.Register` runs :func:`decide`
inside a unit of work of its store (in memory or in a database), which locks
the touched (activity, day) slots, lets the decision read them, and writes
what it decided — the same decision, whatever the store.

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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final, NamedTuple, NoReturn, Protocol

import attrs

from periscolaire.arguments import day as check_day
from periscolaire.arguments import identifier, year_month
from periscolaire.calendar import (
    BookingPeriod,
    BookingWindow,
    DayState,
    SchoolCalendar,
    day_state,
    days_between,
    days_in_month,
)
from periscolaire.commune import WAITING_CRITERIA
from periscolaire.errors import (
    BookingError,
    InvalidArgument,
    InvalidData,
    NotBookable,
    UnknownActivity,
    UnknownChild,
)
from periscolaire.family import Family
from periscolaire.jsonsafe import boolean, integer, iso_date, iso_datetime, items, mapping, member, text
from periscolaire.validators import flag, whole

if TYPE_CHECKING:
    from periscolaire.commune import Commune

#: How the rules find a family account by its id (the waiting lists'
#: criteria read its ``resident``, ``priority`` and children): None when the
#: host does not know it.
FamilyLookup = Callable[[str], Family | None]

__all__ = [
    "Applicant",
    "BookingRules",
    "BookingSession",
    "ConfirmationState",
    "DayCell",
    "Decision",
    "Held",
    "Key",
    "Movement",
    "MovementKind",
    "Occupancy",
    "Outcome",
    "Promotion",
    "Recap",
    "Rejection",
    "Request",
    "Reservation",
    "ReservationLike",
    "ReservationStatus",
    "SessionBackend",
    "SlotCounts",
    "SlotState",
    "Standing",
    "WaitingRank",
    "decide",
    "decide_promotions",
    "waiting_order",
]

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
        return "acceptée" if self == ReservationStatus.ACCEPTED else "en liste d'attente"


class MovementKind(enum.StrEnum):
    """What happened to a request at confirmation (the report's sections)."""

    WAITLISTED = "waitlisted"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    CANCELLED = "cancelled"


def _enum(cls: type[enum.StrEnum], value: Any, path: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in cls)
        raise InvalidData(path, f"une valeur parmi {allowed} est attendue, reçu {value!r}") from None


class Request(NamedTuple):
    """One day of one activity for one child (a line of the recap)."""

    child: str
    activity: str
    day: date

    def to_dict(self) -> dict[str, str]:
        """JSON-safe form: ``{"child", "activity", "day"}`` (ISO date)."""
        return {"child": self.child, "activity": self.activity, "day": self.day.isoformat()}

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> Request:
        data = mapping(data, path)
        return cls(
            text(member(data, "child", path), _at(path, "child")),
            text(member(data, "activity", path), _at(path, "activity")),
            iso_date(member(data, "day", path), _at(path, "day")),
        )


class Movement(NamedTuple):
    """A change to a family's requests, for the nightly report."""

    kind: MovementKind
    activity: str
    child: str
    day: date

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": MovementKind(self.kind).value,
            "activity": self.activity,
            "child": self.child,
            "day": self.day.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> Movement:
        data = mapping(data, path)
        return cls(
            _enum(MovementKind, member(data, "kind", path), _at(path, "kind")),
            text(member(data, "activity", path), _at(path, "activity")),
            text(member(data, "child", path), _at(path, "child")),
            iso_date(member(data, "day", path), _at(path, "day")),
        )


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


@attrs.frozen
class Rejection:
    """A request that was not applied, with the rule that refused it."""

    request: Request
    code: str

    @property
    def message(self) -> str:
        """French text for the family."""
        return MESSAGES.get(self.code, self.code)

    def to_dict(self) -> dict[str, str]:
        return {**self.request.to_dict(), "code": self.code, "message": self.message}

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> Rejection:
        data = mapping(data, path)
        return cls(Request.from_dict(data, path), text(member(data, "code", path), _at(path, "code")))


@attrs.frozen
class Recap:
    """The recap shown before confirmation: bookings, then cancellations."""

    bookings: tuple[Request, ...]
    cancellations: tuple[Request, ...]

    def __bool__(self) -> bool:
        return bool(self.bookings or self.cancellations)


def _requests_from(data: Mapping[str, Any], key: str, path: str) -> tuple[Request, ...]:
    values = items(data.get(key, []), _at(path, key))
    return tuple(Request.from_dict(v, _at(_at(path, key), i)) for i, v in enumerate(values))


@attrs.frozen
class Outcome:
    """What a confirmation did: each request accepted, waitlisted, refused or cancelled."""

    accepted: tuple[Request, ...] = ()
    waitlisted: tuple[Request, ...] = ()
    refused: tuple[Rejection, ...] = ()
    cancelled: tuple[Request, ...] = ()

    def to_dict(self) -> dict[str, list[dict[str, str]]]:
        """JSON-safe form, e.g. for a portal's response."""
        return {
            "accepted": [r.to_dict() for r in self.accepted],
            "waitlisted": [r.to_dict() for r in self.waitlisted],
            "refused": [r.to_dict() for r in self.refused],
            "cancelled": [r.to_dict() for r in self.cancelled],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Outcome:
        data = mapping(data)
        refused = items(data.get("refused", []), "refused")
        return cls(
            _requests_from(data, "accepted", ""),
            _requests_from(data, "waitlisted", ""),
            tuple(Rejection.from_dict(v, f"refused[{i}]") for i, v in enumerate(refused)),
            _requests_from(data, "cancelled", ""),
        )


@attrs.frozen
class Promotion:
    """A waiting-list reservation accepted because a place was freed
    (« lorsque des réservations en liste d'attente seront acceptées », p. 12).

    ``id`` is given by the store, unique within the commune: an outbox key a
    mailer can use as the e-mail's idempotency key (it plays no part in
    equality).
    """

    request: Request
    family: str
    at: datetime
    id: int = attrs.field(default=0, eq=False, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        return {**self.request.to_dict(), "family": self.family, "at": self.at.isoformat(), "id": self.id}

    @classmethod
    def from_dict(cls, data: Any) -> Promotion:
        data = mapping(data)
        return cls(
            Request.from_dict(data),
            text(member(data, "family"), "family"),
            iso_datetime(member(data, "at"), "at"),
            id=integer(data.get("id", 0), "id"),
        )


def _a_day(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not date:
        raise InvalidData(attribute.name, f"une date (datetime.date) est attendue, reçu {value!r}")


def _a_status(value: Any) -> ReservationStatus:
    status: ReservationStatus = _enum(ReservationStatus, value, "status")
    return status


class ReservationLike(Protocol):
    """What debiting and exporting need of a reservation (:class:`Reservation` fits)."""

    @property
    def child(self) -> str: ...

    @property
    def activity(self) -> str: ...

    @property
    def day(self) -> date: ...

    @property
    def status(self) -> str: ...


@attrs.frozen
class Reservation:
    """A reservation as a store keeps it (one row per child, activity, day).

    ``sequence`` orders confirmations (the waiting list is first come, first
    served); ``transmitted`` is False until the nightly run.
    """

    child: str = attrs.field(validator=lambda _, a, v: identifier(v, a.name))
    activity: str = attrs.field(validator=lambda _, a, v: identifier(v, a.name))
    day: date = attrs.field(validator=_a_day)
    family: str = attrs.field(validator=lambda _, a, v: identifier(v, a.name))
    status: ReservationStatus = attrs.field(converter=_a_status)
    sequence: int = attrs.field(default=0, validator=whole(0, error=InvalidData))
    transmitted: bool = attrs.field(default=False, validator=flag(error=InvalidData))

    def to_dict(self) -> dict[str, Any]:
        return {
            "child": self.child,
            "activity": self.activity,
            "day": self.day.isoformat(),
            "family": self.family,
            "status": self.status.value,
            "sequence": self.sequence,
            "transmitted": self.transmitted,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Reservation:
        data = mapping(data)
        return cls(
            text(member(data, "child"), "child"),
            text(member(data, "activity"), "activity"),
            iso_date(member(data, "day"), "day"),
            text(member(data, "family"), "family"),
            _enum(ReservationStatus, member(data, "status"), "status"),
            integer(data.get("sequence", 0), "sequence"),
            boolean(data.get("transmitted", False), "transmitted"),
        )


class DayCell(NamedTuple):
    """One day of the portal's calendar for a child and an activity."""

    day: date
    state: DayState
    booked: bool
    pending: bool
    waitlisted: bool
    places_left: int | None
    #: For a day on the waiting list: its rank and the criterion behind it.
    waiting_rank: WaitingRank | None = None


# --------------------------------------------------------------------------
# Waiting-list priorities
# --------------------------------------------------------------------------


class Standing(NamedTuple):
    """What a waiting list's policy reads of a waiting request: the family
    lives in the commune, its agent-set priority, and whether a brother or
    sister of the child already has that activity accepted that day."""

    resident: bool
    priority: int
    sibling: bool

    def meets(self, criterion: str) -> bool:
        """Whether this request has the advantage the criterion gives."""
        if criterion == "priority":
            return self.priority > 0
        return bool(self.resident if criterion == "resident" else self.sibling)


def _tier(criteria: Sequence[str], standing: Standing) -> tuple[int, ...]:
    """The request's tier under the policy: lower is served first."""
    return tuple(-standing.priority if c == "priority" else (0 if standing.meets(c) else 1) for c in criteria)


def waiting_order(criteria: Sequence[str], standings: Sequence[Standing]) -> list[int]:
    """The order in which a waiting list is served: ``standings`` are the
    waiting requests in sequence order (first confirmed first); returns
    their indices, the highest tier first (``criteria`` in order: a higher
    priority, living in the commune, a sibling already accepted), first come
    first served within a tier. No criteria: first come, first served.

    >>> waiting_order(["resident"], [Standing(False, 0, False), Standing(True, 0, False)])
    [1, 0]
    >>> waiting_order([], [Standing(False, 0, False), Standing(True, 0, False)])
    [0, 1]
    """
    if not criteria:
        return list(range(len(standings)))
    return sorted(range(len(standings)), key=lambda i: (_tier(criteria, standings[i]), i))


def criterion_of(criteria: Sequence[str], standing: Standing) -> str | None:
    """The criterion behind a request's rank: the first of the policy it
    meets (None: it waits in the order of arrival)."""
    for criterion in criteria:
        if standing.meets(criterion):
            return criterion
    return None


class WaitingRank(NamedTuple):
    """A waiting request's place on its list (1: served first) and the
    criterion behind it (None: the order of arrival)."""

    rank: int
    criterion: str | None

    @property
    def text(self) -> str:
        """« 3e sur la liste d'attente (famille de la commune) »."""
        ordinal = "1er" if self.rank == 1 else f"{self.rank}e"
        why = f" ({WAITING_CRITERIA[self.criterion]})" if self.criterion else ""
        return f"{ordinal} sur la liste d'attente{why}"

    def __str__(self) -> str:
        return self.text


def standing_of(family: Family | None, key: Key, accepted: Callable[[Key], bool]) -> Standing:
    """A waiting request's standing: its family's ``resident`` and
    ``priority`` (an unknown family: a resident without priority), and
    whether another child of the family has the same activity that day
    ``accepted``."""
    if family is None:
        return Standing(True, 0, False)
    child, code, day = key
    sibling = any(c.id != child and accepted((c.id, code, day)) for c in family.children)
    return Standing(family.resident, family.priority, sibling)


def rank_waiting(
    criteria: Sequence[str],
    queue: Sequence[tuple[Key, str]],
    families: FamilyLookup | None,
    accepted: Callable[[Key], bool],
) -> list[tuple[Key, str, str | None]]:
    """A slot's waiting list (``(key, family)`` in sequence order) in the
    order it is served, each with the criterion behind its rank."""
    if not criteria:
        return [(key, owner, None) for key, owner in queue]
    standings = [
        standing_of(families(owner) if families is not None else None, key, accepted) for key, owner in queue
    ]
    return [
        (queue[i][0], queue[i][1], criterion_of(criteria, standings[i]))
        for i in waiting_order(criteria, standings)
    ]


# --------------------------------------------------------------------------
# What the rules read of the state
# --------------------------------------------------------------------------

#: A reservation's key: (child, activity, day).
Key = tuple[str, str, date]

#: A reservation as stores hand it to the rules: (family, accepted, sequence,
#: transmitted). A plain tuple of atoms, replaced and never mutated: the
#: garbage collector stops tracking such tuples, which keeps an in-memory
#: register of a million reservations cheap to hold (the opening-rush figure
#: of benchmarks/bench_booking.py).
Held = tuple[str, bool, int, bool]
HELD_FAMILY: Final = 0
HELD_ACCEPTED: Final = 1
HELD_SEQUENCE: Final = 2
HELD_TRANSMITTED: Final = 3
STATUS = {True: ReservationStatus.ACCEPTED, False: ReservationStatus.WAITLISTED}

_BOOK = True
_CANCEL = False
_UNKNOWN: Any = frozenset({"unknown child"})
_new_tuple = tuple.__new__


class SlotState(NamedTuple):
    """An (activity, day) slot as a store reads it, under its lock."""

    #: Places an agent set for that day (:meth:`Register.set_capacity`);
    #: ``None``: the configuration's.
    override: int | None
    #: Accepted reservations.
    taken: int
    #: Reservations on the waiting list.
    waiting: int


class Occupancy(NamedTuple):
    """Places of an activity over some days, for a calendar: accepted
    reservations and agents' capacity overrides per day (days absent: 0 and
    none)."""

    taken: Mapping[date, int]
    overrides: Mapping[date, int]


class SlotCounts(NamedTuple):
    """One activity's slots as a unit of work reads them (days absent: 0,
    and no override): accepted and waiting reservations per day, and the
    places agents set for some days."""

    taken: Mapping[date, int]
    waiting: Mapping[date, int]
    overrides: Mapping[date, int]


class ConfirmationState(Protocol):
    """What :func:`decide` reads: the state of the slots it was given,
    locked by the caller's unit of work for as long as the decision runs."""

    def held(self, key: Key) -> Held | None:
        """The reservation of ``key``, or None."""

    def counts(self, code: str) -> SlotCounts:
        """The activity's counts, for (at least) the locked days."""

    def queue(self, code: str, day: date, n: int) -> Sequence[tuple[Key, str]]:
        """The first ``n`` of the slot's waiting list, in sequence order,
        with the family account of each."""


class BookingRules:
    """What the booking rules need of a commune, computed once per register:
    each activity's booking windows, places, waiting list, and the day lists
    of selections (the same weeks and months are asked for by every family)."""

    def __init__(self, commune: Commune) -> None:
        self.commune = commune
        self.calendar: SchoolCalendar = commune.calendar
        self.windows: dict[str, dict[date, BookingWindow]] = {
            code: dict(self.calendar.windows(code)) for code in commune.activities
        }
        self.capacity: dict[str, int | None] = {c: a.capacity for c, a in commune.activities.items()}
        #: Per activity, then per day (no (activity, day) tuple is built on the hot path).
        self.configured: dict[str, dict[date, int]] = {
            c: dict(a.capacity_overrides) for c, a in commune.activities.items()
        }
        self.waiting_list: dict[str, bool] = {c: a.waiting_list for c, a in commune.activities.items()}
        #: Per activity, the waiting list's criteria (empty: first come, first served).
        self.priorities: dict[str, tuple[str, ...]] = {
            c: a.waiting_list_priorities for c, a in commune.activities.items()
        }
        self.rank: dict[str, int] = {c: i for i, c in enumerate(commune.activities)}
        self._day_lists: dict[tuple[date, date, int], tuple[date, ...]] = {}

    def check(self, code: str) -> None:
        """:class:`~periscolaire.UnknownActivity` unless the commune offers ``code``."""
        identifier(code, "code")
        if code not in self.windows:
            raise UnknownActivity(code)

    def capacity_on(self, code: str, day: date, override: int | None = None) -> int | None:
        """Places of the activity that day: an agent's override, else the
        configuration's (``None``: unlimited)."""
        if override is not None:
            return override
        configured = self.configured[code]
        return configured.get(day, self.capacity[code]) if configured else self.capacity[code]

    def days(self, first: date, last: date, step: int) -> tuple[date, ...]:
        """Days from ``first`` to ``last`` every ``step`` days (cached)."""
        key = (first, last, step)
        days = self._day_lists.get(key)
        if days is None:
            days = self._day_lists[key] = tuple(days_between(first, last, step))
        return days


class Applicant(NamedTuple):
    """The family account a session works for, as the rules check it."""

    family: str
    #: child id -> the activities it is enrolled in (None: all).
    enrolled: Mapping[str, frozenset[str] | None]
    #: Whether a day is one of this account's custody days (None: every day).
    custody: Callable[[date], bool] | None

    @classmethod
    def of(cls, family: Family) -> Applicant:
        return cls(
            family.id,
            {c.id: c.activities for c in family.children},
            family.custody.covers if family.custody else None,
        )


def book_refusal(
    applicant: Applicant, window: BookingWindow | None, child: str, code: str, day: date, local: datetime
) -> str | None:
    """Why the child cannot book that day at ``local`` (None: it can)."""
    enrolled = applicant.enrolled[child]
    if enrolled is not None and code not in enrolled:
        return "not_enrolled"
    if window is None:
        return "not_running"
    custody = applicant.custody
    if custody is not None and not custody(day):
        return "not_custody_day"
    state = window.state(local)
    return None if state == DayState.BOOKABLE else state.value


def cancel_refusal(
    family: str, held: Held | None, window: BookingWindow | None, local: datetime
) -> str | None:
    """Why this account cannot cancel the reservation ``held`` at ``local``
    (None: it can)."""
    if held is None:
        return "not_booked"
    if held[HELD_FAMILY] != family:
        return "booked_by_other_account"
    if window is None:
        return "not_running"
    return None if window.cancellable(local) else "past_deadline"


# --------------------------------------------------------------------------
# The confirmation decision
# --------------------------------------------------------------------------


class _Counts:
    """One activity's counts as a decision sees them: the stored ones, and
    the new values of the days it changed."""

    __slots__ = ("capacity", "configured", "overrides", "stored", "taken", "waiting", "waits")

    def __init__(self, rules: BookingRules, code: str, stored: SlotCounts) -> None:
        self.stored = stored
        self.capacity = rules.capacity[code]
        self.configured = rules.configured[code]
        self.overrides = stored.overrides
        self.waits = stored.waiting
        #: New counts of the days changed.
        self.taken: dict[date, int] = {}
        self.waiting: dict[date, int] = {}

    def places(self, day: date) -> int | None:
        override = self.overrides.get(day) if self.overrides else None
        if override is not None:
            return override
        return self.configured.get(day, self.capacity) if self.configured else self.capacity

    def taken_on(self, day: date) -> int:
        taken = self.taken.get(day)
        return self.stored.taken.get(day, 0) if taken is None else taken

    def waiting_on(self, day: date) -> int:
        waiting = self.waiting.get(day)
        return self.waits.get(day, 0) if waiting is None else waiting


class Decision:
    """What a unit of work must write: the decision of :func:`decide` (or
    :func:`decide_promotions`), not yet applied.

    ``added`` are new reservations in the order they get their sequence
    (True: accepted); ``cancelled`` the removed ones with what they were;
    ``promoted`` the waiting-list reservations now accepted; :meth:`slots`
    the new counts of every slot whose counts changed.
    """

    __slots__ = (
        "_counts",
        "_skip",
        "_state",
        "accepted",
        "added",
        "cancelled",
        "families",
        "family",
        "now",
        "observed",
        "promoted",
        "refused",
        "refused_keys",
        "rules",
        "waitlisted",
    )

    def __init__(
        self,
        rules: BookingRules,
        state: ConfirmationState,
        family: str,
        now: datetime,
        families: FamilyLookup | None = None,
    ) -> None:
        self.rules = rules
        self.family = family
        #: The host's families, for the waiting lists' criteria.
        self.families = families
        self.now = now
        self._state = state
        self._counts: dict[str, _Counts] = {}
        #: Stored waiting-list entries this decision removed or promoted, per slot.
        self._skip: dict[tuple[str, date], set[Key]] = {}
        self.cancelled: list[tuple[Key, Held]] = []
        self.added: list[tuple[Key, bool]] = []
        self.accepted: list[Key] = []
        self.waitlisted: list[Key] = []
        self.refused: list[Rejection] = []
        self.refused_keys: list[Key] = []  # refused bookings (refused cancellations are not reported)
        self.promoted: list[tuple[Key, str]] = []
        #: Reservations read under the locks and left as they were (a booking
        #: refused ``already_booked``, a cancellation refused): what they are.
        self.observed: dict[Key, Held | None] = {}

    # -- reading --------------------------------------------------------------------

    def slots(self) -> Iterator[tuple[str, date, int, int]]:
        """(activity, day, taken, waiting) for every slot whose counts changed."""
        for code, counts in self._counts.items():
            for day in {**counts.taken, **counts.waiting}:
                yield code, day, counts.taken_on(day), counts.waiting_on(day)

    def new_counts(self) -> Iterator[tuple[str, Mapping[date, int], Mapping[date, int]]]:
        """Per activity: the new accepted and waiting counts of the days changed."""
        for code, counts in self._counts.items():
            yield code, counts.taken, counts.waiting

    def outcome(self) -> Outcome:
        return Outcome(
            _requests(self.accepted),
            _requests(self.waitlisted),
            tuple(self.refused),
            _requests([key for key, _ in self.cancelled]),
        )

    def journal(
        self,
    ) -> tuple[str, tuple[Key, ...], tuple[Key, ...], tuple[Key, ...], tuple[Key, ...]] | None:
        """The confirmation's entry in the journal of movements (None: nothing
        to report): family, then cancelled, accepted, waitlisted, refused keys."""
        if not (self.cancelled or self.accepted or self.waitlisted or self.refused_keys):
            return None
        return (
            self.family,
            tuple([key for key, _ in self.cancelled]),
            tuple(self.accepted),
            tuple(self.waitlisted),
            tuple(self.refused_keys),
        )

    def promotions(self) -> tuple[Promotion, ...]:
        return tuple(Promotion(Request(*key), owner, self.now) for key, owner in self.promoted)

    def final_states(self) -> dict[Key, Held | None]:
        """What every reservation the decision read or wrote is once applied
        (None: no reservation), for a session's view of its children. The
        store gives sequences when it writes: here a new or promoted
        reservation has sequence 0 and is not transmitted."""
        states = dict(self.observed)
        for key, _ in self.cancelled:
            states[key] = None
        for key, owner in self.promoted:
            states[key] = (owner, True, 0, False)
        family = self.family
        for key, accepted in self.added:
            states[key] = (family, accepted, 0, False)
        return states

    def __bool__(self) -> bool:
        """Whether there is anything to write."""
        return bool(self.cancelled or self.added or self.promoted or self.refused_keys)

    # -- deciding ---------------------------------------------------------------------

    def counts(self, code: str) -> _Counts:
        counts = self._counts.get(code)
        if counts is None:
            counts = self._counts[code] = _Counts(self.rules, code, self._state.counts(code))
        return counts

    def fill(self, code: str, day: date) -> None:
        """Promote the head of the waiting list into every free place,
        before any new request: first come, first served, or the activity's
        priorities (the highest tier first, first come first served within
        it; ranks are read again after each promotion, a sibling accepted
        may lift a request). (A decision only puts requests on a waiting
        list when the day is full, after every cancellation: the heads
        promoted are always stored ones.)"""
        counts = self.counts(code)
        waiting = counts.waiting_on(day)
        places = counts.places(day)
        taken = counts.taken_on(day)
        free = waiting if places is None else min(waiting, places - taken)
        if free <= 0:
            return
        skip = self._skip.setdefault((code, day), set())
        criteria = self.rules.priorities[code]
        if not criteria:  # first come, first served: the heads of the list
            heads = [e for e in self._state.queue(code, day, free + len(skip)) if e[0] not in skip]
        else:  # the whole list: the first served may be anywhere in it
            heads = [e for e in self._state.queue(code, day, waiting + len(skip)) if e[0] not in skip]
        for _ in range(min(free, len(heads))):
            if criteria:  # ranked again after each promotion (a sibling accepted lifts a request)
                first = rank_waiting(criteria, heads, self.families, self.is_accepted)[0][0]
                entry = next(e for e in heads if e[0] == first)
                heads.remove(entry)
            else:
                entry = heads.pop(0)
            skip.add(entry[0])
            self.promoted.append(entry)
            taken += 1
            waiting -= 1
        counts.taken[day] = taken
        counts.waiting[day] = waiting

    def is_accepted(self, key: Key) -> bool:
        """Whether the reservation is accepted as this decision leaves it so far."""
        if any(k == key for k, _ in self.cancelled):
            return False
        if any(k == key for k, _ in self.promoted) or (key, True) in self.added:
            return True
        held = self._state.held(key)
        return held is not None and held[HELD_ACCEPTED]

    def cancel(self, key: Key, held: Held) -> None:
        """Remove a reservation; the caller fills the freed places once every
        cancellation is counted (a waiting-list reservation cancelled in the
        same confirmation must not be promoted first)."""
        _, code, day = key
        counts = self.counts(code)
        self.cancelled.append((key, held))
        if held[HELD_ACCEPTED]:
            counts.taken[day] = counts.taken_on(day) - 1
        else:
            counts.waiting[day] = counts.waiting_on(day) - 1
            self._skip.setdefault((code, day), set()).add(key)


def _is_key(key: Any) -> bool:
    """``(child, activity, day)``: two strings and a date."""
    return (
        type(key) is tuple
        and len(key) == 3
        and type(key[0]) is str
        and type(key[1]) is str
        and type(key[2]) is date
    )


def _requests(keys: Iterable[Key]) -> tuple[Request, ...]:
    return tuple([_new_tuple(Request, key) for key in keys])


def decide(
    rules: BookingRules,
    applicant: Applicant,
    changes: Mapping[Key, bool],
    now: datetime,
    state: ConfirmationState,
    families: FamilyLookup | None = None,
) -> Decision:
    """The confirmation decision: a family's changes (key -> True to book,
    False to cancel, in the order selected) checked again at ``now`` against
    the state of their slots. A change naming a child not of this account or
    an activity the commune does not offer raises
    (:class:`~periscolaire.UnknownChild`, :class:`~periscolaire.UnknownActivity`)
    before anything is decided.

    Cancellations first (they free places, which go to the head of the
    waiting list), then bookings in the order selected: each is accepted if
    the day has a free place and nobody waiting for it, else put on the
    waiting list (where the activity has one), else refused. Nothing is
    written: the caller's unit of work applies the returned
    :class:`Decision`. ``families`` finds the families of waiting requests
    for the activities whose waiting list has priorities.
    """
    local = rules.calendar.clock(now)
    decision = Decision(rules, state, applicant.family, now, families)
    _decide_cancellations(decision, applicant, changes, local)
    _decide_bookings(decision, applicant, changes, local)
    return decision


def _decide_cancellations(
    decision: Decision, applicant: Applicant, changes: Mapping[Key, bool], local: datetime
) -> None:
    windows = decision.rules.windows
    held_of = decision._state.held
    family = applicant.family
    freed: dict[tuple[str, date], None] = {}  # slots with a place freed, in the order freed
    for key, action in changes.items():
        if action is _BOOK:
            continue
        if action is not _CANCEL or not _is_key(key):
            raise InvalidArgument(
                f"changes : (enfant, activité, jour) -> True ou False attendu, reçu {key!r} -> {action!r}."
            )
        if key[0] not in applicant.enrolled:
            raise UnknownChild(key[0])
        days = windows.get(key[1])
        if days is None:
            raise UnknownActivity(key[1])
        held = held_of(key)
        reason = cancel_refusal(family, held, days.get(key[2]), local)
        if reason is None and held is not None:
            decision.cancel(key, held)
            if held[HELD_ACCEPTED]:
                freed[(key[1], key[2])] = None
        else:  # shown on screen; the guide's report has no section for it
            decision.observed[key] = held
            decision.refused.append(Rejection(_new_tuple(Request, key), reason or "not_booked"))
    for code, day in freed:  # every cancellation counted: the freed places go to the waiting lists
        decision.fill(code, day)


def _decide_bookings(  # noqa: PLR0915 - one loop, kept flat for speed
    decision: Decision, applicant: Applicant, changes: Mapping[Key, bool], local: datetime
) -> None:
    # The hot path of the opening rush (benchmarks/bench_booking.py): the
    # counts of the current activity are held in locals, and each day costs
    # a few dictionary look-ups.
    rules = decision.rules
    windows = rules.windows
    held_of = decision._state.held
    refused = decision.refused
    enrolled_in = applicant.enrolled
    custody = applicant.custody
    added = decision.added
    accepted = decision.accepted
    last_code = None
    table: Mapping[date, BookingWindow] = {}
    has_waiting_list = False
    counts: _Counts | None = None
    stored_taken: Mapping[date, int] = {}
    new_taken: dict[date, int] = {}
    waits: Mapping[date, int] = {}
    new_waiting: dict[date, int] = {}
    overrides: Mapping[date, int] = {}
    configured: Mapping[date, int] = {}
    capacity: int | None = None
    for key, action in changes.items():
        if action is not _BOOK:
            continue
        try:
            child, code, day = key
        except (TypeError, ValueError):
            raise InvalidArgument(f"changes : (enfant, activité, jour) attendu, reçu {key!r}.") from None
        if code != last_code:  # selections come grouped by activity: look these up once
            last_code = code
            if code not in windows:
                raise UnknownActivity(code)
            table = windows[code]
            has_waiting_list = rules.waiting_list[code]
            counts = decision.counts(code)
            stored_taken, new_taken = counts.stored.taken, counts.taken
            waits, new_waiting = counts.waits, counts.waiting
            overrides, configured, capacity = counts.overrides, counts.configured, counts.capacity
        assert counts is not None
        window = table.get(day)
        enrolled = enrolled_in.get(child, _UNKNOWN)
        if enrolled is _UNKNOWN:
            raise UnknownChild(child)
        if enrolled is not None and code not in enrolled:
            reason = "not_enrolled"
        elif window is None:
            if not _is_key(key):
                raise InvalidArgument(f"changes : (enfant, activité, jour) attendu, reçu {key!r}.")
            reason = "not_running"
        elif custody is not None and not custody(day):
            reason = "not_custody_day"
        elif not window.bookable(local):
            reason = window.state(local).value
        elif (held := held_of(key)) is not None:
            reason = "already_booked"
            decision.observed[key] = held
        else:
            taken = new_taken.get(day)
            if taken is None:
                taken = stored_taken.get(day, 0)
            places = overrides.get(day) if overrides else None  # counts.places(day), inline
            if places is None:
                places = configured.get(day, capacity) if configured else capacity
            room = places is None or taken < places
            if room and (waits or new_waiting) and counts.waiting_on(day):
                decision.fill(code, day)  # a free place goes to the waiting list first
                taken = counts.taken_on(day)
                room = places is None or taken < places
            if room:
                new_taken[day] = taken + 1
                added.append((key, True))
                accepted.append(key)
                continue
            if has_waiting_list:
                new_waiting[day] = counts.waiting_on(day) + 1
                added.append((key, False))
                decision.waitlisted.append(key)
                continue
            reason = "full"
        refused.append(Rejection(_new_tuple(Request, key), reason))
        decision.refused_keys.append(key)


def decide_promotions(
    rules: BookingRules,
    code: str,
    day: date,
    now: datetime,
    state: ConfirmationState,
    families: FamilyLookup | None = None,
) -> Decision:
    """Fill the free places of a slot from its waiting list (after an agent
    raised its places)."""
    decision = Decision(rules, state, "", now, families)
    decision.fill(code, day)
    return decision


# --------------------------------------------------------------------------
# The family's session
# --------------------------------------------------------------------------


class SessionBackend(Protocol):
    """What a session needs of its register (:class:`~periscolaire.Register`)."""

    @property
    def rules(self) -> BookingRules: ...

    def children_reservations(self, children: Sequence[str]) -> Mapping[Key, Held]: ...

    def occupancy(self, code: str, first: date, last: date) -> Occupancy: ...

    def confirm(self, family: Family, changes: Mapping[Key, bool], now: datetime) -> Outcome: ...

    def apply(self, family: Family, changes: Mapping[Key, bool], now: datetime) -> Decision: ...

    def waiting_rank(self, child_id: str, code: str, day: date) -> WaitingRank | None: ...

    @property
    def live_reads(self) -> bool:
        """Whether :meth:`children_reservations` is the live state (in memory)
        rather than a snapshot read from a database."""


class BookingSession:
    """One family's booking screen: pending changes until :meth:`confirm`.

    ``now`` is the session's clock for selections; :meth:`confirm` takes the
    instant of the confirmation and re-checks every change against it. The
    session shows the children's reservations as read when it was opened
    (and after each confirmation); between two requests of a web portal its
    pending changes travel as :meth:`to_dict`.
    """

    def __init__(self, register: SessionBackend, family: Family, now: datetime) -> None:
        self.register = register
        self.family = family
        self.now = now
        rules = register.rules
        self._rules = rules
        self._windows = rules.windows
        self._local = rules.calendar.clock(now)
        self._pending: dict[Key, bool] = {}
        self._children = {c.id: c for c in family.children}
        self._applicant = Applicant.of(family)
        self._held = register.children_reservations(tuple(self._children))

    # -- checks ------------------------------------------------------------------------

    def _known(self, child_id: str, code: str) -> None:
        identifier(child_id, "child_id")
        identifier(code, "code")
        if child_id not in self._children:
            raise UnknownChild(child_id)
        if code not in self._windows:
            raise UnknownActivity(code)

    def _book_check(self, child: str, code: str, day: date) -> str | None:
        return book_refusal(self._applicant, self._windows[code].get(day), child, code, day, self._local)

    def _cancel_check(self, key: Key) -> str | None:
        return cancel_refusal(
            self.family.id, self._held.get(key), self._windows[key[1]].get(key[2]), self._local
        )

    def _raise(self, key: Key, code: str) -> NoReturn:
        child, activity, day = key
        raise NotBookable(
            f"{MESSAGES[code]} ({self._children[child].first_name}, {activity}, {day:%d/%m/%Y})",
            code=code,
        )

    # -- what the calendar shows ------------------------------------------------------------

    def is_booked(self, child_id: str, code: str, day: date) -> bool:
        """As the calendar shows it: booked (or waitlisted), with this
        session's pending changes applied."""
        if child_id not in self._children:
            raise UnknownChild(child_id)
        key = (child_id, code, day)
        pending = self._pending.get(key)
        if pending is not None:
            return pending
        return key in self._held

    def waiting_rank(self, child_id: str, code: str, day: date) -> WaitingRank | None:
        """The child's place on the day's waiting list and the criterion
        behind it (« 3e sur la liste d'attente (famille de la commune) »),
        read now; None when the day is not on a waiting list."""
        self._known(child_id, code)
        check_day(day)
        return self.register.waiting_rank(child_id, code, day)

    def is_pending(self, child_id: str, code: str, day: date) -> bool:
        return (child_id, code, day) in self._pending

    def state(self, child_id: str, code: str, day: date) -> DayState | str:
        """The day's state for this child: a :class:`DayState`, or the code of
        a child-level reason (``not_enrolled``, ``not_custody_day``)."""
        self._known(child_id, code)
        reason = self._book_check(child_id, code, day)
        if reason in ("not_enrolled", "not_custody_day"):
            return reason
        return day_state(self._windows[code].get(day), self._local)

    # -- selection -------------------------------------------------------------------------

    def toggle_day(self, child_id: str, code: str, day: date) -> bool:
        """Select or unselect one day; returns whether it is now shown booked.

        A booked day becomes a pending cancellation, an unbooked one a pending
        booking; toggling again removes the pending change. A day that cannot
        be booked (or cancelled) now raises :class:`~periscolaire.NotBookable`.
        """
        self._known(child_id, code)
        check_day(day)
        key = (child_id, code, day)
        if key in self._pending:
            del self._pending[key]
            return key in self._held
        if key in self._held:
            reason = self._cancel_check(key)
            if reason is not None:
                self._raise(key, reason)
            self._pending[key] = _CANCEL
            return False
        reason = self._book_check(child_id, code, day)
        if reason is not None:
            self._raise(key, reason)
        self._pending[key] = _BOOK
        return True

    def toggle_week(self, child_id: str, code: str, day: date) -> tuple[date, ...]:
        """The Monday-to-Sunday week of ``day`` (the arrow left of the week)."""
        check_day(day)
        monday = date.fromordinal(day.toordinal() - day.weekday())
        return self._toggle(
            child_id, code, self._rules.days(monday, date.fromordinal(monday.toordinal() + 6), 1)
        )

    def toggle_weekday(self, child_id: str, code: str, day: date) -> tuple[date, ...]:
        """Every same weekday as ``day`` in its month (the arrow under the weekday)."""
        check_day(day)
        first = day.replace(day=1 + (day.day - 1) % 7)
        return self._toggle(child_id, code, self._rules.days(first, _month_end(day), 7))

    def toggle_month(self, child_id: str, code: str, day: date) -> tuple[date, ...]:
        """Every day of the month of ``day`` (the icon right of the month)."""
        check_day(day)
        return self._toggle(child_id, code, self._rules.days(day.replace(day=1), _month_end(day), 1))

    def _toggle(self, child_id: str, code: str, days: tuple[date, ...]) -> tuple[date, ...]:
        """The guide's rule for a selection: look at its first bookable day as
        the calendar shows it; if not booked, book every bookable day, if
        booked, cancel them. Returns the days whose state changed."""
        self._known(child_id, code)
        enrolled = self._applicant.enrolled[child_id]
        if enrolled is not None and code not in enrolled:
            return ()
        table = self._windows[code]
        local = self._local
        custody = self._applicant.custody
        bookable = [
            d
            for d in days
            if (w := table.get(d)) is not None and w.bookable(local) and (custody is None or custody(d))
        ]
        if not bookable:
            return ()
        target = not self.is_booked(child_id, code, bookable[0])
        pending = self._pending
        held = self._held
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
        code_rank = self._rules.rank

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
        if isinstance(period, bool) or not isinstance(period, BookingPeriod | int):
            raise InvalidArgument(
                f"period : une période (ps.BookingPeriod ou son numéro) est attendue, reçu {period!r}."
            )
        if (source_child, source_code) == (target_child, target_code):
            raise BookingError(
                "Impossible de recopier des réservations sur le même enfant et la même activité.",
                code="copy_onto_itself",
            )
        calendar = self._rules.calendar
        if isinstance(period, int):
            period = calendar.period(period)
        source_days = [
            d
            for d in calendar.running_days(source_code, period.start, period.end)
            if self.is_booked(source_child, source_code, d)
        ]
        limited = not self._rules.waiting_list[target_code]
        places = self.register.occupancy(target_code, period.start, period.end) if limited else None
        pending_books = Counter((k[1], k[2]) for k, v in self._pending.items() if v is _BOOK)
        rejections = []
        for day in source_days:
            key = (target_child, target_code, day)
            reason = self._book_check(target_child, target_code, day)
            if reason is None and self.is_booked(target_child, target_code, day):
                reason = "already_booked"
            if reason is None and places is not None:
                capacity = self._rules.capacity_on(target_code, day, places.overrides.get(day))
                left = None if capacity is None else capacity - places.taken.get(day, 0)
                if left is not None and left - pending_books[(target_code, day)] <= 0:
                    reason = "full"
            if reason is not None:
                rejections.append(Rejection(Request(*key), reason))
                continue
            if self._pending.get(key) is _CANCEL:
                del self._pending[key]  # it was booked: undoing the cancellation books it again
            else:
                self._pending[key] = _BOOK  # each day is copied once: the pending count stays as read
        return tuple(rejections)

    # -- confirmation --------------------------------------------------------------------

    def confirm(self, now: datetime) -> Outcome:
        """Apply the recap at ``now``: every change is re-checked (a deadline may
        have passed, places may be gone), then applied in one unit of work.
        The selection is emptied; the session's clock moves to ``now``, and
        its view of the children's reservations takes what the confirmation
        read and wrote (other days stay as read when the session opened)."""
        register = self.register
        decision = register.apply(self.family, self._pending, now)
        self._pending = {}
        self.now = now
        self._local = self._rules.calendar.clock(now)
        if not register.live_reads:
            # A snapshot: what the confirmation read and wrote under the locks
            # replaces what the session had read (no second read of the store).
            held = dict(self._held)
            for key, state in decision.final_states().items():
                if state is None:
                    held.pop(key, None)
                else:
                    held[key] = state
            self._held = held
        return decision.outcome()

    # -- crossing requests and workers ------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The session's pending changes as JSON-safe data, in the order
        selected: what a web portal keeps between two requests (in its
        session, a cache or a table) to reopen the session on any worker with
        :meth:`Register.open_session` (``pending=``)."""
        return {
            "family": self.family.id,
            "pending": [
                {
                    "child": k[0],
                    "activity": k[1],
                    "day": k[2].isoformat(),
                    "action": "book" if v else "cancel",
                }
                for k, v in self._pending.items()
            ],
        }

    def restore(self, data: Any) -> None:
        """Take back pending changes saved with :meth:`to_dict` (all or
        nothing). They were checked when selected and are checked again at
        :meth:`confirm`; here each must name a child of this family, an
        activity of the commune and an action, or the data is refused
        (:class:`~periscolaire.InvalidData`) and nothing changes."""
        data = mapping(data)
        family = text(member(data, "family"), "family")
        if family != self.family.id:
            raise InvalidData(
                "family", f"ces changements sont ceux du compte {family!r}", code="other_family"
            )
        restored: dict[Key, bool] = {}
        for i, value in enumerate(items(member(data, "pending"), "pending")):
            path = f"pending[{i}]"
            request = Request.from_dict(value, path)
            if request.child not in self._children:
                raise InvalidData(f"{path}.child", f"enfant inconnu {request.child!r}", code="unknown_child")
            if request.activity not in self._windows:
                raise InvalidData(
                    f"{path}.activity", f"activité inconnue {request.activity!r}", code="unknown_activity"
                )
            action = member(mapping(value, path), "action", path)
            if action not in ("book", "cancel"):
                raise InvalidData(f"{path}.action", f"« book » ou « cancel » est attendu, reçu {action!r}")
            restored[(request.child, request.activity, request.day)] = action == "book"
        self._pending = restored

    # -- the portal's calendar ------------------------------------------------------------

    def month(self, child_id: str, code: str, year: int, month: int) -> tuple[DayCell, ...]:
        """Every day of a month for a child and an activity: state, booked flag
        (pending included), pending flag, waiting-list flag, places left, and
        for a day on the waiting list its rank (« 3e sur la liste d'attente »)."""
        self._known(child_id, code)
        year_month(year, month)
        rules = self._rules
        table = self._windows[code]
        local = self._local
        pending = self._pending
        held_map = self._held
        first = date(year, month, 1)
        last = date(year, month, days_in_month(year, month))
        capacity = rules.capacity[code]
        configured = rules.configured[code]
        occupancy = self.register.occupancy(code, first, last)
        taken = occupancy.taken
        overrides = occupancy.overrides
        enrolled = self._applicant.enrolled[child_id]
        excluded = enrolled is not None and code not in enrolled
        custody = self._applicant.custody
        not_running = DayState.NOT_RUNNING
        cells = []
        for day in rules.days(first, last, 1):
            hidden = excluded or (custody is not None and not custody(day))
            state = not_running if hidden else day_state(table.get(day), local)
            key = (child_id, code, day)
            held = held_map.get(key)
            shown = pending.get(key)
            places = overrides.get(day) if overrides else None
            if places is None:
                places = configured.get(day, capacity) if configured else capacity
            cells.append(
                _new_tuple(  # DayCell(...) without its Python-level __new__: this is a hot loop
                    DayCell,
                    (
                        day,
                        state,
                        (held is not None) if shown is None else shown,
                        shown is not None,
                        held is not None and not held[HELD_ACCEPTED],
                        None if places is None else max(0, places - taken.get(day, 0)),
                        None
                        if held is None or held[HELD_ACCEPTED]
                        else self.register.waiting_rank(child_id, code, day),
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
