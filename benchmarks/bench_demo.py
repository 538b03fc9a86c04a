"""Issue 6 figure: `periscolaire demo` finishes in under a second."""

from __future__ import annotations

from benchmarks.common import Figure, fmt_seconds, subprocess_seconds


def demo_time() -> list[Figure]:
    code = (
        "import time, io; t = time.perf_counter(); from periscolaire.cli import main; "
        "main(['demo'], io.StringIO()); print(time.perf_counter() - t)"
    )
    seconds = subprocess_seconds(code, repeat=5)
    return [
        Figure(
            "periscolaire demo, whole story (fresh interpreter, imports included)",
            "< 1 s",
            fmt_seconds(seconds),
            "",
            seconds < 1,
        )
    ]


FIGURES = [demo_time]
