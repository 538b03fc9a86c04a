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
>>> from datetime import date, datetime
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
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from periscolaire.arguments import school_year as check_school_year
from periscolaire.attachments import AnyFile, Document, StoredFile, Upload
from periscolaire.booking import ReservationLike
from periscolaire.commune import Commune
from periscolaire.dossier import Contact, Dossier, Fiche, FicheEvent, FicheKind, Signature
from periscolaire.errors import DossierError, InvalidArgument, StaleWrite, StoreError, require_bool
from periscolaire.family import Family
from periscolaire.store import AccountStore, AccountUnit, DossierStore, Store
from periscolaire.validators import whole_number
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
    receipt_address,
)

__all__ = [
    "AgentAccount",
    "AgentDossier",
    "AgentRecords",
    "Families",
    "FamilyAccount",
    "FamilyDossier",
    "FamilyRecords",
]


class FamilyReservation(ReservationLike, Protocol):
    """What the nightly debit needs of a reservation: what debiting needs
    (:class:`periscolaire.booking.ReservationLike`), and its family account."""

    @property
    def family(self) -> str: ...


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
        if not callable(getattr(store, "accounts", None)) or not callable(getattr(store, "dossiers", None)):
            raise InvalidArgument(f"store : un stockage de ps.open_store(url) est attendu, reçu {store!r}.")
        self.commune = commune
        self.store = store
        self.wallets: tuple[str, ...] = tuple(dict.fromkeys(a.wallet for a in commune.activities.values()))
        self.wallet_of: Mapping[str, str] = {code: a.wallet for code, a in commune.activities.items()}
        self._accounts: AccountStore = store.accounts(commune.store_key)
        self._dossiers_store: DossierStore | None = None

    @property
    def _dossiers(self) -> DossierStore:
        # Opened on first use: a database store without keys warns then, not for accounts only.
        if self._dossiers_store is None:
            self._dossiers_store = self.store.dossiers(self.commune.store_key)
        return self._dossiers_store

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
        to = receipt_address(email)  # checked before anything is recorded

        def work(unit: AccountUnit) -> Receipt:
            entry, new = plan_payment(unit, wallet, amount, on, reference)
            if new:
                unit.append([entry])
            return Receipt(entry, to)

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


class DossierHandle:
    """One family's dossier of one school year in a store (what the family's
    and the agent's handles share: reading, and the unit of work).

    Every operation is one unit of work of the store: the dossier's row is
    locked, the rules of :class:`~periscolaire.Dossier` decide, and the new
    state is written — or nothing, when they refuse. A form carries the
    ``version`` of the fiche it was read at (``fiche(...).version``): sent
    back after the fiche changed (an agent validated it, another parent
    edited it), it is refused with :class:`~periscolaire.StaleWrite` instead
    of overwriting — the validated version and the stored draft both stay.
    """

    def __init__(self, families: Families, family: Family | str, school_year: int) -> None:
        self._families = families
        self._store = families._dossiers
        self._family = family
        self.family_id = family.id if isinstance(family, Family) else family
        self.school_year = check_school_year(school_year)

    # -- reading ----------------------------------------------------------------------------

    def _load(self, stored: Any, create: Callable[[], Dossier] | None = None) -> Dossier:
        if stored is not None:
            dossier = Dossier.from_dict(stored)
            if dossier.family.id != self.family_id or dossier.school_year != self.school_year:
                raise StoreError(
                    "Le dossier stocké ne correspond pas à sa famille ou à son année.", code="bad_record"
                )
            return dossier
        if create is None:
            raise DossierError(
                f"Aucun dossier {self.school_year}/{self.school_year + 1} pour cette famille : "
                "ouvrez-le d'abord.",
                code="no_dossier",
            )
        return create()

    def exists(self) -> bool:
        return self._store.read(self.family_id, self.school_year) is not None

    def read(self) -> Dossier:
        """The dossier as stored now (a copy: change it through this handle)."""
        found = self._store.read(self.family_id, self.school_year)
        return self._load(None if found is None else found[0])

    @property
    def version(self) -> int:
        """The stored dossier's version (0: none yet), bumped by every write."""
        found = self._store.read(self.family_id, self.school_year)
        return 0 if found is None else found[1]

    def fiche(self, kind: FicheKind | str, child: str | None = None) -> Fiche:
        return self.read().fiche(kind, child)

    def fiches(self) -> tuple[Fiche, ...]:
        return self.read().fiches()

    @property
    def events(self) -> tuple[FicheEvent, ...]:
        """The history: every transmission and decision (who, when, why)."""
        return self.read().events

    @property
    def contacts(self) -> tuple[Contact, ...]:
        return self.read().contacts

    def file_content(self, file: AnyFile) -> bytes:
        """The bytes of one of this family's files."""
        if isinstance(file, Upload):
            return file.content
        if not isinstance(file, StoredFile):
            raise InvalidArgument(f"file : un fichier du dossier est attendu, reçu {file!r}.")
        content = self._store.file(self.family_id, file.sha256)
        if content is None:
            raise DossierError(f"Fichier inconnu pour cette famille : « {file.name} ».", code="unknown_file")
        return content

    # -- changing ---------------------------------------------------------------------------

    def _change(
        self,
        operation: Callable[[Dossier], Any],
        *,
        fiche: tuple[FicheKind | str, str | None] | None = None,
        version: int | None = None,
        files: Mapping[str, bytes] | None = None,
        create: Callable[[], Dossier] | None = None,
    ) -> Any:
        whole_number(version, "version", optional=True)  # any int: one not the current is stale

        def work(stored: Any) -> tuple[dict[str, Any], Any]:
            dossier = self._load(stored, create)
            if version is not None and fiche is not None:
                current = dossier.fiche(*fiche)
                if current.version != version:
                    label = (
                        current.kind.label
                        if current.child is None
                        else f"{current.kind.label} ({current.child})"
                    )
                    raise StaleWrite(label, current.version, version)
            result = operation(dossier)
            new = dossier.to_dict()
            # What is written reads back: a record the loader would refuse is never stored.
            Dossier.from_dict(new)
            return new, result

        return self._store.run(self.family_id, self.school_year, work, files=files)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(family={self.family_id!r}, school_year={self.school_year})"


