"""A commune's configuration for a new school year (``periscolaire init``).

:func:`init_toml` writes a commented TOML configuration for the school year
``year``/``year + 1``: the dates come from the official calendar of the
school-holiday zone (the ``holidays`` package, as the calendar reads it), the
rules from an existing configuration (by default the bundled Cestas rules, from
the guide):

- the booking periods « de vacances à vacances » (guide p. 10), from
  :func:`~periscolaire.calendar.derive_periods`: each runs from the end of a
  holiday period to the start of the next and opens on the last school day
  before the holidays that precede it;
- the holiday centre's windows: the school holidays between the periods, each
  opening with the booking period before it (as Christmas 2024 opened with
  period 2 in Cestas); the Ascension bridge and the summer when the source
  configuration opens the centre on them, else a commented block to uncomment;
- the public holidays, as a comment (the calendar reads them itself);
- the activities, their deadlines, places and tariffs, carried over as they
  are; the ``[commune]`` table too, its dates (the dossier deadline...) moved
  to the same day and month of the new year, marked ``TO CHECK``;
- the dates that belong to the source's year (closures, ``capacity_overrides``)
  left out, a comment saying what to fill in.

Nothing here reads the clock: the year is given. The text is checked before
it is returned: it loads with :func:`~periscolaire.load_commune`.

>>> from periscolaire.init import init_toml
>>> import periscolaire as ps
>>> text = init_toml("Pierroton", "B", 2025)
>>> commune = ps.Commune.from_toml(text)
>>> commune.name, commune.holiday_zone, commune.school_year
('Pierroton', 'B', 2025)
>>> [p.start.isoformat() for p in commune.periods]
['2025-09-01', '2025-11-03', '2026-01-05', '2026-03-02', '2026-04-27']
"""

from __future__ import annotations

import re
import shlex
import textwrap
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from os import PathLike
from typing import Any

from periscolaire import toml_writer
from periscolaire.calendar import (
    MIN_HOLIDAY_LENGTH,
    ZONES,
    BookingPeriod,
    HolidayWindow,
    derive_periods,
)
from periscolaire.commune import BUNDLED, Commune, load_commune
from periscolaire.errors import ConfigurationError
from periscolaire.french import long_day

__all__ = ["init_toml", "school_year_of"]

#: Column of the comments at the end of a line (as in the bundled file).
_COMMENT_COLUMN = 40
#: Width of the comment paragraphs.
_WIDTH = 88
ONE_DAY = timedelta(days=1)


def school_year_of(day: date) -> int:
    """The school year a day belongs to, by its first year: from August on,
    the year that starts; before, the one that ends.

    >>> school_year_of(date(2026, 11, 10)), school_year_of(date(2027, 7, 2))
    (2026, 2026)
    """
    return day.year if day.month >= 8 else day.year - 1


def _line(key: str, value: Any, comment: str = "") -> str:
    text = toml_writer.assignment(key, value)
    if not comment:
        return text
    return (
        f"{text:<{_COMMENT_COLUMN - 1}} # {comment}"
        if len(text) < _COMMENT_COLUMN - 1
        else f"{text}  # {comment}"
    )


def _comment(text: str, prefix: str = "# ") -> list[str]:
    """A comment paragraph, wrapped at :data:`_WIDTH` characters."""
    return textwrap.wrap(
        text, _WIDTH, initial_indent=prefix, subsequent_indent=prefix, break_on_hyphens=False
    )


