"""Run every benchmark and print one table: figure, target, measured, peer.

    python -m benchmarks          # or: python benchmarks/run.py

Not part of the test suite: timings depend on the machine; the targets come
from the issues.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import bench_booking, bench_calendar, bench_demo, bench_tariff
from benchmarks.common import Figure

MODULES = [bench_calendar, bench_booking, bench_tariff, bench_demo]


def main(argv: list[str] | None = None) -> int:
    rows: list[Figure] = []
    for module in MODULES:
        for figure in module.FIGURES:
            print(f"… {module.__name__.split('.')[-1]}.{figure.__name__}", file=sys.stderr, flush=True)
            rows.extend(figure())
    headers = ("figure", "target", "measured", "peer (same run)", "ok")
    table = [(r.name, r.target, r.measured, r.peer, {True: "yes", False: "NO", None: ""}[r.ok]) for r in rows]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in table:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
