"""The family account (« compte provisionnel »): porte-monnaies, ledger,
balance, estimates, payments and history.

The guide (p. 10): « Il est rappelé que le Compte Famille est un compte
PROVISIONNEL qui doit être alimenté AVANT toute consommation. » (p. 13-14,
« Pour consulter votre solde et payer en ligne »): the balance is shown « avec
le détail par porte-monnaie »; « La colonne Solde correspond au solde actuel de
votre compte (en positif si votre solde est créditeur, en négatif sinon) »; « La
colonne Coût estimé et le Montant des réservations correspondent au montant de
vos réservations non encore débitées de votre solde » up to an optional date;
« Le solde estimé correspond donc au (Montant dû + Montant des réservations) ou
(Votre crédit – Montant des réservations) »; the payment amount is suggested and
may be changed « afin d'alimenter votre compte par avance ».

>>> from datetime import date
>>> from decimal import Decimal
>>> account = Account(wallets=("PERISCOLAIRE", "RESTAURATION"))
>>> _ = account.pay("RESTAURATION", Decimal("40.00"), date(2024, 8, 26), reference="CB-0001")
>>> _ = account.debit("RESTAURATION", Decimal("3.60"), date(2024, 9, 2), "Repas du 02/09")
>>> account.balance(), account.balance("RESTAURATION"), account.is_debtor
(Decimal('36.40'), Decimal('36.40'), False)
>>> estimate(account.balance(), [(date(2024, 9, 3), Decimal("3.60")), (date(2024, 10, 1), Decimal("3.60"))],
...          until=date(2024, 9, 30))
Estimate(balance=Decimal('36.40'), reservations=Decimal('3.60'),
         estimated_balance=Decimal('32.80'), suggested_payment=Decimal('0.00'))
"""

from __future__ import annotations

import csv
import enum
import io
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

import attrs

from periscolaire.errors import LedgerError, UnknownWallet
from periscolaire.money import ZERO, money

__all__ = [
    "Account",
    "AccountEstimate",
    "Entry",
    "EntryKind",
    "Estimate",
    "History",
    "Receipt",
    "ReservationLike",
    "estimate",
]


class EntryKind(enum.StrEnum):
    """What a ledger entry records."""

    PAYMENT = "payment"  # a family's payment (credit)
    CONSUMPTION = "consumption"  # a day consumed (debit)
    CREDIT = "credit"  # another credit (a refund decided by the régie...)
    DEBIT = "debit"  # another debit
    CORRECTION = "correction"  # reverses an earlier entry


@attrs.frozen
class Entry:
    """One line of the ledger. ``amount`` is signed: positive credits the
    account, negative debits it. Entries are never edited nor deleted; a
    correction is a new entry that reverses one (``reverses``)."""

    number: int
    wallet: str
    on: date
    amount: Decimal
    kind: EntryKind
    label: str
    reference: str = ""
    reverses: int | None = None


@attrs.frozen
class Receipt:
    """The payment ticket: « le ticket de paiement lors de vos règlements par CB
    en ligne » goes to the first e-mail address of the family (p. 3). It holds
    only the amount, the date, the porte-monnaie and a reference: « Aucune
    information concernant votre carte bancaire n'est enregistrée » (p. 14)."""

    entry: Entry
    to: str | None

    def text(self) -> str:
        e = self.entry
        return (
            f"Paiement reçu le {e.on:%d/%m/%Y} : {e.amount} € sur le porte-monnaie {e.wallet}"
            f" (référence {e.reference})."
        )


@attrs.frozen
class Estimate:
    """The « Paiement et Solde » columns for a balance and the reservations not
    yet debited.

    * ``balance`` (« Solde »): positive in credit, negative in debt;
    * ``reservations`` (« Coût estimé », « Montant des réservations »);
    * ``estimated_balance`` (« Solde estimé ») = balance - reservations;
    * ``suggested_payment`` (« Montant de votre règlement »): what brings the
      estimated balance back to zero, never negative.
    """

    balance: Decimal
    reservations: Decimal
    estimated_balance: Decimal
    suggested_payment: Decimal

    @property
    def amount_due(self) -> Decimal:
        """« Montant dû »: the debt, zero when in credit."""
        return -self.balance if self.balance < 0 else ZERO

    @property
    def credit(self) -> Decimal:
        """« Votre crédit »: the credit, zero when in debt."""
        return self.balance if self.balance > 0 else ZERO


def estimate(balance: Decimal, costs: Iterable[tuple[date, Decimal]], until: date | None = None) -> Estimate:
    """Estimate for ``balance`` and the (day, amount) of reservations not yet
    debited, counting those up to ``until`` included (all when ``None``:
    « Calculer vos réservations jusqu'au »)."""
    balance = money(balance, "balance")
    reservations = ZERO
    for day, cost in costs:
        amount = money(cost, "cost")
        if until is None or day <= until:
            reservations += amount
    estimated = balance - reservations
    return Estimate(balance, reservations, estimated, max(ZERO, -estimated))


