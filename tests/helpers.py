"""Small helpers for tests: the bundled TOML text, edited."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from importlib.resources import files

import periscolaire as ps
from periscolaire.cli import main

CESTAS_TOML = files("periscolaire").joinpath("data", ps.commune.BUNDLED).read_text("utf-8")
JUST_BEFORE = timedelta(microseconds=1)


def cestas_with(old: str, new: str) -> str:
    """The bundled configuration with one piece of text replaced (exactly once)."""
    assert CESTAS_TOML.count(old) == 1, f"{old!r} must occur once in the bundled file"
    return CESTAS_TOML.replace(old, new)


def last_instant_before(instant: datetime) -> datetime:
    """The last representable instant before ``instant``."""
    return instant - JUST_BEFORE


class CalendarContext:
    """What a deadline rule may ask of the calendar: Cestas' public holidays and periods."""

    def __init__(self, cal: ps.SchoolCalendar) -> None:
        self.cal = cal

    def is_working_day(self, day: date) -> bool:
        return self.cal.is_working_day(day)

    def is_public_holiday(self, day: date) -> bool:
        return self.cal.is_public_holiday(day)

    def holiday_first_day(self, code: str, day: date) -> date | None:
        return None

    def holiday_start(self, day: date) -> date | None:
        return self.cal.holiday_start(day)

    def period_number(self, day: date) -> int | None:
        period = self.cal.period_of(day)
        return None if period is None else period.number


def status_of(argv: list[str]) -> int | str | None:
    """The command line's exit status, whether main returns it or argparse exits."""
    try:
        return main(argv, io.StringIO())
    except SystemExit as exit_:
        return exit_.code
