"""The README's example and commands stay true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the example creates portail.db where it runs
    code = re.search(r"## In a few lines\n\n```python\n(.*?)```", README, re.S)
    assert code is not None
    namespace: dict[str, object] = {}
    exec(code.group(1), namespace)
    outcome = namespace["outcome"]
    assert len(outcome.accepted) == 17  # type: ignore[attr-defined]
    register = namespace["register"]
    assert len(register) == 0  # type: ignore[arg-type]  # the database register starts empty
    assert (tmp_path / "portail.db").exists()
    namespace["store"].close()  # type: ignore[attr-defined]


def test_the_quick_start_has_two_set_up_commands_and_a_marked_test_command() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick_start, re.S)
    assert len(commands) == 2
    assert commands[0].endswith("periscolaire demo")
    assert "<!-- test-command -->\n```sh\n" + commands[1] in quick_start
    assert commands[1].endswith("python -m pytest")
