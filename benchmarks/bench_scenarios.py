"""Issue 14 figures: tariff scenarios over a synthetic population of 100,000
families x 180 days (18 million family-days), priced with numpy, against the
per-day Python path (``Pricing.price`` once per day) in the same run.

    python benchmarks/bench_scenarios.py     # this file alone
    python -m benchmarks                     # every benchmark
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Figure, best_of, fmt_seconds, print_table

FAMILIES = 100_000
DAYS = 180
#: Families priced day by day by the Python path (then scaled to FAMILIES).
SAMPLE = 1_000


def synthetic_families(count: int, seed: int = 2025) -> list[dict[str, object]]:
    """``count`` families of 1 to 3 children (one row per child) sharing DAYS
    booked days a family over the five Cestas activities: a QF to the cent
    (10 % without), 5 % living outside the commune."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    codes = ("RESTAURATION", "ACCUEIL_SOIR", "ACCUEIL_MATIN", "MERCREDI", "VACANCES")
    for f in range(count):
        qf = None if rng.random() < 0.1 else Decimal(rng.randrange(0, 250_000)).scaleb(-2)
        resident = rng.random() >= 0.05
        children = rng.choice((1, 1, 2, 2, 3))
        cuts = sorted(rng.randrange(0, DAYS + 1) for _ in range(children - 1))
        for rank, (start, end) in enumerate(pairwise([0, *cuts, DAYS]), start=1):
            left = end - start
            days = {}
            for code in codes[:-1]:
                days[code] = (
                    rng.randrange(0, left + 1)
                    if code != "RESTAURATION"
                    else rng.randrange(left // 2, left + 1)
                )
                left -= days[code]
            days[codes[-1]] = left
            rows.append({"family": f"F{f}", "qf": qf, "resident": resident, "rank": rank, **days})
    return rows


def scenario_speed() -> list[Figure]:
    import periscolaire as ps
    from periscolaire import scenarios as sc

    today = {code: a.tariff for code, a in ps.load_commune().activities.items() if a.tariff}
    reform = {code: a.tariff for code, a in sc.example_commune().activities.items() if a.tariff}
    rows = synthetic_families(FAMILIES)
    import pandas as pd

    started = time.perf_counter()
    sc.Population.from_families(rows, today)
    convert = time.perf_counter() - started
    frame = pd.DataFrame(rows)
    frame["qf"] = [float(q) if q is not None else float("nan") for q in frame["qf"]]  # as read_csv gives it
    started = time.perf_counter()
    population = sc.Population.from_families(frame, today)
    convert_frame = time.perf_counter() - started
    started = time.perf_counter()
    comparison = sc.compare(frame, {"today": today, "reform": reform})
    tables = (comparison.per_family, comparison.per_band, comparison.per_activity)
    compare_seconds = time.perf_counter() - started
    assert len(tables[0]) == FAMILIES
    family_days = population.family_days

    def price_vectorised() -> object:
        return population.totals(today)

    vectorised = best_of(price_vectorised, 3)

    # The per-day Python path on the children of the first SAMPLE families, scaled up.
    sample = [row for row in rows if int(str(row["family"])[1:]) < SAMPLE]
    sample_days = sum(int(r[c]) for r in sample for c in today)  # type: ignore[call-overload]

    def price_every_day() -> Decimal:
        total = Decimal(0)
        for row in sample:
            qf, resident, rank = row["qf"], row["resident"], row["rank"]
            for code, pricing in today.items():
                price = pricing.price
                for _ in range(int(row[code])):  # type: ignore[call-overload]
                    total += price(qf, resident=resident, rank=rank)  # type: ignore[arg-type]
        return total

    per_day_sample = best_of(price_every_day, 1)
    per_day = per_day_sample * family_days / sample_days
    # Same cents both ways, on the sample.
    check = sc.Population.from_families(sample, today).totals(today).sum()
    assert Decimal(int(check)).scaleb(-2) == price_every_day(), "vectorised and per-day totals differ"

    def seek() -> object:
        return sc.goal_seek(
            population, today, reform, activity="RESTAURATION", parameter="rate", target=sc.SameRevenue()
        )

    started = time.perf_counter()
    answer = seek()
    seek_seconds = time.perf_counter() - started

    def seek_band() -> object:
        return sc.goal_seek(
            population,
            today,
            reform,
            activity="MERCREDI",
            parameter="bracket[4]",
            target=sc.MaxIncrease(Decimal(50), band="1500+"),
        )

    started = time.perf_counter()
    answer_band = seek_band()
    seek_band_seconds = time.perf_counter() - started
    children = population.children
    return [
        Figure(
            f"scenarios: check and convert a DataFrame of {children:,} children (float QF, NaN) to arrays",
            "",
            fmt_seconds(convert_frame),
            f"the same as records, row by row: {fmt_seconds(convert)}",
        ),
        Figure(
            "scenarios: compare(DataFrame, 2 scenarios) + per_family/per_band/per_activity tables, end to end",
            "≤ 2 s",
            fmt_seconds(compare_seconds),
            "",
            compare_seconds <= 2,
        ),
        Figure(
            f"scenarios: price {len(population):,} families, {family_days / 1e6:.1f} M family-days (numpy)",
            "≤ 2 s",
            fmt_seconds(vectorised),
            f"per-day Python path: {fmt_seconds(per_day)} (measured on {SAMPLE:,} families, "
            f"{sample_days:,} days, scaled) = {per_day / vectorised:,.0f}x slower",
            vectorised <= 2,
        ),
        Figure(
            f"scenarios: goal seek, same revenue, canteen effort rate ({answer.evaluations} evaluations, "  # type: ignore[attr-defined]
            f"rate {answer.value})",  # type: ignore[attr-defined]
            "≤ 10 s",
            fmt_seconds(seek_seconds),
            f"the per-day path would take ≈ {fmt_seconds(per_day * answer.evaluations)}",  # type: ignore[attr-defined]
            seek_seconds <= 10,
        ),
        Figure(
            f"scenarios: goal seek, ≤ 50 € more a year in band 1500+, Wednesday top bracket "
            f"({answer_band.evaluations} evaluations, {answer_band.value} €)",  # type: ignore[attr-defined]
            "≤ 10 s",
            fmt_seconds(seek_band_seconds),
            "",
            seek_band_seconds <= 10,
        ),
    ]


FIGURES = [scenario_speed]


if __name__ == "__main__":
    print_table(scenario_speed())
