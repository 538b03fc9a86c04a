"""What the deadline rules and the booking periods say in French.

``describe()`` is shown to families and agents (``periscolaire calendar``
prints each period and each activity's deadline; ``init`` writes them as
comments): its text is behaviour. One table per kind of rule.
"""

from __future__ import annotations

from datetime import date, time

import pytest

import periscolaire as ps
from periscolaire.calendar import DeadlineCase, Exceptions, NoDeadline, earliest, latest

DEFAULT = ps.DaysBefore(3)
DEFAULT_TEXT = "au plus tard 3 jours avant (à minuit)"


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (ps.DaysBefore(1, at=time(18)), "au plus tard 1 jour avant (avant 18:00)"),
        (ps.DaysBefore(2), "au plus tard 2 jours avant (à minuit)"),
        (ps.DaysBefore(1, working_days=True), "au plus tard 1 jour ouvré avant (à minuit)"),
        (ps.DaysBefore(2, working_days=True), "au plus tard 2 jours ouvrés avant (à minuit)"),
        (ps.DaysBefore(0, at=time(9)), "le jour même avant 09:00"),
        (
            ps.DaysBefore(2, skip_weekends=True, skip_weekdays=[ps.WED]),
            "au plus tard 2 jours avant, sans compter les week-ends ni les mercredis (à minuit)",
        ),
        (
            ps.DaysBefore(3, skip_public_holidays=True, skip_weekdays=[ps.SAT, ps.WED]),
            "au plus tard 3 jours avant, sans compter les jours fériés, les mercredis ni les samedis (à minuit)",
        ),
        (
            ps.DaysBefore(3, skip_weekdays=[ps.MON, ps.WED, ps.FRI]),
            "au plus tard 3 jours avant, sans compter les lundis, les mercredis ni les vendredis (à minuit)",
        ),
    ],
)
def test_days_before_says_how_many_days_and_which_are_not_counted(rule: ps.DaysBefore, text: str) -> None:
    assert rule.describe() == text
    assert str(rule) == text


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (
            ps.BeforeHolidayStart(1, at=time(12)),
            "au plus tard 1 jour avant le début des vacances (avant 12:00)",
        ),
        (ps.BeforeHolidayStart(2), "au plus tard 2 jours avant le début des vacances (à minuit)"),
        (
            ps.BeforeHolidayStart(21, anchor="first_day"),
            "au plus tard 21 jours avant le premier jour du centre (à minuit)",
        ),
    ],
)
def test_before_holiday_start_says_its_anchor(rule: ps.BeforeHolidayStart, text: str) -> None:
    assert rule.describe() == text


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (ps.WeekdayBefore(ps.THU, at=time(10)), "au plus tard le jeudi précédent (avant 10:00)"),
        (ps.WeekdayBefore(ps.WED, weeks=1), "au plus tard le mercredi de la semaine précédente (à minuit)"),
        (ps.WeekdayBefore(ps.FRI, weeks=2), "au plus tard le vendredi deux semaines avant (à minuit)"),
        (ps.WeekdayBefore(ps.MON, weeks=10), "au plus tard le lundi dix semaines avant (à minuit)"),
        (ps.WeekdayBefore(ps.MON, weeks=11), "au plus tard le lundi 11 semaines avant (à minuit)"),
        (ps.WeekdayBefore(ps.SUN, weeks=52), "au plus tard le dimanche 52 semaines avant (à minuit)"),
    ],
)
def test_weekday_before_names_the_weekday_and_the_week(rule: ps.WeekdayBefore, text: str) -> None:
    assert rule.describe() == text


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (ps.DayOfPreviousMonth(20), "au plus tard le 20 du mois précédent (à minuit)"),
        (ps.DayOfPreviousMonth(31, at=time(12)), "au plus tard le 31 du mois précédent (avant 12:00)"),
    ],
)
def test_day_of_previous_month_says_the_day_and_the_cut_off(rule: ps.DayOfPreviousMonth, text: str) -> None:
    assert rule.describe() == text


def test_no_deadline_runs_until_the_day_itself() -> None:
    assert NoDeadline().describe() == "jusqu'au jour même (à minuit)"


def test_combinations_say_each_of_their_rules() -> None:
    friday = ps.WeekdayBefore(ps.FRI, at=time(12))
    assert earliest(DEFAULT, friday).describe() == (
        "au plus tard 3 jours avant (à minuit), et au plus tard le vendredi précédent (avant 12:00)"
    )
    assert latest(DEFAULT, friday).describe() == (
        "le plus tard de : au plus tard 3 jours avant (à minuit) ; "
        "au plus tard le vendredi précédent (avant 12:00)"
    )


@pytest.mark.parametrize(
    ("case", "which"),
    [
        (DeadlineCase(NoDeadline(), days=[date(2025, 3, 17)]), "le 17/03/2025"),
        (
            DeadlineCase(NoDeadline(), days=[date(2025, 3, 24), date(2025, 3, 17), date(2025, 3, 18)]),
            "le 17/03/2025, 18/03/2025 et 24/03/2025",
        ),
        (
            DeadlineCase(NoDeadline(), start=date(2025, 7, 7), end=date(2025, 8, 29)),
            "du 07/07/2025 au 29/08/2025",
        ),
        (DeadlineCase(NoDeadline(), start=date(2025, 7, 7)), "à partir du 07/07/2025"),
        (DeadlineCase(NoDeadline(), end=date(2024, 9, 13)), "jusqu'au 13/09/2024"),
        (DeadlineCase(NoDeadline(), periods=[5]), "période 5"),
        (DeadlineCase(NoDeadline(), periods=[3, 1, 2]), "périodes 1, 2 et 3"),
        (
            DeadlineCase(NoDeadline(), days=[date(2025, 3, 17)], periods=[5]),
            "le 17/03/2025 ou période 5",
        ),
        (
            DeadlineCase(NoDeadline(), days=[date(2025, 3, 17)], start=date(2025, 7, 7), periods=[1, 5]),
            "le 17/03/2025, à partir du 07/07/2025 ou périodes 1 et 5",
        ),
    ],
)
def test_an_exception_names_its_days_then_its_rule(case: DeadlineCase, which: str) -> None:
    assert case.describe() == f"{which} : jusqu'au jour même (à minuit)"
    assert (
        Exceptions(DEFAULT, [case]).describe()
        == f"{DEFAULT_TEXT} ; sauf {which} : jusqu'au jour même (à minuit)"
    )


def test_exceptions_list_every_case_after_the_default() -> None:
    rule = Exceptions(
        DEFAULT,
        [DeadlineCase(ps.DaysBefore(7), periods=[5]), DeadlineCase(NoDeadline(), days=[date(2025, 3, 17)])],
    )
    assert str(rule) == (
        f"{DEFAULT_TEXT} ; sauf période 5 : au plus tard 7 jours avant (à minuit) ; "
        "sauf le 17/03/2025 : jusqu'au jour même (à minuit)"
    )


def test_a_booking_period_says_when_it_opens_and_which_days_it_covers(cestas: ps.Commune) -> None:
    # The guide's table (p. 10): « ouverture le ... pour la période du ... au ... ».
    texts = [period.describe() for period in cestas.calendar.periods]
    assert (
        texts[0]
        == "Période 1 : ouverture le lun. 19/08/2024 pour la période du lun. 02/09/2024 au ven. 18/10/2024"
    )
    assert (
        texts[2]
        == "Période 3 : ouverture le ven. 20/12/2024 pour la période du lun. 06/01/2025 au ven. 07/03/2025"
    )
