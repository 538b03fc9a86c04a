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
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from typing import Any

import attrs

from periscolaire.errors import InvalidAmount, TariffError
from periscolaire.money import CENT, ZERO, money

__all__ = [
    "BracketTariff",
    "EffortRateTariff",
    "Pricing",
    "QuotientFamilial",
    "Tariff",
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
    for name, n in (("children", children), ("disabled_children", disabled_children)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise TariffError(f"{name} : un entier positif ou nul est attendu, reçu {n!r}.", code="bad_parts")
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


@attrs.frozen
class EffortRateTariff:
    """A price proportional to the QF (« taux d'effort »): QF x rate, clamped
    between a floor and a ceiling, to the cent. No QF pays the ceiling.

    >>> t = EffortRateTariff(rate=Decimal("0.004"), floor=Decimal("0.80"), ceiling=Decimal("4.50"))
    >>> t.price(Decimal("100")), t.price(Decimal("812.40")), t.price(Decimal("5000")), t.price(None)
    (Decimal('0.80'), Decimal('3.25'), Decimal('4.50'), Decimal('4.50'))
    """

    rate: Decimal = attrs.field(converter=_rate)
    floor: Decimal = attrs.field(converter=_floor_price)
    ceiling: Decimal = attrs.field(converter=_ceiling_price)
    cost_price: Decimal | None = attrs.field(default=None, converter=_optional_price, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.rate < 0:
            raise TariffError(f"Taux d'effort négatif : {self.rate}.", code="negative_rate")
        if self.floor > self.ceiling:
            raise TariffError(
                f"Le prix plancher ({self.floor}) dépasse le plafond ({self.ceiling}).",
                code="floor_above_ceiling",
            )
        _check_cost(self.ceiling, self.cost_price)

    @property
    def highest(self) -> Decimal:
        return self.ceiling

    def price(self, qf: Decimal | None) -> Decimal:
        if qf is None:
            return self.ceiling
        _check_qf(qf)
        raw = (qf * self.rate).quantize(CENT, rounding=ROUND_HALF_EVEN)
        return min(max(raw, self.floor), self.ceiling)


def _check_cost(highest: Decimal, cost_price: Decimal | None) -> None:
    if cost_price is not None and highest > cost_price:
        raise TariffError(
            f"Le tarif le plus élevé ({highest} €) dépasse le coût du service ({cost_price} €).",
            code="above_cost_price",
        )


Tariff = BracketTariff | EffortRateTariff


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


def _optional_money(value: Any) -> Decimal | None:
    return None if value is None else _price(value, "price")


@attrs.frozen
class Pricing:
    """An activity's tariff with the modifiers communes use.

    * ``non_resident``: the price for families living outside the commune
      (default: the grid's highest price);
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
    non_resident: Decimal | None = attrs.field(default=None, converter=_optional_money)
    sibling_reduction: Decimal = attrs.field(default=ZERO, converter=_fraction)
    sibling_rank: int = 3
    late_surcharge: Decimal = attrs.field(default=ZERO, converter=_surcharge)
    unbooked_presence: Decimal | None = attrs.field(default=None, converter=_optional_money)

    def __attrs_post_init__(self) -> None:
        if (
            isinstance(self.sibling_rank, bool)
            or not isinstance(self.sibling_rank, int)
            or self.sibling_rank < 1
        ):
            raise TariffError(f"Rang d'enfant invalide : {self.sibling_rank!r}.", code="bad_rank")
        if self.non_resident is not None:
            _check_cost(self.non_resident, self.tariff.cost_price)

    def price(
        self,
        qf: Decimal | None,
        *,
        resident: bool = True,
        rank: int = 1,
        usage: Usage = Usage.BOOKED,
    ) -> Decimal:
        """The price of one day. ``qf`` is the QF in force that day (``None``:
        none, the highest price); ``rank`` is the child's rank in its family
        (1 for the eldest); ``usage`` a :class:`Usage` or its value."""
        try:
            usage = Usage(usage)
        except ValueError:
            allowed = ", ".join(u.value for u in Usage)
            raise TariffError(f"Usage inconnu : {usage!r} ({allowed}).", code="unknown_usage") from None
        if not isinstance(resident, bool):
            raise TariffError(
                f"resident : true ou false est attendu, reçu {resident!r}.", code="bad_resident"
            )
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
            raise TariffError(f"Rang d'enfant invalide : {rank!r} (1 pour l'aîné).", code="bad_rank")
        if usage == Usage.JUSTIFIED_ABSENCE:
            return ZERO
        if usage == Usage.UNBOOKED_PRESENCE:
            return self.unbooked_presence if self.unbooked_presence is not None else self.tariff.highest
        if not resident:
            base = self.non_resident if self.non_resident is not None else self.tariff.highest
        else:
            base = self.tariff.price(qf)
        if rank >= self.sibling_rank and self.sibling_reduction:
            base = (base * (1 - self.sibling_reduction)).quantize(CENT, rounding=ROUND_HALF_EVEN)
        if usage == Usage.LATE_BOOKING:
            base += self.late_surcharge
        return base


# --------------------------------------------------------------------------
# Scenarios for notebooks
# --------------------------------------------------------------------------


def _band_label(low: Decimal, high: Decimal | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


def compare_tariffs(
    families: Iterable[Mapping[str, Any]],
    scenarios: Mapping[str, Mapping[str, Pricing]],
    *,
    bands: Sequence[Decimal | int] = (0, 400, 700, 1000, 1500),
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Price a table of children under one or several tariff scenarios.

    ``families``: rows with ``family`` (an id), ``qf`` (Decimal or None),
    ``resident`` (bool, default True), ``rank`` (int, default 1) and ``days``
    (a mapping activity code -> days booked). ``scenarios``: name -> activity
    code -> :class:`Pricing`.

    Returns two lists of plain rows (``pandas.DataFrame(rows)`` ready): the
    total per family under each scenario, and per QF band (lower bounds
    ``bands``; families without a QF in a band « sans QF »), with the number of
    families and the difference between the first two scenarios.

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
    """
    if not scenarios:
        raise TariffError("Au moins un scénario de tarifs est attendu.", code="no_scenario")
    names = list(scenarios)
    lows = sorted(_decimal(b, "bands") for b in bands)
    highs: list[Decimal | None] = [*lows[1:], None]
    totals: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(families):
        family = str(row.get("family", i))
        qf = row.get("qf")
        days: Mapping[str, int] = row.get("days", {})
        out = totals.setdefault(family, {"family": family, "qf": qf, **dict.fromkeys(names, ZERO)})
        for name in names:
            for code, count in days.items():
                pricing = scenarios[name].get(code)
                if pricing is None:
                    raise TariffError(
                        f"Scénario {name!r} : pas de tarif pour {code!r}.", code="missing_tariff"
                    )
                day_price = pricing.price(qf, resident=row.get("resident", True), rank=row.get("rank", 1))
                out[name] += day_price * count
    per_family = list(totals.values())
    bands_out: dict[str, dict[str, Any]] = {}
    order = [_band_label(low, high) for low, high in zip(lows, highs, strict=True)] + ["sans QF"]
    for row in per_family:
        qf = row["qf"]
        if qf is None:
            label = "sans QF"
        else:
            index = bisect_right(lows, qf) - 1
            label = _band_label(lows[max(index, 0)], highs[max(index, 0)])
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


def qf_points(pricings: Iterable[Pricing]) -> tuple[Decimal, ...]:
    """The QF values where some grid changes price (bracket lower bounds; for
    effort-rate tariffs, where the floor and the ceiling are reached)."""
    points = {Decimal(0)}
    for pricing in pricings:
        tariff = pricing.tariff
        if isinstance(tariff, BracketTariff):
            points.update(low for low, _ in tariff.brackets)
        elif tariff.rate:
            points.update(
                (bound / tariff.rate).quantize(Decimal(1))
                for bound in (tariff.floor, tariff.ceiling)
                if bound
            )
    return tuple(sorted(points))


def _bool_cell(text: str) -> bool:
    return text.strip().lower() not in ("0", "non", "no", "false", "faux")


def read_families_csv(text: str, *, delimiter: str | None = None) -> list[dict[str, Any]]:
    """Rows for :func:`compare_tariffs` from CSV text: columns ``family``,
    ``qf`` (empty: no QF), optional ``resident`` (oui/non) and ``rank``, then
    one column per activity code with the number of days booked.

    >>> rows = read_families_csv("family;qf;rank;RESTAURATION\\nA;812.40;1;140\\nB;;2;70\\n")
    >>> rows[1]
    {'family': 'B', 'qf': None, 'resident': True, 'rank': 2, 'days': {'RESTAURATION': 70}}
    """
    import csv
    import io

    if delimiter is None:
        first = text.splitlines()[0] if text else ""
        delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for line, row in enumerate(reader, start=2):
        try:
            qf_text = (row.pop("qf", "") or "").strip().replace(",", ".")
            family = (row.pop("family", "") or f"ligne {line}").strip()
            resident = _bool_cell(row.pop("resident", "") or "oui")
            rank = int((row.pop("rank", "") or "1").strip())
            days = {code.strip(): int(value.strip() or 0) for code, value in row.items() if code}
            rows.append(
                {
                    "family": family,
                    "qf": _decimal(Decimal(qf_text), "qf") if qf_text else None,
                    "resident": resident,
                    "rank": rank,
                    "days": days,
                }
            )
        except (ArithmeticError, ValueError, AttributeError) as exc:
            if isinstance(exc, TariffError):
                raise
            raise TariffError(
                f"Ligne {line} du fichier de familles illisible ({exc}).", code="bad_csv"
            ) from None
    return rows
