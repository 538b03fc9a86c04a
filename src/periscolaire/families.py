"""A commune's families in a store: their accounts (and dossiers), with scoped access.

:class:`Families` is to accounts and dossiers what :class:`~periscolaire.Register`
is to bookings: the rules of :mod:`periscolaire.wallet` (and
:mod:`periscolaire.dossier`), their state in a store — in memory, or SQLite,
PostgreSQL, MariaDB shared by every worker process — and every operation one
unit of work of that store.

Access is scoped. :meth:`Families.family` gives the handle of one family
account: its own balance, history and payments, nothing of another family's
(separated parents are two accounts, each seeing its own). :meth:`Families.agent`
gives an agent's handle, named, which reaches any family's account and may
credit, debit, correct and run the nightly debit.

>>> import periscolaire as ps
>>> from datetime import date
>>> from decimal import Decimal
>>> families = ps.Families(ps.load_commune())          # in memory
>>> dupont = families.family(ps.Family("F-DUPONT", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),)))
>>> receipt = dupont.account.pay("RESTAURATION", Decimal("30.00"), date(2024, 8, 26), reference="PAYFIP-0042")
>>> dupont.account.balance("RESTAURATION"), dupont.account.is_debtor
(Decimal('30.00'), False)
>>> agent = families.agent("regie")
>>> _ = agent.account("F-DUPONT").debit("RESTAURATION", Decimal("3.60"), date(2024, 9, 2), "Repas du 02/09")
>>> dupont.account.balance()
Decimal('26.40')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from periscolaire.commune import Commune
from periscolaire.errors import InvalidArgument
from periscolaire.family import Family
from periscolaire.store import AccountStore, AccountUnit, Store
from periscolaire.wallet import (
    Account,
    AccountEstimate,
    Entry,
    History,
    Receipt,
    consumption_reference,
    plan_consumptions,
    plan_correction,
    plan_credit,
    plan_debit,
    plan_payment,
)

__all__ = ["AgentAccount", "AgentRecords", "Families", "FamilyAccount", "FamilyRecords"]


class FamilyReservation(Protocol):
    """What the nightly debit needs of a reservation (``ps.Reservation`` fits)."""

    @property
    def family(self) -> str: ...

    @property
    def child(self) -> str: ...

    @property
    def activity(self) -> str: ...

    @property
    def day(self) -> date: ...

    @property
    def status(self) -> str: ...


class Families:
    """The family accounts of a commune, in ``store`` (default: a new
    in-memory store). Porte-monnaies are the commune's (each activity's
    ``wallet``)."""

    def __init__(self, commune: Commune, store: Store | None = None) -> None:
        if store is None:
            from periscolaire.store.memory import MemoryStore

            store = MemoryStore()
        if not isinstance(commune, Commune):
            raise InvalidArgument(
                f"commune : une ps.Commune est attendue (ps.load_commune()), reçu {commune!r}."
            )
        if not callable(getattr(store, "accounts", None)):
            raise InvalidArgument(f"store : un stockage de ps.open_store(url) est attendu, reçu {store!r}.")
        self.commune = commune
        self.store = store
        self.wallets: tuple[str, ...] = tuple(dict.fromkeys(a.wallet for a in commune.activities.values()))
        self.wallet_of: Mapping[str, str] = {code: a.wallet for code, a in commune.activities.items()}
        self._accounts: AccountStore = store.accounts(commune.store_key)

    def family(self, family: Family) -> FamilyRecords:
        """The handle of one family account: its data only."""
        if not isinstance(family, Family):
            raise InvalidArgument(f"family : une ps.Family est attendue, reçu {family!r}.")
        return FamilyRecords(self, family)

    def agent(self, agent: str) -> AgentRecords:
        """An agent's handle (the régie, the service Éducation): every family
        of the commune, named in each call."""
        if not isinstance(agent, str) or not agent.strip():
            raise InvalidArgument(f"agent : le nom de l'agent est attendu, reçu {agent!r}.")
        return AgentRecords(self, agent)

    def __repr__(self) -> str:
        return f"Families(commune={self.commune.name!r}, store={self.store.url!r})"


class FamilyAccount:
    """One family account, as the family sees it: balances and estimates,
    history, and its own payments. Each reading is checked against the
    ledger's rules (a stored entry that breaks one is a
    :class:`~periscolaire.LedgerError`, never a silent wrong balance)."""

    def __init__(self, families: Families, family: str) -> None:
        self._families = families
        self._store = families._accounts
        self.family = family
        self.wallets = families.wallets

    def _run(self, work: Callable[[AccountUnit], Any]) -> Any:
        return self._store.run([self.family], self.wallets, lambda units: work(units[self.family]))

    def ledger(self) -> Account:
        """The account as stored now, as an in-memory :class:`~periscolaire.Account`
        (read-only use: changes go through this handle)."""
        return Account(self.wallets, self._store.entries(self.family))

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self.ledger().entries

    def balance(self, wallet: str | None = None) -> Decimal:
        """A porte-monnaie's balance, or the account's (their sum)."""
        return self.ledger().balance(wallet)

    @property
    def is_debtor(self) -> bool:
        return self.ledger().is_debtor

    def estimate(
        self, costs: Iterable[tuple[str, date, Decimal]], until: date | None = None
    ) -> AccountEstimate:
        return self.ledger().estimate(costs, until)

    def history(self, today: date) -> History:
        return self.ledger().history(today)

    def pay(
        self, wallet: str, amount: Decimal, on: date, reference: str, *, email: str | None = None
    ) -> Receipt:
        """Record the family's payment (:func:`periscolaire.wallet.plan_payment`):
        the same reference again is the same payment, whichever worker
        receives it."""

        def work(unit: AccountUnit) -> Receipt:
            entry, new = plan_payment(unit, wallet, amount, on, reference)
            if new:
                unit.append([entry])
            return Receipt(entry, email)

        result: Receipt = self._run(work)
        return result

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, **self.ledger().to_dict()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(family={self.family!r})"


class AgentAccount(FamilyAccount):
    """A family account as an agent handles it: everything the family sees,
    and credits, debits, corrections and the debit of consumptions."""

    def credit(self, wallet: str, amount: Decimal, on: date, label: str, reference: str = "") -> Entry:
        return self._append(lambda unit: [plan_credit(unit, wallet, amount, on, label, reference)])[0]

    def debit(self, wallet: str, amount: Decimal, on: date, label: str, reference: str = "") -> Entry:
        return self._append(lambda unit: [plan_debit(unit, wallet, amount, on, label, reference)])[0]

    def correct(self, number: int, on: date, label: str = "") -> Entry:
        return self._append(lambda unit: [plan_correction(unit, number, on, label)])[0]

    def debit_consumptions(
        self,
        reservations: Iterable[Any],
        *,
        today: date,
        price: Callable[[Any], Decimal],
        wallet_of: Mapping[str, str] | None = None,
        label: Callable[[Any], str] | None = None,
    ) -> tuple[Entry, ...]:
        """Debit this family's accepted reservations of days before ``today``,
        each once (:func:`periscolaire.wallet.plan_consumptions`)."""
        wallets = wallet_of if wallet_of is not None else self._families.wallet_of
        return self._append(
            lambda unit: list(
                plan_consumptions(
                    unit, reservations, today=today, price=price, wallet_of=wallets, label=label
                )
            )
        )

    def _append(self, plan: Callable[[AccountUnit], list[Entry]]) -> tuple[Entry, ...]:
        result: tuple[Entry, ...] = self._run(lambda unit: unit.append(plan(unit)))
        return result


class FamilyRecords:
    """What one family account may reach: its account (and its dossiers)."""

    def __init__(self, families: Families, family: Family) -> None:
        self.family = family
        self.account = FamilyAccount(families, family.id)

    def __repr__(self) -> str:
        return f"FamilyRecords(family={self.family.id!r})"


class AgentRecords:
    """An agent's access to every family of the commune."""

    def __init__(self, families: Families, agent: str) -> None:
        self._families = families
        self.agent = agent

    def account(self, family: str) -> AgentAccount:
        if not isinstance(family, str) or not family:
            raise InvalidArgument(f"family : l'identifiant d'un compte famille est attendu, reçu {family!r}.")
        return AgentAccount(self._families, family)

    def debit_consumptions(
        self,
        reservations: Iterable[FamilyReservation],
        *,
        today: date,
        price: Callable[[Any], Decimal],
        wallet_of: Mapping[str, str] | None = None,
        label: Callable[[Any], str] | None = None,
        batch: int = 200,
    ) -> Mapping[str, tuple[Entry, ...]]:
        """The nightly debit of a commune: every family's accepted
        reservations of days before ``today``, each consumption once whatever
        the number of runs, crashes or machines (a unique key in the store).
        Families are debited ``batch`` at a time, each batch one unit of work;
        returns the new entries per family."""
        families = self._families
        wallets = wallet_of if wallet_of is not None else families.wallet_of
        by_family: dict[str, list[FamilyReservation]] = {}
        for r in reservations:
            if r.status == "accepted" and r.day < today:
                by_family.setdefault(r.family, []).append(r)
        debited: dict[str, tuple[Entry, ...]] = {}
        names = sorted(by_family)
        for start in range(0, len(names), batch):
            chunk = names[start : start + batch]
            asked = {
                f: [consumption_reference(r.child, r.activity, r.day) for r in by_family[f]] for f in chunk
            }

            def work(
                units: Mapping[str, AccountUnit], chunk: list[str] = chunk
            ) -> dict[str, tuple[Entry, ...]]:
                planned = {
                    f: plan_consumptions(
                        units[f], by_family[f], today=today, price=price, wallet_of=wallets, label=label
                    )
                    for f in chunk
                }
                return {f: units[f].append(entries) for f, entries in planned.items() if entries}

            debited.update(families._accounts.run(chunk, families.wallets, work, consumptions=asked))
        return debited

    def __repr__(self) -> str:
        return f"AgentRecords(agent={self.agent!r})"
