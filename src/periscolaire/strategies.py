"""Hypothesis strategies for property tests of periscolaire and of its hosts.

Install with ``pip install periscolaire[hypothesis]``; importing
:mod:`periscolaire` itself never needs Hypothesis.

>>> from hypothesis import given
>>> from periscolaire.strategies import communes
>>> @given(communes())
... def test_every_activity_runs_some_day(commune):
...     for code in commune.activities:
...         assert commune.calendar.running_days(code)
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from periscolaire.calendar import (
    FRI,
    MON,
    THU,
    TUE,
    WED,
    BeforeHolidayStart,
    BookingPeriod,
    Closure,
    DayOfPreviousMonth,
    DaysBefore,
    DeadlineRule,
    Season,
    WeekdayBefore,
    derive_periods,
)
from periscolaire.commune import Activity, Commune
from periscolaire.errors import ConfigurationError
from periscolaire.tariff import BracketTariff, EffortRateTariff, Pricing, Tariff
from periscolaire.wallet import Account

__all__ = [
    "accounts",
    "activity_codes",
    "amounts",
    "bracket_tariffs",
    "communes",
    "deadline_rules",
    "effort_rate_tariffs",
    "instants",
    "ledger_operations",
    "pricings",
    "quotients",
    "school_years",
    "tariffs",
]

#: School years the ``holidays`` package knows well for every zone.
SCHOOL_YEARS = range(2022, 2026)


def school_years() -> st.SearchStrategy[int]:
    """A school year (2024 means 2024/2025)."""
    return st.sampled_from(SCHOOL_YEARS)


def activity_codes() -> st.SearchStrategy[str]:
    """An activity code: upper-case letters, digits and underscores."""
    return st.from_regex(r"\A[A-Z][A-Z0-9_]{0,11}\Z")


_cutoffs = st.none() | st.sampled_from([time(9), time(12), time(18, 30)])


def deadline_rules(season: Season = Season.SCHOOL) -> st.SearchStrategy[DeadlineRule]:
    """A deadline rule that some day of a normal school year can meet."""
    rules: list[st.SearchStrategy[DeadlineRule]] = [
        st.builds(
            DaysBefore,
            st.integers(1, 10),
            at=_cutoffs,
            working_days=st.booleans(),
        ),
        st.builds(WeekdayBefore, st.integers(0, 6), at=_cutoffs),
        st.builds(DayOfPreviousMonth, st.integers(1, 31), at=_cutoffs),
    ]
    if season is Season.HOLIDAYS:
        rules.append(st.builds(BeforeHolidayStart, st.integers(1, 21), at=_cutoffs))
    return st.one_of(rules)


@st.composite
def _activity(draw: st.DrawFn, code: str, season: Season) -> Activity:
    weekdays = (
        draw(st.sampled_from([(MON, TUE, THU, FRI), (WED,), (MON, TUE, WED, THU, FRI)]))
        if season is Season.SCHOOL
        else draw(st.sampled_from([(MON, TUE, WED, THU, FRI), (MON, WED, FRI)]))
    )
    capacity = draw(st.none() | st.integers(0, 40))
    tariff = draw(st.none() | pricings())
    return Activity(
        code=code,
        label=draw(st.text(min_size=1, max_size=20)),
        season=season,
        weekdays=weekdays,
        deadline=draw(deadline_rules(season)),
        cancel_deadline=draw(st.none() | deadline_rules(season)),
        capacity=capacity,
        waiting_list=capacity is not None and draw(st.booleans()),
        wallet=draw(st.sampled_from(["PERISCOLAIRE", "RESTAURATION", "EXTRASCOLAIRE"])),
        tariff=tariff,
    )


@st.composite
def communes(draw: st.DrawFn, max_activities: int = 4) -> Commune:
    """A valid commune configuration, its periods derived from a real school
    calendar (zone A, B or C, a school year from 2022/2023 to 2025/2026),
    with school-time and holiday-time activities, closures and any mix of
    deadline rules. Its calendar is built (and so checked).
    """
    zone = draw(st.sampled_from("ABC"))
    year = draw(school_years())
    derived = derive_periods(zone, year)
    # Periods as derived, or run on to the end of the holidays that follow them.
    periods = []
    for i, p in enumerate(derived):
        opens = p.opens + timedelta(days=draw(st.integers(0, 10)))
        opens = min(opens, p.start)
        end = p.end
        if i + 1 < len(derived) and draw(st.booleans()):
            end = derived[i + 1].start - timedelta(days=3)
        periods.append(BookingPeriod(i + 1, opens=opens, start=p.start, end=end))
    n = draw(st.integers(1, max_activities))
    codes = draw(st.lists(activity_codes(), min_size=n, max_size=n, unique=True))
    activities = {}
    for i, code in enumerate(codes):
        season = Season.HOLIDAYS if i == 1 else draw(st.sampled_from(Season))
        activities[code] = draw(_activity(code, season))
    closures = []
    for _ in range(draw(st.integers(0, 2))):
        start = periods[0].start + timedelta(days=draw(st.integers(0, 250)))
        closures.append(
            Closure(
                start=start,
                end=start + timedelta(days=draw(st.integers(0, 2))),
                activities=tuple(draw(st.lists(st.sampled_from(codes), max_size=2, unique=True))),
                reason=draw(st.text(max_size=20)),
            )
        )
    commune = Commune(
        name=draw(st.text(min_size=1, max_size=20).filter(str.strip)),
        activities=activities,
        periods=tuple(periods),
        holiday_zone=zone,
        school_year=year,
        closures=tuple(closures),
    )
    try:
        commune.calendar  # noqa: B018 - building it checks every deadline rule
    except ConfigurationError:  # pragma: no cover - rare: a rule no day can meet
        assume(False)
    return commune


def instants(start: date, end: date) -> st.SearchStrategy[datetime]:
    """A naive commune-local instant between two days (inclusive)."""
    return st.datetimes(
        min_value=datetime.combine(start, time(0)),
        max_value=datetime.combine(end, time(23, 59, 59)),
    )


# --------------------------------------------------------------------------
# Money, tariffs, ledgers
# --------------------------------------------------------------------------


def amounts(min_value: Decimal | int = 0, max_value: Decimal | int = 1000) -> st.SearchStrategy[Decimal]:
    """Euros, to the cent, between two bounds."""
    low, high = int(Decimal(min_value) * 100), int(Decimal(max_value) * 100)
    return st.integers(low, high).map(lambda cents: Decimal(cents).scaleb(-2))


def quotients() -> st.SearchStrategy[Decimal | None]:
    """A QF in euros (or None: no QF, the highest price)."""
    return st.none() | amounts(0, 4000)


@st.composite
def bracket_tariffs(draw: st.DrawFn) -> BracketTariff:
    """A grid of 1 to 6 brackets starting at QF 0."""
    bounds = draw(st.lists(st.integers(1, 3000), max_size=5, unique=True).map(sorted))
    prices = draw(st.lists(amounts(0, 30), min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    tariff = BracketTariff(tuple(zip([Decimal(0), *map(Decimal, bounds)], prices, strict=True)))
    if draw(st.booleans()):
        tariff = BracketTariff(tariff.brackets, cost_price=tariff.highest + draw(amounts(0, 10)))
    return tariff


@st.composite
def effort_rate_tariffs(draw: st.DrawFn) -> EffortRateTariff:
    """QF x rate between a floor and a ceiling."""
    floor = draw(amounts(0, 10))
    ceiling = floor + draw(amounts(0, 20))
    rate = Decimal(draw(st.integers(0, 200))).scaleb(-4)  # 0 % to 2 % of the QF
    return EffortRateTariff(rate=rate, floor=floor, ceiling=ceiling)


def tariffs() -> st.SearchStrategy[Tariff]:
    return st.one_of(bracket_tariffs(), effort_rate_tariffs())


@st.composite
def pricings(draw: st.DrawFn) -> Pricing:
    """A tariff with any of the modifiers communes use."""
    tariff = draw(tariffs())
    cap = tariff.cost_price
    non_resident = draw(st.none() | amounts(0, cap if cap is not None else 40))
    return Pricing(
        tariff,
        non_resident=non_resident,
        sibling_reduction=Decimal(draw(st.integers(0, 100))).scaleb(-2),
        sibling_rank=draw(st.integers(2, 4)),
        late_surcharge=draw(amounts(0, 5)),
        unbooked_presence=draw(st.none() | amounts(0, 40)),
    )


WALLETS = ("PERISCOLAIRE", "RESTAURATION", "EXTRASCOLAIRE")


def ledger_operations(wallets: tuple[str, ...] = WALLETS) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    """Operations on an account, valid or not: ("pay" | "credit" | "debit",
    wallet, amount, day) and ("correct", entry number, day). Unknown
    porte-monnaies, zero and negative amounts and bad entry numbers occur."""
    day = st.dates(date(2024, 8, 1), date(2025, 7, 31))
    wallet = st.sampled_from([*wallets, "INCONNU"])
    amount = st.one_of(amounts(-10, 200), st.just(Decimal(0)))
    move = st.tuples(st.sampled_from(["pay", "credit", "debit"]), wallet, amount, day)
    correct = st.tuples(st.just("correct"), st.integers(0, 30), day)
    return st.lists(st.one_of(move, move, correct), max_size=30)


def apply_operation(account: Account, op: tuple[Any, ...]) -> bool:
    """Apply one operation of :func:`ledger_operations`; False if refused."""
    from periscolaire.errors import PeriscolaireError

    try:
        if op[0] == "correct":
            account.correct(op[1], op[2])
        elif op[0] == "pay":
            account.pay(op[1], op[2], op[3], reference="REF")
        else:
            getattr(account, op[0])(op[1], op[2], op[3], op[0])
    except PeriscolaireError:
        return False
    return True


@st.composite
def accounts(draw: st.DrawFn, wallets: tuple[str, ...] = WALLETS) -> Account:
    """An account after a random history of payments, debits and corrections."""
    account = Account(wallets=wallets)
    for op in draw(ledger_operations(wallets)):
        apply_operation(account, op)
    return account
