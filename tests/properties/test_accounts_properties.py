"""Invariants of stored family accounts under any sequence of operations, on every store.

A Hypothesis state machine pays, credits, debits, corrects and runs the
nightly debit on two families' accounts in a store, and does the same on
in-memory ``Account``s (the model). After every step: the stored ledger is
the model's, entry for entry; each porte-monnaie's balance is the sum of its
entries; no entry is corrected twice; each consumption is debited once.
Runs on the memory, SQLite, PostgreSQL and MariaDB stores.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import periscolaire as ps
from tests.properties.shared import cestas, on_every_store
from tests.stores import keyed

FAMILIES = ("F-DUPONT", "F-MARTIN")
CHILD = {"F-DUPONT": "paolo", "F-MARTIN": "lea"}


@functools.cache
def wallets() -> tuple[str, ...]:
    """Cestas's porte-monnaie, in the order of its activities."""
    return tuple(dict.fromkeys(a.wallet for a in cestas().activities.values()))


@functools.cache
def wallet_of() -> dict[str, str]:
    return {code: a.wallet for code, a in cestas().activities.items()}


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2)
days = st.integers(0, 40).map(lambda n: date(2024, 9, 2) + timedelta(days=n))
wallet_codes = st.deferred(lambda: st.sampled_from(wallets()))  # drawn from the commune at first use


class AccountsMachine(RuleBasedStateMachine):
    url = "memory://"
    _stores: ClassVar[dict[str, ps.Store]] = {}

    def __init__(self) -> None:
        super().__init__()
        store = self._stores.get(self.url) if self.url != "memory://" else None
        if store is None:
            store = ps.open_store(self.url)
            if self.url != "memory://":
                self._stores[self.url] = store
        self.families = ps.Families(keyed(cestas(), "accounts"), store=store)
        self.agent = self.families.agent("regie")
        self.model = {f: ps.Account(wallets()) for f in FAMILIES}

    def both(self, family: str, call: Any) -> None:
        """The same operation on the store and on the model: same result, or the same error code."""
        try:
            expected = call(self.model[family])
        except ps.PeriscolaireError as exc:
            code = exc.code
            with pytest.raises(type(exc)) as info:
                call(self.agent.account(family))
        else:
            assert call(self.agent.account(family)) == expected
            return
        assert info.value.code == code

    @rule(
        family=st.sampled_from(FAMILIES),
        wallet=wallet_codes,
        amount=amounts,
        reference=st.sampled_from(["CB-1", "CB-2", "CB-3"]),
        on=days,
    )
    def pay(self, family: str, wallet: str, amount: Decimal, reference: str, on: date) -> None:
        self.both(family, lambda a: a.pay(wallet, amount, on, reference).entry)

    @rule(
        family=st.sampled_from(FAMILIES),
        wallet=wallet_codes,
        amount=amounts,
        on=days,
        credit=st.booleans(),
    )
    def credit_or_debit(self, family: str, wallet: str, amount: Decimal, on: date, credit: bool) -> None:
        if credit:
            self.both(family, lambda a: a.credit(wallet, amount, on, "Avoir"))
        else:
            self.both(family, lambda a: a.debit(wallet, amount, on, "Débit"))

    @rule(family=st.sampled_from(FAMILIES), number=st.integers(0, 12), on=days)
    def correct(self, family: str, number: int, on: date) -> None:
        self.both(family, lambda a: a.correct(number, on, "Correction"))

    @rule(
        chosen=st.lists(st.tuples(st.sampled_from(FAMILIES), days), max_size=6),
        today=days,
        price=st.sampled_from([Decimal("3.60"), Decimal("0.00"), Decimal("2.10")]),
    )
    def nightly_debit(self, chosen: list[tuple[str, date]], today: date, price: Decimal) -> None:
        reservations = [
            ps.Reservation(CHILD[f], "RESTAURATION", d, f, "accepted", sequence=i)
            for i, (f, d) in enumerate(dict.fromkeys(chosen))
        ]
        debited = self.agent.debit_consumptions(reservations, today=today, price=lambda r: price)
        for family in FAMILIES:
            mine = [r for r in reservations if r.family == family]
            expected = self.model[family].debit_consumptions(
                mine, today=today, price=lambda r: price, wallet_of=wallet_of()
            )
            assert debited.get(family, ()) == expected

    @invariant()
    def the_stored_ledgers_are_the_models(self) -> None:
        for family in FAMILIES:
            stored = self.families.family(
                ps.Family(family, "N", (ps.Child(CHILD[family], "P", "N"),))
            ).account
            assert stored.entries == self.model[family].entries
            for wallet in wallets():
                assert stored.balance(wallet) == sum(
                    (e.amount for e in stored.entries if e.wallet == wallet), Decimal("0.00")
                )

    @invariant()
    def nothing_is_corrected_twice_nor_consumed_twice(self) -> None:
        for family in FAMILIES:
            entries = self.model[family].entries
            reverses = [e.reverses for e in entries if e.reverses is not None]
            consumed = [e.reference for e in entries if e.kind is ps.EntryKind.CONSUMPTION]
            assert len(reverses) == len(set(reverses))
            assert len(consumed) == len(set(consumed))


(
    TestAccountsMachine,
    TestAccountsMachineOnSQLite,
    TestAccountsMachineOnPostgreSQL,
    TestAccountsMachineOnMariaDB,
) = on_every_store(
    AccountsMachine,
    sqlite=settings(max_examples=20, stateful_step_count=25),
    servers=settings(max_examples=15, stateful_step_count=25),
)
