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
        compare_tariffs([{"family": "A", "qf": None, "days": {"MERCREDI": 1}}], {"x": {}})
    assert info.value.code == "missing_tariff"


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
