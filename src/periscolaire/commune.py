"""A commune's configuration: activities, booking periods, closures, holidays.

Configuration is data: a TOML file (see ``docs/configuration.md``) read with
:mod:`tomllib` and validated into frozen objects. Every mistake is a
:class:`~periscolaire.ConfigurationError` whose ``path`` names the key
(``activities.MERCREDI.capacity``, ``periods[2].opens``...) and whose message
says what was expected and what was found. Unknown keys are errors, never
silently ignored.

>>> import periscolaire as ps
>>> commune = ps.load_commune()          # bundled: Cestas, 2024/2025
>>> commune.name, list(commune.activities)
('Cestas', ['ACCUEIL_MATIN', 'ACCUEIL_SOIR', 'RESTAURATION', 'MERCREDI', 'VACANCES'])
>>> ps.Commune.from_toml('[commune]\\nname = 1\\n')
Traceback (most recent call last):
...
periscolaire.errors.ConfigurationError: commune.name : une chaîne est attendue, reçu un entier (1)
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, tzinfo
from decimal import Decimal, DecimalException
from itertools import pairwise
from os import PathLike
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from periscolaire import toml_writer
from periscolaire.calendar import (
    FRI,
    HOLIDAY_ANCHORS,
    MON,
    THU,
    TUE,
    WEEKDAY_NAMES,
    BeforeHolidayStart,
    BookingPeriod,
    Closure,
    DayOfPreviousMonth,
    DaysBefore,
    DeadlineCase,
    DeadlineRule,
    Earliest,
    Exceptions,
    HolidayAnchor,
    HolidayWindow,
    Latest,
    NoDeadline,
    SchoolCalendar,
    Season,
    WeekdayBefore,
    load_timezone,
)
from periscolaire.errors import ConfigurationError, InvalidAmount, PeriscolaireError, UnknownActivity
from periscolaire.errors import shown as _show
from periscolaire.money import MAX_AMOUNT, money
from periscolaire.tariff import (
    BracketTariff,
    ChildrenRateTariff,
    EffortRateBracketTariff,
    EffortRateTariff,
    Pricing,
    Tariff,
    TimeUnitTariff,
    UnitTariff,
)

__all__ = ["BUNDLED", "WAITING_CRITERIA", "Activity", "Commune", "bundled_communes", "load_commune"]

#: The configuration ``load_commune()`` reads when given no path.
BUNDLED = "cestas-2024-2025.toml"

_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
T = TypeVar("T")

# Bounds of the values a configuration may hold (docs/configuration.md,
# « Limits »): far beyond any commune's needs, and small enough that no date
# arithmetic overflows and that building the calendar stays fast.
#: Every date of a configuration falls within these years.
_FIRST_YEAR, _LAST_YEAR = 2000, 2099
#: Days from the first day of the first period or holiday window to the last
#: day of the last (a school year needs about 310).
_MAX_SPAN = 731
#: ``days_before`` and ``before_holiday_start_days``: at most a year.
_MAX_DAYS = 366
#: Places per day (``capacity``, ``capacity_overrides``).
_MAX_CAPACITY = 100_000
#: Period numbers run from 1 to this.
_MAX_PERIOD_NUMBER = 999
#: ``sibling_rank``: from 1 (every child) to this.
_MAX_SIBLING_RANK = 100
#: Characters of a text value; of a commune name (the store's column holds
#: 100); of an activity code or a porte-monnaie name (the store's holds 64).
_MAX_TEXT, _MAX_NAME, _MAX_CODE = 1000, 100, 64
#: Items of one list or table; activities of a commune.
_MAX_ITEMS, _MAX_ACTIVITIES = 1000, 100
#: Levels of nesting of the data (the bundled file needs 6).
_MAX_DEPTH = 16
#: Characters of a TOML document (the bundled one has about 7,000).
_MAX_TOML = 1_000_000


# --------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------


def _weekday_set(days: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(days)))


def _overrides(
    overrides: Mapping[date, int] | Iterable[tuple[date, int]],
) -> tuple[tuple[date, int], ...]:
    return tuple(sorted(dict(overrides).items()))


def _read_only(activities: Mapping[str, Activity]) -> Mapping[str, Activity]:
    return MappingProxyType(dict(activities))


def _periods(periods: Iterable[BookingPeriod]) -> tuple[BookingPeriod, ...]:
    return tuple(periods)


def _closures(closures: Iterable[Closure]) -> tuple[Closure, ...]:
    return tuple(closures)


def _windows(windows: Iterable[HolidayWindow]) -> tuple[HolidayWindow, ...]:
    return tuple(windows)


def _check_places(places: Any, path: str, what: str = "") -> None:
    if isinstance(places, bool) or not isinstance(places, int) or places < 0:
        raise ConfigurationError(
            path, f"un nombre de places entier positif ou nul est attendu{what}, reçu {_show(places)}"
        )
    if places > _MAX_CAPACITY:
        raise ConfigurationError(
            path,
            f"au plus {_MAX_CAPACITY} places{what}, reçu {_show(places)}",
            code="out_of_range",
        )


def _capacity(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _check_places(value, f"activities.{instance.code}.{attribute.name}")


def _has_control(text: str) -> bool:
    """Whether ``text`` holds a control character (NUL, a line break...): an
    identifier stored as a value (a porte-monnaie, a commune key) never does."""
    return any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)


def _check_rule(rule: Any, path: str) -> None:
    """Bounds of a deadline rule built in code (the TOML reader checks them
    key by key): at most :data:`_MAX_DAYS` days, a cut-off without offset,
    the days of exceptions within the years of a configuration."""
    if isinstance(rule, Exceptions):
        for case in rule.cases:
            for day in (*case.days, case.start, case.end):
                if day is not None:
                    _check_day(day, f"{path}.exceptions")
    leaves = rule.leaves() if hasattr(rule, "leaves") else ()
    for leaf in leaves:
        days = getattr(leaf, "days", None)
        if isinstance(leaf, DaysBefore | BeforeHolidayStart) and isinstance(days, int) and days > _MAX_DAYS:
            key = "days_before" if isinstance(leaf, DaysBefore) else "before_holiday_start_days"
            raise ConfigurationError(
                f"{path}.{key}",
                f"au plus {_MAX_DAYS} jours, reçu {_show(days)}",
                code="out_of_range",
            )
        at = getattr(leaf, "at", None)
        if isinstance(at, time) and at.tzinfo is not None:
            raise ConfigurationError(f"{path}.at", _AWARE_TIME)


#: The criteria a waiting list may be ordered by (``waiting_list_priorities``),
#: with the French words that tell a family why it ranks where it does.
WAITING_CRITERIA: Mapping[str, str] = MappingProxyType(
    {
        "priority": "priorité fixée par le service",
        "resident": "famille de la commune",
        "sibling": "frère ou sœur déjà inscrit ce jour",
    }
)


def _criteria_tuple(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):  # one criterion, not its letters
        return (value,)
    return tuple(value)


def _check_priorities(criteria: tuple[str, ...], waiting_list: bool, path: str) -> None:
    for i, criterion in enumerate(criteria):
        if criterion not in WAITING_CRITERIA:
            raise ConfigurationError(
                f"{path}[{i}]",
                f"critère inconnu {_show(criterion)} (critères permis : {', '.join(sorted(WAITING_CRITERIA))})",
                code="unknown_criterion",
            )
    if len(set(criteria)) != len(criteria):
        raise ConfigurationError(path, f"critère en double dans {_show(list(criteria))}")
    if criteria and not waiting_list:
        raise ConfigurationError(path, "des priorités supposent une liste d'attente (waiting_list = true)")


@attrs.frozen
class Activity:
    """An activity families book: its calendar rules, places and porte-monnaie.

    ``capacity`` is the number of places per day (``None``: unlimited);
    ``capacity_overrides`` gives other numbers for some days. A
    ``waiting_list`` takes requests beyond the places.
    """

    code: str
    label: str
    season: Season = attrs.field(converter=Season)
    weekdays: tuple[int, ...] = attrs.field(converter=_weekday_set)
    deadline: DeadlineRule
    cancel_deadline: DeadlineRule | None = None
    capacity: int | None = attrs.field(default=None, validator=_capacity)
    waiting_list: bool = False
    wallet: str = "PERISCOLAIRE"
    capacity_overrides: tuple[tuple[date, int], ...] = attrs.field(default=(), converter=_overrides)
    tariff: Pricing | None = None
    #: The waiting list's order: criteria from :data:`WAITING_CRITERIA`, the
    #: first one first; first come, first served within a tier (``()``: FIFO).
    waiting_list_priorities: tuple[str, ...] = attrs.field(default=(), converter=_criteria_tuple)

    def __attrs_post_init__(self) -> None:
        path = f"activities.{self.code}"
        if not isinstance(self.code, str) or len(self.code) > _MAX_CODE or not _CODE.fullmatch(self.code):
            raise ConfigurationError(
                path,
                f"un code en majuscules (A-Z, 0-9, _) d'au plus {_MAX_CODE} caractères est attendu",
                code="bad_code",
            )
        if (
            not isinstance(self.wallet, str)
            or not self.wallet.strip()
            or len(self.wallet) > _MAX_CODE
            or _has_control(self.wallet)
        ):
            raise ConfigurationError(
                f"{path}.wallet",
                f"un nom de porte-monnaie non vide d'au plus {_MAX_CODE} caractères, sans caractère "
                f"de contrôle, est attendu, reçu {_kind(self.wallet)}",
            )
        _check_rule(self.deadline, f"{path}.deadline")
        _check_rule(self.cancel_deadline, f"{path}.cancel_deadline")
        if not self.weekdays or any(d not in range(7) for d in self.weekdays):
            raise ConfigurationError(f"{path}.weekdays", "des jours de semaine (mon...sun) sont attendus")
        if self.waiting_list and self.capacity is None:
            raise ConfigurationError(
                f"{path}.waiting_list",
                "une liste d'attente suppose un nombre de places (capacity)",
            )
        for day, places in self.capacity_overrides:
            _check_day(day, f"{path}.capacity_overrides")
            _check_places(places, f"{path}.capacity_overrides", f" pour le {day}")
        _check_priorities(self.waiting_list_priorities, self.waiting_list, f"{path}.waiting_list_priorities")

    def capacity_on(self, day: date) -> int | None:
        """Places for ``day`` (``None``: unlimited)."""
        for override_day, places in self.capacity_overrides:
            if override_day == day:
                return places
        return self.capacity


@attrs.frozen(unsafe_hash=False)
class Commune:
    """A commune's whole configuration. Build it with :func:`load_commune`,
    :meth:`from_toml` or :meth:`from_dict`; ``calendar`` is computed on first use.
    """

    name: str
    activities: Mapping[str, Activity] = attrs.field(converter=_read_only)
    periods: tuple[BookingPeriod, ...] = attrs.field(converter=_periods)
    holiday_zone: str = "A"
    timezone: str = "Europe/Paris"
    structure: str = ""
    school_year: int | None = None
    school_weekdays: tuple[int, ...] = (MON, TUE, THU, FRI)
    dossier_deadline: date | None = None
    #: The dossier campaign's first day (« entre le 19 juin et le 16 août », p. 15).
    dossier_opens: date | None = None
    #: Days an expired insurance still grants booking access (0: none).
    insurance_grace_days: int = 31
    closures: tuple[Closure, ...] = attrs.field(default=(), converter=_closures)
    holiday_windows: tuple[HolidayWindow, ...] = attrs.field(default=(), converter=_windows)
    key: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigurationError("commune.name", "un nom de commune non vide est attendu")
        if len(self.name) > _MAX_NAME:
            raise ConfigurationError(
                "commune.name", f"au plus {_MAX_NAME} caractères, reçu {len(self.name)}", code="too_long"
            )
        if self.key and (len(self.key) > 64 or self.key != self.key.strip() or _has_control(self.key)):
            raise ConfigurationError(
                "commune.key",
                "au plus 64 caractères, sans espace au début ni à la fin ni caractère de contrôle",
                code="bad_key",
            )
        if self.holiday_zone not in ("A", "B", "C"):
            raise ConfigurationError(
                "commune.holiday_zone", f"zone A, B ou C attendue, reçu {self.holiday_zone!r}"
            )
        _timezone(self.timezone, "commune.timezone")
        if self.school_year is not None:
            _year(self.school_year, "commune.school_year")
        if self.dossier_deadline is not None:
            _check_day(self.dossier_deadline, "commune.dossier_deadline")
        if self.dossier_opens is not None:
            _check_day(self.dossier_opens, "commune.dossier_opens")
            if self.dossier_deadline is not None and self.dossier_opens > self.dossier_deadline:
                raise ConfigurationError("commune.dossier_opens", "la campagne ouvre après sa date limite")
        _grace(self.insurance_grace_days, "commune.insurance_grace_days")
        for i, period in enumerate(self.periods):
            for key in ("opens", "start", "end"):
                _check_day(getattr(period, key), f"periods[{i}].{key}")
        for i, closure in enumerate(self.closures):
            _check_day(closure.start, f"closures[{i}].start")
            _check_day(closure.end, f"closures[{i}].end")
        for i, window in enumerate(self.holiday_windows):
            for key in ("start", "end", "opens"):
                if getattr(window, key) is not None:
                    _check_day(getattr(window, key), f"holiday_windows[{i}].{key}")
            if window.opens is not None and window.opens > window.start:
                raise ConfigurationError(
                    f"holiday_windows[{i}].opens",
                    f"les réservations ouvrent le {window.opens}, après le début des vacances ({window.start})",
                    code="opens_after_start",
                )
        _check_span(self.periods, self.holiday_windows)
        if not self.activities:
            raise ConfigurationError("activities", "au moins une activité est attendue")
        if len(self.activities) > _MAX_ACTIVITIES:
            raise ConfigurationError(
                "activities",
                f"au plus {_MAX_ACTIVITIES} activités, reçu {len(self.activities)}",
                code="too_long",
            )
        for code, activity in self.activities.items():
            if code != activity.code:
                raise ConfigurationError(f"activities.{code}", f"le code {activity.code!r} diffère de la clé")
        _check_periods(self.periods)
        for i, closure in enumerate(self.closures):
            if closure.end < closure.start:
                raise ConfigurationError(f"closures[{i}].end", "la fin précède le début")
            for j, code in enumerate(closure.activities):
                if code not in self.activities:
                    raise ConfigurationError(
                        f"closures[{i}].activities[{j}]",
                        f"activité inconnue {code!r} (activités : {', '.join(self.activities)})",
                        code="unknown_activity",
                    )
        windows = sorted(enumerate(self.holiday_windows), key=lambda iw: iw[1].start)
        for i, window in windows:
            if window.end < window.start:
                raise ConfigurationError(f"holiday_windows[{i}].end", "la fin précède le début")
        for (i, window), (j, following) in pairwise(windows):
            if following.start <= window.end:
                raise ConfigurationError(
                    f"holiday_windows[{j}]", f"chevauche holiday_windows[{i}]", code="overlap"
                )

    def __repr__(self) -> str:
        return (
            f"Commune(name={self.name!r}, zone={self.holiday_zone!r}, "
            f"activities={list(self.activities)!r}, periods={len(self.periods)})"
        )

    @functools.cached_property
    def calendar(self) -> SchoolCalendar:
        """The school calendar of this configuration (built once)."""
        return SchoolCalendar(
            zone=self.holiday_zone,
            periods=self.periods,
            activities=self.activities.values(),
            closures=self.closures,
            holiday_windows=self.holiday_windows,
            timezone=self.timezone,
        )

    @property
    def store_key(self) -> str:
        """The commune's key in a store shared by several communes (every
        stored row carries it): ``[commune] key``, else its name. Keep it
        when a new school year's file replaces the old one."""
        return self.key or self.name

    @property
    def structure_name(self) -> str:
        """The name of the structure in e-mails (« sur la structure : ... »)."""
        return self.structure or f"Mairie de {self.name}"

    def activity(self, code: str) -> Activity:
        """The activity with this code, or :class:`~periscolaire.UnknownActivity`."""
        try:
            return self.activities[code]
        except KeyError:
            raise UnknownActivity(code) from None

    # -- named constructors ---------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Commune:
        """Validate a parsed TOML document (a mapping) into a commune."""
        _check_shape(data)
        commune = _parse(_Table(data, ""))
        commune.calendar  # noqa: B018 - building it checks the deadline rules
        return commune

    @classmethod
    def from_toml(cls, text: str) -> Commune:
        """Parse and validate a TOML document."""
        import tomllib

        if not isinstance(text, str):
            raise ConfigurationError("", f"un texte TOML est attendu, reçu {_kind(text)}")
        if len(text) > _MAX_TOML:
            raise ConfigurationError(
                "", f"au plus {_MAX_TOML} caractères de TOML, reçu {len(text)}", code="too_long"
            )
        try:
            data = tomllib.loads(text)
        except RecursionError:
            raise ConfigurationError(
                "", f"TOML imbriqué trop profondément (au plus {_MAX_DEPTH} niveaux)", code="too_deep"
            ) from None
        except ValueError as exc:  # TOMLDecodeError, or an integer of thousands of digits
            raise ConfigurationError("", f"TOML invalide : {exc}", code="toml_syntax") from None
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The configuration as TOML-ready data; ``from_dict(to_dict())`` is equal."""
        return _dump(self)

    def to_toml(self) -> str:
        """The configuration as a TOML document."""
        return _toml(self.to_dict())


#: What a bundled configuration's name looks like (``cestas-2026-2027``): a
#: string of this shape is looked up among them before it is taken for a path.
_BUNDLED_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def bundled_communes() -> tuple[str, ...]:
    """Names of the configurations shipped with the library, for
    ``load_commune(name)`` and ``--commune NAME``.

    >>> bundled_communes()
    ('cestas-2024-2025', 'cestas-2025-2026', 'cestas-2026-2027')
    """
    from importlib.resources import files

    names = (entry.name for entry in files("periscolaire").joinpath("data").iterdir())
    return tuple(sorted(n.removesuffix(".toml") for n in names if n.endswith(".toml")))


def _bundled_text(name: str) -> str:
    from importlib.resources import files

    return files("periscolaire").joinpath("data", f"{name}.toml").read_text(encoding="utf-8")


def load_commune(path: str | PathLike[str] | None = None) -> Commune:
    """Load a commune from a TOML file, or a bundled configuration by name
    (:func:`bundled_communes`: ``"cestas-2026-2027"``); with no path, the
    bundled Cestas 2024/2025, the guide's year.

    A name of lower-case letters, digits and hyphens (no dot, no slash) is a
    bundled configuration's when one has it, else a file's.

    >>> load_commune("cestas-2026-2027").school_year
    2026
    >>> load_commune("nowhere.toml")
    Traceback (most recent call last):
    ...
    periscolaire.errors.ConfigurationError: fichier de configuration introuvable : nowhere.toml
    >>> load_commune("cestas-2031-2032")
    Traceback (most recent call last):
    ...
    periscolaire.errors.ConfigurationError: fichier de configuration introuvable : cestas-2031-2032 (configurations livrées : ...)
    """
    if path is None:
        text = _bundled_text(BUNDLED.removesuffix(".toml"))
    elif isinstance(path, str) and _BUNDLED_NAME.fullmatch(path) and path in bundled_communes():
        text = _bundled_text(path)
    else:
        try:
            text = _read_file(_file_path(path))
        except ConfigurationError as exc:
            if exc.code != "file_not_found" or not (isinstance(path, str) and _BUNDLED_NAME.fullmatch(path)):
                raise
            raise ConfigurationError(
                "",
                f"{exc.message} (configurations livrées : {', '.join(bundled_communes())} ; "
                "une autre année : periscolaire init)",
                code="file_not_found",
            ) from None
    return Commune.from_toml(text)


def _file_path(path: Any) -> str:
    """``path`` as a file name, or ``bad_path`` (never a file descriptor, bytes or a NUL)."""
    name = os.fspath(path) if isinstance(path, PathLike) else path
    if not isinstance(name, str):
        raise ConfigurationError("", f"un chemin de fichier est attendu, reçu {_kind(path)}", code="bad_path")
    if not name or "\x00" in name:
        raise ConfigurationError("", f"chemin de fichier invalide : {_show(name)}", code="bad_path")
    return name


def _read_file(path: str) -> str:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a directory, a FIFO, a device (/dev/zero)...
            raise ConfigurationError(
                "", f"fichier de configuration illisible : {path} (pas un fichier)", code="file_unreadable"
            )
        with open(path, encoding="utf-8") as fh:
            text = fh.read(_MAX_TOML + 1)
    except FileNotFoundError:
        raise ConfigurationError(
            "", f"fichier de configuration introuvable : {path}", code="file_not_found"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            "", f"fichier de configuration illisible : {path} ({exc})", code="file_unreadable"
        ) from None
    if len(text) > _MAX_TOML:
        raise ConfigurationError(
            "",
            f"fichier de configuration trop long : {path} (au plus {_MAX_TOML} caractères)",
            code="too_long",
        )
    return text


def _check_span(periods: tuple[BookingPeriod, ...], windows: tuple[HolidayWindow, ...]) -> None:
    """The days a calendar covers: at most :data:`_MAX_SPAN` (two school years)."""
    spans = [(p.start, p.end, f"periods[{i}]") for i, p in enumerate(periods)]
    spans += [(w.start, w.end, f"holiday_windows[{i}]") for i, w in enumerate(windows)]
    if not spans:
        return
    first = min(start for start, _, _ in spans)
    for _, end, path in spans:
        if (end - first).days >= _MAX_SPAN:
            raise ConfigurationError(
                f"{path}.end",
                f"les périodes et fenêtres de vacances couvrent au plus {_MAX_SPAN} jours, "
                f"reçu du {first} au {end}",
                code="out_of_range",
            )


def _check_periods(periods: tuple[BookingPeriod, ...]) -> None:
    if not periods:
        raise ConfigurationError("periods", "au moins une période de réservation est attendue")
    numbers = [p.number for p in periods]
    for i, period in enumerate(periods):
        path = f"periods[{i}]"
        if period.end < period.start:
            raise ConfigurationError(
                f"{path}.end", f"la fin ({period.end}) précède le début ({period.start})"
            )
        if period.opens > period.start:
            raise ConfigurationError(
                f"{path}.opens",
                f"la période ouvre le {period.opens}, après son premier jour ({period.start})",
                code="opens_after_start",
            )
        if numbers.count(period.number) > 1:
            raise ConfigurationError(f"{path}.number", f"numéro {period.number} en double")
    ordered = sorted(enumerate(periods), key=lambda ip: ip[1].start)
    for (i, a), (j, b) in pairwise(ordered):
        if b.start <= a.end:
            raise ConfigurationError(
                f"periods[{j}]",
                f"chevauche periods[{i}] (du {a.start} au {a.end})",
                code="overlap",
            )


# --------------------------------------------------------------------------
# Reading TOML data
# --------------------------------------------------------------------------

_MISSING: Any = object()


class _Table:
    """A TOML table being read: tracks its path and the keys used."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ConfigurationError(path, f"une table est attendue, reçu {_kind(data)}")
        self.data = data
        self.path = path
        self.used: set[str] = set()

    def sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, parse: Callable[[Any, str], T], default: Any = _MISSING) -> T:
        self.used.add(key)
        if key not in self.data:
            if default is _MISSING:
                raise ConfigurationError(self.sub(key), "clé obligatoire manquante", code="missing_key")
            return default  # type: ignore[no-any-return]
        return parse(self.data[key], self.sub(key))

    def table(self, key: str, *, required: bool = False) -> _Table:
        self.used.add(key)
        if key not in self.data:
            if required:
                raise ConfigurationError(self.sub(key), "table obligatoire manquante", code="missing_key")
            return _Table({}, self.sub(key))
        return _Table(self.data[key], self.sub(key))

    def tables(self, key: str) -> list[_Table]:
        self.used.add(key)
        items = self.data.get(key, [])
        if not isinstance(items, list):
            raise ConfigurationError(
                self.sub(key), f"une liste de tables ([[{key}]]) est attendue, reçu {_kind(items)}"
            )
        return [_Table(item, f"{self.sub(key)}[{i}]") for i, item in enumerate(items)]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigurationError(
                self.sub(unknown[0]),
                f"clé inconnue (clés permises : {', '.join(sorted(self.used))})",
                code="unknown_key",
            )


