"""The attrs validators of the public value classes: one per idea.

Each names the field and says in French what was expected; the error is an
:class:`~periscolaire.errors.InvalidArgument` (both a ``PeriscolaireError`` and
a ``TypeError``) unless the class says otherwise — :class:`InvalidData` for
the records a store loads, a ``TariffError`` for a tariff's own fields.

>>> import attrs
>>> from periscolaire.validators import flag, whole
>>> @attrs.frozen
... class Rule:
...     days: int = attrs.field(validator=whole(0))
...     working_days: bool = attrs.field(default=False, validator=flag())
>>> Rule(3)
Rule(days=3, working_days=False)
>>> Rule(True)
Traceback (most recent call last):
...
periscolaire.errors.InvalidArgument: days : un entier positif ou nul est attendu, reçu True.
>>> Rule(3, working_days="non")
Traceback (most recent call last):
...
periscolaire.errors.InvalidArgument: working_days : true ou false est attendu, reçu 'non'.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import attrs

from periscolaire.errors import InvalidArgument, InvalidData, PeriscolaireError, shown

__all__ = ["flag", "instance", "listed", "one_of", "whole", "whole_number"]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _fail(
    error: type[PeriscolaireError], name: str, expected: str, value: Any, code: str | None, echo: bool
) -> PeriscolaireError:
    text = f"{expected}, reçu {shown(value)}" if echo else expected
    if issubclass(error, InvalidData):
        return error(name, text, code=code)
    return error(f"{name} : {text}.", code=code)


def _integer_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"un entier de {low} à {high}"
    if low == 0:
        return "un entier positif ou nul"
    if low is not None:
        return f"un entier à partir de {low}"
    return "un entier" if high is None else f"un entier jusqu'à {high}"


def whole_number(
    value: Any,
    name: str,
    low: int | None = None,
    high: int | None = None,
    *,
    optional: bool = False,
    error: type[PeriscolaireError] = InvalidArgument,
    code: str | None = None,
    echo: bool = True,
) -> None:
    """Check that ``value`` is an ``int`` (never a ``bool``) from ``low`` to ``high``
    (bounds included), or ``None`` when ``optional``; ``echo=False`` keeps the
    value out of the message (a huge int has no short repr).

    >>> whole_number(3, "places", 0, 100_000)
    >>> whole_number(-1, "places", 0, 100_000, code="bad_places")
    Traceback (most recent call last):
    ...
    periscolaire.errors.InvalidArgument: places : un entier de 0 à 100000 est attendu, reçu -1.
    """
    if value is None and optional:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        expected = _integer_text(low, high) + (" (ou None)" if optional else "") + " est attendu"
        raise _fail(error, name, expected, value, code, echo)


def whole(
    low: int | None = None,
    high: int | None = None,
    *,
    optional: bool = False,
    error: type[PeriscolaireError] = InvalidArgument,
    code: str | None = None,
    echo: bool = True,
    prefix: str = "",
) -> Validator:
    """The attrs validator of :func:`whole_number`; ``prefix`` qualifies the field's name."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if type(value) is int and (low is None or value >= low) and (high is None or value <= high):
            return  # the common case, on every record a store loads: no further call
        whole_number(
            value, prefix + attribute.name, low, high, optional=optional, error=error, code=code, echo=echo
        )

    return check


def flag(*, error: type[PeriscolaireError] = InvalidArgument) -> Validator:
    """A ``bool``: a truthy string (« non ») or a number where a yes/no is meant is refused."""
    return instance(bool, "true ou false est attendu", error=error)


def instance(
    kind: type | tuple[type, ...],
    expected: str,
    *,
    optional: bool = False,
    exact: bool = False,
    error: type[PeriscolaireError] = InvalidArgument,
) -> Validator:
    """An instance of ``kind`` (exactly that type with ``exact``: a ``datetime``
    is not a ``date`` there); ``expected`` says it in French (« une date (datetime.date)
    est attendue »)."""

    kinds = kind if isinstance(kind, tuple) else (kind,)

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        if (type(value) not in kinds) if exact else not isinstance(value, kinds):
            raise _fail(error, attribute.name, expected, value, None, True)

    return check


def one_of(values: Collection[Any], *, error: type[PeriscolaireError] = InvalidArgument) -> Validator:
    """One of ``values`` (a ``Literal``'s choices)."""
    expected = "une valeur parmi " + ", ".join(repr(v) for v in values) + " est attendue"

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or value not in values:
            raise _fail(error, attribute.name, expected, value, None, True)

    return check


def listed(value: Any, name: str, *, distinct_sorted: bool = False) -> tuple[Any, ...]:
    """What an attrs converter of a list field returns: a list (any iterable but
    a string, bytes or a mapping) as a tuple; with ``distinct_sorted``, its
    distinct members in order. Members that cannot be ordered are kept as
    given, for the field's validator to name the bad one.

    >>> listed([3, 1, 3], "days", distinct_sorted=True)
    (1, 3)
    >>> listed("lundi", "days")
    Traceback (most recent call last):
    ...
    periscolaire.errors.InvalidArgument: days : une liste est attendue, reçu 'lundi'.
    """
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidArgument(f"{name} : une liste est attendue, reçu {shown(value)}.")
    members = tuple(value)
    if distinct_sorted:
        try:
            return tuple(sorted(set(members)))
        except TypeError:  # unhashable or not comparable: not of the field's kind
            pass
    return members
