"""Booking rules of the guide (p. 10-12), on the Cestas 2024/2025 calendar.

Every test that uses a register runs on every store (memory, SQLite,
PostgreSQL, MariaDB: tests/stores.py): the rules give the same answers
whatever holds the state.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

import periscolaire as ps
from tests.helpers import cestas_with
from tests.stores import Backend, keyed

PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
AMALIA = ps.Child("amalia", "Amalia", "DUPONT", activities={"ACCUEIL_MATIN", "ACCUEIL_SOIR", "RESTAURATION"})
DUPONT = ps.Family(id="F-DUPONT", name="DUPONT", children=(PAOLO, AMALIA))
MARTIN = ps.Family(id="F-MARTIN", name="MARTIN", children=(ps.Child("lea", "Léa", "MARTIN"),))
OPENING_WEEK = datetime(2024, 8, 26, 10, 0)  # period 1 is open (19 August)
CREDIT = Decimal("50.00")


def register_with_canteen_places(backend: Backend, places: int) -> ps.Register:
    """A register of a Cestas whose canteen has a place limit and no waiting list."""
    text = cestas_with(
        'wallet = "RESTAURATION"                 # ILLUSTRATIVE',
        f'wallet = "RESTAURATION"\ncapacity = {places}',
    )
    return backend.register(ps.Commune.from_toml(text))


def session(
    register: ps.Register, family: ps.Family = DUPONT, now: datetime = OPENING_WEEK
) -> ps.BookingSession:
    return register.open_session(family, now=now, balance=CREDIT, dossier_complete=True)


def booked(register: ps.Register, family: ps.Family, child: str, code: str, *days: date) -> None:
    """Confirm bookings of some days (test set-up)."""
    s = session(register, family)
    for day in days:
        s.toggle_day(child, code, day)
    outcome = s.confirm(OPENING_WEEK)
    assert len(outcome.accepted) + len(outcome.waitlisted) == len(days)


# -- access to the booking screen (guide p. 4 and p. 10) --------------------------


def test_booking_screen_is_refused_to_a_debtor_account(register: ps.Register) -> None:
    # « Vous ne pourrez pas accéder à la réservation si votre Compte Famille est débiteur. »
    with pytest.raises(ps.BookingAccessDenied) as info:
        register.open_session(DUPONT, now=OPENING_WEEK, balance=Decimal("-0.01"), dossier_complete=True)
    assert info.value.code == "debtor"
    assert "débiteur" in info.value.message


def test_a_zero_balance_is_not_a_debt(register: ps.Register) -> None:
    # Only a negative balance closes the booking screen: at 0.00 € it opens, and books.
    s = register.open_session(DUPONT, now=OPENING_WEEK, balance=Decimal(0), dossier_complete=True)
    assert s.family == DUPONT
    day = date(2024, 9, 12)
    assert s.toggle_day("paolo", "RESTAURATION", day) is True
    assert s.confirm(OPENING_WEEK).accepted == (ps.Request("paolo", "RESTAURATION", day),)
    assert register.status("paolo", "RESTAURATION", day) is ps.ReservationStatus.ACCEPTED


def test_booking_screen_is_refused_while_the_dossier_is_not_transmitted(register: ps.Register) -> None:
    # « Les usagers dont les dossiers n'auront pas été transmis dans les délais impartis
    # ne pourront accéder à la réservation des services » (p. 4).
    with pytest.raises(ps.BookingAccessDenied) as info:
        register.open_session(DUPONT, now=OPENING_WEEK, balance=CREDIT, dossier_complete=False)
    assert info.value.code == "dossier_incomplete"


def test_a_float_balance_is_a_type_error(register: ps.Register) -> None:
    with pytest.raises(TypeError):
        register.open_session(DUPONT, now=OPENING_WEEK, balance=12.5, dossier_complete=True)  # type: ignore[arg-type]


# -- one day ---------------------------------------------------------------------------


def test_clicking_a_day_selects_it_and_clicking_again_unselects_it(register: ps.Register) -> None:
    s = session(register)
    day = date(2024, 9, 12)
    assert s.toggle_day("paolo", "RESTAURATION", day) is True
    assert s.is_booked("paolo", "RESTAURATION", day)
    assert register.status("paolo", "RESTAURATION", day) is None  # nothing saved yet
    assert s.toggle_day("paolo", "RESTAURATION", day) is False
    assert not s.is_booked("paolo", "RESTAURATION", day)
    assert not s.recap()


def test_clicking_a_booked_day_selects_its_cancellation(register: ps.Register) -> None:
    day = date(2024, 9, 12)
    booked(register, DUPONT, "paolo", "RESTAURATION", day)
    s = session(register)
    assert s.toggle_day("paolo", "RESTAURATION", day) is False
    assert s.recap().cancellations == (ps.Request("paolo", "RESTAURATION", day),)
    assert s.toggle_day("paolo", "RESTAURATION", day) is True
    assert not s.recap()


@pytest.mark.parametrize(
    ("child", "code", "day", "now", "reason"),
    [
        ("paolo", "RESTAURATION", date(2024, 9, 11), OPENING_WEEK, "not_running"),  # a Wednesday
        ("paolo", "MERCREDI", date(2024, 9, 4), OPENING_WEEK, "not_running"),  # the closure
        ("paolo", "RESTAURATION", date(2024, 11, 4), OPENING_WEEK, "not_open_yet"),  # period 2
        ("paolo", "RESTAURATION", date(2024, 9, 2), datetime(2024, 8, 31), "past_deadline"),
        ("amalia", "MERCREDI", date(2024, 9, 11), OPENING_WEEK, "not_enrolled"),
    ],
)
def test_a_day_that_cannot_be_booked_raises_not_bookable_with_its_code(
    register: ps.Register, child: str, code: str, day: date, now: datetime, reason: str
) -> None:
    s = session(register, now=now)
    with pytest.raises(ps.NotBookable) as info:
        s.toggle_day(child, code, day)
    assert info.value.code == reason
    assert not s.recap()


def test_cancelling_after_the_deadline_is_refused(register: ps.Register) -> None:
    booked(register, DUPONT, "paolo", "RESTAURATION", date(2024, 9, 2))
    late = session(register, now=datetime(2024, 8, 31, 9))
    with pytest.raises(ps.NotBookable) as info:
        late.toggle_day("paolo", "RESTAURATION", date(2024, 9, 2))
    assert info.value.code == "past_deadline"


def test_unknown_child_and_activity_are_typed_errors(register: ps.Register) -> None:
    s = session(register)
    with pytest.raises(ps.UnknownChild):
        s.toggle_day("lea", "RESTAURATION", date(2024, 9, 12))
    with pytest.raises(ps.UnknownActivity):
        s.toggle_week("paolo", "PISCINE", date(2024, 9, 12))


# -- a week, a weekday of the month, a month (guide p. 11) ----------------------------------


def test_week_arrow_books_every_bookable_day_of_the_week(register: ps.Register) -> None:
    s = session(register)
    changed = s.toggle_week("paolo", "RESTAURATION", date(2024, 9, 11))
    assert changed == (date(2024, 9, 9), date(2024, 9, 10), date(2024, 9, 12), date(2024, 9, 13))


def test_week_arrow_cancels_every_day_when_the_first_bookable_day_is_booked(register: ps.Register) -> None:
    # « si le 1er jour réservable de la semaine n'est pas réservé, tous les jours seront
    # réservés, s'il est déjà réservé, tous les jours seront annulés »
    booked(register, DUPONT, "paolo", "RESTAURATION", date(2024, 9, 9), date(2024, 9, 12))
    s = session(register)
    assert s.toggle_week("paolo", "RESTAURATION", date(2024, 9, 9)) == (date(2024, 9, 9), date(2024, 9, 12))
    assert [s.is_booked("paolo", "RESTAURATION", date(2024, 9, d)) for d in (9, 10, 12, 13)] == [False] * 4


def test_week_arrow_books_every_day_when_the_first_bookable_day_is_free(register: ps.Register) -> None:
    booked(register, DUPONT, "paolo", "RESTAURATION", date(2024, 9, 10))
    s = session(register)
    assert s.toggle_week("paolo", "RESTAURATION", date(2024, 9, 9)) == (
        date(2024, 9, 9),
        date(2024, 9, 12),
        date(2024, 9, 13),
    )
    assert s.recap().cancellations == ()


def test_first_bookable_day_skips_days_past_their_deadline(register: ps.Register) -> None:
    # On Saturday 31 August, Monday 2 September is past its deadline: the first
    # bookable day of the week is Tuesday 3, which decides.
    booked(register, DUPONT, "paolo", "RESTAURATION", date(2024, 9, 2))
    s = session(register, now=datetime(2024, 8, 31, 9))
    assert s.toggle_week("paolo", "RESTAURATION", date(2024, 9, 2)) == (
        date(2024, 9, 3),
        date(2024, 9, 5),
        date(2024, 9, 6),
    )
    assert s.is_booked("paolo", "RESTAURATION", date(2024, 9, 2))  # left alone


def test_first_bookable_day_is_read_with_pending_changes(register: ps.Register) -> None:
    s = session(register)
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 9))
    # As the calendar shows it, Monday 9 is booked: the week arrow cancels.
    assert s.toggle_week("paolo", "RESTAURATION", date(2024, 9, 9)) == (date(2024, 9, 9),)
    assert not s.recap()


def test_weekday_arrow_selects_every_monday_of_the_month(register: ps.Register) -> None:
    s = session(register)
    assert s.toggle_weekday("paolo", "RESTAURATION", date(2024, 9, 16)) == (
        date(2024, 9, 2),
        date(2024, 9, 9),
        date(2024, 9, 16),
        date(2024, 9, 23),
        date(2024, 9, 30),
    )


def test_weekday_arrow_on_wednesdays_skips_the_closure(register: ps.Register) -> None:
    s = session(register)
    assert s.toggle_weekday("paolo", "MERCREDI", date(2024, 9, 4)) == (
        date(2024, 9, 11),
        date(2024, 9, 18),
        date(2024, 9, 25),
    )


def test_month_icon_selects_every_school_day_of_the_month(register: ps.Register) -> None:
    s = session(register)
    days = s.toggle_month("paolo", "ACCUEIL_SOIR", date(2024, 9, 20))
    assert len(days) == 17
    assert days[0] == date(2024, 9, 2)
    assert days[-1] == date(2024, 9, 30)
    assert date(2024, 9, 11) not in days


def test_month_icon_again_cancels_the_month(register: ps.Register) -> None:
    s = session(register)
    s.toggle_month("paolo", "ACCUEIL_SOIR", date(2024, 9, 20))
    s.confirm(OPENING_WEEK)
    assert len(s.toggle_month("paolo", "ACCUEIL_SOIR", date(2024, 9, 1))) == 17
    assert len(s.recap().cancellations) == 17


def test_a_selection_with_no_bookable_day_changes_nothing(register: ps.Register) -> None:
    s = session(register)
    assert s.toggle_week("paolo", "RESTAURATION", date(2024, 10, 23)) == ()  # Toussaint
    assert s.toggle_month("paolo", "RESTAURATION", date(2024, 11, 1)) == ()  # period 2 not open
    assert s.toggle_month("amalia", "MERCREDI", date(2024, 9, 1)) == ()  # not enrolled
    assert not s.recap()


# -- recap and discard (p. 11-12) -------------------------------------------------------------


def test_recap_lists_bookings_then_cancellations_by_child_activity_day(register: ps.Register) -> None:
    booked(register, DUPONT, "amalia", "RESTAURATION", date(2024, 9, 5))
    s = session(register)
    s.toggle_day("amalia", "ACCUEIL_MATIN", date(2024, 9, 6))
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 6))
    s.toggle_day("paolo", "ACCUEIL_MATIN", date(2024, 9, 12))
    s.toggle_day("paolo", "ACCUEIL_MATIN", date(2024, 9, 5))
    s.toggle_day("amalia", "RESTAURATION", date(2024, 9, 5))
    recap = s.recap()
    assert recap.bookings == (
        ps.Request("paolo", "ACCUEIL_MATIN", date(2024, 9, 5)),
        ps.Request("paolo", "ACCUEIL_MATIN", date(2024, 9, 12)),
        ps.Request("paolo", "RESTAURATION", date(2024, 9, 6)),
        ps.Request("amalia", "ACCUEIL_MATIN", date(2024, 9, 6)),
    )
    assert recap.cancellations == (ps.Request("amalia", "RESTAURATION", date(2024, 9, 5)),)


def test_discard_drops_every_pending_change(register: ps.Register) -> None:
    booked(register, DUPONT, "paolo", "RESTAURATION", date(2024, 9, 5))
    s = session(register)
    s.toggle_month("paolo", "ACCUEIL_SOIR", date(2024, 9, 1))
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 5))
    s.discard()
    assert not s.recap()
    assert s.is_booked("paolo", "RESTAURATION", date(2024, 9, 5))
    assert s.confirm(OPENING_WEEK) == ps.Outcome()


# -- confirmation (p. 12) ---------------------------------------------------------------------


def test_confirmation_saves_the_recap_and_empties_the_selection(register: ps.Register) -> None:
    s = session(register)
    s.toggle_week("paolo", "RESTAURATION", date(2024, 9, 9))
    outcome = s.confirm(datetime(2024, 8, 26, 10, 5))
    assert [r.day for r in outcome.accepted] == [date(2024, 9, d) for d in (9, 10, 12, 13)]
    assert not s.recap()
    assert register.status("paolo", "RESTAURATION", date(2024, 9, 9)) is ps.ReservationStatus.ACCEPTED


def test_confirmation_rechecks_the_deadline_at_the_instant_of_confirmation(register: ps.Register) -> None:
    s = session(register, now=datetime(2024, 8, 30, 23, 50))
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 2))
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 3))
    outcome = s.confirm(datetime(2024, 8, 31, 0, 1))
    assert outcome.refused == (
        ps.Rejection(ps.Request("paolo", "RESTAURATION", date(2024, 9, 2)), "past_deadline"),
    )
    assert outcome.accepted == (ps.Request("paolo", "RESTAURATION", date(2024, 9, 3)),)
    assert register.status("paolo", "RESTAURATION", date(2024, 9, 2)) is None


def test_a_full_wednesday_puts_the_booking_on_the_waiting_list(register: ps.Register) -> None:
    wednesday = date(2024, 9, 18)
    register.set_capacity("MERCREDI", wednesday, 1)
    booked(register, MARTIN, "lea", "MERCREDI", wednesday)
    s = session(register)
    assert register.places_left("MERCREDI", wednesday) == 0
    s.toggle_day("paolo", "MERCREDI", wednesday)
    outcome = s.confirm(OPENING_WEEK)
    assert outcome.waitlisted == (ps.Request("paolo", "MERCREDI", wednesday),)
    assert register.status("paolo", "MERCREDI", wednesday) is ps.ReservationStatus.WAITLISTED
    assert register.waiting_list("MERCREDI", wednesday) == (ps.Request("paolo", "MERCREDI", wednesday),)
    assert register.taken("MERCREDI", wednesday) == 1


def test_places_are_rechecked_at_confirmation(register: ps.Register) -> None:
    # « Ce nombre de places peut évoluer car d'autres personnes peuvent être également
    # en train de faire des réservations. Une vérification sera faite au moment où vous
    # validerez réellement vos réservations. » (p. 11)
    wednesday = date(2024, 9, 18)
    register.set_capacity("MERCREDI", wednesday, 1)
    dupont, martin = session(register), session(register, MARTIN)
    dupont.toggle_day("paolo", "MERCREDI", wednesday)
    martin.toggle_day("lea", "MERCREDI", wednesday)
    assert register.places_left("MERCREDI", wednesday) == 1  # both see a place
    assert martin.confirm(OPENING_WEEK).accepted
    assert dupont.confirm(OPENING_WEEK).waitlisted


def test_without_a_waiting_list_a_full_day_is_refused(backend: Backend) -> None:
    register = register_with_canteen_places(backend, 1)
    booked(register, MARTIN, "lea", "RESTAURATION", date(2024, 9, 12))
    s = session(register)
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 12))
    outcome = s.confirm(OPENING_WEEK)
    assert outcome.refused == (ps.Rejection(ps.Request("paolo", "RESTAURATION", date(2024, 9, 12)), "full"),)
    assert outcome.refused[0].message == "Plus de place disponible."


def test_cancelling_an_accepted_day_promotes_the_first_of_the_waiting_list(register: ps.Register) -> None:
    wednesday = date(2024, 9, 18)
    register.set_capacity("MERCREDI", wednesday, 1)
    third = ps.Family(id="F-3", name="BERNARD", children=(ps.Child("tom", "Tom", "BERNARD"),))
    booked(register, MARTIN, "lea", "MERCREDI", wednesday)
    booked(register, DUPONT, "paolo", "MERCREDI", wednesday)  # waiting list, first
    booked(register, third, "tom", "MERCREDI", wednesday)  # waiting list, second
    martin = session(register, MARTIN, now=datetime(2024, 9, 2, 18))
    martin.toggle_day("lea", "MERCREDI", wednesday)
    assert martin.confirm(datetime(2024, 9, 2, 18, 1)).cancelled == (
        ps.Request("lea", "MERCREDI", wednesday),
    )
    assert register.status("paolo", "MERCREDI", wednesday) is ps.ReservationStatus.ACCEPTED
    assert register.status("tom", "MERCREDI", wednesday) is ps.ReservationStatus.WAITLISTED
    assert register.take_promotions() == (
        ps.Promotion(ps.Request("paolo", "MERCREDI", wednesday), "F-DUPONT", datetime(2024, 9, 2, 18, 1)),
    )
    assert register.take_promotions() == ()


def test_cancelling_a_waitlisted_day_removes_it_from_the_list(register: ps.Register) -> None:
    wednesday = date(2024, 9, 18)
    register.set_capacity("MERCREDI", wednesday, 0)
    booked(register, DUPONT, "paolo", "MERCREDI", wednesday)
    booked(register, MARTIN, "lea", "MERCREDI", wednesday)
    s = session(register)
    s.toggle_day("paolo", "MERCREDI", wednesday)
    assert s.confirm(OPENING_WEEK).cancelled
    assert register.waiting_list("MERCREDI", wednesday) == (ps.Request("lea", "MERCREDI", wednesday),)
    assert register.take_promotions() == ()


def test_raising_the_places_of_a_day_promotes_on_request(register: ps.Register) -> None:
    wednesday = date(2024, 9, 18)
    register.set_capacity("MERCREDI", wednesday, 0)
    booked(register, DUPONT, "paolo", "MERCREDI", wednesday)
    register.set_capacity("MERCREDI", wednesday, 1)
    promoted = register.promote("MERCREDI", wednesday, datetime(2024, 9, 3, 9))
    assert [p.request.child for p in promoted] == ["paolo"]
    assert register.places_left("MERCREDI", wednesday) == 0


def test_two_sessions_of_one_family_see_each_others_confirmed_changes(register: ps.Register) -> None:
    first, second = session(register), session(register)
    day = date(2024, 9, 12)
    first.toggle_day("paolo", "RESTAURATION", day)
    second.toggle_day("paolo", "RESTAURATION", day)
    assert first.confirm(OPENING_WEEK).accepted
    outcome = second.confirm(OPENING_WEEK)
    assert outcome.refused == (ps.Rejection(ps.Request("paolo", "RESTAURATION", day), "already_booked"),)
    assert second.is_booked("paolo", "RESTAURATION", day)
    assert len(register) == 1


def test_a_cancellation_already_made_elsewhere_is_reported(register: ps.Register) -> None:
    day = date(2024, 9, 12)
    booked(register, DUPONT, "paolo", "RESTAURATION", day)
    first, second = session(register), session(register)
    first.toggle_day("paolo", "RESTAURATION", day)
    second.toggle_day("paolo", "RESTAURATION", day)
    assert first.confirm(OPENING_WEEK).cancelled
    assert second.confirm(OPENING_WEEK).refused[0].code == "not_booked"


# -- separated parents --------------------------------------------------------------------


def test_separated_parents_book_the_same_child_from_their_own_accounts(register: ps.Register) -> None:
    # « chaque parent des familles séparées ... peut bénéficier de son propre compte
    # ... et procéder ainsi aux réservations pour ses jours de garde » (p. 1)
    mother = ps.Family(id="F-MERE", name="DUPONT", children=(PAOLO,))
    father = ps.Family(id="F-PERE", name="DURAND", children=(PAOLO,))
    booked(register, mother, "paolo", "RESTAURATION", date(2024, 9, 12))
    booked(register, father, "paolo", "RESTAURATION", date(2024, 9, 19))
    s = session(register, father)
    assert s.is_booked("paolo", "RESTAURATION", date(2024, 9, 12))  # the child's calendar
    with pytest.raises(ps.NotBookable) as info:
        s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 12))
    assert info.value.code == "booked_by_other_account"
    assert register.owner("paolo", "RESTAURATION", date(2024, 9, 19)) == "F-PERE"
    assert [r.family for r in register.reservations()] == ["F-MERE", "F-PERE"]


def test_the_register_never_holds_a_child_day_twice(register: ps.Register) -> None:
    mother = ps.Family(id="F-MERE", name="DUPONT", children=(PAOLO,))
    father = ps.Family(id="F-PERE", name="DURAND", children=(PAOLO,))
    m, f = session(register, mother), session(register, father)
    m.toggle_day("paolo", "RESTAURATION", date(2024, 9, 12))
    f.toggle_day("paolo", "RESTAURATION", date(2024, 9, 12))
    assert m.confirm(OPENING_WEEK).accepted
    assert f.confirm(OPENING_WEEK).refused[0].code == "already_booked"
    assert len(register) == 1


def test_alternate_week_custody_restricts_an_account_to_its_weeks(register: ps.Register) -> None:
    father = ps.Family(
        id="F-PERE", name="DURAND", children=(PAOLO,), custody=ps.AlternateWeeks(reference=date(2024, 9, 2))
    )
    s = session(register, father)
    assert s.toggle_month("paolo", "RESTAURATION", date(2024, 9, 1)) == (
        date(2024, 9, 2),
        date(2024, 9, 3),
        date(2024, 9, 5),
        date(2024, 9, 6),
        date(2024, 9, 16),
        date(2024, 9, 17),
        date(2024, 9, 19),
        date(2024, 9, 20),
        date(2024, 9, 30),
    )
    with pytest.raises(ps.NotBookable) as info:
        s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 9))
    assert info.value.code == "not_custody_day"


def test_explicit_custody_days(register: ps.Register) -> None:
    father = ps.Family(
        id="F-PERE", name="DURAND", children=(PAOLO,), custody=ps.CustodyDays({date(2024, 9, 12)})
    )
    s = session(register, father)
    assert s.toggle_week("paolo", "RESTAURATION", date(2024, 9, 9)) == (date(2024, 9, 12),)


# -- copy (p. 11) ---------------------------------------------------------------------------


def test_copy_repeats_bookings_on_another_child(register: ps.Register) -> None:
    s = session(register)
    s.toggle_month("paolo", "RESTAURATION", date(2024, 9, 1))
    assert s.copy("paolo", "RESTAURATION", "amalia", "RESTAURATION", 1) == ()
    assert len(s.recap().bookings) == 34


def test_copy_lists_the_days_it_could_not_copy(register: ps.Register) -> None:
    booked(register, DUPONT, "paolo", "ACCUEIL_SOIR", date(2024, 9, 2), date(2024, 9, 3), date(2024, 9, 5))
    booked(register, DUPONT, "amalia", "ACCUEIL_SOIR", date(2024, 9, 5))
    s = session(register, now=datetime(2024, 8, 31, 9))
    rejected = s.copy("paolo", "ACCUEIL_SOIR", "amalia", "ACCUEIL_SOIR", 1)
    assert [(r.request.day, r.code) for r in rejected] == [
        (date(2024, 9, 2), "past_deadline"),
        (date(2024, 9, 5), "already_booked"),
    ]
    assert s.recap().bookings == (ps.Request("amalia", "ACCUEIL_SOIR", date(2024, 9, 3)),)


def test_copy_to_another_activity_rejects_days_it_does_not_run(register: ps.Register) -> None:
    s = session(register)
    s.toggle_week("paolo", "RESTAURATION", date(2024, 9, 9))
    rejected = s.copy("paolo", "RESTAURATION", "paolo", "MERCREDI", 1)
    assert {r.code for r in rejected} == {"not_running"}
    rejected = s.copy("paolo", "RESTAURATION", "amalia", "MERCREDI", 1)
    assert {r.code for r in rejected} == {"not_enrolled"}


def test_copy_rejects_full_days_without_a_waiting_list(backend: Backend) -> None:
    register = register_with_canteen_places(backend, 2)
    booked(register, MARTIN, "lea", "RESTAURATION", date(2024, 9, 12))
    s = session(register)
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 12))
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 13))
    rejected = s.copy("paolo", "RESTAURATION", "amalia", "RESTAURATION", 1)
    # 12 September: one place left, taken by Paolo's pending booking.
    assert [(r.request.day, r.code) for r in rejected] == [(date(2024, 9, 12), "full")]


def test_copy_onto_the_same_child_and_activity_is_an_error(register: ps.Register) -> None:
    s = session(register)
    with pytest.raises(ps.BookingError) as info:
        s.copy("paolo", "RESTAURATION", "paolo", "RESTAURATION", 1)
    assert info.value.code == "copy_onto_itself"


def test_copy_to_a_day_pending_cancellation_books_it_again(register: ps.Register) -> None:
    booked(register, DUPONT, "amalia", "RESTAURATION", date(2024, 9, 12))
    s = session(register)
    s.toggle_day("amalia", "RESTAURATION", date(2024, 9, 12))
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 12))
    assert s.copy("paolo", "RESTAURATION", "amalia", "RESTAURATION", s.register.calendar.period(1)) == ()
    assert not s.recap().cancellations
    # Amalia's day is simply kept: nothing to book again, only Paolo's day is pending.
    assert s.recap().bookings == (ps.Request("paolo", "RESTAURATION", date(2024, 9, 12)),)


# -- transmission (p. 12) -----------------------------------------------------------------


def test_confirmed_reservations_are_not_transmitted_until_the_nightly_run(register: ps.Register) -> None:
    # « Les réservations que vous venez de faire seront indiquées "Non Transmise", elles
    # seront transmises dans la nuit »
    booked(register, DUPONT, "paolo", "RESTAURATION", date(2024, 9, 12))
    assert [r.transmitted for r in register.reservations()] == [False]
    movements = register.transmit(datetime(2024, 8, 27, 2))
    assert movements == {
        "F-DUPONT": (ps.Movement(ps.MovementKind.ACCEPTED, "RESTAURATION", "paolo", date(2024, 9, 12)),)
    }
    assert [r.transmitted for r in register.reservations()] == [True]
    assert register.transmit(datetime(2024, 8, 28, 2)) == {}


def test_nightly_movements_include_refusals_and_cancellations(register: ps.Register) -> None:
    wednesday = date(2024, 9, 18)
    register.set_capacity("MERCREDI", wednesday, 0)
    booked(register, DUPONT, "paolo", "RESTAURATION", date(2024, 9, 12))
    s = session(register, now=datetime(2024, 8, 30, 23))
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 12))
    s.toggle_day("paolo", "RESTAURATION", date(2024, 9, 2))
    s.toggle_day("paolo", "MERCREDI", wednesday)
    s.confirm(datetime(2024, 8, 31, 0, 30))
    kinds = [(m.kind, m.day) for m in register.transmit(datetime(2024, 8, 31, 2))["F-DUPONT"]]
    assert kinds == [
        (ps.MovementKind.ACCEPTED, date(2024, 9, 12)),  # first confirmation
        (ps.MovementKind.CANCELLED, date(2024, 9, 12)),  # second: cancellations first,
        (ps.MovementKind.WAITLISTED, wednesday),  # then the waiting list,
        (ps.MovementKind.REFUSED, date(2024, 9, 2)),  # then refusals
    ]


# -- hydration and the portal's calendar ------------------------------------------------------


def test_a_register_is_hydrated_from_stored_reservations(cestas: ps.Commune, backend: Backend) -> None:
    wednesday = date(2024, 9, 18)
    rows = [
        ps.Reservation("tom", "MERCREDI", wednesday, "F-3", "waitlisted", sequence=9, transmitted=True),
        ps.Reservation(
            "paolo", "MERCREDI", wednesday, "F-DUPONT", "waitlisted", sequence=4, transmitted=True
        ),
        ps.Reservation("lea", "MERCREDI", wednesday, "F-MARTIN", "accepted", sequence=1, transmitted=True),
    ]
    register = ps.Register.from_reservations(keyed(cestas), rows, store=backend.store())
    assert [r.child for r in register.waiting_list("MERCREDI", wednesday)] == ["paolo", "tom"]
    assert register.taken("MERCREDI", wednesday) == 1
    assert sorted(register.reservations(), key=lambda r: r.sequence) == sorted(rows, key=lambda r: r.sequence)


def test_hydration_refuses_a_child_day_twice_and_overbooking(cestas: ps.Commune, backend: Backend) -> None:
    register = backend.register(cestas)
    row = ps.Reservation("lea", "MERCREDI", date(2024, 9, 18), "F-MARTIN", "accepted", 1)
    with pytest.raises(ps.BookingError) as info:
        register.load([row, row])
    assert info.value.code == "duplicate_reservation"
    many = [ps.Reservation(f"c{i}", "MERCREDI", date(2024, 9, 18), f"F{i}", "accepted", i) for i in range(49)]
    with pytest.raises(ps.BookingError) as info:
        register.load(many)
    assert info.value.code == "overbooked"
    assert len(register) == 0  # nothing stored


def test_month_view_gives_state_booked_flag_and_places_left(register: ps.Register) -> None:
    booked(register, MARTIN, "lea", "MERCREDI", date(2024, 9, 11))
    s = session(register)
    s.toggle_day("paolo", "MERCREDI", date(2024, 9, 18))
    cells = {c.day: c for c in s.month("paolo", "MERCREDI", 2024, 9)}
    assert len(cells) == 30
    assert cells[date(2024, 9, 4)].state is ps.DayState.NOT_RUNNING
    assert cells[date(2024, 9, 11)] == ps.DayCell(
        date(2024, 9, 11), ps.DayState.BOOKABLE, False, False, False, 47
    )
    assert cells[date(2024, 9, 18)] == ps.DayCell(
        date(2024, 9, 18), ps.DayState.BOOKABLE, True, True, False, 48
    )
    assert cells[date(2024, 9, 12)].places_left == 48
    restauration = s.month("paolo", "RESTAURATION", 2024, 9)
    assert all(c.places_left is None for c in restauration)
    not_enrolled = s.month("amalia", "MERCREDI", 2024, 9)
    assert {c.state for c in not_enrolled} == {ps.DayState.NOT_RUNNING}


def test_session_state_names_child_level_reasons(register: ps.Register) -> None:
    s = session(register)
    assert s.state("amalia", "MERCREDI", date(2024, 9, 11)) == "not_enrolled"
    assert s.state("paolo", "MERCREDI", date(2024, 9, 11)) is ps.DayState.BOOKABLE


@pytest.mark.parametrize("truthy", ["no", "non", 1, None])
def test_booking_access_needs_a_real_yes_for_the_dossier(cestas: ps.Commune, truthy: Any) -> None:
    # « pour permettre l'accès aux réservations des services » (p. 4): a truthy string is not a yes.
    register = ps.Register(cestas)
    family = ps.Family("F-DUPONT", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
    with pytest.raises(ps.InvalidArgument):
        register.open_session(
            family, now=datetime(2024, 8, 26, 10), balance=Decimal(0), dossier_complete=truthy
        )
