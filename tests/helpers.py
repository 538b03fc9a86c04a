"""Small helpers for tests: the bundled TOML text, edited."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib.resources import files

import periscolaire as ps

CESTAS_TOML = files("periscolaire").joinpath("data", ps.commune.BUNDLED).read_text("utf-8")
JUST_BEFORE = timedelta(microseconds=1)


def cestas_with(old: str, new: str) -> str:
    """The bundled configuration with one piece of text replaced (exactly once)."""
    assert CESTAS_TOML.count(old) == 1, f"{old!r} must occur once in the bundled file"
    return CESTAS_TOML.replace(old, new)


def last_instant_before(instant: datetime) -> datetime:
    """The last representable instant before ``instant``."""
    return instant - JUST_BEFORE
