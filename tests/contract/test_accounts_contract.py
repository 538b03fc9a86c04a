"""Family accounts in a store, on every backend (memory, SQLite, PostgreSQL, MariaDB).

The guide's prepaid account (p. 10, 13-14) with its ledger in the store: what
one worker writes every other reads, payments and consumption debits are each
recorded once whatever the number of calls, crashes or machines, a correction
is a new entry that never corrects twice, and the balances are those of the
in-memory ``Account`` on the same history.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

import periscolaire as ps
from tests.stores import Backend, keyed

PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
DUPONT = ps.Family("F-DUPONT", "DUPONT", (PAOLO,))
MARTIN = ps.Family("F-MARTIN", "MARTIN", (ps.Child("lea", "Léa", "MARTIN"),))
PRICE = D("3.60")


@pytest.fixture
def families(cestas: ps.Commune, backend: Backend) -> ps.Families:
    return ps.Families(keyed(cestas), store=backend.store())


def reopen(families: ps.Families, backend: Backend) -> ps.Families:
    """The same commune's families through a new store (another worker, a restart)."""
    return ps.Families(families.commune, store=backend.store())


def meals(family: str, child: str, *days: int) -> list[ps.Reservation]:
    return [
        ps.Reservation(child, "RESTAURATION", date(2024, 9, d), family, "accepted", sequence=i)
        for i, d in enumerate(days, start=1)
    ]


def price(_: object) -> D:
    return PRICE


def test_a_payment_is_read_back_by_every_worker(families: ps.Families, backend: Backend) -> None:
    # « Le solde de votre compte est affiché, avec le détail par porte-monnaie » (p. 13)
    receipt = families.family(DUPONT).account.pay(
        "RESTAURATION", D("30.00"), date(2024, 8, 26), reference="PAYFIP-1", email="jp@example.fr"
    )
    assert (receipt.entry.number, receipt.to) == (1, "jp@example.fr")
    other = reopen(families, backend).family(DUPONT).account
    assert other.balance("RESTAURATION") == D("30.00")
    assert other.balance() == D("30.00")
    assert other.entries == (receipt.entry,)
    assert not other.is_debtor


def test_the_same_payment_reference_twice_is_one_payment(families: ps.Families, backend: Backend) -> None:
    # A payment provider calling back twice, on two workers.
    first = families.family(DUPONT).account.pay(
        "RESTAURATION", D("30.00"), date(2024, 8, 26), reference="PAYFIP-1"
    )
    again = (
        reopen(families, backend)
        .family(DUPONT)
        .account.pay("RESTAURATION", D("30.00"), date(2024, 8, 26), reference="PAYFIP-1")
    )
    assert again.entry == first.entry
    assert families.family(DUPONT).account.balance() == D("30.00")
    with pytest.raises(ps.LedgerError) as info:
        families.family(DUPONT).account.pay(
            "RESTAURATION", D("31.00"), date(2024, 8, 26), reference="PAYFIP-1"
        )
    assert info.value.code == "payment_reference_reused"
    assert len(families.family(DUPONT).account.entries) == 1


def test_a_correction_is_a_new_entry_and_never_corrects_twice(
    families: ps.Families, backend: Backend
) -> None:
    agent = families.agent("regie").account("F-DUPONT")
    meal = agent.debit("RESTAURATION", PRICE, date(2024, 9, 2), "Repas du 02/09")
    fix = agent.correct(meal.number, date(2024, 9, 4), "Absence justifiée")
    assert (fix.reverses, fix.amount, fix.kind) == (meal.number, PRICE, ps.EntryKind.CORRECTION)
    again = reopen(families, backend).agent("regie").account("F-DUPONT")
    for number, code in (
        (meal.number, "already_corrected"),
        (fix.number, "cannot_correct_correction"),
        (99, "unknown_entry"),
    ):
        with pytest.raises(ps.LedgerError) as info:
            again.correct(number, date(2024, 9, 5))
        assert info.value.code == code
    assert again.balance() == D("0.00")
    assert [e.number for e in again.entries] == [1, 2]


def test_the_nightly_debit_debits_each_consumption_once_whatever_the_runs(
    families: ps.Families, backend: Backend
) -> None:
    reservations = meals("F-DUPONT", "paolo", 2, 3, 5) + meals("F-MARTIN", "lea", 2)
    first = families.agent("nuit").debit_consumptions(reservations, today=date(2024, 9, 4), price=price)
    assert {f: len(e) for f, e in first.items()} == {"F-DUPONT": 2, "F-MARTIN": 1}
    # Again, the same night on another machine, then the next night: each day once.
    assert (
        reopen(families, backend)
        .agent("nuit")
        .debit_consumptions(reservations, today=date(2024, 9, 4), price=price)
        == {}
    )
    later = families.agent("nuit").debit_consumptions(reservations, today=date(2024, 9, 6), price=price)
    assert {f: [e.on.day for e in entries] for f, entries in later.items()} == {"F-DUPONT": [5]}
    assert families.family(DUPONT).account.balance("RESTAURATION") == -3 * PRICE


