"""Tariff scenarios for notebooks: DataFrames in, DataFrames out, and goal seeking.

Optional: ``pip install 'periscolaire[pandas]'`` (pandas and numpy). Only the
functions that need them import them, when called: ``import periscolaire``
and the example data (:func:`example_csv`, :func:`example_commune`) work
without.

A table of families is a pandas ``DataFrame`` or records (a list of dicts, as
``DataFrame.to_dict("records")`` gives), one row per child, with flat columns:
``family`` (or ``famille``), ``qf`` (or ``QF``: int, float, str, Decimal; NaN,
None or empty for « sans QF »), optional ``resident`` and ``rank``, and one
column of days per activity code. Numbers are converted exactly (a float QF
through its shortest repr: ``812.4`` is ``Decimal('812.4')``); an unknown or
missing column is a :class:`~periscolaire.tariff.ColumnError` naming it.

Prices are computed in integer cents with numpy, the same cents as
:meth:`Pricing.price <periscolaire.tariff.Pricing.price>` day by day (banker's
rounding of effort rates and sibling reductions included), and come back as
``Decimal`` (``prices="decimal"``, the default) or ``float``
(``prices="float"``).

>>> from periscolaire import scenarios as sc
>>> sorted(sc.EXAMPLES)
['cestas-tarifs-2025', 'familles']
>>> sc.example_csv("familles").splitlines()[0]
'family;qf;resident;rank;ACCUEIL_MATIN;ACCUEIL_SOIR;RESTAURATION;MERCREDI;VACANCES'
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Literal

import attrs

from periscolaire.errors import MissingExtra, TariffError
from periscolaire.money import CENT, money
from periscolaire.tariff import (
    BracketTariff,
    ColumnError,
    EffortRateBracketTariff,
    EffortRateTariff,
    Pricing,
    Tariff,
    compare_tariffs,
    normalize_families,
    qf_points,
    read_families_csv,
)

if TYPE_CHECKING:
    from periscolaire.commune import Commune

__all__ = [
    "EXAMPLES",
    "ColumnError",
    "Comparison",
    "GoalSeek",
    "MaxIncrease",
    "MaxTotal",
    "Population",
    "SameRevenue",
    "compare",
    "compare_tariffs",
    "example_commune",
    "example_csv",
    "goal_seek",
    "load_families",
    "price_grid",
]

Prices = Literal["decimal", "float"]
#: Default QF bands when no bracket grid gives them.
DEFAULT_BANDS = (0, 400, 700, 1000, 1500)
NO_QF = "sans QF"
#: Example data shipped inside the package (``periscolaire/data/examples``).
EXAMPLES = {"familles": "familles.csv", "cestas-tarifs-2025": "cestas-tarifs-2025.toml"}
_PIP = "pip install 'periscolaire[pandas]'"
#: QF decimals the integer path handles (beyond, an exact per-QF Decimal path).
_MAX_SCALE = 6


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise MissingExtra(f"numpy n'est pas installé : {_PIP}.") from None
    return numpy


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise MissingExtra(f"pandas n'est pas installé : {_PIP}.") from None
    return pandas


# --------------------------------------------------------------------------
# Example data
# --------------------------------------------------------------------------


def _example_text(name: str) -> str:
    from importlib.resources import files

    if name not in EXAMPLES:
        raise TariffError(
            f"Exemple inconnu : {name!r} (exemples livrés : {', '.join(sorted(EXAMPLES))}).",
            code="unknown_example",
        )
    return files("periscolaire").joinpath("data", "examples", EXAMPLES[name]).read_text(encoding="utf-8")


def example_csv(name: str = "familles") -> str:
    """The CSV text of a table of families shipped with the library (``"familles"``)."""
    if not EXAMPLES.get(name, "").endswith(".csv"):
        raise TariffError(
            f"Exemple de familles inconnu : {name!r} (exemples : "
            f"{', '.join(n for n, f in EXAMPLES.items() if f.endswith('.csv'))}).",
            code="unknown_example",
        )
    return _example_text(name)


def example_commune(name: str = "cestas-tarifs-2025") -> Commune:
    """A commune configuration with new tariffs shipped with the library.

    >>> example_commune().activity("RESTAURATION").tariff.tariff.rate
    Decimal('0.0030')
    """
    from periscolaire.commune import Commune

    if not EXAMPLES.get(name, "").endswith(".toml"):
        raise TariffError(
            f"Exemple de configuration inconnu : {name!r} (exemples : "
            f"{', '.join(n for n, f in EXAMPLES.items() if f.endswith('.toml'))}).",
            code="unknown_example",
        )
    return Commune.from_toml(_example_text(name))


def load_families(source: Any = "familles", activities: Iterable[str] | None = None) -> Any:
    """A flat DataFrame of children (``family``, ``qf`` as Decimal or None,
    ``resident``, ``rank``, one column of days per activity) from an example
    name, CSV text, a DataFrame or records, checked as
    :func:`~periscolaire.tariff.normalize_families` does.

    >>> df = load_families("familles")
    >>> df.loc[df.family == "DUPONT", ["family", "qf", "rank", "RESTAURATION"]].to_string(index=False)
    'family     qf  rank  RESTAURATION\\nDUPONT 847.40     1           140\\nDUPONT 847.40     2           140'
    """
    pd = _pandas()
    codes = None if activities is None else set(activities)
    if isinstance(source, str):
        text = example_csv(source) if source in EXAMPLES else source
        if "\n" not in text:
            raise TariffError(
                f"Ni un exemple ({', '.join(sorted(EXAMPLES))}) ni un texte CSV : {source!r}.",
                code="unknown_example",
            )
        rows = read_families_csv(text, activities=codes)
    else:
        rows = normalize_families(source, codes)
    all_codes = list(dict.fromkeys(code for row in rows for code in row["days"]))
    flat = [
        {
            "family": row["family"],
            "qf": row["qf"],
            "resident": row["resident"],
            "rank": row["rank"],
            **{code: row["days"].get(code, 0) for code in all_codes},
        }
        for row in rows
    ]
    return pd.DataFrame(flat, columns=["family", "qf", "resident", "rank", *all_codes])


# --------------------------------------------------------------------------
# A population priced with numpy
# --------------------------------------------------------------------------


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def _cents(value: Decimal) -> int:
    return int(value.scaleb(2).to_integral_value())


def _half_even_div(np: Any, numerator: Any, power: int) -> Any:
    """``numerator / 10**power`` rounded half to even (numerator >= 0)."""
    if power <= 0:
        return numerator * 10 ** (-power)
    divisor = 10**power
    quotient, remainder = np.divmod(numerator, divisor)
    up = (2 * remainder > divisor) | ((2 * remainder == divisor) & (quotient % 2 == 1))
    return quotient + up


@dataclass(frozen=True, eq=False)
class Population:
    """Children of families, as numpy arrays, ready to be priced many times.

    Build it with :meth:`from_families` (a DataFrame or records). ``qf`` is
    per family (``None``: no QF), the other arrays per child.
    """

    families: tuple[str, ...]
    qf: tuple[Decimal | None, ...]
    child_family: Any  # int64 per child: index in ``families``
    resident: Any  # bool per child
    rank: Any  # int64 per child
    days: Mapping[str, Any]  # activity -> int64 days per child
    _scale: int = field(repr=False)
    _qf_units: Any = field(repr=False)  # int64 per family: QF x 10**scale (0 without QF)
    _has_qf: Any = field(repr=False)  # bool per family
    _qf_codes: Any = field(repr=False)  # int64 per family: index in _qf_values
    _qf_values: tuple[Decimal | None, ...] = field(repr=False)

    @classmethod
    def from_families(cls, families: Any, activities: Iterable[str] | None = None) -> Population:
        """Check and convert a table of families (see the module's docstring):
        a DataFrame with flat columns is checked column by column with numpy
        (each distinct value converted once), records row by row."""
        codes = None if activities is None else set(activities)
        if hasattr(families, "columns") and hasattr(families, "to_dict"):
            population = _from_frame(cls, families, codes)
            if population is not None:
                return population
        return cls.from_rows(normalize_families(families, codes), codes)

    @classmethod
    def from_rows(
        cls, rows: Sequence[Mapping[str, Any]], activities: Iterable[str] | None = None
    ) -> Population:
        """From rows already normalised (:func:`~periscolaire.tariff.normalize_families`)."""
        np = _numpy()
        index: dict[str, int] = {}
        qfs: list[Decimal | None] = []
        child_family = np.empty(len(rows), dtype=np.int64)
        for i, row in enumerate(rows):
            position = index.setdefault(row["family"], len(index))
            if position == len(qfs):
                qfs.append(row["qf"])
            child_family[i] = position
        codes = list(dict.fromkeys(c for row in rows for c in row["days"]))
        codes += sorted(set(activities or ()) - set(codes))
        days = {
            code: np.fromiter((row["days"].get(code, 0) for row in rows), dtype=np.int64, count=len(rows))
            for code in codes
        }
        return cls._assemble(
            tuple(index),
            qfs,
            child_family,
            np.fromiter((bool(r["resident"]) for r in rows), dtype=bool, count=len(rows)),
            np.fromiter((int(r["rank"]) for r in rows), dtype=np.int64, count=len(rows)),
            days,
        )

    @classmethod
    def _assemble(
        cls,
        families: tuple[str, ...],
        qfs: Sequence[Decimal | None],
        child_family: Any,
        resident: Any,
        rank: Any,
        days: Mapping[str, Any],
    ) -> Population:
        np = _numpy()
        known = [q for q in qfs if q is not None]
        scale = max((_decimals(q) for q in known), default=0)
        has_qf = np.array([q is not None for q in qfs], dtype=bool)
        if scale <= _MAX_SCALE and all(q < 10**12 for q in known):
            units = np.array([int(q.scaleb(scale)) if q is not None else 0 for q in qfs], dtype=np.int64)
        else:
            units = None  # exotic QFs (many decimals): priced per QF with Decimals
        values = tuple(dict.fromkeys(qfs))
        value_index = {q: i for i, q in enumerate(values)}
        return cls(
            families=families,
            qf=tuple(qfs),
            child_family=child_family,
            resident=resident,
            rank=rank,
            days=days,
            _scale=scale,
            _qf_units=units,
            _has_qf=has_qf,
            _qf_codes=np.array([value_index[q] for q in qfs], dtype=np.int64),
            _qf_values=values,
        )

    def __len__(self) -> int:
        return len(self.families)

    @property
    def children(self) -> int:
        return int(self.child_family.shape[0])

    @property
    def family_days(self) -> int:
        """Days booked, all activities and children together."""
        return int(sum(int(d.sum()) for d in self.days.values()))

    # -- prices ------------------------------------------------------------

    def _effort_cents(self, tariff: EffortRateTariff, units: Any, scale: int) -> Any:
        """QF x rate held between floor and ceiling, to the cent (banker's
        rounding), plus the adjustment, never below zero; None when int64
        would not hold the product."""
        np = _numpy()
        rate_decimals = _decimals(tariff.rate)
        rate = int(tariff.rate.scaleb(rate_decimals))
        if rate and int(units.max(initial=0)) * rate >= 2**62:
            return None
        raw = _half_even_div(np, units * rate, scale + rate_decimals - 2)
        held = np.clip(raw, _cents(tariff.floor), _cents(tariff.ceiling))
        adjustment = _cents(getattr(tariff, "adjustment", Decimal(0)))
        return np.maximum(held + adjustment, 0) if adjustment else held

    def _tariff_cents(self, tariff: Tariff) -> Any:
        """The grid's price per family, in cents (int64), for the grids priced
        by the QF alone (brackets, effort rates); None for the others."""
        np = _numpy()
        if self._qf_units is None:
            return None
        units, scale = self._qf_units, self._scale
        if isinstance(tariff, BracketTariff | EffortRateBracketTariff):
            lows = [low for low, _ in tariff.brackets]
            need = max(scale, *(_decimals(low) for low in lows))
            if need > _MAX_SCALE + 3:
                return None
            units = units * 10 ** (need - scale)
            bounds = np.array([int(low.scaleb(need)) for low in lows], dtype=np.int64)
            which = np.searchsorted(bounds, units, side="right") - 1
            if isinstance(tariff, BracketTariff):
                out = np.array([_cents(price) for _, price in tariff.brackets], dtype=np.int64)[which]
            else:
                out = np.zeros(len(units), dtype=np.int64)
                for i, (_, effort) in enumerate(tariff.brackets):
                    cents = self._effort_cents(effort, units, need)
                    if cents is None:
                        return None
                    out = np.where(which == i, cents, out)
        elif isinstance(tariff, EffortRateTariff):
            out = self._effort_cents(tariff, units, scale)
            if out is None:
                return None
        else:
            return None
        return np.where(self._has_qf, out, _cents(tariff.highest)).astype(np.int64)

    def _pricing_cents(self, pricing: Pricing) -> Any:
        """Any grid: ``Pricing.price`` once per distinct (QF, residence, rank
        that matters), spread with numpy."""
        np = _numpy()
        cap = pricing.sibling_rank if pricing.sibling_reduction else 1
        ranks = np.minimum(self.rank, cap) - 1
        qf_code = self._qf_codes[self.child_family]
        keys = (qf_code * 2 + self.resident.astype(np.int64)) * cap + ranks
        unique, inverse = np.unique(keys, return_inverse=True)
        prices = np.empty(len(unique), dtype=np.int64)
        for i, key in enumerate(unique.tolist()):
            rest, rank = divmod(key, cap)
            code, resident = divmod(rest, 2)
            prices[i] = _cents(pricing.price(self._qf_values[code], resident=bool(resident), rank=rank + 1))
        return prices[inverse.reshape(-1)]

    def price_cents(self, pricing: Pricing) -> Any:
        """The price of one booked day per child, in cents (int64): exactly
        ``pricing.price(qf, resident=..., rank=...)``."""
        np = _numpy()
        grid = self._tariff_cents(pricing.tariff)
        if grid is None:
            return self._pricing_cents(pricing)
        base = grid[self.child_family]
        non_resident = pricing.non_resident if pricing.non_resident is not None else pricing.tariff.highest
        base = np.where(self.resident, base, _cents(non_resident))
        if pricing.sibling_reduction:
            keep = 1 - pricing.sibling_reduction
            decimals = _decimals(keep)
            reduced = _half_even_div(np, base * int(keep.scaleb(decimals)), decimals)
            base = np.where(self.rank >= pricing.sibling_rank, reduced, base)
        return base.astype(np.int64)

    def activity_cents(self, code: str, pricing: Pricing) -> Any:
        """What each family pays for one activity, in cents (int64 per family)."""
        np = _numpy()
        days = self.days.get(code)
        if days is None or not days.any():
            return np.zeros(len(self.families), dtype=np.int64)
        per_child = self.price_cents(pricing) * days
        return (
            np.bincount(self.child_family, weights=per_child, minlength=len(self.families))
            .round()
            .astype(np.int64)
        )

    def scenario_cents(self, scenario: Mapping[str, Pricing], name: str = "") -> dict[str, Any]:
        """Activity -> what each family pays, in cents, under a scenario."""
        out = {}
        for code, days in self.days.items():
            if not days.any():
                continue
            pricing = scenario.get(code)
            if pricing is None:
                raise TariffError(f"Scénario {name!r} : pas de tarif pour {code!r}.", code="missing_tariff")
            out[code] = self.activity_cents(code, pricing)
        return out

    def totals(self, scenario: Mapping[str, Pricing]) -> Any:
        """What each family pays under a scenario, all activities, in cents."""
        np = _numpy()
        total = np.zeros(len(self.families), dtype=np.int64)
        for cents in self.scenario_cents(scenario).values():
            total += cents
        return total

    def bands(self, lows: Sequence[Decimal]) -> tuple[list[str], Any]:
        """Band labels (the last one « sans QF ») and each family's band index."""
        np = _numpy()
        from periscolaire.tariff import _band_label

        highs: list[Decimal | None] = [*lows[1:], None]
        labels = [_band_label(low, high) for low, high in zip(lows, highs, strict=True)] + [NO_QF]
        if self._qf_units is not None and all(_decimals(low) <= self._scale for low in lows):
            bounds = np.array([int(low.scaleb(self._scale)) for low in lows], dtype=np.int64)
            index = np.maximum(np.searchsorted(bounds, self._qf_units, side="right") - 1, 0)
        else:
            from bisect import bisect_right

            index = np.array(
                [max(bisect_right(lows, q) - 1, 0) if q is not None else 0 for q in self.qf], dtype=np.int64
            )
        return labels, np.where(self._has_qf, index, len(lows))


def _line(i: int) -> str:
    return f"Ligne {i + 1}"


def _by_value(np: Any, pd: Any, column: Any, convert: Any) -> tuple[list[Any], Any]:
    """Each distinct value of a column converted once: (converted values,
    index of each row's value). ``convert(value, row)`` names the row."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    codes = np.asarray(codes, dtype=np.int64)
    _, first = np.unique(codes, return_index=True)
    return [convert(value, int(row)) for value, row in zip(uniques, first, strict=True)], codes


def _same_in_family(np: Any, child_family: Any, keys: Any, what: str, families: Sequence[str]) -> None:
    """Every child of a family has its family's value (``keys``: a code per child)."""
    _, first = np.unique(child_family, return_index=True)
    bad = np.flatnonzero(keys != keys[first][child_family])
    if len(bad):
        i = int(bad[0])
        raise TariffError(
            f"{_line(i)} : la famille {families[child_family[i]]!r} a deux valeurs de {what} ; "
            "les enfants d'une famille partagent son QF et sa résidence.",
            code="inconsistent_family",
        )


def _from_frame(cls: type[Population], frame: Any, codes: set[str] | None) -> Population | None:
    """A Population from a flat DataFrame, checked with numpy; None when the
    row-by-row path is needed (a ``days`` column, ranks partly given)."""
    from periscolaire.tariff import (
        _cell_count,
        _cell_qf,
        _cell_resident,
        _is_missing,
        _plain,
        _split_columns,
    )

    np, pd = _numpy(), _pandas()
    known, activity_columns = _split_columns(list(frame.columns), codes)
    by = {canonical: original for original, canonical in known.items()}
    if "days" in by or frame.columns.duplicated().any():
        return None

    def family_id(value: Any, row: int) -> str:
        value = _plain(value)
        if _is_missing(value):
            raise TariffError(f"{_line(row)} : famille sans identifiant.", code="missing_family")
        return str(value).strip()

    ids, id_codes = _by_value(np, pd, frame[by["family"]], family_id)
    child_family, families = pd.factorize(np.asarray(ids, dtype=object)[id_codes])
    child_family = np.asarray(child_family, dtype=np.int64)
    families = tuple(str(f) for f in families)
    qfs, qf_codes = _by_value(np, pd, frame[by["qf"]], lambda v, i: _cell_qf(v, f"{_line(i)}, qf"))
    canonical = {q: i for i, q in reversed(list(enumerate(qfs)))}  # equal QFs, one code
    qf_keys = np.array([canonical[q] for q in qfs], dtype=np.int64)[qf_codes]
    _same_in_family(np, child_family, qf_keys, "QF", families)
    _, first = np.unique(child_family, return_index=True)
    family_qfs = [qfs[int(c)] for c in qf_codes[first]]
    if "resident" in by:
        flags, flag_codes = _by_value(
            np, pd, frame[by["resident"]], lambda v, i: _cell_resident(v, f"{_line(i)}, resident")
        )
        resident = np.array(flags, dtype=bool)[flag_codes]
        _same_in_family(np, child_family, resident, "résidence", families)
    else:
        resident = np.ones(len(frame), dtype=bool)
    if "rank" in by:
        ranks, rank_codes = _by_value(
            np,
            pd,
            frame[by["rank"]],
            lambda v, i: None if _is_missing(v) else _cell_count(v, f"{_line(i)}, rank", minimum=1),
        )
        if any(r is None for r in ranks):
            return None
        rank = np.array(ranks, dtype=np.int64)[rank_codes]
        pairs = child_family * (int(rank.max(initial=1)) + 1) + rank
        values, counts = np.unique(pairs, return_counts=True)
        if (counts > 1).any():
            repeated = values[counts > 1][0]
            i = int(np.flatnonzero(pairs == repeated)[1])
            raise TariffError(
                f"{_line(i)} : deux enfants de la famille {families[child_family[i]]!r} ont le rang {rank[i]}.",
                code="inconsistent_family",
            )
    else:
        rank = pd.Series(child_family).groupby(child_family).cumcount().to_numpy(dtype=np.int64) + 1
    days = {}
    for column in activity_columns:
        code = str(column).strip()
        values, value_codes = _by_value(
            np,
            pd,
            frame[column],
            lambda v, i, c=code: 0 if _is_missing(v) else _cell_count(v, f"{_line(i)}, {c}"),
        )
        days[code] = np.array(values, dtype=np.int64)[value_codes]
    for code in sorted(set(codes or ()) - set(days)):
        days[code] = np.zeros(len(frame), dtype=np.int64)
    return cls._assemble(families, family_qfs, child_family, resident, rank, days)


# --------------------------------------------------------------------------
# Comparing scenarios
# --------------------------------------------------------------------------


def _money(cents: Any, prices: Prices) -> Any:
    """Integer cents as Decimal euros or float euros."""
    if prices == "float":
        return float(cents) / 100
    return Decimal(int(cents)).scaleb(-2)


def _stat(values: Any, how: str, prices: Prices) -> Any:
    if not len(values):
        return None if prices == "decimal" else float("nan")
    if how == "mean":
        mean = Decimal(int(values.sum())) / len(values)
        return _money(mean.quantize(Decimal(1), rounding=ROUND_HALF_EVEN), prices)
    if how == "median":
        median = statistics.median(int(v) for v in values)
        return Decimal(median).scaleb(-2) if prices == "decimal" else float(median) / 100
    return _money(values.min() if how == "min" else values.max(), prices)


def _change_stats(change: Any, prices: Prices) -> dict[str, Any]:
    return {
        "change": _money(change.sum(), prices),
        "mean_change": _stat(change, "mean", prices),
        "median_change": _stat(change, "median", prices),
        "min_change": _stat(change, "min", prices),
        "max_change": _stat(change, "max", prices),
        "paying_more": int((change > 0).sum()),
    }


def _check_prices(prices: Any) -> Prices:
    if prices not in ("decimal", "float"):
        raise TariffError(f"prices : 'decimal' ou 'float' est attendu, reçu {prices!r}.", code="bad_prices")
    return prices  # type: ignore[no-any-return]


def _default_bands(scenario: Mapping[str, Pricing]) -> tuple[Decimal, ...]:
    lows = {
        low for p in scenario.values() if isinstance(p.tariff, BracketTariff) for low, _ in p.tariff.brackets
    }
    return tuple(sorted(lows)) if len(lows) > 1 else tuple(Decimal(b) for b in DEFAULT_BANDS)


def _lows(bands: Iterable[Any] | None, scenario: Mapping[str, Pricing]) -> tuple[Decimal, ...]:
    if bands is None:
        return _default_bands(scenario)
    from periscolaire.tariff import _cell_number

    lows = sorted({_cell_number(b, "bands") for b in bands} | {Decimal(0)})
    if lows[0] < 0:
        raise TariffError(f"bands : une borne négative ({lows[0]}).", code="bad_bands")
    return tuple(lows)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Families priced under several scenarios; the tables are DataFrames.

    ``baseline`` and ``target`` name the two scenarios the changes compare
    (by default the first and the last). Money columns hold Decimal or float
    (``prices``).
    """

    population: Population
    scenarios: Mapping[str, Mapping[str, Pricing]]
    cents: Mapping[str, Mapping[str, Any]]  # scenario -> activity -> cents per family
    lows: tuple[Decimal, ...]
    baseline: str
    target: str
    prices: Prices = "decimal"

    def total_cents(self, name: str) -> Any:
        np = _numpy()
        total = np.zeros(len(self.population), dtype=np.int64)
        for cents in self.cents[name].values():
            total += cents
        return total

    def revenue(self, name: str | None = None) -> Decimal:
        """Total revenue of a scenario (default: the target), in euros."""
        return Decimal(int(self.total_cents(name or self.target).sum())).scaleb(-2)

    def _band_index(self) -> tuple[list[str], Any]:
        return self.population.bands(self.lows)

    @property
    def per_family(self) -> Any:
        """One row per family: its QF, its band (an ordered category), its total
        under each scenario, the change (target - baseline) and ``pays_more``."""
        pd = _pandas()
        labels, index = self._band_index()
        totals = {name: self.total_cents(name) for name in self.scenarios}
        change = totals[self.target] - totals[self.baseline]
        qf = [
            q if self.prices == "decimal" else (float(q) if q is not None else float("nan"))
            for q in self.population.qf
        ]
        data: dict[str, Any] = {
            "qf": qf,
            "band": pd.Categorical.from_codes(index, categories=labels, ordered=True),
        }
        for name, cents in totals.items():
            data[name] = [_money(c, self.prices) for c in cents] if self.prices == "decimal" else cents / 100
        data["change"] = (
            [_money(c, self.prices) for c in change] if self.prices == "decimal" else change / 100
        )
        data["pays_more"] = change > 0
        return pd.DataFrame(data, index=pd.Index(self.population.families, name="family"))

    def _grouped(self, keys: Any, labels: Sequence[str], name: str, mask_for: Any = None) -> Any:
        pd = _pandas()
        totals = {n: self.total_cents(n) for n in self.scenarios}
        change = totals[self.target] - totals[self.baseline]
        rows = []
        for i, label in enumerate(labels):
            mask = keys == i
            if not mask.any():
                continue
            row: dict[str, Any] = {name: label, "families": int(mask.sum())}
            for n, cents in totals.items():
                row[n] = _money(cents[mask].sum(), self.prices)
            row.update(_change_stats(change[mask], self.prices))
            rows.append(row)
        frame = pd.DataFrame(rows)
        if not rows:
            frame = pd.DataFrame(columns=[name, "families", *totals, *_change_stats(change[:0], self.prices)])
        frame[name] = pd.Categorical(frame[name], categories=list(labels), ordered=True)
        return frame.set_index(name)

    @property
    def per_band(self) -> Any:
        """One row per QF band (ordered, « sans QF » last): families, revenue
        under each scenario, change (total, mean, median, min, max) and the
        number of families paying more."""
        labels, index = self._band_index()
        return self._grouped(index, labels, "band")

    @property
    def per_activity(self) -> Any:
        """One row per activity: families using it, revenue under each
        scenario, change statistics over those families, families paying more
        for it."""
        pd = _pandas()
        np = _numpy()
        rows = []
        zero = np.zeros(len(self.population), dtype=np.int64)
        for code, days in self.population.days.items():
            users = (
                np.bincount(self.population.child_family, weights=days, minlength=len(self.population)) > 0
            )
            if not users.any():
                continue
            row: dict[str, Any] = {"activity": code, "families": int(users.sum())}
            for n in self.scenarios:
                row[n] = _money(self.cents[n].get(code, zero).sum(), self.prices)
            change = self.cents[self.target].get(code, zero) - self.cents[self.baseline].get(code, zero)
            row.update(_change_stats(change[users], self.prices))
            rows.append(row)
        return pd.DataFrame(rows).set_index("activity")

    def summary(self) -> str:
        """A French sentence: revenues and families paying more."""
        before, after = self.revenue(self.baseline), self.revenue(self.target)
        change = self.total_cents(self.target) - self.total_cents(self.baseline)
        return (
            f"{self.baseline} : {before} € ; {self.target} : {after} € ({after - before:+} €) ; "
            f"{int((change > 0).sum())} famille(s) sur {len(self.population)} paient plus."
        )


def compare(
    families: Any,
    scenarios: Mapping[str, Mapping[str, Pricing]] | Mapping[str, Any],
    *,
    bands: Iterable[Any] | None = None,
    baseline: str | None = None,
    target: str | None = None,
    prices: Prices = "decimal",
) -> Comparison:
    """Price a table of families (DataFrame, records or a :class:`Population`)
    under several scenarios (name -> activity -> :class:`Pricing`, or name ->
    :class:`~periscolaire.commune.Commune`).

    ``bands``: QF lower bounds (default: the bracket bounds of the baseline's
    grids). Read the result's :attr:`~Comparison.per_family`,
    :attr:`~Comparison.per_band` and :attr:`~Comparison.per_activity`.

    >>> import periscolaire as ps
    >>> c = compare(load_families("familles"),
    ...             {"2024": ps.load_commune(), "2025": example_commune()}, bands=[0, 400, 700, 1000, 1500])
    >>> c.per_band[["families", "2024", "2025", "change", "paying_more"]]
               families     2024     2025   change  paying_more
    band
    0-400             2   932.20   877.60   -54.60            0
    400-700           2  1596.90  1525.50   -71.40            0
    700-1000          2  2603.60  2483.20  -120.40            0
    1000-1500         1   571.20   490.00   -81.20            0
    1500+             1  1726.00  1726.00     0.00            0
    sans QF           1  1040.00  1040.00     0.00            0
    >>> c.per_family.loc["DUPONT", ["qf", "band", "2024", "2025"]].tolist()
    [Decimal('847.40'), '700-1000', Decimal('1455.60'), Decimal('1335.20')]
    """
    if not scenarios:
        raise TariffError("Au moins un scénario de tarifs est attendu.", code="no_scenario")
    prices = _check_prices(prices)
    pricings = {name: _as_pricings(value) for name, value in scenarios.items()}
    names = list(pricings)
    baseline = baseline or names[0]
    target = target or names[-1]
    for which in (baseline, target):
        if which not in pricings:
            raise TariffError(f"Scénario inconnu : {which!r} ({', '.join(names)}).", code="unknown_scenario")
    activities = {code for scenario in pricings.values() for code in scenario}
    population = (
        families if isinstance(families, Population) else Population.from_families(families, activities)
    )
    cents = {name: population.scenario_cents(scenario, name) for name, scenario in pricings.items()}
    return Comparison(
        population=population,
        scenarios=pricings,
        cents=cents,
        lows=_lows(bands, pricings[baseline]),
        baseline=baseline,
        target=target,
        prices=prices,
    )


def _as_pricings(value: Any) -> dict[str, Pricing]:
    """Activity -> Pricing from a mapping (Pricing or bare tariffs) or a Commune."""
    activities = getattr(value, "activities", None)
    if activities is not None:
        return {code: a.tariff for code, a in activities.items() if a.tariff is not None}
    if isinstance(value, Pricing):
        return {"prix": value}
    if isinstance(value, Tariff):
        return {"prix": Pricing(value)}
    if not isinstance(value, Mapping):
        raise TariffError(
            f"Un scénario est un dict activité -> Pricing ou une Commune, reçu {type(value).__name__}.",
            code="bad_scenario",
        )
    out = {}
    for code, given in value.items():
        pricing = given if isinstance(given, Pricing) else _bare_tariff(given, code)
        out[str(code)] = pricing
    return out


def _bare_tariff(value: Any, code: Any) -> Pricing:
    if isinstance(value, Tariff):
        return Pricing(value)
    raise TariffError(
        f"Activité {code!r} : un Pricing est attendu, reçu {type(value).__name__}.", code="bad_scenario"
    )


# --------------------------------------------------------------------------
# Price grids
# --------------------------------------------------------------------------


def price_grid(
    pricings: Any,
    qfs: Iterable[Any] | None = None,
    *,
    max_qf: int = 2500,
    step: int = 50,
    prices: Prices = "decimal",
    resident: bool = True,
    rank: int = 1,
) -> Any:
    """The price of one day per QF (rows, index ``QF``) and activity
    (columns), for a scenario (activity -> Pricing), a Commune, a Pricing or
    a bare tariff. Default QFs: every ``step`` euros up to ``max_qf`` and
    every point where a grid changes price.

    >>> import periscolaire as ps
    >>> grid = price_grid(ps.load_commune(), [0, 400, 812.4])
    >>> grid[["RESTAURATION", "MERCREDI"]]
            RESTAURATION  MERCREDI
    QF
    0               1.00      4.00
    400             1.40      6.00
    812.4           2.84      8.00
    """
    pd = _pandas()
    prices = _check_prices(prices)
    table = _as_pricings(pricings)
    from periscolaire.tariff import _cell_qf

    if qfs is None:
        points = {Decimal(q) for q in range(0, max_qf + 1, step)}
        points.update(q for q in qf_points(table.values()) if q <= max_qf)
        values = sorted(points)
    else:
        values = [q for q in (_cell_qf(v, "QF") for v in qfs) if q is not None]
    data = {
        code: [_money(_cents(p.price(q, resident=resident, rank=rank)), prices) for q in values]
        for code, p in table.items()
    }
    index = pd.Index([float(q) for q in values] if prices == "float" else values, name="QF")
    return pd.DataFrame(data, index=index)


# --------------------------------------------------------------------------
# Goal seeking
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SameRevenue:
    """Target: at least the baseline's total revenue (all activities)."""

    def __str__(self) -> str:
        return "même recette totale qu'aujourd'hui"


@dataclass(frozen=True)
class MaxIncrease:
    """Target: no family (of ``band``, a label such as ``"0-400"`` or
    « sans QF »; ``None``: all) paying more than ``euros`` a year more than
    under the baseline."""

    euros: Decimal | int | float | str
    band: str | None = None

    def __str__(self) -> str:
        where = f" de la tranche {self.band}" if self.band else ""
        return f"aucune famille{where} ne paie plus de {self.euros} € de plus par an"


@dataclass(frozen=True)
class MaxTotal:
    """Target: no family (of ``band``; ``None``: all) paying more than
    ``euros`` a year in all."""

    euros: Decimal | int | float | str
    band: str | None = None

    def __str__(self) -> str:
        where = f" de la tranche {self.band}" if self.band else ""
        return f"aucune famille{where} ne paie plus de {self.euros} € par an"


Target = SameRevenue | MaxIncrease | MaxTotal


@dataclass(frozen=True, eq=False)
class GoalSeek:
    """The answer of :func:`goal_seek`: the parameter's ``value`` (``met``
    False when no value in the range meets the target: ``value`` is then the
    closest bound), the activity's ``pricing`` and the whole ``scenario`` at
    that value, and its ``comparison`` with the baseline."""

    activity: str
    parameter: str
    target: Target
    value: Decimal
    met: bool
    pricing: Pricing
    scenario: Mapping[str, Pricing]
    comparison: Comparison
    evaluations: int

    @property
    def revenue(self) -> Decimal:
        return self.comparison.revenue(self.comparison.target)

    @property
    def baseline_revenue(self) -> Decimal:
        return self.comparison.revenue(self.comparison.baseline)

    @property
    def losers(self) -> Any:
        """Per band: families, families paying more, their largest and total increase."""
        table = self.comparison.per_band
        return table[["families", "paying_more", "max_change", "change"]]

    def __str__(self) -> str:
        state = "atteint" if self.met else "NON atteint dans l'intervalle"
        return (
            f"{self.activity}.{self.parameter} = {self.value} ({self.target} : {state}) ; "
            f"recette {self.revenue} € (aujourd'hui {self.baseline_revenue} €) ; "
            f"{int(self.losers['paying_more'].sum())} famille(s) paient plus."
        )


_PRICE_PARAMETERS = ("floor", "ceiling", "non_resident")


def _with_parameter(pricing: Pricing, parameter: str, value: Decimal) -> Pricing:
    tariff = pricing.tariff
    if parameter == "non_resident":
        return attrs.evolve(pricing, non_resident=value)
    if parameter in ("rate", "floor", "ceiling"):
        if not isinstance(tariff, EffortRateTariff):
            raise TariffError(f"{parameter} : ce tarif n'est pas un taux d'effort.", code="bad_parameter")
        return attrs.evolve(pricing, tariff=attrs.evolve(tariff, **{parameter: value}))
    grid, index = _bracket(parameter, tariff)
    brackets = list(grid.brackets)
    brackets[index] = (brackets[index][0], value)
    return attrs.evolve(pricing, tariff=attrs.evolve(grid, brackets=tuple(brackets)))


def _bracket(parameter: str, tariff: Tariff) -> tuple[BracketTariff, int]:
    if not isinstance(tariff, BracketTariff):
        raise TariffError(f"{parameter} : ce tarif n'est pas une grille par tranches.", code="bad_parameter")
    text = parameter.removeprefix("bracket[").removesuffix("]")
    if not parameter.startswith("bracket[") or not text.isdigit() or int(text) >= len(tariff.brackets):
        raise TariffError(
            f"Paramètre inconnu : {parameter!r} (rate, floor, ceiling, non_resident ou "
            f"bracket[0] à bracket[{len(tariff.brackets) - 1}]).",
            code="bad_parameter",
        )
    return tariff, int(text)


def _current(pricing: Pricing, parameter: str) -> Decimal:
    tariff = pricing.tariff
    if parameter == "non_resident":
        return pricing.non_resident if pricing.non_resident is not None else tariff.highest
    if parameter in ("rate", "floor", "ceiling"):
        if not isinstance(tariff, EffortRateTariff):
            raise TariffError(f"{parameter} : ce tarif n'est pas un taux d'effort.", code="bad_parameter")
        value: Decimal = getattr(tariff, parameter)
        return value
    grid, index = _bracket(parameter, tariff)
    return grid.brackets[index][1]


def _range(pricing: Pricing, parameter: str) -> tuple[Decimal, Decimal, Decimal]:
    """Default (low, high, step) of a parameter: prices to the cent up to the
    cost price (or ten times today's), rates by 0.000001."""
    tariff = pricing.tariff
    current = _current(pricing, parameter)
    cap = tariff.cost_price if tariff.cost_price is not None else max(current * 10, Decimal(100))
    if parameter == "rate":
        return Decimal(0), max(current * 10, Decimal("0.1")), Decimal("0.000001")
    if parameter == "floor":
        return Decimal(0), tariff.ceiling, CENT  # type: ignore[union-attr]
    if parameter == "ceiling":
        return tariff.floor, cap, CENT  # type: ignore[union-attr]
    return Decimal(0), cap, CENT


def goal_seek(
    families: Any,
    before: Any,
    after: Any,
    *,
    activity: str,
    parameter: str,
    target: Target,
    bands: Iterable[Any] | None = None,
    low: Any = None,
    high: Any = None,
    step: Any = None,
    prices: Prices = "decimal",
) -> GoalSeek:
    """Find the value of one parameter of ``after[activity]`` that meets
    ``target``, with every other price of ``after`` as given.

    ``parameter``: ``"rate"``, ``"floor"``, ``"ceiling"`` (effort-rate
    tariffs), ``"bracket[i]"`` (the price of the i-th bracket, from 0) or
    ``"non_resident"``. Every one of them raises prices when it grows, so the
    search is a bisection over ``low``..``high`` by ``step`` (default: to the
    cent up to the cost price; a rate by 0.000001):

    * :class:`SameRevenue`: the smallest value whose total revenue is at least
      the baseline's (no loss for the commune);
    * :class:`MaxIncrease` / :class:`MaxTotal`: the largest value for which no
      family of the band pays more than the limit (more than before / in all).

    >>> import periscolaire as ps
    >>> today, reform = ps.load_commune(), example_commune()
    >>> answer = goal_seek(load_families("familles"), today, reform,
    ...                    activity="RESTAURATION", parameter="rate", target=SameRevenue())
    >>> answer.value, answer.met, answer.revenue >= answer.baseline_revenue
    (Decimal('0.003547'), True, True)
    """
    prices = _check_prices(prices)
    base, reform = _as_pricings(before), _as_pricings(after)
    if activity not in reform:
        raise TariffError(
            f"Activité {activity!r} sans tarif dans le scénario ({', '.join(reform)}).",
            code="unknown_activity",
        )
    pricing = reform[activity]
    default_low, default_high, default_step = _range(pricing, parameter)
    from periscolaire.tariff import _cell_number

    lo = default_low if low is None else _cell_number(low, "low")
    hi = default_high if high is None else _cell_number(high, "high")
    unit = default_step if step is None else _cell_number(step, "step")
    if unit <= 0 or hi < lo:
        raise TariffError(f"Intervalle de recherche invalide : {lo}..{hi} par {unit}.", code="bad_range")
    activities = set(base) | set(reform)
    population = (
        families if isinstance(families, Population) else Population.from_families(families, activities)
    )
    lows = _lows(bands, base)
    base_cents = population.scenario_cents(base, "avant")
    base_total = sum(base_cents.values(), _numpy().zeros(len(population), dtype=_numpy().int64))
    other = {
        code: cents for code, cents in population.scenario_cents(reform, "après").items() if code != activity
    }
    others_total = sum(other.values(), _numpy().zeros(len(population), dtype=_numpy().int64))
    labels, band_index = population.bands(lows)
    mask = None
    if isinstance(target, MaxIncrease | MaxTotal) and target.band is not None:
        if target.band not in labels:
            raise TariffError(
                f"Tranche inconnue : {target.band!r} ({', '.join(labels)}).", code="unknown_band"
            )
        mask = band_index == labels.index(target.band)
    # A target is money: a Decimal or an int of euros, never a float (money() says so).
    limit = 0 if isinstance(target, SameRevenue) else _cents(money(target.euros, "euros"))
    start = (lo / unit).to_integral_value(rounding=ROUND_CEILING)
    stop = (hi / unit).to_integral_value(rounding=ROUND_FLOOR)
    evaluations = 0

    def value_at(i: int) -> Decimal:
        return (Decimal(i) * unit).normalize() if unit < 1 else Decimal(i) * unit

    def ok(i: int) -> bool:
        """Whether the target is met at step i (monotone: False then True for
        SameRevenue, True then False for the limits)."""
        nonlocal evaluations
        evaluations += 1
        candidate = _with_parameter(pricing, parameter, _quantized(value_at(i), parameter))
        total = others_total + population.activity_cents(activity, candidate)
        if isinstance(target, SameRevenue):
            return int(total.sum()) >= int(base_total.sum())
        measured = total - base_total if isinstance(target, MaxIncrease) else total
        if mask is not None:
            measured = measured[mask]
        return not len(measured) or int(measured.max()) <= limit

    met, found = _bisect(ok, int(start), int(stop), smallest=isinstance(target, SameRevenue))
    value = _quantized(value_at(found), parameter)
    best = _with_parameter(pricing, parameter, value)
    scenario = dict(reform, **{activity: best})
    comparison = compare(population, {"avant": base, "après": scenario}, bands=lows, prices=prices)
    return GoalSeek(
        activity=activity,
        parameter=parameter,
        target=target,
        value=value,
        met=met,
        pricing=best,
        scenario=scenario,
        comparison=comparison,
        evaluations=evaluations,
    )


def _bisect(ok: Any, low: int, high: int, *, smallest: bool) -> tuple[bool, int]:
    """(met, i): with ``smallest``, the smallest i in low..high where ``ok``
    holds (ok is False then True); else the largest (ok is True then False).
    When no i meets it, the bound closest to meeting it."""
    if smallest:
        if not ok(high):
            return False, high
        while low < high:
            middle = (low + high) // 2
            if ok(middle):
                high = middle
            else:
                low = middle + 1
        return True, low
    if not ok(low):
        return False, low
    while low < high:
        middle = (low + high + 1) // 2
        if ok(middle):
            low = middle
        else:
            high = middle - 1
    return True, low


def _quantized(value: Decimal, parameter: str) -> Decimal:
    return value if parameter == "rate" else value.quantize(CENT)
