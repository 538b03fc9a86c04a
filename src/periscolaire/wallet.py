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
from collections.abc import Callable, Collection, Iterable, Mapping, Set
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import attrs

from periscolaire.arguments import day as check_day
from periscolaire.booking import ReservationLike
from periscolaire.errors import InvalidAmount, InvalidArgument, InvalidData, LedgerError, UnknownWallet
from periscolaire.jsonsafe import integer, iso_date, items, mapping, member, text
from periscolaire.money import ZERO, money, total

__all__ = [
    "Account",
    "AccountEstimate",
    "Entry",
    "EntryKind",
    "Estimate",
    "History",
    "LedgerState",
    "Receipt",
    "check_entry",
    "estimate",
    "plan_consumptions",
    "plan_correction",
    "plan_credit",
    "plan_debit",
    "plan_payment",
]


class EntryKind(enum.StrEnum):
    """What a ledger entry records."""

    PAYMENT = "payment"  # a family's payment (credit)
    CONSUMPTION = "consumption"  # a day consumed (debit)
    CREDIT = "credit"  # another credit (a refund decided by the régie...)
    DEBIT = "debit"  # another debit
    CORRECTION = "correction"  # reverses an earlier entry


def _entry_kind(value: Any) -> EntryKind:
    """An entry's kind from the enum or its stored text (``"consumption"``)."""
    try:
        return EntryKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in EntryKind)
        raise LedgerError(
            f"Nature d'écriture inconnue : {value!r} (attendu : {allowed}).", code="unknown_entry_kind"
        ) from None


def _entry_amount(instance: Any, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    money(value, "amount")


def _entry_day(instance: Any, attribute: attrs.Attribute[date], value: date) -> None:
    if type(value) is not date:
        raise InvalidArgument(f"on : une date (datetime.date) est attendue, reçu {value!r}.")


@attrs.frozen
class Entry:
    """One line of the ledger. ``amount`` is signed: positive credits the
    account, negative debits it. Entries are never edited nor deleted; a
    correction is a new entry that reverses one (``reverses``).

    ``kind`` may be given as its text (what a host's table gives back): it is
    read into :class:`EntryKind`, an unknown one is a
    :class:`~periscolaire.LedgerError`.
    """

    number: int
    wallet: str
    on: date = attrs.field(validator=_entry_day)
    amount: Decimal = attrs.field(validator=_entry_amount)
    kind: EntryKind = attrs.field(converter=_entry_kind)
    label: str
    reference: str = ""
    reverses: int | None = None

    @property
    def key(self) -> str | None:
        """What makes the entry unique in its account, for a store's unique
        constraint: a consumption's reservation, a payment's reference, the
        entry a correction reverses (None: nothing)."""
        if self.kind == EntryKind.CONSUMPTION:
            return f"consumption:{self.reference}"
        if self.kind == EntryKind.PAYMENT:
            return f"payment:{self.reference}"
        if self.kind == EntryKind.CORRECTION:
            return f"correction:{self.reverses}"
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: ISO date, the amount as a string, the kind as its value."""
        return {
            "number": self.number,
            "wallet": self.wallet,
            "on": self.on.isoformat(),
            "amount": str(self.amount),
            "kind": EntryKind(self.kind).value,
            "label": self.label,
            "reference": self.reference,
            "reverses": self.reverses,
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> Entry:
        """Read back :meth:`to_dict` (every value checked: a bad one is an
        :class:`~periscolaire.InvalidData` naming its key)."""
        data = mapping(data, path)
        amount = member(data, "amount", path)
        if not isinstance(amount, str):
            raise InvalidData(
                _at(path, "amount"), f"un montant en texte est attendu (« 12.50 »), reçu {amount!r}"
            )
        try:
            value = money(Decimal(amount), "amount")
        except (InvalidOperation, InvalidAmount):
            raise InvalidData(_at(path, "amount"), f"montant invalide : {amount!r}") from None
        reverses = data.get("reverses")
        kind = member(data, "kind", path)
        if kind not in {k.value for k in EntryKind}:
            raise InvalidData(_at(path, "kind"), f"nature d'écriture inconnue : {kind!r}")
        return cls(
            integer(member(data, "number", path), _at(path, "number")),
            text(member(data, "wallet", path), _at(path, "wallet")),
            iso_date(member(data, "on", path), _at(path, "on")),
            value,
            kind,
            _string(data.get("label", ""), _at(path, "label")),
            _string(data.get("reference", ""), _at(path, "reference")),
            None if reverses is None else integer(reverses, _at(path, "reverses")),
        )


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise InvalidData(path, f"une chaîne est attendue, reçu {value!r}")
    return value


def receipt_address(email: str | None) -> str | None:
    """Where a receipt goes: the first address of the family's list (each
    checked: no line break, no header injection), or None."""
    if email is None:
        return None
    from periscolaire.profile import parse_emails  # profile's rules for every address

    return parse_emails(email)[0]


@attrs.frozen
class Receipt:
    """The payment ticket: « le ticket de paiement lors de vos règlements par CB
    en ligne » goes to the first e-mail address of the family (p. 3). It holds
    only the amount, the date, the porte-monnaie and a reference: « Aucune
    information concernant votre carte bancaire n'est enregistrée » (p. 14)."""

    entry: Entry
    to: str | None = attrs.field(converter=receipt_address)

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
    if until is not None:
        _day(until, "until")
    if not isinstance(costs, Iterable):
        raise InvalidArgument(f"costs : une liste de (jour, montant) est attendue, reçu {costs!r}.")
    checked = []
    for cost in costs:
        if not isinstance(cost, tuple) or len(cost) != 2:
            raise InvalidArgument(f"costs : un couple (jour, montant) est attendu, reçu {cost!r}.")
        checked.append((_day(cost[0], "day"), money(cost[1], "cost")))
    reservations = total(amount for day, amount in checked if until is None or day <= until)
    estimated = total([balance, -reservations])
    return Estimate(balance, reservations, estimated, max(ZERO, -estimated))


