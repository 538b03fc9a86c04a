"""The `periscolaire calendar` command."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from periscolaire.cli import main
from tests.helpers import status_of


def run(*argv: str) -> str:
    out = io.StringIO()
    assert main(list(argv), out) == 0
    return out.getvalue()


def test_calendar_shows_the_periods_and_a_month_grid_per_activity() -> None:
    text = run("calendar", "--now", "2024-08-26T10:00", "--month", "2024-09")
    assert "Instant de référence : lun. 26/08/2024 10:00 (--now)" in text
    assert (
        "Période 1 : ouverture le lun. 19/08/2024 pour la période du lun. 02/09/2024 au ven. 18/10/2024"
        in text
    )
    assert "RESTAURATION (RESTAURATION) — septembre 2024" in text
    assert "Réservation au plus tard 3 jours avant (à minuit)" in text
    # Monday 2 September: bookable, last day 30 August; Wednesday 4: the centre is closed.
    assert "   2 R→30/08" in text
    assert "\x1b[" not in text  # no colours when the output is not a terminal


def test_calendar_grid_marks_past_deadlines_and_days_not_open_yet() -> None:
    text = run("calendar", "--now", "2024-09-02T08:00", "--month", "2024-11", "--activity", "MERCREDI")
    assert "CENTRE DE LOISIRS MERCREDI (MERCREDI) — novembre 2024" in text
    assert "   6 o→03/11" in text  # period 2 opens on 18 October
    text = run("calendar", "--now", "2024-09-10T08:00", "--month", "2024-09", "--activity", "MERCREDI")
    assert "  11 x→08/09" in text
    assert "   4 ." in text


def test_calendar_colours_on_request() -> None:
    text = run("calendar", "--now", "2024-08-26T10:00", "--activity", "RESTAURATION", "--color", "always")
    assert "\x1b[32m" in text


def test_calendar_without_now_outside_the_school_year_uses_the_first_opening() -> None:
    text = run("calendar", "--activity", "RESTAURATION")
    # Today (2026) is outside 2024/2025 in this repository's lifetime; the
    # command says which instant it used either way.
    assert "Instant de référence : " in text
    assert ("première ouverture" in text) or ("heure actuelle" in text)


def test_calendar_with_another_commune_file(tmp_path: Path) -> None:
    from tests.helpers import cestas_with

    path = tmp_path / "x.toml"
    path.write_text(cestas_with('name = "Cestas"', 'name = "Pierroton"'), encoding="utf-8")
    assert "Pierroton" in run("calendar", "--commune", str(path), "--now", "2024-09-01")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calendar", "--now", "demain"], "date et heure ISO attendue"),
        (["calendar", "--month", "2024-13"], "mois AAAA-MM attendu"),
        (["calendar", "--activity", "PISCINE"], "Activité inconnue"),
        (["calendar", "--commune", "/nowhere.toml"], "introuvable"),
        (["nope"], "choix invalide"),
    ],
)
def test_bad_arguments_are_one_line_and_status_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert status_of(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_python_dash_m_works_like_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "periscolaire", "calendar", "--now", "2024-08-26", "--activity", "MERCREDI"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "MERCREDI" in done.stdout


def test_help_is_available_everywhere() -> None:
    for argv in (["--help"], ["calendar", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv, io.StringIO())
        assert info.value.code == 0


def test_calendar_shows_the_month_of_the_next_running_day_by_default() -> None:
    text = run("calendar", "--now", "2024-08-26T10:00", "--activity", "VACANCES")
    assert "CENTRE DE LOISIRS VACANCES (VACANCES) — octobre 2024" in text
    # 14 days before the official start of the Toussaint holidays (Saturday 19 October 2024).
    assert "  21 R→05/10" in text


def test_tariff_prints_prices_by_qf_band() -> None:
    text = run("tariff")
    lines = text.splitlines()
    assert lines[0] == "Cestas — prix d'une journée par quotient familial (€)"
    assert lines[1].split() == [
        "QF",
        "à",
        "partir",
        "de",
        "ACCUEIL_MATIN",
        "ACCUEIL_SOIR",
        "RESTAURATION",
        "MERCREDI",
        "VACANCES",
    ]
    assert lines[2].split() == ["0", "0.80", "1.00", "1.00", "4.00", "5.00"]
    assert lines[-1].split() == ["hors", "commune", "2.50", "3.20", "5.00", "16.00", "20.00"]


def test_tariff_scenario_compares_totals_and_plots(tmp_path: Path) -> None:
    from tests.helpers import cestas_with

    families = tmp_path / "familles.csv"
    families.write_text(
        "family;qf;resident;rank;RESTAURATION;MERCREDI\nA;350;oui;1;140;30\nB;812.40;oui;2;140;10\nC;;non;1;100;20\n",
        encoding="utf-8",
    )
    after = tmp_path / "apres.toml"
    after.write_text(cestas_with('effort_rate = "0.0035"', 'effort_rate = "0.0030"'), encoding="utf-8")
    picture = tmp_path / "tarifs.png"
    text = run("tariff", "--families", str(families), "--after", str(after), "--plot", str(picture))
    assert "tranche de QF    familles       avant       après       écart" in text
    assert "700-1000                1      477.60      421.60      -56.00" in text
    assert "sans QF                 1      820.00      820.00        0.00" in text
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_tariff_with_an_unreadable_families_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("family;qf;RESTAURATION\nA;beaucoup;3\n", encoding="utf-8")
    assert status_of(["tariff", "--families", str(bad)]) == 2
    assert "Ligne 2" in capsys.readouterr().err


def test_a_month_outside_the_school_year_is_an_error_naming_the_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert status_of(["calendar", "--month", "2026-11"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "periscolaire: erreur : novembre 2026 est hors de l'année scolaire de la configuration "
        "(Cestas 2024/2025 : du lun. 02/09/2024 au ven. 04/07/2025) ; pour 2026/2027 : "
        "--commune cestas-2026-2027, ou écrivez-la avec periscolaire init --name Cestas --zone A --year 2026\n"
    )
    # The bundled file of that year shows it.
    text = run("calendar", "--commune", "cestas-2026-2027", "--month", "2026-11", "--now", "2026-11-10T08:00")
    assert "Cestas — calendrier des réservations 2026/2027" in text
    assert "  18 R→15/11" in text  # MERCREDI, Wednesday 18 November 2026


def test_a_month_of_the_same_school_year_outside_its_days_names_the_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert status_of(["calendar", "--month", "2024-08"]) == 2
    err = capsys.readouterr().err
    assert "août 2024 est hors de l'année scolaire de la configuration" in err
    assert "init" not in err  # the configuration of 2024/2025 is the right one: no other to suggest
    # July 2025 has days of the year (1 to 4 July): its grid is shown.
    assert "juillet 2025" in run("calendar", "--month", "2025-07", "--now", "2025-06-01")


def test_now_after_the_school_year_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert status_of(["calendar", "--now", "2026-11-10T08:00"]) == 2
    err = capsys.readouterr().err
    assert "le mar. 10/11/2026 (--now) est hors de l'année scolaire de la configuration" in err
    assert "--commune cestas-2026-2027" in err
    # Before the year, the grid shows when bookings open: not an error.
    assert "o→" in run("calendar", "--now", "2024-06-01T08:00", "--activity", "RESTAURATION")


def test_another_communes_file_out_of_its_year_suggests_init_from_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers import cestas_with

    path = tmp_path / "pierroton.toml"
    path.write_text(cestas_with('name = "Cestas"', 'name = "Pierroton"'), encoding="utf-8")
    assert status_of(["calendar", "--commune", str(path), "--month", "2025-10"]) == 2
    err = capsys.readouterr().err
    assert "(Pierroton 2024/2025 : du lun. 02/09/2024 au ven. 04/07/2025)" in err
    assert f"pour 2025/2026 : periscolaire init --name Pierroton --zone A --year 2025 --from {path}" in err
    assert "--commune" not in err  # no bundled file of Pierroton


def test_an_unknown_activity_lists_the_valid_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert status_of(["calendar", "--activity", "RESTAURATION", "--activity", "PISCINE"]) == 2
    assert capsys.readouterr().err == (
        "periscolaire: erreur : Activité inconnue : 'PISCINE'. Activités de Cestas : "
        "ACCUEIL_MATIN, ACCUEIL_SOIR, RESTAURATION, MERCREDI, VACANCES.\n"
    )


def test_commune_takes_a_bundled_name_everywhere() -> None:
    assert run("tariff", "--commune", "cestas-2025-2026").startswith("Cestas — prix")
    text = run(
        "calendar", "--commune", "cestas-2025-2026", "--now", "2025-09-01T08:00", "--activity", "VACANCES"
    )
    assert "Vacances de la Toussaint 2025 (centre de loisirs) : ouverture le ven. 04/07/2025" in text


def test_after_the_last_day_the_next_year_is_suggested(capsys: pytest.CaptureFixture[str]) -> None:
    # 10 July 2026 is still school year 2025/2026 by the calendar, but the 2025/2026 configuration
    # is over (its last day is 3 July) and period 1 of 2026/2027 is open.
    assert status_of(["calendar", "--commune", "cestas-2025-2026", "--now", "2026-07-10T08:00"]) == 2
    assert "pour 2026/2027 : --commune cestas-2026-2027" in capsys.readouterr().err
    text = run(
        "calendar", "--commune", "cestas-2026-2027", "--now", "2026-07-10T08:00", "--activity", "MERCREDI"
    )
    assert "septembre 2026" in text
    assert "   2 R→30/08" in text
