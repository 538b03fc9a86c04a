"""Writing TOML: the little that commune configurations need.

The standard library reads TOML (:mod:`tomllib`) but does not write it, and
``tomli-w`` would be a fourth runtime dependency for some thirty lines; this
writer handles exactly the values a configuration holds (booleans, integers,
strings, dates, times, lists, inline tables) and refuses anything else.

>>> from datetime import date, time
>>> assignment("opens", date(2024, 8, 19)), assignment("deadline", {"days_before": 3, "at": time(10)})
('opens = 2024-08-19', 'deadline = { days_before = 3, at = 10:00:00 }')
>>> assignment("Garderie du soir", 'a "b"\\n')
'"Garderie du soir" = "a \\\\"b\\\\"\\\\n"'
>>> table("[activities.ACCUEIL_MATIN]", {"capacity": 40, "waiting_list": False})
['[activities.ACCUEIL_MATIN]', 'capacity = 40', 'waiting_list = false']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

__all__ = ["assignment", "is_table_array", "key", "table", "value"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def value(item: Any) -> str:
    """A TOML value; a ``TypeError`` for anything a configuration does not hold."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, str):
        escaped = item.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        escaped = "".join(c if " " <= c != "\x7f" else f"\\u{ord(c):04x}" for c in escaped)
        return f'"{escaped}"'
    if isinstance(item, time) and item.tzinfo is not None:
        raise TypeError(f"cannot write {item!r} as TOML: a local time has no offset")
    if isinstance(item, datetime) and (offset := item.utcoffset()) is not None and offset.seconds % 60:
        raise TypeError(f"cannot write {item!r} as TOML: an offset in seconds")
    if isinstance(item, datetime | date | time):
        return item.isoformat()
    if isinstance(item, list):
        return "[" + ", ".join(value(v) for v in item) + "]"
    if isinstance(item, dict):
        return "{ " + ", ".join(assignment(k, v) for k, v in item.items()) + " }"
    raise TypeError(f"cannot write {item!r} as TOML")


def key(name: str) -> str:
    """A bare key when it may be one, else a quoted one."""
    return name if _BARE_KEY.fullmatch(name) else value(name)


def assignment(name: str, item: Any) -> str:
    """« key = value »."""
    return f"{key(name)} = {value(item)}"


def is_table_array(item: Any) -> bool:
    """A non-empty list of tables (written as ``[[...]]`` sections, not inline)."""
    return isinstance(item, list) and bool(item) and all(isinstance(v, dict) for v in item)


def table(header: str, items: Mapping[str, Any]) -> list[str]:
    """A table's header and its assignments, arrays of tables left out (the caller writes them)."""
    return [header] + [assignment(k, v) for k, v in items.items() if not is_table_array(v)]
