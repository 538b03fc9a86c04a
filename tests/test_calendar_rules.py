"""The deadline rules as values: which day each one gives, and what it refuses.

Guide p. 10: « au plus tard 3 jours avant la date souhaitée » (accueil,
restauration, mercredi) and « au plus tard 14 jours avant le début de toute la
période de vacances » (holiday centre). Other communes count working days,
close on a weekday or on a day of the previous month, combine rules or give
some days another one: each rule is stated here on fixed days of the Cestas
2024/2025 calendar (zone A, its public holidays), as a table of cases.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

import periscolaire as ps
from periscolaire.calendar import DeadlineCase, Exceptions, NoDeadline, days_in_month, earliest, latest
from tests.helpers import CalendarContext

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
CODE = "RESTAURATION"


@pytest.fixture(scope="module")
def ctx(cal: ps.SchoolCalendar) -> CalendarContext:
    return CalendarContext(cal)


def last_day(rule: ps.DeadlineRule, day: date, ctx: CalendarContext) -> date:
    """The last day on which ``day`` may be booked under ``rule``."""
    return (rule.closes_at(CODE, day, ctx) - timedelta(microseconds=1)).date()


# -- DaysBefore: « au plus tard N jours avant » (guide p. 10), and which days count --

DAYS_BEFORE = [
    # (rule, day, last booking day, why)
    (ps.DaysBefore(3), date(2024, 9, 9), date(2024, 9, 6), "every day counts: Mon 9 -> Fri 6"),
    (ps.DaysBefore(3), date(2024, 11, 12), date(2024, 11, 9), "Armistice counts too"),
    (ps.DaysBefore(3, skip_weekends=True), date(2024, 9, 9), date(2024, 9, 4), "Fri 6, Thu 5, Wed 4"),
    (ps.DaysBefore(1, skip_weekends=True), date(2024, 9, 9), date(2024, 9, 6), "the Friday before a Monday"),
    (
        ps.DaysBefore(1, skip_weekends=True),
        date(2024, 9, 8),
        date(2024, 9, 6),
        "a Sunday: Saturday is skipped",
    ),
    (ps.DaysBefore(1, skip_weekends=True), date(2024, 9, 10), date(2024, 9, 9), "Tuesday: Monday"),
    (ps.DaysBefore(2, skip_public_holidays=True), date(2024, 11, 12), date(2024, 11, 9), "Mon 11 skipped"),
    (
        ps.DaysBefore(2, skip_public_holidays=True),
        date(2024, 11, 15),
        date(2024, 11, 13),
        "no holiday between",
    ),
    (ps.DaysBefore(3, working_days=True), date(2024, 11, 12), date(2024, 11, 6), "Fri 8, Thu 7, Wed 6"),
    (ps.DaysBefore(1, skip_weekdays=[SUN]), date(2024, 9, 9), date(2024, 9, 7), "Sunday not counted"),
    (ps.DaysBefore(2, skip_weekdays=[WED]), date(2024, 9, 12), date(2024, 9, 9), "Thu 12: Tue 10, Mon 9"),
    (ps.DaysBefore(2, skip_weekdays=[WED]), date(2024, 9, 10), date(2024, 9, 8), "Tue 10: Mon 9, Sun 8"),
    (ps.DaysBefore(0, at=time(9), skip_weekends=True), date(2024, 9, 9), date(2024, 9, 9), "the day itself"),
]


@pytest.mark.parametrize(("rule", "day", "expected", "why"), DAYS_BEFORE)
def test_days_before_counts_back_only_the_counted_days(
    ctx: CalendarContext, rule: ps.DaysBefore, day: date, expected: date, why: str
) -> None:
    assert rule.deadline_day(CODE, day, ctx) == expected, why
    assert last_day(rule, day, ctx) == expected, why


def test_the_deadline_day_is_always_a_counted_day(ctx: CalendarContext, cal: ps.SchoolCalendar) -> None:
    rules = [
        ps.DaysBefore(n, **skips)  # type: ignore[arg-type]
        for n in (1, 2, 3, 5)
        for skips in (
            {"skip_weekends": True},
            {"skip_public_holidays": True},
            {"working_days": True},
            {"skip_weekdays": [WED]},
        )
    ]
    for rule in rules:
        for day in cal.running_days(CODE, date(2024, 11, 4), date(2024, 11, 22)):
            deadline = rule.deadline_day(CODE, day, ctx)
            assert rule.counts(deadline, ctx), (rule, day)
            counted = [d for d in _days(deadline, day) if rule.counts(d, ctx)]
            assert len(counted) == rule.days, (rule, day)


def _days(first: date, end: date) -> list[date]:
    """first .. end, end excluded."""
    return [first + timedelta(days=i) for i in range((end - first).days)]


@pytest.mark.parametrize(
    ("rule", "day", "counted"),
    [
        (ps.DaysBefore(1), date(2024, 11, 11), True),  # nothing skipped
        (ps.DaysBefore(1, skip_weekends=True), date(2024, 11, 9), False),  # Saturday
        (ps.DaysBefore(1, skip_weekends=True), date(2024, 11, 10), False),  # Sunday
        (ps.DaysBefore(1, skip_weekends=True), date(2024, 11, 8), True),  # Friday
        (ps.DaysBefore(1, skip_weekends=True), date(2024, 11, 11), True),  # a public holiday, counted
        (ps.DaysBefore(1, skip_public_holidays=True), date(2024, 11, 11), False),
        (ps.DaysBefore(1, skip_public_holidays=True), date(2024, 11, 9), True),
        (ps.DaysBefore(1, skip_weekdays=[WED]), date(2024, 11, 13), False),
        (ps.DaysBefore(1, skip_weekdays=[WED]), date(2024, 11, 14), True),
    ],
)
def test_which_days_a_days_before_rule_counts(
    ctx: CalendarContext, rule: ps.DaysBefore, day: date, counted: bool
) -> None:
    assert rule.counts(day, ctx) is counted


def test_working_days_are_one_value_with_both_skips() -> None:
    both = ps.DaysBefore(3, skip_weekends=True, skip_public_holidays=True)
    working = ps.DaysBefore(3, working_days=True)
    assert working == both
    assert (working.skip_weekends, working.skip_public_holidays, working.working_days) == (True, True, True)
    assert both.working_days is True
    weekends = ps.DaysBefore(3, skip_weekends=True)
    assert (weekends.skip_weekends, weekends.skip_public_holidays, weekends.working_days) == (
        True,
        False,
        False,
    )
    public = ps.DaysBefore(3, skip_public_holidays=True)
    assert (public.skip_weekends, public.skip_public_holidays, public.working_days) == (False, True, False)
    assert ps.DaysBefore(3).working_days is False


def test_skipped_weekdays_are_one_sorted_set_without_the_weekend_when_weekends_are_skipped() -> None:
    assert ps.DaysBefore(3, skip_weekdays=[FRI, WED, WED]).skip_weekdays == (WED, FRI)
    assert ps.DaysBefore(3, skip_weekdays=(d for d in [SUN, MON])).skip_weekdays == (MON, SUN)
    weekends = ps.DaysBefore(3, skip_weekends=True, skip_weekdays=[SAT, SUN, FRI])
    assert weekends.skip_weekdays == (FRI,)
    assert weekends == ps.DaysBefore(3, skip_weekends=True, skip_weekdays=[FRI])
    assert ps.DaysBefore(3, working_days=True, skip_weekdays=[SUN]) == ps.DaysBefore(3, working_days=True)


@pytest.mark.parametrize(
    "rule",
    [
        lambda: ps.DaysBefore(1, skip_weekdays=range(6)),  # only Sunday counted
        lambda: ps.DaysBefore(1, skip_weekends=True, skip_weekdays=[MON, TUE, WED, THU]),  # only Friday
        lambda: ps.DaysBefore(0, at=time(0, 0, 1)),
    ],
)
def test_a_rule_that_counts_one_weekday_is_allowed(rule: object) -> None:
    assert isinstance(rule(), ps.DaysBefore)  # type: ignore[operator]


def test_a_rule_that_counts_no_weekday_is_refused() -> None:
    with pytest.raises(ps.InvalidArgument, match=r"^skip_weekdays : .*, reçu \(0, 1, 2, 3, 4, 5, 6\)"):
        ps.DaysBefore(1, skip_weekends=True, skip_weekdays=[MON, TUE, WED, THU, FRI])
    with pytest.raises(ps.InvalidArgument, match=r"^skip_weekdays : "):
        ps.DaysBefore(1, skip_weekdays=range(7))


# -- the cut-off time: at midnight at the end of the deadline day, or at `at` on it --


@pytest.mark.parametrize(
    ("rule", "closes"),
    [
        (ps.DaysBefore(2), datetime(2024, 9, 11, 0, 0)),
        (ps.DaysBefore(2, at=time(18)), datetime(2024, 9, 10, 18, 0)),
        (ps.DaysBefore(0, at=time(9, 30)), datetime(2024, 9, 12, 9, 30)),
        (ps.WeekdayBefore(MON), datetime(2024, 9, 10, 0, 0)),
        (ps.WeekdayBefore(MON, at=time(12)), datetime(2024, 9, 9, 12, 0)),
        (ps.DayOfPreviousMonth(20), datetime(2024, 8, 21, 0, 0)),
        (ps.DayOfPreviousMonth(20, at=time(17)), datetime(2024, 8, 20, 17, 0)),
        (NoDeadline(), datetime(2024, 9, 12, 0, 0)),
    ],
)
def test_a_rule_closes_at_its_cut_off_on_the_deadline_day_or_at_the_midnight_ending_it(
    ctx: CalendarContext, rule: ps.DeadlineRule, closes: datetime
) -> None:
    assert rule.closes_at(CODE, date(2024, 9, 12), ctx) == closes  # Thursday 12 September 2024


# -- WeekdayBefore: « le vendredi précédent », « le mercredi de la semaine précédente » --


@pytest.mark.parametrize(
    ("rule", "day", "expected"),
    [
        (ps.WeekdayBefore(FRI), date(2025, 3, 17), date(2025, 3, 14)),  # Monday: the Friday before
        (ps.WeekdayBefore(FRI), date(2025, 3, 15), date(2025, 3, 14)),  # Saturday: the day before
        (ps.WeekdayBefore(FRI), date(2025, 3, 14), date(2025, 3, 7)),  # Friday: strictly before
        (ps.WeekdayBefore(FRI), date(2025, 3, 13), date(2025, 3, 7)),  # Thursday
        (ps.WeekdayBefore(MON), date(2025, 3, 16), date(2025, 3, 10)),  # Sunday
        (ps.WeekdayBefore(SUN), date(2025, 3, 17), date(2025, 3, 16)),
        (ps.WeekdayBefore(WED, weeks=1), date(2025, 3, 17), date(2025, 3, 12)),  # Monday of the week
        (ps.WeekdayBefore(WED, weeks=1), date(2025, 3, 23), date(2025, 3, 12)),  # Sunday of the same week
        (ps.WeekdayBefore(WED, weeks=1), date(2025, 3, 24), date(2025, 3, 19)),  # the next week
        (ps.WeekdayBefore(MON, weeks=1), date(2025, 3, 19), date(2025, 3, 10)),
        (ps.WeekdayBefore(SUN, weeks=1), date(2025, 3, 19), date(2025, 3, 16)),
        (ps.WeekdayBefore(FRI, weeks=2), date(2025, 3, 20), date(2025, 3, 7)),
        (ps.WeekdayBefore(THU, weeks=3), date(2025, 1, 6), date(2024, 12, 19)),  # across New Year
    ],
)
def test_weekday_before_gives_that_weekday_of_the_right_week(
    ctx: CalendarContext, rule: ps.WeekdayBefore, day: date, expected: date
) -> None:
    assert rule.deadline_day(CODE, day, ctx) == expected
    assert expected.weekday() == rule.weekday


# -- DayOfPreviousMonth: « le 20 du mois précédent »; past a short month's end, its last day --


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("year", [2024, 2025])
def test_the_thirty_first_of_the_previous_month_is_its_last_day(
    ctx: CalendarContext, year: int, month: int
) -> None:
    first = date(year, month, 1)
    end_of_previous = first - timedelta(days=1)
    assert ps.DayOfPreviousMonth(31).deadline_day(CODE, first, ctx) == end_of_previous
    assert ps.DayOfPreviousMonth(31).deadline_day(CODE, first + timedelta(days=27), ctx) == end_of_previous
    twentieth = ps.DayOfPreviousMonth(20).deadline_day(CODE, first, ctx)
    assert twentieth == end_of_previous.replace(day=20)


@pytest.mark.parametrize(
    ("rule", "day", "expected"),
    [
        (ps.DayOfPreviousMonth(29), date(2024, 3, 4), date(2024, 2, 29)),  # a leap year
        (ps.DayOfPreviousMonth(29), date(2025, 3, 3), date(2025, 2, 28)),
        (ps.DayOfPreviousMonth(30), date(2024, 12, 2), date(2024, 11, 30)),
        (ps.DayOfPreviousMonth(31), date(2025, 1, 6), date(2024, 12, 31)),  # January: December
        (ps.DayOfPreviousMonth(1), date(2025, 1, 31), date(2024, 12, 1)),
        (ps.DayOfPreviousMonth(28), date(2025, 12, 1), date(2025, 11, 28)),
    ],
)
def test_day_of_previous_month_table(
    ctx: CalendarContext, rule: ps.DayOfPreviousMonth, day: date, expected: date
) -> None:
    assert rule.deadline_day(CODE, day, ctx) == expected


# -- BeforeHolidayStart (guide p. 10: 14 days before the start of the holidays) --


def test_before_holiday_start_counts_from_the_official_start(ctx: CalendarContext) -> None:
    # Christmas 2024 starts on Saturday 21 December (zone A).
    for day in (date(2024, 12, 23), date(2025, 1, 3)):
        assert ps.BeforeHolidayStart(14).deadline_day(CODE, day, ctx) == date(2024, 12, 7)
        assert ps.BeforeHolidayStart(1, at=time(12)).closes_at(CODE, day, ctx) == datetime(2024, 12, 20, 12)
        assert ps.BeforeHolidayStart(0, at=time(8)).closes_at(CODE, day, ctx) == datetime(2024, 12, 21, 8)


# -- combinations: the earliest (every rule met), the latest (one is enough), exceptions --


def test_earliest_and_latest_of_two_rules(ctx: CalendarContext) -> None:
    three, friday = ps.DaysBefore(3), ps.WeekdayBefore(FRI, at=time(12))
    monday, thursday = date(2025, 3, 17), date(2025, 3, 20)
    # Monday 17: 3 days -> Saturday 15 at 00:00; Friday 14 at noon.
    assert earliest(three, friday).closes_at(CODE, monday, ctx) == datetime(2025, 3, 14, 12)
    assert latest(three, friday).closes_at(CODE, monday, ctx) == datetime(2025, 3, 15)
    # Thursday 20: 3 days -> Tuesday 18 at 00:00; Friday 14 at noon.
    assert earliest(three, friday).closes_at(CODE, thursday, ctx) == datetime(2025, 3, 14, 12)
    assert latest(three, friday).closes_at(CODE, thursday, ctx) == datetime(2025, 3, 18)
    # Three rules.
    month = ps.DayOfPreviousMonth(20)
    assert earliest(three, friday, month).closes_at(CODE, thursday, ctx) == datetime(2025, 2, 21)
    assert latest(month, friday, three).closes_at(CODE, thursday, ctx) == datetime(2025, 3, 18)


def test_a_combination_lists_the_simple_rules_it_is_made_of() -> None:
    three, friday, month = ps.DaysBefore(3), ps.WeekdayBefore(FRI), ps.DayOfPreviousMonth(20)
    assert list(earliest(three, latest(friday, month)).leaves()) == [three, friday, month]
    rule = Exceptions(
        three,
        [
            DeadlineCase(earliest(friday, month), periods=[5]),
            DeadlineCase(NoDeadline(), days=[date(2025, 3, 17)]),
        ],
    )
    assert list(rule.leaves()) == [three, friday, month, NoDeadline()]
    assert list(three.leaves()) == [three]


@pytest.mark.parametrize(
    ("case", "day", "matches"),
    [
        (DeadlineCase(NoDeadline(), days=[date(2025, 3, 17)]), date(2025, 3, 17), True),
        (DeadlineCase(NoDeadline(), days=[date(2025, 3, 17)]), date(2025, 3, 18), False),
        (DeadlineCase(NoDeadline(), start=date(2025, 3, 24), end=date(2025, 3, 28)), date(2025, 3, 24), True),
        (DeadlineCase(NoDeadline(), start=date(2025, 3, 24), end=date(2025, 3, 28)), date(2025, 3, 28), True),
        (
            DeadlineCase(NoDeadline(), start=date(2025, 3, 24), end=date(2025, 3, 28)),
            date(2025, 3, 21),
            False,
        ),
        (
            DeadlineCase(NoDeadline(), start=date(2025, 3, 24), end=date(2025, 3, 28)),
            date(2025, 3, 31),
            False,
        ),
        (DeadlineCase(NoDeadline(), start=date(2025, 3, 24)), date(2025, 7, 4), True),
        (DeadlineCase(NoDeadline(), start=date(2025, 3, 24)), date(2025, 3, 21), False),
        (DeadlineCase(NoDeadline(), end=date(2024, 9, 13)), date(2024, 9, 2), True),
        (DeadlineCase(NoDeadline(), end=date(2024, 9, 13)), date(2024, 9, 16), False),
        (DeadlineCase(NoDeadline(), periods=[5]), date(2025, 5, 5), True),
        (DeadlineCase(NoDeadline(), periods=[5]), date(2025, 4, 18), False),  # period 4
        (DeadlineCase(NoDeadline(), periods=[1, 5]), date(2024, 9, 2), True),
        (DeadlineCase(NoDeadline(), periods=[5]), date(2025, 7, 7), False),  # in no period
        (DeadlineCase(NoDeadline(), days=[date(2024, 9, 2)], periods=[5]), date(2024, 9, 2), True),  # either
        (DeadlineCase(NoDeadline(), days=[date(2024, 9, 2)], periods=[5]), date(2025, 5, 5), True),
        (DeadlineCase(NoDeadline(), days=[date(2024, 9, 2)], end=date(2024, 8, 1)), date(2024, 9, 3), False),
    ],
)
def test_a_case_matches_its_days_its_range_or_its_periods(
    ctx: CalendarContext, case: DeadlineCase, day: date, matches: bool
) -> None:
    assert case.matches(day, ctx) is matches


def test_the_first_case_that_matches_gives_the_rule(ctx: CalendarContext) -> None:
    seven, none = ps.DaysBefore(7), NoDeadline()
    rule = Exceptions(
        ps.DaysBefore(3),
        [DeadlineCase(none, days=[date(2025, 5, 12)]), DeadlineCase(seven, periods=[5])],
    )
    assert rule.rule_for(date(2025, 5, 12), ctx) == none  # both match: the first one
    assert rule.rule_for(date(2025, 5, 13), ctx) == seven
    assert rule.rule_for(date(2025, 3, 20), ctx) == ps.DaysBefore(3)  # none: the default
    assert rule.closes_at(CODE, date(2025, 5, 12), ctx) == datetime(2025, 5, 12)
    assert rule.closes_at(CODE, date(2025, 5, 13), ctx) == datetime(2025, 5, 7)
    assert rule.closes_at(CODE, date(2025, 3, 20), ctx) == datetime(2025, 3, 18)


# -- what the rules refuse --------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: ps.DaysBefore(-1), "days"),
        (lambda: ps.DaysBefore(True), "days"),
        (lambda: ps.DaysBefore(2.0), "days"),
        (lambda: ps.DaysBefore(0), "days"),  # the day itself needs a cut-off time
        (lambda: ps.DaysBefore(3, at="12:00"), "at"),
        (lambda: ps.DaysBefore(3, at=datetime(2024, 9, 1, 12)), "at"),
        (lambda: ps.DaysBefore(3, working_days=1), "working_days"),
        (lambda: ps.DaysBefore(3, skip_weekends="yes"), "skip_weekends"),
        (lambda: ps.DaysBefore(3, skip_public_holidays=None), "skip_public_holidays"),
        (lambda: ps.DaysBefore(3, skip_weekdays=[7]), "skip_weekdays"),
        (lambda: ps.DaysBefore(3, skip_weekdays=[-1]), "skip_weekdays"),
        (lambda: ps.DaysBefore(3, skip_weekdays=[True]), "skip_weekdays"),
        (lambda: ps.DaysBefore(3, skip_weekdays=[2.0]), "skip_weekdays"),
        (lambda: ps.BeforeHolidayStart(-1), "days"),
        (lambda: ps.BeforeHolidayStart(0), "days"),
        (lambda: ps.BeforeHolidayStart(14, anchor="monday"), "anchor"),
        (lambda: ps.WeekdayBefore(7), "weekday"),
        (lambda: ps.WeekdayBefore(-1), "weekday"),
        (lambda: ps.WeekdayBefore(True), "weekday"),
        (lambda: ps.WeekdayBefore("fri"), "weekday"),
        (lambda: ps.WeekdayBefore(FRI, weeks=0), "weeks"),
        (lambda: ps.WeekdayBefore(FRI, weeks=53), "weeks"),
        (lambda: ps.WeekdayBefore(FRI, weeks=True), "weeks"),
        (lambda: ps.WeekdayBefore(FRI, weeks=1.0), "weeks"),
        (lambda: ps.WeekdayBefore(FRI, at=12), "at"),
        (lambda: ps.DayOfPreviousMonth(0), "day"),
        (lambda: ps.DayOfPreviousMonth(32), "day"),
        (lambda: ps.DayOfPreviousMonth(True), "day"),
        (lambda: ps.DayOfPreviousMonth(20.0), "day"),
        (lambda: earliest(ps.DaysBefore(3)), "rules"),
        (lambda: latest(ps.DaysBefore(3)), "rules"),
        (lambda: earliest(ps.DaysBefore(3), "le vendredi"), "rules"),
        (lambda: latest("3 jours", ps.DaysBefore(3)), "rules"),
        (lambda: DeadlineCase("none", periods=[5]), "rule"),
        (lambda: DeadlineCase(NoDeadline()), "DeadlineCase"),  # no day given
        (lambda: DeadlineCase(NoDeadline(), days=[datetime(2025, 3, 17)]), "days"),
        (lambda: DeadlineCase(NoDeadline(), days=["2025-03-17"]), "days"),
        (lambda: DeadlineCase(NoDeadline(), start=datetime(2025, 3, 17)), "start"),
        (lambda: DeadlineCase(NoDeadline(), end="2025-03-17"), "end"),
        (lambda: DeadlineCase(NoDeadline(), periods=[True]), "periods"),
        (lambda: DeadlineCase(NoDeadline(), periods=["5"]), "periods"),
        (
            lambda: DeadlineCase(NoDeadline(), start=date(2025, 3, 28), end=date(2025, 3, 24)),
            "start",
        ),
        (lambda: Exceptions(ps.DaysBefore(3), []), "cases"),
        (lambda: Exceptions(ps.DaysBefore(3), [ps.DaysBefore(7)]), "cases"),
        (lambda: Exceptions(None, [DeadlineCase(NoDeadline(), periods=[5])]), "default"),
    ],
)
def test_a_rule_refuses_what_it_cannot_mean(build: object, field: str) -> None:
    # An InvalidArgument (a TypeError) naming the field, in French.
    with pytest.raises(ps.InvalidArgument, match=rf"^{field} : "):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(
    "build",
    [
        lambda: ps.WeekdayBefore(MON, weeks=1),
        lambda: ps.WeekdayBefore(SUN, weeks=52),
        lambda: ps.DayOfPreviousMonth(1),
        lambda: ps.DayOfPreviousMonth(31),
        lambda: ps.BeforeHolidayStart(0, at=time(12)),
        lambda: DeadlineCase(NoDeadline(), start=date(2025, 3, 24), end=date(2025, 3, 24)),
        lambda: DeadlineCase(NoDeadline(), days=[date(2025, 3, 24)], start=date(2025, 4, 1)),
        lambda: DeadlineCase(NoDeadline(), end=date(2025, 3, 24)),
    ],
)
def test_the_edges_of_what_a_rule_accepts(build: object) -> None:
    assert build() is not None  # type: ignore[operator]


def test_rules_are_frozen_values_whatever_iterable_they_are_given() -> None:
    case = DeadlineCase(
        NoDeadline(),
        days=[date(2025, 3, 18), date(2025, 3, 17), date(2025, 3, 18)],
        periods=(n for n in [5, 1, 5]),
    )
    assert case.days == (date(2025, 3, 17), date(2025, 3, 18))
    assert case.periods == (1, 5)
    assert Exceptions(ps.DaysBefore(3), (c for c in [case])) == Exceptions(ps.DaysBefore(3), [case])
    assert earliest(ps.DaysBefore(3), NoDeadline()).rules == (ps.DaysBefore(3), NoDeadline())
    assert hash(Exceptions(ps.DaysBefore(3), [case])) == hash(Exceptions(ps.DaysBefore(3), (case,)))
    closure = ps.Closure(date(2024, 10, 9), date(2024, 10, 10), ["MERCREDI"])
    assert closure.activities == ("MERCREDI",)
    assert hash(closure) == hash(ps.Closure(date(2024, 10, 9), date(2024, 10, 10), ("MERCREDI",)))


@pytest.mark.parametrize(
    "build",
    [
        lambda: ps.BookingPeriod(
            1, opens=datetime(2024, 8, 19), start=date(2024, 9, 2), end=date(2024, 10, 18)
        ),
        lambda: ps.BookingPeriod(1, opens=date(2024, 8, 19), start="2024-09-02", end=date(2024, 10, 18)),
        lambda: ps.BookingPeriod(1, opens=date(2024, 8, 19), start=date(2024, 9, 2), end=None),
        lambda: ps.Closure(datetime(2024, 9, 4), date(2024, 9, 4)),
        lambda: ps.Closure(date(2024, 9, 4), "2024-09-04"),
        lambda: ps.HolidayWindow("2024-10-19", date(2024, 11, 3)),
        lambda: ps.HolidayWindow(date(2024, 10, 19), datetime(2024, 11, 3)),
    ],
)
def test_configuration_values_hold_dates_not_datetimes(build: object) -> None:
    with pytest.raises(
        ps.InvalidArgument, match=r"^(opens|start|end) : une date \(datetime.date\) est attendue"
    ):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("year", "lengths"),
    [
        (2024, (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)),  # a leap year
        (2025, (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)),
        (2100, (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)),  # not a leap year
    ],
)
def test_the_number_of_days_of_each_month(year: int, lengths: tuple[int, ...]) -> None:
    assert tuple(days_in_month(year, month) for month in range(1, 13)) == lengths