@attrs.frozen
class AccountEstimate:
    """The estimate of the whole account and of each porte-monnaie."""

    total: Estimate
    wallets: Mapping[str, Estimate]


@attrs.frozen
class History:
    """« Historique » (p. 13, before « Paiement et Solde »): consumptions and payments of the current month and
    the previous one. Older history is asked from the régie."""

    start: date
    end: date
    consumptions: tuple[Entry, ...]
    payments: tuple[Entry, ...]

    HEADER = ("date", "porte-monnaie", "libellé", "montant", "référence")

    def rows(self, kind: str = "consumptions") -> list[tuple[str, ...]]:
        """CSV rows (header first) of ``consumptions`` or ``payments``."""
        if kind not in ("consumptions", "payments"):
            raise InvalidArgument(f"kind : 'consumptions' ou 'payments' est attendu, reçu {kind!r}.")
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (ISO dates, amounts as strings)."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "consumptions": [e.to_dict() for e in self.consumptions],
            "payments": [e.to_dict() for e in self.payments],
        }

    @classmethod
    def from_dict(cls, data: Any) -> History:
        """Read back :meth:`to_dict` (every entry checked, :class:`~periscolaire.InvalidData`
        naming the key otherwise)."""
        data = mapping(data)
        start, end = iso_date(member(data, "start"), "start"), iso_date(member(data, "end"), "end")
        if end < start:
            raise InvalidData("end", "la fin de l'historique précède son début")
        lists = {
            key: tuple(Entry.from_dict(e, f"{key}[{i}]") for i, e in enumerate(items(member(data, key), key)))
            for key in ("consumptions", "payments")
        }
        return cls(start, end, lists["consumptions"], lists["payments"])


def _previous_month_start(today: date) -> date:
    return date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)


def consumption_reference(child: str, activity: str, day: date) -> str:
    """The reference that makes a consumption debit unique per reservation."""
    return f"{child}/{activity}/{day.isoformat()}"


# --------------------------------------------------------------------------
# The ledger's rules
# --------------------------------------------------------------------------


