"""Run every benchmark and print one table: figure, target, measured, peer.

    python -m benchmarks          # or: python benchmarks/run.py
    python -m benchmarks --quick  # bench_store with 2,000 families instead of 10,000,
                                  # bench_accounts' year with 2,000 families and one run in 5

Not part of the test suite: timings depend on the machine; the targets come
from the issues.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import (
    bench_accounts,
    bench_booking,
    bench_calendar,
    bench_demo,
    bench_scenarios,
    bench_store,
    bench_tariff,
)
from benchmarks.common import Figure, print_table

MODULES = [
    bench_calendar,
    bench_booking,
    bench_tariff,
    bench_scenarios,
    bench_demo,
    bench_store,
    bench_accounts,
]


def main(argv: list[str] | None = None) -> int:
    rows: list[Figure] = []
    for module in MODULES:
        for figure in module.FIGURES:
            print(f"… {module.__name__.split('.')[-1]}.{figure.__name__}", file=sys.stderr, flush=True)
            rows.extend(figure())
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
