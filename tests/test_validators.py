"""The shared attrs validators (periscolaire.validators): one per idea, every
refusal a typed error naming the field, in French."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

import periscolaire as ps
from periscolaire import calendar as c
from periscolaire.profile import PasswordPolicy


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: ps.DaysBefore(-1), "days"),
        (lambda: ps.DaysBefore(True), "days"),
        (lambda: ps.DaysBefore(3, working_days="oui"), "working_days"),
        (lambda: ps.DaysBefore(3, skip_weekdays=[7]), "skip_weekdays"),
        (lambda: ps.DaysBefore(3, at="10:00"), "at"),
        (lambda: ps.BeforeHolidayStart(14, anchor="debut"), "anchor"),
        (lambda: c.WeekdayBefore(7), "weekday"),
        (lambda: c.WeekdayBefore(c.FRI, weeks=0), "weeks"),
        (lambda: c.WeekdayBefore(c.FRI, weeks=53), "weeks"),
        (lambda: c.DayOfPreviousMonth(0), "day"),
        (lambda: c.DayOfPreviousMonth(32), "day"),
        (lambda: c.DeadlineCase(ps.DaysBefore(3), days=["2025-07-07"]), "days"),
        (lambda: c.DeadlineCase(ps.DaysBefore(3), start="2025-07-07"), "start"),
        (lambda: c.DeadlineCase(ps.DaysBefore(3), periods=[True]), "periods"),
        (
            lambda: c.BookingPeriod(1, opens=date(2024, 8, 19), start="2024-09-02", end=date(2024, 10, 18)),
            "start",
        ),
    ],
)
def test_a_deadline_rule_built_with_a_bad_value_names_the_field(build: Any, field: str) -> None:
    with pytest.raises(ps.InvalidArgument) as caught:
        build()
    assert caught.value.message.startswith(f"{field} : ")
    assert isinstance(caught.value, TypeError)  # ``except TypeError`` still catches a programming mistake


def test_bounds_are_included() -> None:
    """A weekday from 0 (Monday) to 6 (Sunday), a day of the month from 1 to 31,
    from 1 to 52 weeks: each bound is a valid value."""
    assert c.WeekdayBefore(c.MON).weekday == 0
    assert c.WeekdayBefore(c.SUN, weeks=52).weeks == 52
    assert c.WeekdayBefore(c.FRI, weeks=1).weeks == 1
    assert [c.DayOfPreviousMonth(d).day for d in (1, 31)] == [1, 31]
    assert ps.DaysBefore(0, at=time(10)).days == 0


def test_a_stored_family_with_a_bad_priority_is_invalid_data_naming_the_key() -> None:
    """Records a store loads refuse bad values as InvalidData (with the key's path)."""
    with pytest.raises(ps.InvalidData) as caught:
        ps.Family("F1", "Famille", (), priority=10**7)
    assert caught.value.path == "priority"
    with pytest.raises(ps.InvalidData) as caught:
        ps.Family("F1", "Famille", (), resident=1)
    assert caught.value.path == "resident"


def test_a_password_policy_bound_is_not_echoed() -> None:
    """A huge number has no short repr: the message names the field and the bounds only."""
    with pytest.raises(ps.InvalidArgument) as caught:
        PasswordPolicy(min_length=10**100)
    assert caught.value.code == "bad_password_policy"
    assert caught.value.message == "PasswordPolicy.min_length : un entier de 1 à 1024 est attendu."


@pytest.mark.parametrize(
    "build",
    [
        lambda: c.WeekdayBefore(10**5000),
        lambda: ps.DaysBefore(-(10**5000)),
        lambda: ps.Family("F1", "Famille", (), priority=10**5000),
        lambda: c.DayOfPreviousMonth("x" * 10**6),
    ],
)
def test_a_huge_value_is_refused_with_a_short_message(build: Any) -> None:
    """An int of thousands of digits has no repr (Python 3.11): the error stays typed and short."""
    with pytest.raises(ps.PeriscolaireError) as caught:
        build()
    assert len(caught.value.message) < 200


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: ps.DaysBefore(1, skip_weekdays=None), "skip_weekdays"),
        (lambda: ps.DaysBefore(1, skip_weekdays=[1, "x"]), "skip_weekdays"),
        (lambda: c.DeadlineCase(ps.DaysBefore(1), days=[date(2024, 1, 1), datetime(2024, 1, 2)]), "days"),
        (lambda: c.DeadlineCase(ps.DaysBefore(1), days=5), "days"),
        (lambda: c.DeadlineCase(ps.DaysBefore(1), periods=[1, "2"]), "periods"),
        (lambda: c.DeadlineCase(ps.DaysBefore(1), periods=3), "periods"),
        (lambda: c.Earliest(5), "rules"),
        (lambda: c.Exceptions(ps.DaysBefore(1), None), "cases"),
        (lambda: ps.Closure(date(2024, 9, 27), date(2024, 9, 27), activities=5), "activities"),
        (lambda: ps.Closure(date(2024, 9, 27), date(2024, 9, 27), activities=[1]), "activities"),
    ],
)
def test_a_list_field_given_something_else_names_the_field(build: Any, field: str) -> None:
    with pytest.raises(ps.InvalidArgument) as caught:
        build()
    assert caught.value.message.startswith(f"{field} : ")


def test_the_other_public_constructors_refuse_in_french() -> None:
    with pytest.raises(ps.InvalidData) as data:
        ps.Reservation("paolo", "RESTAURATION", date(2024, 9, 2), "F1", "accepted", transmitted="no")  # type: ignore[arg-type]
    assert data.value.path == "transmitted"
    with pytest.raises(ps.InvalidArgument, match=r"^on : une date"):
        ps.Entry(1, "PERI", "2024-09-02", Decimal("-1.00"), "consumption", "repas")  # type: ignore[arg-type]
    with pytest.raises(ps.InvalidArgument, match=r"^url : "):
        ps.open_store(None)  # type: ignore[arg-type]
