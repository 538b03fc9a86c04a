"""School calendar: booking periods, running days, booking windows and deadlines.

The guide (p. 10, « Réservations des activités »):

    Les réservations des activités sont obligatoires et possibles par cycle, de
    vacances à vacances. Elles sont ouvertes à partir du dernier jour d'école
    précédant les vacances jusqu'aux vacances suivantes et
    - au plus tard 3 jours avant la date souhaitée pour l'accueil, la
      restauration et le centre de loisirs du mercredi,
    - au plus tard 14 jours avant le début de toute la période de vacances pour
      le centre de loisirs des vacances scolaires.

A :class:`SchoolCalendar` answers, for an activity code and a day, whether the
activity runs that day, when bookings for it open and when they close (an
exclusive bound: ``opens_at <= now < closes_at``). Everything is computed once,
when the calendar is built, from the commune's configuration and the public and
school holidays of the ``holidays`` package; queries are dictionary look-ups.

Naive datetimes are commune-local wall-clock time; aware datetimes are
converted to the commune's zone. Instants returned are aware, in that zone.

>>> import periscolaire as ps
>>> from datetime import date, datetime
>>> cal = ps.load_commune().calendar
>>> cal.closes_at("RESTAURATION", date(2024, 9, 2))
datetime.datetime(2024, 8, 31, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Paris'))
>>> cal.is_bookable("RESTAURATION", date(2024, 9, 2), datetime(2024, 8, 30, 23, 59))
True
>>> cal.is_bookable("RESTAURATION", date(2024, 9, 2), datetime(2024, 8, 31, 0, 0))
False
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import Any, Literal, NamedTuple, Protocol

import attrs

from periscolaire.arguments import day as check_day
from periscolaire.arguments import identifier, instant, optional_day
from periscolaire.errors import ConfigurationError, InvalidArgument, UnknownActivity
from periscolaire.french import WEEKDAY_FR, WEEKS_FR, hour_text, short_day, word_list
from periscolaire.validators import flag, instance, listed, one_of, whole

__all__ = [
    "FRI",
    "HOLIDAY_ANCHORS",
    "MON",
    "SAT",
    "SUN",
    "THU",
    "TUE",
    "WED",
    "BeforeHolidayStart",
    "BookingPeriod",
    "BookingWindow",
    "Closure",
    "DayOfPreviousMonth",
    "DayState",
    "DaysBefore",
    "DeadlineCase",
    "DeadlineRule",
    "Earliest",
    "Exceptions",
    "HolidayAnchor",
    "HolidayWindow",
    "Latest",
    "NoDeadline",
    "SchoolCalendar",
    "Season",
    "SimpleRule",
    "WeekdayBefore",
    "day_state",
    "days_between",
    "derive_periods",
    "earliest",
    "latest",
    "load_timezone",
]

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ONE_DAY = timedelta(days=1)
MIDNIGHT = time(0)
#: A run of school-holiday days shorter than this is a bridge (« pont de
#: l'Ascension »), not a holiday period of the holiday centre.
MIN_HOLIDAY_LENGTH = 7
ZONES = ("A", "B", "C")


class Season(enum.StrEnum):
    """When an activity runs: in school time or in the school holidays."""

    SCHOOL = "school"
    HOLIDAYS = "holidays"


class DayState(enum.StrEnum):
    """The state of a day for an activity, as the portal's calendar colours it."""

    NOT_RUNNING = "not_running"
    NOT_OPEN_YET = "not_open_yet"
    PAST_DEADLINE = "past_deadline"
    BOOKABLE = "bookable"


def days_in_month(year: int, month: int) -> int:
    """Number of days of a month (without importing :mod:`calendar`)."""
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (following - date(year, month, 1)).days


# --------------------------------------------------------------------------
# Deadline rules
# --------------------------------------------------------------------------
#
# One small object model, as ``dateutil.rrule`` composes recurrences: each rule
# is a frozen value built from keyword arguments; ``closes_at(code, day, ctx)``
# is its only query (the first local instant at which requests for ``day`` are
# refused, naive commune-local: the calendar normalises it at clock changes);
# ``describe()`` (and ``str(rule)``) says it in French. Simple rules count back
# from the day (DaysBefore, WeekdayBefore, DayOfPreviousMonth,
# BeforeHolidayStart) or set no deadline (NoDeadline); Earliest and Latest
# combine rules; Exceptions give other rules to some days.


class _DeadlineContext(Protocol):
    def is_working_day(self, day: date) -> bool: ...

    def is_public_holiday(self, day: date) -> bool: ...

    def holiday_first_day(self, code: str, day: date) -> date | None: ...

    def holiday_start(self, day: date) -> date | None: ...

    def period_number(self, day: date) -> int | None: ...


# Converters of the list fields (the validators then check each member).
def _skip_weekdays(value: Any) -> tuple[int, ...]:
    return listed(value, "skip_weekdays", distinct_sorted=True)


def _rules(value: Any) -> tuple[DeadlineRule, ...]:
    return listed(value, "rules")


def _days(value: Any) -> tuple[date, ...]:
    return listed(value, "days", distinct_sorted=True)


def _periods(value: Any) -> tuple[int, ...]:
    return listed(value, "periods", distinct_sorted=True)


def _cases(value: Any) -> tuple[DeadlineCase, ...]:
    return listed(value, "cases")


def _activities(value: Any) -> tuple[str, ...]:
    return listed(value, "activities")


#: A weekday: 0 (Monday) to 6 (Sunday).
_WEEKDAY = whole(0, 6)
_DATE = instance(date, "une date (datetime.date) est attendue", exact=True)
_OPTIONAL_DATE = instance(date, "une date (datetime.date) ou None est attendue", exact=True, optional=True)