def _same_day_in(day: date, years: int) -> date:
    """The same day and month ``years`` later (28 February for a 29th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _source_year(commune: Commune) -> int:
    if commune.school_year is not None:
        return commune.school_year
    return school_year_of(min(p.start for p in commune.periods))


def _official(zone: str, year: int) -> tuple[dict[date, str], dict[date, str]]:
    """Public holidays and school holidays (day -> name) of a zone for the
    calendar years of the school year, as the calendar reads them."""
    import holidays

    years = [year, year + 1]
    subdiv = f"Zone {zone}"
    public = holidays.country_holidays(
        "FR", subdiv=subdiv, years=years, categories=("public",), language="fr"
    )
    school = holidays.country_holidays(
        "FR", subdiv=subdiv, years=years, categories=("school",), language="fr"
    )
    return dict(public.items()), dict(school.items())


def _blocks(school: Mapping[date, str]) -> list[tuple[date, date, str]]:
    """Runs of school-holiday days, with their official name."""
    found: list[tuple[date, date, str]] = []
    for day in sorted(school):
        if found and found[-1][1] + ONE_DAY == day:
            found[-1] = (found[-1][0], day, found[-1][2])
        else:
            found.append((day, day, school[day].split(";")[-1].strip()))
    return found


def _covered(windows: Iterable[HolidayWindow], start: date, end: date) -> HolidayWindow | None:
    return next((w for w in windows if w.start <= end and start <= w.end), None)


class _Source:
    """The configuration the rules are carried over from."""

    def __init__(self, source: Commune | str | PathLike[str] | None) -> None:
        if source is None:
            self.commune = load_commune()
            self.label = f"{BUNDLED.removesuffix('.toml')} (the bundled Cestas rules, from the guide)"
            self.option = ""
        elif isinstance(source, Commune):
            self.commune = source
            self.label = f"the configuration of {source.name}"
            self.option = ""
        else:
            self.commune = load_commune(source)
            self.label = str(source)
            self.option = f" --from {shlex.quote(str(source))}"
        self.year = _source_year(self.commune)
        # The periods of the source's year as the school calendar alone gives
        # them, to tell the source's own choices (Cestas' period 1) apart.
        try:
            self.derived: tuple[BookingPeriod, ...] = derive_periods(
                self.commune.holiday_zone, self.year, school_weekdays=self.commune.school_weekdays
            )
        except ConfigurationError:
            self.derived = ()

    def years(self) -> str:
        return f"{self.year}/{self.year + 1}"

    def window_on(self, kind: str, official: Mapping[date, str]) -> HolidayWindow | None:
        """The source's window on its own year's bridge (``kind="bridge"``) or
        following summer (``"summer"``), if it opens the centre on it."""
        for start, end, _ in _blocks(official):
            long = end - start >= timedelta(days=MIN_HOLIDAY_LENGTH - 1)
            bridge = not long and school_year_of(start) == self.year
            summer = long and start.year == self.year + 1 and start.month in (6, 7)
            if (kind == "bridge" and bridge) or (kind == "summer" and summer):
                window = _covered(self.commune.holiday_windows, start, end)
                if window is not None:
                    return window
        return None


def init_toml(
    name: str,
    zone: str,
    year: int,
    source: Commune | str | PathLike[str] | None = None,
) -> str:
    """A commented TOML configuration of commune ``name`` for the school year
    ``year``/``year + 1`` in school-holiday ``zone`` (``"A"``, ``"B"`` or
    ``"C"``), with the rules of ``source`` (a configuration file, a bundled
    name such as ``"cestas-2024-2025"`` or a :class:`~periscolaire.Commune`;
    by default the bundled Cestas rules). See the module's documentation.

    Raises :class:`~periscolaire.ConfigurationError` for a bad zone or name,
    or a year whose official calendar the ``holidays`` package does not know.
    """
    if zone not in ZONES:
        raise ConfigurationError("zone", f"zone A, B ou C attendue, reçu {zone!r}")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2098:
        raise ConfigurationError("school_year", f"une année de 2000 à 2098 est attendue, reçu {year!r}")
    if not isinstance(name, str) or not name.strip():
        raise ConfigurationError("commune.name", "un nom de commune non vide est attendu")
    src = _Source(source)
    base = src.commune
    try:
        periods = derive_periods(zone, year, school_weekdays=base.school_weekdays)
    except ConfigurationError:
        raise ConfigurationError(
            "school_year",
            f"le calendrier scolaire officiel de {year}/{year + 1} (zone {zone}) n'est pas connu du paquet "
            "holidays installé (pour une année à venir : pip install -U holidays)",
            code="unknown_school_year",
        ) from None
    public, school = _official(zone, year)
    out: list[str] = []
    years = f"{year}/{year + 1}"
    command = f"periscolaire init --name {shlex.quote(name)} --zone {zone} --year {year}{src.option}"
    out += [f"# {name}, services périscolaires et extrascolaires, school year {years}.", "#"]
    out.append(f"# Written by `{command}`.")
    out += _comment(
        f"Dates: the official school calendar of zone {zone} (the `holidays` package, as the calendar "
        "reads it; compare with the calendar the ministry publishes): booking periods « de vacances à "
        "vacances » (guide p. 10), the holiday centre's windows, public holidays."
    )
    out += _comment(
        f"Rules: activities, deadlines, places and tariffs carried over from {src.label}, school year "
        f"{src.years()}; its comments say which values are the commune's own."
    )
    out += [
        "# Lines marked TO CHECK or TO FILL IN need the commune's decision for this year.",
        "# Every key is described in docs/configuration.md.",
        "",
    ]
    out += _head(base, name, zone, year, src)
    out += _activities(base, year, src)
    out += _periods(periods, src, year)
    out += _windows(periods, school, src, zone, year)
    out += _closures(base, src, year)
    out += _public_holidays(public, periods)
    text = "\n".join(out).rstrip("\n") + "\n"
    Commune.from_toml(text)  # what is written loads
    return text


def _head(base: Commune, name: str, zone: str, year: int, src: _Source) -> list[str]:
    head = base.to_dict()["commune"]
    shift = year - src.year
    same = name == base.name
    lines = ["[commune]"]
    for key, value in head.items():
        if key == "name":
            lines.append(_line("name", name))
        elif key in ("key", "structure") and not same:
            lines.append(f"# {key}: {base.name}'s {value!r} left out (another commune): TO FILL IN if needed")
        elif key == "key":
            lines.append(_line(key, value, "keep it from one year's file to the next"))
        elif key == "holiday_zone":
            lines.append(_line(key, zone))
        elif key == "school_year":
            lines.append(_line(key, year, f"{year}/{year + 1}"))
        elif isinstance(value, date) and shift:
            moved = _same_day_in(value, shift)
            lines.append(_line(key, moved, f"{value} in {src.years()}: TO CHECK"))
        else:
            lines.append(_line(key, value))
    if "school_year" not in head:
        lines.append(_line("school_year", year, f"{year}/{year + 1}"))
    if "holiday_zone" not in head:
        lines.append(_line("holiday_zone", zone))
    return [*lines, ""]


def _qf(low: Any) -> Any:
    return int(low) if isinstance(low, str) and re.fullmatch(r"\d+", low) else low


def _activities(base: Commune, year: int, src: _Source) -> list[str]:
    lines = [f"# Activities, deadlines and tariffs of {src.years()}, carried over: TO CHECK the new prices."]
    for code, row in base.to_dict()["activities"].items():
        activity = base.activities[code]
        table = f"activities.{toml_writer.key(code)}"
        lines += ["", f"[{table}]"]
        for key, value in row.items():
            if key in ("tariff", "capacity_overrides"):
                continue
            comment = ""
            if key == "deadline":
                comment = activity.deadline.describe()
            elif key == "cancel_deadline" and activity.cancel_deadline is not None:
                comment = activity.cancel_deadline.describe()
            lines.append(_line(key, value, comment))
        overrides = row.get("capacity_overrides", [])
        if overrides and year == src.year:
            for override in overrides:
                lines.append(f"[[{table}.capacity_overrides]]")
                lines += [_line(k, v) for k, v in override.items()]
        elif overrides:
            days = ", ".join(str(o["day"]) for o in overrides)
            lines += _comment(
                f"capacity_overrides of {src.years()} left out ({days}): TO FILL IN for this year"
            )
        if "tariff" in row:
            lines += ["", f"[{table}.tariff]"]
            for key, value in row["tariff"].items():
                shown = [[_qf(low), price] for low, price in value] if key == "brackets" else value
                lines.append(_line(key, shown))
    return [*lines, ""]


def _periods(periods: tuple[BookingPeriod, ...], src: _Source, year: int) -> list[str]:
    lines = [
        f"# Booking periods of {year}/{year + 1} « de vacances à vacances » (guide p. 10), derived from",
        "# the school holidays: each opens on the last school day before the holidays that",
        "# precede it, and runs from the end of those holidays to the start of the next ones.",
    ]
    source_periods = sorted(src.commune.periods, key=lambda p: p.start)
    for i, period in enumerate(periods):
        lines += ["", "[[periods]]"]
        if i < len(source_periods) and i < len(src.derived):
            before = source_periods[i]
            if before.opens_at != src.derived[i].opens_at:
                lines += _comment(
                    f"In {src.years()} period {before.number} opened on {long_day(before.opens)}, not on the "
                    f"last school day before the holidays ({long_day(src.derived[i].opens)}): TO CHECK"
                )
        lines += [
            _line("number", period.number),
            _line("opens", period.opens, long_day(period.opens)),
            _line("start", period.start),
            _line("end", period.end),
        ]
    return [*lines, ""]


def _windows(
    periods: tuple[BookingPeriod, ...],
    school: Mapping[date, str],
    src: _Source,
    zone: str,
    year: int,
) -> list[str]:
    lines = [
        f"# The holiday centre's periods: the school holidays of zone {zone} between the booking",
        "# periods. Each opens with the booking period before it.",
    ]

    def opens_before(day: date) -> date:
        return max((p for p in periods if p.start <= day), key=lambda p: p.start).opens

    def window(start: date, end: date, label: str, opens: date, prefix: str = "") -> list[str]:
        rows = [
            "[[holiday_windows]]",
            _line("start", start),
            _line("end", end),
            _line("opens", opens, long_day(opens)),
            _line("label", f"{label} {start.year}"),
        ]
        return [prefix + row for row in rows]

    first, last = periods[0].start, periods[-1].end
    bridges: list[tuple[date, date, str]] = []
    summer: tuple[date, date, str] | None = None
    for start, end, label in _blocks(school):
        long = end - start >= timedelta(days=MIN_HOLIDAY_LENGTH - 1)
        if first < start and end < last:
            if long:
                lines += ["", *window(start, end, label, opens_before(start))]
            else:
                bridges.append((start, end, label))
        elif long and start > last and summer is None:
            summer = (start, end, label)
    base_school = _official(src.commune.holiday_zone, src.year)[1]
    for start, end, label in bridges:
        days = " and ".join(long_day(d) for d in _days(start, end) if d.weekday() < 5)
        text = (
            f"{label} {start.year}: {long_day(start)} to {long_day(end)}. No school-time activity runs on {days} "
            "(school holidays, or a public holiday)."
        )
        if src.window_on("bridge", base_school) is not None:
            lines += ["", *_comment(f"{text} The holiday centre opens on it, as in {src.years()}: TO CHECK")]
            lines += window(start, end, label, opens_before(start))
        else:
            text += f" The holiday centre is closed then, as in {src.years()}. To open it, uncomment:"
            lines += ["", *_comment(text)]
            lines += window(start, end, label, opens_before(start), prefix="# ")
    if summer is not None:
        start, end, label = summer
        text = f"{label} {start.year}: {long_day(start)} to {long_day(end)}."
        if src.window_on("summer", base_school) is not None:
            lines += ["", *_comment(f"{text} The holiday centre opens on it, as in {src.years()}: TO CHECK")]
            lines += window(start, end, label, opens_before(start))
        else:
            text += (
                f" The summer centre is not booked on the portal in {src.years()}. To open it, uncomment "
                "(TO FILL IN: its days and opening date):"
            )
            lines += ["", *_comment(text)]
            lines += window(start, end, label, opens_before(start), prefix="# ")
    return [*lines, ""]


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _closures(base: Commune, src: _Source, year: int) -> list[str]:
    if base.closures and year == src.year:
        lines = ["# Closures."]
        for row in base.to_dict().get("closures", []):
            lines += ["", "[[closures]]", *(_line(k, v) for k, v in row.items())]
        return [*lines, ""]
    lines = [
        f"# Closures (days an activity does not run besides holidays): TO FILL IN for {year}/{year + 1}."
    ]
    if base.closures:
        lines.append(f"# In {src.years()}:")
        for closure in base.closures:
            what = ", ".join(closure.activities) or "every activity"
            span = (
                long_day(closure.start)
                if closure.start == closure.end
                else f"{closure.start} to {closure.end}"
            )
            lines.append(f"#   {span}, {what}" + (f": {closure.reason}" if closure.reason else ""))
    lines += [
        "# [[closures]]",
        "# start = AAAA-MM-JJ",
        "# end = AAAA-MM-JJ",
        '# activities = ["MERCREDI"]',
        '# reason = "Fermeture exceptionnelle du centre de loisirs"',
        "",
    ]
    return lines


def _public_holidays(public: Mapping[date, str], periods: tuple[BookingPeriod, ...]) -> list[str]:
    first, last = periods[0].start, periods[-1].end
    days = sorted(d for d in public if first <= d <= last)
    lines = [
        "# Public holidays of the school year (the calendar reads them from the `holidays`",
        "# package: no activity runs on them):",
    ]
    width = max(len(long_day(d)) for d in days) if days else 0
    lines += [f"#   {long_day(d):<{width}}  {public[d]}" for d in days]
    return lines
