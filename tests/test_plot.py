"""The tariff pictures (periscolaire[plot]): Figures, the backend left alone."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

import periscolaire as ps

matplotlib = pytest.importorskip("matplotlib", reason="periscolaire[plot] n'est pas installé")

from matplotlib.figure import Figure  # noqa: E402 (after the skip)

from periscolaire.plot import plot_grids, plot_tariffs  # noqa: E402


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def test_price_against_qf_for_every_activity(cestas: ps.Commune, tmp_path: Path) -> None:
    pricings = {code: a.tariff for code, a in cestas.activities.items() if a.tariff}
    path = tmp_path / "tarifs.png"
    figure = plot_tariffs(pricings, path)
    assert isinstance(figure, Figure)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(figure.axes[0].lines) == len(pricings)
    assert isinstance(plot_tariffs(cestas), Figure)  # a Commune will do


def test_families_before_and_after_add_a_panel(cestas: ps.Commune) -> None:
    pricings = {code: a.tariff for code, a in cestas.activities.items() if a.tariff}
    rows = [
        {"family": "A", "qf": Decimal(500), "avant": Decimal(10), "après": Decimal(12)},
        {"family": "B", "qf": None, "avant": Decimal(10), "après": Decimal(12)},  # no QF: not drawn
    ]
    assert len(plot_tariffs(pricings, families=rows).axes) == 2
    assert len(plot_tariffs(pricings).axes) == 1


def test_the_per_family_dataframe_of_a_comparison_is_accepted(cestas: ps.Commune) -> None:
    pytest.importorskip("pandas")
    from periscolaire import scenarios as sc

    comparison = sc.compare(
        sc.load_families(), {"avant": cestas, "après": sc.example_commune()}, prices="float"
    )
    figure = plot_tariffs(cestas, families=comparison.per_family)
    assert len(figure.axes[1].collections) == 2  # before and after
    assert _png(figure).startswith(b"\x89PNG")


def test_grids_before_and_after_are_steps_per_activity(cestas: ps.Commune) -> None:
    from periscolaire import scenarios as sc

    figure = plot_grids(cestas, sc.example_commune(), title="Cestas")
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == list(cestas.activities)
    assert all(len(ax.lines) == 2 for ax in visible)
    assert _png(figure).startswith(b"\x89PNG")


def test_the_backend_is_left_alone(cestas: ps.Commune) -> None:
    import matplotlib.pyplot as plt

    saved = matplotlib.get_backend()
    plt.switch_backend("svg")  # a backend that is not Agg, as a notebook's inline one
    try:
        figures = plt.get_fignums()
        plot_tariffs(cestas)
        plot_grids(cestas, cestas)
        assert matplotlib.get_backend() == "svg"  # not switched to Agg
        assert plt.get_fignums() == figures  # nothing left open in pyplot
    finally:
        plt.switch_backend(saved)


def test_without_matplotlib_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ps.MissingExtra) as info:
        plot_tariffs({}, "x.png")
    assert "periscolaire[plot]" in info.value.message
    with pytest.raises(ps.MissingExtra):
        plot_grids({}, {})
