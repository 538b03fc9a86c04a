"""Issue 2 figures: import time, is_bookable, load_commune."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from benchmarks.common import Figure, fmt_seconds, per_call, subprocess_seconds

TIMED_IMPORT = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
HOLIDAYS_NOT_IMPORTED = "import sys, periscolaire; print(int('holidays' in sys.modules))"


def import_time() -> list[Figure]:
    ours = subprocess_seconds(TIMED_IMPORT.format(module="periscolaire"))
    peer = subprocess_seconds(TIMED_IMPORT.format(module="holidays"))
    lazy = subprocess_seconds(HOLIDAYS_NOT_IMPORTED, repeat=1) == 0
    used = subprocess_seconds(
        "import time; t = time.perf_counter(); import periscolaire as ps; ps.Commune; ps.SchoolCalendar; "
        "print(time.perf_counter() - t)"
    )
    return [
        Figure(
            "import periscolaire (median of 7 fresh interpreters)",
            "≤ 60 ms and < import holidays",
            fmt_seconds(ours),
            f"import holidays: {fmt_seconds(peer)}",
            ours <= 0.060 and ours < peer,
        ),
        Figure("import periscolaire leaves holidays unimported", "yes", "yes" if lazy else "no", "", lazy),
        Figure(
            "import periscolaire + first use of ps.Commune (loads attrs)",
            "(for information)",
            fmt_seconds(used),
            "",
        ),
    ]


def load_time() -> list[Figure]:
    code = (
        "import time; t = time.perf_counter(); import periscolaire as ps; "
        "c = ps.load_commune(); c.calendar; print(time.perf_counter() - t)"
    )
    first = subprocess_seconds(code)
    return [
        Figure(
            "load_commune() of the bundled file, first time (incl. imports)",
            "≤ 300 ms",
            fmt_seconds(first),
            "",
            first <= 0.300,
        )
    ]


class HostBaseline:
    """What a host writes by hand: ask `holidays` for each day and do the date
    arithmetic of the rules on every call. Generous to the host: its holidays
    objects are built once, not per request."""

    def __init__(self) -> None:
        import holidays

        self.public = holidays.country_holidays(
            "FR", subdiv="Zone A", years=(2024, 2025), categories=("public",)
        )
        self.school = holidays.country_holidays(
            "FR", subdiv="Zone A", years=(2024, 2025), categories=("school",)
        )
        self.periods = [
            (date(2024, 8, 19), date(2024, 9, 2), date(2024, 10, 18)),
            (date(2024, 10, 18), date(2024, 11, 4), date(2025, 1, 3)),
            (date(2024, 12, 20), date(2025, 1, 6), date(2025, 3, 7)),
            (date(2025, 2, 21), date(2025, 3, 10), date(2025, 5, 2)),
            (date(2025, 4, 18), date(2025, 5, 5), date(2025, 7, 4)),
        ]

    def is_bookable(self, day: date, now: datetime) -> bool:
        # Every day is asked of `holidays` (as the issue describes the host), then
        # the weekday, the closure, the period and the 3-day deadline.
        if day in self.public or day in self.school:
            return False
        if day.weekday() != 2 or day == date(2024, 9, 4):
            return False
        for opens, start, end in self.periods:
            if start <= day <= end:
                closes = datetime.combine(day - timedelta(days=3) + timedelta(days=1), time(0))
                return datetime.combine(opens, time(0)) <= now < closes
        return False


def is_bookable_speed() -> list[Figure]:
    import periscolaire as ps

    cal = ps.load_commune().calendar
    host = HostBaseline()
    days = [date(2024, 9, 2) + timedelta(days=i) for i in range(300)]
    now = datetime(2024, 9, 1, 10)
    for day in days:  # both answer the same
        assert host.is_bookable(day, now) == cal.is_bookable("MERCREDI", day, now), day
    it = iter(days * 10_000)

    def ours() -> None:
        cal.is_bookable("MERCREDI", next(it), now)

    ours_s = per_call(ours, 100_000)
    it2 = iter(days * 1_000)

    def theirs() -> None:
        host.is_bookable(next(it2), now)

    theirs_s = per_call(theirs, 20_000)
    ratio = theirs_s / ours_s
    return [
        Figure(
            "is_bookable per call (built calendar, MERCREDI, 300 days)",
            "≤ 1 µs",
            fmt_seconds(ours_s),
            "",
            ours_s <= 1e-6,
        ),
        Figure(
            "is_bookable vs host asking holidays per day",
            "≥ 5× faster",
            f"{ratio:.0f}× faster",
            f"host: {fmt_seconds(theirs_s)}/call",
            ratio >= 5,
        ),
    ]


FIGURES = [import_time, load_time, is_bookable_speed]
