"""`periscolaire init`: a commune's configuration for any school year, and the
bundled Cestas files of 2025/2026 and 2026/2027 written by it. Fixed years: no
test reads the clock."""

from __future__ import annotations

import inspect
import io
from datetime import date, timedelta
from importlib.resources import files
from itertools import pairwise
from pathlib import Path

import holidays
import pytest

import periscolaire as ps
from periscolaire.calendar import derive_periods
from periscolaire.cli import main
from periscolaire.init import init_toml, school_year_of
from tests.helpers import cestas_with, status_of

ONE_DAY = timedelta(days=1)


def official(zone: str, year: int) -> tuple[set[date], list[tuple[date, date]]]:
    """Public holidays and school-holiday runs of a zone, from the dataset."""
    kwargs = {"subdiv": f"Zone {zone}", "years": [year, year + 1]}
    public = set(holidays.country_holidays("FR", categories=("public",), **kwargs))
    school = sorted(holidays.country_holidays("FR", categories=("school",), **kwargs))
    runs: list[tuple[date, date]] = []
    for day in school:
        if runs and runs[-1][1] + ONE_DAY == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return public, runs


def write(tmp_path: Path, text: str, name: str = "commune.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("zone", ["A", "B", "C"])
@pytest.mark.parametrize("year", [2025, 2026])
def test_init_loads_and_follows_the_official_calendar(tmp_path: Path, zone: str, year: int) -> None:
    commune = ps.load_commune(write(tmp_path, init_toml("Pierroton", zone, year)))
    assert (commune.name, commune.holiday_zone, commune.school_year) == ("Pierroton", zone, year)
    cal = commune.calendar
    # The periods are derive_periods' « de vacances à vacances ».
    assert commune.periods == derive_periods(zone, year)
    public, runs = official(zone, year)
    first, last = cal.first_day, cal.last_day
    assert (first.year, first.month, last.year, last.month) == (year, 9, year + 1, 7)
    # Every holiday of at least a week between the periods is a holiday-centre period, with its
    # official dates; the gaps between periods are exactly those holidays.
    weeks = [(a, b) for a, b in runs if b - a >= timedelta(days=6) and first < a and b < last]
    assert [(h.start, h.end) for h in cal.holiday_periods] == weeks
    assert [(a.end + ONE_DAY, b.start - ONE_DAY) for a, b in pairwise(cal.periods)] == weeks
    assert len(weeks) == 4
    # Each opens with the booking period before it.
    for holiday, period in zip(cal.holiday_periods, cal.periods[:-1], strict=True):
        assert holiday.opens == period.opens
    # Public and school holidays are the dataset's.
    assert public <= cal.public_holidays
    assert {d for a, b in runs for d in days(a, b)} <= cal.school_holidays
    # The Ascension bridge is a school holiday: no school-time activity runs on it.
    bridges = [(a, b) for a, b in runs if b - a < timedelta(days=6) and first < a < last]
    assert bridges, "the official calendar has an Ascension bridge every year"
    for a, b in bridges:
        for day in days(a, b):
            assert not cal.runs_on("RESTAURATION", day)
            assert not cal.runs_on("VACANCES", day)  # the bundled rules do not open the centre on it
    # No activity runs on a public holiday.
    for day in public:
        assert not any(cal.runs_on(code, day) for code in cal.activities)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_init_carries_over_the_rules_and_leaves_out_the_old_years_dates() -> None:
    guide = ps.load_commune()
    text = init_toml("Cestas", "A", 2026)
    commune = ps.Commune.from_toml(text)
    # Activities, deadlines, places and tariffs: the guide's, unchanged.
    assert commune.activities == guide.activities
    assert (commune.structure, commune.timezone, commune.school_weekdays) == (
        guide.structure,
        guide.timezone,
        guide.school_weekdays,
    )
    # The dossier deadline: the same day and month, to check; the 2024 closure is left out and said.
    assert commune.dossier_deadline == date(2026, 8, 16)
    assert "dossier_deadline = 2026-08-16           # 2024-08-16 in 2024/2025: TO CHECK" in text
    assert commune.closures == ()
    assert "#   mercredi 4 septembre 2024, MERCREDI: Fermeture exceptionnelle du centre de loisirs" in text
    assert "TO FILL IN for 2026/2027" in text
    # Cestas opened period 1 after the dossier deadline in 2024: the derived date is marked.
    assert "period 1 opened on lundi 19 août 2024" in text
    # The public holidays and the bridge are written out for the reader.
    assert "#   jeudi 6 mai 2027           Ascension" in text
    assert "# Pont de l'Ascension 2027: jeudi 6 mai 2027 to dimanche 9 mai 2027." in text
    assert "\n# [[holiday_windows]]\n# start = 2027-05-06\n" in text


def test_init_of_the_guides_year_gives_the_guides_calendar_but_period_1s_opening() -> None:
    """Built from the guide's own year, the configuration books exactly as the
    bundled file, except that period 1 (and the Toussaint holidays, which open
    with it) opens on the last school day, 5 July 2024, not on 19 August 2024
    as Cestas' table says."""
    guide = ps.load_commune()
    derived = ps.Commune.from_toml(init_toml("Cestas", "A", 2024))
    assert derived.closures == guide.closures  # the same year: its dates are kept
    for code in guide.activities:
        ours, theirs = derived.calendar.windows(code), guide.calendar.windows(code)
        assert ours.keys() == theirs.keys()
        for day, window in theirs.items():
            expected = window
            if window.opens == ps.load_commune().calendar.period(1).opens_at:
                expected = window._replace(opens=window.opens.replace(month=7, day=5))
            assert ours[day] == expected, (code, day)


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_bundled_files_are_what_init_writes(year: int) -> None:
    name = f"cestas-{year}-{year + 1}"
    shipped = files("periscolaire").joinpath("data", f"{name}.toml").read_text("utf-8")
    assert shipped == init_toml("Cestas", "A", year), (
        f"regenerate it: periscolaire init --name Cestas --zone A --year {year} "
        f"--out src/periscolaire/data/{name}.toml --force"
    )
    commune = ps.load_commune(name)
    assert commune == ps.Commune.from_toml(shipped)
    assert commune.school_year == year
    assert commune.store_key == "Cestas"  # the same commune in a store, year after year


def test_bundled_configurations_load_by_name() -> None:
    from periscolaire.commune import bundled_communes

    assert bundled_communes() == ("cestas-2024-2025", "cestas-2025-2026", "cestas-2026-2027")
    assert ps.load_commune("cestas-2024-2025") == ps.load_commune()
    assert ps.load_commune().school_year == 2024  # still the guide's year
    assert ps.load_commune("cestas-2026-2027").calendar.first_day == date(2026, 9, 1)
    with pytest.raises(ps.ConfigurationError) as info:
        ps.load_commune("cestas-2031-2032")
    assert info.value.code == "file_not_found"
    assert "cestas-2026-2027" in info.value.message
    assert "periscolaire init" in info.value.message


def test_a_name_that_is_not_bundled_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, init_toml("Pierroton", "B", 2025), "pierroton")
    assert ps.load_commune("pierroton").name == "Pierroton"


