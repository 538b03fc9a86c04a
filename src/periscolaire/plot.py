"""Tariff pictures (optional: ``pip install 'periscolaire[plot]'``, matplotlib).

:func:`plot_tariffs` draws the price against the QF for every activity of a
commune and, given a scenario's per-family totals, the total per family before
and after a tariff change. Only this module imports matplotlib, and only when
it is called.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from os import PathLike
from typing import Any

from periscolaire.errors import MissingExtra
from periscolaire.tariff import Pricing

__all__ = ["plot_tariffs"]


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, no screen
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingExtra("matplotlib n'est pas installé : pip install 'periscolaire[plot]'.") from None
    return plt


def plot_tariffs(
    pricings: Mapping[str, Pricing],
    path: str | PathLike[str],
    *,
    title: str = "",
    families: Sequence[Mapping[str, Any]] | None = None,
    before: str = "avant",
    after: str = "après",
    max_qf: int = 2500,
) -> None:
    """Write a PNG: price against QF per activity; with ``families`` (the
    per-family rows of :func:`~periscolaire.compare_tariffs`), a second panel
    with each family's total before and after, against its QF."""
    plt = _pyplot()
    panels = 2 if families else 1
    figure, axes = plt.subplots(1, panels, figsize=(7 * panels, 4.5), squeeze=False)
    ax = axes[0][0]
    qfs = list(range(0, max_qf + 1, 5))
    for code, pricing in pricings.items():
        prices = [float(pricing.price(Decimal(q))) for q in qfs]  # plotting only: floats are fine here
        ax.step(qfs, prices, where="post", label=code)
    ax.set_xlabel("Quotient familial (€)")
    ax.set_ylabel("Prix d'une journée (€)")
    ax.set_title(title or "Tarifs par quotient familial")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    if families:
        ax2 = axes[0][1]
        known = [row for row in families if row.get("qf") is not None]
        xs = [float(row["qf"]) for row in known]
        for name, marker in ((before, "o"), (after, "x")):
            ax2.scatter(xs, [float(row[name]) for row in known], marker=marker, label=name, alpha=0.7)
        ax2.set_xlabel("Quotient familial (€)")
        ax2.set_ylabel("Total par famille (€)")
        ax2.set_title("Total par famille avant et après")
        ax2.grid(True, alpha=0.3)
        ax2.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
