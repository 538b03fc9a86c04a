"""Reading JSON-safe forms back: every value checked, every error typed.

The records a host keeps between requests or workers (a session's pending
changes, an outcome, a reservation, a family) have a ``to_dict()`` made of
JSON types only — ISO dates, ``Decimal`` as strings — and a ``from_dict()``
that reads it back. Data coming back from a browser or a cache is untrusted:
these helpers refuse anything else with :class:`~periscolaire.InvalidData`,
whose ``path`` names the key.

>>> iso_date("2024-09-11", "day")
datetime.date(2024, 9, 11)
>>> iso_date("11/09/2024", "pending[0].day")
Traceback (most recent call last):
...
periscolaire.errors.InvalidData: pending[0].day : une date ISO (AAAA-MM-JJ) est attendue, reçu '11/09/2024'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from periscolaire.errors import InvalidData

__all__ = ["boolean", "integer", "iso_date", "iso_datetime", "items", "mapping", "member", "text"]


def mapping(value: Any, path: str = "") -> Mapping[str, Any]:
    """``value`` if it is a mapping with string keys."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidData(path, f"un objet JSON est attendu, reçu {value!r}")
    return value


def member(data: Mapping[str, Any], key: str, path: str = "") -> Any:
    """``data[key]``, or an error naming the missing key."""
    try:
        return data[key]
    except KeyError:
        raise InvalidData(_join(path, key), "clé manquante", code="missing_key") from None


def items(value: Any, path: str) -> Sequence[Any]:
    """``value`` if it is a JSON array (a list or a tuple)."""
    if not isinstance(value, list | tuple):
        raise InvalidData(path, f"une liste est attendue, reçu {value!r}")
    return value


def text(value: Any, path: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidData(path, f"une chaîne non vide est attendue, reçu {value!r}")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidData(path, f"true ou false est attendu, reçu {value!r}")
    return value


def integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidData(path, f"un entier est attendu, reçu {value!r}")
    return value


def iso_date(value: Any, path: str) -> date:
    """A ``YYYY-MM-DD`` string (a ``date`` is accepted as is, not a ``datetime``)."""
    if type(value) is date:
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidData(path, f"une date ISO (AAAA-MM-JJ) est attendue, reçu {value!r}")


def iso_datetime(value: Any, path: str) -> datetime:
    """An ISO 8601 date and time (naive or with an offset)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidData(path, f"une date et heure ISO 8601 est attendue, reçu {value!r}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