@attrs.frozen
class AccountEstimate:
    """The estimate of the whole account and of each porte-monnaie."""

    total: Estimate
    wallets: Mapping[str, Estimate]


class ReservationLike(Protocol):
    """What debiting needs of a reservation (``periscolaire.Reservation`` fits)."""

    @property
    def child(self) -> str: ...

    @property
    def activity(self) -> str: ...

    @property
    def day(self) -> date: ...

    @property
    def status(self) -> str: ...


@attrs.frozen
class History:
    """« Historique » (p. 14): consumptions and payments of the current month and
    the previous one. Older history is asked from the régie."""

    start: date
    end: date
    consumptions: tuple[Entry, ...]
    payments: tuple[Entry, ...]

    HEADER = ("date", "porte-monnaie", "libellé", "montant", "référence")

    def rows(self, kind: str = "consumptions") -> list[tuple[str, ...]]:
        """CSV rows (header first) of ``consumptions`` or ``payments``."""
        if kind not in ("consumptions", "payments"):
            raise ValueError(f"kind must be 'consumptions' or 'payments', got {kind!r}")
        entries = self.consumptions if kind == "consumptions" else self.payments
        return [
            self.HEADER,
            *((e.on.isoformat(), e.wallet, e.label, str(e.amount), e.reference) for e in entries),
        ]

    def to_csv(self, kind: str = "consumptions", *, delimiter: str = ";") -> str:
        """The rows as CSV text (semicolons, as French spreadsheets expect)."""
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(self.rows(kind))
        return out.getvalue()


def _previous_month_start(today: date) -> date:
    return date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)


def consumption_reference(child: str, activity: str, day: date) -> str:
    """The reference that makes a consumption debit unique per reservation."""
    return f"{child}/{activity}/{day.isoformat()}"


