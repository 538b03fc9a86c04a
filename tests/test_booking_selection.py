"""Selecting days before confirmation (guide p. 11), on every store.

A week, a weekday of the month or the month: « si le 1er jour réservable ...
n'est pas réservé, tous les jours seront réservés, s'il est déjà réservé, tous
les jours seront annulés ». Every day of the selection is looked at, whatever
the days before it were: a day already selected the same way stays selected,
a day this account cannot cancel stays booked, and the others follow the first
bookable day. The recap lists what is pending, bookings or cancellations alone.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

import periscolaire as ps

PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
DUPONT = ps.Family("F-DUPONT", "DUPONT", (PAOLO,))
MOTHER = ps.Family("F-MERE", "DUPONT", (PAOLO,))
FATHER = ps.Family("F-PERE", "DURAND", (PAOLO,))
OPENING_WEEK = datetime(2024, 8, 26, 10)  # period 1 is open (19 August)
MON, TUE, THU, FRI = (date(2024, 9, d) for d in (9, 10, 12, 13))


def open_for(
    register: ps.Register, family: ps.Family = DUPONT, now: datetime = OPENING_WEEK
) -> ps.BookingSession:
    return register.open_session(family, now=now, balance=Decimal(0), dossier_complete=True)


def book(register: ps.Register, family: ps.Family, *days: date) -> None:
    session = open_for(register, family)
    for day in days:
        session.toggle_day("paolo", "RESTAURATION", day)
    assert len(session.confirm(OPENING_WEEK).accepted) == len(days)


def test_a_week_books_every_free_day_past_one_already_selected(register: ps.Register) -> None:
    session = open_for(register)
    session.toggle_day("paolo", "RESTAURATION", TUE)
    assert session.toggle_week("paolo", "RESTAURATION", MON) == (MON, THU, FRI)
    assert [r.day for r in session.recap().bookings] == [MON, TUE, THU, FRI]


def test_a_day_is_pending_from_its_selection_until_it_is_unselected(register: ps.Register) -> None:
    book(register, DUPONT, FRI)
    session = open_for(register)
    session.toggle_day("paolo", "RESTAURATION", THU)  # a booking
    session.toggle_day("paolo", "RESTAURATION", FRI)  # a cancellation
    pending = [session.is_pending("paolo", "RESTAURATION", d) for d in (MON, THU, FRI)]
    assert pending == [False, True, True]
    session.toggle_day("paolo", "RESTAURATION", THU)
    assert not session.is_pending("paolo", "RESTAURATION", THU)


def test_a_week_cancels_every_day_past_one_booked_from_the_other_account(register: ps.Register) -> None:
    # Separated parents (p. 1): the father's Tuesday is not the mother's to cancel.
    book(register, MOTHER, MON, THU, FRI)
    book(register, FATHER, TUE)
    session = open_for(register, MOTHER)
    assert session.toggle_week("paolo", "RESTAURATION", MON) == (MON, THU, FRI)
    assert [r.day for r in session.recap().cancellations] == [MON, THU, FRI]
    assert session.is_booked("paolo", "RESTAURATION", TUE)


def test_the_month_icon_starts_on_the_first_of_the_month(register: ps.Register) -> None:
    # Tuesday 1 October 2024 is a school day of period 1.
    days = open_for(register).toggle_month("paolo", "RESTAURATION", date(2024, 10, 15))
    assert days[0] == date(2024, 10, 1)
    assert days[-1] == date(2024, 10, 18)  # period 1 ends; the Toussaint holidays follow


def test_the_weekday_arrow_starts_on_the_first_such_day_of_the_month(register: ps.Register) -> None:
    days = open_for(register).toggle_weekday("paolo", "RESTAURATION", date(2024, 10, 15))
    assert days == (date(2024, 10, 1), date(2024, 10, 8), date(2024, 10, 15))


@pytest.mark.parametrize("cancel", [False, True])
def test_a_recap_with_only_bookings_or_only_cancellations_is_not_empty(
    register: ps.Register, cancel: bool
) -> None:
    if cancel:
        book(register, DUPONT, THU)
    session = open_for(register)
    session.toggle_day("paolo", "RESTAURATION", THU)
    recap = session.recap()
    assert recap
    assert (len(recap.bookings), len(recap.cancellations)) == ((0, 1) if cancel else (1, 0))


def test_a_day_that_cannot_be_booked_names_the_child_the_activity_and_the_day(register: ps.Register) -> None:
    with pytest.raises(ps.NotBookable) as info:
        open_for(register).toggle_day("paolo", "RESTAURATION", date(2024, 9, 11))
    assert info.value.code == "not_running"
    assert info.value.message == "L'activité n'a pas lieu ce jour-là. (Paolo, RESTAURATION, 11/09/2024)"


def test_asking_about_a_child_of_another_family_names_it(register: ps.Register) -> None:
    session = open_for(register)
    with pytest.raises(ps.UnknownChild) as info:
        session.is_booked("lea", "RESTAURATION", THU)
    assert info.value.child == "lea"


@pytest.mark.parametrize(
    ("child", "code", "error", "named"),
    [
        ("lea", "RESTAURATION", ps.UnknownChild, "lea"),
        ("paolo", "PISCINE", ps.UnknownActivity, "PISCINE"),
        ("", "RESTAURATION", ps.InvalidArgument, "child_id : "),
        ("paolo", "", ps.InvalidArgument, "code : "),
    ],
)
def test_a_selection_for_an_unknown_child_or_activity_names_it(
    register: ps.Register, child: str, code: str, error: type[ps.PeriscolaireError], named: str
) -> None:
    session = open_for(register)
    selections = (session.toggle_day, session.toggle_week, session.toggle_month, session.state)
    for select in selections:
        with pytest.raises(error) as info:
            select(child, code, THU)
        value = info.value
        if isinstance(value, ps.UnknownChild):
            assert value.child == named
        elif isinstance(value, ps.UnknownActivity):
            assert value.activity == named
        else:
            assert value.message.startswith(named)
    assert not session.recap()
