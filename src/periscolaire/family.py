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

import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import attrs

from periscolaire.errors import InvalidArgument, InvalidData, UnknownChild
from periscolaire.jsonsafe import boolean, integer, iso_date, items, mapping, member, text
from periscolaire.validators import flag, whole

__all__ = ["AlternateWeeks", "Child", "Custody", "CustodyDays", "Family"]


#: The longest id a store keeps (a child's, a family account's).
MAX_ID = 100
MAX_NAME = 200


def _clean_text(name: str, value: object, limit: int) -> None:
    """A non-empty string a database can keep as it is: valid Unicode (no
    lone surrogate), no control character, at most ``limit`` characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidData(name, f"une chaîne non vide est attendue, reçu {value!r}")
    if len(value) > limit:
        raise InvalidData(name, f"au plus {limit} caractères, reçu {len(value)}", code="too_long")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise InvalidData(name, f"caractère de contrôle ou invalide dans {value!r}", code="bad_character")


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    _clean_text(attribute.name, value, MAX_NAME)


def _an_id(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    _clean_text(attribute.name, value, MAX_ID)
    if value != value.strip():
        # Some databases compare text ignoring trailing spaces: "F1" and "F1 " must not be two ids.
        raise InvalidData(
            attribute.name, f"un identifiant sans espace au début ni à la fin est attendu, reçu {value!r}"
        )


def _activity_set(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidArgument(f"activities : un ensemble de codes d'activité est attendu, reçu {value!r}.")
    codes = frozenset(value)
    if not all(isinstance(code, str) and code for code in codes):
        raise InvalidArgument(f"activities : des codes d'activité (chaînes) sont attendus, reçu {value!r}.")
    return codes


@attrs.frozen
class Child:
    """A child of a family. ``activities`` restricts the activities it is
    enrolled in (``None``: every activity of the commune)."""

    id: str = attrs.field(validator=_an_id)
    first_name: str = attrs.field(validator=_non_empty)
    last_name: str = attrs.field(validator=_non_empty)
    activities: frozenset[str] | None = attrs.field(default=None, converter=_activity_set)

    @property
    def display_name(self) -> str:
        """« NOM Prénom », as in the guide's e-mails (``DUPONT Paolo``)."""
        return f"{self.last_name} {self.first_name}"

    def enrolled_in(self, code: str) -> bool:
        return self.activities is None or code in self.activities

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (``activities``: a sorted list, or null for all)."""
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "activities": None if self.activities is None else sorted(self.activities),
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> Child:
        data = mapping(data, path)
        activities = data.get("activities")
        return cls(
            text(member(data, "id", path), _at(path, "id")),
            text(member(data, "first_name", path), _at(path, "first_name")),
            text(member(data, "last_name", path), _at(path, "last_name")),
            None
            if activities is None
            else [
                text(a, f"{_at(path, 'activities')}[{i}]")
                for i, a in enumerate(items(activities, _at(path, "activities")))
            ],
        )


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _day_set(days: Iterable[date]) -> frozenset[date]:
    return frozenset(days)


@attrs.frozen
class AlternateWeeks:
    """Custody every other week (Monday to Sunday), counted from the week of
    ``reference``; ``extra`` days are added, ``excluded`` days removed."""

    reference: date
    extra: frozenset[date] = attrs.field(default=frozenset(), converter=_day_set)
    excluded: frozenset[date] = attrs.field(default=frozenset(), converter=_day_set)

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

    days: frozenset[date] = attrs.field(converter=_day_set)

    def covers(self, day: date) -> bool:
        return day in self.days


Custody = AlternateWeeks | CustodyDays


def _children(value: Iterable[Child]) -> tuple[Child, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidArgument(f"children : une liste de ps.Child est attendue, reçu {value!r}.")
    children = tuple(value)
    for child in children:
        if not isinstance(child, Child):
            raise InvalidArgument(f"children : des ps.Child sont attendus, reçu {child!r}.")
    return children


#: Bounds of an agent's priority (far beyond any grid of criteria).
MAX_PRIORITY = 1_000_000


@attrs.frozen
class Family:
    """A family account (« Compte Famille »).

    Separated parents each have their own account (their own ``id``) listing
    the same children; ``custody`` restricts an account to its custody days.
    """

    id: str = attrs.field(validator=_an_id)
    name: str = attrs.field(validator=_non_empty)
    children: tuple[Child, ...] = attrs.field(converter=_children)
    custody: Custody | None = None
    #: Whether the family lives in the commune (the ``resident`` criterion of
    #: waiting lists).
    resident: bool = attrs.field(default=True, kw_only=True, validator=flag(error=InvalidData))
    #: A priority set by an agent (social situation…): the ``priority``
    #: criterion of waiting lists, higher first; 0 for most families.
    priority: int = attrs.field(
        default=0, kw_only=True, validator=whole(-MAX_PRIORITY, MAX_PRIORITY, error=InvalidData)
    )

    def __attrs_post_init__(self) -> None:
        ids = [c.id for c in self.children]
        if len(set(ids)) != len(ids):
            raise InvalidData(
                "children", f"les identifiants des enfants doivent être distincts, reçu {ids!r}"
            )

    def child(self, child_id: str) -> Child:
        for child in self.children:
            if child.id == child_id:
                return child
        raise UnknownChild(child_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: ids, names, children, custody (``{"alternate_weeks":
        reference, "extra", "excluded"}`` or ``{"days": [...]}``) as ISO dates,
        and the waiting-list criteria ``resident`` and ``priority`` (absent
        from older data: a resident family without priority)."""
        custody: dict[str, Any] | None = None
        if isinstance(self.custody, AlternateWeeks):
            custody = {
                "alternate_weeks": self.custody.reference.isoformat(),
                "extra": sorted(d.isoformat() for d in self.custody.extra),
                "excluded": sorted(d.isoformat() for d in self.custody.excluded),
            }
        elif isinstance(self.custody, CustodyDays):
            custody = {"days": sorted(d.isoformat() for d in self.custody.days)}
        return {
            "id": self.id,
            "name": self.name,
            "children": [c.to_dict() for c in self.children],
            "custody": custody,
            "resident": self.resident,
            "priority": self.priority,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Family:
        """Read back :meth:`to_dict` (untrusted data: every error is an
        :class:`~periscolaire.InvalidData` naming its key)."""
        data = mapping(data)
        children = items(member(data, "children"), "children")
        try:
            return cls(
                text(member(data, "id"), "id"),
                text(member(data, "name"), "name"),
                tuple(Child.from_dict(c, f"children[{i}]") for i, c in enumerate(children)),
                _custody(data.get("custody")),
                resident=boolean(data.get("resident", True), "resident"),
                priority=integer(data.get("priority", 0), "priority"),
            )
        except ValueError as exc:
            if isinstance(exc, InvalidData):
                raise
            raise InvalidData("children", str(exc)) from None


def _dates(value: Any, path: str) -> frozenset[date]:
    return frozenset(iso_date(v, f"{path}[{i}]") for i, v in enumerate(items(value, path)))


def _custody(value: Any) -> Custody | None:
    if value is None:
        return None
    data = mapping(value, "custody")
    if "alternate_weeks" in data:
        return AlternateWeeks(
            iso_date(data["alternate_weeks"], "custody.alternate_weeks"),
            extra=_dates(data.get("extra", []), "custody.extra"),
            excluded=_dates(data.get("excluded", []), "custody.excluded"),
        )
    if "days" in data:
        return CustodyDays(_dates(data["days"], "custody.days"))
    raise InvalidData("custody", "« alternate_weeks » ou « days » est attendu")
