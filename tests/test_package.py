"""The package's public surface: sorted __all__, every name resolvable, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

import periscolaire as ps


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then the rest (ruff's RUF022 order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert ps.__all__ == sorted(ps.__all__, key=_isort_key)
    for name in ps.__all__:
        assert getattr(ps, name) is not None, name


def test_lazy_names_are_exactly_the_public_names_not_imported_eagerly() -> None:
    eager = {n for n in ps.__all__ if n in vars(ps.errors)} | {"__version__"}
    assert set(ps._LAZY) == set(ps.__all__) - eager


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        ps.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_import_does_not_import_holidays_nor_attrs() -> None:
    code = (
        "import sys, periscolaire; "
        "print(sorted(m for m in ('holidays', 'attr', 'hypothesis') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_package_is_typed() -> None:
    from importlib.resources import files

    assert files("periscolaire").joinpath("py.typed").is_file()