def test_a_corrected_consumption_is_not_debited_again(families: ps.Families) -> None:
    agent = families.agent("regie")
    (meal,) = agent.debit_consumptions(meals("F-DUPONT", "paolo", 2), today=date(2024, 9, 3), price=price)[
        "F-DUPONT"
    ]
    agent.account("F-DUPONT").correct(meal.number, date(2024, 9, 3), "Absence justifiée")
    assert agent.debit_consumptions(meals("F-DUPONT", "paolo", 2), today=date(2024, 9, 10), price=price) == {}
    assert families.family(DUPONT).account.balance() == D("0.00")


def test_a_failing_debit_run_writes_nothing_for_any_family(families: ps.Families) -> None:
    reservations = [
        *meals("F-DUPONT", "paolo", 2),
        ps.Reservation("lea", "PISCINE", date(2024, 9, 2), "F-MARTIN", "accepted", sequence=9),
    ]
    with pytest.raises(ps.UnknownWallet):
        families.agent("nuit").debit_consumptions(reservations, today=date(2024, 9, 4), price=price)
    assert families.family(DUPONT).account.entries == ()
    assert families.family(MARTIN).account.entries == ()


def test_the_balances_are_those_of_the_in_memory_account_on_the_same_history(families: ps.Families) -> None:
    model = ps.Account(families.wallets)
    stored = families.agent("regie").account("F-DUPONT")
    model.pay("RESTAURATION", D("40.00"), date(2024, 8, 26), reference="CB-1")
    stored.pay("RESTAURATION", D("40.00"), date(2024, 8, 26), reference="CB-1")
    model.debit("PERISCOLAIRE", D("12.00"), date(2024, 9, 30), "Accueil de septembre")
    stored.debit("PERISCOLAIRE", D("12.00"), date(2024, 9, 30), "Accueil de septembre")
    model.debit_consumptions(
        meals("F-DUPONT", "paolo", 2, 3), today=date(2024, 9, 4), price=price, wallet_of=families.wallet_of
    )
    stored.debit_consumptions(meals("F-DUPONT", "paolo", 2, 3), today=date(2024, 9, 4), price=price)
    model.correct(2, date(2024, 10, 1))
    stored.correct(2, date(2024, 10, 1))
    assert stored.entries == model.entries
    assert [stored.balance(w) for w in families.wallets] == [model.balance(w) for w in families.wallets]
    assert stored.history(date(2024, 10, 2)) == model.history(date(2024, 10, 2))


def test_separated_parents_each_see_their_own_account(families: ps.Families) -> None:
    # « chaque parent des familles séparées ... peut bénéficier de son propre compte » (p. 1)
    mother = ps.Family("F-MERE", "DUPONT", (PAOLO,))
    father = ps.Family("F-PERE", "DURAND", (PAOLO,))
    families.family(mother).account.pay("RESTAURATION", D("50.00"), date(2024, 8, 26), reference="M-1")
    families.family(father).account.pay("RESTAURATION", D("20.00"), date(2024, 8, 26), reference="P-1")
    assert families.family(mother).account.balance() == D("50.00")
    assert families.family(father).account.balance() == D("20.00")
    assert [e.reference for e in families.family(father).account.entries] == ["P-1"]
    # The family's handle has no way to credit, debit or correct: an agent's does.
    assert not hasattr(families.family(father).account, "credit")


def test_a_refused_operation_leaves_the_ledger_as_it_was(families: ps.Families) -> None:
    account = families.agent("regie").account("F-DUPONT")
    account.pay("RESTAURATION", D("10.00"), date(2024, 8, 26), reference="CB-1")
    for call in (
        lambda: account.debit("RESTAURATION", D("-1.00"), date(2024, 9, 2), "x"),
        lambda: account.credit("CANTINE", D("1.00"), date(2024, 9, 2), "x"),
        lambda: account.pay("RESTAURATION", D("1.005"), date(2024, 9, 2), reference="CB-2"),
    ):
        with pytest.raises(ps.PeriscolaireError):
            call()
    assert len(account.entries) == 1
    assert account.balance() == D("10.00")


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("amount_cents", 360, "bad_entry"),  # a consumption that credits
        ("wallet", "CANTINE", "bad_entry"),  # a porte-monnaie the commune does not have
    ],
)
def test_a_stored_entry_that_breaks_a_rule_is_an_error_at_load_never_a_wrong_balance(
    cestas: ps.Commune, sql_backend: Backend, column: str, value: object, code: str
) -> None:
    import sqlalchemy as sa

    from periscolaire.store.sql import entry_table

    families = ps.Families(keyed(cestas), store=sql_backend.store())
    families.agent("nuit").debit_consumptions(
        meals("F-DUPONT", "paolo", 2), today=date(2024, 9, 3), price=price
    )
    engine = sa.create_engine(sql_backend.url)
    with engine.begin() as conn:
        conn.execute(
            sa.update(entry_table)
            .where(entry_table.c.commune == families.commune.store_key)
            .values({column: value})
        )
    engine.dispose()
    with pytest.raises(ps.LedgerError) as info:
        families.family(DUPONT).account.balance()
    assert info.value.code == code