def test_init_from_another_file_carries_over_its_choices(tmp_path: Path) -> None:
    # A commune that opens its centre on the Ascension bridge and in summer, with a
    # day of fewer places and a key of its own.
    source = cestas_with('name = "Cestas"', 'name = "Cestas"\nkey = "cestas-33"')
    source = source.replace(
        'wallet = "EXTRASCOLAIRE"                # ILLUSTRATIVE\n\n[activities.VACANCES.tariff]',
        'wallet = "EXTRASCOLAIRE"\ncapacity_overrides = [{ day = 2024-10-21, capacity = 30 }]\n\n'
        "[activities.VACANCES.tariff]",
    )
    source += (
        '\n[[holiday_windows]]\nstart = 2025-05-29\nend = 2025-06-01\nlabel = "Pont"\n'
        '\n[[holiday_windows]]\nstart = 2025-07-07\nend = 2025-08-01\nopens = 2025-05-05\nlabel = "Été"\n'
    )
    path = write(tmp_path, source, "source.toml")
    assert ps.load_commune(path).activities["VACANCES"].capacity_overrides
    text = init_toml("Cestas", "A", 2026, path)
    assert f"--from {path}" in text
    commune = ps.Commune.from_toml(text)
    assert commune.key == "cestas-33"
    assert commune.activities["VACANCES"].capacity_overrides == ()
    assert "capacity_overrides of 2024/2025 left out (2024-10-21)" in text
    windows = {(w.start, w.end) for w in commune.holiday_windows}
    assert (date(2027, 5, 6), date(2027, 5, 9)) in windows  # the bridge, as in 2024/2025
    assert (date(2027, 7, 3), date(2027, 9, 1)) in windows  # the summer: its dates are to check
    assert commune.calendar.runs_on("VACANCES", date(2027, 5, 7))
    # Another commune's name: its key and structure are not carried over.
    other = ps.Commune.from_toml(init_toml("Pierroton", "A", 2026, path))
    assert (other.key, other.structure_name) == ("", "Mairie de Pierroton")


