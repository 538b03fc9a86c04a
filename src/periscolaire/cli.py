"""The ``periscolaire`` console command (also ``python -m periscolaire``).

Only this module reads the clock (when ``--now`` is not given) and prints.
A bad argument or a bad file is one line on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Literal, NoReturn, TextIO

import attrs

from periscolaire.calendar import (
    DayState,
    SchoolCalendar,
    days_between,
    days_in_month,
)
from periscolaire.commune import BUNDLED, Activity, Commune, bundled_communes, load_commune
from periscolaire.errors import PeriscolaireError, TariffError, UnknownActivity
from periscolaire.french import MONTH_FR, WEEKDAY_ABBR_FR, short_day
from periscolaire.init import school_year_of
from periscolaire.tariff import Pricing

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


#: argparse's own messages in French, by their English text (Python 3.11 to 3.13).
_ARGPARSE_FR = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "affiche cette aide et quitte",
    "show program's version number and exit": "affiche la version et quitte",
    "the following arguments are required: %s": "argument(s) obligatoire(s) manquant(s) : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (au choix : %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "unrecognized arguments: %s": "argument(s) non reconnu(s) : %s",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "invalid %(type)s value: %(value)r": "valeur invalide pour %(type)s : %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut être %(matches)s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ignored explicit argument %r": "valeur %r ignorée",
    "unexpected option string: %s": "option inattendue : %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "commande inconnue %(parser_name)r (au choix : %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: erreur : %(message)s\n",
}
_ARGPARSE_FR_PLURAL = {"expected %s argument": ("%s valeur attendue", "%s valeurs attendues")}


def _fr(message: str) -> str:
    return _ARGPARSE_FR.get(message, message)


def _nfr(singular: str, plural: str, n: int) -> str:
    french = _ARGPARSE_FR_PLURAL.get(singular)
    if french is None:
        return singular if n == 1 else plural
    return french[0] if n == 1 else french[1]


@contextmanager
def _french() -> Iterator[None]:
    """argparse speaking French while it builds a parser, parses or formats
    (argparse looks its messages up through its module's ``_`` and ``ngettext``,
    gettext-style). Only the command line's own parsers do this, for the time
    of the call."""
    module: object = argparse
    saved = (module.__dict__["_"], module.__dict__["ngettext"])
    module.__dict__["_"], module.__dict__["ngettext"] = _fr, _nfr
    try:
        yield
    finally:
        module.__dict__["_"], module.__dict__["ngettext"] = saved


class _Formatter(argparse.HelpFormatter):
    """Help on lines wide enough for each command's line to stay one line."""

    def __init__(self, prog: str) -> None:
        width = max(shutil.get_terminal_size().columns - 2, 100)
        super().__init__(prog, max_help_position=24, width=width)


