"""Invariants of the calendar, on the Cestas file and on generated communes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

import periscolaire as ps
from periscolaire.strategies import communes, instants
from tests.properties.shared import cestas

YEAR = (date(2024, 8, 1), date(2025, 7, 31))

codes = st.deferred(lambda: st.sampled_from(list(cestas().activities)))  # read at first use
days = st.dates(*YEAR)


@given(codes, days, instants(*YEAR), instants(*YEAR))
def test_once_closed_a_day_never_reopens(code: str, day: date, t1: datetime, t2: datetime) -> None:
    cal = cestas().calendar
    early, late = sorted((t1, t2))
    if cal.state(code, day, early) is ps.DayState.PAST_DEADLINE:
        assert not cal.is_bookable(code, day, late)
    if cal.is_bookable(code, day, late):
        assert cal.state(code, day, early) in (ps.DayState.BOOKABLE, ps.DayState.NOT_OPEN_YET)


@given(codes, days, instants(*YEAR), instants(*YEAR), instants(*YEAR))
def test_bookable_instants_form_one_interval(
    code: str, day: date, a: datetime, b: datetime, c: datetime
) -> None:
    cal = cestas().calendar
    t1, t2, t3 = sorted((a, b, c))
    if cal.is_bookable(code, day, t1) and cal.is_bookable(code, day, t3):
        assert cal.is_bookable(code, day, t2)


@given(codes, days)
def test_closes_at_is_never_after_the_day_itself(code: str, day: date) -> None:
    cal = cestas().calendar
    closes = cal.closes_at(code, day)
    cancel = cal.cancel_closes_at(code, day)
    if closes is None or cancel is None:
        assert not cal.runs_on(code, day)
        return
    limit = datetime.combine(day, time(0), closes.tzinfo)
    assert closes <= limit
    assert cancel <= limit


@given(codes, days, instants(*YEAR))
def test_a_day_that_does_not_run_is_never_bookable(code: str, day: date, now: datetime) -> None:
    cal = cestas().calendar
    if not cal.runs_on(code, day):
        assert not cal.is_bookable(code, day, now)
        assert cal.state(code, day, now) is ps.DayState.NOT_RUNNING


@given(codes, days, instants(*YEAR))
def test_state_and_is_bookable_agree(code: str, day: date, now: datetime) -> None:
    cal = cestas().calendar
    assert (cal.state(code, day, now) is ps.DayState.BOOKABLE) == cal.is_bookable(code, day, now)


@given(communes())
def test_writing_then_reading_a_configuration_keeps_it_equal(commune: ps.Commune) -> None:
    again = ps.Commune.from_toml(commune.to_toml())
    assert again == commune
    assert again.to_toml() == commune.to_toml()


@given(communes(), st.data())
def test_generated_communes_keep_the_calendar_invariants(commune: ps.Commune, data: st.DataObject) -> None:
    cal = commune.calendar
    code = data.draw(st.sampled_from(list(commune.activities)))
    running = cal.running_days(code)
    day = data.draw(st.sampled_from(running))
    opens, closes = cal.opens_at(code, day), cal.closes_at(code, day)
    assert opens is not None
    assert closes is not None
    assert closes <= datetime.combine(day + timedelta(days=1), time(0), closes.tzinfo)
    now = data.draw(instants(cal.first_day - timedelta(days=120), cal.last_day))
    bookable = cal.is_bookable(code, day, now)
    assert bookable == (opens <= now.replace(tzinfo=opens.tzinfo) < closes)
