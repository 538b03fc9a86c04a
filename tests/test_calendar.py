"""The school calendar's rules, on the Cestas 2024/2025 calendar of the guide.

Guide p. 10 (« Réservations des activités »): bookings by cycle, « de vacances
à vacances »; open from the last school day before the holidays; at the latest
3 days before for accueil, restauration and the Wednesday centre; at the latest
14 days before the start of the whole holiday period for the holiday centre
(« 14 jours avant le début de toute la période de vacances »).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

import periscolaire as ps
from periscolaire.calendar import real_local
from tests.helpers import CalendarContext, cestas_with, last_instant_before

PARIS = ZoneInfo("Europe/Paris")
SCHOOL_TIME = ("ACCUEIL_MATIN", "ACCUEIL_SOIR", "RESTAURATION")
ALL = (*SCHOOL_TIME, "MERCREDI", "VACANCES")


@pytest.fixture
def cal() -> ps.SchoolCalendar:
    """The Cestas calendar, built for each test (25 ms) rather than once for the
    session: a mutation run then attributes to every test here the code that
    builds the calendar (periods, holidays, closures, windows), not only to the
    first test that happened to build it."""
    return ps.load_commune().calendar


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm)


# -- booking periods (guide p. 10, table « RÉSERVATIONS ouverture le / pour la période du ») --


def test_booking_periods_are_the_guide_table(cal: ps.SchoolCalendar) -> None:
    table = [(p.number, p.opens, p.start, p.end) for p in cal.periods]
    assert table == [
        (1, date(2024, 8, 19), date(2024, 9, 2), date(2024, 10, 18)),
        (2, date(2024, 10, 18), date(2024, 11, 4), date(2025, 1, 3)),
        (3, date(2024, 12, 20), date(2025, 1, 6), date(2025, 3, 7)),
        (4, date(2025, 2, 21), date(2025, 3, 10), date(2025, 5, 2)),
        (5, date(2025, 4, 18), date(2025, 5, 5), date(2025, 7, 4)),
    ]


@pytest.mark.parametrize(
    ("number", "first_day"),
    [
        (1, date(2024, 9, 2)),
        (2, date(2024, 11, 4)),
        (3, date(2025, 1, 6)),
        (4, date(2025, 3, 10)),
        (5, date(2025, 5, 5)),
    ],
)
def test_school_days_open_on_their_period_opening_date(
    cal: ps.SchoolCalendar, number: int, first_day: date
) -> None:
    period = cal.period(number)
    opening = datetime.combine(period.opens, time(0))
    assert cal.opens_at("RESTAURATION", first_day) == opening.replace(tzinfo=PARIS)
    assert cal.state("RESTAURATION", first_day, last_instant_before(opening)) is ps.DayState.NOT_OPEN_YET
    assert cal.is_bookable("RESTAURATION", first_day, opening)


def test_every_period_covers_only_its_own_school_days(cal: ps.SchoolCalendar) -> None:
    for period in cal.periods:
        for day in cal.running_days("RESTAURATION", period.start, period.end):
            assert cal.period_of(day) == period
            assert cal.opens_at("RESTAURATION", day) == datetime.combine(period.opens, time(0), PARIS)


def test_first_day_of_school_is_bookable_from_19_august_until_30_august(cal: ps.SchoolCalendar) -> None:
    # Guide p. 15: « JE RESERVE ... à partir du lundi 19 août (et au moins 3 jours à
    # l'avance pour le jour de la rentrée scolaire) ».
    rentree = date(2024, 9, 2)
    for code in SCHOOL_TIME:
        assert not cal.is_bookable(code, rentree, last_instant_before(at(2024, 8, 19)))
        assert cal.is_bookable(code, rentree, at(2024, 8, 19))
        assert cal.is_bookable(code, rentree, last_instant_before(at(2024, 8, 31)))
        assert not cal.is_bookable(code, rentree, at(2024, 8, 31))


# -- the 3-day deadline (guide p. 10) --


def test_restauration_closes_three_days_before(cal: ps.SchoolCalendar) -> None:
    # Monday 2 September 2024 can be booked until Friday 30 August included.
    day = date(2024, 9, 2)
    assert cal.closes_at("RESTAURATION", day) == datetime(2024, 8, 31, tzinfo=PARIS)
    assert cal.last_booking_day("RESTAURATION", day) == date(2024, 8, 30)
    assert cal.is_bookable("RESTAURATION", day, datetime(2024, 8, 30, 23, 59, 59, 999999))
    assert not cal.is_bookable("RESTAURATION", day, datetime(2024, 8, 31, 0, 0))
    assert cal.state("RESTAURATION", day, at(2024, 8, 31)) is ps.DayState.PAST_DEADLINE


def test_mercredi_closes_three_days_before_even_over_a_weekend(cal: ps.SchoolCalendar) -> None:
    # Wednesday 11 September 2024 can be booked until Sunday 8 September included.
    day = date(2024, 9, 11)
    assert cal.last_booking_day("MERCREDI", day) == date(2024, 9, 8)
    assert cal.is_bookable("MERCREDI", day, last_instant_before(at(2024, 9, 9)))
    assert not cal.is_bookable("MERCREDI", day, at(2024, 9, 9))


@pytest.mark.parametrize("code", SCHOOL_TIME)
def test_accueil_and_restauration_close_three_days_before(cal: ps.SchoolCalendar, code: str) -> None:
    day = date(2024, 11, 14)  # a Thursday
    assert cal.closes_at(code, day) == datetime(2024, 11, 12, tzinfo=PARIS)


def test_cancellation_follows_the_booking_deadline_by_default(cal: ps.SchoolCalendar) -> None:
    day = date(2024, 9, 2)
    assert cal.cancel_closes_at("RESTAURATION", day) == cal.closes_at("RESTAURATION", day)
    assert cal.is_cancellable("RESTAURATION", day, last_instant_before(at(2024, 8, 31)))
    assert not cal.is_cancellable("RESTAURATION", day, at(2024, 8, 31))


# -- the 14-day deadline of the holiday centre (guide p. 10) --
#
# « au plus tard 14 jours avant le début de toute la période de vacances pour le
# centre de loisirs des vacances scolaires » (p. 10): the 14 days count from the
# start of the holidays as the official calendar gives it (a Saturday), not from
# the first day the centre runs (anchor = "holiday_start", the bundled file's).

VACANCES_14 = 'deadline = { before_holiday_start_days = 14, anchor = "holiday_start" }   # p. 10'


def _vacances_anchored(anchor: str) -> ps.SchoolCalendar:
    text = cestas_with(VACANCES_14, f'deadline = {{ before_holiday_start_days = 14, anchor = "{anchor}" }}')
    return ps.Commune.from_toml(text).calendar


def test_the_bundled_holiday_centre_counts_from_the_official_start_of_the_holidays(
    cestas: ps.Commune,
) -> None:
    assert cestas.activities["VACANCES"].deadline == ps.BeforeHolidayStart(14, anchor="holiday_start")


def test_christmas_holiday_centre_closes_fourteen_days_before_the_holidays(cal: ps.SchoolCalendar) -> None:
    # Christmas 2024 starts on Saturday 21 December (official calendar, zone A);
    # the centre first runs on Monday 23 December. Every weekday of the
    # Christmas holidays can be booked until Saturday 7 December included,
    # 14 days before 21 December: bookings close at 8 December, 00:00.
    christmas = cal.running_days("VACANCES", date(2024, 12, 21), date(2025, 1, 5))
    assert christmas == (
        date(2024, 12, 23),
        date(2024, 12, 24),
        date(2024, 12, 26),
        date(2024, 12, 27),
        date(2024, 12, 30),
        date(2024, 12, 31),
        date(2025, 1, 2),
        date(2025, 1, 3),
    )
    assert cal.holiday_start(date(2024, 12, 23)) == date(2024, 12, 21)
    for day in christmas:
        assert cal.last_booking_day("VACANCES", day) == date(2024, 12, 7)
        assert cal.closes_at("VACANCES", day) == datetime(2024, 12, 8, tzinfo=PARIS)
        assert cal.is_bookable("VACANCES", day, last_instant_before(at(2024, 12, 8)))
        assert not cal.is_bookable("VACANCES", day, at(2024, 12, 8))


def test_anchored_on_the_first_day_christmas_closes_fourteen_days_before_the_centre_opens() -> None:
    # anchor = "first_day": 14 days before Monday 23 December, the first day the
    # centre runs: Monday 9 December included.
    cal = _vacances_anchored("first_day")
    for day in cal.running_days("VACANCES", date(2024, 12, 21), date(2025, 1, 5)):
        assert cal.last_booking_day("VACANCES", day) == date(2024, 12, 9)
        assert cal.closes_at("VACANCES", day) == datetime(2024, 12, 10, tzinfo=PARIS)
        assert cal.is_bookable("VACANCES", day, last_instant_before(at(2024, 12, 10)))
        assert not cal.is_bookable("VACANCES", day, at(2024, 12, 10))


def test_holiday_start_is_the_default_anchor() -> None:
    text = cestas_with(VACANCES_14, "deadline = { before_holiday_start_days = 14 }")
    cal = ps.Commune.from_toml(text).calendar
    assert cal.last_booking_day("VACANCES", date(2024, 12, 23)) == date(2024, 12, 7)
    assert ps.BeforeHolidayStart(14).anchor == "holiday_start"


@pytest.mark.parametrize(
    ("day", "holiday_start", "first_day"),
    [
        (date(2024, 10, 21), date(2024, 10, 19), date(2024, 10, 21)),  # Toussaint (configured window)
        (date(2024, 12, 23), date(2024, 12, 21), date(2024, 12, 23)),  # Christmas
        (date(2025, 2, 24), date(2025, 2, 22), date(2025, 2, 24)),  # winter
        (date(2025, 4, 22), date(2025, 4, 19), date(2025, 4, 22)),  # spring: Easter Monday 21 April
    ],
)
def test_the_two_anchors_of_every_holiday_period(
    cal: ps.SchoolCalendar, day: date, holiday_start: date, first_day: date
) -> None:
    assert cal.holiday_start(day) == holiday_start
    assert cal.running_days("VACANCES", cal.holiday_of(day).start)[0] == first_day  # type: ignore[union-attr]
    assert cal.last_booking_day("VACANCES", day) == holiday_start - timedelta(days=14)
    first = _vacances_anchored("first_day")
    assert first.last_booking_day("VACANCES", day) == first_day - timedelta(days=14)


def test_holiday_start_never_closes_later_than_first_day() -> None:
    start, first = _vacances_anchored("holiday_start"), _vacances_anchored("first_day")
    for day in start.running_days("VACANCES"):
        assert start.closes_at("VACANCES", day) <= first.closes_at("VACANCES", day)  # type: ignore[operator]


def test_holiday_start_is_none_outside_the_holidays(cal: ps.SchoolCalendar) -> None:
    assert cal.holiday_start(date(2024, 12, 20)) is None  # the last school day
    assert cal.holiday_start(date(2024, 11, 4)) is None


def test_christmas_holiday_centre_opens_with_period_2(cal: ps.SchoolCalendar) -> None:
    # Period 2 (4 November 2024 to 3 January 2025) covers the Christmas holidays.
    assert cal.opens_at("VACANCES", date(2024, 12, 23)) == datetime(2024, 10, 18, tzinfo=PARIS)
    assert not cal.is_bookable("VACANCES", date(2024, 12, 23), last_instant_before(at(2024, 10, 18)))


def test_public_holidays_in_the_holidays_close_the_holiday_centre(cal: ps.SchoolCalendar) -> None:
    for day in (date(2024, 11, 1), date(2024, 12, 25), date(2025, 1, 1), date(2025, 4, 21), date(2025, 5, 1)):
        assert not cal.runs_on("VACANCES", day), day


def test_toussaint_holidays_open_on_the_configured_date(cal: ps.SchoolCalendar) -> None:
    # No period of the guide's table covers Toussaint 2024: the configuration
    # opens it with period 1 (19 August 2024); 14 days before Saturday 19
    # October, the start of the holidays (and of the configured window).
    day = date(2024, 10, 21)
    assert cal.opens_at("VACANCES", day) == datetime(2024, 8, 19, tzinfo=PARIS)
    assert cal.last_booking_day("VACANCES", date(2024, 10, 31)) == date(2024, 10, 5)
    assert cal.is_bookable("VACANCES", day, last_instant_before(at(2024, 10, 6)))
    assert not cal.is_bookable("VACANCES", day, at(2024, 10, 6))


def test_toussaint_opens_with_the_preceding_period_by_default() -> None:
    text = cestas_with('opens = 2024-08-19\nlabel = "Vacances de la Toussaint 2024"\n', "")
    cal = ps.Commune.from_toml(text).calendar
    assert cal.opens_at("VACANCES", date(2024, 10, 21)) == datetime(2024, 8, 19, tzinfo=PARIS)


def test_winter_and_spring_holidays_follow_the_14_day_rule(cal: ps.SchoolCalendar) -> None:
    # Winter: the holidays start on Saturday 22 February 2025, in period 3
    # (opens 20 December 2024): booked until Saturday 8 February.
    assert cal.opens_at("VACANCES", date(2025, 3, 7)) == datetime(2024, 12, 20, tzinfo=PARIS)
    assert cal.last_booking_day("VACANCES", date(2025, 3, 7)) == date(2025, 2, 8)
    # Spring: the holidays start on Saturday 19 April 2025; the centre first
    # runs on Tuesday 22 April (Easter Monday is a public holiday), which does
    # not move the deadline: Saturday 5 April. Period 4 opens it on 21 February.
    assert cal.opens_at("VACANCES", date(2025, 4, 22)) == datetime(2025, 2, 21, tzinfo=PARIS)
    assert cal.last_booking_day("VACANCES", date(2025, 5, 2)) == date(2025, 4, 5)


# -- which start, when the commune configures the holiday window itself --


def _with_toussaint_window(start: str, anchor: str = "holiday_start") -> ps.SchoolCalendar:
    text = cestas_with(
        "start = 2024-10-19\nend = 2024-11-03\n", f"start = {start}\nend = 2024-11-03\n"
    ).replace(VACANCES_14, f'deadline = {{ before_holiday_start_days = 14, anchor = "{anchor}" }}')
    return ps.Commune.from_toml(text).calendar


def test_a_window_starting_after_the_official_start_keeps_the_official_anchor() -> None:
    # A centre that opens on Monday 21 October: the holidays still start on
    # Saturday 19 October, so the deadline stays 5 October.
    cal = _with_toussaint_window("2024-10-21")
    assert cal.holiday_of(date(2024, 10, 21)).start == date(2024, 10, 21)  # type: ignore[union-attr]
    assert cal.holiday_start(date(2024, 10, 21)) == date(2024, 10, 19)
    assert cal.last_booking_day("VACANCES", date(2024, 10, 21)) == date(2024, 10, 5)


def test_a_window_starting_before_the_official_start_is_its_own_anchor() -> None:
    # A centre that also runs on Friday 18 October, the last school day: the
    # holiday period begins with it, 14 days before is Friday 4 October.
    cal = _with_toussaint_window("2024-10-18")
    assert cal.holiday_start(date(2024, 10, 21)) == date(2024, 10, 18)
    assert cal.runs_on("VACANCES", date(2024, 10, 18))
    assert cal.last_booking_day("VACANCES", date(2024, 10, 21)) == date(2024, 10, 4)


def test_a_window_outside_the_official_holidays_is_its_own_anchor() -> None:
    activity = ps.Activity("STAGE", "STAGE", ps.Season.HOLIDAYS, (0, 1, 2, 3, 4), ps.BeforeHolidayStart(7))
    cal = ps.SchoolCalendar(
        zone="A",
        periods=[ps.BookingPeriod(1, opens=date(2024, 8, 26), start=date(2024, 9, 2), end=date(2024, 9, 27))],
        activities=[activity],
        holiday_windows=[ps.HolidayWindow(date(2024, 9, 21), date(2024, 9, 27), label="Stage")],
        public_holidays=[],
        school_holidays=[],
    )
    assert cal.holiday_start(date(2024, 9, 23)) == date(2024, 9, 21)
    assert cal.last_booking_day("STAGE", date(2024, 9, 23)) == date(2024, 9, 14)


def test_the_official_start_is_not_cut_to_the_booking_periods() -> None:
    # Periods starting in the middle of the Toussaint holidays (given by the
    # host): the holiday period is cut to 28 October, its start is not.
    activity = ps.Activity("VAC", "VAC", ps.Season.HOLIDAYS, (0, 1, 2, 3, 4), ps.BeforeHolidayStart(14))
    holidays = [date(2024, 10, 19) + timedelta(days=i) for i in range(16)]
    cal = ps.SchoolCalendar(
        zone="A",
        periods=[
            ps.BookingPeriod(1, opens=date(2024, 9, 2), start=date(2024, 10, 28), end=date(2024, 12, 20))
        ],
        activities=[activity],
        public_holidays=[date(2024, 11, 1)],
        school_holidays=holidays,
    )
    assert cal.holiday_of(date(2024, 10, 28)).start == date(2024, 10, 28)  # type: ignore[union-attr]
    assert cal.holiday_start(date(2024, 10, 28)) == date(2024, 10, 19)
    assert cal.last_booking_day("VAC", date(2024, 10, 28)) == date(2024, 10, 5)


def test_holiday_centre_does_not_run_in_school_time_nor_in_the_summer(cal: ps.SchoolCalendar) -> None:
    assert not cal.runs_on("VACANCES", date(2024, 9, 11))
    assert not cal.runs_on("VACANCES", date(2025, 7, 7))  # no booking period for the summer


# -- days the activities do not run --


def test_wednesday_centre_is_closed_on_4_september_2024(cal: ps.SchoolCalendar) -> None:
    # Guide p. 15: « le centre de loisirs sera exceptionnellement fermé le mercredi 4 septembre 2024 ».
    assert not cal.runs_on("MERCREDI", date(2024, 9, 4))
    assert cal.state("MERCREDI", date(2024, 9, 4), at(2024, 8, 26)) is ps.DayState.NOT_RUNNING
    assert cal.runs_on("MERCREDI", date(2024, 9, 11))


def test_mercredi_runs_on_wednesdays_of_school_weeks_only(cal: ps.SchoolCalendar) -> None:
    assert cal.runs_on("MERCREDI", date(2024, 9, 18))
    assert not cal.runs_on("MERCREDI", date(2024, 10, 23))  # Toussaint holidays
    assert not cal.runs_on("MERCREDI", date(2024, 9, 19))  # a Thursday


def test_four_day_week_has_no_school_on_wednesday(cal: ps.SchoolCalendar) -> None:
    for code in SCHOOL_TIME:
        assert not cal.runs_on(code, date(2024, 9, 11))
        assert cal.runs_on(code, date(2024, 9, 12))


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2024, 11, 11), "Armistice, a Monday"),
        (date(2025, 5, 1), "Fête du Travail, in the spring holidays"),
        (date(2025, 5, 8), "Victoire 1945, a Thursday"),
        (date(2025, 5, 29), "Ascension"),
        (date(2025, 5, 30), "pont de l'Ascension, a school holiday"),
        (date(2025, 6, 9), "lundi de Pentecôte"),
    ],
)
def test_public_holidays_and_bridges_have_no_school_time_activity(
    cal: ps.SchoolCalendar, day: date, why: str
) -> None:
    for code in ALL:
        assert not cal.runs_on(code, day), (code, why)
        assert not cal.is_bookable(code, day, at(2024, 9, 1)), (code, why)


def test_days_around_the_may_bridges_run(cal: ps.SchoolCalendar) -> None:
    assert cal.runs_on("RESTAURATION", date(2025, 5, 27))
    assert cal.runs_on("MERCREDI", date(2025, 5, 28))
    assert cal.runs_on("RESTAURATION", date(2025, 6, 2))
    assert cal.runs_on("RESTAURATION", date(2025, 6, 10))


def test_school_holidays_come_from_the_holidays_package_zone_a(cal: ps.SchoolCalendar) -> None:
    assert cal.is_school_holiday(date(2024, 10, 21))
    assert cal.is_school_holiday(date(2025, 2, 24))  # zone A winter holidays
    assert not cal.is_school_holiday(date(2025, 2, 10))  # zone C's, not A's
    assert cal.is_public_holiday(date(2024, 11, 11))


# -- time zones and day states --


def test_aware_instants_are_converted_to_paris_time(cal: ps.SchoolCalendar) -> None:
    day = date(2024, 9, 2)  # closes at 31 August 00:00 Paris = 30 August 22:00 UTC
    assert cal.is_bookable("RESTAURATION", day, datetime(2024, 8, 30, 21, 59, 59, tzinfo=UTC))
    assert not cal.is_bookable("RESTAURATION", day, datetime(2024, 8, 30, 22, 0, tzinfo=UTC))
    assert cal.closes_at("RESTAURATION", day) == datetime(2024, 8, 30, 22, tzinfo=UTC)


def test_deadline_in_winter_time_is_midnight_paris(cal: ps.SchoolCalendar) -> None:
    day = date(2025, 1, 13)  # closes 11 January 00:00 CET = 10 January 23:00 UTC
    assert cal.closes_at("RESTAURATION", day) == datetime(2025, 1, 10, 23, tzinfo=UTC)


def test_states_of_a_week_for_the_portal_calendar(cal: ps.SchoolCalendar) -> None:
    states = cal.states("RESTAURATION", date(2024, 9, 2), date(2024, 9, 8), at(2024, 9, 2, 8))
    assert states == {
        date(2024, 9, 2): ps.DayState.PAST_DEADLINE,
        date(2024, 9, 3): ps.DayState.PAST_DEADLINE,
        date(2024, 9, 4): ps.DayState.NOT_RUNNING,
        date(2024, 9, 5): ps.DayState.BOOKABLE,
        date(2024, 9, 6): ps.DayState.BOOKABLE,
        date(2024, 9, 7): ps.DayState.NOT_RUNNING,
        date(2024, 9, 8): ps.DayState.NOT_RUNNING,
    }
    assert cal.bookable_days("RESTAURATION", date(2024, 9, 2), date(2024, 9, 8), at(2024, 9, 2, 8)) == (
        date(2024, 9, 5),
        date(2024, 9, 6),
    )


def test_a_day_of_the_next_period_is_not_open_yet(cal: ps.SchoolCalendar) -> None:
    assert cal.state("RESTAURATION", date(2024, 11, 4), at(2024, 9, 2)) is ps.DayState.NOT_OPEN_YET


def test_unknown_activity_is_a_typed_error(cal: ps.SchoolCalendar) -> None:
    with pytest.raises(ps.UnknownActivity) as info:
        cal.is_bookable("PISCINE", date(2024, 9, 2), at(2024, 8, 26))
    assert info.value.code == "unknown_activity"
    with pytest.raises(ps.UnknownActivity):
        cal.runs_on("PISCINE", date(2024, 9, 2))


def test_a_datetime_given_as_the_day_is_a_type_error(cal: ps.SchoolCalendar) -> None:
    with pytest.raises(TypeError, match="datetime"):
        cal.is_bookable("RESTAURATION", datetime(2024, 9, 2), at(2024, 8, 26))


# -- the other deadline rules communes use --


def _with_deadline(deadline: str, cancel: str | None = None) -> ps.SchoolCalendar:
    new = f"deadline = {deadline}          # p. 10"
    if cancel:
        new += f"\ncancel_deadline = {cancel}"
    text = cestas_with(
        'label = "RESTAURATION"                  # p. 12 (example e-mail)\nseason = "school"\n'
        'weekdays = ["mon", "tue", "thu", "fri"]\ndeadline = { days_before = 3 }          # p. 10',
        'label = "RESTAURATION"\nseason = "school"\nweekdays = ["mon", "tue", "thu", "fri"]\n' + new,
    )
    return ps.Commune.from_toml(text).calendar


def test_days_before_with_a_cut_off_time() -> None:
    cal = _with_deadline("{ days_before = 2, at = 10:00:00 }")
    day = date(2024, 9, 12)
    assert cal.closes_at("RESTAURATION", day) == datetime(2024, 9, 10, 10, tzinfo=PARIS)
    assert cal.is_bookable("RESTAURATION", day, datetime(2024, 9, 10, 9, 59, 59))
    assert not cal.is_bookable("RESTAURATION", day, datetime(2024, 9, 10, 10, 0))


def test_days_before_counting_working_days_skips_weekends_and_public_holidays() -> None:
    cal = _with_deadline("{ days_before = 3, working_days = true }")
    # Monday 9 September 2024: Fri 6, Thu 5, Wed 4 -> until Wednesday 4 included.
    assert cal.last_booking_day("RESTAURATION", date(2024, 9, 9)) == date(2024, 9, 4)
    # Tuesday 12 November 2024: Mon 11 is Armistice: Fri 8, Thu 7, Wed 6.
    assert cal.last_booking_day("RESTAURATION", date(2024, 11, 12)) == date(2024, 11, 6)


def test_weekday_before_at_noon() -> None:
    cal = _with_deadline('{ weekday_before = "fri", at = "12:00" }')
    # Every day of the week of Monday 16 September closes the Friday before at noon.
    for day in (date(2024, 9, 16), date(2024, 9, 17), date(2024, 9, 19), date(2024, 9, 20)):
        assert cal.closes_at("RESTAURATION", day) == datetime(2024, 9, 13, 12, tzinfo=PARIS), day


def test_day_of_previous_month() -> None:
    cal = _with_deadline("{ day_of_previous_month = 20 }")
    assert cal.last_booking_day("RESTAURATION", date(2024, 12, 2)) == date(2024, 11, 20)
    assert cal.last_booking_day("RESTAURATION", date(2024, 12, 20)) == date(2024, 11, 20)


def test_day_of_previous_month_past_the_end_of_a_short_month() -> None:
    cal = _with_deadline("{ day_of_previous_month = 31 }")
    assert cal.last_booking_day("RESTAURATION", date(2024, 12, 2)) == date(2024, 11, 30)
    assert cal.last_booking_day("RESTAURATION", date(2025, 3, 10)) == date(2025, 2, 28)


def test_cancellation_may_have_its_own_deadline() -> None:
    cal = _with_deadline("{ days_before = 3 }", cancel="{ days_before = 1, at = 09:00:00 }")
    day = date(2024, 9, 12)
    assert cal.closes_at("RESTAURATION", day) == datetime(2024, 9, 10, tzinfo=PARIS)
    assert cal.cancel_closes_at("RESTAURATION", day) == datetime(2024, 9, 11, 9, tzinfo=PARIS)
    assert cal.is_cancellable("RESTAURATION", day, datetime(2024, 9, 11, 8, 59))
    assert cal.cancel_state("RESTAURATION", day, datetime(2024, 9, 11, 9)) is ps.DayState.PAST_DEADLINE


def test_rules_describe_themselves_in_french() -> None:
    assert ps.DaysBefore(3).describe() == "au plus tard 3 jours avant (à minuit)"
    assert (
        ps.DaysBefore(1, working_days=True, at=time(10)).describe()
        == "au plus tard 1 jour ouvré avant (avant 10:00)"
    )
    assert (
        ps.BeforeHolidayStart(14).describe() == "au plus tard 14 jours avant le début des vacances (à minuit)"
    )
    assert (
        ps.BeforeHolidayStart(14, anchor="first_day").describe()
        == "au plus tard 14 jours avant le premier jour du centre (à minuit)"
    )
    assert (
        ps.BeforeHolidayStart(1, at=time(12)).describe()
        == "au plus tard 1 jour avant le début des vacances (avant 12:00)"
    )


def test_an_unknown_anchor_is_refused() -> None:
    with pytest.raises(ValueError, match="anchor"):
        ps.BeforeHolidayStart(14, anchor="first_monday")  # type: ignore[arg-type]


def test_a_zero_day_rule_needs_a_cut_off_time() -> None:
    with pytest.raises(ValueError, match="heure limite"):
        ps.DaysBefore(0)
    assert ps.DaysBefore(0, at=time(9)).describe() == "le jour même avant 09:00"


# -- periods derived from the national school calendar --


def test_derive_periods_runs_from_holidays_to_holidays() -> None:
    periods = ps.derive_periods("A", 2024)
    assert [(p.opens, p.start, p.end) for p in periods] == [
        (date(2024, 7, 5), date(2024, 9, 2), date(2024, 10, 18)),
        (date(2024, 10, 18), date(2024, 11, 4), date(2024, 12, 20)),
        (date(2024, 12, 20), date(2025, 1, 6), date(2025, 2, 21)),
        (date(2025, 2, 21), date(2025, 3, 10), date(2025, 4, 18)),
        (date(2025, 4, 18), date(2025, 5, 5), date(2025, 7, 4)),
    ]


def test_cestas_table_differs_from_derived_periods_where_documented(cal: ps.SchoolCalendar) -> None:
    derived = ps.derive_periods("A", 2024)
    cestas = cal.periods
    # Period 1 opens after the dossier deadline (16 August), not on the last school day.
    assert cestas[0].opens == date(2024, 8, 19) != derived[0].opens
    # Periods 2 to 4 run on to the end of the following holidays; 1 and 5 do not.
    assert [c.end == d.end for c, d in zip(cestas, derived, strict=True)] == [True, False, False, False, True]
    # Opening days and first days agree from period 2 on.
    assert [(c.opens, c.start) for c in cestas[1:]] == [(d.opens, d.start) for d in derived[1:]]


def test_derive_periods_depends_on_the_zone() -> None:
    winter_a = ps.derive_periods("A", 2024)[2].end
    winter_c = ps.derive_periods("C", 2024)[2].end
    assert winter_a == date(2025, 2, 21)
    assert winter_c == date(2025, 2, 14)


def test_derive_periods_refuses_an_unknown_zone() -> None:
    with pytest.raises(ps.ConfigurationError, match="zone"):
        ps.derive_periods("D", 2024)


def test_holiday_periods_are_named_after_the_holidays(cal: ps.SchoolCalendar) -> None:
    labels = [h.label for h in cal.holiday_periods]
    assert labels == [
        "Vacances de la Toussaint 2024",
        "Vacances de Noël",
        "Vacances d'hiver",
        "Vacances de printemps",
    ]
    assert cal.holiday_of(date(2024, 12, 25)) == cal.holiday_periods[1]
    assert cal.holiday_of(date(2024, 12, 20)) is None


def test_building_a_calendar_without_the_holidays_package() -> None:
    # Hosts may give their own holiday sets (e.g. from their database).
    activity = ps.Activity("CANTINE", "CANTINE", ps.Season.SCHOOL, (0, 1, 3, 4), ps.DaysBefore(2))
    cal = ps.SchoolCalendar(
        zone="A",
        periods=[ps.BookingPeriod(1, opens=date(2024, 8, 26), start=date(2024, 9, 2), end=date(2024, 9, 13))],
        activities=[activity],
        public_holidays=[],
        school_holidays=[date(2024, 9, 9)],
    )
    assert cal.running_days("CANTINE") == (
        date(2024, 9, 2),
        date(2024, 9, 3),
        date(2024, 9, 5),
        date(2024, 9, 6),
        date(2024, 9, 10),
        date(2024, 9, 12),
        date(2024, 9, 13),
    )
    assert cal.last_booking_day("CANTINE", date(2024, 9, 2)) == date(2024, 8, 31)
    assert timedelta(0) < cal.closes_at("CANTINE", date(2024, 9, 13)) - cal.opens_at(
        "CANTINE", date(2024, 9, 13)
    )  # type: ignore[operator]


def test_without_a_system_time_zone_database_the_bundled_copy_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows without tzdata: python-dateutil's copy of the database, by name only.
    import zoneinfo

    from periscolaire.calendar import load_timezone

    def missing(key: str) -> None:
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    paris = load_timezone("Europe/Paris")
    assert datetime(2024, 7, 1, 12, tzinfo=paris).utcoffset() == timedelta(hours=2)
    with pytest.raises(ValueError, match="un fuseau horaire connu est attendu"):
        load_timezone("Europe/Atlantide")


# -- the rule algebra (issue 13, « Deadlines ») ------------------------------

RESTAURATION = "RESTAURATION"


def test_days_before_skipping_weekends_only_counts_public_holidays() -> None:
    cal = _with_deadline('{ days_before = 3, skip_weekends = true, at = "23:59" }')
    # Monday 12 May 2025: Fri 9, Thu 8 (Victoire 1945, counted), Wed 7.
    assert cal.closes_at(RESTAURATION, date(2025, 5, 12)) == datetime(2025, 5, 7, 23, 59, tzinfo=PARIS)
    working = _with_deadline('{ days_before = 3, working_days = true, at = "23:59" }')
    assert working.closes_at(RESTAURATION, date(2025, 5, 12)) == datetime(2025, 5, 6, 23, 59, tzinfo=PARIS)


def test_days_before_skipping_public_holidays_only_counts_weekends() -> None:
    cal = _with_deadline("{ days_before = 3, skip_public_holidays = true }")
    # Friday 9 May 2025: Thu 8 (public holiday, skipped), Wed 7, Tue 6, Mon 5.
    assert cal.last_booking_day(RESTAURATION, date(2025, 5, 9)) == date(2025, 5, 5)
    # Monday 12 May 2025: Sun 11, Sat 10, Fri 9 (weekends counted).
    assert cal.last_booking_day(RESTAURATION, date(2025, 5, 12)) == date(2025, 5, 9)


def test_days_before_not_counting_wednesdays() -> None:
    cal = _with_deadline('{ days_before = 3, skip_weekdays = ["wed"] }')
    # Friday 14 March 2025: Thu 13, (Wed 12 not counted), Tue 11, Mon 10.
    assert cal.last_booking_day(RESTAURATION, date(2025, 3, 14)) == date(2025, 3, 10)


def test_days_before_working_days_is_both_skips() -> None:
    assert ps.DaysBefore(3, working_days=True) == ps.DaysBefore(
        3, skip_weekends=True, skip_public_holidays=True
    )
    assert ps.DaysBefore(3, skip_weekends=True, skip_public_holidays=True).working_days


def test_days_before_must_count_some_weekday() -> None:
    with pytest.raises(ValueError, match="au moins un jour de la semaine"):
        ps.DaysBefore(3, skip_weekends=True, skip_weekdays=(ps.MON, ps.TUE, ps.WED, ps.THU, ps.FRI))


def test_weekday_before_of_the_previous_week_at_noon() -> None:
    # « le mercredi de la semaine précédente à 12 h »
    cal = _with_deadline('{ weekday_before = "wed", weeks = 1, at = "12:00" }')
    assert cal.closes_at(RESTAURATION, date(2025, 3, 20)) == datetime(2025, 3, 12, 12, tzinfo=PARIS)
    # Every day of the week of Monday 17 March shares it.
    for day in (date(2025, 3, 17), date(2025, 3, 18), date(2025, 3, 21)):
        assert cal.closes_at(RESTAURATION, day) == datetime(2025, 3, 12, 12, tzinfo=PARIS), day
    # Without `weeks`, the last Wednesday strictly before the day.
    previous = _with_deadline('{ weekday_before = "wed", at = "12:00" }')
    assert previous.closes_at(RESTAURATION, date(2025, 3, 20)) == datetime(2025, 3, 19, 12, tzinfo=PARIS)


def test_weekday_before_two_weeks_before() -> None:
    # « le vendredi deux semaines avant »
    cal = _with_deadline('{ weekday_before = "fri", weeks = 2, at = "12:00" }')
    assert cal.closes_at(RESTAURATION, date(2025, 3, 17)) == datetime(2025, 3, 7, 12, tzinfo=PARIS)


def test_no_cancellation_deadline_until_the_day_begins() -> None:
    cal = _with_deadline("{ days_before = 3 }", cancel='"none"')
    day = date(2025, 3, 20)
    assert cal.cancel_closes_at(RESTAURATION, day) == datetime(2025, 3, 20, tzinfo=PARIS)
    assert cal.is_cancellable(RESTAURATION, day, datetime(2025, 3, 19, 23, 59))
    assert not cal.is_cancellable(RESTAURATION, day, datetime(2025, 3, 20, 0, 0))
    assert cal.closes_at(RESTAURATION, day) == datetime(2025, 3, 18, tzinfo=PARIS)  # booking unchanged


def test_earliest_three_days_before_and_at_the_latest_the_previous_friday_at_noon() -> None:
    # « 3 jours avant, et au plus tard le vendredi précédent à 12 h »
    cal = _with_deadline('{ earliest = [{ days_before = 3 }, { weekday_before = "fri", at = "12:00" }] }')
    friday_noon = datetime(2025, 3, 14, 12, tzinfo=PARIS)
    assert cal.closes_at(RESTAURATION, date(2025, 3, 17)) == friday_noon  # 3 days: Friday 14 at midnight
    assert cal.closes_at(RESTAURATION, date(2025, 3, 20)) == friday_noon  # 3 days: Monday 17 at midnight
    rule = ps.calendar.earliest(ps.DaysBefore(3), ps.WeekdayBefore(ps.FRI, at=time(12)))
    assert (
        str(rule)
        == "au plus tard 3 jours avant (à minuit), et au plus tard le vendredi précédent (avant 12:00)"
    )


def test_latest_of_two_rules() -> None:
    cal = _with_deadline('{ latest = [{ days_before = 3 }, { weekday_before = "fri", at = "12:00" }] }')
    assert cal.closes_at(RESTAURATION, date(2025, 3, 17)) == datetime(2025, 3, 15, tzinfo=PARIS)
    assert cal.closes_at(RESTAURATION, date(2025, 3, 20)) == datetime(2025, 3, 18, tzinfo=PARIS)


def test_exceptions_per_period_and_per_day() -> None:
    cal = _with_deadline(
        "{ days_before = 3, exceptions = ["
        "{ periods = [5], rule = { days_before = 7 } }, "
        '{ days = [2025-03-17], rule = "none" }, '
        "{ start = 2025-03-24, end = 2025-03-28, rule = { day_of_previous_month = 20 } }] }"
    )
    assert cal.last_booking_day(RESTAURATION, date(2025, 5, 12)) == date(2025, 5, 5)  # period 5: 7 days
    assert cal.closes_at(RESTAURATION, date(2025, 3, 17)) == datetime(2025, 3, 17, tzinfo=PARIS)  # that day
    assert cal.last_booking_day(RESTAURATION, date(2025, 3, 25)) == date(2025, 2, 20)  # that week
    assert cal.last_booking_day(RESTAURATION, date(2025, 3, 20)) == date(2025, 3, 17)  # the default


def test_a_holiday_rule_inside_a_combination_is_refused_for_school_time() -> None:
    with pytest.raises(ps.ConfigurationError, match="vacances"):
        _with_deadline("{ earliest = [{ days_before = 3 }, { before_holiday_start_days = 14 }] }")


def test_the_rule_algebra_describes_itself_in_french() -> None:
    c = ps.calendar
    assert str(ps.DaysBefore(3, skip_weekends=True, at=time(23, 59))) == (
        "au plus tard 3 jours avant, sans compter les week-ends (avant 23:59)"
    )
    assert ps.DaysBefore(3, skip_public_holidays=True, skip_weekdays=[ps.WED]).describe() == (
        "au plus tard 3 jours avant, sans compter les jours fériés ni les mercredis (à minuit)"
    )
    assert str(ps.DaysBefore(3, working_days=True, at=time(23, 59))) == (
        "au plus tard 3 jours ouvrés avant (avant 23:59)"
    )
    assert str(ps.WeekdayBefore(ps.WED, weeks=1, at=time(12))) == (
        "au plus tard le mercredi de la semaine précédente (avant 12:00)"
    )
    assert str(ps.WeekdayBefore(ps.FRI, weeks=2, at=time(12))) == (
        "au plus tard le vendredi deux semaines avant (avant 12:00)"
    )
    assert str(c.NoDeadline()) == "jusqu'au jour même (à minuit)"
    summer = c.DeadlineCase(ps.DaysBefore(10), start=date(2025, 7, 7), end=date(2025, 8, 29))
    assert str(c.Exceptions(ps.DaysBefore(3), [summer])) == (
        "au plus tard 3 jours avant (à minuit) ; sauf du 07/07/2025 au 29/08/2025 : "
        "au plus tard 10 jours avant (à minuit)"
    )


def test_combinations_need_two_rules_and_cases_need_days() -> None:
    c = ps.calendar
    with pytest.raises(ValueError, match="au moins 2 règles"):
        c.earliest(ps.DaysBefore(3))
    with pytest.raises(ValueError, match=r"des jours \(days\)"):
        c.DeadlineCase(ps.DaysBefore(3))
    with pytest.raises(TypeError, match="une règle de délai"):
        c.Exceptions("3 jours", [c.DeadlineCase(ps.DaysBefore(3), periods=[1])])  # type: ignore[arg-type]


def test_earliest_closes_no_later_and_latest_no_earlier_than_each_rule(cal: ps.SchoolCalendar) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from periscolaire.strategies import deadline_rules

    ctx = CalendarContext(cal)
    days = st.sampled_from(cal.running_days(RESTAURATION))

    @settings(max_examples=200, deadline=None)
    @given(deadline_rules(), deadline_rules(), days)
    def check(a: ps.DeadlineRule, b: ps.DeadlineRule, day: date) -> None:
        first, second = a.closes_at(RESTAURATION, day, ctx), b.closes_at(RESTAURATION, day, ctx)
        low = ps.calendar.earliest(a, b).closes_at(RESTAURATION, day, ctx)
        high = ps.calendar.latest(a, b).closes_at(RESTAURATION, day, ctx)
        assert low <= first
        assert low <= second
        assert high >= first
        assert high >= second
        assert low == min(first, second)
        assert high == max(first, second)

    check()


# -- what a host may ask of a day the activity does not run, and wrong arguments --


def test_a_day_the_activity_does_not_run_has_no_window(cal: ps.SchoolCalendar) -> None:
    wednesday = date(2024, 9, 11)  # no canteen on Wednesdays (four-day week)
    now = at(2024, 9, 1)
    assert cal.opens_at(RESTAURATION, wednesday) is None
    assert cal.closes_at(RESTAURATION, wednesday) is None
    assert cal.cancel_closes_at(RESTAURATION, wednesday) is None
    assert cal.last_booking_day(RESTAURATION, wednesday) is None
    assert not cal.is_bookable(RESTAURATION, wednesday, now)
    assert not cal.is_cancellable(RESTAURATION, wednesday, now)
    assert cal.state(RESTAURATION, wednesday, now) is ps.DayState.NOT_RUNNING
    assert cal.cancel_state(RESTAURATION, wednesday, now) is ps.DayState.NOT_RUNNING


@pytest.mark.parametrize("query", ["is_bookable", "is_cancellable"])
def test_now_must_be_a_datetime_even_for_a_day_that_does_not_run(cal: ps.SchoolCalendar, query: str) -> None:
    for day in (date(2024, 9, 11), date(2024, 9, 12)):  # not running, running
        with pytest.raises(ps.InvalidArgument, match=r"^now : "):
            getattr(cal, query)(RESTAURATION, day, date(2024, 9, 1))


def test_each_bound_of_a_range_is_checked_by_its_name(cal: ps.SchoolCalendar) -> None:
    start, end, now = date(2024, 9, 2), date(2024, 9, 8), at(2024, 9, 1)
    wrong = datetime(2024, 9, 2)  # a datetime given as a day
    for query in (cal.states, cal.bookable_days):
        with pytest.raises(ps.InvalidArgument, match=r"^start : "):
            query(RESTAURATION, wrong, end, now)
        with pytest.raises(ps.InvalidArgument, match=r"^end : "):
            query(RESTAURATION, start, wrong, now)
    with pytest.raises(ps.InvalidArgument, match=r"^start : "):
        cal.running_days(RESTAURATION, wrong)
    with pytest.raises(ps.InvalidArgument, match=r"^end : "):
        cal.running_days(RESTAURATION, start, wrong)
    with pytest.raises(ps.InvalidArgument, match=r"^end : "):
        cal.running_days(RESTAURATION, None, wrong)


def test_running_days_within_a_range_or_from_a_day(cal: ps.SchoolCalendar) -> None:
    week = cal.running_days(RESTAURATION, date(2024, 9, 2), date(2024, 9, 6))
    assert week == (date(2024, 9, 2), date(2024, 9, 3), date(2024, 9, 5), date(2024, 9, 6))
    assert cal.running_days(RESTAURATION, date(2025, 7, 4)) == (date(2025, 7, 4),)  # the last day
    assert cal.running_days(RESTAURATION, None, date(2024, 9, 2)) == (date(2024, 9, 2),)  # the first day


def test_a_period_is_found_by_its_number_only(cal: ps.SchoolCalendar) -> None:
    assert cal.period(5).start == date(2025, 5, 5)
    for wrong in (True, "1", 1.0):
        with pytest.raises(ps.InvalidArgument, match="number"):
            cal.period(wrong)  # type: ignore[arg-type]
    with pytest.raises(ps.ConfigurationError) as info:
        cal.period(6)
    assert info.value.code == "unknown_period"
    assert info.value.path == "periods"
    assert "6" in str(info.value)


@pytest.mark.parametrize(
    ("cut_off", "last_day"),
    [
        (None, date(2024, 9, 11)),  # until midnight at the end of the day before
        (time(23, 59), date(2024, 9, 11)),
        (time(0, 0, 0, 1), date(2024, 9, 11)),  # its first instant is still bookable
        (time(0), date(2024, 9, 10)),  # nothing of the day before is bookable
    ],
)
def test_the_last_booking_day_is_the_day_of_the_last_bookable_instant(
    cut_off: time | None, last_day: date
) -> None:
    activity = ps.Activity("CANTINE", "CANTINE", ps.Season.SCHOOL, (0, 1, 3, 4), ps.DaysBefore(1, at=cut_off))
    cal = ps.SchoolCalendar(
        zone="A",
        periods=[ps.BookingPeriod(1, opens=date(2024, 8, 26), start=date(2024, 9, 2), end=date(2024, 9, 13))],
        activities=[activity],
        public_holidays=[],
        school_holidays=[],
    )
    thursday = date(2024, 9, 12)
    assert cal.last_booking_day("CANTINE", thursday) == last_day
    closes = cal.closes_at("CANTINE", thursday)
    assert closes is not None
    assert cal.is_bookable("CANTINE", thursday, last_instant_before(closes))
    assert last_instant_before(closes).date() == last_day


def test_the_day_state_at_the_opening_instant_is_bookable(cal: ps.SchoolCalendar) -> None:
    opening = at(2024, 10, 18)  # period 2
    assert cal.state(RESTAURATION, date(2024, 11, 4), opening) is ps.DayState.BOOKABLE
    assert (
        cal.state(RESTAURATION, date(2024, 11, 4), last_instant_before(opening)) is ps.DayState.NOT_OPEN_YET
    )


def test_a_cancellation_is_open_until_its_deadline_even_before_the_period_opens(
    cal: ps.SchoolCalendar,
) -> None:
    # An agent may have entered the reservation before the period opened.
    day = date(2024, 11, 4)
    assert cal.cancel_state(RESTAURATION, day, at(2024, 9, 2)) is ps.DayState.BOOKABLE
    assert cal.cancel_state(RESTAURATION, day, last_instant_before(at(2024, 11, 2))) is ps.DayState.BOOKABLE
    assert cal.cancel_state(RESTAURATION, day, at(2024, 11, 2)) is ps.DayState.PAST_DEADLINE


def test_working_days_are_monday_to_friday_without_public_holidays(cal: ps.SchoolCalendar) -> None:
    assert cal.is_working_day(date(2024, 11, 8))  # a Friday
    assert not cal.is_working_day(date(2024, 11, 9))  # a Saturday
    assert not cal.is_working_day(date(2024, 11, 11))  # Armistice, a Monday
    assert cal.is_working_day(date(2024, 11, 12))


def test_a_holiday_window_covers_its_first_and_last_day(cal: ps.SchoolCalendar) -> None:
    toussaint = cal.holiday_periods[0]
    assert (toussaint.start, toussaint.end) == (date(2024, 10, 19), date(2024, 11, 3))
    assert toussaint.covers(toussaint.start)
    assert toussaint.covers(toussaint.end)
    assert not toussaint.covers(date(2024, 10, 18))
    assert not toussaint.covers(date(2024, 11, 4))


# -- the commune's clock (naive times are commune-local) --


def test_local_time_of_an_aware_instant_is_the_communes_wall_clock(cal: ps.SchoolCalendar) -> None:
    assert cal.local(datetime(2024, 9, 1, 22, tzinfo=UTC)) == datetime(2024, 9, 2, 0, 0)  # CEST, UTC+2
    assert cal.local(datetime(2025, 1, 10, 23, tzinfo=UTC)) == datetime(2025, 1, 11, 0, 0)  # CET, UTC+1
    naive = datetime(2024, 9, 2, 8)
    assert cal.local(naive) is naive


@pytest.mark.parametrize(
    "skipped",
    [
        datetime(2025, 3, 30, 2, 0, 0, 1),
        datetime(2025, 3, 30, 2, 30, 15),
        datetime(2025, 3, 30, 2, 59, 59, 999999),
    ],
)
def test_a_local_time_the_clock_skips_is_the_first_instant_after_the_gap(
    cal: ps.SchoolCalendar, skipped: datetime
) -> None:
    # 30 March 2025, Paris: 02:00 is 03:00 (« un temps qui n'existe pas »).
    assert cal.clock(skipped) == datetime(2025, 3, 30, 3, 0)
    assert real_local(skipped, PARIS) == datetime(2025, 3, 30, 3, 0)


def test_the_repeated_hour_is_its_first_pass_then_the_last_instant_of_it(cal: ps.SchoolCalendar) -> None:
    # 27 October 2024, Paris: 02:00-03:00 happens twice. A naive time is its first
    # occurrence; its second (fold=1, or aware) is after every bound of the first
    # pass: the last instant of the first pass on the clock.
    last_of_first_pass = datetime(2024, 10, 27, 2, 59, 59, 999999)
    assert cal.clock(datetime(2024, 10, 27, 2, 15)) == datetime(2024, 10, 27, 2, 15)
    assert cal.clock(datetime(2024, 10, 27, 2, 15, fold=1)) == last_of_first_pass
    assert cal.clock(datetime(2024, 10, 27, 1, 15, tzinfo=UTC)) == last_of_first_pass  # 02:15 the second time
    assert cal.clock(datetime(2024, 10, 27, 0, 15, tzinfo=UTC)) == datetime(2024, 10, 27, 2, 15)  # the first
    # Outside the repeated hour, fold changes nothing.
    assert cal.clock(datetime(2024, 10, 27, 10, 0, fold=1)) == datetime(2024, 10, 27, 10, 0)
    # The clock's answer is the first pass: as a real instant, 00:59:59.999999 UTC.
    for now in (datetime(2024, 10, 27, 2, 15, fold=1), datetime(2024, 10, 27, 1, 15, tzinfo=UTC)):
        clock = cal.clock(now).replace(tzinfo=PARIS)
        assert clock.astimezone(UTC) == datetime(2024, 10, 27, 0, 59, 59, 999999, tzinfo=UTC)
