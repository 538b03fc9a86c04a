"""A reproducible mutation run of one rule module, compared with its baseline.

    python -m tools.mutation money            # run, compare, exit 1 on a new survivor
    python -m tools.mutation attachments --max-children 2
    python -m tools.mutation money --keep     # reuse the previous run's results (mutmut's cache)

The run happens in ``build/mutation/<module>/`` (ignored by git): a fresh copy of
``src/`` and ``tests/`` and a generated ``pyproject.toml`` that gives mutmut 3
one module to mutate and only the tests that state its rules (plus the module's
doctests). The project's own ``pyproject.toml`` is not read, so that its pytest
options (every doctest of the docs, the database stores) stay out of the run.

Why a chosen test selection: mutmut attributes a mutant to the tests that called
its function while it collected statistics. Tests that build a commune at import
(``COMMUNE = ps.load_commune()`` at module level in ``tests/properties/``) call
calendar, tariff and money functions outside of any test: those calls are
attributed to no test, so their mutants come back as « no tests » or survive.
The selections below hold no such module.

The baseline, ``tools/mutation_baseline/<module>.toml``, lists the accepted
survivors of the module, each with its change (the mutated line) and a reason (``message``:
it only changes a French message; ``equivalent``: no input can tell it apart).
A survivor that is not there (or whose change differs: the code moved) fails the
run; a listed mutant that is now killed is reported, to be removed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ROOT / "tools" / "mutation_baseline"
WORK = ROOT / "build" / "mutation"


@dataclass(frozen=True)
class Target:
    """A module to mutate and the tests that state its rules."""

    source: str
    tests: tuple[str, ...]


TARGETS = {
    "money": Target(
        "src/periscolaire/money.py",
        ("tests/test_money.py", "tests/test_wallet.py", "src/periscolaire/money.py"),
    ),
    "attachments": Target(
        "src/periscolaire/attachments.py",
        ("tests/test_attachments.py", "src/periscolaire/attachments.py"),
    ),
    "wallet": Target(
        "src/periscolaire/wallet.py",
        ("tests/test_wallet.py", "src/periscolaire/wallet.py"),
    ),
    "dossier": Target(
        "src/periscolaire/dossier.py",
        (
            "tests/test_dossier.py",
            "tests/test_dossier_rules.py",
            "tests/test_dossier_storage.py",
            "src/periscolaire/dossier.py",
        ),
    ),
    "calendar": Target(
        "src/periscolaire/calendar.py",
        (
            "tests/test_calendar.py",
            "tests/test_calendar_rules.py",
            "tests/test_calendar_describe.py",
            "tests/test_calendar_vallon.py",
            "tests/test_calendar_building.py",
            "tests/properties/test_calendar_properties.py",
            "tests/properties/test_clock_change_properties.py",
            "tests/test_validators.py",
            "src/periscolaire/calendar.py",
            # commune.py's TOML round trip (it builds calendars, states no calendar rule; 12 s a mutant)
            "--deselect",
            "tests/properties/test_calendar_properties.py::test_writing_then_reading_a_configuration_keeps_it_equal",
        ),
    ),
    "booking": Target(
        "src/periscolaire/booking.py",
        (
            "tests/test_booking.py",
            "tests/test_booking_vallon.py",
            "tests/test_booking_month.py",
            "tests/test_booking_selection.py",
            "tests/test_booking_copy.py",
            "tests/test_booking_confirmation.py",
            "tests/test_booking_priorities.py",
            "tests/test_booking_forms.py",
            "tests/test_priorities.py",
            "tests/test_jsonforms.py",
            "tests/contract/test_register_contract.py",
            "src/periscolaire/booking.py",
            # not tests/properties/test_booking_properties.py: its state machines take about
            # 30 s a surviving mutant (the test suite still runs them)
        ),
    ),
    "tariff": Target(
        "src/periscolaire/tariff.py",
        (
            "tests/test_tariff.py",
            "tests/test_tariff_rules.py",
            "tests/test_tariff_refusals.py",
            "tests/test_tariff_families.py",
            "src/periscolaire/tariff.py",
        ),
    ),
}

KILLED = {"killed", "timeout", "caught by type check", "segfault"}
#: mutmut's exit codes (mutmut.stats.status_by_exit_code, 3.8).
STATUS = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    35: "suspicious",
    36: "timeout",
    37: "caught by type check",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    -11: "segfault",
    -9: "segfault",
}


def _pyproject(target: Target) -> str:
    def array(values: tuple[str, ...] | list[str]) -> str:
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"

    return "\n".join(
        [
            "[tool.pytest.ini_options]",
            'addopts = ["--doctest-modules", "-p", "no:cacheprovider"]',
            'doctest_optionflags = ["NORMALIZE_WHITESPACE", "ELLIPSIS"]',
            "",
            "[tool.mutmut]",
            'source_paths = ["src"]',
            f"only_mutate = {array([target.source])}",
            f"pytest_add_cli_args_test_selection = {array(target.tests)}",
            "",
        ]
    )


def prepare(module: str, *, keep: bool) -> Path:
    """A copy of the sources and tests to run mutmut in."""
    work = WORK / module
    if work.exists() and not keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for folder in ("src", "tests"):
        shutil.copytree(ROOT / folder, work / folder, dirs_exist_ok=True, ignore=ignore)
    (work / "pyproject.toml").write_text(_pyproject(TARGETS[module]), encoding="utf-8")
    return work


def results(work: Path, module: str) -> dict[str, str]:
    """Each mutant's status, from mutmut's ``.meta`` file."""
    meta = work / "mutants" / (TARGETS[module].source + ".meta")
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return {name: STATUS.get(code, "suspicious") for name, code in sorted(codes.items())}


def _added(diff: str) -> str:
    lines = [
        line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")
    ]
    return " / ".join(lines)


#: Run in the work directory: the diff of each mutant named on stdin, as ``mutmut show``
#: prints it, in one process (one ``mutmut show`` per mutant starts Python each time).
_SHOW_ALL = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
path, names = sys.argv[1], sys.stdin.read().split()
print(json.dumps({name: get_diff_for_mutant(name, path=path) for name in names}))
"""


