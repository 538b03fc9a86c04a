"""Issue 4 figure: pricing a million family-days under a bracket tariff."""

from __future__ import annotations

import random
from decimal import Decimal

from benchmarks.common import Figure, best_of, fmt_seconds


def pricing_speed() -> list[Figure]:
    import periscolaire as ps

    pricing = ps.load_commune().activity("MERCREDI").tariff
    assert pricing is not None
    rng = random.Random(2024)
    # 10,000 families, 100 booked days each: a QF (or none) and a rank per family.
    families = [
        (
            None if rng.random() < 0.1 else Decimal(rng.randrange(0, 250_000)).scaleb(-2),
            rng.choice((1, 1, 2, 3)),
        )
        for _ in range(10_000)
    ]
    days = 100

    def price_every_day() -> Decimal:
        total = Decimal(0)
        price = pricing.price
        for qf, rank in families:
            for _ in range(days):
                total += price(qf, rank=rank)
        return total

    seconds = best_of(price_every_day, 3)
    return [
        Figure(
            "pricing 1,000,000 family-days, one price() call per day (bracket grid, modifiers)",
            "≤ 2 s",
            fmt_seconds(seconds),
            f"{1_000_000 / seconds:,.0f} days/s",
            seconds <= 2,
        )
    ]


FIGURES = [pricing_speed]
