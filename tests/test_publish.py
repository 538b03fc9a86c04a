"""Ready to publish: the built wheel installed in a fresh environment runs the
demo; the command line speaks French and fails on one line; the metadata, the
licence, the changelog and the documentation site's pages hold together."""

from __future__ import annotations

import importlib
import io
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import periscolaire as ps
from periscolaire.cli import main
from periscolaire.errors import MissingExtra

ROOT = Path(__file__).resolve().parent.parent


def _clean_env() -> dict[str, str]:
    """The environment of a child process, without this checkout on its path."""
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}


# -- the wheel in a fresh virtual environment -------------------------------------------
# Slow but run (about 20 to 40 s: a build, a venv, the core dependencies from PyPI).


def test_the_built_wheel_installs_in_a_fresh_venv_and_runs_the_demo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(ROOT)],
        check=True,
        env=_clean_env(),
        timeout=300,
    )
    (wheel,) = dist.glob("periscolaire-*.whl")
    assert wheel.name.startswith(f"periscolaire-{ps.__version__}-")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"periscolaire-{ps.__version__}.dist-info/METADATA").decode()
    assert "periscolaire/py.typed" in names
    assert "periscolaire/data/cestas-2024-2025.toml" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith("/LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "docs/")) for n in names)
    for requirement in ("attrs", "python-dateutil", "holidays"):
        assert re.search(rf"^Requires-Dist: {requirement}\b", metadata, re.MULTILINE), requirement
    assert "Project-URL: Documentation, " in metadata

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        env=_clean_env(),
        timeout=300,
    )
    # Run away from the checkout, so that only the installed package can answer.
    where = subprocess.run(
        [str(python), "-c", "import periscolaire; print(periscolaire.__file__, periscolaire.__version__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=_clean_env(),
    ).stdout.split()
    assert Path(where[0]).is_relative_to(venv)
    assert where[1] == ps.__version__
    done = subprocess.run(
        [str(bindir / "periscolaire"), "demo"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=_clean_env(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("periscolaire demo — Cestas 2024/2025")
    assert "Veuillez trouver ci-dessous un compte rendu" in done.stdout
    assert "Paiement et solde, historique" in done.stdout


# -- metadata, licence, changelog -------------------------------------------------------


def test_version_is_written_in_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/periscolaire/__init__.py"
    init = (ROOT / "src/periscolaire/__init__.py").read_text(encoding="utf-8")
    assert re.findall(r'^__version__ = "([^"]+)"$', init, re.MULTILINE) == [ps.__version__]


def test_project_urls_licence_and_changelog() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert {"Homepage", "Documentation", "Source", "Issues", "Changelog"} <= set(project["urls"])
    assert project["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "[Keep a Changelog]" in changelog
    assert "## Unreleased" in changelog
    for issue in ("issue 9", "issue 10", "issue 11", "issue 12"):
        assert issue in changelog
    # The docs extra is not pulled in by the test install.
    extras = project["optional-dependencies"]
    assert {"mkdocs>=1.6", "twine>=5.1", "build>=1.2"} <= set(extras["docs"])
    assert not any("docs" in r or "mkdocs" in r for r in extras["test"] + extras["dev"])


# -- the documentation site -------------------------------------------------------------


def test_the_site_publishes_every_guide_page_and_every_public_name() -> None:
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = set(re.findall(r":\s+([\w/.-]+\.md)\s*$", mkdocs, re.MULTILINE))
    on_disk = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert pages == on_disk
    api = (ROOT / "docs/reference/api.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^ {8}- (\w+)$", api, re.MULTILINE))
    assert listed == set(ps.__all__) - {"__version__"}


# -- the optional strategies ------------------------------------------------------------


def test_strategies_without_hypothesis_is_a_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # an import of it fails
    monkeypatch.delitem(sys.modules, "periscolaire.strategies", raising=False)
    with pytest.raises(MissingExtra, match=re.escape("pip install 'periscolaire[hypothesis]'")):
        importlib.import_module("periscolaire.strategies")


# -- the command line in French ---------------------------------------------------------


def _exit(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | str | None, str, str]:
    try:
        code: int | str | None = main(argv, io.StringIO())
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_is_french_and_lists_every_command_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _exit(["--help"], capsys)
    assert code == 0
    assert out.startswith("usage : periscolaire ")
    assert "affiche cette aide et quitte" in out
    assert "affiche la version et quitte" in out
    for english in ("usage:", "positional arguments", "show this help", "show program's"):
        assert english not in out
    lines = out.splitlines()
    for command in ("calendar", "init", "demo", "tariff", "nightly", "db"):
        (line,) = [x for x in lines if x.split()[:1] == [command]]
        index = lines.index(line)
        # the description is on the command's line, and the next line is the next command
        assert len(line.split()) > 2, line
        assert index + 1 == len(lines) or not lines[index + 1].startswith(" " * 8), lines[index + 1]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "periscolaire: erreur : argument(s) obligatoire(s) manquant(s) : COMMANDE"),
        (["frob"], "periscolaire: erreur : argument COMMANDE : choix invalide : 'frob'"),
        (
            ["calendar", "--color", "x"],
            "periscolaire calendar: erreur : argument --color : choix invalide : 'x'",
        ),
        (["calendar", "--bogus"], "periscolaire: erreur : argument(s) non reconnu(s) : --bogus"),
        (["calendar", "--now"], "periscolaire calendar: erreur : argument --now : une valeur attendue"),
        (
            ["init", "--zone", "A"],
            "periscolaire init: erreur : argument(s) obligatoire(s) manquant(s) : --name, --year",
        ),
        (["db"], "periscolaire db: erreur : argument(s) obligatoire(s) manquant(s) : COMMANDE"),
        (
            ["calendar", "--commune", "/nope.toml"],
            "periscolaire: erreur : fichier de configuration introuvable : /nope.toml",
        ),
    ],
)
def test_errors_are_one_french_line_with_status_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _exit(argv, capsys)
    assert code == 2
    assert err.startswith(expected), err
    assert err.count("\n") == 1, err  # one line, no usage, no traceback


def test_plot_to_a_missing_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "missing" / "x.png"
    code, _, err = _exit(["tariff", "--plot", str(target)], capsys)
    assert code == 2
    assert err.count("\n") == 1  # one line, naming the file and saying why
    assert err.startswith("periscolaire: erreur : ")
    assert str(target) in err
    assert "introuvable" in err
    assert "Traceback" not in err


def test_a_missing_folder_fails_without_traceback_in_a_process(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "missing" / "x.png"
    done = subprocess.run(
        [sys.executable, "-m", "periscolaire", "tariff", "--plot", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
