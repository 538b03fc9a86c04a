"""Invariants of the ledger, the estimates and the tariffs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

import periscolaire as ps
from periscolaire.strategies import (
    WALLETS,
    accounts,
    amounts,
    apply_operation,
    bracket_tariffs,
    effort_rate_tariffs,
    ledger_operations,
    pricings,
    quotients,
)


@given(ledger_operations())
def test_the_balance_is_always_the_sum_of_the_entries(operations: list[tuple[object, ...]]) -> None:
    account = ps.Account(wallets=WALLETS)
    for op in operations:
        before = account.entries
        if not apply_operation(account, op):
            assert account.entries == before  # a refused operation changes nothing
        assert account.balance() == sum((e.amount for e in account.entries), Decimal(0))
        for wallet in WALLETS:
            assert account.balance(wallet) == sum(
                (e.amount for e in account.entries if e.wallet == wallet), Decimal(0)
            )
        assert account.is_debtor == (account.balance() < 0)


@given(accounts(), st.sampled_from(WALLETS), amounts(Decimal("0.01"), 100))
def test_a_correction_and_its_reversal_cancel_out(account: ps.Account, wallet: str, amount: Decimal) -> None:
    before = account.balance()
    entry = account.debit(wallet, amount, date(2024, 9, 2), "Repas")
    account.correct(entry.number, date(2024, 9, 3))
    assert account.balance() == before
    assert account.balance(wallet) == sum(
        (e.amount for e in account.entries if e.wallet == wallet), Decimal(0)
    )


@given(
    amounts(-500, 500),
    st.lists(st.tuples(st.dates(date(2024, 9, 1), date(2025, 7, 4)), amounts(0, 20)), max_size=40),
    st.none() | st.dates(date(2024, 9, 1), date(2025, 7, 4)),
)
def test_the_two_forms_of_the_estimated_balance_agree(
    balance: Decimal, costs: list[tuple[date, Decimal]], until: date | None
) -> None:
    e = ps.estimate(balance, costs, until)
    # « (Montant dû + Montant des réservations) ou (Votre crédit – Montant des réservations) »
    if e.balance < 0:
        assert -e.estimated_balance == e.amount_due + e.reservations
    else:
        assert e.estimated_balance == e.credit - e.reservations
    assert e.suggested_payment >= 0
    assert e.estimated_balance + e.suggested_payment >= 0
    assert e.suggested_payment == 0 or e.estimated_balance + e.suggested_payment == 0


@given(effort_rate_tariffs(), quotients())
def test_an_effort_rate_price_lies_between_floor_and_ceiling(
    tariff: ps.EffortRateTariff, qf: Decimal | None
) -> None:
    assert tariff.floor <= tariff.price(qf) <= tariff.ceiling


@given(bracket_tariffs(), quotients())
def test_a_bracket_price_is_one_of_the_grid_prices_and_never_above_the_cost(
    tariff: ps.BracketTariff, qf: Decimal | None
) -> None:
    price = tariff.price(qf)
    assert price in {p for _, p in tariff.brackets}
    assert tariff.cost_price is None or price <= tariff.cost_price


@given(pricings(), quotients(), st.integers(1, 6), st.booleans())
def test_every_price_is_in_cents_and_not_negative(
    pricing: ps.Pricing, qf: Decimal | None, rank: int, resident: bool
) -> None:
    for usage in ps.Usage:
        price = pricing.price(qf, resident=resident, rank=rank, usage=usage)
        assert price >= 0
        assert price == price.quantize(Decimal("0.01"))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["paolo", "amalia"]),
            st.dates(date(2024, 9, 2), date(2024, 10, 18)),
            st.booleans(),
        ),
        max_size=30,
    ),
    st.dates(date(2024, 9, 2), date(2024, 10, 25)),
)
def test_debiting_twice_changes_nothing(rows: list[tuple[str, date, bool]], today: date) -> None:
    reservations = [
        ps.Reservation(child, "RESTAURATION", day, "F1", "accepted" if accepted else "waitlisted", i)
        for i, (child, day, accepted) in enumerate(rows)
    ]
    account = ps.Account(wallets=("RESTAURATION",))

    def run() -> tuple[ps.Entry, ...]:
        return account.debit_consumptions(
            reservations,
            today=today,
            price=lambda r: Decimal("2.84"),
            wallet_of={"RESTAURATION": "RESTAURATION"},
        )

    first = run()
    balance = account.balance()
    assert run() == ()
    assert account.balance() == balance
    expected = {(r.child, r.day) for r in reservations if r.status == "accepted" and r.day < today}
    assert len(first) == len(expected)