def _kind(value: Any) -> str:
    names = {
        bool: "un booléen",
        int: "un entier",
        float: "un nombre décimal",
        str: "une chaîne",
        list: "une liste",
        dict: "une table",
        date: "une date",
        datetime: "une date et heure",
        time: "une heure",
    }
    return f"{names.get(type(value), type(value).__name__)} ({_show(value)})"


def _check_shape(data: Any) -> None:
    """Data a configuration can be made of: text keys, at most
    :data:`_MAX_DEPTH` levels of tables and lists, at most :data:`_MAX_ITEMS`
    items in each (a cycle is too deep). Checked before anything is read,
    without recursion."""
    budget = _MAX_ITEMS * 100  # values in all: shared lists cannot multiply the work
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if not isinstance(value, Mapping | list | tuple):
            continue
        if depth >= _MAX_DEPTH:
            raise ConfigurationError(
                path, f"données imbriquées trop profondément (au plus {_MAX_DEPTH} niveaux)", code="too_deep"
            )
        if len(value) > _MAX_ITEMS:
            raise ConfigurationError(
                path, f"au plus {_MAX_ITEMS} éléments, reçu {len(value)}", code="too_long"
            )
        budget -= len(value)
        if budget < 0:
            raise ConfigurationError(
                path, f"configuration trop volumineuse (au plus {_MAX_ITEMS * 100} valeurs)", code="too_long"
            )
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ConfigurationError(path, f"une clé textuelle est attendue, reçu {_kind(key)}")
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        else:
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))