class LedgerState(Protocol):
    """What the ledger's rules read of an account: the in-memory
    :class:`Account`, or a store's unit of work holding the account's lock."""

    @property
    def wallets(self) -> tuple[str, ...]: ...

    def next_number(self) -> int:
        """The number the next entry takes (1 for an empty ledger)."""

    def entry(self, number: int) -> Entry | None: ...

    def is_corrected(self, number: int) -> bool: ...

    def consumed(self, references: Collection[str]) -> Set[str]:
        """Which of these consumption references are already debited."""

    def payment(self, reference: str) -> Entry | None:
        """The payment recorded under this reference."""


def _wallet(state: LedgerState, wallet: str) -> str:
    if wallet not in state.wallets:
        raise UnknownWallet(
            f"Porte-monnaie inconnu : {wallet!r} (porte-monnaies : {', '.join(state.wallets)}).",
        )
    return wallet


def _positive(amount: Any, name: str) -> Decimal:
    value = money(amount, name)
    if value <= 0:
        raise LedgerError(f"Le montant doit être positif ({name} : {value}).", code="not_positive")
    return value


def _day(on: Any, name: str = "on") -> date:
    return check_day(on, name)


def plan_credit(
    state: LedgerState, wallet: str, amount: Decimal, on: date, label: str, reference: str = ""
) -> Entry:
    """The entry that credits a porte-monnaie (a refund, a credit note...)."""
    value = _positive(amount, "amount")
    return Entry(
        state.next_number(), _wallet(state, wallet), _day(on), value, EntryKind.CREDIT, label, reference
    )


def plan_debit(
    state: LedgerState, wallet: str, amount: Decimal, on: date, label: str, reference: str = ""
) -> Entry:
    """The entry that debits a porte-monnaie (it may go below zero)."""
    value = _positive(amount, "amount")
    return Entry(
        state.next_number(), _wallet(state, wallet), _day(on), -value, EntryKind.DEBIT, label, reference
    )


def plan_payment(
    state: LedgerState, wallet: str, amount: Decimal, on: date, reference: str
) -> tuple[Entry, bool]:
    """The payment's entry, and whether it is new.

    A reference records one payment: the same reference again with the same
    amount and porte-monnaie is the same payment (a payment provider calling
    twice), not a new one; with another amount or porte-monnaie it is a
    :class:`~periscolaire.LedgerError` (``payment_reference_reused``).
    """
    value = _positive(amount, "amount")
    if not isinstance(reference, str) or not reference.strip():
        raise LedgerError("Un paiement a une référence.", code="missing_reference")
    _wallet(state, wallet)
    _day(on)
    known = state.payment(reference)
    if known is not None:
        if (known.amount, known.wallet) != (value, wallet):
            raise LedgerError(
                f"La référence de paiement {reference!r} est déjà celle d'un paiement de {known.amount} € "
                f"({known.wallet}).",
                code="payment_reference_reused",
            )
        return known, False
    return Entry(state.next_number(), wallet, on, value, EntryKind.PAYMENT, "Paiement", reference), True


def plan_correction(state: LedgerState, number: int, on: date, label: str = "") -> Entry:
    """The entry that reverses entry ``number`` (the opposite amount, the same
    porte-monnaie). An entry is corrected at most once; a correction is not
    corrected."""
    original = state.entry(number) if isinstance(number, int) and not isinstance(number, bool) else None
    if original is None:
        raise LedgerError(f"Écriture inconnue : {number!r}.", code="unknown_entry")
    if original.kind == EntryKind.CORRECTION:
        raise LedgerError(f"L'écriture {number} est déjà une correction.", code="cannot_correct_correction")
    if state.is_corrected(number):
        raise LedgerError(f"L'écriture {number} est déjà corrigée.", code="already_corrected")
    return Entry(
        state.next_number(),
        original.wallet,
        _day(on),
        -original.amount,
        EntryKind.CORRECTION,
        label or f"Annulation de l'écriture {number} ({original.label})",
        original.reference,
        reverses=number,
    )


