"""Quotient familial and tariffs (guide p. 1 and p. 4), with worked numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

import periscolaire as ps
from periscolaire.tariff import (
    BracketTariff,
    EffortRateTariff,
    Pricing,
    QuotientFamilial,
    Usage,
    compare_tariffs,
    family_parts,
    quotient_familial,
)

GRID = BracketTariff(((D(0), D("1.20")), (D(600), D("2.40")), (D(1000), D("3.60"))))


# -- the quotient familial ----------------------------------------------------------------


def test_quotient_familial_is_monthly_income_plus_benefits_per_part() -> None:
    # (36,000 / 12 + 0) / 3 parts = 1,000.00
    assert quotient_familial(D(36000), D(3)) == D("1000.00")
    # (30,000 / 12 + 150) / 2.5 = (2,500 + 150) / 2.5 = 1,060.00
    assert quotient_familial(D(30000), D("2.5"), D(150)) == D("1060.00")
    # (25,000 / 12) / 3.5 = 595.238... -> 595.24
    assert quotient_familial(D(25000), D("3.5")) == D("595.24")


def test_quotient_familial_rounds_half_to_even_at_the_cent() -> None:
    # (12,000.30 / 12) / 2 = 500.0125 -> 500.01 ; (12,000.90 / 12) / 2 = 500.0375 -> 500.04
    assert quotient_familial(D("12000.30"), D(2)) == D("500.01")
    assert quotient_familial(D("12000.90"), D(2)) == D("500.04")


def test_parts_of_a_household() -> None:
    # Two parts for the parents (couple or single parent), half a part for each of
    # the first two children, one part from the third, half a part more per disabled child.
    assert family_parts(children=1) == D("2.5")
    assert family_parts(children=2) == D(3)
    assert family_parts(children=3) == D(4)
    assert family_parts(children=4) == D(5)
    assert family_parts(children=2, disabled_children=1) == D("3.5")


@pytest.mark.parametrize(
    ("income", "parts", "code"),
    [(D(-1), D(2), "negative_income"), (D(30000), D(0), "bad_parts"), (D(30000), D("2.3"), "bad_parts")],
)
def test_quotient_familial_refuses_impossible_households(income: D, parts: D, code: str) -> None:
    with pytest.raises(ps.TariffError) as info:
        quotient_familial(income, parts)
    assert info.value.code == code


def test_quotient_familial_refuses_floats() -> None:
    with pytest.raises(TypeError):
        quotient_familial(30000.0, D(2))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        quotient_familial(D(30000), 2.5)  # type: ignore[arg-type]


def test_a_qf_from_the_2023_notice_is_used_in_2024_and_refused_in_2025() -> None:
    # « l'avis d'imposition 2023 sur les revenus 2022 pour l'année 2024 ... Le calcul est
    # valable du 1er janvier au 31 décembre de l'année en cours » (p. 4)
    qf = QuotientFamilial(D("812.40"), notice_year=2023)
    assert qf.on(date(2024, 1, 1)) == D("812.40")
    assert qf.on(date(2024, 12, 31)) == D("812.40")
    assert qf.on(date(2025, 1, 1)) is None
    assert qf.on(date(2023, 12, 31)) is None
    assert GRID.price(qf.on(date(2025, 1, 6))) == D("3.60")  # « le tarif maximal sera appliqué »


def test_families_outside_the_commune_get_no_qf_pricing() -> None:
    # « pour le calcul de votre quotient familial si vous habitez sur la commune »
    qf = QuotientFamilial(D("300"), notice_year=2023, resident=False)
    assert qf.on(date(2024, 9, 2)) is None


# -- bracket and effort-rate tariffs --------------------------------------------------------


@pytest.mark.parametrize(
    ("qf", "price"),
    [
        (D(0), D("1.20")),
        (D("599.99"), D("1.20")),
        (D(600), D("2.40")),  # the lower bound is included
        (D("999.99"), D("2.40")),
        (D(1000), D("3.60")),
        (D(99999), D("3.60")),
        (None, D("3.60")),  # no QF: the highest price
    ],
)
def test_bracket_boundaries(qf: D | None, price: D) -> None:
    assert GRID.price(qf) == price


def test_a_bracket_tariff_starts_at_zero_and_increases() -> None:
    with pytest.raises(ps.TariffError) as info:
        BracketTariff(((D(100), D(1)),))
    assert info.value.code == "bad_brackets"
    with pytest.raises(ps.TariffError):
        BracketTariff(((D(0), D(1)), (D(500), D(2)), (D(500), D(3))))


def test_a_tariff_above_the_cost_price_is_refused() -> None:
    # Code de l'éducation, art. R. 531-52: a canteen price never exceeds the cost per user.
    with pytest.raises(ps.TariffError) as info:
        BracketTariff(((D(0), D("2.00")), (D(800), D("8.00"))), cost_price=D("7.80"))
    assert info.value.code == "above_cost_price"
    assert BracketTariff(((D(0), D("7.80")),), cost_price=D("7.80")).highest == D("7.80")
    with pytest.raises(ps.TariffError):
        EffortRateTariff(rate=D("0.01"), floor=D(1), ceiling=D(9), cost_price=D("7.80"))
    with pytest.raises(ps.TariffError):
        Pricing(BracketTariff(((D(0), D(2)),), cost_price=D(5)), non_resident=D(6))


def test_effort_rate_price_is_qf_times_rate_within_floor_and_ceiling() -> None:
    tariff = EffortRateTariff(rate=D("0.0035"), floor=D("1.00"), ceiling=D("4.20"))
    assert tariff.price(D("812")) == D("2.84")  # 812 x 0.35 % = 2.842
    assert tariff.price(D(100)) == D("1.00")  # 0.35 is below the floor
    assert tariff.price(D(2000)) == D("4.20")  # 7.00 is above the ceiling
    assert tariff.price(None) == D("4.20")


def test_effort_rate_floor_above_ceiling_is_refused() -> None:
    with pytest.raises(ps.TariffError) as info:
        EffortRateTariff(rate=D("0.01"), floor=D(5), ceiling=D(4))
    assert info.value.code == "floor_above_ceiling"


def test_a_float_qf_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        GRID.price(812.0)  # type: ignore[arg-type]


# -- modifiers ----------------------------------------------------------------------------


PRICING = Pricing(
    GRID,
    non_resident=D("3.00"),
    sibling_reduction=D("0.10"),
    late_surcharge=D("1.00"),
    unbooked_presence=D("6.00"),
)


def test_reduction_from_the_third_child() -> None:
    assert PRICING.price(D(700), rank=2) == D("2.40")
    assert PRICING.price(D(700), rank=3) == D("2.16")
    assert PRICING.price(D(700), rank=4) == D("2.16")


def test_non_residents_pay_their_own_price() -> None:
    assert PRICING.price(D(300), resident=False) == D("3.00")
    assert Pricing(GRID).price(D(300), resident=False) == D("3.60")  # default: the highest


def test_late_booking_surcharge_unbooked_presence_and_justified_absence() -> None:
    assert PRICING.price(D(700), usage=Usage.LATE_BOOKING) == D("3.40")
    assert PRICING.price(D(700), usage=Usage.UNBOOKED_PRESENCE) == D("6.00")
    assert PRICING.price(D(700), usage=Usage.JUSTIFIED_ABSENCE) == D("0.00")


def test_separated_parents_are_priced_each_on_their_own_qf() -> None:
    # « La tarification sera calculée pour chaque parent selon ses ressources » (p. 1)
    mother = QuotientFamilial(quotient_familial(D(18000), family_parts(1)), notice_year=2023)
    father = QuotientFamilial(quotient_familial(D(48000), family_parts(1)), notice_year=2023)
    day = date(2024, 9, 12)
    assert (mother.value, father.value) == (D("600.00"), D("1600.00"))
    assert PRICING.price(mother.on(day)) == D("2.40")
    assert PRICING.price(father.on(day)) == D("3.60")


def test_bundled_cestas_grids_are_illustrative_but_complete(cestas: ps.Commune) -> None:
    for activity in cestas.activities.values():
        assert activity.tariff is not None
        assert activity.tariff.price(None) == activity.tariff.tariff.highest
    assert cestas.activity("RESTAURATION").tariff.price(D(812)) == D("2.84")  # type: ignore[union-attr]


# -- scenarios --------------------------------------------------------------------------------


def test_scenarios_compare_totals_per_family_and_per_qf_band() -> None:
    today = {"RESTAURATION": Pricing(GRID)}
    flat = {"RESTAURATION": Pricing(BracketTariff(((D(0), D("2.50")),)))}
    rows = [
        {"family": "A", "qf": D(450), "days": {"RESTAURATION": 140}},
        {"family": "B", "qf": D(450), "days": {"RESTAURATION": 70}},
        {"family": "C", "qf": D(1200), "days": {"RESTAURATION": 140}, "rank": 3},
        {"family": "D", "qf": None, "resident": False, "days": {"RESTAURATION": 10}},
    ]
    per_family, per_band = compare_tariffs(rows, {"today": today, "flat": flat})
    assert per_family[0] == {"family": "A", "qf": D(450), "today": D("168.00"), "flat": D("350.00")}
    assert [r["band"] for r in per_band] == ["400-700", "1000-1500", "sans QF"]
    assert per_band[0] == {
        "band": "400-700",
        "families": 2,
        "today": D("252.00"),
        "flat": D("525.00"),
        "flat - today": D("273.00"),
    }
    assert per_band[2]["today"] == D("36.00")


def test_a_scenario_without_a_tariff_for_an_activity_is_an_error() -> None:
    with pytest.raises(ps.TariffError) as info:
        compare_tariffs(
            [{"family": "A", "qf": None, "days": {"MERCREDI": 1}}],
            {"x": {"MERCREDI": Pricing(GRID)}, "y": {}},
        )
    assert info.value.code == "missing_tariff"
    with pytest.raises(ps.TariffError) as info:  # an activity that no scenario prices: an unknown column
        compare_tariffs([{"family": "A", "qf": None, "days": {"MERCREDI": 1}}], {"x": {}})
    assert info.value.code == "bad_columns"


def test_a_usage_given_as_its_text_value_prices_like_the_enum() -> None:
    # A host storing the usage as text: a justified absence costs nothing (issue 11).
    pricing = ps.load_commune().activities["RESTAURATION"].tariff
    assert pricing is not None
    assert pricing.price(D(500), usage="justified_absence") == D("0.00")
    assert pricing.price(D(500), usage="booked") == pricing.price(D(500))
    with pytest.raises(ps.TariffError) as info:
        pricing.price(D(500), usage="absent")
    assert info.value.code == "unknown_usage"
    for bad in (True, 0, "2"):
        with pytest.raises(ps.TariffError):
            pricing.price(D(500), rank=bad)
    with pytest.raises(ps.TariffError):
        pricing.price(D(500), resident="non")


# -- issue 13: effort rate per QF bracket, adjustment, children rates, time units -------------

import re  # noqa: E402
from datetime import time  # noqa: E402
from importlib import resources  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from periscolaire.tariff import (  # noqa: E402
    CAF_CRECHE_2024,
    ChildrenRateTariff,
    EffortRateBracketTariff,
    TimeUnit,
    TimeUnitTariff,
)

EFFORT_GRID = EffortRateBracketTariff(
    (
        (D(0), EffortRateTariff(rate=D("0.003"), floor=D("0.50"), ceiling=D("1.80"))),
        (D(700), EffortRateTariff(rate=D("0.004"), floor=D("2.00"), ceiling=D("4.50"))),
        (D(1200), EffortRateTariff(rate=D("0.005"), floor=D("6.00"), ceiling=D("9.00"))),
    )
)


@pytest.mark.parametrize(
    ("qf", "price"),
    [
        (D(0), D("0.50")),  # 0 x 0.3 % below the bracket's floor
        (D(400), D("1.20")),  # 400 x 0.3 %
        (D("699.99"), D("1.80")),  # 2.09997 held at the bracket's ceiling
        (D(700), D("2.80")),  # 700 x 0.4 %: the next bracket's own rate
        (D(1199), D("4.50")),  # 4.796 held at 4.50
        (D(1200), D("6.00")),  # 1200 x 0.5 % = 6.00, the third bracket's floor
        (D(1500), D("7.50")),
        (D(5000), D("9.00")),
        (None, D("9.00")),  # no QF: the grid's highest price
    ],
)
def test_effort_rate_per_qf_bracket_each_with_its_rate_floor_and_ceiling(qf: D | None, price: D) -> None:
    assert EFFORT_GRID.price(qf) == price


def test_effort_rate_brackets_start_at_zero_and_increase() -> None:
    t = EffortRateTariff(rate=D("0.003"), floor=D(0), ceiling=D(2))
    with pytest.raises(ps.TariffError) as info:
        EffortRateBracketTariff(((D(100), t),))
    assert info.value.code == "bad_brackets"
    with pytest.raises(ps.TariffError):
        EffortRateBracketTariff(((D(0), t), (D(0), t)))
    with pytest.raises(ps.TariffError) as info:
        EffortRateBracketTariff(((D(0), t),), cost_price=D("1.99"))
    assert info.value.code == "above_cost_price"


def test_adjustment_is_added_after_floor_and_ceiling_never_below_zero() -> None:
    plus = EffortRateTariff(rate=D("0.004"), floor=D("1.00"), ceiling=D("4.00"), adjustment=D("0.50"))
    assert plus.price(D(100)) == D("1.50")  # 0.40 -> floor 1.00, + 0.50
    assert plus.price(D(2000)) == D("4.50")  # 8.00 -> ceiling 4.00, + 0.50: above the ceiling
    assert plus.price(None) == plus.highest == D("4.50")
    minus = EffortRateTariff(rate=D("0.004"), floor=D("0.50"), ceiling=D("4.00"), adjustment=D("-0.80"))
    assert minus.price(D(500)) == D("1.20")  # 2.00 - 0.80
    assert minus.price(D(100)) == D("0.00")  # 0.50 - 0.80: never below zero
    with pytest.raises(TypeError):
        EffortRateTariff(rate=D("0.004"), floor=D(0), ceiling=D(4), adjustment=0.5)  # type: ignore[arg-type]


def test_adjustment_counts_against_the_cost_price() -> None:
    with pytest.raises(ps.TariffError) as info:
        EffortRateTariff(rate=D("0.01"), floor=D(1), ceiling=D(5), adjustment=D(1), cost_price=D("5.50"))
    assert info.value.code == "above_cost_price"


ISSUE_GRID = ChildrenRateTariff(((1, D("0.0006")), (2, D("0.0005"))), floor=D("801.00"), ceiling=D("6000.00"))


def test_rate_by_number_of_children_on_resources_between_floor_and_ceiling() -> None:
    # The issue's example: 0.06 % of monthly resources for one child, 0.05 % for two.
    assert ISSUE_GRID.price(D("2500.00"), children=1) == D("1.50")
    assert ISSUE_GRID.price(D("2500.00"), children=2) == D("1.25")
    assert ISSUE_GRID.price(D("2500.00"), children=5) == D("1.25")  # the last rate goes on
    assert ISSUE_GRID.price(D("300.00"), children=1) == D("0.48")  # held at the floor: 801 x 0.06 % = 0.4806
    assert ISSUE_GRID.price(D("9000.00"), children=2) == D("3.00")  # held at the ceiling: 6000 x 0.05 %
    assert ISSUE_GRID.price(None, children=2) == D("3.00")  # unknown resources: the ceiling
    assert ISSUE_GRID.price(D("2500.00")) == D("1.50")  # no number of children: one child's rate


def test_the_rate_applies_to_the_resources_before_rounding() -> None:
    # 2,345.67 x 0.0619 % = 1.45196973: one rounding, of the result (not 2,346 x 0.0619 % = 1.45217...)
    assert CAF_CRECHE_2024.price(D("2345.67"), children=1) == D("1.45")
    # 2,500 x 0.0516 % = 1.29 ; 801 x 0.0206 % = 0.165006 -> 0.17 ; 6,000 x 0.0619 % = 3.714 -> 3.71
    assert CAF_CRECHE_2024.price(D("2500"), children=2) == D("1.29")
    assert CAF_CRECHE_2024.price(D("100"), children=8) == D("0.17")
    assert CAF_CRECHE_2024.price(D("7000"), children=1) == D("3.71")
    assert CAF_CRECHE_2024.price(D("2500"), children=4) == CAF_CRECHE_2024.price(D("2500"), children=7)


def test_a_children_rate_grid_refuses_impossible_families() -> None:
    with pytest.raises(ps.TariffError) as info:
        ISSUE_GRID.price(D(1000), children=0)
    assert info.value.code == "bad_children"
    with pytest.raises(ps.TariffError) as info:
        ChildrenRateTariff(((2, D("0.0005")),), floor=D(0), ceiling=D(1))
    assert info.value.code == "bad_children"
    with pytest.raises(ps.TariffError) as info:
        ChildrenRateTariff(((1, D("0.0005")),), floor=D(10), ceiling=D(1))
    assert info.value.code == "floor_above_ceiling"


EVENING = TimeUnitTariff(
    BracketTariff(((D(0), D("0.50")), (D(700), D("0.80")))),
    unit=TimeUnit.HALF_HOUR,
    opens=time(16, 30),
    closes=time(18, 30),
    minimum_units=2,
)


@pytest.mark.parametrize(
    ("unit", "departure", "units"),
    [
        (TimeUnit.HOUR, time(17, 31), 2),  # 61 minutes: two hours started
        (TimeUnit.HOUR, time(17, 30), 1),
        (TimeUnit.HALF_HOUR, time(17, 1), 2),
        (TimeUnit.QUARTER_HOUR, time(17, 1), 3),
        (TimeUnit.QUARTER_HOUR, time(16, 30), 0),
        (TimeUnit.QUARTER_HOUR, time(16, 30, 1), 1),  # one second started a quarter-hour
    ],
)
def test_pricing_by_time_unit_started(unit: TimeUnit, departure: time, units: int) -> None:
    tariff = TimeUnitTariff(
        BracketTariff(((D(0), D("1.00")),)),
        unit=unit,
        opens=time(16, 30),
        closes=time(18, 30),
        minimum_units=0,
    )
    assert tariff.units(departure=departure) == units
    assert tariff.price(D(500), departure=departure) == D("1.00") * units


def test_evening_care_by_half_hour_with_a_minimum_charge() -> None:
    assert EVENING.price(D(500), departure=time(17, 40)) == D("1.50")  # 70 minutes: 3 half-hours
    assert EVENING.price(D(500), departure=time(16, 45)) == D("1.00")  # 1 half-hour, minimum 2
    assert EVENING.price(D(800), departure=time(18, 30)) == D("3.20")  # 4 half-hours at 0.80
    assert EVENING.price(None) == EVENING.highest == D("3.20")  # no times: the whole opening


def test_morning_care_from_arrival_to_the_start_of_school() -> None:
    morning = TimeUnitTariff(
        EffortRateTariff(rate=D("0.0005"), floor=D("0.20"), ceiling=D("0.60")),
        unit=TimeUnit.QUARTER_HOUR,
        opens=time(7, 30),
        closes=time(8, 50),
    )
    # 8:05 to 8:50 = 45 minutes: 3 quarter-hours at 812 x 0.05 % = 0.406 -> 0.41
    assert morning.price(D(812), arrival=time(8, 5)) == D("1.23")
    assert morning.price(D(812), arrival=time(8, 49)) == D("0.41")


def test_times_outside_the_opening_are_refused() -> None:
    with pytest.raises(ps.TariffError) as info:
        EVENING.price(D(500), departure=time(18, 45))
    assert info.value.code == "outside_hours"
    with pytest.raises(ps.TariffError) as info:
        EVENING.price(D(500), arrival=time(17), departure=time(16, 45))
    assert info.value.code == "bad_time"
    with pytest.raises(ps.TariffError) as info:
        TimeUnitTariff(EVENING.unit_price, unit="minute", opens=time(7), closes=time(8))
    assert info.value.code == "bad_time_unit"
    with pytest.raises(ps.TariffError) as info:
        TimeUnitTariff(EVENING.unit_price, unit="hour", opens=time(7), closes=time(8), minimum_units=2)
    assert info.value.code == "bad_minimum"


def test_pricing_passes_times_and_children_to_its_tariff() -> None:
    evening = Pricing(EVENING, non_resident=D("1.00"), sibling_reduction=D("0.5"), late_surcharge=D("2.00"))
    assert evening.price(D(500), departure=time(17, 40)) == D("1.50")
    assert evening.price(D(500), departure=time(17, 40), resident=False) == D("3.00")  # 3 x 1.00 per unit
    assert evening.price(D(500), departure=time(17, 40), rank=3) == D("0.75")
    assert evening.price(D(500), departure=time(17, 40), usage=Usage.LATE_BOOKING) == D("3.50")
    assert evening.price(D(500), usage=Usage.UNBOOKED_PRESENCE) == D("3.20")
    creche = Pricing(ISSUE_GRID)
    assert creche.price(D("2500.00"), children=2) == D("1.25")
    assert Pricing(GRID).price(D(700), children=2, arrival=time(8)) == D("2.40")  # ignored by a day grid
    with pytest.raises(ps.TariffError):
        creche.price(D(2500), children=True)  # type: ignore[arg-type]


# -- printable grids and rows -------------------------------------------------------------


def test_every_tariff_prints_as_a_grid_in_french() -> None:
    assert str(GRID) == (
        "Tarif par tranche de quotient familial :\n"
        "  QF de 0 à moins de 600 : 1,20 €\n"
        "  QF de 600 à moins de 1 000 : 2,40 €\n"
        "  QF de 1 000 et plus : 3,60 €\n"
        "  sans QF : 3,60 €"
    )
    adjusted = EffortRateTariff(rate=D("0.0035"), floor=D(1), ceiling=D("4.20"), adjustment=D("-0.30"))
    assert adjusted.describe() == (
        "Taux d'effort : 0,35 % du quotient familial, plancher 1,00 €, plafond 4,20 €, "
        "ajustement -0,30 € (jamais moins de 0,00 €) ; sans QF : 3,90 €"
    )
    assert (
        str(EFFORT_GRID).splitlines()[2]
        == "  QF de 700 à moins de 1 200 : 0,4 % du QF, plancher 2,00 €, plafond 4,50 €"
    )
    assert str(CAF_CRECHE_2024).splitlines()[1:3] == [
        "  1 enfant : 0,0619 % (de 0,50 € à 3,71 €)",
        "  2 enfants : 0,0516 % (de 0,41 € à 3,10 €)",
    ]
    assert str(EVENING).splitlines()[0] == (
        "Accueil de 16 h 30 à 18 h 30, facturé à la demi-heure commencée (au moins 2 unités) ; "
        "prix d'une demi-heure :"
    )
    assert str(PRICING).splitlines()[-4:] == [
        "Hors commune : 3,00 €",
        "Réduction de 10 % à partir du 3e enfant",
        "Réservation hors délai : +1,00 €",
        "Présence sans réservation : 6,00 €",
    ]


def test_every_tariff_gives_rows_qf_band_to_price() -> None:
    assert GRID.rows() == [
        {"band": "0-600", "qf_from": D(0), "qf_to": D(600), "price_min": D("1.20"), "price_max": D("1.20")},
        {
            "band": "600-1000",
            "qf_from": D(600),
            "qf_to": D(1000),
            "price_min": D("2.40"),
            "price_max": D("2.40"),
        },
        {"band": "1000+", "qf_from": D(1000), "qf_to": None, "price_min": D("3.60"), "price_max": D("3.60")},
        {"band": "sans QF", "qf_from": None, "qf_to": None, "price_min": D("3.60"), "price_max": D("3.60")},
    ]
    effort = EffortRateTariff(rate=D("0.0035"), floor=D("1.00"), ceiling=D("4.20"))
    assert [(r["band"], r["price_min"], r["price_max"]) for r in effort.rows()] == [
        ("0-286", D("1.00"), D("1.00")),
        ("286-1200", D("1.00"), D("4.20")),
        ("1200+", D("4.20"), D("4.20")),
        ("sans QF", D("4.20"), D("4.20")),
    ]
    assert [r["band"] for r in EFFORT_GRID.rows()][:3] == ["0-167", "167-600", "600-700"]
    assert ISSUE_GRID.rows()[1] == {
        "children": 2,
        "rate": D("0.0005"),
        "resources_from": D("801.00"),
        "resources_to": D("6000.00"),
        "price_min": D("0.40"),
        "price_max": D("3.00"),
    }
    assert EVENING.rows()[0]["unit"] == "half_hour"
    assert EVENING.rows()[0]["full_price_max"] == D("2.00")
    assert Pricing(EVENING).rows() == EVENING.rows()
    for rows in (GRID.rows(), EFFORT_GRID.rows(), ISSUE_GRID.rows(), EVENING.rows()):
        assert all(type(row) is dict for row in rows)


# -- TOML ---------------------------------------------------------------------------------


def _with_tariff(body: str) -> ps.Commune:
    text = resources.files("periscolaire").joinpath("data/cestas-2024-2025.toml").read_text(encoding="utf-8")
    block = re.compile(r"\[activities\.RESTAURATION\.tariff\].*?\n\n", re.S)
    return ps.Commune.from_toml(block.sub(lambda _: f"[activities.RESTAURATION.tariff]\n{body}\n\n", text, 1))


@pytest.mark.parametrize(
    "body",
    [
        'effort_brackets = [\n  { qf_from = 0, rate = "0.003", floor = "0.50", ceiling = "1.80" },\n'
        '  { qf_from = 700, rate = "0.004", floor = "2.00", ceiling = "4.50", adjustment = "-0.20" },\n]\n'
        'cost_price = "7.80"',
        'effort_rate = "0.0035"\nfloor = "1.00"\nceiling = "4.20"\nadjustment = "-0.50"',
        'children_rates = [[1, "0.000619"], [2, "0.000516"], [3, "0.000413"], [4, "0.000310"], [8, "0.000206"]]\n'
        'resources_floor = "801.00"\nresources_ceiling = "6000.00"',
        'brackets = [[0, "0.40"], [700, "0.60"]]\ntime_unit = "half_hour"\nopens = "16:30"\n'
        'closes = 18:30:00\nminimum_units = 2\nnon_resident = "0.90"',
        'effort_rate = "0.0005"\nfloor = "0.20"\nceiling = "0.60"\ntime_unit = "quarter_hour"\n'
        'opens = "07:30"\ncloses = "08:50"',
    ],
)
def test_each_new_tariff_has_a_toml_syntax_that_round_trips(body: str) -> None:
    commune = _with_tariff(body)
    assert ps.Commune.from_toml(commune.to_toml()) == commune
    assert ps.Commune.from_dict(commune.to_dict()) == commune


def test_toml_effort_brackets_and_time_units_price_like_python() -> None:
    pricing = (
        _with_tariff(
            'effort_brackets = [\n  { qf_from = 0, rate = "0.003", floor = "0.50", ceiling = "1.80" },\n'
            '  { qf_from = 700, rate = "0.004", floor = "2.00", ceiling = "4.50" },\n]'
        )
        .activity("RESTAURATION")
        .tariff
    )
    assert pricing is not None
    assert (pricing.price(D(400)), pricing.price(D(700))) == (D("1.20"), D("2.80"))
    evening = (
        _with_tariff(
            'brackets = [[0, "0.50"], [700, "0.80"]]\ntime_unit = "half_hour"\nopens = "16:30"\ncloses = "18:30"\n'
            "minimum_units = 2"
        )
        .activity("RESTAURATION")
        .tariff
    )
    assert evening is not None
    assert evening.price(D(500), departure=time(17, 40)) == D("1.50")


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        (
            'brackets = [[0, "1.00"]]\nchildren_rates = [[1, "0.0006"]]',
            "activities.RESTAURATION.tariff",
            "bad_tariff",
        ),
        (
            'effort_rate = "0.003"\nfloor = "1"\nceiling = "2"\nadjustment = 0.5',
            "activities.RESTAURATION.tariff.adjustment",
            None,
        ),
        (
            'effort_brackets = [{ qf_from = 0, rate = "0.003", floor = "1", ceiling = "2", ceil = "3" }]',
            "activities.RESTAURATION.tariff.effort_brackets[0].ceil",
            "unknown_key",
        ),
        (
            'children_rates = [[0, "0.0006"]]\nresources_floor = "0"\nresources_ceiling = "1"',
            "activities.RESTAURATION.tariff.children_rates[0][0]",
            "out_of_range",
        ),
        (
            'brackets = [[0, "1.00"]]\ntime_unit = "minute"\nopens = "07:00"\ncloses = "08:00"',
            "activities.RESTAURATION.tariff.time_unit",
            None,
        ),
        (
            'brackets = [[0, "1.00"]]\ntime_unit = "hour"\nopens = "09:00"\ncloses = "08:00"',
            "activities.RESTAURATION.tariff",
            "bad_time",
        ),
    ],
)
def test_tariff_configuration_errors_name_their_key(body: str, path: str, code: str | None) -> None:
    with pytest.raises(ps.ConfigurationError) as info:
        _with_tariff(body)
    assert info.value.path == path
    if code is not None:
        assert info.value.code == code


# -- properties -----------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=100_000).map(lambda n: D(n) / 100)
qfs = st.integers(min_value=0, max_value=1_000_000).map(lambda n: D(n) / 100)
rates = st.integers(min_value=0, max_value=2000).map(lambda n: D(n) / 100_000)
adjustments = st.integers(min_value=-1000, max_value=1000).map(lambda n: D(n) / 100)


@st.composite
def effort_rate_tariffs(draw: st.DrawFn) -> EffortRateTariff:
    floor, ceiling = sorted((draw(cents), draw(cents)))
    return EffortRateTariff(rate=draw(rates), floor=floor, ceiling=ceiling, adjustment=draw(adjustments))


@st.composite
def non_decreasing_effort_grids(draw: st.DrawFn) -> EffortRateBracketTariff:
    n = draw(st.integers(min_value=1, max_value=5))
    bounds = sorted(draw(st.sets(st.integers(min_value=1, max_value=5000), min_size=n - 1, max_size=n - 1)))
    sort = sorted
    rs = sort(draw(rates) for _ in range(n))
    floors = sort(draw(cents) for _ in range(n))
    ceilings = [max(f, c) for f, c in zip(floors, sort(draw(cents) for _ in range(n)), strict=True)]
    ceilings = [max(ceilings[: i + 1]) for i in range(n)]
    adjs = sort(draw(adjustments) for _ in range(n))
    tariffs = [
        EffortRateTariff(rate=r, floor=f, ceiling=c, adjustment=a)
        for r, f, c, a in zip(rs, floors, ceilings, adjs, strict=True)
    ]
    return EffortRateBracketTariff(tuple(zip([D(0), *map(D, bounds)], tariffs, strict=True)))


@given(effort_rate_tariffs(), qfs)
def test_property_effort_rate_price_is_never_negative_and_adjustment_floors_at_zero(
    tariff: EffortRateTariff, qf: D
) -> None:
    price = tariff.price(qf)
    held = min(max((qf * tariff.rate).quantize(D("0.01")), tariff.floor), tariff.ceiling)
    assert price >= 0
    assert price == max(held + tariff.adjustment, D(0))
    assert price <= tariff.highest == tariff.price(None)


@given(non_decreasing_effort_grids(), qfs, qfs)
def test_property_effort_rate_brackets_are_monotone_in_qf(grid: EffortRateBracketTariff, a: D, b: D) -> None:
    low, high = sorted((a, b))
    assert D(0) <= grid.price(low) <= grid.price(high) <= grid.highest


@given(
    st.lists(rates, min_size=1, max_size=5),
    cents,
    cents,
    adjustments,
    st.one_of(st.none(), qfs),
    st.integers(min_value=1, max_value=12),
)
def test_property_children_rate_price_is_never_negative(
    rs: list[D], a: D, b: D, adjustment: D, resources: D | None, children: int
) -> None:
    floor, ceiling = sorted((a, b))
    grid = ChildrenRateTariff(
        tuple(enumerate(rs, start=1)), floor=floor, ceiling=ceiling, adjustment=adjustment
    )
    assert D(0) <= grid.price(resources, children=children) <= grid.highest


@given(
    st.sampled_from(list(TimeUnit)),
    st.integers(min_value=0, max_value=180),
    st.integers(min_value=0, max_value=180),
    qfs,
)
def test_property_time_units_never_negative_and_grow_with_the_stay(
    unit: TimeUnit, x: int, y: int, qf: D
) -> None:
    tariff = TimeUnitTariff(EVENING.unit_price, unit=unit, opens=time(16), closes=time(19), minimum_units=1)
    early, late = sorted((x, y))
    leave = [time(16 + m // 60, m % 60) for m in (early, late)]
    first, second = (tariff.price(qf, departure=t) for t in leave)
    assert D(0) <= first <= second <= tariff.highest