def _text(maximum: int) -> Callable[[Any, str], str]:
    def parse(value: Any, path: str) -> str:
        return _str(value, path, maximum)

    return parse


def _str(value: Any, path: str, maximum: int = _MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(path, f"une chaîne est attendue, reçu {_kind(value)}")
    if len(value) > maximum:
        raise ConfigurationError(path, f"au plus {maximum} caractères, reçu {len(value)}", code="too_long")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigurationError(
            path, f"un texte Unicode valide est attendu (demi-paire de substitution), reçu {_show(value)}"
        ) from None
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(path, f"true ou false est attendu, reçu {_kind(value)}")
    return value


def _int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(path, f"un entier est attendu, reçu {_kind(value)}")
    return value


def _grace(value: Any, path: str) -> int:
    n = _int(value, path)
    if not 0 <= n <= 366:
        raise ConfigurationError(path, f"de 0 à 366 jours, reçu {_show(n)}", code="out_of_range")
    return n


def _natural(value: Any, path: str) -> int:
    n = _int(value, path)
    if n < 0:
        raise ConfigurationError(path, f"un entier positif ou nul est attendu, reçu {_show(n)}")
    return n


def _at_most(maximum: int, unit: str) -> Callable[[Any, str], int]:
    """A parser of integers from 0 to ``maximum`` (``unit``: what they count)."""

    def parse(value: Any, path: str) -> int:
        n = _natural(value, path)
        if n > maximum:
            raise ConfigurationError(path, f"au plus {maximum} {unit}, reçu {_show(n)}", code="out_of_range")
        return n

    return parse


def _between(low: int, high: int) -> Callable[[Any, str], int]:
    def parse(value: Any, path: str) -> int:
        n = _int(value, path)
        if not low <= n <= high:
            raise ConfigurationError(
                path, f"un entier de {low} à {high} est attendu, reçu {_show(n)}", code="out_of_range"
            )
        return n

    return parse


_days = _at_most(_MAX_DAYS, "jours")
_places = _at_most(_MAX_CAPACITY, "places")


_year = _between(_FIRST_YEAR, _LAST_YEAR)


def _check_day(value: Any, path: str) -> date:
    """A date (not a datetime) within :data:`_FIRST_YEAR`..:data:`_LAST_YEAR`."""
    if type(value) is not date:
        raise ConfigurationError(path, f"une date AAAA-MM-JJ est attendue, reçu {_kind(value)}")
    if not _FIRST_YEAR <= value.year <= _LAST_YEAR:
        raise ConfigurationError(
            path,
            f"une date de {_FIRST_YEAR} à {_LAST_YEAR} est attendue, reçu {value.isoformat()}",
            code="out_of_range",
        )
    return value


def _date(value: Any, path: str) -> date:
    return _check_day(value, path)


_AWARE_TIME = (
    'une heure locale sans décalage est attendue (10:00:00 ou "10:00") : '
    "l'heure limite s'entend dans le fuseau de la commune"
)


def _time(value: Any, path: str) -> time:
    found: time | None = None
    if isinstance(value, time):
        found = value
    elif isinstance(value, str) and len(value) <= 40:
        with contextlib.suppress(ValueError):
            found = time.fromisoformat(value)
    if found is None:
        raise ConfigurationError(path, f"une heure HH:MM est attendue, reçu {_kind(value)}")
    if found.tzinfo is not None:
        raise ConfigurationError(path, _AWARE_TIME)
    return found


def _timezone(value: Any, path: str) -> str:
    """An IANA time zone name that :mod:`zoneinfo` finds (see
    :func:`~periscolaire.calendar.load_timezone`)."""
    if isinstance(value, str):
        try:
            load_timezone(value)
        except ValueError:
            pass
        else:
            return value
    raise ConfigurationError(
        path, f"un fuseau horaire IANA est attendu (comme « Europe/Paris »), reçu {_kind(value)}"
    )


def _opens(value: Any, path: str, tz: tzinfo) -> tuple[date, time]:
    """When a period opens: a date (midnight), a local datetime, or an offset
    datetime, whose instant is honoured: it becomes the commune's local time."""
    if not isinstance(value, datetime):
        return _date(value, path), time(0)
    _check_day(value.date(), path)
    if value.tzinfo is not None:
        try:
            offset = value.utcoffset()
        except (ValueError, TypeError, OverflowError):
            offset = None
        if offset is None:
            raise ConfigurationError(path, f"un décalage horaire valide est attendu, reçu {_kind(value)}")
        instant = value.astimezone(tz)
        local = instant.replace(tzinfo=None)
        if local.replace(tzinfo=tz, fold=0).utcoffset() != instant.utcoffset():
            raise ConfigurationError(
                path,
                f"{value.isoformat()} tombe au second passage de l'heure répétée au changement d'heure "
                f"({local:%d/%m/%Y %H:%M} à {tz}) : écrivez une heure locale",
            )
        _check_day(local.date(), path)
        value = local
    return value.date(), value.time()


def _weekday(value: Any, path: str) -> int:
    if isinstance(value, str) and value.lower() in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(value.lower())
    raise ConfigurationError(
        path, f"un jour parmi {', '.join(WEEKDAY_NAMES)} est attendu, reçu {_kind(value)}"
    )


def _weekdays(value: Any, path: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigurationError(path, f"une liste non vide de jours est attendue, reçu {_kind(value)}")
    days = tuple(_weekday(v, f"{path}[{i}]") for i, v in enumerate(value))
    if len(set(days)) != len(days):
        raise ConfigurationError(path, "jour en double")
    return days


def _strings(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigurationError(path, f"une liste est attendue, reçu {_kind(value)}")
    return tuple(_str(v, f"{path}[{i}]") for i, v in enumerate(value))


_SIMPLE_KEYS = ("days_before", "before_holiday_start_days", "weekday_before", "day_of_previous_month")
_RULE_KEYS = (*_SIMPLE_KEYS, "none", "earliest", "latest")
_weeks = _between(1, 52)


def _deadline(value: Any, path: str) -> DeadlineRule:
    """A deadline rule: ``"none"``, or a table holding exactly one of
    :data:`_RULE_KEYS` and, optionally, ``exceptions``."""
    if isinstance(value, str):
        if value == "none":
            return NoDeadline()
        raise ConfigurationError(
            path, f'"none" ou une table de règle est attendu, reçu {_kind(value)}', code="bad_deadline"
        )
    table = _Table(value, path)
    kinds = [k for k in _RULE_KEYS if k in table.data]
    if len(kinds) != 1:
        raise ConfigurationError(
            path,
            f"exactement une règle parmi {', '.join(_RULE_KEYS)} est attendue, reçu {_show(sorted(table.data))}",
            code="bad_deadline",
        )
    kind = kinds[0]
    rule: DeadlineRule
    try:
        if kind in ("earliest", "latest"):
            rules = table.get(kind, _deadline_list)
            rule = Earliest(rules) if kind == "earliest" else Latest(rules)
        elif kind == "none":
            if table.get(kind, _bool) is not True:
                raise ConfigurationError(table.sub(kind), "seul true est permis", code="bad_deadline")
            rule = NoDeadline()
        else:
            rule = _simple_rule(table, kind)
        if "exceptions" in table.data:
            cases = [_deadline_case(row) for row in table.tables("exceptions")]
            if not cases:
                raise ConfigurationError(table.sub("exceptions"), "au moins une exception est attendue")
            rule = Exceptions(rule, cases)
    except ValueError as exc:
        if isinstance(exc, ConfigurationError):
            raise
        raise ConfigurationError(
            path, f"règle impossible à respecter : {str(exc).rstrip('.')}", code="deadline_never_met"
        ) from None
    table.done()
    return rule


def _simple_rule(table: _Table, kind: str) -> DeadlineRule:
    at = table.get("at", _time, None)
    if kind == "days_before":
        return DaysBefore(
            table.get(kind, _days),
            at=at,
            working_days=table.get("working_days", _bool, False),
            skip_weekends=table.get("skip_weekends", _bool, False),
            skip_public_holidays=table.get("skip_public_holidays", _bool, False),
            skip_weekdays=table.get("skip_weekdays", _weekdays, ()),
        )
    if kind == "before_holiday_start_days":
        anchor = table.get("anchor", _holiday_anchor, "holiday_start")
        return BeforeHolidayStart(table.get(kind, _days), at=at, anchor=anchor)
    if kind == "weekday_before":
        return WeekdayBefore(table.get(kind, _weekday), at=at, weeks=table.get("weeks", _weeks, None))
    return DayOfPreviousMonth(table.get(kind, _day_of_month), at=at)


def _deadline_list(value: Any, path: str) -> tuple[DeadlineRule, ...]:
    """The rules of ``earliest`` or ``latest``: a list of at least two."""
    if not isinstance(value, list) or len(value) < 2:
        raise ConfigurationError(
            path, f"une liste d'au moins deux règles est attendue, reçu {_kind(value)}", code="bad_deadline"
        )
    return tuple(_deadline(item, f"{path}[{i}]") for i, item in enumerate(value))


def _deadline_case(row: _Table) -> DeadlineCase:
    """One item of ``exceptions``: ``rule`` and which days (``days``,
    ``start``/``end``, ``periods``)."""
    numbers = _between(1, _MAX_PERIOD_NUMBER)
    periods = [numbers(v, f"{row.sub('periods')}[{i}]") for i, v in enumerate(row.get("periods", _list, []))]
    rule = row.get("rule", _deadline)
    days = row.get("days", _date_list, ())
    start, end = row.get("start", _date, None), row.get("end", _date, None)
    try:
        case = DeadlineCase(rule, days=days, start=start, end=end, periods=periods)
    except ValueError as exc:
        raise ConfigurationError(
            row.path,
            f"exception mal formée : {str(exc).rstrip('.')}",
            code="bad_deadline",
        ) from None
    row.done()
    return case


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigurationError(path, f"une liste est attendue, reçu {_kind(value)}")
    return value


def _date_list(value: Any, path: str) -> tuple[date, ...]:
    return tuple(_date(v, f"{path}[{i}]") for i, v in enumerate(_list(value, path)))


def _holiday_anchor(value: Any, path: str) -> HolidayAnchor:
    """``anchor`` of ``before_holiday_start_days``: ``"holiday_start"`` (the
    official start of the holidays, the default) or ``"first_day"`` (the
    first day the activity runs in them)."""
    for anchor in HOLIDAY_ANCHORS:
        if value == anchor:
            return anchor
    raise ConfigurationError(path, f'"holiday_start" ou "first_day" est attendu, reçu {_kind(value)}')


def _day_of_month(value: Any, path: str) -> int:
    day = _int(value, path)
    if not 1 <= day <= 31:
        raise ConfigurationError(path, f"un jour du mois de 1 à 31 est attendu, reçu {_show(day)}")
    return day


def _criteria(value: Any, path: str) -> tuple[str, ...]:
    """``waiting_list_priorities``: a list of criteria (checked by :class:`Activity`)."""
    if not isinstance(value, list):
        raise ConfigurationError(
            path,
            f"une liste de critères ({', '.join(sorted(WAITING_CRITERIA))}) est attendue, reçu {_kind(value)}",
        )
    return tuple(_str(v, f"{path}[{i}]", _MAX_CODE) for i, v in enumerate(value))


def _activity(table: _Table, code: str, school_weekdays: tuple[int, ...]) -> Activity:
    season = table.get("season", _season, Season.SCHOOL)
    default_days = school_weekdays if season == Season.SCHOOL else (0, 1, 2, 3, 4)
    overrides = []
    for row in table.tables("capacity_overrides"):
        overrides.append((row.get("day", _date), row.get("capacity", _places)))
        row.done()
    activity = Activity(
        code=code,
        label=table.get("label", _str, code.replace("_", " ")),
        season=season,
        weekdays=table.get("weekdays", _weekdays, default_days),
        deadline=table.get("deadline", _deadline),
        cancel_deadline=table.get("cancel_deadline", _deadline, None),
        capacity=table.get("capacity", _places, None),
        waiting_list=table.get("waiting_list", _bool, False),
        wallet=table.get("wallet", _text(_MAX_CODE), "PERISCOLAIRE"),
        waiting_list_priorities=table.get("waiting_list_priorities", _criteria, ()),
        capacity_overrides=overrides,
        tariff=_pricing(table.table("tariff")) if "tariff" in table.data else None,
    )
    if len({d for d, _ in overrides}) != len(overrides):
        raise ConfigurationError(table.sub("capacity_overrides"), "jour en double")
    table.done()
    return activity


def _amount(value: Any, path: str) -> Decimal:
    """A decimal number written as a string ("2.40") or an integer, finite and
    at most :data:`~periscolaire.money.MAX_AMOUNT` either way; TOML floats
    are refused: they are binary fractions, not cents."""
    if isinstance(value, bool | float):
        raise ConfigurationError(
            path, f'écrivez les montants et taux entre guillemets ("2.40"), reçu {_kind(value)}'
        )
    number: Decimal | None = None
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str) and len(value) <= 100:
        try:
            number = Decimal(value.strip())
        except DecimalException:  # not a number, or beyond Decimal's exponents (1e9999999999)
            number = None
    if number is None or not number.is_finite():
        raise ConfigurationError(path, f"un nombre décimal entre guillemets est attendu, reçu {_kind(value)}")
    if number.copy_abs() > MAX_AMOUNT:  # quietly: abs() would round, and trap beyond Emax
        raise ConfigurationError(
            path, f"au plus {MAX_AMOUNT} est attendu, reçu {_show(number)}", code="too_large"
        )
    return number.copy_abs() if number == 0 else number  # "-0" is 0


def _price(value: Any, path: str) -> Decimal:
    """An amount in euros: to the cent, positive or zero."""
    number = _amount(value, path)
    try:
        price = money(number, path.rsplit(".", 1)[-1])
    except InvalidAmount as exc:
        raise ConfigurationError(path, exc.message, code=exc.code) from None
    if price < 0:
        raise ConfigurationError(
            path, f"un montant positif ou nul est attendu, reçu {price}", code="negative_price"
        )
    return price


def _qf(value: Any, path: str) -> Decimal:
    number = _amount(value, path)
    if number < 0:
        raise ConfigurationError(
            path, f"un quotient familial positif ou nul est attendu, reçu {number}", code="out_of_range"
        )
    return number


def _fraction(value: Any, path: str) -> Decimal:
    """A rate or a reduction: from 0 to 1 ("0.10" is 10 %)."""
    number = _amount(value, path)
    if not 0 <= number <= 1:
        raise ConfigurationError(
            path, f'un taux de 0 à 1 est attendu ("0.10" pour 10 %), reçu {number}', code="out_of_range"
        )
    return number


def _brackets(value: Any, path: str) -> tuple[tuple[Decimal, Decimal], ...]:
    if not isinstance(value, list) or not value:
        raise ConfigurationError(path, f"une liste de [qf_from, prix] est attendue, reçu {_kind(value)}")
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != 2:
            raise ConfigurationError(
                f"{path}[{i}]", f"une paire [qf_from, prix] est attendue, reçu {_kind(row)}"
            )
        rows.append((_qf(row[0], f"{path}[{i}][0]"), _price(row[1], f"{path}[{i}][1]")))
    return tuple(rows)


def _adjustment(value: Any, path: str) -> Decimal:
    """An amount added after the floor and the ceiling: to the cent, may be negative."""
    number = _amount(value, path)
    try:
        return money(number, path.rsplit(".", 1)[-1])
    except InvalidAmount as exc:
        raise ConfigurationError(path, exc.message, code=exc.code) from None


def _effort_brackets(value: Any, path: str) -> tuple[tuple[Decimal, EffortRateTariff], ...]:
    """``effort_brackets``: a list of tables ``{ qf_from, rate, floor, ceiling,
    adjustment }`` (inline, or ``[[...tariff.effort_brackets]]``)."""
    if not isinstance(value, list) or not value:
        raise ConfigurationError(
            path, f"une liste de tables {{ qf_from, rate, floor, ceiling }} est attendue, reçu {_kind(value)}"
        )
    rows = []
    for i, item in enumerate(value):
        row = _Table(item, f"{path}[{i}]")
        low = row.get("qf_from", _qf)
        try:
            tariff = EffortRateTariff(
                rate=row.get("rate", _fraction),
                floor=row.get("floor", _price),
                ceiling=row.get("ceiling", _price),
                adjustment=row.get("adjustment", _adjustment, Decimal(0)),
            )
        except ConfigurationError:
            raise
        except PeriscolaireError as exc:
            raise ConfigurationError(row.path, exc.message, code=exc.code) from None
        row.done()
        rows.append((low, tariff))
    return tuple(rows)


def _children_rates(value: Any, path: str) -> tuple[tuple[int, Decimal], ...]:
    if not isinstance(value, list) or not value:
        raise ConfigurationError(path, f"une liste de [enfants, taux] est attendue, reçu {_kind(value)}")
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != 2:
            raise ConfigurationError(
                f"{path}[{i}]", f"une paire [enfants, taux] est attendue, reçu {_kind(row)}"
            )
        rows.append(
            (_between(1, _MAX_SIBLING_RANK)(row[0], f"{path}[{i}][0]"), _fraction(row[1], f"{path}[{i}][1]"))
        )
    return tuple(rows)


#: The keys that choose a tariff's kind (exactly one per tariff).
_TARIFF_KINDS = ("brackets", "effort_rate", "effort_brackets", "children_rates")


def _unit_tariff(table: _Table, cost: Decimal | None) -> UnitTariff:
    kinds = [kind for kind in _TARIFF_KINDS if kind in table.data]
    if len(kinds) != 1:
        found = f", reçu {' et '.join(kinds)}" if kinds else ""
        raise ConfigurationError(
            table.path,
            f"une seule des clés brackets, effort_rate, effort_brackets ou children_rates est attendue{found}",
            code="bad_tariff",
        )
    kind = kinds[0]
    if kind == "brackets":
        return BracketTariff(table.get("brackets", _brackets), cost_price=cost)
    if kind == "effort_rate":
        return EffortRateTariff(
            rate=table.get("effort_rate", _fraction),
            floor=table.get("floor", _price),
            ceiling=table.get("ceiling", _price),
            cost_price=cost,
            adjustment=table.get("adjustment", _adjustment, Decimal(0)),
        )
    if kind == "effort_brackets":
        return EffortRateBracketTariff(table.get("effort_brackets", _effort_brackets), cost_price=cost)
    return ChildrenRateTariff(
        table.get("children_rates", _children_rates),
        floor=table.get("resources_floor", _price),
        ceiling=table.get("resources_ceiling", _price),
        cost_price=cost,
        adjustment=table.get("adjustment", _adjustment, Decimal(0)),
    )


def _time_unit_name(value: Any, path: str) -> str:
    if value in ("hour", "half_hour", "quarter_hour"):
        return str(value)
    raise ConfigurationError(path, f'"hour", "half_hour" ou "quarter_hour" est attendu, reçu {_kind(value)}')


def _pricing(table: _Table) -> Pricing:
    cost = table.get("cost_price", _price, None)
    tariff: Tariff
    try:
        tariff = _unit_tariff(table, cost)
        if "time_unit" in table.data:
            tariff = TimeUnitTariff(
                tariff,
                unit=table.get("time_unit", _time_unit_name),
                opens=table.get("opens", _time),
                closes=table.get("closes", _time),
                minimum_units=table.get("minimum_units", _between(0, 24 * 60), 1),
            )
        pricing = Pricing(
            tariff,
            non_resident=table.get("non_resident", _price, None),
            sibling_reduction=table.get("sibling_reduction", _fraction, Decimal(0)),
            sibling_rank=table.get("sibling_rank", _between(1, _MAX_SIBLING_RANK), 3),
            late_surcharge=table.get("late_surcharge", _price, Decimal(0)),
            unbooked_presence=table.get("unbooked_presence", _price, None),
        )
    except ConfigurationError:
        raise
    except PeriscolaireError as exc:
        raise ConfigurationError(table.path, exc.message, code=exc.code) from None
    table.done()
    return pricing


def _season(value: Any, path: str) -> Season:
    try:
        return Season(value)
    except ValueError:
        raise ConfigurationError(path, f'"school" ou "holidays" est attendu, reçu {_kind(value)}') from None


def _parse(root: _Table) -> Commune:
    head = root.table("commune", required=True)
    school_weekdays = head.get("school_weekdays", _weekdays, (MON, TUE, THU, FRI))
    fields: dict[str, Any] = {
        "name": head.get("name", _text(_MAX_NAME)),
        "key": head.get("key", _str, ""),
        "structure": head.get("structure", _str, ""),
        "timezone": head.get("timezone", _timezone, "Europe/Paris"),
        "holiday_zone": head.get("holiday_zone", _str, "A"),
        "school_year": head.get("school_year", _year, None),
        "school_weekdays": school_weekdays,
        "dossier_deadline": head.get("dossier_deadline", _date, None),
        "dossier_opens": head.get("dossier_opens", _date, None),
        "insurance_grace_days": head.get("insurance_grace_days", _grace, 31),
    }
    head.done()
    activities_table = root.table("activities", required=True)
    activities = {}
    for code in activities_table.data:
        activities[code] = _activity(activities_table.table(code), code, school_weekdays)
    activities_table.done()
    tz = load_timezone(fields["timezone"])
    periods = []
    for i, row in enumerate(root.tables("periods")):
        opens, opens_time = row.get("opens", lambda v, p: _opens(v, p, tz))
        periods.append(
            BookingPeriod(
                row.get("number", _between(1, _MAX_PERIOD_NUMBER), i + 1),
                opens=opens,
                start=row.get("start", _date),
                end=row.get("end", _date),
                opens_time=opens_time,
            )
        )
        row.done()
    closures = []
    for row in root.tables("closures"):
        start = row.get("start", _date)
        closures.append(
            Closure(
                start=start,
                end=row.get("end", _date, start),
                activities=row.get("activities", _strings, ()),
                reason=row.get("reason", _str, ""),
            )
        )
        row.done()
    windows = []
    for row in root.tables("holiday_windows"):
        windows.append(
            HolidayWindow(
                start=row.get("start", _date),
                end=row.get("end", _date),
                opens=row.get("opens", _date, None),
                label=row.get("label", _str, ""),
            )
        )
        row.done()
    root.done()
    return Commune(
        activities=activities,
        periods=tuple(periods),
        closures=tuple(closures),
        holiday_windows=tuple(windows),
        **fields,
    )


# --------------------------------------------------------------------------
# Writing TOML data
# --------------------------------------------------------------------------


def _dump_rule(rule: DeadlineRule) -> dict[str, Any] | str:
    """A deadline rule as TOML data (``"none"`` for :class:`NoDeadline`)."""
    out: dict[str, Any]
    if isinstance(rule, NoDeadline):
        return "none"
    if isinstance(rule, Earliest | Latest):
        return {"earliest" if isinstance(rule, Earliest) else "latest": [_dump_rule(r) for r in rule.rules]}
    if isinstance(rule, Exceptions):
        default = _dump_rule(rule.default)
        out = {"none": True} if isinstance(default, str) else dict(default)
        out["exceptions"] = [_dump_case(case) for case in rule.cases]
        return out
    if isinstance(rule, DaysBefore):
        out = {"days_before": rule.days}
        if rule.working_days:
            out["working_days"] = True
        else:
            if rule.skip_weekends:
                out["skip_weekends"] = True
            if rule.skip_public_holidays:
                out["skip_public_holidays"] = True
        if rule.skip_weekdays:
            out["skip_weekdays"] = [WEEKDAY_NAMES[d] for d in rule.skip_weekdays]
    elif isinstance(rule, BeforeHolidayStart):
        out = {"before_holiday_start_days": rule.days, "anchor": rule.anchor}
    elif isinstance(rule, WeekdayBefore):
        out = {"weekday_before": WEEKDAY_NAMES[rule.weekday]}
        if rule.weeks is not None:
            out["weeks"] = rule.weeks
    else:
        out = {"day_of_previous_month": rule.day}
    if rule.at is not None:
        out["at"] = rule.at
    return out


def _dump_case(case: DeadlineCase) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if case.days:
        out["days"] = list(case.days)
    if case.start is not None:
        out["start"] = case.start
    if case.end is not None:
        out["end"] = case.end
    if case.periods:
        out["periods"] = list(case.periods)
    out["rule"] = _dump_rule(case.rule)
    return out


def _dump_unit_tariff(tariff: UnitTariff) -> dict[str, Any]:
    out: dict[str, Any]
    if isinstance(tariff, BracketTariff):
        out = {"brackets": [[str(low), str(price)] for low, price in tariff.brackets]}
    elif isinstance(tariff, EffortRateTariff):
        out = {"effort_rate": str(tariff.rate), "floor": str(tariff.floor), "ceiling": str(tariff.ceiling)}
        if tariff.adjustment:
            out["adjustment"] = str(tariff.adjustment)
    elif isinstance(tariff, EffortRateBracketTariff):
        rows = []
        for low, t in tariff.brackets:
            row = {"qf_from": str(low), "rate": str(t.rate), "floor": str(t.floor), "ceiling": str(t.ceiling)}
            if t.adjustment:
                row["adjustment"] = str(t.adjustment)
            rows.append(row)
        out = {"effort_brackets": rows}
    else:
        out = {
            "children_rates": [[count, str(rate)] for count, rate in tariff.rates],
            "resources_floor": str(tariff.floor),
            "resources_ceiling": str(tariff.ceiling),
        }
        if tariff.adjustment:
            out["adjustment"] = str(tariff.adjustment)
    return out


def _dump_pricing(pricing: Pricing) -> dict[str, Any]:
    tariff = pricing.tariff
    out: dict[str, Any]
    if isinstance(tariff, TimeUnitTariff):
        out = _dump_unit_tariff(tariff.unit_price)
        out["time_unit"] = tariff.unit.value
        out["opens"] = tariff.opens
        out["closes"] = tariff.closes
        if tariff.minimum_units != 1:
            out["minimum_units"] = tariff.minimum_units
    else:
        out = _dump_unit_tariff(tariff)
    if tariff.cost_price is not None:
        out["cost_price"] = str(tariff.cost_price)
    if pricing.non_resident is not None:
        out["non_resident"] = str(pricing.non_resident)
    if pricing.sibling_reduction:
        out["sibling_reduction"] = str(pricing.sibling_reduction)
    if pricing.sibling_rank != 3:
        out["sibling_rank"] = pricing.sibling_rank
    if pricing.late_surcharge:
        out["late_surcharge"] = str(pricing.late_surcharge)
    if pricing.unbooked_presence is not None:
        out["unbooked_presence"] = str(pricing.unbooked_presence)
    return out


def _dump(commune: Commune) -> dict[str, Any]:
    head: dict[str, Any] = {"name": commune.name}
    if commune.key:
        head["key"] = commune.key
    if commune.structure:
        head["structure"] = commune.structure
    head["timezone"] = commune.timezone
    head["holiday_zone"] = commune.holiday_zone
    if commune.school_year is not None:
        head["school_year"] = commune.school_year
    head["school_weekdays"] = [WEEKDAY_NAMES[d] for d in commune.school_weekdays]
    if commune.dossier_opens is not None:
        head["dossier_opens"] = commune.dossier_opens
    if commune.dossier_deadline is not None:
        head["dossier_deadline"] = commune.dossier_deadline
    if commune.insurance_grace_days != 31:
        head["insurance_grace_days"] = commune.insurance_grace_days
    activities: dict[str, Any] = {}
    for code, a in commune.activities.items():
        row: dict[str, Any] = {
            "label": a.label,
            "season": a.season.value,
            "weekdays": [WEEKDAY_NAMES[d] for d in a.weekdays],
            "deadline": _dump_rule(a.deadline),
        }
        if a.cancel_deadline is not None:
            row["cancel_deadline"] = _dump_rule(a.cancel_deadline)
        if a.capacity is not None:
            row["capacity"] = a.capacity
        row["waiting_list"] = a.waiting_list
        if a.waiting_list_priorities:
            row["waiting_list_priorities"] = list(a.waiting_list_priorities)
        row["wallet"] = a.wallet
        if a.capacity_overrides:
            row["capacity_overrides"] = [{"day": d, "capacity": c} for d, c in a.capacity_overrides]
        if a.tariff is not None:
            row["tariff"] = _dump_pricing(a.tariff)
        activities[code] = row
    periods = []
    for p in commune.periods:
        opens: date | datetime = p.opens if p.opens_time == time(0) else p.opens_at
        periods.append({"number": p.number, "opens": opens, "start": p.start, "end": p.end})
    out: dict[str, Any] = {"commune": head, "activities": activities, "periods": periods}
    if commune.closures:
        out["closures"] = [
            {"start": c.start, "end": c.end, "activities": list(c.activities), "reason": c.reason}
            for c in commune.closures
        ]
    if commune.holiday_windows:
        windows = []
        for w in commune.holiday_windows:
            row = {"start": w.start, "end": w.end, "label": w.label}
            if w.opens is not None:
                row["opens"] = w.opens
            windows.append(row)
        out["holiday_windows"] = windows
    return out


def _toml(data: dict[str, Any]) -> str:
    """The configuration's layout: [commune], each activity (its capacity overrides and
    tariff), then the periods, closures and holiday windows."""
    lines = toml_writer.table("[commune]", data["commune"])
    for code, activity in data["activities"].items():
        name = f"activities.{toml_writer.key(code)}"
        lines += ["", *toml_writer.table(f"[{name}]", {k: v for k, v in activity.items() if k != "tariff"})]
        for row in activity.get("capacity_overrides", []):
            lines += toml_writer.table(f"[[{name}.capacity_overrides]]", row)
        if "tariff" in activity:
            # Every key, lists of tables too (effort_brackets: an array of inline tables).
            lines += [f"[{name}.tariff]"]
            lines += [toml_writer.assignment(k, v) for k, v in activity["tariff"].items()]
    for key in ("periods", "closures", "holiday_windows"):
        for row in data.get(key, []):
            lines += ["", *toml_writer.table(f"[[{key}]]", row)]
    return "\n".join(lines) + "\n"
