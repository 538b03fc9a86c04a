"""Families and children, as the portal knows them.

A family account (« Compte Famille ») lists its children. Separated parents
each have their own account listing the same children (guide p. 1: « chaque
parent des familles séparées ne demeurant pas à la même adresse peut bénéficier
de son propre compte »), optionally restricted to their custody days.

>>> from datetime import date
>>> paolo = Child("paolo", "Paolo", "DUPONT")
>>> paolo.display_name
'DUPONT Paolo'
>>> AlternateWeeks(reference=date(2024, 9, 2)).covers(date(2024, 9, 9))
False
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import attrs

from periscolaire.errors import UnknownChild

__all__ = ["AlternateWeeks", "Child", "Custody", "CustodyDays", "Family"]


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be a non-empty string, got {value!r}")


def _activity_set(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


@attrs.frozen
class Child:
    """A child of a family. ``activities`` restricts the activities it is
    enrolled in (``None``: every activity of the commune)."""

    id: str = attrs.field(validator=_non_empty)
    first_name: str = attrs.field(validator=_non_empty)
    last_name: str = attrs.field(validator=_non_empty)
    activities: frozenset[str] | None = attrs.field(default=None, converter=_activity_set)

    @property
    def display_name(self) -> str:
        """« NOM Prénom », as in the guide's e-mails (``DUPONT Paolo``)."""
        return f"{self.last_name} {self.first_name}"

    def enrolled_in(self, code: str) -> bool:
        return self.activities is None or code in self.activities


@attrs.frozen
class AlternateWeeks:
    """Custody every other week (Monday to Sunday), counted from the week of
    ``reference``; ``extra`` days are added, ``excluded`` days removed."""

    reference: date
    extra: frozenset[date] = attrs.field(default=frozenset(), converter=frozenset)
    excluded: frozenset[date] = attrs.field(default=frozenset(), converter=frozenset)

    def covers(self, day: date) -> bool:
        if day in self.excluded:
            return False
        if day in self.extra:
            return True
        monday = self.reference - timedelta(days=self.reference.weekday())
        return ((day - monday).days // 7) % 2 == 0


@attrs.frozen
class CustodyDays:
    """Custody on explicit days (a judgment's calendar, holidays split in halves)."""

    days: frozenset[date] = attrs.field(converter=frozenset)

    def covers(self, day: date) -> bool:
        return day in self.days


Custody = AlternateWeeks | CustodyDays


def _children(value: Iterable[Child]) -> tuple[Child, ...]:
    return tuple(value)


@attrs.frozen
class Family:
    """A family account (« Compte Famille »).

    Separated parents each have their own account (their own ``id``) listing
    the same children; ``custody`` restricts an account to its custody days.
    """

    id: str = attrs.field(validator=_non_empty)
    name: str = attrs.field(validator=_non_empty)
    children: tuple[Child, ...] = attrs.field(converter=_children)
    custody: Custody | None = None

    def __attrs_post_init__(self) -> None:
        ids = [c.id for c in self.children]
        if len(set(ids)) != len(ids):
            raise ValueError(f"children ids must be unique, got {ids!r}")

    def child(self, child_id: str) -> Child:
        for child in self.children:
            if child.id == child_id:
                return child
        raise UnknownChild(child_id)