def plan_consumptions(
    state: LedgerState,
    reservations: Iterable[ReservationLike],
    *,
    today: date,
    price: Callable[[ReservationLike], Decimal],
    wallet_of: Mapping[str, str],
    label: Callable[[ReservationLike], str] | None = None,
) -> tuple[Entry, ...]:
    """The debits of the accepted reservations of days before ``today`` not
    debited yet (even if their debit was corrected since), each once; a price
    of zero (a justified absence) debits nothing. Every price and
    porte-monnaie is checked before any entry is planned."""
    _day(today, "today")
    due: dict[str, ReservationLike] = {}
    for r in reservations:
        if r.status != "accepted" or r.day >= today:
            continue
        due.setdefault(consumption_reference(r.child, r.activity, r.day), r)
    done = state.consumed(due.keys()) if due else frozenset()
    planned: list[Entry] = []
    number = state.next_number()
    checked: dict[Any, Decimal] = {}  # a price object checked once (a nightly run has few prices)
    wallets: dict[str, str] = {}
    for reference, r in due.items():
        if reference in done:
            continue
        given = price(r)
        cacheable = type(given) is Decimal and given.is_finite()
        amount = checked.get(given) if cacheable else None
        if amount is None:
            amount = money(given, "price")
            if cacheable:
                checked[given] = amount
        if amount < 0:
            raise LedgerError(f"Prix négatif pour {reference} : {amount}.", code="negative_price")
        if amount == 0:
            continue
        wallet = wallets.get(r.activity)
        if wallet is None:
            found = wallet_of.get(r.activity)
            if found is None:
                raise UnknownWallet(f"Aucun porte-monnaie pour l'activité {r.activity!r}.")
            wallet = wallets[r.activity] = _wallet(state, found)
        day = r.day
        text_ = label(r) if label else f"{r.activity} {day.day:02d}/{day.month:02d}/{day.year} ({r.child})"
        planned.append(Entry(number, wallet, r.day, -amount, EntryKind.CONSUMPTION, text_, reference))
        number += 1
    return tuple(planned)


def check_entry(state: LedgerState, entry: Entry) -> None:
    """:class:`~periscolaire.LedgerError` (``bad_entry``) unless ``entry`` may
    follow the ledger ``state``: what the rules above would have written. A
    ledger read back from storage is checked entry by entry."""
    where = f"Écriture {entry.number}"
    problem = None
    kind = EntryKind(entry.kind)
    if entry.number != state.next_number():
        problem = f"numéro hors séquence (attendu {state.next_number()})"
    elif entry.wallet not in state.wallets:
        problem = f"porte-monnaie inconnu {entry.wallet!r}"
    elif kind in (EntryKind.PAYMENT, EntryKind.CREDIT) and entry.amount <= 0:
        problem = "un crédit est positif"
    elif kind in (EntryKind.CONSUMPTION, EntryKind.DEBIT) and entry.amount >= 0:
        problem = "un débit est négatif"
    elif kind == EntryKind.PAYMENT and (
        not entry.reference.strip() or state.payment(entry.reference) is not None
    ):
        problem = "référence de paiement absente ou déjà utilisée"
    elif kind == EntryKind.CONSUMPTION and state.consumed((entry.reference,)):
        problem = f"consommation déjà débitée ({entry.reference})"
    elif kind == EntryKind.CORRECTION:
        original = state.entry(entry.reverses) if entry.reverses is not None else None
        if original is None or original.kind == EntryKind.CORRECTION or state.is_corrected(original.number):
            problem = (
                f"corrige une écriture absente, déjà corrigée ou elle-même correction ({entry.reverses})"
            )
        elif (original.wallet, -original.amount) != (entry.wallet, entry.amount):
            problem = "une correction est l'opposé de l'écriture corrigée"
    elif entry.reverses is not None:
        problem = "seule une correction en corrige une autre"
    if problem is not None:
        raise LedgerError(f"{where} : {problem}.", code="bad_entry")


