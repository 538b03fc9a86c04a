"""What a tariff refuses, and how it says so: every refusal has its code and a French
message that names the value or the field at fault (docs/tariff.md).

The grids are built inside the tests (the lambdas run there), never at import.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, time
from decimal import Decimal as D
from typing import Any

import pytest

import periscolaire as ps
from periscolaire.tariff import (
    CAF_CRECHE_2024,
    BracketTariff,
    ChildrenRateTariff,
    EffortRateBracketTariff,
    EffortRateTariff,
    Pricing,
    TimeUnitTariff,
    compare_tariffs,
    family_parts,
    quotient_familial,
)


def flat() -> BracketTariff:
    """One bracket: 1.00 € for every QF."""
    return BracketTariff(((D(0), D("1.00")),))


def effort() -> EffortRateTariff:
    """0.3 % of the QF, between 0.50 € and 1.80 €."""
    return EffortRateTariff(rate=D("0.003"), floor=D("0.50"), ceiling=D("1.80"))


def morning() -> TimeUnitTariff:
    """7:00 to 8:00 by half-hour started."""
    return TimeUnitTariff(flat(), unit="half_hour", opens=time(7), closes=time(8))


def rates(*pairs: tuple[Any, Any], floor: Any = D(0), ceiling: Any = D(1), **kw: Any) -> ChildrenRateTariff:
    return ChildrenRateTariff(pairs, floor=floor, ceiling=ceiling, **kw)


Refusal = tuple[Callable[[], object], str, str]


def check(refusal: Refusal) -> None:
    """A tariff refuses with a TariffError — or an InvalidAmount for an amount —
    with its code and its whole French message."""
    call, code, message = refusal
    with pytest.raises((ps.TariffError, ps.InvalidAmount)) as info:
        call()
    assert (info.value.code, info.value.message) == (code, message)


# -- the household: parts, income, QF (guide p. 4; the CAF's parts) ----------------------------

HOUSEHOLD: dict[str, Refusal] = {
    "negative children": (
        lambda: family_parts(-1),
        "bad_parts",
        "children : un entier positif ou nul est attendu, reçu -1.",
    ),
    "children as a bool": (
        lambda: family_parts(True),
        "bad_parts",
        "children : un entier positif ou nul est attendu, reçu True.",
    ),
    "children as a float": (
        lambda: family_parts(2.0),  # type: ignore[arg-type]
        "bad_parts",
        "children : un entier positif ou nul est attendu, reçu 2.0.",
    ),
    "negative disabled children": (
        lambda: family_parts(2, disabled_children=-1),
        "bad_parts",
        "disabled_children : un entier positif ou nul est attendu, reçu -1.",
    ),
    "more disabled children than children": (
        lambda: family_parts(1, disabled_children=2),
        "bad_parts",
        "Plus d'enfants handicapés que d'enfants.",
    ),
    "negative income": (
        lambda: quotient_familial(D(-1), D(2)),
        "negative_income",
        "Les revenus et prestations ne peuvent être négatifs.",
    ),
    "negative benefits": (
        lambda: quotient_familial(D(30000), D(2), D(-1)),
        "negative_income",
        "Les revenus et prestations ne peuvent être négatifs.",
    ),
    "income as a float": (
        lambda: quotient_familial(30000.0, D(2)),  # type: ignore[arg-type]
        "float_amount",
        "Montant invalide (annual_income) : un Decimal est attendu, pas un float (30000.0).",
    ),
    "benefits as a float": (
        lambda: quotient_familial(D(30000), D(2), 1.5),  # type: ignore[arg-type]
        "float_amount",
        "Montant invalide (monthly_benefits) : un Decimal est attendu, pas un float (1.5).",
    ),
    "parts as a float": (
        lambda: quotient_familial(D(30000), 2.5),  # type: ignore[arg-type]
        "float_amount",
        "Valeur invalide (parts) : un Decimal est attendu, reçu float (2.5).",
    ),
    "parts as text": (
        lambda: quotient_familial(D(30000), "2"),  # type: ignore[arg-type]
        "not_decimal",
        "Valeur invalide (parts) : un Decimal est attendu, reçu str ('2').",
    ),
    "parts as a bool": (
        lambda: quotient_familial(D(30000), True),  # type: ignore[arg-type]
        "not_decimal",
        "Valeur invalide (parts) : un Decimal est attendu, reçu bool (True).",
    ),
    "parts not a number": (
        lambda: quotient_familial(D(30000), D("NaN")),
        "not_finite",
        "Valeur invalide (parts) : NaN n'est pas un nombre fini.",
    ),
    "no parts": (
        lambda: quotient_familial(D(30000), D(0)),
        "bad_parts",
        "Nombre de parts invalide : 0 (un multiple positif de 0,25 est attendu).",
    ),
    "parts not a quarter": (
        lambda: quotient_familial(D(30000), D("2.3")),
        "bad_parts",
        "Nombre de parts invalide : 2.3 (un multiple positif de 0,25 est attendu).",
    ),
    "negative QF": (
        lambda: ps.QuotientFamilial(D("-0.01"), notice_year=2023),
        "negative_qf",
        "Quotient familial négatif : -0.01.",
    ),
    "QF as a float": (
        lambda: ps.QuotientFamilial(812.4, notice_year=2023),  # type: ignore[arg-type]
        "float_amount",
        "Valeur invalide (value) : un Decimal est attendu, reçu float (812.4).",
    ),
}


@pytest.mark.parametrize("refusal", HOUSEHOLD.values(), ids=HOUSEHOLD)
def test_a_household_qf_is_computed_only_from_possible_numbers(refusal: Refusal) -> None:
    check(refusal)


# -- grids: every QF priced, no negative price, none above the cost of the service --------------

GRIDS: dict[str, Refusal] = {
    "no bracket": (lambda: BracketTariff(()), "empty_tariff", "Une grille de tarifs a au moins une tranche."),
    "first bracket above 0": (
        lambda: BracketTariff(((D(100), D(1)),)),
        "bad_brackets",
        "La première tranche commence à 0, pas à 100.",
    ),
    "brackets not increasing": (
        lambda: BracketTariff(((D(0), D(1)), (D(500), D(2)), (D(500), D(3)))),
        "bad_brackets",
        "Les tranches doivent être en ordre strictement croissant.",
    ),
    "negative bracket price": (
        lambda: BracketTariff(((D(0), D("-1.00")),)),
        "negative_price",
        "Prix négatif (price) : -1.00.",
    ),
    "bracket bound as a float": (
        lambda: BracketTariff(((0.0, D("1.00")),)),
        "float_amount",
        "Valeur invalide (qf_from) : un Decimal est attendu, reçu float (0.0).",
    ),
    "bracket price as a float": (
        lambda: BracketTariff(((D(0), 1.5),)),
        "float_amount",
        "Montant invalide (price) : un Decimal est attendu, pas un float (1.5).",
    ),
    "bracket above the cost": (
        lambda: BracketTariff(((D(0), D("2.00")),), cost_price=D("1.99")),
        "above_cost_price",
        "Le tarif le plus élevé (2.00 €) dépasse le coût du service (1.99 €).",
    ),
    "negative cost": (
        lambda: BracketTariff(((D(0), D("2.00")),), cost_price=D(-1)),
        "negative_price",
        "Prix négatif (cost_price) : -1.00.",
    ),
    "negative effort rate": (
        lambda: EffortRateTariff(rate=D("-0.001"), floor=D(0), ceiling=D(1)),
        "negative_rate",
        "Taux d'effort négatif : -0.001.",
    ),
    "effort rate as a float": (
        lambda: EffortRateTariff(rate=0.003, floor=D(0), ceiling=D(1)),  # type: ignore[arg-type]
        "float_amount",
        "Valeur invalide (rate) : un Decimal est attendu, reçu float (0.003).",
    ),
    "negative floor": (
        lambda: EffortRateTariff(rate=D("0.003"), floor=D(-1), ceiling=D(1)),
        "negative_price",
        "Prix négatif (floor) : -1.00.",
    ),
    "negative ceiling": (
        lambda: EffortRateTariff(rate=D("0.003"), floor=D(0), ceiling=D(-1)),
        "negative_price",
        "Prix négatif (ceiling) : -1.00.",
    ),
    "adjustment as a float": (
        lambda: EffortRateTariff(rate=D("0.003"), floor=D(0), ceiling=D(1), adjustment=0.5),  # type: ignore[arg-type]
        "float_amount",
        "Montant invalide (adjustment) : un Decimal est attendu, pas un float (0.5).",
    ),
    "floor above ceiling": (
        lambda: EffortRateTariff(rate=D("0.01"), floor=D(5), ceiling=D(4)),
        "floor_above_ceiling",
        "Le prix plancher (5.00) dépasse le plafond (4.00).",
    ),
    "no effort bracket": (
        lambda: EffortRateBracketTariff(()),
        "empty_tariff",
        "Une grille de tarifs a au moins une tranche.",
    ),
    "first effort bracket above 0": (
        lambda: EffortRateBracketTariff(((D(100), effort()),)),
        "bad_brackets",
        "La première tranche commence à 0, pas à 100.",
    ),
    "effort brackets not increasing": (
        lambda: EffortRateBracketTariff(((D(0), effort()), (D(700), effort()), (D(600), effort()))),
        "bad_brackets",
        "Les tranches doivent être en ordre strictement croissant.",
    ),
    "effort bracket without an effort rate": (
        lambda: EffortRateBracketTariff(((D(0), flat()),)),  # type: ignore[arg-type]
        "bad_brackets",
        "Une tranche à taux d'effort attend un EffortRateTariff, reçu BracketTariff.",
    ),
    "cost in one effort bracket": (
        lambda: EffortRateBracketTariff(
            ((D(0), EffortRateTariff(rate=D("0.003"), floor=D(0), ceiling=D(1), cost_price=D(2))),)
        ),
        "bad_brackets",
        "Le coût du service (cost_price) se donne pour toute la grille, pas par tranche.",
    ),
    "effort bracket bound as a float": (
        lambda: EffortRateBracketTariff(((0.0, effort()),)),  # type: ignore[arg-type]
        "float_amount",
        "Valeur invalide (qf_from) : un Decimal est attendu, reçu float (0.0).",
    ),
    "effort brackets above the cost": (
        lambda: EffortRateBracketTariff(((D(0), effort()),), cost_price=D("1.79")),
        "above_cost_price",
        "Le tarif le plus élevé (1.80 €) dépasse le coût du service (1.79 €).",
    ),
    "rate for no child": (
        lambda: rates((0, D("0.0005"))),
        "bad_children",
        "children : un entier à partir de 1 est attendu, reçu 0.",
    ),
    "number of children as a bool": (
        lambda: rates((True, D("0.0005"))),
        "bad_children",
        "children : un entier à partir de 1 est attendu, reçu True.",
    ),
    "number of children as text": (
        lambda: rates(("1", D("0.0005"))),
        "bad_children",
        "children : un entier à partir de 1 est attendu, reçu '1'.",
    ),
    "rate above 1": (lambda: rates((1, D("1.01"))), "bad_rate", "Taux hors de [0, 1] : 1.01."),
    "negative rate": (lambda: rates((1, D("-0.0001"))), "bad_rate", "Taux hors de [0, 1] : -0.0001."),
    "rate as a float": (
        lambda: rates((1, 0.0005)),
        "float_amount",
        "Valeur invalide (rate) : un Decimal est attendu, reçu float (0.0005).",
    ),
    "no rate": (rates, "empty_tariff", "Au moins un taux est attendu."),
    "rates from two children": (
        lambda: rates((2, D("0.0005"))),
        "bad_children",
        "Les taux se donnent à partir d'un enfant, en nombre d'enfants strictement croissant.",
    ),
    "one number of children twice": (
        lambda: rates((1, D("0.0006")), (2, D("0.0005")), (2, D("0.0004"))),
        "bad_children",
        "Les taux se donnent à partir d'un enfant, en nombre d'enfants strictement croissant.",
    ),
    "resources floor above ceiling": (
        lambda: rates((1, D("0.0005")), floor=D(10), ceiling=D(1)),
        "floor_above_ceiling",
        "Le plancher de ressources (10.00) dépasse le plafond (1.00).",
    ),
    "negative resources floor": (
        lambda: rates((1, D("0.0005")), floor=D(-1)),
        "negative_price",
        "Prix négatif (resources_floor) : -1.00.",
    ),
    "negative resources ceiling": (
        lambda: rates((1, D("0.0005")), ceiling=D(-1)),
        "negative_price",
        "Prix négatif (resources_ceiling) : -1.00.",
    ),
    "children rates above the cost": (
        # 6,000 x 0.06 % = 3.60 for one child, the highest
        lambda: rates(
            (1, D("0.0006")), (2, D("0.0005")), floor=D(801), ceiling=D(6000), cost_price=D("3.59")
        ),
        "above_cost_price",
        "Le tarif le plus élevé (3.60 €) dépasse le coût du service (3.59 €).",
    ),
}


@pytest.mark.parametrize("refusal", GRIDS.values(), ids=GRIDS)
def test_a_grid_that_cannot_price_every_qf_is_refused(refusal: Refusal) -> None:
    check(refusal)


def test_a_children_rate_grid_within_the_cost_is_accepted() -> None:
    # The cost caps the highest price (the ceiling at one child's rate), not the others.
    grid = rates((1, D("0.0006")), (2, D("0.0005")), floor=D(801), ceiling=D(6000), cost_price=D("3.60"))
    assert grid.highest == D("3.60")
    assert rates((1, D(1)), ceiling=D(1)).price(None) == D("1.00")  # a rate of 1 is the whole resources


# -- care charged by time unit -----------------------------------------------------------------

TIMES: dict[str, Refusal] = {
    "a Pricing as the unit's price": (
        lambda: TimeUnitTariff(Pricing(flat()), unit="hour", opens=time(7), closes=time(8)),  # type: ignore[arg-type]
        "bad_tariff",
        "Le prix d'une unité de temps est une grille, reçu Pricing.",
    ),
    "unknown unit": (
        lambda: TimeUnitTariff(flat(), unit="minute", opens=time(7), closes=time(8)),
        "bad_time_unit",
        "Unité de temps inconnue : 'minute' (hour, half_hour, quarter_hour).",
    ),
    "opening as text": (
        lambda: TimeUnitTariff(flat(), unit="hour", opens="07:00", closes=time(8)),
        "bad_time",
        "opens : une heure (datetime.time) est attendue, reçu '07:00'.",
    ),
    "closing as text": (
        lambda: TimeUnitTariff(flat(), unit="hour", opens=time(7), closes="08:00"),
        "bad_time",
        "closes : une heure (datetime.time) est attendue, reçu '08:00'.",
    ),
    "closing with a time zone": (
        lambda: TimeUnitTariff(flat(), unit="hour", opens=time(7), closes=time(8, tzinfo=UTC)),
        "bad_time",
        "closes : une heure locale, sans fuseau, est attendue.",
    ),
    "closing at the opening": (
        lambda: TimeUnitTariff(flat(), unit="hour", opens=time(7), closes=time(7)),
        "bad_time",
        "L'accueil ferme (07:00) avant d'ouvrir (07:00).",
    ),
    "minimum above the whole opening": (
        lambda: TimeUnitTariff(flat(), unit="half_hour", opens=time(7), closes=time(8), minimum_units=3),
        "bad_minimum",
        "Minimum facturé invalide : 3 (de 0 à 2 unités).",
    ),
    "negative minimum": (
        lambda: TimeUnitTariff(flat(), unit="half_hour", opens=time(7), closes=time(8), minimum_units=-1),
        "bad_minimum",
        "Minimum facturé invalide : -1 (de 0 à 2 unités).",
    ),
    "minimum as a bool": (
        lambda: TimeUnitTariff(flat(), unit="half_hour", opens=time(7), closes=time(8), minimum_units=True),
        "bad_minimum",
        "Minimum facturé invalide : True (de 0 à 2 unités).",
    ),
    "minimum as a float": (
        lambda: TimeUnitTariff(flat(), unit="half_hour", opens=time(7), closes=time(8), minimum_units=1.0),  # type: ignore[arg-type]
        "bad_minimum",
        "Minimum facturé invalide : 1.0 (de 0 à 2 unités).",
    ),
    "arrival as text": (
        lambda: morning().units(arrival="07:10"),  # type: ignore[arg-type]
        "bad_time",
        "arrival : une heure (datetime.time) est attendue, reçu '07:10'.",
    ),
    "departure as text": (
        lambda: morning().units(departure="07:10"),  # type: ignore[arg-type]
        "bad_time",
        "departure : une heure (datetime.time) est attendue, reçu '07:10'.",
    ),
    "arrival before the opening": (
        lambda: morning().units(arrival=time(6, 59)),
        "outside_hours",
        "Horaires hors de l'accueil (07:00-08:00) : 06:59-08:00.",
    ),
    "departure after the closing": (
        lambda: morning().units(departure=time(8, 1)),
        "outside_hours",
        "Horaires hors de l'accueil (07:00-08:00) : 07:00-08:01.",
    ),
    "departure before the arrival": (
        lambda: morning().units(arrival=time(7, 40), departure=time(7, 20)),
        "bad_time",
        "Départ (07:20) avant l'arrivée (07:40).",
    ),
}


@pytest.mark.parametrize("refusal", TIMES.values(), ids=TIMES)
def test_a_care_by_time_unit_is_charged_only_within_its_opening(refusal: Refusal) -> None:
    check(refusal)


def test_the_minimum_may_be_the_whole_opening_or_nothing() -> None:
    whole = TimeUnitTariff(flat(), unit="half_hour", opens=time(7), closes=time(8), minimum_units=2)
    assert whole.units(arrival=time(7, 50)) == 2
    nothing = TimeUnitTariff(flat(), unit="half_hour", opens=time(7), closes=time(8), minimum_units=0)
    assert nothing.units(arrival=time(8)) == 0


# -- Pricing and its arguments -----------------------------------------------------------------

PRICINGS: dict[str, Refusal] = {
    "an amount as the tariff": (
        lambda: Pricing(D("2.00")),  # type: ignore[arg-type]
        "bad_tariff",
        "Une grille de tarifs est attendue, reçu Decimal.",
    ),
    "reduction from rank 0": (
        lambda: Pricing(flat(), sibling_rank=0),
        "bad_rank",
        "sibling_rank : un entier à partir de 1 est attendu, reçu 0.",
    ),
    "reduction from rank True": (
        lambda: Pricing(flat(), sibling_rank=True),
        "bad_rank",
        "sibling_rank : un entier à partir de 1 est attendu, reçu True.",
    ),
    "reduction from rank 3.0": (
        lambda: Pricing(flat(), sibling_rank=3.0),  # type: ignore[arg-type]
        "bad_rank",
        "sibling_rank : un entier à partir de 1 est attendu, reçu 3.0.",
    ),
    "reduction above 100 %": (
        lambda: Pricing(flat(), sibling_reduction=D("1.01")),
        "bad_reduction",
        "Réduction hors de [0, 1] : 1.01.",
    ),
    "negative reduction": (
        lambda: Pricing(flat(), sibling_reduction=D("-0.1")),
        "bad_reduction",
        "Réduction hors de [0, 1] : -0.1.",
    ),
    "reduction as a float": (
        lambda: Pricing(flat(), sibling_reduction=0.1),  # type: ignore[arg-type]
        "float_amount",
        "Valeur invalide (sibling_reduction) : un Decimal est attendu, reçu float (0.1).",
    ),
    "negative late surcharge": (
        lambda: Pricing(flat(), late_surcharge=D(-1)),
        "negative_price",
        "Prix négatif (late_surcharge) : -1.00.",
    ),
    "negative non-resident price": (
        lambda: Pricing(flat(), non_resident=D(-1)),
        "negative_price",
        "Prix négatif (non_resident) : -1.00.",
    ),
    "unbooked presence as a float": (
        lambda: Pricing(flat(), unbooked_presence=6.0),  # type: ignore[arg-type]
        "float_amount",
        "Montant invalide (unbooked_presence) : un Decimal est attendu, pas un float (6.0).",
    ),
    "non-resident price above the cost": (
        lambda: Pricing(BracketTariff(((D(0), D(2)),), cost_price=D(5)), non_resident=D("5.01")),
        "above_cost_price",
        "Le tarif le plus élevé (5.01 €) dépasse le coût du service (5.00 €).",
    ),
    "unknown usage": (
        lambda: Pricing(flat()).price(D(500), usage="absent"),
        "unknown_usage",
        "Usage inconnu : 'absent' (booked, late_booking, unbooked_presence, justified_absence).",
    ),
    "resident as text": (
        lambda: Pricing(flat()).price(D(500), resident="non"),  # type: ignore[arg-type]
        "bad_resident",
        "resident : true ou false est attendu, reçu 'non'.",
    ),
    "rank 0": (
        lambda: Pricing(flat()).price(D(500), rank=0),
        "bad_rank",
        "rank : un entier à partir de 1 est attendu, reçu 0.",
    ),
    "rank True": (
        lambda: Pricing(flat()).price(D(500), rank=True),
        "bad_rank",
        "rank : un entier à partir de 1 est attendu, reçu True.",
    ),
    "rank 2.0": (
        lambda: Pricing(flat()).price(D(500), rank=2.0),  # type: ignore[arg-type]
        "bad_rank",
        "rank : un entier à partir de 1 est attendu, reçu 2.0.",
    ),
    "no child in the family": (
        lambda: Pricing(flat()).price(D(500), children=0),
        "bad_children",
        "children : un entier à partir de 1 est attendu, reçu 0.",
    ),
    "children as text for the crèche grid": (
        lambda: CAF_CRECHE_2024.price(D(1000), children="2"),  # type: ignore[arg-type]
        "bad_children",
        "children : un entier à partir de 1 est attendu, reçu '2'.",
    ),
    "no scenario": (
        lambda: compare_tariffs([], {}),
        "no_scenario",
        "Au moins un scénario de tarifs est attendu.",
    ),
    "a band as a float": (
        lambda: compare_tariffs([], {"x": {}}, bands=(0, 400.0)),  # type: ignore[arg-type]
        "float_amount",
        "Valeur invalide (bands) : un Decimal est attendu, reçu float (400.0).",
    ),
}


@pytest.mark.parametrize("refusal", PRICINGS.values(), ids=PRICINGS)
def test_a_pricing_and_the_day_it_prices_are_checked(refusal: Refusal) -> None:
    check(refusal)


def test_a_reduction_of_0_or_100_percent_and_a_rank_from_1_are_accepted() -> None:
    free = Pricing(flat(), sibling_reduction=D(1), sibling_rank=1)
    assert free.price(D(500)) == D("0.00")  # every child, the eldest included, free
    assert Pricing(flat(), sibling_reduction=D(0)).price(D(500), rank=5) == D("1.00")


# -- the QF given to a grid ---------------------------------------------------------------------


def _grids() -> list[Any]:
    return [
        flat(),
        effort(),
        EffortRateBracketTariff(((D(0), effort()),)),
        CAF_CRECHE_2024,
        morning(),
        Pricing(flat()),
    ]


@pytest.mark.parametrize(
    "grid", range(6), ids=["bracket", "effort", "effort brackets", "crèche", "time", "pricing"]
)
@pytest.mark.parametrize(
    ("qf", "code", "message"),
    [
        (D("-0.01"), "bad_qf", "QF invalide : Decimal('-0.01')."),
        (D("NaN"), "bad_qf", "QF invalide : Decimal('NaN')."),
        (D("Infinity"), "bad_qf", "QF invalide : Decimal('Infinity')."),
        (500, "bad_qf", "QF invalide : 500."),  # an int is not a QF to the cent: a Decimal is asked
        ("812,40", "bad_qf", "QF invalide : '812,40'."),
        (812.4, "float_amount", "QF invalide : un Decimal est attendu, pas un float (812.4)."),
    ],
)
def test_every_grid_prices_only_a_finite_non_negative_decimal_qf(
    grid: int, qf: Any, code: str, message: str
) -> None:
    tariff = _grids()[grid]
    with pytest.raises(ps.PeriscolaireError) as info:
        tariff.price(qf)
    assert (info.value.code, info.value.message) == (code, message)
    assert isinstance(info.value, TypeError) == (code == "float_amount")