class FamilyDossier(DossierHandle):
    """A family's dossier as the family handles it: open it, fill the fiches,
    attach documents, transmit, manage contacts (see :class:`DossierHandle`)."""

    _family: Family

    def open(self, *, other_responsable: bool = False, renew_from: int | None = None) -> None:
        """Create the year's dossier (nothing if it exists): new, or renewed
        from an earlier year's (``Dossier.new_year``: validated fiches « à
        mettre à jour », contacts and their ids kept)."""
        require_bool(other_responsable, "other_responsable")
        if self.exists():
            return
        commune = self._families.commune
        if renew_from is not None:
            earlier_year = check_school_year(renew_from)
            if earlier_year >= self.school_year:
                raise InvalidArgument(f"renew_from : une année antérieure à {self.school_year} est attendue.")

            def renew(stored: Any) -> tuple[dict[str, Any], Dossier]:
                if stored is None:
                    raise DossierError(f"Aucun dossier {earlier_year} à renouveler.", code="no_dossier")
                earlier = Dossier.from_dict(stored)
                if earlier.renewed_into not in (None, self.school_year):
                    raise DossierError(
                        f"Le dossier {earlier_year} a déjà été renouvelé pour {earlier.renewed_into}.",
                        code="dossier_renewed",
                    )
                following = earlier.new_year(
                    self.school_year,
                    family=self._family,
                    deadline=commune.dossier_deadline,
                    opens=commune.dossier_opens,
                )
                return earlier.to_dict(), following  # the earlier year takes no new contact from now on

            # The earlier dossier is marked in its own unit of work, under its lock: a contact
            # added there meanwhile is either in the renewal or refused.
            following: Dossier = self._store.run(self.family_id, earlier_year, renew)
            opening: Callable[[], Dossier] = lambda: following  # noqa: E731
        else:

            def opening() -> Dossier:
                return Dossier.open(
                    self._family,
                    self.school_year,
                    other_responsable=other_responsable,
                    deadline=commune.dossier_deadline,
                    opens=commune.dossier_opens,
                    insurance_grace_days=commune.insurance_grace_days,
                )

        def work(stored: Any) -> tuple[dict[str, Any] | None, None]:
            if stored is not None:
                return None, None  # opened meanwhile by another worker: nothing written
            new = opening().to_dict()
            Dossier.from_dict(new)
            return new, None

        self._store.run(self.family_id, self.school_year, work)

    def edit(
        self, kind: FicheKind | str, child: str | None = None, *, version: int | None = None, **values: Any
    ) -> Fiche:
        """« Enregistrer en brouillon » (see :meth:`Dossier.edit`); ``version``:
        the fiche's version the form was read at."""
        result: Fiche = self._change(
            lambda d: d.edit(kind, child, **values), fiche=(kind, child), version=version
        )
        return result

    def attach(
        self,
        kind: FicheKind | str,
        child: str | None,
        document: Document | str,
        files: list[Upload] | tuple[Upload, ...],
        *,
        version: int | None = None,
    ) -> Fiche:
        """Upload a document's files (the guide's limits checked before
        anything is written: 4 files, 2000 KB each)."""
        if not isinstance(files, list | tuple) or not all(isinstance(f, Upload) for f in files):
            raise InvalidArgument("files : une liste de ps.Upload est attendue.")
        contents = {f.sha256: f.content for f in files}
        result: Fiche = self._change(
            lambda d: d.attach(kind, child, document, files),
            fiche=(kind, child),
            version=version,
            files=contents,
        )
        return result

    def transmit(
        self,
        kind: FicheKind | str,
        child: str | None = None,
        *,
        now: datetime,
        signature: Signature | None = None,
        version: int | None = None,
    ) -> FicheEvent:
        """« Valider et transmettre la fiche »."""
        result: FicheEvent = self._change(
            lambda d: d.transmit(kind, child, now=now, signature=signature),
            fiche=(kind, child),
            version=version,
        )
        return result

    def add_contact(
        self, last_name: str, first_name: str, phone: str, *, address: str = "", email: str = ""
    ) -> Contact:
        result: Contact = self._change(
            lambda d: d.add_contact(last_name, first_name, phone, address=address, email=email)
        )
        return result

    def link_contact(
        self, child: str, contact_id: str, *, relationship: str, may_pick_up: bool, emergency_call: bool
    ) -> Fiche:
        result: Fiche = self._change(
            lambda d: d.link_contact(
                child,
                contact_id,
                relationship=relationship,
                may_pick_up=may_pick_up,
                emergency_call=emergency_call,
            )
        )
        return result

    def unlink_contact(self, child: str, contact_id: str) -> Fiche:
        result: Fiche = self._change(lambda d: d.unlink_contact(child, contact_id))
        return result

    def update_contact(self, contact_id: str, **changes: str) -> Contact:
        result: Contact = self._change(lambda d: d.update_contact(contact_id, **changes))
        return result

    def delete_contact(self, contact_id: str) -> None:
        self._change(lambda d: d.delete_contact(contact_id))