class _Parser(argparse.ArgumentParser):
    """argparse in French (usage, help, its own error messages), errors on one line."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        with _french():
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        with _french():
            return super().parse_args(args, namespace)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        with _french():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _french():
            return super().format_usage()

    def format_help(self) -> str:
        with _french():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())  # one line
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


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 2000 <= value <= 2098:
        raise argparse.ArgumentTypeError(f"année AAAA de 2000 à 2098 attendue, reçu {text!r}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"entier positif attendu, reçu {text!r}")
    return value


def _parser() -> _Parser:
    commune_help = (
        f"configuration TOML : un fichier, ou un nom livré ({', '.join(bundled_communes())}) ; "
        f"défaut : {BUNDLED.removesuffix('.toml')}, l'année du guide"
    )
    parser = _Parser(
        prog="periscolaire",
        description=(
            "Règles des portails famille : calendrier des réservations, démonstration, configuration, "
            "tarifs, traitement de nuit et stockage d'une commune."
        ),
        epilog="Aide d'une commande : periscolaire COMMANDE --help.",
    )
    parser.add_argument(
        "--version", action="version", version=_version(), help="affiche la version et quitte"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, title="commandes", metavar="COMMANDE"
    )
    cal = sub.add_parser(
        "calendar",
        help="périodes de réservation et état de chaque jour par activité",
        description=(
            "Affiche les périodes de réservation puis, pour chaque activité, la grille du mois "
            "avec l'état de chaque jour et sa date limite de réservation."
        ),
    )
    cal.add_argument("--commune", metavar="FILE", help=commune_help)
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

    _add_init(sub)

    demo = sub.add_parser(
        "demo",
        help="l'année du guide de bout en bout, sur la configuration de Cestas 2024/2025",
        description=(
            "Une famille comme celle du guide (deux responsables, deux enfants) parcourt l'année : dossier, "
            "réservations, liste d'attente, compte-rendu de la nuit, paiement et historique."
        ),
    )
    demo.add_argument(
        "--now",
        metavar="DATETIME",
        type=_datetime,
        help="arrête l'histoire à cet instant et y place la consultation du compte (défaut : 2024-09-30T18:00)",
    )
    demo.add_argument("--json", action="store_true", help="les mêmes étapes sous forme de données JSON")
    demo.add_argument(
        "--store",
        metavar="URL",
        help="les réservations dans une base (sqlite:///demo.db, postgresql+psycopg://..., mysql+pymysql://...) ; "
        "l'histoire redémarre le processus après la validation pour montrer que rien n'est perdu",
    )
    demo.add_argument("--key", help=argparse.SUPPRESS)  # the commune key of a run, for its second process
    demo.add_argument("--resume", action="store_true", help=argparse.SUPPRESS)
    demo.set_defaults(run=_run_demo)

    tariff = sub.add_parser(
        "tariff",
        help="tarifs par tranche de quotient familial, scénarios, graphiques",
        description=(
            "Affiche les tarifs de chaque activité par tranche de QF. Avec --families (CSV : family, qf, "
            "resident, rank, puis une colonne de jours par activité), totalise par famille et par tranche ; "
            "avec --after, compare à d'autres tarifs. --plot écrit un graphique PNG (periscolaire[plot])."
        ),
    )
    tariff.add_argument("--commune", metavar="FILE", help=commune_help)
    tariff.add_argument(
        "--families", metavar="FILE.csv", help="familles d'un scénario (CSV, ou l'exemple livré : familles)"
    )
    tariff.add_argument(
        "--after",
        metavar="FILE.toml",
        help="configuration avec les nouveaux tarifs (ou l'exemple livré : cestas-tarifs-2025)",
    )
    tariff.add_argument(
        "--plot",
        metavar="FILE.png",
        help="écrit le graphique des prix selon le QF (avant et après avec --after)",
    )
    tariff.set_defaults(run=_run_tariff)

    nightly = sub.add_parser(
        "nightly",
        help="traitement de nuit : comptes-rendus, listes d'attente, débits des consommations",
        description=(
            "Transmet les mouvements de réservation et écrit le compte-rendu de chaque famille, envoie les "
            "promotions de liste d'attente (file d'envoi), débite les consommations des jours passés. "
            "Relancé avec le même --now après un arrêt, il reproduit les comptes-rendus et ne débite rien "
            "deux fois."
        ),
    )
    nightly.add_argument(
        "--store", metavar="URL", required=True, help="sqlite:///portail.db, postgresql+psycopg://..."
    )
    nightly.add_argument(
        "--now",
        metavar="DATETIME",
        type=_datetime,
        required=True,
        help="l'instant de la nuit, ISO 8601 (ex. 2024-09-03T02:00) : le même pour une relance",
    )
    nightly.add_argument("--commune", metavar="FILE", help=commune_help)
    nightly.add_argument(
        "--out", metavar="DIR", help="écrit chaque e-mail dans un fichier de ce répertoire (créé au besoin)"
    )
    nightly.add_argument(
        "--batch",
        metavar="N",
        type=_positive,
        default=200,
        help="familles débitées par transaction (défaut : 200)",
    )
    nightly.set_defaults(run=_run_nightly)

    db = sub.add_parser(
        "db",
        help="stockage SQL : db upgrade, db current, db rotate-keys (tables, version, clés)",
        description=(
            "Crée ou met à jour les tables de periscolaire dans une base SQLite, PostgreSQL ou MariaDB "
            "(migrations Alembic livrées avec la bibliothèque ; periscolaire[sql])."
        ),
    )
    db_sub = db.add_subparsers(
        dest="db_command", required=True, parser_class=_Parser, title="commandes", metavar="COMMANDE"
    )
    upgrade = db_sub.add_parser("upgrade", help="applique les migrations (jusqu'à la dernière)")
    upgrade.add_argument("url", metavar="URL", help="ex. sqlite:///portail.db, postgresql+psycopg://...")
    upgrade.add_argument("--revision", default="head", help="révision visée (défaut : head)")
    upgrade.set_defaults(run=_run_db_upgrade)
    current = db_sub.add_parser("current", help="affiche la révision du schéma et celle attendue")
    current.add_argument("url", metavar="URL")
    current.set_defaults(run=_run_db_current)
    rotate = db_sub.add_parser(
        "rotate-keys",
        help=f"rechiffre les données de santé avec la première clé de ${HEALTH_KEYS}",
        description=(
            f"Rechiffre les données de santé des dossiers et leurs fichiers avec la première des clés de "
            f"${HEALTH_KEYS} (séparées par des virgules, la nouvelle d'abord, les anciennes ensuite). "
            "Relançable après un arrêt."
        ),
    )
    rotate.add_argument("url", metavar="URL")
    rotate.add_argument("--commune", metavar="FILE", help=commune_help)
    rotate.add_argument(
        "--files",
        metavar="DIR",
        help="le répertoire des fichiers des dossiers, s'ils ne sont pas dans la base",
    )
    rotate.set_defaults(run=_run_db_rotate_keys)
    return parser


def _add_init(sub: argparse._SubParsersAction[_Parser]) -> None:
    """The ``init`` subcommand."""
    init = sub.add_parser(
        "init",
        help="écrit la configuration d'une commune pour une année scolaire",
        description=(
            "Écrit une configuration TOML commentée pour l'année scolaire YYYY/YYYY+1 : périodes de "
            "réservation, vacances du centre de loisirs et jours fériés tirés du calendrier scolaire officiel "
            "de la zone, activités, délais et tarifs repris de --from (défaut : les règles de Cestas, du "
            "guide). Les dates propres à l'ancienne année (fermetures, capacités d'un jour) sont laissées "
            "en commentaire, à compléter."
        ),
    )
    init.add_argument("--name", required=True, help="nom de la commune")
    init.add_argument("--zone", required=True, choices=("A", "B", "C"), help="zone de vacances scolaires")
    init.add_argument(
        "--year",
        required=True,
        metavar="YYYY",
        type=_year,
        help="première année de l'année scolaire (2026 : 2026/2027)",
    )
    init.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="configuration dont reprendre les règles, fichier ou nom livré (défaut : cestas-2024-2025)",
    )
    init.add_argument("--out", metavar="FILE", help="fichier à écrire (défaut : sortie standard)")
    init.add_argument("--force", action="store_true", help="remplace le fichier --out s'il existe")
    init.set_defaults(run=_run_init)


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
        print(f"periscolaire: erreur : {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `periscolaire calendar | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file or folder given on the command line: one line, no traceback
        print(f"periscolaire: erreur : {_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE


def _one_line(text: str) -> str:
    return " ".join(text.split())


_ERRNO_FR = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EEXIST: "existe déjà",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
}


def _os_error(exc: OSError) -> str:
    """An operating-system error in French, on one line, naming its file."""
    reason = _ERRNO_FR.get(exc.errno or 0) or exc.strerror or str(exc)
    if exc.filename is not None:
        return _one_line(f"{exc.filename} : {reason}")
    return _one_line(reason)


def _reference_now(
    commune: Commune, given: datetime | None, source: str | None = None
) -> tuple[datetime, str]:
    """The instant to show the calendar at, and a sentence saying where it came from."""
    if given is not None:
        return given, "--now"
    cal = commune.calendar
    now = datetime.now(cal.timezone).replace(tzinfo=None, second=0, microsecond=0)
    first_open = min(p.opens_at for p in cal.periods)
    if first_open <= now <= datetime.combine(cal.last_day, datetime.min.time()):
        return now, "heure actuelle"
    note = "première ouverture des réservations (l'heure actuelle est hors de l'année scolaire configurée"
    year = commune.school_year if commune.school_year is not None else school_year_of(cal.first_day)
    asked = school_year_of(now.date())
    if now.date() > cal.last_day:
        asked = max(asked, year + 1)
    if asked != year:
        note += f" ; {_other_year(commune, asked, source)}"
    return first_open, note + ")"


def _colour(args: argparse.Namespace, out: TextIO) -> bool:
    if args.color == "always":
        return True
    if args.color == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(out, "isatty") and out.isatty()


def _span(cal: SchoolCalendar) -> tuple[date, date]:
    """The first and last day of a configuration: its periods and holiday windows."""
    first = min([cal.first_day, *(h.start for h in cal.holiday_periods)])
    last = max([cal.last_day, *(h.end for h in cal.holiday_periods)])
    return first, last


def _slug(name: str) -> str:
    """A commune's name as in the bundled files' names (« Cestas » -> cestas)."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _other_year(commune: Commune, year: int, source: str | None) -> str:
    """Where to find the configuration of school year ``year``: a bundled
    file of the same commune, else ``periscolaire init``."""
    import shlex

    hints = []
    name = f"{_slug(commune.name)}-{year}-{year + 1}"
    if name in bundled_communes():
        hints.append(f"--commune {name}")
    command = (
        f"periscolaire init --name {shlex.quote(commune.name)} --zone {commune.holiday_zone} --year {year}"
    )
    if source is not None:
        command += f" --from {shlex.quote(source)}"
    hints.append(f"écrivez-la avec {command}" if hints else command)
    return f"pour {year}/{year + 1} : {', ou '.join(hints)}"


