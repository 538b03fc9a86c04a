"""Tariff pictures (optional: ``pip install 'periscolaire[plot]'``, matplotlib).

:func:`plot_tariffs` draws the price against the QF for every activity of a
commune and, given a scenario's per-family totals, the total per family before
and after a tariff change; :func:`plot_grids` draws the before/after grids of
each activity as steps. Only this module imports matplotlib, and only when a
function is called.

Every function returns a :class:`matplotlib.figure.Figure` built without
pyplot: the backend (a notebook's inline display, a window, Agg) is left
alone and no figure stays open in pyplot's state. Save it with
``figure.savefig("tarifs.png")``, or show it in a notebook by making it a
cell's last value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from os import PathLike
from typing import Any

from periscolaire.errors import MissingExtra
from periscolaire.tariff import Pricing, qf_points

__all__ = ["plot_grids", "plot_tariffs"]


def _figure(width: float, height: float) -> Any:
    """A new Figure, outside pyplot (no backend switch, nothing to close)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtra("matplotlib n'est pas installé : pip install 'periscolaire[plot]'.") from None
    return Figure(figsize=(width, height))


def _pricings(value: Any) -> Mapping[str, Pricing]:
    """Activity -> Pricing from a mapping or a Commune (its activities with a tariff)."""
    activities = getattr(value, "activities", None)
    if activities is not None:
        return {code: a.tariff for code, a in activities.items() if a.tariff is not None}
    return dict(value)


def _qfs(pricings: Sequence[Pricing], max_qf: int) -> list[Decimal]:
    points = {Decimal(q) for q in range(0, max_qf + 1, 5)}
    points.update(q for q in qf_points(pricings) if q <= max_qf)
    return sorted(points)


def _step(ax: Any, pricing: Pricing, qfs: Sequence[Decimal], **style: Any) -> None:
    prices = [float(pricing.price(q)) for q in qfs]  # plotting only: floats are fine here
    ax.step([float(q) for q in qfs], prices, where="post", **style)


def plot_tariffs(
    pricings: Mapping[str, Pricing] | Any,
    path: str | PathLike[str] | None = None,
    *,
    title: str = "",
    families: Any = None,
    before: str = "avant",
    after: str = "après",
    max_qf: int = 2500,
) -> Any:
    """The price against the QF per activity; with ``families`` (the
    per-family rows of :func:`~periscolaire.compare_tariffs`, or the
    ``per_family`` DataFrame of :func:`periscolaire.scenarios.compare`), a
    second panel with each family's total ``before`` and ``after``, against
    its QF. ``pricings``: activity -> Pricing, or a Commune. Returns the
    Figure (also written to ``path`` when given)."""
    pricings = _pricings(pricings)
    rows = _family_rows(families)
    panels = 2 if rows else 1
    figure = _figure(7 * panels, 4.5)
    axes = figure.subplots(1, panels, squeeze=False)
    ax = axes[0][0]
    qfs = _qfs(list(pricings.values()), max_qf)
    for code, pricing in pricings.items():
        _step(ax, pricing, qfs, label=code)
    ax.set_xlabel("Quotient familial (€)")
    ax.set_ylabel("Prix d'une journée (€)")
    ax.set_title(title or "Tarifs par quotient familial")
    ax.grid(True, alpha=0.3)
    if pricings:
        ax.legend(fontsize="small")
    if rows:
        ax2 = axes[0][1]
        known = [row for row in rows if row.get("qf") is not None and row.get("qf") == row.get("qf")]
        xs = [float(row["qf"]) for row in known]
        for name, marker in ((before, "o"), (after, "x")):
            ax2.scatter(xs, [float(row[name]) for row in known], marker=marker, label=name, alpha=0.7)
        ax2.set_xlabel("Quotient familial (€)")
        ax2.set_ylabel("Total par famille (€)")
        ax2.set_title("Total par famille avant et après")
        ax2.grid(True, alpha=0.3)
        ax2.legend(fontsize="small")
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=110)
    return figure


def _family_rows(families: Any) -> list[Mapping[str, Any]]:
    if families is None:
        return []
    if hasattr(families, "reset_index") and hasattr(families, "to_dict"):  # a DataFrame
        return list(families.reset_index().to_dict("records"))
    return list(families)


def plot_grids(
    before: Mapping[str, Pricing] | Any,
    after: Mapping[str, Pricing] | Any,
    *,
    activities: Sequence[str] | None = None,
    labels: tuple[str, str] = ("avant", "après"),
    title: str = "",
    max_qf: int = 2500,
) -> Any:
    """One panel per activity: the price of a day against the QF before
    (solid) and after (dashed), as steps. ``activities``: the codes to draw
    (default: those both scenarios price). ``before`` and ``after``: activity
    -> Pricing, or Communes. Returns the Figure."""
    before, after = _pricings(before), _pricings(after)
    codes = list(activities) if activities is not None else [c for c in before if c in after]
    columns = min(len(codes), 3) or 1
    lines = (len(codes) + columns - 1) // columns or 1
    figure = _figure(5 * columns, 3.6 * lines)
    axes = figure.subplots(lines, columns, squeeze=False)
    for i, code in enumerate(codes):
        ax = axes[i // columns][i % columns]
        qfs = _qfs([before[code], after[code]], max_qf)
        _step(ax, before[code], qfs, label=labels[0], color="tab:blue")
        _step(ax, after[code], qfs, label=labels[1], color="tab:orange", linestyle="--")
        ax.set_title(code, fontsize="medium")
        ax.set_xlabel("Quotient familial (€)")
        ax.set_ylabel("Prix d'une journée (€)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    for j in range(len(codes), lines * columns):
        axes[j // columns][j % columns].set_visible(False)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