class Account:
    """A family account (one per family; one per parent for separated parents)
    with its porte-monnaies and an append-only ledger, in memory.

    Every operation is decided by the ledger's rules (:func:`plan_payment`,
    :func:`plan_consumptions`...) before anything is appended: a refused
    operation leaves the ledger as it was. ``entries`` rebuild a ledger kept
    elsewhere; each is checked (:func:`check_entry`).
    """

    def __init__(self, wallets: Iterable[str] = ("PERISCOLAIRE",), entries: Iterable[Entry] = ()) -> None:
        if (
            isinstance(wallets, str | bytes)
            or not isinstance(wallets, Iterable)
            or not all(isinstance(w, str) and w.strip() for w in wallets)
        ):
            raise LedgerError(f"Porte-monnaies invalides : {wallets!r}.", code="bad_wallets")
        self.wallets: tuple[str, ...] = tuple(wallets)
        if not self.wallets or len(set(self.wallets)) != len(self.wallets):
            raise LedgerError(f"Porte-monnaies invalides : {self.wallets!r}.", code="bad_wallets")
        self._entries: list[Entry] = []
        self._balances: dict[str, Decimal] = dict.fromkeys(self.wallets, ZERO)
        self._consumed: set[str] = set()
        self._corrected: set[int] = set()
        self._payments: dict[str, Entry] = {}
        self._lock = threading.Lock()
        for entry in entries:
            if not isinstance(entry, Entry):
                raise InvalidArgument(f"entries : des ps.Entry sont attendues, reçu {entry!r}.")
            check_entry(self, entry)
            self._append(entry)

    # -- the state the rules read ------------------------------------------------------

    def next_number(self) -> int:
        return len(self._entries) + 1

    def entry(self, number: int) -> Entry | None:
        return self._entries[number - 1] if 1 <= number <= len(self._entries) else None

    def is_corrected(self, number: int) -> bool:
        return number in self._corrected

    def consumed(self, references: Collection[str]) -> Set[str]:
        return self._consumed.intersection(references)

    def payment(self, reference: str) -> Entry | None:
        return self._payments.get(reference)

    def append(self, entries: Iterable[Entry]) -> tuple[Entry, ...]:
        """Append entries decided by the ledger's rules (or read back from
        storage): all are checked (:func:`check_entry`) before the first is
        appended, so a refused batch leaves the ledger as it was."""
        with self._lock:
            batch = list(entries)
            for entry in batch:
                if not isinstance(entry, Entry):
                    raise InvalidArgument(f"entries : des ps.Entry sont attendues, reçu {entry!r}.")
            start = len(self._entries)
            try:
                for entry in batch:
                    check_entry(self, entry)
                    self._append(entry)
            except BaseException:
                kept = self._entries[:start]  # back to the ledger as it was
                fresh = Account(self.wallets, kept)
                self._entries, self._balances = fresh._entries, fresh._balances
                self._consumed, self._corrected, self._payments = (
                    fresh._consumed,
                    fresh._corrected,
                    fresh._payments,
                )
                raise
            return tuple(batch)

    def _append(self, entry: Entry) -> Entry:
        self._entries.append(entry)
        self._balances[entry.wallet] += entry.amount
        kind = entry.kind
        if kind == EntryKind.CONSUMPTION:
            self._consumed.add(entry.reference)
        elif kind == EntryKind.PAYMENT:
            self._payments[entry.reference] = entry
        if entry.reverses is not None:
            self._corrected.add(entry.reverses)
        return entry

    # -- operations -----------------------------------------------------------------

    def credit(self, wallet: str, amount: Decimal, on: date, label: str, reference: str = "") -> Entry:
        """Credit a porte-monnaie (a refund, a credit note...)."""
        with self._lock:
            return self._append(plan_credit(self, wallet, amount, on, label, reference))

    def debit(self, wallet: str, amount: Decimal, on: date, label: str, reference: str = "") -> Entry:
        """Debit a porte-monnaie (the balance may go below zero: the account is
        then « débiteur » and the booking screen is refused)."""
        with self._lock:
            return self._append(plan_debit(self, wallet, amount, on, label, reference))

    def pay(
        self, wallet: str, amount: Decimal, on: date, reference: str, *, email: str | None = None
    ) -> Receipt:
        """Record a payment: amount, date, porte-monnaie and a reference only.
        The receipt goes to ``email``, the first address of the family's list.
        The same reference and amount again is the same payment (its receipt
        again); with another amount, a :class:`~periscolaire.LedgerError`."""
        to = receipt_address(email)  # checked before anything is recorded
        with self._lock:
            entry, new = plan_payment(self, wallet, amount, on, reference)
            return Receipt(self._append(entry) if new else entry, to)

    def correct(self, number: int, on: date, label: str = "") -> Entry:
        """Reverse entry ``number`` with a new entry of the opposite amount.
        An entry is corrected at most once; a correction is not corrected."""
        with self._lock:
            return self._append(plan_correction(self, number, on, label))

    def debit_consumptions(
        self,
        reservations: Iterable[ReservationLike],
        *,
        today: date,
        price: Callable[[ReservationLike], Decimal],
        wallet_of: Mapping[str, str],
        label: Callable[[ReservationLike], str] | None = None,
    ) -> tuple[Entry, ...]:
        """Debit the accepted reservations of days before ``today``, each once
        (:func:`plan_consumptions`): idempotent whatever the number of runs;
        a failing run writes nothing."""
        with self._lock:
            planned = plan_consumptions(
                self, reservations, today=today, price=price, wallet_of=wallet_of, label=label
            )
            return tuple(self._append(entry) for entry in planned)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: the porte-monnaies and every entry."""
        return {"wallets": list(self.wallets), "entries": [e.to_dict() for e in self._entries]}

    @classmethod
    def from_dict(cls, data: Any) -> Account:
        """Read back :meth:`to_dict`; every entry is checked against the rules."""
        data = mapping(data)
        wallets = [text(w, f"wallets[{i}]") for i, w in enumerate(items(member(data, "wallets"), "wallets"))]
        entries = [
            Entry.from_dict(e, f"entries[{i}]")
            for i, e in enumerate(items(member(data, "entries"), "entries"))
        ]
        return cls(wallets, entries)

    # -- reading ----------------------------------------------------------------------

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    def balance(self, wallet: str | None = None) -> Decimal:
        """The balance of a porte-monnaie, or of the account (their sum):
        positive in credit, negative in debt."""
        if wallet is None:
            return total(self._balances.values())
        return self._balances[_wallet(self, wallet)]

    @property
    def is_debtor(self) -> bool:
        """True when the account's balance is negative (booking is then refused)."""
        return self.balance() < 0

    def estimate(
        self, costs: Iterable[tuple[str, date, Decimal]], until: date | None = None
    ) -> AccountEstimate:
        """The estimate of the account and of each porte-monnaie; ``costs`` are
        (porte-monnaie, day, amount) of reservations not yet debited."""
        if until is not None:
            _day(until, "until")
        if not isinstance(costs, Iterable):
            raise InvalidArgument(
                f"costs : une liste de (porte-monnaie, jour, montant) est attendue, reçu {costs!r}."
            )
        by_wallet: dict[str, list[tuple[date, Decimal]]] = {w: [] for w in self.wallets}
        for cost in costs:
            if not isinstance(cost, tuple) or len(cost) != 3:
                raise InvalidArgument(
                    f"costs : un triplet (porte-monnaie, jour, montant) est attendu, reçu {cost!r}."
                )
            wallet, day, amount = cost
            _day(day, "day")
            by_wallet[_wallet(self, wallet)].append((day, amount))
        wallets = {w: estimate(self.balance(w), by_wallet[w], until) for w in self.wallets}
        everything = [item for items in by_wallet.values() for item in items]
        return AccountEstimate(estimate(self.balance(), everything, until), wallets)

    def history(self, today: date) -> History:
        """Consumptions and payments of the current and the previous month, up
        to ``today``. Corrections appear with what they correct."""
        start = _previous_month_start(_day(today, "today"))
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