class AgentDossier(DossierHandle):
    """A family's dossier as an agent of the service Éducation handles it:
    read, validate, reject (with a reason), and the expiry of insurances.
    The agent's name goes into the history of every decision."""

    def __init__(self, families: Families, family: str, school_year: int, agent: str) -> None:
        super().__init__(families, family, school_year)
        self.agent = agent

    def validate(
        self, kind: FicheKind | str, child: str | None = None, *, now: datetime, version: int | None = None
    ) -> FicheEvent:
        result: FicheEvent = self._change(
            lambda d: d.validate(kind, child, now=now, agent=self.agent), fiche=(kind, child), version=version
        )
        return result

    def reject(
        self,
        kind: FicheKind | str,
        child: str | None = None,
        *,
        reason: str,
        now: datetime,
        version: int | None = None,
    ) -> FicheEvent:
        result: FicheEvent = self._change(
            lambda d: d.reject(kind, child, reason=reason, now=now, agent=self.agent),
            fiche=(kind, child),
            version=version,
        )
        return result

    def check_expiries(self, today: date) -> tuple[FicheEvent, ...]:
        """Insurances past their expiry turn « à mettre à jour » (written only
        when something changed)."""

        def work(stored: Any) -> tuple[dict[str, Any] | None, tuple[FicheEvent, ...]]:
            dossier = self._load(stored)
            events = dossier.check_expiries(today)
            return (dossier.to_dict() if events else None), events

        result: tuple[FicheEvent, ...] = self._store.run(self.family_id, self.school_year, work)
        return result


class FamilyRecords:
    """What one family account may reach: its account and its dossiers —
    nothing of another family's (an id of another family's child, contact or
    file is unknown here)."""

    def __init__(self, families: Families, family: Family) -> None:
        self._families = families
        self.family = family
        self.account = FamilyAccount(families, family.id)

    def dossier(self, school_year: int) -> FamilyDossier:
        """The family's dossier of ``school_year`` (2024: 2024/2025); create
        it with ``.open()``."""
        return FamilyDossier(self._families, self.family, school_year)

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

    def dossier(self, family: str, school_year: int) -> AgentDossier:
        """A family's dossier, by the family's id."""
        if not isinstance(family, str) or not family:
            raise InvalidArgument(f"family : l'identifiant d'une famille est attendu, reçu {family!r}.")
        return AgentDossier(self._families, family, school_year, self.agent)

    def dossiers(self, school_year: int) -> list[str]:
        """The families with a dossier for ``school_year``."""
        return self._families._dossiers.families(check_school_year(school_year))

    def check_expiries(self, today: date, school_year: int) -> Mapping[str, tuple[FicheEvent, ...]]:
        """The nightly check of insurances: every dossier of ``school_year``;
        the fiches that turned « à mettre à jour », per family (a second run
        the same day finds nothing more)."""
        found = {}
        for family in self.dossiers(school_year):
            events = self.dossier(family, school_year).check_expiries(today)
            if events:
                found[family] = events
        return found

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
