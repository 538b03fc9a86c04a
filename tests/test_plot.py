"""The tariff picture (periscolaire[plot])."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import periscolaire as ps
from periscolaire.plot import plot_tariffs


def test_price_against_qf_for_every_activity(cestas: ps.Commune, tmp_path: Path) -> None:
    pricings = {code: a.tariff for code, a in cestas.activities.items() if a.tariff}
    path = tmp_path / "tarifs.png"
    plot_tariffs(pricings, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_families_before_and_after_add_a_panel(cestas: ps.Commune, tmp_path: Path) -> None:
    pricings = {code: a.tariff for code, a in cestas.activities.items() if a.tariff}
    rows = [{"family": "A", "qf": Decimal(500), "avant": Decimal(10), "après": Decimal(12)}]
    plot_tariffs(pricings, tmp_path / "a.png", families=rows)
    plot_tariffs(pricings, tmp_path / "b.png")
    assert (tmp_path / "a.png").stat().st_size != (tmp_path / "b.png").stat().st_size


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
