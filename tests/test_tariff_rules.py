"""Tariff rules beyond the worked examples of test_tariff.py: the QF of a family without
income, rounding that does not depend on the host, where grids change price, the
crèche grid charged by the hour, and how a Pricing reads in French (docs/tariff.md).

Every grid is built inside a test (functions below), never at import.
"""

from __future__ import annotations

from datetime import date, time
from decimal import ROUND_HALF_UP, localcontext
from decimal import Decimal as D

import pytest

from periscolaire.tariff import (
    CAF_CRECHE_2024,
    BracketTariff,
    ChildrenRateTariff,
    EffortRateBracketTariff,
    EffortRateTariff,
    Pricing,
    QuotientFamilial,
    TimeUnit,
    TimeUnitTariff,
    Usage,
    family_parts,
    qf_points,
    quotient_familial,
)


def grid() -> BracketTariff:
    """1.20 € below a QF of 600, 2.40 € below 1,000, 3.60 € from 1,000."""
    return BracketTariff(((D(0), D("1.20")), (D(600), D("2.40")), (D(1000), D("3.60"))))


def effort_grid() -> EffortRateBracketTariff:
    """0.3 % of the QF (0.50 € to 1.80 €) below 700, 0.4 % (2.00 € to 4.50 €) from 700."""
    return EffortRateBracketTariff(
        (
            (D(0), EffortRateTariff(rate=D("0.003"), floor=D("0.50"), ceiling=D("1.80"))),
            (D(700), EffortRateTariff(rate=D("0.004"), floor=D("2.00"), ceiling=D("4.50"))),
        )
    )


def evening(cost: D | None = None) -> TimeUnitTariff:
    """16:30 to 18:30 by half-hour started, at least two, 0.50 € below a QF of 700, 0.80 € from 700."""
    unit = BracketTariff(((D(0), D("0.50")), (D(700), D("0.80"))), cost_price=cost)
    return TimeUnitTariff(
        unit, unit=TimeUnit.HALF_HOUR, opens=time(16, 30), closes=time(18, 30), minimum_units=2
    )


def creche_by_the_hour() -> TimeUnitTariff:
    """The CAF's crèche grid, charged per hour started from 8:00 to 18:00."""
    return TimeUnitTariff(CAF_CRECHE_2024, unit=TimeUnit.HOUR, opens=time(8), closes=time(18))


# -- the quotient familial ----------------------------------------------------------------------


def test_a_family_without_income_has_a_qf_of_zero_and_pays_the_first_bracket() -> None:
    # A QF of 0 is a QF (the lowest tariff), not « no QF » (the highest, guide p. 4).
    qf = quotient_familial(D(0), family_parts(children=2))
    assert qf == D("0.00")
    notice = QuotientFamilial(qf, notice_year=2023)
    assert notice.valid_year == 2024
    assert notice.on(date(2024, 9, 2)) == D(0)
    assert grid().price(notice.on(date(2024, 9, 2))) == D("1.20")


@pytest.mark.parametrize(
    ("parts", "qf"),
    [(D("0.25"), D("4000.00")), (D(1), D("1000.00")), (D("1.25"), D("800.00")), (D("2.75"), D("363.64"))],
)
def test_any_positive_quarter_of_a_part_divides_the_monthly_income(parts: D, qf: D) -> None:
    # 12,000 a year is 1,000 a month, divided by the parts (a multiple of 0.25).
    assert quotient_familial(D(12000), parts) == qf


def test_rounding_is_half_to_even_whatever_the_hosts_decimal_context() -> None:
    # A host may run with another rounding (ROUND_HALF_UP here): the library's amounts do not change.
    with localcontext(rounding=ROUND_HALF_UP):
        # (12,000.12 / 12) / 2 = 500.005 -> 500.00
        assert quotient_familial(D("12000.12"), D(2)) == D("500.00")
        # 401 x 0.5 % = 2.005 -> 2.00
        assert EffortRateTariff(rate=D("0.005"), floor=D(0), ceiling=D(9)).price(D(401)) == D("2.00")
        # 2,005 x 0.1 % = 2.005 -> 2.00
        per_resources = ChildrenRateTariff(((1, D("0.001")),), floor=D(0), ceiling=D(6000))
        assert per_resources.price(D(2005)) == D("2.00")
        # 1.05 halved = 0.525 -> 0.52
        halved = Pricing(BracketTariff(((D(0), D("1.05")),)), sibling_reduction=D("0.5"))
        assert halved.price(D(500), rank=3) == D("0.52")