class Account:
    """A family account (one per family; one per parent for separated parents)
    with its porte-monnaies and an append-only ledger.

    Every operation validates everything before it appends: a refused
    operation leaves the ledger as it was.
    """

    def __init__(self, wallets: Iterable[str] = ("PERISCOLAIRE",), entries: Iterable[Entry] = ()) -> None:
        self.wallets: tuple[str, ...] = tuple(wallets)
        if not self.wallets or len(set(self.wallets)) != len(self.wallets):
            raise LedgerError(f"Porte-monnaies invalides : {self.wallets!r}.", code="bad_wallets")
        self._entries: list[Entry] = []
        self._balances: dict[str, Decimal] = dict.fromkeys(self.wallets, ZERO)
        self._consumed: set[str] = set()
        self._corrected: set[int] = set()
        self._lock = threading.Lock()
        for entry in entries:
            self._load(entry)

    def _load(self, entry: Entry) -> None:
        self._wallet(entry.wallet)
        if entry.number != len(self._entries) + 1:
            raise LedgerError(f"Écriture {entry.number} hors séquence.", code="bad_sequence")
        money(entry.amount)
        self._append(entry)

    def _append(self, entry: Entry) -> Entry:
        self._entries.append(entry)
        self._balances[entry.wallet] += entry.amount
        if entry.kind is EntryKind.CONSUMPTION:
            self._consumed.add(entry.reference)
        if entry.reverses is not None:
            self._corrected.add(entry.reverses)
        return entry

    def _wallet(self, wallet: str) -> str:
        if wallet not in self._balances:
            raise UnknownWallet(
                f"Porte-monnaie inconnu : {wallet!r} (porte-monnaies : {', '.join(self.wallets)}).",
            )
        return wallet

    @staticmethod
    def _positive(amount: Any, name: str) -> Decimal:
        value = money(amount, name)
        if value <= 0:
            raise LedgerError(f"Le montant doit être positif ({name} : {value}).", code="not_positive")
        return value

    def _new(
        self, wallet: str, amount: Decimal, on: date, kind: EntryKind, label: str, reference: str = ""
    ) -> Entry:
        if type(on) is not date:
            raise TypeError(f"on must be a datetime.date, got {on!r}")
        return Entry(len(self._entries) + 1, wallet, on, amount, kind, label, reference)

    # -- operations -----------------------------------------------------------------

    def credit(self, wallet: str, amount: Decimal, on: date, label: str, reference: str = "") -> Entry:
        """Credit a porte-monnaie (a refund, a credit note...)."""
        with self._lock:
            value = self._positive(amount, "amount")
            return self._append(
                self._new(self._wallet(wallet), value, on, EntryKind.CREDIT, label, reference)
            )

    def debit(self, wallet: str, amount: Decimal, on: date, label: str, reference: str = "") -> Entry:
        """Debit a porte-monnaie (the balance may go below zero: the account is
        then « débiteur » and the booking screen is refused)."""
        with self._lock:
            value = self._positive(amount, "amount")
            return self._append(
                self._new(self._wallet(wallet), -value, on, EntryKind.DEBIT, label, reference)
            )

    def pay(
        self, wallet: str, amount: Decimal, on: date, reference: str, *, email: str | None = None
    ) -> Receipt:
        """Record a payment: amount, date, porte-monnaie and a reference only.
        The receipt goes to ``email``, the first address of the family's list."""
        with self._lock:
            value = self._positive(amount, "amount")
            if not reference.strip():
                raise LedgerError("Un paiement a une référence.", code="missing_reference")
            entry = self._new(self._wallet(wallet), value, on, EntryKind.PAYMENT, "Paiement", reference)
            return Receipt(self._append(entry), email)

    def correct(self, number: int, on: date, label: str = "") -> Entry:
        """Reverse entry ``number`` with a new entry of the opposite amount.
        An entry is corrected at most once; a correction is not corrected."""
        with self._lock:
            if not 1 <= number <= len(self._entries):
                raise LedgerError(f"Écriture inconnue : {number}.", code="unknown_entry")
            original = self._entries[number - 1]
            if original.kind is EntryKind.CORRECTION:
                raise LedgerError(
                    f"L'écriture {number} est déjà une correction.", code="cannot_correct_correction"
                )
            if number in self._corrected:
                raise LedgerError(f"L'écriture {number} est déjà corrigée.", code="already_corrected")
            entry = attrs.evolve(
                self._new(
                    original.wallet,
                    -original.amount,
                    on,
                    EntryKind.CORRECTION,
                    label or f"Annulation de l'écriture {number} ({original.label})",
                    original.reference,
                ),
                reverses=number,
            )
            return self._append(entry)

    def debit_consumptions(
        self,
        reservations: Iterable[ReservationLike],
        *,
        today: date,
        price: Callable[[ReservationLike], Decimal],
        wallet_of: Mapping[str, str],
        label: Callable[[ReservationLike], str] | None = None,
    ) -> tuple[Entry, ...]:
        """Debit the accepted reservations of days before ``today``, each once.

        Idempotent by reservation: a reservation already debited (even if the
        debit was later corrected) is skipped, whatever the number of runs. A
        price of zero (a justified absence) debits nothing. All prices and
        porte-monnaies are checked before the first entry is written.
        """
        with self._lock:
            planned: list[tuple[str, Decimal, date, str, str]] = []
            seen = set(self._consumed)
            for r in reservations:
                if r.status != "accepted" or r.day >= today:
                    continue
                reference = consumption_reference(r.child, r.activity, r.day)
                if reference in seen:
                    continue
                seen.add(reference)
                amount = money(price(r), "price")
                if amount < 0:
                    raise LedgerError(f"Prix négatif pour {reference} : {amount}.", code="negative_price")
                if amount == 0:
                    continue
                wallet = wallet_of.get(r.activity)
                if wallet is None:
                    raise UnknownWallet(f"Aucun porte-monnaie pour l'activité {r.activity!r}.")
                self._wallet(wallet)
                text = label(r) if label else f"{r.activity} {r.day:%d/%m/%Y} ({r.child})"
                planned.append((wallet, amount, r.day, text, reference))
            return tuple(
                self._append(self._new(w, -amount, day, EntryKind.CONSUMPTION, text, ref))
                for w, amount, day, text, ref in planned
            )

    # -- reading ----------------------------------------------------------------------

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    def balance(self, wallet: str | None = None) -> Decimal:
        """The balance of a porte-monnaie, or of the account (their sum):
        positive in credit, negative in debt."""
        if wallet is None:
            return sum(self._balances.values(), ZERO)
        return self._balances[self._wallet(wallet)]

    @property
    def is_debtor(self) -> bool:
        """True when the account's balance is negative (booking is then refused)."""
        return self.balance() < 0

    def estimate(
        self, costs: Iterable[tuple[str, date, Decimal]], until: date | None = None
    ) -> AccountEstimate:
        """The estimate of the account and of each porte-monnaie; ``costs`` are
        (porte-monnaie, day, amount) of reservations not yet debited."""
        by_wallet: dict[str, list[tuple[date, Decimal]]] = {w: [] for w in self.wallets}
        for wallet, day, amount in costs:
            by_wallet[self._wallet(wallet)].append((day, amount))
        wallets = {w: estimate(self.balance(w), by_wallet[w], until) for w in self.wallets}
        everything = [item for items in by_wallet.values() for item in items]
        return AccountEstimate(estimate(self.balance(), everything, until), wallets)

    def history(self, today: date) -> History:
        """Consumptions and payments of the current and the previous month, up
        to ``today``. Corrections appear with what they correct."""
        start = _previous_month_start(today)
        kinds = {e.number: e.kind for e in self._entries}
        consumptions: list[Entry] = []
        payments: list[Entry] = []
        for e in self._entries:
            if not start <= e.on <= today:
                continue
            kind = kinds[e.reverses] if e.reverses is not None else e.kind
            (payments if kind in (EntryKind.PAYMENT, EntryKind.CREDIT) else consumptions).append(e)
        return History(start, today, tuple(consumptions), tuple(payments))

    def __repr__(self) -> str:
        return f"Account(wallets={self.wallets!r}, entries={len(self._entries)}, balance={self.balance()})"