class _Describes:
    """``str(rule)`` is its French description."""

    __slots__ = ()

    def describe(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.describe()


@attrs.frozen
class _Rule(_Describes):
    at: time | None = attrs.field(
        default=None,
        kw_only=True,
        validator=instance(time, "une heure (datetime.time) ou None est attendue", optional=True),
    )

    def closes_at(self, code: str, day: date, ctx: _DeadlineContext) -> datetime:
        """First local instant at which requests for ``day`` are refused."""
        last = self.deadline_day(code, day, ctx)
        if self.at is None:
            return datetime.combine(last + ONE_DAY, MIDNIGHT)
        return datetime.combine(last, self.at)

    def deadline_day(self, code: str, day: date, ctx: _DeadlineContext) -> date:
        raise NotImplementedError

    def leaves(self) -> Iterator[SimpleRule]:
        """The simple rules this rule is made of (itself)."""
        yield self  # type: ignore[misc]


@attrs.frozen
class DaysBefore(_Rule):
    """At the latest ``days`` days before the day (guide p. 10: 3 days).

    With ``at=None`` requests are accepted until midnight at the end of the
    deadline day; with a cut-off time, until that time on the deadline day.

    Which days are not counted is chosen separately:
    ``skip_weekends`` (Saturdays and Sundays), ``skip_public_holidays``,
    ``skip_weekdays`` (chosen weekdays, e.g. ``(WED,)``: Wednesdays are not
    counted). ``working_days=True`` is the usual « jours ouvrés »: weekends and
    public holidays skipped; it is the same rule as ``skip_weekends=True,
    skip_public_holidays=True`` (the two spellings are equal values). The
    deadline day itself is always a counted day.

    >>> from datetime import date, time
    >>> DaysBefore(3).describe()
    'au plus tard 3 jours avant (à minuit)'
    >>> str(DaysBefore(3, skip_weekends=True, at=time(23, 59)))
    'au plus tard 3 jours avant, sans compter les week-ends (avant 23:59)'
    >>> DaysBefore(3, working_days=True) == DaysBefore(3, skip_weekends=True, skip_public_holidays=True)
    True
    >>> DaysBefore(1, skip_weekdays=range(7))
    Traceback (most recent call last):
    ...
    periscolaire.errors.InvalidArgument: skip_weekdays : au moins un jour de la semaine doit rester compté, ...
    """

    days: int = attrs.field(validator=whole(0))
    working_days: bool = attrs.field(default=False, kw_only=True, validator=flag())
    skip_weekends: bool = attrs.field(default=False, kw_only=True, validator=flag())
    skip_public_holidays: bool = attrs.field(default=False, kw_only=True, validator=flag())
    skip_weekdays: tuple[int, ...] = attrs.field(
        default=(),
        kw_only=True,
        converter=_skip_weekdays,
        validator=attrs.validators.deep_iterable(_WEEKDAY),
    )

    def __attrs_post_init__(self) -> None:
        if self.days == 0 and self.at is None:
            raise InvalidArgument(
                "days : le jour même (0 jour avant) demande une heure limite (at) ; sans elle, "
                "les demandes seraient acceptées jusqu'à la fin du jour lui-même."
            )
        # One value per meaning: working_days is both skips.
        weekends = self.skip_weekends or self.working_days
        public = self.skip_public_holidays or self.working_days
        object.__setattr__(self, "skip_weekends", weekends)
        object.__setattr__(self, "skip_public_holidays", public)
        object.__setattr__(self, "working_days", weekends and public)
        weekdays = tuple(d for d in self.skip_weekdays if not (weekends and d >= SAT))
        object.__setattr__(self, "skip_weekdays", weekdays)
        skipped = set(weekdays) | ({SAT, SUN} if weekends else set())
        if len(skipped) == 7:
            raise InvalidArgument(
                f"skip_weekdays : au moins un jour de la semaine doit rester compté, reçu {tuple(sorted(skipped))!r}."
            )

    def counts(self, day: date, ctx: _DeadlineContext) -> bool:
        """Whether ``day`` is counted."""
        weekday = day.weekday()
        if self.skip_weekends and weekday >= SAT:
            return False
        if weekday in self.skip_weekdays:
            return False
        return not (self.skip_public_holidays and ctx.is_public_holiday(day))

    def deadline_day(self, code: str, day: date, ctx: _DeadlineContext) -> date:
        if not (self.skip_weekends or self.skip_public_holidays or self.skip_weekdays):
            return day - timedelta(days=self.days)
        last = day
        counted = 0
        while counted < self.days:
            last -= ONE_DAY
            if self.counts(last, ctx):
                counted += 1
        return last

    def describe(self) -> str:
        if self.days == 0:
            return f"le jour même {hour_text(self.at)}"
        if self.working_days:
            unit = "jour ouvré" if self.days == 1 else "jours ouvrés"
        else:
            unit = "jour" if self.days == 1 else "jours"
        skipped = []
        if self.skip_weekends and not self.working_days:
            skipped.append("les week-ends")
        if self.skip_public_holidays and not self.working_days:
            skipped.append("les jours fériés")
        skipped += [f"les {WEEKDAY_FR[d]}s" for d in self.skip_weekdays]
        without = f", sans compter {word_list(skipped, 'ni')}" if skipped else ""
        return f"au plus tard {self.days} {unit} avant{without} ({hour_text(self.at)})"


#: What :class:`BeforeHolidayStart` counts its days back from:
#: ``"holiday_start"``, the start of the holiday period as the official school
#: calendar gives it (the guide's « début de toute la période de vacances »), or
#: ``"first_day"``, the first day the activity runs in that holiday period.
HolidayAnchor = Literal["holiday_start", "first_day"]
HOLIDAY_ANCHORS: tuple[HolidayAnchor, ...] = ("holiday_start", "first_day")

_ANCHOR_FR: dict[str, str] = {
    "holiday_start": "le début des vacances",
    "first_day": "le premier jour du centre",
}


@attrs.frozen
class BeforeHolidayStart(_Rule):
    """At the latest ``days`` days before the start of the holiday period that
    contains the day (guide p. 10: « au plus tard 14 jours avant le début de
    toute la période de vacances », holiday centre). Every day of the same
    holiday period shares one deadline.

    ``anchor`` says which start:

    - ``"holiday_start"`` (the default, the guide's words): the start of the
      holiday period as the official school calendar gives it
      (:meth:`SchoolCalendar.holiday_start`): Christmas 2024 starts on Saturday
      21 December, so 14 days before is Saturday 7 December;
    - ``"first_day"``: the first day the activity runs in the holiday period
      (Christmas 2024: Monday 23 December, so Monday 9 December).

    >>> BeforeHolidayStart(14).describe()
    'au plus tard 14 jours avant le début des vacances (à minuit)'
    >>> BeforeHolidayStart(14, anchor="first_day").describe()
    'au plus tard 14 jours avant le premier jour du centre (à minuit)'
    """

    days: int = attrs.field(validator=whole(0))
    anchor: HolidayAnchor = attrs.field(
        default="holiday_start", kw_only=True, validator=one_of(HOLIDAY_ANCHORS)
    )

    def __attrs_post_init__(self) -> None:
        if self.days == 0 and self.at is None:
            raise InvalidArgument(
                "days : le jour même (0 jour avant le début des vacances) demande une heure limite (at)."
            )

    def deadline_day(self, code: str, day: date, ctx: _DeadlineContext) -> date:
        first_day = self.anchor == "first_day"
        start = ctx.holiday_first_day(code, day) if first_day else ctx.holiday_start(day)
        if start is None:  # pragma: no cover - guarded when the calendar is built
            raise ValueError(f"{day} is not in a holiday period")
        return start - timedelta(days=self.days)

    def describe(self) -> str:
        unit = "jour" if self.days <= 1 else "jours"
        return f"au plus tard {self.days} {unit} avant {_ANCHOR_FR[self.anchor]} ({hour_text(self.at)})"


@attrs.frozen
class WeekdayBefore(_Rule):
    """On a weekday before the day.

    With ``weeks=None`` (the default): the last such weekday strictly before
    the day (« le vendredi précédent à 12 h »). With ``weeks=N``: that weekday
    of the calendar week (Monday to Sunday) N weeks before the day's week
    (« le mercredi de la semaine précédente à 12 h », N = 1; « le vendredi
    deux semaines avant », N = 2); every day of one week shares one deadline.

    >>> from datetime import date, time
    >>> WeekdayBefore(FRI, at=time(12)).describe()
    'au plus tard le vendredi précédent (avant 12:00)'
    >>> str(WeekdayBefore(WED, weeks=1, at=time(12)))
    'au plus tard le mercredi de la semaine précédente (avant 12:00)'
    >>> WeekdayBefore(WED, weeks=1).deadline_day("X", date(2025, 3, 20), None)  # type: ignore[arg-type]
    datetime.date(2025, 3, 12)
    """

    weekday: int = attrs.field(validator=_WEEKDAY)
    weeks: int | None = attrs.field(default=None, kw_only=True, validator=whole(1, 52, optional=True))

    def deadline_day(self, code: str, day: date, ctx: _DeadlineContext) -> date:
        if self.weeks is not None:
            monday = day - timedelta(days=day.weekday())
            return monday - timedelta(weeks=self.weeks) + timedelta(days=self.weekday)
        back = (day.weekday() - self.weekday) % 7 or 7
        return day - timedelta(days=back)

    def describe(self) -> str:
        name = WEEKDAY_FR[self.weekday]
        if self.weeks is None:
            when = f"le {name} précédent"
        elif self.weeks == 1:
            when = f"le {name} de la semaine précédente"
        else:
            count = WEEKS_FR[self.weeks] if self.weeks < len(WEEKS_FR) else str(self.weeks)
            when = f"le {name} {count} semaines avant"
        return f"au plus tard {when} ({hour_text(self.at)})"


@attrs.frozen
class DayOfPreviousMonth(_Rule):
    """On a given day of the previous month (e.g. the 20th); a day past the
    end of a short month means its last day.

    >>> DayOfPreviousMonth(20).describe()
    'au plus tard le 20 du mois précédent (à minuit)'
    """

    day: int = attrs.field(validator=whole(1, 31))

    def deadline_day(self, code: str, day: date, ctx: _DeadlineContext) -> date:
        year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
        return date(year, month, min(self.day, days_in_month(year, month)))

    def describe(self) -> str:
        return f"au plus tard le {self.day} du mois précédent ({hour_text(self.at)})"


@attrs.frozen
class NoDeadline(_Describes):
    """No deadline: requests are accepted until the day itself begins
    (midnight at its start; ``cancel_deadline = "none"`` in TOML). Once the
    day has started, the day is due: « annulation possible jusqu'à la veille
    au soir ».

    >>> from datetime import date
    >>> NoDeadline().closes_at("X", date(2025, 5, 12), None)  # type: ignore[arg-type]
    datetime.datetime(2025, 5, 12, 0, 0)
    >>> str(NoDeadline())
    "jusqu'au jour même (à minuit)"
    """

    def closes_at(self, code: str, day: date, ctx: _DeadlineContext) -> datetime:
        return datetime.combine(day, MIDNIGHT)

    def leaves(self) -> Iterator[SimpleRule]:
        yield self

    def describe(self) -> str:
        return "jusqu'au jour même (à minuit)"


def _two_rules_or_more(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if len(value) < 2:
        raise InvalidArgument(
            f"{attribute.name} : au moins 2 règles sont attendues, reçu {len(value)} règle."
        )
    for rule in value:
        _a_rule(instance, attribute, rule)


@attrs.frozen
class Earliest(_Describes):
    """The earliest of several rules: every one of them must be met (« 3
    jours avant, et au plus tard le vendredi précédent à 12 h »). Build it with
    :func:`earliest`.

    >>> from datetime import time
    >>> print(earliest(DaysBefore(3), WeekdayBefore(FRI, at=time(12))))
    au plus tard 3 jours avant (à minuit), et au plus tard le vendredi précédent (avant 12:00)
    """

    rules: tuple[DeadlineRule, ...] = attrs.field(converter=_rules, validator=_two_rules_or_more)

    def closes_at(self, code: str, day: date, ctx: _DeadlineContext) -> datetime:
        return min(rule.closes_at(code, day, ctx) for rule in self.rules)

    def leaves(self) -> Iterator[SimpleRule]:
        for rule in self.rules:
            yield from rule.leaves()

    def describe(self) -> str:
        return ", et ".join(rule.describe() for rule in self.rules)


@attrs.frozen
class Latest(_Describes):
    """The latest of several rules: meeting one of them is enough. Build it
    with :func:`latest`.

    >>> print(latest(DaysBefore(3), WeekdayBefore(FRI)))
    le plus tard de : au plus tard 3 jours avant (à minuit) ; au plus tard le vendredi précédent (à minuit)
    """

    rules: tuple[DeadlineRule, ...] = attrs.field(converter=_rules, validator=_two_rules_or_more)

    def closes_at(self, code: str, day: date, ctx: _DeadlineContext) -> datetime:
        return max(rule.closes_at(code, day, ctx) for rule in self.rules)

    def leaves(self) -> Iterator[SimpleRule]:
        for rule in self.rules:
            yield from rule.leaves()

    def describe(self) -> str:
        return "le plus tard de : " + " ; ".join(rule.describe() for rule in self.rules)


def earliest(*rules: DeadlineRule) -> Earliest:
    """The earliest of ``rules`` (at least two): :class:`Earliest`."""
    return Earliest(rules)


def latest(*rules: DeadlineRule) -> Latest:
    """The latest of ``rules`` (at least two): :class:`Latest`."""
    return Latest(rules)


def _a_rule(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, _RULE_TYPES):
        raise InvalidArgument(f"{attribute.name} : une règle de délai est attendue, reçu {value!r}.")


@attrs.frozen
class DeadlineCase(_Describes):
    """Which days an :class:`Exceptions` rule gives another ``rule``: the
    ``days`` listed, the days from ``start`` to ``end`` (both included; either
    may be open), and the days of the booking periods numbered ``periods``. A
    day matches when it matches any of the three that are given.

    >>> from datetime import date
    >>> summer = DeadlineCase(DaysBefore(10), start=date(2025, 7, 7), end=date(2025, 8, 29))
    >>> summer.describe()
    'du 07/07/2025 au 29/08/2025 : au plus tard 10 jours avant (à minuit)'
    """

    rule: DeadlineRule = attrs.field(validator=_a_rule)
    days: tuple[date, ...] = attrs.field(
        default=(),
        kw_only=True,
        converter=_days,
        validator=attrs.validators.deep_iterable(_DATE),
    )
    start: date | None = attrs.field(default=None, kw_only=True, validator=_OPTIONAL_DATE)
    end: date | None = attrs.field(default=None, kw_only=True, validator=_OPTIONAL_DATE)
    periods: tuple[int, ...] = attrs.field(
        default=(),
        kw_only=True,
        converter=_periods,
        validator=attrs.validators.deep_iterable(whole()),
    )

    def __attrs_post_init__(self) -> None:
        if not self.days and self.start is None and self.end is None and not self.periods:
            raise InvalidArgument(
                "DeadlineCase : des jours (days), un début (start), une fin (end) ou des périodes (periods) sont attendus."
            )
        if self.start is not None and self.end is not None and self.start > self.end:
            raise InvalidArgument(
                f"start : le début ne doit pas suivre la fin, reçu {self.start} > {self.end}."
            )

    def matches(self, day: date, ctx: _DeadlineContext) -> bool:
        if day in self.days:
            return True
        if (self.start is not None or self.end is not None) and (
            (self.start is None or self.start <= day) and (self.end is None or day <= self.end)
        ):
            return True
        return bool(self.periods) and ctx.period_number(day) in self.periods

    def describe(self) -> str:
        which = []
        if self.days:
            which.append("le " + word_list([f"{d:%d/%m/%Y}" for d in self.days]))
        if self.start is not None and self.end is not None:
            which.append(f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}")
        elif self.start is not None:
            which.append(f"à partir du {self.start:%d/%m/%Y}")
        elif self.end is not None:
            which.append(f"jusqu'au {self.end:%d/%m/%Y}")
        if self.periods:
            word = "période" if len(self.periods) == 1 else "périodes"
            which.append(f"{word} {word_list([str(n) for n in self.periods])}")
        return f"{word_list(which, 'ou')} : {self.rule.describe()}"


def _case_list(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value:
        raise InvalidArgument(f"{attribute.name} : au moins un cas (DeadlineCase) est attendu.")
    for case in value:
        if not isinstance(case, DeadlineCase):
            raise InvalidArgument(f"{attribute.name} : des cas (DeadlineCase) sont attendus, reçu {case!r}.")


@attrs.frozen
class Exceptions(_Describes):
    """``default`` except on the days of some ``cases`` (a different deadline
    for the summer holidays, or for given dates): the first case that
    matches a day gives its rule.

    >>> from datetime import date
    >>> rule = Exceptions(DaysBefore(3), [DeadlineCase(DaysBefore(10), periods=[5])])
    >>> print(rule)
    au plus tard 3 jours avant (à minuit) ; sauf période 5 : au plus tard 10 jours avant (à minuit)
    """

    default: DeadlineRule = attrs.field(validator=_a_rule)
    cases: tuple[DeadlineCase, ...] = attrs.field(converter=_cases, validator=_case_list)

    def rule_for(self, day: date, ctx: _DeadlineContext) -> DeadlineRule:
        """The rule that applies to ``day``."""
        for case in self.cases:
            if case.matches(day, ctx):
                return case.rule
        return self.default

    def closes_at(self, code: str, day: date, ctx: _DeadlineContext) -> datetime:
        return self.rule_for(day, ctx).closes_at(code, day, ctx)

    def leaves(self) -> Iterator[SimpleRule]:
        yield from self.default.leaves()
        for case in self.cases:
            yield from case.rule.leaves()

    def describe(self) -> str:
        return " ; ".join([self.default.describe(), *(f"sauf {c.describe()}" for c in self.cases)])


#: A rule that counts back from the day (or sets no deadline).
SimpleRule = DaysBefore | BeforeHolidayStart | WeekdayBefore | DayOfPreviousMonth | NoDeadline
#: Any deadline rule: a simple one or a combination.
DeadlineRule = SimpleRule | Earliest | Latest | Exceptions
_RULE_TYPES = (
    DaysBefore,
    BeforeHolidayStart,
    WeekdayBefore,
    DayOfPreviousMonth,
    NoDeadline,
    Earliest,
    Latest,
    Exceptions,
)


# --------------------------------------------------------------------------
# Configuration values the calendar is built from
# --------------------------------------------------------------------------


@attrs.frozen(order=True)
class BookingPeriod:
    """A booking period « de vacances à vacances » (guide p. 10).

    ``opens`` is the day bookings open (at ``opens_time``, midnight by
    default); ``start`` and ``end`` are the first and last day it covers.

    >>> from datetime import date
    >>> p = BookingPeriod(1, opens=date(2024, 8, 19), start=date(2024, 9, 2), end=date(2024, 10, 18))
    >>> p.covers(date(2024, 10, 18)), p.covers(date(2024, 10, 21))
    (True, False)
    """

    number: int
    opens: date = attrs.field(validator=_DATE)
    start: date = attrs.field(validator=_DATE)
    end: date = attrs.field(validator=_DATE)
    opens_time: time = attrs.field(default=MIDNIGHT, kw_only=True)

    @property
    def opens_at(self) -> datetime:
        """The local instant the period opens (naive, commune-local)."""
        return datetime.combine(self.opens, self.opens_time)

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def describe(self) -> str:
        return (
            f"Période {self.number} : ouverture le {short_day(self.opens)}"
            f" pour la période du {short_day(self.start)} au {short_day(self.end)}"
        )


@attrs.frozen
class Closure:
    """Days an activity is closed (all activities when ``activities`` is empty).

    Guide p. 15: « le centre de loisirs sera exceptionnellement fermé le
    mercredi 4 septembre 2024 ».
    """

    start: date = attrs.field(validator=_DATE)
    end: date = attrs.field(validator=_DATE)
    activities: tuple[str, ...] = attrs.field(
        default=(),
        converter=_activities,
        validator=attrs.validators.deep_iterable(
            instance(str, "des codes d'activité (des chaînes) sont attendus")
        ),
    )
    reason: str = ""

    def closes(self, code: str, day: date) -> bool:
        return self.start <= day <= self.end and (not self.activities or code in self.activities)


@attrs.frozen
class HolidayWindow:
    """A holiday period of the holiday centre, as the commune configures it.

    It replaces the school-holiday period it overlaps (or adds one, e.g. a
    bridge or the summer), and may give the day its bookings open when no
    booking period covers it (Toussaint 2024 in Cestas).

    ``start`` is the first day of the centre's holiday period (the days the
    activity may run), not the anchor of a ``holiday_start`` deadline: that
    stays the official start of the school holidays the window overlaps,
    unless the window begins earlier (see :meth:`SchoolCalendar.holiday_start`).
    """

    start: date = attrs.field(validator=_DATE)
    end: date = attrs.field(validator=_DATE)
    opens: date | None = None
    label: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


class ActivityRules(Protocol):
    """What the calendar needs to know of an activity (``commune.Activity``)."""

    @property
    def code(self) -> str: ...

    @property
    def season(self) -> Season: ...

    @property
    def weekdays(self) -> tuple[int, ...]: ...

    @property
    def deadline(self) -> DeadlineRule: ...

    @property
    def cancel_deadline(self) -> DeadlineRule | None: ...


def load_timezone(key: str) -> tzinfo:
    """The IANA time zone named ``key``, through :mod:`zoneinfo` (the system's
    tz database, else the ``tzdata`` package), else python-dateutil's bundled
    copy of the database (a core dependency: no extra needed on Windows).

    Only a name is accepted: letters, digits and ``_+-`` in ``/``-separated
    parts (no leading ``/``, no ``..``), at most 64 characters, that
    :mod:`zoneinfo` finds. A file path, a POSIX TZ string, the machine's own
    ``localtime`` or anything else is a :class:`ValueError`.

    >>> load_timezone("Europe/Paris")
    zoneinfo.ZoneInfo(key='Europe/Paris')
    >>> load_timezone("EST5EDT,M3.2.0,M11.1.0")
    Traceback (most recent call last):
    ...
    periscolaire.errors.InvalidArgument: timezone : un nom de fuseau IANA (« Europe/Paris ») est attendu, ...
    """
    import re
    import zoneinfo

    if not isinstance(key, str):
        raise InvalidArgument(
            f"timezone : un nom de fuseau IANA (« Europe/Paris ») est attendu, reçu {type(key).__name__}."
        )
    if (
        len(key) > 64
        or not re.fullmatch(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*", key)
        or key in ("localtime", "posixrules")
    ):
        raise InvalidArgument(
            f"timezone : un nom de fuseau IANA (« Europe/Paris ») est attendu, reçu {key[:64]!r}."
        )
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    # No system tz database (Windows without tzdata): python-dateutil's own copy,
    # looked up by name only (never a path).
    from dateutil.zoneinfo import get_zonefile_instance

    found: tzinfo | None = get_zonefile_instance().get(key)
    if found is None:
        raise InvalidArgument(f"timezone : un fuseau horaire connu est attendu, reçu {key!r}.")
    return found


_MINUTE = timedelta(minutes=1)
_TICK = timedelta(microseconds=1)


def _offsets(local: datetime, tz: tzinfo) -> tuple[timedelta | None, timedelta | None]:
    return local.replace(tzinfo=tz, fold=0).utcoffset(), local.replace(tzinfo=tz, fold=1).utcoffset()


def _in_gap(local: datetime, tz: tzinfo) -> bool:
    """A naive local time the clock skips (spring forward)."""
    first, second = _offsets(local, tz)
    return first is not None and second is not None and first < second


def _repeated(local: datetime, tz: tzinfo) -> bool:
    """A naive local time the clock shows twice (fall back)."""
    first, second = _offsets(local, tz)
    return first is not None and second is not None and first > second


def _after(local: datetime, tz: tzinfo, inside: Callable[[datetime, tzinfo], bool]) -> datetime:
    """The first whole minute after ``local`` that is not ``inside`` (clock
    changes happen on whole minutes)."""
    moment = local.replace(second=0, microsecond=0, fold=0)
    for _ in range(24 * 60):
        moment += _MINUTE
        if not inside(moment, tz):
            break
    return moment


def real_local(local: datetime, tz: tzinfo) -> datetime:
    """A naive local instant as it really happens in ``tz``: one that does not
    exist (the clock skips it) is the first instant after the gap; an
    ambiguous one is its first occurrence (``fold=0``).

    >>> from zoneinfo import ZoneInfo
    >>> real_local(datetime(2025, 3, 30, 2, 30), ZoneInfo("Europe/Paris"))
    datetime.datetime(2025, 3, 30, 3, 0)
    >>> real_local(datetime(2024, 10, 27, 2, 30), ZoneInfo("Europe/Paris"))
    datetime.datetime(2024, 10, 27, 2, 30)
    """
    local = local.replace(fold=0)
    return _after(local, tz, _in_gap) if _in_gap(local, tz) else local


def clock_changes(tz: tzinfo, first: date, last: date) -> frozenset[date]:
    """The days of ``first`` to the day after ``last`` (a cut-off at the
    midnight that ends ``last`` falls on it) on which ``tz``'s clock changes:
    its offsets at the start and at the end of the day, both readings of a
    repeated time included, are not all the same. A clock put back at
    midnight (Santiago in April, Beirut and Cairo in October) repeats the
    last hour of the day before: that day is one of them."""
    found = set()
    for day in days_between(first, last + timedelta(days=1)):
        offsets = {
            datetime.combine(day, moment, tzinfo=tz).replace(fold=fold).utcoffset()
            for moment in (time(0), time(23, 59))
            for fold in (0, 1)
        }
        if len(offsets) > 1:
            found.add(day)
    return frozenset(found)


def _holiday_sets(zone: str, years: Iterable[int]) -> tuple[frozenset[date], dict[date, str]]:
    """Public holidays (a frozen set) and school holidays (day -> name) of
    France for a school zone."""
    import holidays  # imported lazily: `import periscolaire` stays fast

    years = sorted(set(years))
    subdiv = f"Zone {zone}"
    public = holidays.country_holidays(
        "FR", subdiv=subdiv, years=years, categories=("public",), language="fr"
    )
    school = holidays.country_holidays(
        "FR", subdiv=subdiv, years=years, categories=("school",), language="fr"
    )
    return frozenset(public), dict(school.items())


def _runs(days: Iterable[date]) -> Iterator[tuple[date, date]]:
    """Maximal runs of consecutive days, as (first, last)."""
    first = last = None
    for day in sorted(days):
        if last is not None and day == last + ONE_DAY:
            last = day
            continue
        if first is not None and last is not None:
            yield first, last
        first = last = day
    if first is not None and last is not None:
        yield first, last


def days_between(start: date, end: date, step: int = 1) -> Iterator[date]:
    """Days from ``start`` to ``end`` included, every ``step`` days.

    >>> [d.day for d in days_between(date(2024, 9, 2), date(2024, 9, 30), 7)]
    [2, 9, 16, 23, 30]
    """
    delta = timedelta(days=step)
    day = start
    while day <= end:
        yield day
        day += delta


# --------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------


class BookingWindow(NamedTuple):
    """When one day of one activity can be booked and cancelled.

    The three bounds are naive commune-local instants. Booking is allowed from
    ``opens`` (included) to ``closes`` (excluded); cancelling until
    ``cancel_closes`` (excluded), with no opening bound (an agent may have
    entered the reservation before the period opened). Every check of the
    library — calendar, selection, confirmation, month grid — goes through
    these three methods, so that the two deadlines cannot be confused.

    >>> from datetime import datetime
    >>> w = BookingWindow(datetime(2024, 8, 19), datetime(2024, 8, 31), datetime(2024, 8, 30))
    >>> w.bookable(datetime(2024, 8, 30, 12)), w.cancellable(datetime(2024, 8, 30, 12))
    (True, False)
    >>> w.state(datetime(2024, 8, 31))
    <DayState.PAST_DEADLINE: 'past_deadline'>
    """

    opens: datetime
    closes: datetime
    cancel_closes: datetime

    def bookable(self, local: datetime) -> bool:
        """``opens <= local < closes``."""
        return self.opens <= local < self.closes

    def cancellable(self, local: datetime) -> bool:
        """``local < cancel_closes``."""
        return local < self.cancel_closes

    def state(self, local: datetime) -> DayState:
        """The booking state at ``local``, as the portal colours the day."""
        if local < self.opens:
            return DayState.NOT_OPEN_YET
        if local >= self.closes:
            return DayState.PAST_DEADLINE
        return DayState.BOOKABLE

    def cancel_state(self, local: datetime) -> DayState:
        """Like :meth:`state`, for a cancellation (no opening bound)."""
        return DayState.BOOKABLE if self.cancellable(local) else DayState.PAST_DEADLINE


def day_state(window: BookingWindow | None, local: datetime) -> DayState:
    """The state of a day whose booking window is ``window`` (``None``: the
    activity does not run) at the naive local instant ``local``."""
    return DayState.NOT_RUNNING if window is None else window.state(local)


class SchoolCalendar:
    """Running days and booking windows of every activity of a commune.

    Built once from configuration values (normally through
    :func:`periscolaire.load_commune`); immutable afterwards. Invalid
    combinations raise :class:`~periscolaire.ConfigurationError`.
    """

    __slots__ = (
        "_changes",
        "_holiday_of",
        "_holiday_starts",
        "_running",
        "_windows",
        "activities",
        "closures",
        "first_day",
        "holiday_periods",
        "last_day",
        "periods",
        "public_holidays",
        "school_holidays",
        "timezone",
        "zone",
    )

    def __init__(
        self,
        *,
        zone: str,
        periods: Sequence[BookingPeriod],
        activities: Iterable[ActivityRules],
        closures: Sequence[Closure] = (),
        holiday_windows: Sequence[HolidayWindow] = (),
        timezone: str | tzinfo = "Europe/Paris",
        public_holidays: Iterable[date] | None = None,
        school_holidays: Iterable[date] | None = None,
    ) -> None:
        if zone not in ZONES:
            raise ConfigurationError("commune.holiday_zone", f"zone A, B ou C attendue, reçu {zone!r}")
        if not periods:
            raise ConfigurationError("periods", "au moins une période de réservation est attendue")
        self.zone = zone
        self.timezone: tzinfo = load_timezone(timezone) if isinstance(timezone, str) else timezone
        self.periods: tuple[BookingPeriod, ...] = tuple(sorted(periods, key=lambda p: p.start))
        self.closures: tuple[Closure, ...] = tuple(closures)
        self.activities: tuple[str, ...] = ()
        self.first_day = self.periods[0].start
        self.last_day = self.periods[-1].end
        windows = tuple(sorted(holiday_windows, key=lambda w: w.start))
        if public_holidays is None or school_holidays is None:
            years = {self.first_day.year - 1, *range(self.first_day.year, self.last_day.year + 1)}
            years |= {y for w in windows for y in (w.start.year, w.end.year)}
            public, names = _holiday_sets(zone, years)
        else:
            public, names = frozenset(public_holidays), dict.fromkeys(school_holidays, "")
        self.public_holidays: frozenset[date] = public
        self.school_holidays: frozenset[date] = frozenset(names)
        self._holiday_starts: dict[HolidayWindow, date] = {}
        self.holiday_periods = self._holiday_periods(windows, names)
        self._holiday_of: dict[date, HolidayWindow] = {
            day: h for h in self.holiday_periods for day in days_between(h.start, h.end)
        }
        self._windows: dict[str, dict[date, BookingWindow]] = {}
        self._running: dict[str, tuple[date, ...]] = {}
        self._changes = clock_changes(self.timezone, self.first_day - timedelta(days=366), self.last_day)
        for activity in activities:
            self._add(activity)
        self.activities = tuple(self._windows)

    # -- construction ------------------------------------------------------

    def _holiday_periods(
        self, windows: tuple[HolidayWindow, ...], names: Mapping[date, str]
    ) -> tuple[HolidayWindow, ...]:
        """School-holiday periods within the booking periods' span, replaced or
        completed by the configured windows; records the official start of
        each (see :meth:`holiday_start`)."""
        found = []
        blocks = tuple(_runs(self.school_holidays))
        for block_start, block_end in blocks:
            if block_end - block_start < timedelta(days=MIN_HOLIDAY_LENGTH - 1):
                continue  # a bridge, not a holiday period
            first, last = max(block_start, self.first_day), min(block_end, self.last_day)
            if first > last:
                continue
            if any(w.start <= last and first <= w.end for w in windows):
                continue  # the configured window takes its place
            label = names.get(block_start, "").split(";")[-1].strip()
            derived = HolidayWindow(first, last, label=label)
            found.append(derived)
            self._holiday_starts[derived] = block_start  # not cut to the periods' span
        for window in windows:
            official = [a for a, b in blocks if a <= window.end and window.start <= b]
            self._holiday_starts[window] = min([window.start, *official])
        return tuple(sorted([*found, *windows], key=lambda w: w.start))

    def _add(self, activity: ActivityRules) -> None:
        code = activity.code
        path = f"activities.{code}"
        if code in self._windows:
            raise ConfigurationError(path, "activité déclarée deux fois")
        running = [d for d in self._candidate_days(activity) if self._runs(activity, d)]
        if not running:
            raise ConfigurationError(path, "l'activité ne fonctionne aucun jour", code="never_runs")
        firsts: dict[date, date] = {}
        if activity.season == Season.HOLIDAYS:
            for day in running:
                firsts.setdefault(self._holiday_start_key(day), day)
        ctx = _Context(self, firsts)
        rule = activity.deadline
        cancel_rule = activity.cancel_deadline or rule
        for key, r in (("deadline", rule), ("cancel_deadline", cancel_rule)):
            if activity.season != Season.HOLIDAYS and any(
                isinstance(leaf, BeforeHolidayStart) for leaf in r.leaves()
            ):
                raise ConfigurationError(
                    f"{path}.{key}",
                    "before_holiday_start_days ne s'applique qu'aux activités des vacances",
                )
        table: dict[date, BookingWindow] = {}
        for day in running:
            opens = self._opens(activity, day)
            if opens is None:
                raise ConfigurationError(
                    "holiday_windows",
                    f"aucune date d'ouverture des réservations pour le {short_day(day)} "
                    f"({code}) : ajoutez `opens` à la fenêtre de vacances",
                )
            table[day] = BookingWindow(
                self._real(opens),
                self._real(rule.closes_at(code, day, ctx)),
                self._real(cancel_rule.closes_at(code, day, ctx)),
            )
        if all(w.closes <= w.opens for w in table.values()):
            raise ConfigurationError(
                f"{path}.deadline",
                f"la règle « {rule.describe()} » ne laisse réserver aucun jour : "
                "chaque date limite tombe avant l'ouverture des réservations",
                code="deadline_never_met",
            )
        self._windows[code] = table
        self._running[code] = tuple(sorted(table))

    def _candidate_days(self, activity: ActivityRules) -> Iterator[date]:
        if activity.season == Season.SCHOOL:
            for period in self.periods:
                yield from days_between(period.start, period.end)
        else:
            for holiday in self.holiday_periods:
                yield from days_between(holiday.start, holiday.end)

    def _runs(self, activity: ActivityRules, day: date) -> bool:
        if day.weekday() not in activity.weekdays or day in self.public_holidays:
            return False
        if any(c.closes(activity.code, day) for c in self.closures):
            return False
        if activity.season == Season.SCHOOL:
            return day not in self.school_holidays
        return True

    def _holiday_start_key(self, day: date) -> date:
        return self._holiday_of[day].start

    def _opens(self, activity: ActivityRules, day: date) -> datetime | None:
        holiday = self._holiday_of.get(day) if activity.season == Season.HOLIDAYS else None
        if holiday is not None and holiday.opens is not None:
            return datetime.combine(holiday.opens, MIDNIGHT)
        preceding = None
        for period in self.periods:
            if period.covers(day):
                return period.opens_at
            if period.start <= day:
                preceding = period
        return preceding.opens_at if preceding is not None else None

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a public holiday."""
        return day.weekday() < SAT and day not in self.public_holidays

    # -- queries -------------------------------------------------------------

    def _table(self, code: str) -> dict[date, BookingWindow]:
        try:
            return self._windows[code]
        except (KeyError, TypeError):
            identifier(code, "code")
            raise UnknownActivity(code) from None

    def _day_table(self, code: str, day: date) -> dict[date, BookingWindow]:
        table = self._table(code)
        check_day(day)
        return table

    def local(self, now: datetime) -> datetime:
        """``now`` as naive commune-local time (naive input is returned as is)."""
        if now.tzinfo is None:
            return now
        return now.astimezone(self.timezone).replace(tzinfo=None)

    def _real(self, local: datetime) -> datetime:
        """A bound as it really happens (see :func:`real_local`)."""
        return real_local(local, self.timezone) if local.date() in self._changes else local

    def clock(self, now: datetime) -> datetime:
        """``now`` on the naive commune-local clock the booking windows are
        compared with — a clock that never goes back.

        The rule at a clock change: a local time that does not exist (30 March
        2025, 02:00-03:00 in Paris) is the first instant after the gap (03:00);
        an ambiguous one (27 October 2024, 02:00-03:00 twice) is its first
        occurrence. A bound is never inside either; ``now`` in the repeated
        hour's second pass (an aware time, or a naive one with ``fold=1``) is
        after every bound of the first pass and before the hour's end.

        >>> from periscolaire import load_commune
        >>> from zoneinfo import ZoneInfo
        >>> cal = load_commune().calendar
        >>> cal.clock(datetime(2024, 10, 27, 1, 15, tzinfo=ZoneInfo("UTC")))  # 02:15, the second time
        datetime.datetime(2024, 10, 27, 2, 59, 59, 999999)
        >>> cal.clock(datetime(2025, 3, 30, 2, 30))                          # does not exist
        datetime.datetime(2025, 3, 30, 3, 0)
        """
        tz = self.timezone
        instant(now)
        if now.tzinfo is not None:
            now = now.astimezone(tz)
            if now.fold:  # the second occurrence of a repeated local time
                return _after(now.replace(tzinfo=None, fold=0), tz, _repeated) - _TICK
            return now.replace(tzinfo=None)
        if now.date() not in self._changes:
            return now
        if now.fold and _repeated(now, tz):
            return _after(now.replace(fold=0), tz, _repeated) - _TICK
        return real_local(now, tz)

    def _aware(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.timezone)

    def runs_on(self, code: str, day: date) -> bool:
        """Whether the activity takes place that day (and so may be booked)."""
        return day in self._day_table(code, day)

    def opens_at(self, code: str, day: date) -> datetime | None:
        """First instant bookings for ``day`` are accepted; None if it does not run."""
        window = self._day_table(code, day).get(day)
        return None if window is None else self._aware(window.opens)

    def closes_at(self, code: str, day: date) -> datetime | None:
        """First instant bookings for ``day`` are refused (exclusive bound)."""
        window = self._day_table(code, day).get(day)
        return None if window is None else self._aware(window.closes)

    def cancel_closes_at(self, code: str, day: date) -> datetime | None:
        """First instant cancellations for ``day`` are refused (exclusive bound)."""
        window = self._day_table(code, day).get(day)
        return None if window is None else self._aware(window.cancel_closes)

    def last_booking_day(self, code: str, day: date) -> date | None:
        """The last day on which ``day`` can still be booked (the deadline day)."""
        window = self._day_table(code, day).get(day)
        return None if window is None else (window.closes - timedelta(microseconds=1)).date()

    def is_bookable(self, code: str, day: date, now: datetime) -> bool:
        """``runs_on(code, day)`` and ``opens_at <= now < closes_at``."""
        window = self._day_table(code, day).get(day)
        if window is None:
            instant(now)
            return False
        return window.bookable(self.clock(now))

    def is_cancellable(self, code: str, day: date, now: datetime) -> bool:
        """``runs_on(code, day)`` and ``now < cancel_closes_at``.

        A reservation may be cancelled before its period opens (an agent may
        have entered it); only the cancellation deadline applies.
        """
        window = self._day_table(code, day).get(day)
        if window is None:
            instant(now)
            return False
        return window.cancellable(self.clock(now))

    def state(self, code: str, day: date, now: datetime) -> DayState:
        """The day's booking state at ``now``, as the portal colours it."""
        return day_state(self._day_table(code, day).get(day), self.clock(now))

    def cancel_state(self, code: str, day: date, now: datetime) -> DayState:
        """Like :meth:`state`, for a cancellation (no opening date applies)."""
        window = self._day_table(code, day).get(day)
        local = self.clock(now)
        if window is None:
            return DayState.NOT_RUNNING
        return window.cancel_state(local)

    def states(self, code: str, start: date, end: date, now: datetime) -> dict[date, DayState]:
        """Every day of ``start..end`` (inclusive) with its state at ``now``."""
        table = self._table(code)
        check_day(start, "start")
        check_day(end, "end")
        local = self.clock(now)
        return {day: day_state(table.get(day), local) for day in days_between(start, end)}

    def running_days(self, code: str, start: date | None = None, end: date | None = None) -> tuple[date, ...]:
        """Days the activity runs, in order, optionally within ``start..end``."""
        self._table(code)  # unknown activity -> UnknownActivity
        optional_day(start, "start")
        optional_day(end, "end")
        days = self._running[code]
        low = 0 if start is None else bisect_left(days, start)
        high = len(days) if end is None else bisect_right(days, end)
        return days[low:high]

    def bookable_days(self, code: str, start: date, end: date, now: datetime) -> tuple[date, ...]:
        """Days of ``start..end`` that can be booked at ``now``, in order."""
        table = self._table(code)
        check_day(start, "start")
        check_day(end, "end")
        local = self.clock(now)
        return tuple(
            d for d in days_between(start, end) if (w := table.get(d)) is not None and w.bookable(local)
        )

    def period_of(self, day: date) -> BookingPeriod | None:
        """The booking period whose range covers ``day``."""
        check_day(day)
        for period in self.periods:
            if period.covers(day):
                return period
        return None

    def period(self, number: int) -> BookingPeriod:
        """The booking period with this number."""
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidArgument(
                f"number : le numéro d'une période (un entier) est attendu, reçu {number!r}."
            )
        for period in self.periods:
            if period.number == number:
                return period
        raise ConfigurationError("periods", f"pas de période numéro {number}", code="unknown_period")

    def holiday_of(self, day: date) -> HolidayWindow | None:
        """The holiday period (of the holiday centre) that contains ``day``."""
        return self._holiday_of.get(check_day(day))

    def holiday_start(self, day: date) -> date | None:
        """The start of the holiday period that contains ``day``, as the
        official school calendar gives it: the anchor of a
        ``before_holiday_start_days`` deadline with ``anchor = "holiday_start"``
        (guide p. 10, « le début de toute la période de vacances »). None when
        ``day`` is in no holiday period.

        It is the first day of the school holidays (the ``holidays`` package,
        or the ``school_holidays`` given) the holiday period belongs to: a
        Saturday, even when the centre first runs on the Monday, and never cut
        to the booking periods. For a configured :class:`HolidayWindow`, the
        first day of the official school holidays it overlaps; its own
        ``start`` if it begins earlier (days added before the holidays) or if
        it overlaps no official school holidays.

        >>> from periscolaire import load_commune
        >>> cal = load_commune().calendar
        >>> cal.holiday_start(date(2024, 12, 23)), cal.holiday_start(date(2024, 12, 20))
        (datetime.date(2024, 12, 21), None)
        """
        holiday = self._holiday_of.get(check_day(day))
        return None if holiday is None else self._holiday_starts[holiday]

    def is_public_holiday(self, day: date) -> bool:
        return day in self.public_holidays

    def is_school_holiday(self, day: date) -> bool:
        return day in self.school_holidays

    def windows(self, code: str) -> Mapping[date, BookingWindow]:
        """Read-only view of the :class:`BookingWindow` of every running day
        (naive commune-local): for hosts that precompute their own tables."""
        from types import MappingProxyType

        return MappingProxyType(self._table(code))

    def __repr__(self) -> str:
        return (
            f"SchoolCalendar(zone={self.zone!r}, periods={len(self.periods)}, "
            f"from={self.first_day.isoformat()}, to={self.last_day.isoformat()}, "
            f"activities={self.activities!r})"
        )


class _Context:
    """What deadline rules may ask of the calendar while it is being built."""

    __slots__ = ("_calendar", "_firsts")

    def __init__(self, calendar: SchoolCalendar, firsts: dict[date, date]) -> None:
        self._calendar = calendar
        self._firsts = firsts

    def is_working_day(self, day: date) -> bool:
        return self._calendar.is_working_day(day)

    def holiday_first_day(self, code: str, day: date) -> date | None:
        holiday = self._calendar.holiday_of(day)
        return None if holiday is None else self._firsts.get(holiday.start)

    def holiday_start(self, day: date) -> date | None:
        return self._calendar.holiday_start(day)

    def is_public_holiday(self, day: date) -> bool:
        return day in self._calendar.public_holidays

    def period_number(self, day: date) -> int | None:
        period = self._calendar.period_of(day)
        return None if period is None else period.number


# --------------------------------------------------------------------------
# Periods from the school calendar alone
# --------------------------------------------------------------------------


def derive_periods(
    zone: str,
    school_year: int,
    *,
    school_weekdays: Sequence[int] = (MON, TUE, THU, FRI),
) -> tuple[BookingPeriod, ...]:
    """The « de vacances à vacances » periods a commune gets from the national
    school calendar alone.

    Each period runs from the first day after a holiday period to the last day
    before the next one, and opens on the last school day before the holidays
    that precede it. ``school_year=2024`` is the year 2024/2025.

    >>> periods = derive_periods("A", 2024)
    >>> [p.opens.isoformat() for p in periods]
    ['2024-07-05', '2024-10-18', '2024-12-20', '2025-02-21', '2025-04-18']
    >>> [(p.start.isoformat(), p.end.isoformat()) for p in periods]
    [('2024-09-02', '2024-10-18'), ('2024-11-04', '2024-12-20'), ('2025-01-06', '2025-02-21'),
     ('2025-03-10', '2025-04-18'), ('2025-05-05', '2025-07-04')]

    Cestas' published table differs (guide p. 10): period 1 opens on 19 August
    2024, after the dossier deadline, and periods 2 to 4 run on to the end of
    the holidays that follow them (for the holiday centre).
    """
    if zone not in ZONES:
        raise ConfigurationError("zone", f"zone A, B ou C attendue, reçu {zone!r}")
    public, school = _holiday_sets(zone, (school_year, school_year + 1))
    blocks = [(a, b) for a, b in _runs(school) if b - a >= timedelta(days=MIN_HOLIDAY_LENGTH - 1)]

    def last_school_day(before: date) -> date:
        day = before - ONE_DAY
        while day.weekday() not in school_weekdays or day in public or day in school:
            day -= ONE_DAY
        return day

    summer_before = [b for b in blocks if b[0].year == school_year and b[0].month in (6, 7)]
    summer_after = [b for b in blocks if b[0].year == school_year + 1 and b[0].month in (6, 7)]
    if not summer_before or not summer_after:
        raise ConfigurationError(
            "school_year",
            f"pas de vacances d'été connues autour de {school_year}/{school_year + 1}",
        )
    inner = [b for b in blocks if summer_before[0][1] < b[0] < summer_after[0][0]]
    edges = [summer_before[0], *inner, summer_after[0]]
    return tuple(
        BookingPeriod(
            number,
            opens=last_school_day(previous[0]),
            start=previous[1] + ONE_DAY,
            end=following[0] - ONE_DAY,
        )
        for number, (previous, following) in enumerate(pairwise(edges), start=1)
    )
