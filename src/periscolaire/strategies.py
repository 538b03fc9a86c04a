"""Hypothesis strategies for property tests of periscolaire and of its hosts.

Install with ``pip install periscolaire[hypothesis]``; importing
:mod:`periscolaire` itself never needs Hypothesis.

>>> from hypothesis import given
>>> from periscolaire.strategies import communes
>>> @given(communes())
... def test_every_activity_runs_some_day(commune):
...     for code in commune.activities:
...         assert commune.calendar.running_days(code)
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import assume
from hypothesis import strategies as st

from periscolaire.calendar import (
    FRI,
    MON,
    THU,
    TUE,
    WED,
    BeforeHolidayStart,
    BookingPeriod,
    Closure,
    DayOfPreviousMonth,
    DaysBefore,
    DeadlineRule,
    Season,
    WeekdayBefore,
    derive_periods,
)
from periscolaire.commune import Activity, Commune
from periscolaire.errors import ConfigurationError

__all__ = [
    "activity_codes",
    "communes",
    "deadline_rules",
    "instants",
    "school_years",
]

#: School years the ``holidays`` package knows well for every zone.
SCHOOL_YEARS = range(2022, 2026)


def school_years() -> st.SearchStrategy[int]:
    """A school year (2024 means 2024/2025)."""
    return st.sampled_from(SCHOOL_YEARS)


def activity_codes() -> st.SearchStrategy[str]:
    """An activity code: upper-case letters, digits and underscores."""
    return st.from_regex(r"\A[A-Z][A-Z0-9_]{0,11}\Z")


_cutoffs = st.none() | st.sampled_from([time(9), time(12), time(18, 30)])


def deadline_rules(season: Season = Season.SCHOOL) -> st.SearchStrategy[DeadlineRule]:
    """A deadline rule that some day of a normal school year can meet."""
    rules: list[st.SearchStrategy[DeadlineRule]] = [
        st.builds(
            DaysBefore,
            st.integers(1, 10),
            at=_cutoffs,
            working_days=st.booleans(),
        ),
        st.builds(WeekdayBefore, st.integers(0, 6), at=_cutoffs),
        st.builds(DayOfPreviousMonth, st.integers(1, 31), at=_cutoffs),
    ]
    if season is Season.HOLIDAYS:
        rules.append(st.builds(BeforeHolidayStart, st.integers(1, 21), at=_cutoffs))
    return st.one_of(rules)


@st.composite
def _activity(draw: st.DrawFn, code: str, season: Season) -> Activity:
    weekdays = (
        draw(st.sampled_from([(MON, TUE, THU, FRI), (WED,), (MON, TUE, WED, THU, FRI)]))
        if season is Season.SCHOOL
        else draw(st.sampled_from([(MON, TUE, WED, THU, FRI), (MON, WED, FRI)]))
    )
    capacity = draw(st.none() | st.integers(0, 40))
    return Activity(
        code=code,
        label=draw(st.text(min_size=1, max_size=20)),
        season=season,
        weekdays=weekdays,
        deadline=draw(deadline_rules(season)),
        cancel_deadline=draw(st.none() | deadline_rules(season)),
        capacity=capacity,
        waiting_list=capacity is not None and draw(st.booleans()),
        wallet=draw(st.sampled_from(["PERISCOLAIRE", "RESTAURATION", "EXTRASCOLAIRE"])),
    )


@st.composite
def communes(draw: st.DrawFn, max_activities: int = 4) -> Commune:
    """A valid commune configuration, its periods derived from a real school
    calendar (zone A, B or C, a school year from 2022/2023 to 2025/2026),
    with school-time and holiday-time activities, closures and any mix of
    deadline rules. Its calendar is built (and so checked).
    """
    zone = draw(st.sampled_from("ABC"))
    year = draw(school_years())
    derived = derive_periods(zone, year)
    # Periods as derived, or run on to the end of the holidays that follow them.
    periods = []
    for i, p in enumerate(derived):
        opens = p.opens + timedelta(days=draw(st.integers(0, 10)))
        opens = min(opens, p.start)
        end = p.end
        if i + 1 < len(derived) and draw(st.booleans()):
            end = derived[i + 1].start - timedelta(days=3)
        periods.append(BookingPeriod(i + 1, opens=opens, start=p.start, end=end))
    n = draw(st.integers(1, max_activities))
    codes = draw(st.lists(activity_codes(), min_size=n, max_size=n, unique=True))
    activities = {}
    for i, code in enumerate(codes):
        season = Season.HOLIDAYS if i == 1 else draw(st.sampled_from(Season))
        activities[code] = draw(_activity(code, season))
    closures = []
    for _ in range(draw(st.integers(0, 2))):
        start = periods[0].start + timedelta(days=draw(st.integers(0, 250)))
        closures.append(
            Closure(
                start=start,
                end=start + timedelta(days=draw(st.integers(0, 2))),
                activities=tuple(draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))),
                reason=draw(st.text(max_size=20)),
            )
        )
    commune = Commune(
        name=draw(st.text(min_size=1, max_size=20).filter(str.strip)),
        activities=activities,
        periods=tuple(periods),
        holiday_zone=zone,
        school_year=year,
        closures=tuple(closures),
    )
    try:
        commune.calendar  # noqa: B018 - building it checks every deadline rule
    except ConfigurationError:  # pragma: no cover - rare: a rule no day can meet
        assume(False)
    return commune


def instants(start: date, end: date) -> st.SearchStrategy[datetime]:
    """A naive commune-local instant between two days (inclusive)."""
    return st.datetimes(
        min_value=datetime.combine(start, time(0)),
        max_value=datetime.combine(end, time(23, 59, 59)),
    )
