"""Checks of the arguments a host passes to the public API.

Every public entry point checks its arguments here and refuses a wrong type
with :class:`~periscolaire.InvalidArgument` — a
:class:`~periscolaire.PeriscolaireError` with a French message, and a
``TypeError`` for callers that catch that — never a bare ``AttributeError``
from deep inside. A refused call changes nothing.

>>> from datetime import date, datetime
>>> day(date(2024, 9, 11))
datetime.date(2024, 9, 11)
>>> day(datetime(2024, 9, 11, 10))
Traceback (most recent call last):
...
periscolaire.errors.InvalidArgument: day : une date (datetime.date) est attendue, reçu datetime.datetime(2024, 9, 11, 10, 0).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from periscolaire.errors import InvalidArgument
from periscolaire.validators import whole_number

__all__ = ["day", "identifier", "instant", "optional_day", "year_month"]


def day(value: Any, name: str = "day") -> date:
    """A ``date`` (not a ``datetime``, whose time would be silently dropped)."""
    if type(value) is not date:
        raise InvalidArgument(f"{name} : une date (datetime.date) est attendue, reçu {value!r}.")
    return value


def optional_day(value: Any, name: str) -> date | None:
    return None if value is None else day(value, name)


def instant(value: Any, name: str = "now") -> datetime:
    """A ``datetime`` (naive commune-local, or aware)."""
    if not isinstance(value, datetime):
        raise InvalidArgument(f"{name} : une date et heure (datetime) est attendue, reçu {value!r}.")
    return value


def identifier(value: Any, name: str) -> str:
    """A non-empty string: an id, an activity code, a porte-monnaie."""
    if not isinstance(value, str) or not value:
        raise InvalidArgument(f"{name} : un identifiant (une chaîne non vide) est attendu, reçu {value!r}.")
    return value


def school_year(value: Any) -> int:
    """A school year, named by the year it starts (2024 for 2024/2025)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2999:
        raise InvalidArgument(
            f"school_year : une année scolaire (2024 pour 2024/2025) est attendue, reçu {value!r}."
        )
    return value


def year_month(year: Any, month: Any) -> tuple[int, int]:
    """A year of the calendar (1900-2999) and a month (1-12)."""
    whole_number(year, "year", 1900, 2999)
    whole_number(month, "month", 1, 12)
    return year, month