def changes(work: Path, module: str, names: list[str]) -> dict[str, str]:
    """The mutated line(s) of each mutant, as ``mutmut show`` gives them."""
    if not names:
        return {}
    shown = subprocess.run(
        [sys.executable, "-c", _SHOW_ALL, TARGETS[module].source],
        cwd=work,
        input="\n".join(names),
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode == 0:
        diffs: dict[str, str] = json.loads(shown.stdout)
        return {name: _added(diff) for name, diff in diffs.items()}
    return {name: change(work, name) for name in names}  # another mutmut version: one call each


def change(work: Path, name: str) -> str:
    """The mutated line(s) of a mutant, from ``mutmut show``."""
    shown = subprocess.run(
        [sys.executable, "-m", "mutmut", "show", name],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return _added(shown)


def baseline(module: str) -> dict[str, dict[str, str]]:
    """The accepted survivors of a module: ``tools/mutation_baseline/<module>.toml``."""
    path = BASELINES / f"{module}.toml"
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in data.get("survivor", [])}


def compare(work: Path, module: str) -> int:
    statuses = results(work, module)
    counts = Counter(statuses.values())
    total = len(statuses)
    killed = sum(n for status, n in counts.items() if status in KILLED)
    accepted = baseline(module)
    survivors = [name for name, status in statuses.items() if status not in KILLED]
    new: list[tuple[str, str, str]] = []
    kept = 0
    mutated_lines = changes(work, module, survivors)
    for name in survivors:
        mutated = mutated_lines[name]
        entry = accepted.get(name)
        if entry is not None and entry.get("change") == mutated:
            kept += 1
        else:
            new.append((name, statuses[name], mutated))
    stale = sorted(name for name in accepted if statuses.get(name) in KILLED or name not in statuses)
    print(f"{module}: {total} mutants, " + ", ".join(f"{n} {s}" for s, n in counts.most_common()))
    if total:
        print(
            f"score: {killed / total:.1%} killed; {(killed + kept) / total:.1%} with {kept} accepted survivors"
        )
    for name, status, mutated in new:
        print(f"NOT ACCEPTED ({status}): {name}\n    {mutated}")
    for name in stale:
        print(f"stale baseline entry (killed or gone, remove it): {name}")
    return 1 if new else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", choices=sorted(TARGETS))
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutants (default 2)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the previous run's results (mutmut's cache)"
    )
    parser.add_argument("--compare-only", action="store_true", help="compare the last run with the baseline")
    args = parser.parse_args(argv)
    work = WORK / args.module
    if not args.compare_only:
        work = prepare(args.module, keep=args.keep)
        subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)],
            cwd=work,
            check=False,
        )
    return compare(work, args.module)


if __name__ == "__main__":
    raise SystemExit(main())
