"""How a school calendar is built from a commune's configuration, and what it refuses.

Guide p. 10: bookings « par cycle, de vacances à vacances », open « à partir
du dernier jour d'école précédant les vacances »; the holiday centre runs in
the school holidays; public holidays and closures (p. 15: « exceptionnellement
fermé ») are days nothing runs. Small calendars built here give their own
public and school holidays (as a host may), so each rule is seen alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import periscolaire as ps
from periscolaire.calendar import DeadlineCase, Exceptions, clock_changes, days_between, load_timezone

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEK = (MON, TUE, WED, THU, FRI)
PARIS = ZoneInfo("Europe/Paris")
SEPTEMBER = ps.BookingPeriod(1, opens=date(2024, 8, 26), start=date(2024, 9, 2), end=date(2024, 9, 27))


def school(code: str = "CANTINE", rule: ps.DeadlineRule | None = None, **other: object) -> ps.Activity:
    return ps.Activity(
        code,
        code,
        ps.Season.SCHOOL,
        other.pop("weekdays", (MON, TUE, THU, FRI)),
        rule or ps.DaysBefore(2),
        **other,
    )  # type: ignore[arg-type]


def centre(code: str = "CENTRE", rule: ps.DeadlineRule | None = None) -> ps.Activity:
    return ps.Activity(code, code, ps.Season.HOLIDAYS, WEEK, rule or ps.BeforeHolidayStart(7))


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def calendar(
    *activities: ps.Activity,
    periods: Sequence[ps.BookingPeriod] = (SEPTEMBER,),
    public: Sequence[date] = (),
    holidays: Sequence[date] = (),
    **other: object,
) -> ps.SchoolCalendar:
    return ps.SchoolCalendar(
        zone=other.pop("zone", "A"),  # type: ignore[arg-type]
        periods=periods,
        activities=activities or (school(),),
        public_holidays=public,
        school_holidays=holidays,
        **other,  # type: ignore[arg-type]
    )


# -- which days an activity runs --------------------------------------------------------------


def test_a_school_activity_runs_on_its_weekdays_of_the_periods_but_not_on_holidays() -> None:
    cal = calendar(
        school(weekdays=(MON, WED)),
        public=[date(2024, 9, 9)],  # a Monday
        holidays=[date(2024, 9, 18)],  # a Wednesday
        closures=[ps.Closure(date(2024, 9, 23), date(2024, 9, 25))],  # Monday to Wednesday, every activity
    )
    assert cal.running_days("CANTINE") == (
        date(2024, 9, 2),
        date(2024, 9, 4),
        date(2024, 9, 11),
        date(2024, 9, 16),
    )
    assert cal.first_day == date(2024, 9, 2)
    assert cal.last_day == date(2024, 9, 27)


def test_a_closure_closes_only_the_activities_it_names() -> None:
    closure = ps.Closure(date(2024, 9, 12), date(2024, 9, 13), ("CANTINE",), reason="Travaux")
    cal = calendar(school("CANTINE"), school("GARDERIE"), closures=[closure])
    assert cal.closures == (closure,)
    for day in (date(2024, 9, 12), date(2024, 9, 13)):
        assert not cal.runs_on("CANTINE", day)
        assert cal.runs_on("GARDERIE", day)
    assert cal.runs_on("CANTINE", date(2024, 9, 10))
    assert cal.runs_on("CANTINE", date(2024, 9, 16))
    assert closure.closes("CANTINE", date(2024, 9, 12))
    assert not closure.closes("GARDERIE", date(2024, 9, 12))
    assert not closure.closes("CANTINE", date(2024, 9, 11))
    assert not closure.closes("CANTINE", date(2024, 9, 14))


def test_a_closure_naming_no_activity_closes_every_activity() -> None:
    closure = ps.Closure(date(2024, 9, 13), date(2024, 9, 13), reason="Journée pédagogique")
    for code in ("CANTINE", "GARDERIE", "MERCREDI"):
        assert closure.closes(code, date(2024, 9, 13)), code
        assert not closure.closes(code, date(2024, 9, 12)), code


def test_the_holiday_centre_runs_on_its_weekdays_of_the_school_holidays_only() -> None:
    toussaint = days(date(2024, 10, 19), 16)  # Saturday 19 October to Sunday 3 November
    period = ps.BookingPeriod(1, opens=date(2024, 9, 2), start=date(2024, 9, 2), end=date(2024, 11, 29))
    cal = calendar(centre(), school(), periods=[period], public=[date(2024, 11, 1)], holidays=toussaint)
    running = cal.running_days("CENTRE")
    assert running[0] == date(2024, 10, 21)
    assert running[-1] == date(2024, 10, 31)
    assert date(2024, 11, 1) not in running  # a public holiday
    assert len(running) == 9
    assert not any(cal.runs_on("CANTINE", d) for d in toussaint)
    assert cal.runs_on("CANTINE", date(2024, 11, 4))


@pytest.mark.parametrize(("length", "is_a_period"), [(6, False), (7, True), (9, True)])
def test_a_run_of_school_holidays_shorter_than_a_week_is_a_bridge_not_a_holiday_period(
    length: int, is_a_period: bool
) -> None:
    # « le pont de l'Ascension » is a school holiday but not a holiday period of the centre.
    period = ps.BookingPeriod(1, opens=date(2024, 9, 2), start=date(2024, 9, 2), end=date(2024, 11, 29))
    block = days(date(2024, 10, 19), length)
    cal = calendar(school(), periods=[period], holidays=block)
    assert (cal.holiday_of(date(2024, 10, 21)) is not None) is is_a_period
    assert len(cal.holiday_periods) == int(is_a_period)
    assert not cal.runs_on("CANTINE", date(2024, 10, 21))  # a school holiday either way


def test_holiday_periods_are_cut_to_the_booking_periods_span() -> None:
    summer = days(date(2024, 7, 6), 58)  # to 1 September
    period = ps.BookingPeriod(1, opens=date(2024, 8, 19), start=date(2024, 8, 26), end=date(2024, 9, 27))
    cal = calendar(centre(rule=ps.DaysBefore(3)), periods=[period], holidays=summer)
    assert [(h.start, h.end) for h in cal.holiday_periods] == [(date(2024, 8, 26), date(2024, 9, 1))]
    assert cal.holiday_start(date(2024, 8, 26)) == date(2024, 7, 6)  # not cut
    assert cal.running_days("CENTRE") == tuple(days(date(2024, 8, 26), 5))


def test_holidays_overlapping_the_periods_by_one_day_make_a_one_day_holiday_period() -> None:
    summer = days(date(2024, 7, 6), 59)  # to Monday 2 September
    cal = calendar(centre(rule=ps.DaysBefore(3)), school(), holidays=summer)
    assert [(h.start, h.end) for h in cal.holiday_periods] == [(date(2024, 9, 2), date(2024, 9, 2))]
    assert cal.running_days("CENTRE") == (date(2024, 9, 2),)
    assert cal.running_days("CANTINE")[0] == date(2024, 9, 3)


def test_holidays_given_by_the_host_have_no_name() -> None:
    toussaint = days(date(2024, 10, 19), 16)
    period = ps.BookingPeriod(1, opens=date(2024, 9, 2), start=date(2024, 9, 2), end=date(2024, 11, 29))
    cal = calendar(school(), periods=[period], holidays=toussaint)
    assert [(h.start, h.end, h.label) for h in cal.holiday_periods] == [
        (date(2024, 10, 19), date(2024, 11, 3), "")
    ]


def test_cestas_holiday_periods_are_the_zone_a_holidays_named_after_them() -> None:
    cal = ps.load_commune().calendar  # built here: the table depends on how it is built
    assert [(h.start, h.end, h.label) for h in cal.holiday_periods] == [
        (date(2024, 10, 19), date(2024, 11, 3), "Vacances de la Toussaint 2024"),  # configured
        (date(2024, 12, 21), date(2025, 1, 5), "Vacances de Noël"),
        (date(2025, 2, 22), date(2025, 3, 9), "Vacances d'hiver"),
        (date(2025, 4, 19), date(2025, 5, 4), "Vacances de printemps"),
    ]
    assert [cal.holiday_start(h.start) for h in cal.holiday_periods] == [
        date(2024, 10, 19),
        date(2024, 12, 21),
        date(2025, 2, 22),
        date(2025, 4, 19),
    ]


@pytest.mark.parametrize(
    ("window", "replaced", "anchor"),
    [
        # starts on the holidays' last day: the official start stays the anchor
        ((date(2024, 11, 3), date(2024, 11, 8)), True, date(2024, 10, 19)),
        # ends on their first day: it begins earlier, it is its own anchor
        ((date(2024, 10, 14), date(2024, 10, 19)), True, date(2024, 10, 14)),
        ((date(2024, 11, 4), date(2024, 11, 8)), False, date(2024, 11, 4)),  # the day after
        ((date(2024, 10, 11), date(2024, 10, 18)), False, date(2024, 10, 11)),  # up to the day before
    ],
)
def test_a_configured_window_replaces_the_holidays_it_overlaps_by_a_single_day(
    window: tuple[date, date], replaced: bool, anchor: date
) -> None:
    toussaint = days(date(2024, 10, 19), 16)  # 19 October to 3 November
    period = ps.BookingPeriod(1, opens=date(2024, 9, 2), start=date(2024, 9, 2), end=date(2024, 12, 20))
    configured = ps.HolidayWindow(*window, opens=date(2024, 9, 16), label="Stage")
    cal = calendar(school(), periods=[period], holidays=toussaint, holiday_windows=[configured])
    derived = [h for h in cal.holiday_periods if h != configured]
    assert derived == ([] if replaced else [ps.HolidayWindow(date(2024, 10, 19), date(2024, 11, 3))])
    assert cal.holiday_start(window[1]) == anchor


def test_several_configured_windows_in_any_order() -> None:
    period = ps.BookingPeriod(1, opens=date(2024, 9, 2), start=date(2024, 9, 2), end=date(2024, 12, 20))
    later = ps.HolidayWindow(date(2024, 11, 11), date(2024, 11, 15), opens=date(2024, 10, 1), label="Pont")
    earlier = ps.HolidayWindow(date(2024, 10, 21), date(2024, 10, 25), opens=date(2024, 9, 16), label="Stage")
    cal = calendar(
        centre(rule=ps.DaysBefore(3)), school(), periods=[period], holiday_windows=[later, earlier]
    )
    assert cal.holiday_periods == (earlier, later)
    assert cal.opens_at("CENTRE", date(2024, 11, 12)) == datetime(2024, 10, 1, tzinfo=PARIS)
    assert cal.opens_at("CENTRE", date(2024, 10, 22)) == datetime(2024, 9, 16, tzinfo=PARIS)
    # A window's opening date is the holiday centre's: the canteen, open on these
    # days (they are no school holidays), opens with the period.
    assert cal.opens_at("CANTINE", date(2024, 11, 12)) == datetime(2024, 9, 2, tzinfo=PARIS)


def test_holidays_outside_the_booking_periods_are_no_holiday_period() -> None:
    christmas = days(date(2024, 12, 21), 16)
    cal = calendar(school(), holidays=christmas)
    assert cal.holiday_periods == ()
    assert cal.holiday_of(date(2024, 12, 23)) is None


def test_a_configured_window_replaces_the_holidays_it_overlaps_and_keeps_their_start() -> None:
    toussaint = days(date(2024, 10, 19), 16)
    period = ps.BookingPeriod(1, opens=date(2024, 9, 2), start=date(2024, 9, 2), end=date(2024, 12, 20))
    window = ps.HolidayWindow(date(2024, 10, 21), date(2024, 10, 25), opens=date(2024, 9, 16), label="Stage")
    cal = calendar(centre(), periods=[period], holidays=toussaint, holiday_windows=[window])
    assert cal.holiday_periods == (window,)
    assert cal.holiday_start(date(2024, 10, 23)) == date(2024, 10, 19)
    assert cal.running_days("CENTRE") == tuple(days(date(2024, 10, 21), 5))
    assert cal.opens_at("CENTRE", date(2024, 10, 21)) == datetime(2024, 9, 16, tzinfo=PARIS)
    assert cal.last_booking_day("CENTRE", date(2024, 10, 25)) == date(2024, 10, 12)  # 7 days before the 19th


def test_windows_and_derived_holiday_periods_come_in_order() -> None:
    toussaint, christmas = days(date(2024, 10, 19), 16), days(date(2024, 12, 21), 16)
    period = ps.BookingPeriod(1, opens=date(2024, 9, 2), start=date(2024, 9, 2), end=date(2025, 1, 10))
    bridge = ps.HolidayWindow(date(2024, 11, 11), date(2024, 11, 15), opens=date(2024, 10, 1), label="Pont")
    cal = calendar(centre(), periods=[period], holidays=[*christmas, *toussaint], holiday_windows=[bridge])
    assert [h.start for h in cal.holiday_periods] == [date(2024, 10, 19), bridge.start, date(2024, 12, 21)]
    assert cal.holiday_start(date(2024, 11, 12)) == date(2024, 11, 11)  # overlaps no school holidays


# -- when bookings open -----------------------------------------------------------------------------


def test_a_period_opens_at_its_opening_time() -> None:
    period = ps.BookingPeriod(
        1, opens=date(2024, 8, 26), start=date(2024, 9, 2), end=date(2024, 9, 27), opens_time=time(8, 30)
    )
    cal = calendar(periods=[period])
    assert period.opens_at == datetime(2024, 8, 26, 8, 30)
    assert cal.opens_at("CANTINE", date(2024, 9, 2)) == datetime(2024, 8, 26, 8, 30, tzinfo=PARIS)
    assert not cal.is_bookable("CANTINE", date(2024, 9, 2), datetime(2024, 8, 26, 8, 29))


def test_each_day_opens_with_the_period_that_covers_it_whatever_their_order() -> None:
    second = ps.BookingPeriod(2, opens=date(2024, 9, 20), start=date(2024, 9, 30), end=date(2024, 10, 18))
    cal = calendar(periods=[second, SEPTEMBER])
    assert cal.periods == (SEPTEMBER, second)
    assert (cal.first_day, cal.last_day) == (date(2024, 9, 2), date(2024, 10, 18))
    assert cal.opens_at("CANTINE", date(2024, 9, 27)) == datetime(2024, 8, 26, tzinfo=PARIS)
    assert cal.opens_at("CANTINE", date(2024, 9, 30)) == datetime(2024, 9, 20, tzinfo=PARIS)
    assert cal.period_of(date(2024, 9, 30)) == second
    assert cal.period_of(date(2024, 9, 28)) is None  # the weekend between them


def test_periods_are_kept_in_the_order_of_their_days_whatever_their_numbers() -> None:
    # A host numbering its periods otherwise (say, by a database key): the
    # calendar spans from the earliest first day to the latest last day.
    later = ps.BookingPeriod(1, opens=date(2024, 9, 20), start=date(2024, 9, 30), end=date(2024, 10, 18))
    earlier = ps.BookingPeriod(7, opens=date(2024, 8, 26), start=date(2024, 9, 2), end=date(2024, 9, 27))
    cal = calendar(periods=[later, earlier])
    assert cal.periods == (earlier, later)
    assert (cal.first_day, cal.last_day) == (date(2024, 9, 2), date(2024, 10, 18))
    assert cal.running_days("CANTINE")[0] == date(2024, 9, 2)
    assert cal.period(7) == earlier


def test_holidays_between_two_periods_open_with_the_period_before_them() -> None:
    toussaint = days(date(2024, 10, 19), 16)
    first = ps.BookingPeriod(1, opens=date(2024, 8, 26), start=date(2024, 9, 2), end=date(2024, 10, 18))
    second = ps.BookingPeriod(2, opens=date(2024, 10, 7), start=date(2024, 11, 4), end=date(2024, 12, 20))
    cal = calendar(centre(), periods=[second, first], holidays=toussaint)
    for day in cal.running_days("CENTRE"):
        assert cal.opens_at("CENTRE", day) == datetime(2024, 8, 26, tzinfo=PARIS), day


def test_holidays_before_every_period_need_their_own_opening_date() -> None:
    summer = ps.HolidayWindow(date(2024, 8, 19), date(2024, 8, 30), label="Été")
    with pytest.raises(ps.ConfigurationError) as info:
        calendar(centre(), holiday_windows=[summer])
    assert info.value.path == "holiday_windows"
    assert "CENTRE" in str(info.value)
    opened = ps.HolidayWindow(date(2024, 8, 19), date(2024, 8, 30), opens=date(2024, 7, 1), label="Été")
    cal = calendar(centre(rule=ps.DaysBefore(7)), holiday_windows=[opened])
    assert cal.opens_at("CENTRE", date(2024, 8, 19)) == datetime(2024, 7, 1, tzinfo=PARIS)


# -- what the calendar refuses (ConfigurationError: its path names the key) ----------------------


def test_the_zone_is_a_b_or_c() -> None:
    for zone in ("A", "B", "C"):
        assert calendar(zone=zone).zone == zone
    with pytest.raises(ps.ConfigurationError) as info:
        calendar(zone="D")
    assert info.value.path == "commune.holiday_zone"


def test_a_calendar_needs_a_booking_period() -> None:
    with pytest.raises(ps.ConfigurationError) as info:
        calendar(periods=[])
    assert info.value.path == "periods"


def test_an_activity_is_declared_once() -> None:
    with pytest.raises(ps.ConfigurationError) as info:
        calendar(school("CANTINE"), school("CANTINE"))
    assert info.value.path == "activities.CANTINE"


def test_an_activity_that_never_runs_is_refused() -> None:
    with pytest.raises(ps.ConfigurationError) as info:
        calendar(
            school("SAMEDI", weekdays=(SAT,)),
            periods=[ps.BookingPeriod(1, date(2024, 8, 26), date(2024, 9, 2), date(2024, 9, 6))],
        )
    assert (info.value.path, info.value.code) == ("activities.SAMEDI", "never_runs")
    with pytest.raises(ps.ConfigurationError) as info:
        calendar(centre())  # no school holidays in September
    assert (info.value.path, info.value.code) == ("activities.CENTRE", "never_runs")


@pytest.mark.parametrize(
    ("deadline", "cancel", "key"),
    [
        (ps.BeforeHolidayStart(14), None, "deadline"),
        (ps.DaysBefore(2), ps.BeforeHolidayStart(14), "cancel_deadline"),
        (
            Exceptions(ps.DaysBefore(2), [DeadlineCase(ps.BeforeHolidayStart(7), periods=[1])]),
            None,
            "deadline",
        ),
    ],
)
def test_a_holiday_deadline_is_refused_for_a_school_activity(
    deadline: ps.DeadlineRule, cancel: ps.DeadlineRule | None, key: str
) -> None:
    with pytest.raises(ps.ConfigurationError) as info:
        calendar(school(rule=deadline, cancel_deadline=cancel))
    assert info.value.path == f"activities.CANTINE.{key}"


def test_a_deadline_no_day_can_meet_is_refused() -> None:
    # September opens on 26 August: 40 days before any day of it is before then.
    with pytest.raises(ps.ConfigurationError) as info:
        calendar(school(rule=ps.DaysBefore(40)))
    assert (info.value.path, info.value.code) == ("activities.CANTINE.deadline", "deadline_never_met")
    assert "au plus tard 40 jours avant" in str(info.value)
    # 14 days: the first days cannot be booked, the last ones can: allowed.
    cal = calendar(school(rule=ps.DaysBefore(14)))
    assert not cal.is_bookable("CANTINE", date(2024, 9, 2), datetime(2024, 8, 26))
    assert cal.is_bookable("CANTINE", date(2024, 9, 27), datetime(2024, 8, 26))
    # A deadline exactly at the opening leaves nothing either.
    with pytest.raises(ps.ConfigurationError, match="deadline"):
        calendar(
            school(rule=ps.DaysBefore(7), weekdays=(MON,)),
            periods=[
                ps.BookingPeriod(1, opens=date(2024, 8, 27), start=date(2024, 9, 2), end=date(2024, 9, 2))
            ],
        )


def test_the_cancellation_deadline_defaults_to_the_booking_deadline() -> None:
    cal = calendar(
        school(rule=ps.DaysBefore(2), cancel_deadline=ps.DaysBefore(1, at=time(9))), school("GARDERIE")
    )
    thursday = date(2024, 9, 12)
    assert cal.cancel_closes_at("CANTINE", thursday) == datetime(2024, 9, 11, 9, tzinfo=PARIS)
    assert cal.cancel_closes_at("GARDERIE", thursday) == cal.closes_at("GARDERIE", thursday)


# -- what the calendar keeps ----------------------------------------------------------------------


def test_the_calendar_lists_its_activities_in_their_order() -> None:
    cal = calendar(school("GARDERIE"), school("CANTINE"))
    assert cal.activities == ("GARDERIE", "CANTINE")
    assert repr(cal) == (
        "SchoolCalendar(zone='A', periods=1, from=2024-09-02, to=2024-09-27, activities=('GARDERIE', 'CANTINE'))"
    )


def test_the_windows_are_a_read_only_view_of_every_running_day() -> None:
    cal = calendar()
    windows = cal.windows("CANTINE")
    assert tuple(windows) == cal.running_days("CANTINE")
    assert windows[date(2024, 9, 2)] == ps.BookingWindow(
        datetime(2024, 8, 26), datetime(2024, 9, 1), datetime(2024, 9, 1)
    )  # 2 days before: until Saturday 31 August included
    with pytest.raises(TypeError):
        windows[date(2024, 9, 7)] = windows[date(2024, 9, 2)]  # type: ignore[index]
    with pytest.raises(ps.UnknownActivity):
        cal.windows("PISCINE")


def test_days_between_both_ends_every_step() -> None:
    assert list(days_between(date(2024, 9, 2), date(2024, 9, 4))) == [
        date(2024, 9, 2),
        date(2024, 9, 3),
        date(2024, 9, 4),
    ]
    assert [d.day for d in days_between(date(2024, 9, 2), date(2024, 9, 30), 7)] == [2, 9, 16, 23, 30]
    assert [d.day for d in days_between(date(2024, 9, 2), date(2024, 9, 29), 7)] == [2, 9, 16, 23]
    assert list(days_between(date(2024, 9, 2), date(2024, 9, 1))) == []


def test_an_unknown_activity_is_named_by_its_error() -> None:
    with pytest.raises(ps.UnknownActivity) as info:
        calendar().runs_on("PISCINE", date(2024, 9, 2))
    assert info.value.activity == "PISCINE"
    assert info.value.code == "unknown_activity"


def test_an_activity_code_is_a_non_empty_string() -> None:
    cal = calendar()
    for wrong in ("", None, 3, ["CANTINE"]):
        with pytest.raises(ps.InvalidArgument, match=r"^code : "):
            cal.runs_on(wrong, date(2024, 9, 2))  # type: ignore[arg-type]


def test_public_and_school_holidays_given_by_the_host_are_used_as_given() -> None:
    cal = calendar(public=[date(2024, 9, 12)], holidays=[date(2024, 9, 13)])
    assert cal.public_holidays == frozenset({date(2024, 9, 12)})
    assert cal.school_holidays == frozenset({date(2024, 9, 13)})
    assert cal.is_public_holiday(date(2024, 9, 12))
    assert not cal.is_public_holiday(date(2024, 9, 13))
    assert cal.is_school_holiday(date(2024, 9, 13))
    assert not cal.is_school_holiday(date(2024, 9, 12))


def test_without_both_holiday_sets_the_calendar_takes_the_official_ones() -> None:
    # Only the public holidays given: the school holidays still come from the
    # holidays package (zone A), and the public ones too.
    period = ps.BookingPeriod(1, opens=date(2024, 9, 2), start=date(2024, 9, 2), end=date(2025, 1, 31))
    for given in ({"public_holidays": []}, {"school_holidays": []}):
        cal = ps.SchoolCalendar(zone="A", periods=[period], activities=[school()], **given)  # type: ignore[arg-type]
        assert cal.is_school_holiday(date(2024, 10, 21))
        assert cal.is_public_holiday(date(2024, 11, 11))
        assert cal.is_public_holiday(date(2025, 1, 1))
    assert cal.holiday_periods[0].label == "Vacances de la Toussaint"


def test_the_official_holidays_cover_the_year_before_and_every_window() -> None:
    # A school year starting in January (southern hemisphere style) still knows
    # the Christmas holidays that started the December before; a window in
    # another year brings that year's public holidays.
    period = ps.BookingPeriod(1, opens=date(2024, 12, 2), start=date(2025, 1, 2), end=date(2025, 2, 28))
    window = ps.HolidayWindow(date(2026, 5, 4), date(2026, 5, 15), opens=date(2026, 4, 1), label="Mai")
    cal = ps.SchoolCalendar(zone="C", periods=[period], activities=[school()], holiday_windows=[window])
    assert cal.is_school_holiday(date(2024, 12, 23))
    assert cal.is_public_holiday(date(2024, 12, 25))
    assert cal.is_public_holiday(date(2026, 5, 8))
    assert not cal.runs_on("CANTINE", date(2025, 1, 3))  # Christmas holidays, zone C


def test_a_time_zone_is_given_by_name_or_as_a_tzinfo() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    assert calendar(timezone="Asia/Tokyo").timezone == tokyo
    cal = calendar(timezone=tokyo)
    assert cal.timezone is tokyo
    assert cal.closes_at("CANTINE", date(2024, 9, 2)) == datetime(2024, 9, 1, tzinfo=tokyo)
    assert cal.local(datetime(2024, 8, 30, 15, tzinfo=UTC)) == datetime(2024, 8, 31, 0, 0)


# -- time zones and clock changes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "/etc/localtime",
        "../zoneinfo/Europe/Paris",
        "localtime",
        "posixrules",
        "Europe//Paris",
        "Europe/Paris ",
        "A" * 65,
        "EST5EDT,M3.2.0,M11.1.0",
        "",
    ],
)
def test_a_time_zone_is_an_iana_name_only(name: str) -> None:
    # A path, the machine's own zone, a POSIX TZ string: not looked up at all.
    with pytest.raises(ps.InvalidArgument, match=r"^timezone : un nom de fuseau IANA .* est attendu"):
        load_timezone(name)


@pytest.mark.parametrize(
    "name",
    [
        "Europe/Atlantide",
        "A" * 64,  # a name, the longest looked up
        "Europe",  # a folder of the database
        "leapseconds",  # a file of the database that is not a zone
    ],
)
def test_a_name_that_is_no_zone_is_unknown(name: str) -> None:
    with pytest.raises(ps.InvalidArgument, match=r"^timezone : un fuseau horaire connu est attendu"):
        load_timezone(name)


def test_a_time_zone_name_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(ps.InvalidArgument, match=r"^timezone : .*reçu PosixPath"):
        load_timezone(Path("Europe/Paris"))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "UTC"])
def test_iana_names_are_found(name: str) -> None:
    assert load_timezone(name) == ZoneInfo(name)


@pytest.mark.parametrize(
    ("zone", "changes"),
    [
        ("Europe/Paris", {date(2024, 3, 31), date(2024, 10, 27), date(2025, 3, 30)}),
        ("America/New_York", {date(2024, 3, 10), date(2024, 11, 3), date(2025, 3, 9)}),
        ("Australia/Sydney", {date(2024, 4, 7), date(2024, 10, 6)}),
        ("Asia/Tokyo", set()),
        ("UTC", set()),
    ],
)
def test_the_days_a_zones_clock_changes(zone: str, changes: set[date]) -> None:
    assert clock_changes(ZoneInfo(zone), date(2024, 1, 1), date(2025, 3, 30)) == changes


def test_a_clock_that_skips_midnight_changes_that_day() -> None:
    # Beirut, 31 March 2024: 00:00 is 01:00.
    assert clock_changes(ZoneInfo("Asia/Beirut"), date(2024, 1, 1), date(2024, 6, 30)) == {date(2024, 3, 31)}


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("America/Santiago", date(2024, 4, 6)),  # 7 April 00:00 is 6 April 23:00 again
        ("Asia/Beirut", date(2024, 10, 26)),
        ("Africa/Cairo", date(2024, 10, 31)),
    ],
)
def test_a_clock_put_back_at_midnight_changes_the_day_whose_last_hour_repeats(zone: str, day: date) -> None:
    assert day in clock_changes(ZoneInfo(zone), day - timedelta(days=3), day + timedelta(days=3))
    assert day + timedelta(days=1) not in clock_changes(
        ZoneInfo(zone), day - timedelta(days=3), day + timedelta(days=3)
    )


def test_the_days_of_a_clock_change_search_include_both_ends() -> None:
    assert clock_changes(PARIS, date(2024, 3, 31), date(2024, 10, 25)) == {date(2024, 3, 31)}
    assert clock_changes(PARIS, date(2024, 4, 1), date(2024, 10, 27)) == {date(2024, 10, 27)}
    assert clock_changes(PARIS, date(2024, 4, 1), date(2024, 10, 24)) == set()


def test_an_exception_for_some_periods_leaves_days_outside_every_period_to_the_default() -> None:
    # The holiday centre's days between two periods belong to no period.
    toussaint = days(date(2024, 10, 19), 16)
    first = ps.BookingPeriod(1, opens=date(2024, 8, 26), start=date(2024, 9, 2), end=date(2024, 10, 18))
    second = ps.BookingPeriod(2, opens=date(2024, 10, 7), start=date(2024, 11, 4), end=date(2024, 12, 20))
    rule = Exceptions(ps.DaysBefore(3), [DeadlineCase(ps.DaysBefore(10), periods=[1, 2])])
    cal = calendar(centre(rule=rule), periods=[first, second], holidays=toussaint)
    assert cal.last_booking_day("CENTRE", date(2024, 10, 21)) == date(2024, 10, 18)


# -- periods derived from the national school calendar (« de vacances à vacances », p. 10) --------


def test_derived_periods_open_on_the_last_school_day_before_the_holidays() -> None:
    # Without Fridays, the last school day before the summer 2024 is Thursday 4 July.
    periods = ps.derive_periods("A", 2024, school_weekdays=(MON, TUE, THU))
    assert [p.opens for p in periods] == [
        date(2024, 7, 4),
        date(2024, 10, 17),
        date(2024, 12, 19),
        date(2025, 2, 20),
        date(2025, 4, 17),
    ]
    assert [p.number for p in periods] == [1, 2, 3, 4, 5]


def test_the_last_school_day_before_the_holidays_is_not_a_public_holiday() -> None:
    # Zone C, spring 2024 starts on Saturday 6 April; with school on Mondays only,
    # Easter Monday 1 April is no school day: period 5 opens on Monday 25 March.
    periods = ps.derive_periods("C", 2023, school_weekdays=(MON,))
    assert periods[4].opens == date(2024, 3, 25)
    assert periods[4].start == date(2024, 4, 22)


def test_derive_periods_names_what_it_refuses() -> None:
    with pytest.raises(ps.ConfigurationError) as info:
        ps.derive_periods("D", 2024)
    assert info.value.path == "zone"
    with pytest.raises(ps.ConfigurationError) as info:
        ps.derive_periods("A", 2017)  # the holidays package's school calendar starts in October 2017
    assert info.value.path == "school_year"


# -- a cut-off inside the hour the clock changes (Paris: 30 March 2025, 27 October 2024) -----------


def test_a_cut_off_the_clock_skips_is_the_first_instant_after_the_gap() -> None:
    period = ps.BookingPeriod(1, opens=date(2025, 3, 3), start=date(2025, 3, 10), end=date(2025, 4, 4))
    cal = calendar(school(rule=ps.DaysBefore(1, at=time(2, 30))), periods=[period])
    # Monday 31 March closes on Sunday 30 March at 02:30, which does not exist: 03:00.
    assert cal.closes_at("CANTINE", date(2025, 3, 31)) == datetime(2025, 3, 30, 1, tzinfo=UTC)
    assert cal.closes_at("CANTINE", date(2025, 4, 1)) == datetime(
        2025, 3, 31, 0, 30, tzinfo=UTC
    )  # 02:30 CEST
    assert cal.closes_at("CANTINE", date(2025, 3, 28)) == datetime(
        2025, 3, 27, 1, 30, tzinfo=UTC
    )  # 02:30 CET


def test_a_cut_off_the_clock_shows_twice_is_its_first_occurrence() -> None:
    period = ps.BookingPeriod(1, opens=date(2024, 10, 1), start=date(2024, 10, 7), end=date(2024, 11, 29))
    cal = calendar(school(rule=ps.DaysBefore(1, at=time(2, 30))), periods=[period])
    # Monday 28 October closes on Sunday 27 October at 02:30, the first time (CEST).
    closes = cal.closes_at("CANTINE", date(2024, 10, 28))
    assert closes is not None
    # (an ambiguous aware time never compares equal to another zone's: PEP 495)
    assert closes.astimezone(UTC) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert not cal.is_bookable("CANTINE", date(2024, 10, 28), datetime(2024, 10, 27, 1, 15, tzinfo=UTC))


def test_a_period_opening_the_clock_skips_opens_after_the_gap() -> None:
    period = ps.BookingPeriod(
        1, opens=date(2025, 3, 30), start=date(2025, 4, 7), end=date(2025, 4, 18), opens_time=time(2, 15)
    )
    cal = calendar(periods=[period])
    assert cal.opens_at("CANTINE", date(2025, 4, 7)) == datetime(2025, 3, 30, 1, tzinfo=UTC)  # 03:00 CEST
    assert cal.is_bookable("CANTINE", date(2025, 4, 7), datetime(2025, 3, 30, 1, tzinfo=UTC))
    assert not cal.is_bookable("CANTINE", date(2025, 4, 7), datetime(2025, 3, 30, 0, 59, tzinfo=UTC))
