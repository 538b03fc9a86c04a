"""The ``periscolaire`` console command (also ``python -m periscolaire``).

Only this module reads the clock (when ``--now`` is not given) and prints.
A bad argument or a bad file is one line on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import NoReturn, TextIO

from periscolaire.calendar import (
    MONTH_FR,
    WEEKDAY_ABBR_FR,
    DayState,
    SchoolCalendar,
    days_in_month,
)
from periscolaire.commune import Commune, load_commune
from periscolaire.errors import PeriscolaireError

__all__ = ["main"]

EXIT_USAGE = 2

_MARKS = {
    DayState.BOOKABLE: "R",
    DayState.PAST_DEADLINE: "x",
    DayState.NOT_OPEN_YET: "o",
    DayState.NOT_RUNNING: ".",
}
_COLOURS = {
    DayState.BOOKABLE: "\x1b[32m",  # green
    DayState.PAST_DEADLINE: "\x1b[31m",  # red
    DayState.NOT_OPEN_YET: "\x1b[33m",  # yellow
    DayState.NOT_RUNNING: "\x1b[2m",  # dim
}
_RESET = "\x1b[0m"
_LEGEND = (
    "R réservable (→ dernier jour pour réserver) · o ouverture à venir · x hors délai · . pas d'activité"
)
CELL = 11


class _Parser(argparse.ArgumentParser):
    """argparse, with errors on one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: erreur : {message}\n")


def _datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date et heure ISO attendue (ex. 2024-08-26T10:00), reçu {text!r}"
        ) from None


def _month(text: str) -> tuple[int, int]:
    try:
        parsed = datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"mois AAAA-MM attendu, reçu {text!r}") from None
    return parsed.year, parsed.month


def _parser() -> _Parser:
    parser = _Parser(
        prog="periscolaire",
        description="Règles des portails famille : calendrier des réservations d'une commune.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cal = sub.add_parser(
        "calendar",
        help="périodes de réservation et état de chaque jour par activité",
        description=(
            "Affiche les périodes de réservation puis, pour chaque activité, la grille du mois "
            "avec l'état de chaque jour et sa date limite de réservation."
        ),
    )
    cal.add_argument("--commune", metavar="FILE", help="configuration TOML (défaut : Cestas 2024/2025)")
    cal.add_argument(
        "--now",
        metavar="DATETIME",
        type=_datetime,
        help="instant de référence, ISO 8601 (défaut : maintenant, ou la première ouverture "
        "si maintenant est hors de l'année scolaire configurée)",
    )
    cal.add_argument("--month", metavar="YYYY-MM", type=_month, help="mois affiché")
    cal.add_argument("--activity", metavar="CODE", action="append", help="activité (répétable)")
    cal.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="couleurs : auto (si terminal), always, never",
    )
    cal.set_defaults(run=_run_calendar)
    return parser


def _version() -> str:
    from periscolaire import __version__

    return f"periscolaire {__version__}"


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    out = out or sys.stdout
    parser = _parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace, TextIO], int] = args.run
    try:
        return run(args, out)
    except PeriscolaireError as exc:
        print(f"periscolaire: erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `periscolaire calendar | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _reference_now(commune: Commune, given: datetime | None) -> tuple[datetime, str]:
    """The instant to show the calendar at, and a sentence saying where it came from."""
    if given is not None:
        return given, "--now"
    cal = commune.calendar
    now = datetime.now(cal.timezone).replace(tzinfo=None, second=0, microsecond=0)
    first_open = min(p.opens_at for p in cal.periods)
    if first_open <= now <= datetime.combine(cal.last_day, datetime.min.time()):
        return now, "heure actuelle"
    return (
        first_open,
        "première ouverture des réservations (l'heure actuelle est hors de l'année scolaire configurée)",
    )


def _colour(args: argparse.Namespace, out: TextIO) -> bool:
    if args.color == "always":
        return True
    if args.color == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(out, "isatty") and out.isatty()


def _fmt(day: date) -> str:
    return f"{WEEKDAY_ABBR_FR[day.weekday()]} {day:%d/%m/%Y}"


def _run_calendar(args: argparse.Namespace, out: TextIO) -> int:
    commune = load_commune(args.commune) if args.commune else load_commune()
    cal = commune.calendar
    now, source = _reference_now(commune, args.now)
    codes = args.activity or list(commune.activities)
    activities = [commune.activity(code) for code in codes]
    if args.month:
        year, month = args.month
    else:
        # The month of the first day the (first) activity runs from now on.
        today = cal.local(now).date()
        upcoming = [d for a in activities for d in cal.running_days(a.code, start=today)[:1]]
        shown = min(upcoming) if upcoming else min(max(today, cal.first_day), cal.last_day)
        year, month = shown.year, shown.month
    colour = _colour(args, out)
    local = cal.local(now)
    write = out.write
    year_label = f"{commune.school_year}/{commune.school_year + 1}" if commune.school_year else ""
    write(f"{commune.name} — calendrier des réservations {year_label}".rstrip() + "\n")
    write(f"Instant de référence : {_fmt(local.date())} {local:%H:%M} ({source})\n\n")
    write("Périodes de réservation\n")
    for period in cal.periods:
        write(f"  {period.describe()}\n")
    for holiday in cal.holiday_periods:
        if holiday.opens is not None:
            label = holiday.label or "Vacances"
            write(
                f"  {label} (centre de loisirs) : ouverture le {_fmt(holiday.opens)} "
                f"pour la période du {_fmt(holiday.start)} au {_fmt(holiday.end)}\n"
            )
    for activity in activities:
        write("\n")
        write(f"{activity.label} ({activity.code}) — {MONTH_FR[month]} {year}\n")
        write(f"  Réservation {activity.deadline.describe()}")
        if activity.capacity is not None:
            write(f" · {activity.capacity} places")
        write("\n")
        _grid(write, cal, activity.code, year, month, now, colour)
    write(f"\n{_LEGEND}\n")
    return 0


def _grid(
    write: Callable[[str], object],
    cal: SchoolCalendar,
    code: str,
    year: int,
    month: int,
    now: datetime,
    colour: bool,
) -> None:
    first = date(year, month, 1)
    last = date(year, month, days_in_month(year, month))
    states = cal.states(code, first, last, now)
    write("  " + "".join(f"{name:<{CELL}}" for name in WEEKDAY_ABBR_FR).rstrip() + "\n")
    cells = [" " * CELL] * first.weekday()
    day = first
    while day <= last:
        state = states[day]
        text = f"{day.day:>2} {_MARKS[state]}"
        if state is not DayState.NOT_RUNNING:
            deadline = cal.last_booking_day(code, day)
            if deadline is not None:
                text += f"→{deadline:%d/%m}"
        text = f"{text:<{CELL}}"
        if colour:
            text = f"{_COLOURS[state]}{text}{_RESET}"
        cells.append(text)
        day += timedelta(days=1)
    for i in range(0, len(cells), 7):
        write("  " + "".join(cells[i : i + 7]).rstrip() + "\n")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
