"""Timing helpers shared by the benchmark scripts (not part of the test suite)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    """One line of the table: what was measured, the target, the result."""

    name: str
    target: str
    measured: str
    peer: str = ""
    ok: bool | None = None


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """The shortest of ``repeat`` runs of ``fn``, in seconds (least disturbed run)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def per_call(fn: Callable[[], object], number: int, repeat: int = 5) -> float:
    """Seconds per call of ``fn``, best of ``repeat`` loops of ``number`` calls."""

    def loop() -> None:
        for _ in range(number):
            fn()

    return best_of(loop, repeat) / number


def subprocess_seconds(code: str, repeat: int = 7) -> float:
    """Median wall time of a fresh interpreter running ``code`` and printing a
    duration it measured itself (so interpreter start-up is excluded)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    results = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        results.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(results)


def fmt_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.0f} ns"


def print_table(rows: list[Figure]) -> None:
    """The figures as a table: figure, target, measured, peer, ok."""
    headers = ("figure", "target", "measured", "peer (same run)", "ok")
    table = [(r.name, r.target, r.measured, r.peer, {True: "yes", False: "NO", None: ""}[r.ok]) for r in rows]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in table:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