def _outside(commune: Commune, what: str, day: date, source: str | None) -> PeriscolaireError:
    """The error for a month or a day outside the configuration's school year
    (``day``: the month's first day, or the day), with where to find the
    year asked for (after the configuration's last day: at least the next one)."""
    first, last = _span(commune.calendar)
    year = commune.school_year if commune.school_year is not None else school_year_of(first)
    text = (
        f"{what} est hors de l'année scolaire de la configuration ({commune.name} {year}/{year + 1} : "
        f"du {short_day(first)} au {short_day(last)})"
    )
    asked = max(school_year_of(day), year + 1) if day > last else school_year_of(day)
    if asked != year:
        text += f" ; {_other_year(commune, asked, source)}"
    return PeriscolaireError(text, code="out_of_school_year")


def _activities(commune: Commune, codes: Sequence[str]) -> list[Activity]:
    """The activities named on the command line; an unknown code lists the valid ones."""
    for code in codes:
        if code not in commune.activities:
            unknown = UnknownActivity(code)
            raise PeriscolaireError(
                f"{unknown.message} Activités de {commune.name} : {', '.join(commune.activities)}.",
                code=unknown.code,
            )
    return [commune.activity(code) for code in codes]


def _run_calendar(args: argparse.Namespace, out: TextIO) -> int:
    commune = load_commune(args.commune)
    cal = commune.calendar
    activities = _activities(commune, args.activity or list(commune.activities))
    first, last = _span(cal)
    if args.month:
        year, month = args.month
        if date(year, month, days_in_month(year, month)) < first or date(year, month, 1) > last:
            raise _outside(commune, f"{MONTH_FR[month]} {year}", date(year, month, 1), args.commune)
    elif args.now is not None and cal.local(args.now).date() > last:
        day = cal.local(args.now).date()
        raise _outside(commune, f"le {short_day(day)} (--now)", day, args.commune)
    now, source = _reference_now(commune, args.now, args.commune)
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
    write(f"Instant de référence : {short_day(local.date())} {local:%H:%M} ({source})\n\n")
    write("Périodes de réservation\n")
    for period in cal.periods:
        write(f"  {period.describe()}\n")
    for holiday in cal.holiday_periods:
        if holiday.opens is not None:
            label = holiday.label or "Vacances"
            write(
                f"  {label} (centre de loisirs) : ouverture le {short_day(holiday.opens)} "
                f"pour la période du {short_day(holiday.start)} au {short_day(holiday.end)}\n"
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


def _run_init(args: argparse.Namespace, out: TextIO) -> int:
    from periscolaire.init import init_toml

    text = init_toml(args.name, args.zone, args.year, args.source)
    if args.out is None:
        out.write(text)
        return 0
    try:
        with open(args.out, "w" if args.force else "x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise PeriscolaireError(
            f"{args.out} existe déjà : choisissez un autre --out, ou --force pour le remplacer",
            code="file_exists",
        ) from None
    except OSError as exc:
        raise PeriscolaireError(
            f"impossible d'écrire {args.out} ({exc.strerror or exc})", code="file_unwritable"
        ) from None
    commune = Commune.from_toml(text)
    to_do = sum(1 for line in text.splitlines() if "TO CHECK" in line or "TO FILL IN" in line)
    out.write(
        f"{args.out} : {commune.name} {args.year}/{args.year + 1}, zone {args.zone}, "
        f"{len(commune.periods)} périodes de réservation, "
        f"{len(commune.calendar.holiday_periods)} périodes de vacances du centre de loisirs ; "
        f"à relire : {to_do} ligne(s) TO CHECK ou TO FILL IN.\n"
    )
    return 0


def _run_demo(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from periscolaire.demo import run_demo

    if args.store is not None:
        return _run_demo_on_store(args, out)
    steps = run_demo(args.now)
    if args.json:
        json.dump([step.to_json() for step in steps], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    out.write(_DEMO_TITLE + "\n\n")
    for step in steps:
        out.write(step.text() + "\n\n")
    return 0


_DEMO_TITLE = "periscolaire demo — Cestas 2024/2025, la famille DUPONT (Jean-Paul, Marie, Paolo, Amalia)"


def _run_demo_on_store(args: argparse.Namespace, out: TextIO) -> int:
    """The story on a store, in two processes: this one confirms the bookings,
    then starts a new interpreter on the same store for the night and after."""
    import json
    import subprocess

    from periscolaire.demo import RESTART_AT, Step, run_demo
    from periscolaire.errors import StoreError
    from periscolaire.store import open_store

    if args.store.startswith("memory:"):
        raise StoreError(
            "memory:// ne survit pas au redémarrage du processus : donnez une base "
            "(sqlite:///demo.db, postgresql+psycopg://..., mysql+pymysql://...).",
            code="bad_url",
        )
    # Each run its own commune key, so that a run never meets the rows of the previous ones.
    key = args.key or f"cestas-demo-{datetime.now():%Y%m%d-%H%M%S-%f}"
    commune = attrs.evolve(load_commune(), key=key)
    store = open_store(args.store, upgrade=True)
    try:
        part: Literal["after_restart", "before_restart"] = (
            "after_restart" if args.resume else "before_restart"
        )
        steps = run_demo(args.now, commune, store=store, part=part)
    finally:
        store.close()
    if args.resume:
        steps[0] = attrs.evolve(steps[0], data={**steps[0].data, "pid": os.getpid()})
    later: list[object] = []
    child_text = ""
    goes_on = args.now is None or commune.calendar.local(args.now) >= RESTART_AT
    if not args.resume and goes_on:
        command = [
            sys.executable,
            "-m",
            "periscolaire",
            "demo",
            "--store",
            args.store,
            "--key",
            key,
            "--resume",
        ]
        command += ["--now", args.now.isoformat()] if args.now is not None else []
        command += ["--json"] if args.json else []
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            return done.returncode
        if args.json:
            later = json.loads(done.stdout)
        else:
            child_text = done.stdout
    if args.json:
        json.dump([*(step.to_json() for step in steps), *later], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if args.resume:
        out.write(f"── processus {os.getpid()} ──\n\n")
    else:
        out.write(f"{_DEMO_TITLE}\nStockage : {store.url} (commune {key}) — processus {os.getpid()}\n\n")
    for step in steps:
        out.write(Step.text(step) + "\n\n")
    out.write(child_text)
    return 0


#: Where the commands read the keys of the health data (never on the command
#: line: it would stay in the shell's history and in the process list).
HEALTH_KEYS = "PERISCOLAIRE_HEALTH_KEYS"


def _health_keys() -> list[str] | None:
    keys = [k.strip() for k in os.environ.get(HEALTH_KEYS, "").split(",") if k.strip()]
    return keys or None


def _run_db_rotate_keys(args: argparse.Namespace, out: TextIO) -> int:
    from periscolaire.errors import StoreError
    from periscolaire.store import open_store

    keys = _health_keys()
    if keys is None:
        raise StoreError(
            f"Aucune clé : donnez-les dans ${HEALTH_KEYS}, la nouvelle d'abord.", code="missing_key"
        )
    commune = load_commune(args.commune)
    store = open_store(args.url, health_keys=keys, files=args.files)
    try:
        count = store.dossiers(commune.store_key).rotate_keys()
    finally:
        store.close()
    out.write(
        f"{store.url} : {count} dossier(s) et fichier(s) rechiffrés avec la nouvelle clé ({commune.name}).\n"
    )
    return 0


def _run_nightly(args: argparse.Namespace, out: TextIO) -> int:
    from periscolaire.errors import StoreError
    from periscolaire.nightly import run_nightly
    from periscolaire.store import open_store

    commune = load_commune(args.commune)
    if args.store.startswith("memory:"):
        raise StoreError(
            "memory:// est vide dans un nouveau processus : donnez la base du portail "
            "(sqlite:///portail.db, postgresql+psycopg://..., mysql+pymysql://...).",
            code="bad_url",
        )
    store = open_store(args.store, health_keys=_health_keys())
    try:
        result = run_nightly(commune, store, args.now, out=args.out, debit_batch=args.batch)
    finally:
        store.close()
    out.write(result.summary())
    return 0


def _run_db_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    from periscolaire.store.sql import HEAD, SQLStore

    store = SQLStore(args.url, check_schema=False)
    try:
        store.upgrade(args.revision)
    finally:
        store.close()
    target = HEAD if args.revision == "head" else args.revision
    out.write(f"{store.url} : schéma à la révision {target}\n")
    return 0


def _run_db_current(args: argparse.Namespace, out: TextIO) -> int:
    from periscolaire.store.sql import HEAD, REVISIONS, SQLStore

    store = SQLStore(args.url, check_schema=False)
    try:
        current = store.revision()
    finally:
        store.close()
    state = "à jour" if current == HEAD else "à mettre à jour : periscolaire db upgrade URL"
    if current is None:
        state = "aucune table : periscolaire db upgrade URL"
    elif current not in REVISIONS:
        state = "plus récente que cette version de periscolaire : mettez periscolaire à jour"
    out.write(f"{store.url} : révision {current or '-'} (attendue {HEAD}), {state}\n")
    return 0 if current == HEAD else 1


def _pricings(commune: Commune) -> dict[str, Pricing]:
    return {code: a.tariff for code, a in commune.activities.items() if a.tariff is not None}


def _tariff_commune(name: str) -> Commune:
    """``--after``: a configuration file, a bundled one, or a shipped example by name."""
    from periscolaire.scenarios import EXAMPLES, example_commune

    if EXAMPLES.get(name, "").endswith(".toml"):
        return example_commune(name)
    return load_commune(name)


def _families_text(name: str) -> str:
    """``--families``: a CSV file, or a shipped example by name (``familles``)."""
    from periscolaire.scenarios import EXAMPLES, example_csv

    if EXAMPLES.get(name, "").endswith(".csv"):
        return example_csv(name)
    try:
        with open(name, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = _os_reason(exc, "fichier introuvable")
        raise TariffError(f"fichier de familles illisible : {name} ({reason})", code="bad_csv") from None


def _os_reason(exc: Exception, not_found: str) -> str:
    """A file error's reason in French where it is a common one."""
    if isinstance(exc, FileNotFoundError):
        return not_found
    if isinstance(exc, PermissionError):
        return "permission refusée"
    if isinstance(exc, IsADirectoryError):
        return "c'est un dossier"
    if isinstance(exc, UnicodeDecodeError):
        return "pas du texte UTF-8"
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def _write_grid(out: TextIO, title: str, pricings: dict[str, Pricing]) -> None:
    from periscolaire.tariff import qf_points

    codes = list(pricings)
    width = max(12, *(len(c) + 1 for c in codes))
    out.write(f"{title} — prix d'une journée par quotient familial (€)\n")
    out.write(f"{'QF à partir de':<16}" + "".join(f"{c:>{width}}" for c in codes) + "\n")
    for qf in qf_points(pricings.values()):
        out.write(f"{qf!s:<16}" + "".join(f"{pricings[c].price(qf)!s:>{width}}" for c in codes) + "\n")
    out.write(f"{'sans QF':<16}" + "".join(f"{pricings[c].price(None)!s:>{width}}" for c in codes) + "\n")
    out.write(
        f"{'hors commune':<16}"
        + "".join(f"{pricings[c].price(None, resident=False)!s:>{width}}" for c in codes)
        + "\n"
    )


@attrs.frozen
class _Scenario:
    """``--families``: the families' prices under each tariff (``avant``, and
    ``après`` with ``--after``), per family and per QF band."""

    source: str
    names: list[str]
    per_family: list[dict[str, object]]
    per_band: list[dict[str, object]]


@attrs.frozen
class _TariffReport:
    """Everything ``periscolaire tariff`` shows, read before anything is written."""

    name: str
    pricings: dict[str, Pricing]
    after: dict[str, Pricing] | None
    scenario: _Scenario | None


def _read_tariff(args: argparse.Namespace) -> _TariffReport:
    """Read the configurations and the families, and price the scenario: every
    reading error (a bad --after, an unreadable CSV) comes before any output."""
    commune = load_commune(args.commune)
    after = _tariff_commune(args.after) if args.after else None
    pricings = _pricings(commune)
    after_pricings = _pricings(after) if after is not None else None
    scenario = None
    if pricings and args.families:
        scenario = _read_scenario(args.families, pricings, after_pricings)
    return _TariffReport(commune.name, pricings, after_pricings, scenario)


def _read_scenario(source: str, pricings: dict[str, Pricing], after: dict[str, Pricing] | None) -> _Scenario:
    from decimal import Decimal

    from periscolaire.tariff import BracketTariff, compare_tariffs, read_families_csv

    scenarios = {"avant": pricings}
    if after is not None:
        scenarios["après"] = after
    codes = {code for scenario in scenarios.values() for code in scenario}
    rows = read_families_csv(_families_text(source), activities=codes)
    bounds = sorted(
        {
            low
            for p in pricings.values()
            if isinstance(p.tariff, BracketTariff)
            for low, _ in p.tariff.brackets
        }
    )
    per_family, per_band = compare_tariffs(rows, scenarios, bands=bounds or [Decimal(0)])
    return _Scenario(source, list(scenarios), per_family, per_band)


def _write_scenario(out: TextIO, scenario: _Scenario) -> None:
    from decimal import Decimal

    names = scenario.names
    compared = len(names) == 2
    out.write(f"\nScénario : {len(scenario.per_family)} familles ({scenario.source})\n")
    header = f"{'tranche de QF':<16}{'familles':>9}" + "".join(f"{n:>12}" for n in names)
    out.write(header + (f"{'écart':>12}" if compared else "") + "\n")
    for band in scenario.per_band:
        line = f"{band['band']!s:<16}{band['families']!s:>9}" + "".join(f"{band[n]!s:>12}" for n in names)
        if compared:
            line += f"{band[f'{names[1]} - {names[0]}']!s:>12}"
        out.write(line + "\n")
    total = {n: sum((Decimal(str(row[n])) for row in scenario.per_family), Decimal(0)) for n in names}
    out.write(
        f"{'total':<16}{len(scenario.per_family):>9}" + "".join(f"{total[n]!s:>12}" for n in names) + "\n"
    )


def _write_tariff(out: TextIO, report: _TariffReport) -> None:
    """The text: the grid, then the grid after (without families) or the scenario."""
    _write_grid(out, report.name, report.pricings)
    if report.after is not None and report.scenario is None:
        out.write("\n")
        _write_grid(out, f"{report.name} — après", report.after)
    if report.scenario is not None:
        _write_scenario(out, report.scenario)


def _plot_tariff(report: _TariffReport, path: str, out: TextIO) -> None:
    """``--plot``: before and after side by side, or the prices with the families."""
    from periscolaire.plot import plot_grids, plot_tariffs

    if report.after is not None and report.scenario is None:
        figure = plot_grids(report.pricings, report.after, title=f"{report.name} — tarifs avant et après")
    else:
        per_family = report.scenario.per_family if report.scenario is not None else None
        figure = plot_tariffs(
            report.pricings,
            title=f"{report.name} — tarifs par quotient familial",
            families=per_family if report.after is not None else None,
        )
    try:
        figure.savefig(path, dpi=110)
    except (OSError, ValueError) as exc:
        reason = _os_reason(exc, "dossier introuvable")
        raise TariffError(
            f"impossible d'écrire le graphique : {path} ({reason})", code="plot_unwritable"
        ) from None
    out.write(f"\nGraphique écrit : {path}\n")


def _run_tariff(args: argparse.Namespace, out: TextIO) -> int:
    report = _read_tariff(args)
    if not report.pricings:
        out.write(f"{report.name} : aucune activité n'a de tarif configuré.\n")
        return 0
    _write_tariff(out, report)
    if args.plot:
        _plot_tariff(report, args.plot, out)
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
    for day in days_between(first, last):
        state = states[day]
        text = f"{day.day:>2} {_MARKS[state]}"
        if state != DayState.NOT_RUNNING:
            deadline = cal.last_booking_day(code, day)
            if deadline is not None:
                text += f"→{deadline:%d/%m}"
        text = f"{text:<{CELL}}"
        if colour:
            text = f"{_COLOURS[state]}{text}{_RESET}"
        cells.append(text)
    for i in range(0, len(cells), 7):
        write("  " + "".join(cells[i : i + 7]).rstrip() + "\n")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
