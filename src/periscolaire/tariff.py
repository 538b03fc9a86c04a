"""Tariffs: the quotient familial (QF), tariff grids and what communes add to them.

The guide (p. 4, « Préparez vos documents »): the tax notice of year N-1 (« l'avis
d'imposition 2023 sur les revenus 2022 pour l'année 2024 ») is used « pour le
calcul de votre quotient familial si vous habitez sur la commune. Le calcul est
valable du 1er janvier au 31 décembre de l'année en cours. Si vous ne souhaitez
pas le calcul de votre quotient, il n'est pas nécessaire de fournir ce document.
Dans ce cas, le tarif maximal sera appliqué. » And (p. 1) « La tarification sera
calculée pour chaque parent selon ses ressources » for separated parents.

>>> from decimal import Decimal
>>> qf = quotient_familial(Decimal("36000"), family_parts(children=2))
>>> qf
Decimal('1000.00')
>>> grid = BracketTariff(brackets=((Decimal(0), Decimal("1.20")), (Decimal(600), Decimal("2.40")),
...                                (Decimal(1000), Decimal("3.60"))))
>>> grid.price(qf), grid.price(Decimal("999.99")), grid.price(None)
(Decimal('3.60'), Decimal('2.40'), Decimal('3.60'))
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, time
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from typing import Any

import attrs

from periscolaire import french
from periscolaire.errors import InvalidAmount, TariffError
from periscolaire.money import CENT, MAX_AMOUNT, ZERO, money
from periscolaire.validators import whole, whole_number

__all__ = [
    "CAF_CRECHE_2024",
    "BracketTariff",
    "ChildrenRateTariff",
    "EffortRateBracketTariff",
    "EffortRateTariff",
    "Pricing",
    "QuotientFamilial",
    "Tariff",
    "TimeUnit",
    "TimeUnitTariff",
    "UnitTariff",
    "Usage",
    "compare_tariffs",
    "family_parts",
    "qf_points",
    "quotient_familial",
    "read_families_csv",
]

HALF = Decimal("0.5")
QUARTER = Decimal("0.25")


def _decimal(value: Any, name: str) -> Decimal:
    """A finite Decimal (or int) that is not money: QF, parts, rates."""
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int):
        raise InvalidAmount(
            f"Valeur invalide ({name}) : un Decimal est attendu, reçu {type(value).__name__} ({value!r}).",
            code="float_amount" if isinstance(value, float) else "not_decimal",
        )
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidAmount(
            f"Valeur invalide ({name}) : {number} n'est pas un nombre fini.", code="not_finite"
        )
    return number


def _qf_value(value: Any) -> Decimal:
    return _decimal(value, "value")


def _rate(value: Any) -> Decimal:
    return _decimal(value, "rate")


def _floor_price(value: Any) -> Decimal:
    return _price(value, "floor")


def _ceiling_price(value: Any) -> Decimal:
    return _price(value, "ceiling")


def _surcharge(value: Any) -> Decimal:
    return _price(value, "late_surcharge")


# --------------------------------------------------------------------------
# Quotient familial
# --------------------------------------------------------------------------


def family_parts(children: int, disabled_children: int = 0) -> Decimal:
    """Number of parts of a household for the quotient familial.

    The CAF's rule (caf.fr, « quotient familial »), which communes use: 2 parts
    for the parents, whether a couple or a single parent; half a part for each
    of the first two children; one part for each child from the third; half a
    part more for each disabled child.

    >>> family_parts(0), family_parts(2), family_parts(3), family_parts(3, disabled_children=1)
    (Decimal('2.0'), Decimal('3.0'), Decimal('4.0'), Decimal('4.5'))
    """
    whole_number(children, "children", 0, error=TariffError, code="bad_parts")
    whole_number(disabled_children, "disabled_children", 0, error=TariffError, code="bad_parts")
    if disabled_children > children:
        raise TariffError("Plus d'enfants handicapés que d'enfants.", code="bad_parts")
    return Decimal(2) + HALF * min(children, 2) + max(children - 2, 0) + HALF * disabled_children


def quotient_familial(annual_income: Decimal, parts: Decimal, monthly_benefits: Decimal = ZERO) -> Decimal:
    """QF = (annual income / 12 + monthly benefits) / parts, to the cent
    (banker's rounding).

    >>> quotient_familial(Decimal("30000"), Decimal("2.5"), monthly_benefits=Decimal("150"))
    Decimal('1060.00')
    """
    income = money(annual_income, "annual_income")
    benefits = money(monthly_benefits, "monthly_benefits")
    parts = _decimal(parts, "parts")
    if income < 0 or benefits < 0:
        raise TariffError("Les revenus et prestations ne peuvent être négatifs.", code="negative_income")
    if parts <= 0 or parts % QUARTER:
        raise TariffError(
            f"Nombre de parts invalide : {parts} (un multiple positif de 0,25 est attendu).", code="bad_parts"
        )
    return ((income / 12 + benefits) / parts).quantize(CENT, rounding=ROUND_HALF_EVEN)


@attrs.frozen
class QuotientFamilial:
    """A family's QF and the tax notice it comes from.

    A notice of year N (on the incomes of N-1) gives the QF of year N+1, valid
    from 1 January to 31 December (guide p. 4). A family living outside the
    commune gets no QF pricing (« si vous habitez sur la commune »).

    >>> from datetime import date
    >>> qf = QuotientFamilial(Decimal("812.40"), notice_year=2023)
    >>> qf.on(date(2024, 12, 31)), qf.on(date(2025, 1, 1))
    (Decimal('812.40'), None)
    """

    value: Decimal = attrs.field(converter=_qf_value)
    notice_year: int
    resident: bool = True

    def __attrs_post_init__(self) -> None:
        if self.value < 0:
            raise TariffError(f"Quotient familial négatif : {self.value}.", code="negative_qf")

    @property
    def valid_year(self) -> int:
        return self.notice_year + 1

    def on(self, day: date) -> Decimal | None:
        """The QF that applies on ``day``, or ``None`` (highest tariff): the
        notice is for another year, or the family does not live in the commune."""
        if not self.resident or day.year != self.valid_year:
            return None
        return self.value


# --------------------------------------------------------------------------
# Tariff grids
# --------------------------------------------------------------------------


def _price(value: Any, name: str) -> Decimal:
    price = money(value, name)
    if price < 0:
        raise TariffError(f"Prix négatif ({name}) : {price}.", code="negative_price")
    return price


def _brackets(value: Iterable[tuple[Any, Any]]) -> tuple[tuple[Decimal, Decimal], ...]:
    return tuple((_decimal(low, "qf_from"), _price(price, "price")) for low, price in value)


def _optional_price(value: Any) -> Decimal | None:
    return None if value is None else _price(value, "cost_price")


def _check_qf(qf: Decimal | None) -> None:
    if qf is not None and (type(qf) is not Decimal or not qf.is_finite() or qf < 0):
        if isinstance(qf, float):
            raise InvalidAmount(
                f"QF invalide : un Decimal est attendu, pas un float ({qf!r}).", code="float_amount"
            )
        raise TariffError(f"QF invalide : {qf!r}.", code="bad_qf")


@attrs.frozen
class BracketTariff:
    """A price per QF bracket (« tranche »): a bracket's lower bound is
    included. No QF (``None``) pays the highest price. The first bracket
    starts at 0.

    ``cost_price``, when given, caps the grid: no price may exceed the cost of
    the service per user (Code de l'éducation, art. R. 531-52, for school
    canteens).
    """

    brackets: tuple[tuple[Decimal, Decimal], ...] = attrs.field(converter=_brackets)
    cost_price: Decimal | None = attrs.field(default=None, converter=_optional_price, kw_only=True)
    _bounds: list[Decimal] = attrs.field(init=False, eq=False, repr=False)
    _prices: list[Decimal] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.brackets:
            raise TariffError("Une grille de tarifs a au moins une tranche.", code="empty_tariff")
        bounds = [low for low, _ in self.brackets]
        if bounds[0] != 0:
            raise TariffError(f"La première tranche commence à 0, pas à {bounds[0]}.", code="bad_brackets")
        if any(b <= a for a, b in pairwise(bounds)):
            raise TariffError(
                "Les tranches doivent être en ordre strictement croissant.", code="bad_brackets"
            )
        _check_cost(self.highest, self.cost_price)
        object.__setattr__(self, "_bounds", bounds)
        object.__setattr__(self, "_prices", [price for _, price in self.brackets])

    @property
    def highest(self) -> Decimal:
        return max(price for _, price in self.brackets)

    def price(self, qf: Decimal | None) -> Decimal:
        """The price for a QF (``None``: no QF, the highest price)."""
        if qf is None:
            return self.highest
        _check_qf(qf)
        return self._prices[bisect_right(self._bounds, qf) - 1]

    def bands(self) -> tuple[tuple[Decimal, Decimal | None, Decimal], ...]:
        """(lower bound, next lower bound or None, price) per bracket."""
        bounds = [*self._bounds[1:], None]
        return tuple((low, high, price) for (low, price), high in zip(self.brackets, bounds, strict=True))

    def qf_points(self) -> tuple[Decimal, ...]:
        """The QF values where the price changes: the brackets' lower bounds."""
        return tuple(self._bounds)

    def describe(self) -> str:
        """The grid in French, one line per bracket.

        >>> print(BracketTariff(((Decimal(0), Decimal("1.20")), (Decimal(600), Decimal("2.40")),
        ...                      (Decimal(1000), Decimal("3.60")))))
        Tarif par tranche de quotient familial :
          QF de 0 à moins de 600 : 1,20 €
          QF de 600 à moins de 1 000 : 2,40 €
          QF de 1 000 et plus : 3,60 €
          sans QF : 3,60 €
        """
        lines = ["Tarif par tranche de quotient familial :"]
        lines += [
            f"  {_qf_band_text(low, high)} : {french.euros(price)}" for low, high, price in self.bands()
        ]
        lines.append(f"  sans QF : {french.euros(self.highest)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()

    def rows(self) -> list[dict[str, Any]]:
        """One row per bracket, plus « sans QF »: ``band``, ``qf_from``,
        ``qf_to`` (excluded; ``None`` for the last), ``price_min`` and
        ``price_max`` (equal in a bracket).

        >>> rows = BracketTariff(((Decimal(0), Decimal("1.20")), (Decimal(600), Decimal("2.40")))).rows()
        >>> [(row["band"], row["qf_from"], row["qf_to"], row["price_max"]) for row in rows]
        [('0-600', Decimal('0'), Decimal('600'), Decimal('1.20')), ('600+', Decimal('600'), None, Decimal('2.40')),
         ('sans QF', None, None, Decimal('2.40'))]
        """
        return _qf_rows(self.price, self._bounds, self.highest)


def _adjustment(value: Any) -> Decimal:
    """An amount added after the floor and the ceiling: may be negative."""
    return money(value, "adjustment")


def _clamp(raw: Decimal, floor: Decimal, ceiling: Decimal, adjustment: Decimal) -> Decimal:
    """``raw`` held between ``floor`` and ``ceiling``, rounded to the cent
    (banker's rounding), then ``adjustment`` added, never below zero."""
    held = min(max(raw, floor), ceiling).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return max(held + adjustment, ZERO)


@attrs.frozen
class EffortRateTariff:
    """A price proportional to the QF (« taux d'effort »): QF x rate, clamped
    between a floor and a ceiling, to the cent. No QF pays the ceiling.

    ``adjustment`` (default 0, may be negative) is added after the floor and
    the ceiling; the price never goes below zero.

    >>> t = EffortRateTariff(rate=Decimal("0.004"), floor=Decimal("0.80"), ceiling=Decimal("4.50"))
    >>> t.price(Decimal("100")), t.price(Decimal("812.40")), t.price(Decimal("5000")), t.price(None)
    (Decimal('0.80'), Decimal('3.25'), Decimal('4.50'), Decimal('4.50'))
    >>> EffortRateTariff(rate=Decimal("0.004"), floor=Decimal("0.80"), ceiling=Decimal("4.50"),
    ...                  adjustment=Decimal("-1.00")).price(Decimal("100"))
    Decimal('0.00')
    """

    rate: Decimal = attrs.field(converter=_rate)
    floor: Decimal = attrs.field(converter=_floor_price)
    ceiling: Decimal = attrs.field(converter=_ceiling_price)
    cost_price: Decimal | None = attrs.field(default=None, converter=_optional_price, kw_only=True)
    adjustment: Decimal = attrs.field(default=ZERO, converter=_adjustment, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.rate < 0:
            raise TariffError(f"Taux d'effort négatif : {self.rate}.", code="negative_rate")
        if self.floor > self.ceiling:
            raise TariffError(
                f"Le prix plancher ({self.floor}) dépasse le plafond ({self.ceiling}).",
                code="floor_above_ceiling",
            )
        _check_cost(self.highest, self.cost_price)

    @property
    def highest(self) -> Decimal:
        return max(self.ceiling + self.adjustment, ZERO)

    def price(self, qf: Decimal | None) -> Decimal:
        if qf is None:
            return self.highest
        _check_qf(qf)
        return _clamp(qf * self.rate, self.floor, self.ceiling, self.adjustment)

    def qf_points(self) -> tuple[Decimal, ...]:
        """The QF values where the price starts and stops following the QF."""
        if not self.rate:
            return ()
        return tuple(
            (bound / self.rate).quantize(Decimal(1)) for bound in (self.floor, self.ceiling) if bound
        )

    def describe(self) -> str:
        """The tariff in French.

        >>> print(EffortRateTariff(rate=Decimal("0.0035"), floor=Decimal(1), ceiling=Decimal("4.20")))
        Taux d'effort : 0,35 % du quotient familial, plancher 1,00 €, plafond 4,20 € ; sans QF : 4,20 €
        """
        return (
            f"Taux d'effort : {self._terms('du quotient familial')} ; sans QF : {french.euros(self.highest)}"
        )

    def _terms(self, of: str) -> str:
        text = f"{french.percent(self.rate)} {of}, plancher {french.euros(self.floor)}, plafond {french.euros(self.ceiling)}"
        if self.adjustment:
            text += f", ajustement {french.signed_euros(self.adjustment)} (jamais moins de 0,00 €)"
        return text

    def __str__(self) -> str:
        return self.describe()

    def rows(self) -> list[dict[str, Any]]:
        """One row per QF band where the price is constant or proportional,
        plus « sans QF »: ``band``, ``qf_from``, ``qf_to`` (excluded; ``None``
        for the last), ``price_min``, ``price_max``."""
        return _qf_rows(self.price, (Decimal(0), *self.qf_points()), self.highest)


def _effort_brackets(value: Iterable[tuple[Any, Any]]) -> tuple[tuple[Decimal, EffortRateTariff], ...]:
    rows = []
    for low, tariff in value:
        if not isinstance(tariff, EffortRateTariff):
            raise TariffError(
                f"Une tranche à taux d'effort attend un EffortRateTariff, reçu {type(tariff).__name__}.",
                code="bad_brackets",
            )
        if tariff.cost_price is not None:
            raise TariffError(
                "Le coût du service (cost_price) se donne pour toute la grille, pas par tranche.",
                code="bad_brackets",
            )
        rows.append((_decimal(low, "qf_from"), tariff))
    return tuple(rows)


def _check_bounds(bounds: Sequence[Decimal]) -> None:
    if not bounds:
        raise TariffError("Une grille de tarifs a au moins une tranche.", code="empty_tariff")
    if bounds[0] != 0:
        raise TariffError(f"La première tranche commence à 0, pas à {bounds[0]}.", code="bad_brackets")
    if any(b <= a for a, b in pairwise(bounds)):
        raise TariffError("Les tranches doivent être en ordre strictement croissant.", code="bad_brackets")


@attrs.frozen
class EffortRateBracketTariff:
    """An effort rate per QF bracket: each bracket (lower bound included, the
    first at 0) has its own rate, floor, ceiling and adjustment
    (:class:`EffortRateTariff`). No QF pays the highest price of the grid.

    When rates, floors, ceilings and adjustments do not decrease from one
    bracket to the next, the price never decreases as the QF grows.

    >>> grid = EffortRateBracketTariff((
    ...     (Decimal(0), EffortRateTariff(rate=Decimal("0.003"), floor=Decimal("0.50"), ceiling=Decimal("1.80"))),
    ...     (Decimal(700), EffortRateTariff(rate=Decimal("0.004"), floor=Decimal("2.00"), ceiling=Decimal("4.50"))),
    ... ))
    >>> grid.price(Decimal(100)), grid.price(Decimal(650)), grid.price(Decimal(700)), grid.price(None)
    (Decimal('0.50'), Decimal('1.80'), Decimal('2.80'), Decimal('4.50'))
    """

    brackets: tuple[tuple[Decimal, EffortRateTariff], ...] = attrs.field(converter=_effort_brackets)
    cost_price: Decimal | None = attrs.field(default=None, converter=_optional_price, kw_only=True)
    _bounds: list[Decimal] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        bounds = [low for low, _ in self.brackets]
        _check_bounds(bounds)
        _check_cost(self.highest, self.cost_price)
        object.__setattr__(self, "_bounds", bounds)

    @property
    def highest(self) -> Decimal:
        return max(tariff.highest for _, tariff in self.brackets)

    def price(self, qf: Decimal | None) -> Decimal:
        if qf is None:
            return self.highest
        _check_qf(qf)
        return self.brackets[bisect_right(self._bounds, qf) - 1][1].price(qf)

    def qf_points(self) -> tuple[Decimal, ...]:
        points = set(self._bounds)
        for (low, tariff), high in zip(self.brackets, [*self._bounds[1:], None], strict=True):
            points.update(p for p in tariff.qf_points() if p > low and (high is None or p < high))
        return tuple(sorted(points))

    def describe(self) -> str:
        """The grid in French, one line per bracket.

        >>> print(EffortRateBracketTariff((
        ...     (Decimal(0), EffortRateTariff(rate=Decimal("0.003"), floor=Decimal("0.50"), ceiling=Decimal("1.80"))),
        ...     (Decimal(700), EffortRateTariff(rate=Decimal("0.004"), floor=Decimal(2), ceiling=Decimal("4.50"))),
        ... )))
        Taux d'effort par tranche de quotient familial :
          QF de 0 à moins de 700 : 0,3 % du QF, plancher 0,50 €, plafond 1,80 €
          QF de 700 et plus : 0,4 % du QF, plancher 2,00 €, plafond 4,50 €
          sans QF : 4,50 €
        """
        lines = ["Taux d'effort par tranche de quotient familial :"]
        for (low, tariff), high in zip(self.brackets, [*self._bounds[1:], None], strict=True):
            lines.append(f"  {_qf_band_text(low, high)} : {tariff._terms('du QF')}")
        lines.append(f"  sans QF : {french.euros(self.highest)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()

    def rows(self) -> list[dict[str, Any]]:
        """Rows like :meth:`EffortRateTariff.rows`, cut at each bracket."""
        return _qf_rows(self.price, self.qf_points(), self.highest)


def _children_rates(value: Iterable[tuple[Any, Any]]) -> tuple[tuple[int, Decimal], ...]:
    rows = []
    for children, rate in value:
        _check_children(children)
        number = _decimal(rate, "rate")
        if not 0 <= number <= 1:
            raise TariffError(f"Taux hors de [0, 1] : {number}.", code="bad_rate")
        rows.append((children, number))
    return tuple(rows)


def _resources_floor(value: Any) -> Decimal:
    return _price(value, "resources_floor")


def _resources_ceiling(value: Any) -> Decimal:
    return _price(value, "resources_ceiling")


@attrs.frozen
class ChildrenRateTariff:
    """A rate of the family's monthly resources that depends on the number of
    children in the family, as in the CAF's national grid for crèches
    (« barème national des participations familiales », accueil collectif).

    ``rates``: (number of children from, rate) pairs, the first from 1 child.
    The resources are held between ``floor`` and ``ceiling`` (« plancher » and
    « plafond » of resources), multiplied by the rate, and only the result is
    rounded to the cent; ``adjustment`` is added after, never below zero. The
    price is for one unit of care (an hour in the CAF grid). No resources
    known (``None``) pays at the ceiling; no number of children given pays the
    rate of one child (the highest).

    >>> grid = ChildrenRateTariff(((1, Decimal("0.0006")), (2, Decimal("0.0005"))),
    ...                           floor=Decimal("801.00"), ceiling=Decimal("6000.00"))
    >>> grid.price(Decimal("2500.00"), children=1), grid.price(Decimal("2500.00"), children=2)
    (Decimal('1.50'), Decimal('1.25'))
    >>> grid.price(Decimal("300.00"), children=1), grid.price(None, children=3)
    (Decimal('0.48'), Decimal('3.00'))
    """

    rates: tuple[tuple[int, Decimal], ...] = attrs.field(converter=_children_rates)
    floor: Decimal = attrs.field(converter=_resources_floor)
    ceiling: Decimal = attrs.field(converter=_resources_ceiling)
    cost_price: Decimal | None = attrs.field(default=None, converter=_optional_price, kw_only=True)
    adjustment: Decimal = attrs.field(default=ZERO, converter=_adjustment, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.rates:
            raise TariffError("Au moins un taux est attendu.", code="empty_tariff")
        counts = [n for n, _ in self.rates]
        if counts[0] != 1 or any(b <= a for a, b in pairwise(counts)):
            raise TariffError(
                "Les taux se donnent à partir d'un enfant, en nombre d'enfants strictement croissant.",
                code="bad_children",
            )
        if self.floor > self.ceiling:
            raise TariffError(
                f"Le plancher de ressources ({self.floor}) dépasse le plafond ({self.ceiling}).",
                code="floor_above_ceiling",
            )
        _check_cost(self.highest, self.cost_price)

    def rate_for(self, children: int | None) -> Decimal:
        """The rate for a family with ``children`` children (``None``: one)."""
        if children is None:
            return self.rates[0][1]
        _check_children(children)
        return self.rates[bisect_right([n for n, _ in self.rates], children) - 1][1]

    @property
    def highest(self) -> Decimal:
        return max(_clamp(self.ceiling * rate, ZERO, MAX_AMOUNT, self.adjustment) for _, rate in self.rates)

    def price(self, resources: Decimal | None, *, children: int | None = None) -> Decimal:
        """The price for monthly ``resources`` (``None``: the ceiling)."""
        rate = self.rate_for(children)
        if resources is None:
            held = self.ceiling
        else:
            _check_qf(resources)
            held = min(max(resources, self.floor), self.ceiling)
        return _clamp(held * rate, ZERO, MAX_AMOUNT, self.adjustment)

    def qf_points(self) -> tuple[Decimal, ...]:
        return (self.floor, self.ceiling)

    def describe(self) -> str:
        """The grid in French, one line per number of children.

        >>> print(ChildrenRateTariff(((1, Decimal("0.000619")), (2, Decimal("0.000516")), (4, Decimal("0.00031"))),
        ...                          floor=Decimal("801.00"), ceiling=Decimal("6000.00")))
        Taux de participation selon le nombre d'enfants, sur les ressources mensuelles de 801,00 € à 6 000,00 € :
          1 enfant : 0,0619 % (de 0,50 € à 3,71 €)
          2 à 3 enfants : 0,0516 % (de 0,41 € à 3,10 €)
          4 enfants et plus : 0,031 % (de 0,25 € à 1,86 €)
          ressources inconnues : 3,71 €
        """
        lines = [
            "Taux de participation selon le nombre d'enfants, sur les ressources mensuelles "
            f"de {french.euros(self.floor)} à {french.euros(self.ceiling)} :"
        ]
        for (count, rate), following in zip(self.rates, [*self.rates[1:], None], strict=True):
            if following is None:
                who = f"{count} enfant{'s' if count > 1 else ''} et plus"
            elif following[0] == count + 1:
                who = f"{count} enfant{'s' if count > 1 else ''}"
            else:
                who = f"{count} à {following[0] - 1} enfants"
            low, high = self.price(self.floor, children=count), self.price(self.ceiling, children=count)
            lines.append(f"  {who} : {french.percent(rate)} (de {french.euros(low)} à {french.euros(high)})")
        if self.adjustment:
            lines.append(f"  ajustement {french.signed_euros(self.adjustment)} (jamais moins de 0,00 €)")
        lines.append(f"  ressources inconnues : {french.euros(self.highest)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()

    def rows(self) -> list[dict[str, Any]]:
        """One row per number of children: ``children`` (from), ``rate``,
        ``resources_from``, ``resources_to``, ``price_min``, ``price_max``."""
        return [
            {
                "children": count,
                "rate": rate,
                "resources_from": self.floor,
                "resources_to": self.ceiling,
                "price_min": self.price(self.floor, children=count),
                "price_max": self.price(self.ceiling, children=count),
            }
            for count, rate in self.rates
        ]


def _check_children(children: Any) -> None:
    whole_number(children, "children", 1, error=TariffError, code="bad_children")


class TimeUnit(enum.StrEnum):
    """The unit of time a care is charged by, every unit started being due."""

    HOUR = "hour"
    HALF_HOUR = "half_hour"
    QUARTER_HOUR = "quarter_hour"

    @property
    def minutes(self) -> int:
        return {"hour": 60, "half_hour": 30, "quarter_hour": 15}[self.value]

    @property
    def started(self) -> str:
        """« à la demi-heure commencée »."""
        return {
            "hour": "à l'heure commencée",
            "half_hour": "à la demi-heure commencée",
            "quarter_hour": "au quart d'heure commencé",
        }[self.value]

    @property
    def of_one(self) -> str:
        """« d'une demi-heure »."""
        return {"hour": "d'une heure", "half_hour": "d'une demi-heure", "quarter_hour": "d'un quart d'heure"}[
            self.value
        ]


def _time_unit(value: Any) -> TimeUnit:
    try:
        return TimeUnit(value)
    except ValueError:
        allowed = ", ".join(u.value for u in TimeUnit)
        raise TariffError(f"Unité de temps inconnue : {value!r} ({allowed}).", code="bad_time_unit") from None


def _clock(value: Any, name: str) -> time:
    if not isinstance(value, time):
        raise TariffError(
            f"{name} : une heure (datetime.time) est attendue, reçu {value!r}.", code="bad_time"
        )
    if value.tzinfo is not None:
        raise TariffError(f"{name} : une heure locale, sans fuseau, est attendue.", code="bad_time")
    return value


def _opens(value: Any) -> time:
    return _clock(value, "opens")


def _closes(value: Any) -> time:
    return _clock(value, "closes")


def _seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


#: A tariff giving one price per QF (or resources): the price of a day, or of
#: one unit of time in a :class:`TimeUnitTariff`.
UnitTariff = BracketTariff | EffortRateTariff | EffortRateBracketTariff | ChildrenRateTariff


@attrs.frozen
class TimeUnitTariff:
    """A care charged by time unit from arrival and departure times (morning
    and evening care): every hour, half-hour or quarter-hour started is due,
    at least ``minimum_units`` units, each at ``unit_price``'s price for the
    QF. The care is open from ``opens`` to ``closes``: no arrival time means
    the opening (evening care: the end of school), no departure time the
    closing (morning care: the start of school); no times at all, the whole
    opening, which is also the highest price.

    >>> from datetime import time
    >>> t = TimeUnitTariff(BracketTariff(((Decimal(0), Decimal("0.50")), (Decimal(700), Decimal("0.80")))),
    ...                    unit=TimeUnit.HALF_HOUR, opens=time(16, 30), closes=time(18, 30), minimum_units=2)
    >>> t.price(Decimal(500), departure=time(17, 40)), t.price(Decimal(500), departure=time(16, 45))
    (Decimal('1.50'), Decimal('1.00'))
    >>> t.price(Decimal(800)), t.highest
    (Decimal('3.20'), Decimal('3.20'))
    """

    unit_price: UnitTariff
    unit: TimeUnit = attrs.field(converter=_time_unit)
    opens: time = attrs.field(converter=_opens)
    closes: time = attrs.field(converter=_closes)
    minimum_units: int = 1

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.unit_price, UnitTariff):
            raise TariffError(
                f"Le prix d'une unité de temps est une grille, reçu {type(self.unit_price).__name__}.",
                code="bad_tariff",
            )
        if self.closes <= self.opens:
            raise TariffError(
                f"L'accueil ferme ({self.closes:%H:%M}) avant d'ouvrir ({self.opens:%H:%M}).", code="bad_time"
            )
        minimum = self.minimum_units
        if isinstance(minimum, bool) or not isinstance(minimum, int) or not 0 <= minimum <= self.full_units:
            raise TariffError(
                f"Minimum facturé invalide : {minimum!r} (de 0 à {self.full_units} unités).",
                code="bad_minimum",
            )

    @property
    def cost_price(self) -> Decimal | None:
        """The cost of one unit of time (``unit_price``'s cost price)."""
        return self.unit_price.cost_price

    @property
    def full_units(self) -> int:
        """The units of the whole opening."""
        return -(-(_seconds(self.closes) - _seconds(self.opens)) // (60 * self.unit.minutes))

    def units(self, arrival: time | None = None, departure: time | None = None) -> int:
        """The units charged from ``arrival`` to ``departure``: each unit
        started, at least ``minimum_units``."""
        start = self.opens if arrival is None else _clock(arrival, "arrival")
        end = self.closes if departure is None else _clock(departure, "departure")
        if start < self.opens or end > self.closes:
            raise TariffError(
                f"Horaires hors de l'accueil ({self.opens:%H:%M}-{self.closes:%H:%M}) : "
                f"{start:%H:%M}-{end:%H:%M}.",
                code="outside_hours",
            )
        if end < start:
            raise TariffError(f"Départ ({end:%H:%M}) avant l'arrivée ({start:%H:%M}).", code="bad_time")
        started = -(-(_seconds(end) - _seconds(start)) // (60 * self.unit.minutes))
        return max(started, self.minimum_units)

    @property
    def highest(self) -> Decimal:
        return self.unit_price.highest * self.full_units

    def price(
        self,
        qf: Decimal | None,
        *,
        arrival: time | None = None,
        departure: time | None = None,
        children: int | None = None,
    ) -> Decimal:
        return self.unit_price_for(qf, children) * self.units(arrival, departure)

    def unit_price_for(self, qf: Decimal | None, children: int | None = None) -> Decimal:
        """The price of one unit for a QF (resources for a children-rate grid)."""
        if isinstance(self.unit_price, ChildrenRateTariff):
            return self.unit_price.price(qf, children=children)
        return self.unit_price.price(qf)

    def qf_points(self) -> tuple[Decimal, ...]:
        return _tariff_points(self.unit_price)

    def describe(self) -> str:
        """The tariff in French: the unit rule, then the grid of a unit.

        >>> from datetime import time
        >>> print(TimeUnitTariff(BracketTariff(((Decimal(0), Decimal("0.50")),)), unit=TimeUnit.QUARTER_HOUR,
        ...                      opens=time(7, 30), closes=time(8, 50)))
        Accueil de 07 h 30 à 08 h 50, facturé au quart d'heure commencé (au moins 1 unité) ; prix d'un quart d'heure :
        Tarif par tranche de quotient familial :
          QF de 0 et plus : 0,50 €
          sans QF : 0,50 €
        """
        minimum = f"au moins {self.minimum_units} unité{'s' if self.minimum_units > 1 else ''}"
        head = (
            f"Accueil de {_clock_text(self.opens)} à {_clock_text(self.closes)}, facturé "
            f"{self.unit.started} ({minimum}) ; prix {self.unit.of_one} :"
        )
        return f"{head}\n{self.unit_price.describe()}"

    def __str__(self) -> str:
        return self.describe()

    def rows(self) -> list[dict[str, Any]]:
        """The rows of the unit's grid, each with ``unit`` (the unit's value)
        and ``full_price_max`` (the whole opening at the band's highest price)."""
        rows = self.unit_price.rows()
        for row in rows:
            row["unit"] = self.unit.value
            row["full_price_max"] = row["price_max"] * self.full_units
        return rows


def _check_cost(highest: Decimal, cost_price: Decimal | None) -> None:
    if cost_price is not None and highest > cost_price:
        raise TariffError(
            f"Le tarif le plus élevé ({highest} €) dépasse le coût du service ({cost_price} €).",
            code="above_cost_price",
        )


Tariff = BracketTariff | EffortRateTariff | EffortRateBracketTariff | ChildrenRateTariff | TimeUnitTariff


def _tariff_points(tariff: Tariff) -> tuple[Decimal, ...]:
    if isinstance(tariff, BracketTariff):
        return tuple(low for low, _ in tariff.brackets)
    return tariff.qf_points()


# -- French text and rows -------------------------------------------------------------


def _clock_text(value: time) -> str:
    return f"{value:%H} h {value:%M}"


def _qf_text(value: Decimal) -> str:
    return french.number(value, None)


def _qf_band_text(low: Decimal, high: Decimal | None) -> str:
    if high is None:
        return f"QF de {_qf_text(low)} et plus"
    return f"QF de {_qf_text(low)} à moins de {_qf_text(high)}"


def _qf_rows(
    price: Callable[[Decimal], Decimal], points: Iterable[Decimal], highest: Decimal
) -> list[dict[str, Any]]:
    lows = sorted(set(points))
    rows: list[dict[str, Any]] = []
    for low, high in zip(lows, [*lows[1:], None], strict=True):
        top = price(high - CENT) if high is not None and high - CENT >= low else price(low)
        first = price(low)
        rows.append(
            {
                "band": _band_label(low, high),
                "qf_from": low,
                "qf_to": high,
                "price_min": min(first, top),
                "price_max": max(first, top),
            }
        )
    rows.append(
        {"band": "sans QF", "qf_from": None, "qf_to": None, "price_min": highest, "price_max": highest}
    )
    return rows


#: The CAF's national grid for crèches (accueil collectif), rates per hour
#: from 1 January 2022 (circulaire Cnaf 2019-005 of 5 June 2019, last step),
#: with the 2024 monthly resources floor and ceiling. See docs/tariff.md: check
#: the current figures on caf.fr before using it for real invoices.
CAF_CRECHE_2024 = ChildrenRateTariff(
    (
        (1, Decimal("0.000619")),
        (2, Decimal("0.000516")),
        (3, Decimal("0.000413")),
        (4, Decimal("0.000310")),
        (8, Decimal("0.000206")),
    ),
    floor=Decimal("801.00"),
    ceiling=Decimal("6000.00"),
)


class Usage(enum.StrEnum):
    """How a day was used, for pricing."""

    BOOKED = "booked"  # booked in time and attended (or absent without justification)
    LATE_BOOKING = "late_booking"  # booked after the deadline by an agent
    UNBOOKED_PRESENCE = "unbooked_presence"  # present without a booking
    JUSTIFIED_ABSENCE = "justified_absence"  # absent with a justification (illness...)


def _fraction(value: Any) -> Decimal:
    fraction = _decimal(value, "sibling_reduction")
    if not 0 <= fraction <= 1:
        raise TariffError(f"Réduction hors de [0, 1] : {fraction}.", code="bad_reduction")
    return fraction


def _non_resident(value: Any) -> Decimal | None:
    return None if value is None else _price(value, "non_resident")


def _unbooked_presence(value: Any) -> Decimal | None:
    return None if value is None else _price(value, "unbooked_presence")


@attrs.frozen
class Pricing:
    """An activity's tariff with the modifiers communes use.

    * ``non_resident``: the price for families living outside the commune
      (default: the grid's highest price; for a :class:`TimeUnitTariff`, the
      price of one unit of time);
    * ``sibling_reduction`` from the ``sibling_rank``-th child of a family
      (default the third), a fraction of the price (``0.10`` = 10 %);
    * ``late_surcharge``: added to a booking made after the deadline;
    * ``unbooked_presence``: the price of a day attended without a booking
      (default: the highest price);
    * a justified absence costs nothing.

    >>> p = Pricing(BracketTariff(((Decimal(0), Decimal("2.00")), (Decimal(800), Decimal("3.00")))),
    ...             sibling_reduction=Decimal("0.5"), late_surcharge=Decimal("1.00"))
    >>> p.price(Decimal(500)), p.price(Decimal(500), rank=3), p.price(Decimal(500), usage=Usage.LATE_BOOKING)
    (Decimal('2.00'), Decimal('1.00'), Decimal('3.00'))
    """

    tariff: Tariff
    non_resident: Decimal | None = attrs.field(default=None, converter=_non_resident)
    sibling_reduction: Decimal = attrs.field(default=ZERO, converter=_fraction)
    sibling_rank: int = attrs.field(default=3, validator=whole(1, error=TariffError, code="bad_rank"))
    late_surcharge: Decimal = attrs.field(default=ZERO, converter=_surcharge)
    unbooked_presence: Decimal | None = attrs.field(default=None, converter=_unbooked_presence)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.tariff, Tariff):
            raise TariffError(
                f"Une grille de tarifs est attendue, reçu {type(self.tariff).__name__}.", code="bad_tariff"
            )
        if self.non_resident is not None:
            _check_cost(self.non_resident, self.tariff.cost_price)

    def price(
        self,
        qf: Decimal | None,
        *,
        resident: bool = True,
        rank: int = 1,
        usage: Usage = Usage.BOOKED,
        children: int | None = None,
        arrival: time | None = None,
        departure: time | None = None,
    ) -> Decimal:
        """The price of one day. ``qf`` is the QF in force that day (``None``:
        none, the highest price; the family's monthly resources for a
        :class:`ChildrenRateTariff`); ``rank`` is the child's rank in its family
        (1 for the eldest); ``usage`` a :class:`Usage` or its value;
        ``children`` the number of children in the family (used by a
        :class:`ChildrenRateTariff`); ``arrival`` and ``departure`` the times
        of a care charged by :class:`TimeUnitTariff` (ignored by the others)."""
        try:
            usage = Usage(usage)
        except ValueError:
            allowed = ", ".join(u.value for u in Usage)
            raise TariffError(f"Usage inconnu : {usage!r} ({allowed}).", code="unknown_usage") from None
        if not isinstance(resident, bool):
            raise TariffError(
                f"resident : true ou false est attendu, reçu {resident!r}.", code="bad_resident"
            )
        whole_number(rank, "rank", 1, error=TariffError, code="bad_rank")  # 1 for the eldest
        if children is not None:
            _check_children(children)
        if usage == Usage.JUSTIFIED_ABSENCE:
            return ZERO
        if usage == Usage.UNBOOKED_PRESENCE:
            return self.unbooked_presence if self.unbooked_presence is not None else self.tariff.highest
        tariff = self.tariff
        if isinstance(tariff, TimeUnitTariff):
            units = tariff.units(arrival, departure)
            if resident:
                unit = tariff.unit_price_for(qf, children)
            else:
                unit = self.non_resident if self.non_resident is not None else tariff.unit_price.highest
            base = unit * units
        elif not resident:
            base = self.non_resident if self.non_resident is not None else tariff.highest
        elif isinstance(tariff, ChildrenRateTariff):
            base = tariff.price(qf, children=children)
        else:
            base = tariff.price(qf)
        if rank >= self.sibling_rank and self.sibling_reduction:
            base = (base * (1 - self.sibling_reduction)).quantize(CENT, rounding=ROUND_HALF_EVEN)
        if usage == Usage.LATE_BOOKING:
            base += self.late_surcharge
        return base

    def describe(self) -> str:
        """The tariff and its modifiers in French.

        >>> print(Pricing(BracketTariff(((Decimal(0), Decimal("2.00")), (Decimal(800), Decimal("3.00")))),
        ...               non_resident=Decimal("4.00"), sibling_reduction=Decimal("0.10")))
        Tarif par tranche de quotient familial :
          QF de 0 à moins de 800 : 2,00 €
          QF de 800 et plus : 3,00 €
          sans QF : 3,00 €
        Hors commune : 4,00 €
        Réduction de 10 % à partir du 3e enfant
        """
        lines = [self.tariff.describe()]
        per_unit = f" (prix {self.tariff.unit.of_one})" if isinstance(self.tariff, TimeUnitTariff) else ""
        if self.non_resident is not None:
            lines.append(f"Hors commune : {french.euros(self.non_resident)}{per_unit}")
        if self.sibling_reduction:
            rank = "1er" if self.sibling_rank == 1 else f"{self.sibling_rank}e"
            lines.append(f"Réduction de {french.percent(self.sibling_reduction)} à partir du {rank} enfant")
        if self.late_surcharge:
            lines.append(f"Réservation hors délai : {french.signed_euros(self.late_surcharge)}")
        if self.unbooked_presence is not None:
            lines.append(f"Présence sans réservation : {french.euros(self.unbooked_presence)}")
        if self.tariff.cost_price is not None:
            lines.append(f"Coût du service : {french.euros(self.tariff.cost_price)}{per_unit}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()

    def rows(self) -> list[dict[str, Any]]:
        """The grid's rows (see each tariff's ``rows()``): plain dicts,
        ``pandas.DataFrame(pricing.rows())`` ready."""
        return self.tariff.rows()


# --------------------------------------------------------------------------
# Scenarios for notebooks
# --------------------------------------------------------------------------


class ColumnError(TariffError):
    """A table of families whose columns are not the expected ones: ``unknown``
    and ``missing`` name the offending columns, ``expected`` the known ones."""

    code = "bad_columns"

    def __init__(
        self,
        message: str,
        *,
        unknown: Sequence[str] = (),
        missing: Sequence[str] = (),
        expected: Sequence[str] = (),
    ) -> None:
        self.unknown = tuple(unknown)
        self.missing = tuple(missing)
        self.expected = tuple(expected)
        super().__init__(message)


#: Column names a table of families may use (English or French, any case).
_COLUMNS = {
    "family": "family",
    "famille": "family",
    "qf": "qf",
    "quotient": "qf",
    "quotient_familial": "qf",
    "resident": "resident",
    "résident": "resident",
    "rank": "rank",
    "rang": "rank",
    "days": "days",
    "jours": "days",
}
_EXPECTED = "family (ou famille), qf (ou QF), resident (ou résident, facultatif), rank (ou rang, facultatif)"
_YES = frozenset({"oui", "o", "yes", "y", "true", "vrai", "1"})
_NO = frozenset({"non", "n", "no", "false", "faux", "0"})


def _plain(value: Any) -> Any:
    """A numpy scalar (``numpy.int64``, ``numpy.float64``, ``numpy.bool_``) as its Python value."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


def _is_missing(value: Any) -> bool:
    """None, NaN (float or Decimal), pandas' NA/NaT, or an empty string: no value."""
    import math

    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    if isinstance(value, str):
        return not value.strip()
    return type(value).__name__ in ("NAType", "NaTType")


def _cell_number(value: Any, what: str) -> Decimal:
    """An exact Decimal from a cell: int, Decimal, str (« 812,40 » too) or float
    through its shortest repr (``812.4`` is ``Decimal('812.4')``, never the
    binary ``812.399999...``)."""
    value = _plain(value)
    number: Decimal | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # A notebook's cell (a QF, a number of days), not an amount of money: its
        # shortest repr is what was typed (numpy's scalars are Python's already: _plain).
        number = Decimal(float.__repr__(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
        except ArithmeticError:
            number = None
    if number is None or not number.is_finite():
        raise TariffError(f"{what} : un nombre est attendu, reçu {value!r}.", code="bad_number")
    return number


def _cell_qf(value: Any, what: str) -> Decimal | None:
    if _is_missing(value):
        return None
    qf = _cell_number(value, what)
    if qf < 0:
        raise TariffError(f"{what} : quotient familial négatif ({qf}).", code="negative_qf")
    return qf


def _cell_count(value: Any, what: str, *, minimum: int = 0) -> int:
    number = _cell_number(value, what)
    if number != number.to_integral_value():
        raise TariffError(f"{what} : un nombre entier est attendu, reçu {value!r}.", code="bad_number")
    if number < minimum:
        raise TariffError(
            f"{what} : au moins {minimum} est attendu, reçu {number}.",
            code="negative_days" if minimum == 0 else "bad_rank",
        )
    return int(number)


def _cell_resident(value: Any, what: str) -> bool:
    value = _plain(value)
    if _is_missing(value):
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
    raise TariffError(f"{what} : oui ou non est attendu, reçu {value!r}.", code="bad_resident")


def _split_columns(
    columns: Iterable[Any], activities: Collection[str] | None
) -> tuple[dict[str, str], list[str]]:
    """Known columns (original name -> canonical name) and activity columns;
    unknown or missing columns are a :class:`ColumnError` naming them."""
    known: dict[str, str] = {}
    codes: list[str] = []
    unknown: list[str] = []
    for column in columns:
        name = str(column)
        canonical = _COLUMNS.get(name.strip().lower())
        if canonical is not None:
            if canonical in known.values():
                raise ColumnError(f"Colonne {canonical!r} en double ({name!r}).", unknown=[name])
            known[column] = canonical
        elif activities is None or name.strip() in activities:
            if not name.strip():
                unknown.append(name)
            else:
                codes.append(column)
        else:
            unknown.append(name)
    missing = [c for c in ("family", "qf") if c not in known.values()]
    if not codes and "days" not in known.values():
        missing.append("une colonne de jours par activité")
    if unknown or missing:
        expected = _EXPECTED + (
            f", puis une colonne par activité ({', '.join(sorted(activities))})"
            if activities is not None
            else ", puis une colonne de jours par activité"
        )
        parts = []
        if unknown:
            parts.append(f"colonne(s) inconnue(s) : {', '.join(map(repr, unknown))}")
        if missing:
            parts.append(f"colonne(s) manquante(s) : {', '.join(missing)}")
        raise ColumnError(
            f"Table de familles : {' ; '.join(parts)} (colonnes attendues : {expected}).",
            unknown=unknown,
            missing=missing,
            expected=[*dict.fromkeys(_COLUMNS.values()), *sorted(activities or ())],
        )
    return known, codes


def _records(families: Any) -> tuple[list[Any] | None, list[Mapping[str, Any]]]:
    """(columns or None, rows) of a pandas DataFrame or an iterable of mappings."""
    if hasattr(families, "to_dict") and hasattr(families, "columns"):  # a pandas DataFrame
        return list(families.columns), families.to_dict("records")
    rows = list(families)
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TariffError(
                f"Ligne {i + 1} : une ligne de famille est un dict, reçu {type(row).__name__}.",
                code="bad_row",
            )
    return None, rows


def normalize_families(
    families: Any,
    activities: Collection[str] | None = None,
    *,
    line: Callable[[int], str] | None = None,
) -> list[dict[str, Any]]:
    """Rows of children ``{"family", "qf", "resident", "rank", "days"}`` from a
    table of families: a pandas DataFrame or records, flat (one column of days
    per activity code) or with a ``days`` mapping, plain numbers accepted (int,
    float through its shortest repr, str, Decimal; NaN, None or empty: no QF).

    Columns are checked (:class:`ColumnError`), cells too (negative days or QF,
    unknown resident values, ranks below 1), and the children of one family
    must agree on its QF and residence and have distinct ranks; a missing rank
    is the child's order in its family.

    >>> normalize_families([{"famille": "A", "QF": 812.4, "RESTAURATION": 140.0}])
    [{'family': 'A', 'qf': Decimal('812.4'), 'resident': True, 'rank': 1, 'days': {'RESTAURATION': 140}}]
    """
    columns, rows = _records(families)
    label = line or (lambda i: f"Ligne {i + 1}")
    out: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    ranks: dict[str, set[int]] = {}
    cached: tuple[frozenset[Any], dict[Any, str], list[Any]] | None = None
    if columns is not None:
        known, codes = _split_columns(columns, activities)
        cached = (frozenset(columns), known, codes)
    for i, row in enumerate(rows):
        keys = frozenset(row)
        if cached is None or cached[0] != keys:
            known, codes = _split_columns(list(row), activities)
            cached = (keys, known, codes)
        _, known, codes = cached
        where = label(i)
        cells = {canonical: row[original] for original, canonical in known.items()}
        family_cell = _plain(cells["family"])
        if _is_missing(family_cell):
            raise TariffError(f"{where} : famille sans identifiant.", code="missing_family")
        family = str(family_cell).strip()
        qf = _cell_qf(cells["qf"], f"{where}, qf")
        resident = _cell_resident(cells.get("resident"), f"{where}, resident")
        days: dict[str, int] = {}
        nested = cells.get("days")
        if nested is not None and not _is_missing(nested):
            if not isinstance(nested, Mapping):
                raise TariffError(f"{where} : days est un dict activité -> jours.", code="bad_row")
            if codes:
                raise ColumnError(
                    f"{where} : des jours à la fois dans days et en colonnes ({', '.join(map(str, codes))}).",
                    unknown=[str(c) for c in codes],
                )
            for code, count in nested.items():
                if activities is not None and code not in activities:
                    raise ColumnError(
                        f"{where} : activité inconnue dans days : {code!r} "
                        f"(activités : {', '.join(sorted(activities))}).",
                        unknown=[str(code)],
                        expected=sorted(activities),
                    )
                days[str(code)] = _cell_count(count, f"{where}, {code}")
        for code in codes:
            value = row[code]
            days[str(code).strip()] = 0 if _is_missing(value) else _cell_count(value, f"{where}, {code}")
        rank_cell = cells.get("rank")
        taken = ranks.setdefault(family, set())
        rank = (
            len(taken) + 1 if _is_missing(rank_cell) else _cell_count(rank_cell, f"{where}, rank", minimum=1)
        )
        first = seen.get(family)
        if first is not None:
            if first["qf"] != qf or (first["qf"] is None) != (qf is None):
                raise TariffError(
                    f"{where} : la famille {family!r} a deux QF ({first['qf']} et {qf}) ; "
                    "les enfants d'une famille partagent son QF.",
                    code="inconsistent_family",
                )
            if first["resident"] != resident:
                raise TariffError(
                    f"{where} : la famille {family!r} est à la fois résidente et non résidente.",
                    code="inconsistent_family",
                )
        if rank in taken:
            raise TariffError(
                f"{where} : deux enfants de la famille {family!r} ont le rang {rank}.",
                code="inconsistent_family",
            )
        taken.add(rank)
        child = {"family": family, "qf": qf, "resident": resident, "rank": rank, "days": days}
        seen.setdefault(family, child)
        out.append(child)
    return out


def _band_label(low: Decimal, high: Decimal | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


def compare_tariffs(
    families: Any,
    scenarios: Mapping[str, Mapping[str, Pricing]],
    *,
    bands: Sequence[Decimal | int] = (0, 400, 700, 1000, 1500),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Price a table of children under one or several tariff scenarios.

    ``families``: a pandas DataFrame or rows (``DataFrame.to_dict("records")``
    will do) with ``family`` (an id), ``qf`` (a number; None, NaN or empty:
    no QF), ``resident`` (default True), ``rank`` (default: the child's order
    in its family) and either one column of days per activity code or ``days``
    (a mapping activity code -> days booked); see :func:`normalize_families`.
    An unknown or missing column is a :class:`ColumnError` naming it, never a
    silent 0.00. ``scenarios``: name -> activity code -> :class:`Pricing`.

    Returns two lists of plain rows (``pandas.DataFrame(rows)`` ready): the
    total per family under each scenario, and per QF band (lower bounds
    ``bands``; families without a QF in a band « sans QF »), with the number of
    families and the difference between the first two scenarios. For
    DataFrames, statistics and goal seeking, see :mod:`periscolaire.scenarios`.

    >>> grid = Pricing(BracketTariff(((Decimal(0), Decimal("1.00")), (Decimal(700), Decimal("2.00")))))
    >>> flat = Pricing(BracketTariff(((Decimal(0), Decimal("1.50")),)))
    >>> per_family, per_band = compare_tariffs(
    ...     [{"family": "A", "qf": Decimal(500), "days": {"RESTAURATION": 10}},
    ...      {"family": "B", "qf": None, "days": {"RESTAURATION": 10}}],
    ...     {"today": {"RESTAURATION": grid}, "flat": {"RESTAURATION": flat}})
    >>> per_family
    [{'family': 'A', 'qf': Decimal('500'), 'today': Decimal('10.00'), 'flat': Decimal('15.00')},
     {'family': 'B', 'qf': None, 'today': Decimal('20.00'), 'flat': Decimal('15.00')}]
    >>> [(row["band"], row["families"], row["flat - today"]) for row in per_band]
    [('400-700', 1, Decimal('5.00')), ('sans QF', 1, Decimal('-5.00'))]

    Flat rows with plain numbers, as ``DataFrame.to_dict("records")`` gives them:

    >>> compare_tariffs([{"family": "A", "qf": 500, "RESTAURATION": 10.0},
    ...                  {"family": "B", "qf": float("nan"), "RESTAURATION": 10.0}],
    ...                 {"today": {"RESTAURATION": grid}})[0]
    [{'family': 'A', 'qf': Decimal('500'), 'today': Decimal('10.00')},
     {'family': 'B', 'qf': None, 'today': Decimal('20.00')}]
    >>> compare_tariffs([{"family": "A", "qf": 500, "CANTINE": 10}], {"today": {"RESTAURATION": grid}})
    Traceback (most recent call last):
    ...
    periscolaire.tariff.ColumnError: Table de familles : colonne(s) inconnue(s) : 'CANTINE' ...
    """
    if not scenarios:
        raise TariffError("Au moins un scénario de tarifs est attendu.", code="no_scenario")
    names = list(scenarios)
    activities = {code for scenario in scenarios.values() for code in scenario}
    rows = normalize_families(families, activities)
    lows = sorted(_decimal(b, "bands") for b in bands)
    highs: list[Decimal | None] = [*lows[1:], None]
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        family = row["family"]
        qf = row["qf"]
        out = totals.setdefault(family, {"family": family, "qf": qf, **dict.fromkeys(names, ZERO)})
        for name in names:
            for code, count in row["days"].items():
                pricing = scenarios[name].get(code)
                if pricing is None:
                    raise TariffError(
                        f"Scénario {name!r} : pas de tarif pour {code!r}.", code="missing_tariff"
                    )
                if count:
                    day_price = pricing.price(qf, resident=row["resident"], rank=row["rank"])
                    out[name] += day_price * count
    per_family = list(totals.values())
    for row in per_family:
        for name in names:
            row[name] = row[name].quantize(CENT)
    bands_out: dict[str, dict[str, Any]] = {}
    order = [_band_label(low, high) for low, high in zip(lows, highs, strict=True)] + ["sans QF"]
    for row in per_family:
        label = _qf_band(row["qf"], lows, highs)
        band = bands_out.setdefault(label, {"band": label, "families": 0, **dict.fromkeys(names, ZERO)})
        band["families"] += 1
        for name in names:
            band[name] += row[name]
    per_band = [bands_out[label] for label in order if label in bands_out]
    if len(names) >= 2:
        first, second = names[0], names[1]
        for row in per_band:
            row[f"{second} - {first}"] = row[second] - row[first]
    return per_family, per_band


def _qf_band(qf: Decimal | None, lows: Sequence[Decimal], highs: Sequence[Decimal | None]) -> str:
    if qf is None:
        return "sans QF"
    index = max(bisect_right(lows, qf) - 1, 0)
    return _band_label(lows[index], highs[index])


def qf_points(pricings: Iterable[Pricing]) -> tuple[Decimal, ...]:
    """The QF values where some grid changes price (bracket lower bounds; for
    effort-rate tariffs, where the floor and the ceiling are reached)."""
    points = {Decimal(0)}
    for pricing in pricings:
        points.update(_tariff_points(pricing.tariff))
    return tuple(sorted(points))


def read_families_csv(
    text: str, *, delimiter: str | None = None, activities: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Rows for :func:`compare_tariffs` from CSV text: columns ``family`` (or
    ``famille``), ``qf`` (or ``QF``; empty: no QF), optional ``resident``
    (oui/non) and ``rank`` (or ``rang``; empty: the child's order in its
    family), then one column per activity code with the number of days booked.
    One line per child: the lines of one family share its QF and residence.

    ``activities``, when given, are the only activity columns accepted. A
    header that is neither is refused with the expected columns named;
    negative days or QF, an unknown resident value and a family with two QF
    are refused with their line.

    >>> rows = read_families_csv("famille;QF;rang;RESTAURATION\\nA;812,40;1;140\\nB;;2;70\\nB;;1;70\\n")
    >>> rows[1]
    {'family': 'B', 'qf': None, 'resident': True, 'rank': 2, 'days': {'RESTAURATION': 70}}
    >>> read_families_csv("nom;qf;RESTAURATION\\nA;500;140\\n", activities={"RESTAURATION"})
    Traceback (most recent call last):
    ...
    periscolaire.tariff.ColumnError: Table de familles : colonne(s) inconnue(s) : 'nom' ; ... : family (colonnes attendues : ...
    >>> read_families_csv("family;qf;RESTAURATION\\nA;500;-3\\n")
    Traceback (most recent call last):
    ...
    periscolaire.errors.TariffError: Ligne 2, RESTAURATION : au moins 0 est attendu, reçu -3.
    """
    import csv
    import io

    text = text.removeprefix("\ufeff")  # a spreadsheet's byte order mark
    if delimiter is None:
        first = text.splitlines()[0] if text else ""
        delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise ColumnError(
            f"Fichier de familles vide (colonnes attendues : {_EXPECTED}, puis une colonne de jours par activité).",
            missing=["family", "qf"],
        ) from None
    except csv.Error as exc:
        raise TariffError(f"Ligne 1 du fichier de familles illisible ({exc}).", code="bad_csv") from None
    _split_columns(header, activities)
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise TariffError(
                    f"Ligne {reader.line_num} : {len(cells)} cellules pour {len(header)} colonnes.",
                    code="bad_csv",
                )
            records.append(dict(zip(header, cells, strict=True)))
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise TariffError(
            f"Ligne {reader.line_num} du fichier de familles illisible ({exc}).", code="bad_csv"
        ) from None
    return normalize_families(records, activities, line=lambda i: f"Ligne {lines[i]}")