# -- where grids change price ---------------------------------------------------------------------


def test_the_qf_points_are_where_a_grid_changes_price() -> None:
    assert grid().qf_points() == (D(0), D(600), D(1000))
    # 0.50 / 0.3 % = 166.67 -> 167 and 1.80 / 0.3 % = 600: where the floor and the ceiling are reached
    effort = EffortRateTariff(rate=D("0.003"), floor=D("0.50"), ceiling=D("1.80"))
    assert effort.qf_points() == (D(167), D(600))
    assert EffortRateTariff(rate=D("0.003"), floor=D(0), ceiling=D("1.80")).qf_points() == (D(600),)
    assert EffortRateTariff(rate=D(0), floor=D(1), ceiling=D(1)).qf_points() == ()  # a flat price
    # Each bracket's own points, inside the bracket: 2.00 / 0.4 % = 500 is below 700, left out.
    assert effort_grid().qf_points() == (D(0), D(167), D(600), D(700), D(1125))
    assert CAF_CRECHE_2024.qf_points() == (D("801.00"), D("6000.00"))  # the resources floor and ceiling
    assert evening().qf_points() == (D(0), D(700))  # the unit's grid
    # All the grids of a commune together, 0 included.
    pricings = [
        Pricing(effort_grid()),
        Pricing(BracketTariff(((D(0), D(1)), (D(400), D(2))))),
        Pricing(evening()),
    ]
    assert qf_points(pricings) == (D(0), D(167), D(400), D(600), D(700), D(1125))
    assert qf_points([Pricing(CAF_CRECHE_2024)]) == (D(0), D("801.00"), D("6000.00"))
    assert qf_points([]) == (D(0),)


def test_rows_price_each_band_from_its_lower_bound_to_a_cent_below_the_next() -> None:
    assert grid().bands() == (
        (D(0), D(600), D("1.20")),
        (D(600), D(1000), D("2.40")),
        (D(1000), None, D("3.60")),
    )
    rows = effort_grid().rows()
    assert [(r["band"], r["price_min"], r["price_max"]) for r in rows] == [
        ("0-167", D("0.50"), D("0.50")),  # 166.99 x 0.3 % = 0.50
        ("167-600", D("0.50"), D("1.80")),
        ("600-700", D("1.80"), D("1.80")),
        ("700-1125", D("2.80"), D("4.50")),  # 1,124.99 x 0.4 % = 4.49996 -> 4.50
        ("1125+", D("4.50"), D("4.50")),
        ("sans QF", D("4.50"), D("4.50")),  # no QF: the highest price of the grid
    ]
    # A band narrower than a cent is priced at its lower bound only.
    narrow = BracketTariff(((D(0), D("1.00")), (D("0.005"), D("2.00")))).rows()
    assert (narrow[0]["band"], narrow[0]["price_min"], narrow[0]["price_max"]) == (
        "0-0.005",
        D("1.00"),
        D("1.00"),
    )


# -- the crèche grid and care by time unit ---------------------------------------------------------


def test_a_creche_charged_by_the_hour_uses_the_number_of_children() -> None:
    # 9:00 to 11:30: three hours started, at 2,500 x 0.0516 % = 1.29 for a family of two children.
    creche = creche_by_the_hour()
    assert creche.unit_price_for(D(2500), children=2) == D("1.29")
    assert creche.price(D(2500), children=2, arrival=time(9), departure=time(11, 30)) == D("3.87")
    assert creche.price(D(2500), arrival=time(9), departure=time(11, 30)) == D("4.65")  # one child: 1.55 x 3
    pricing = Pricing(creche)
    assert pricing.price(D(2500), children=2, arrival=time(9), departure=time(11, 30)) == D("3.87")
    assert pricing.price(D(2500), children=2, arrival=time(17, 10)) == D("1.29")  # 17:10 to the closing
    assert creche.cost_price is None
    assert evening(cost=D("0.90")).cost_price == D("0.90")  # the cost of one unit


def test_a_family_outside_the_commune_pays_the_highest_unit_price_per_unit_by_default() -> None:
    # 16:30 to 17:40: three half-hours at the highest unit price, 0.80, whatever the QF.
    assert Pricing(evening()).price(D(500), departure=time(17, 40), resident=False) == D("2.40")
    assert Pricing(evening(), non_resident=D("0.90")).price(
        D(500), departure=time(17, 40), resident=False
    ) == D("2.70")