def test_init_refuses_what_it_cannot_derive() -> None:
    with pytest.raises(ps.ConfigurationError) as info:
        init_toml("Cestas", "D", 2026)
    assert info.value.path == "zone"
    with pytest.raises(ps.ConfigurationError) as info:
        init_toml("Cestas", "A", 2010)  # before the `holidays` package's school calendars
    assert info.value.code == "unknown_school_year"
    assert "pip install -U holidays" in info.value.message
    with pytest.raises(ps.ConfigurationError):
        init_toml(" ", "A", 2026)


def test_init_reads_no_clock() -> None:
    import periscolaire.init

    source = inspect.getsource(periscolaire.init)
    assert ".now(" not in source
    assert ".today(" not in source
    assert school_year_of(date(2026, 8, 1)) == 2026
    assert school_year_of(date(2027, 7, 31)) == 2026


def run(*argv: str) -> str:
    out = io.StringIO()
    assert main(list(argv), out) == 0
    return out.getvalue()


def test_cli_init_writes_to_standard_output_or_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("init", "--name", "Cestas", "--zone", "A", "--year", "2026") == init_toml("Cestas", "A", 2026)
    target = tmp_path / "cestas.toml"
    said = run("init", "--name", "Cestas", "--zone", "C", "--year", "2025", "--out", str(target))
    assert said.startswith(f"{target} : Cestas 2025/2026, zone C, 5 périodes de réservation, 4 périodes")
    assert ps.load_commune(target).holiday_zone == "C"
    # An existing file is kept, unless --force.
    out = io.StringIO()
    argv = ["init", "--name", "Cestas", "--zone", "B", "--year", "2025", "--out", str(target)]
    assert main(argv, out) == 2
    assert "existe déjà" in capsys.readouterr().err
    assert ps.load_commune(target).holiday_zone == "C"
    run(*argv, "--force")
    assert ps.load_commune(target).holiday_zone == "B"
    # --from takes a bundled name too.
    text = run("init", "--name", "Cestas", "--zone", "A", "--year", "2027", "--from", "cestas-2026-2027")
    commune = ps.Commune.from_toml(text)
    assert commune.school_year == 2027
    assert commune.dossier_deadline == date(2027, 8, 16)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["init", "--name", "X", "--zone", "D", "--year", "2026"], "choix invalide"),
        (["init", "--name", "X", "--zone", "A", "--year", "26"], "année AAAA de 2000 à 2098"),
        (["init", "--name", "X", "--zone", "A", "--year", "2010"], "pas connu du paquet holidays"),
        (["init", "--name", "X", "--zone", "A", "--year", "2026", "--from", "/nowhere.toml"], "introuvable"),
        (["init", "--zone", "A", "--year", "2026"], "--name"),
    ],
)
def test_cli_init_errors_are_one_line_and_status_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert status_of(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