@pytest.mark.parametrize(
    ("unit", "minutes", "started", "of_one"),
    [
        (TimeUnit.HOUR, 60, "à l'heure commencée", "d'une heure"),
        (TimeUnit.HALF_HOUR, 30, "à la demi-heure commencée", "d'une demi-heure"),
        (TimeUnit.QUARTER_HOUR, 15, "au quart d'heure commencé", "d'un quart d'heure"),
    ],
)
def test_each_time_unit_has_its_length_and_its_french_name(
    unit: TimeUnit, minutes: int, started: str, of_one: str
) -> None:
    assert (unit.minutes, unit.started, unit.of_one) == (minutes, started, of_one)
    tariff = TimeUnitTariff(BracketTariff(((D(0), D(1)),)), unit=unit.value, opens=time(7), closes=time(9))
    assert tariff.full_units == 120 // minutes
    assert tariff.highest == D(120 // minutes)


# -- Pricing: the eldest by default, and in French ----------------------------------------------------


def test_a_child_is_the_eldest_unless_its_rank_is_given() -> None:
    pricing = Pricing(BracketTariff(((D(0), D("2.00")),)), sibling_reduction=D("0.5"), sibling_rank=2)
    assert pricing.price(D(500)) == D("2.00")
    assert pricing.price(D(500), rank=2) == D("1.00")
    # The reduction is of the day's price; a late booking's surcharge is added whole.
    late = Pricing(
        BracketTariff(((D(0), D("2.00")),)),
        sibling_reduction=D("0.5"),
        sibling_rank=2,
        late_surcharge=D("1.00"),
    )
    assert late.price(D(500), rank=2, usage=Usage.LATE_BOOKING) == D("2.00")
    assert late.price(D(500), rank=2, usage=Usage.JUSTIFIED_ABSENCE) == D("0.00")


def test_a_pricing_by_time_unit_reads_per_unit_in_french() -> None:
    pricing = Pricing(
        evening(cost=D("0.90")), non_resident=D("0.90"), sibling_reduction=D("0.5"), sibling_rank=1
    )
    assert pricing.describe().splitlines()[-3:] == [
        "Hors commune : 0,90 € (prix d'une demi-heure)",
        "Réduction de 50 % à partir du 1er enfant",
        "Coût du service : 0,90 € (prix d'une demi-heure)",
    ]
    day = Pricing(
        BracketTariff(((D(0), D("2.00")),), cost_price=D("7.80")), sibling_reduction=D("0.25"), sibling_rank=2
    )
    assert day.describe().splitlines()[-2:] == [
        "Réduction de 25 % à partir du 2e enfant",
        "Coût du service : 7,80 €",
    ]
    assert str(day) == day.describe()


def test_an_adjustment_reads_with_its_sign() -> None:
    plus = EffortRateTariff(rate=D("0.0035"), floor=D(1), ceiling=D("4.20"), adjustment=D("0.50"))
    assert plus.describe() == (
        "Taux d'effort : 0,35 % du quotient familial, plancher 1,00 €, plafond 4,20 €, "
        "ajustement +0,50 € (jamais moins de 0,00 €) ; sans QF : 4,70 €"
    )


def test_a_children_rate_grid_reads_per_number_of_children_in_french() -> None:
    grid = ChildrenRateTariff(
        ((1, D("0.0006")), (2, D("0.0005"))), floor=D(801), ceiling=D(6000), adjustment=D("0.50")
    )
    assert str(grid) == (
        "Taux de participation selon le nombre d'enfants, sur les ressources mensuelles de 801,00 € à 6 000,00 € :\n"
        "  1 enfant : 0,06 % (de 0,98 € à 4,10 €)\n"
        "  2 enfants et plus : 0,05 % (de 0,90 € à 3,50 €)\n"
        "  ajustement +0,50 € (jamais moins de 0,00 €)\n"
        "  ressources inconnues : 4,10 €"
    )
    single = ChildrenRateTariff(((1, D("0.0006")),), floor=D(801), ceiling=D(6000))
    assert single.describe().splitlines()[1] == "  1 enfant et plus : 0,06 % (de 0,48 € à 3,60 €)"
    assert single.rows() == [
        {
            "children": 1,
            "rate": D("0.0006"),
            "resources_from": D(801),
            "resources_to": D(6000),
            "price_min": D("0.48"),
            "price_max": D("3.60"),
        }
    ]
