"""The nightly batch (« traitement de nuit »): reports, promotions, debits.

Guide p. 12: « Un compte-rendu du traitement de vos réservations vous sera
adressé automatiquement par le serveur informatique dans la nuit suivant votre
passage sur le portail. » :func:`run_nightly` is that night, one documented
step over a store (:func:`~periscolaire.open_store`), in this order:

1. **compte-rendu**: :meth:`Register.transmit(now) <periscolaire.Register.transmit>`
   — each family's movements since the last run — and each family's e-mail
   (:func:`~periscolaire.render_nightly_report`);
2. **promotions**: the outbox of waiting-list reservations accepted since
   (:meth:`~periscolaire.Register.pending_promotions`), each e-mail delivered
   (:func:`~periscolaire.render_promotion`), then marked sent;
3. **débits**: the consumptions of the days before the night (accepted
   reservations), debited from the families' porte-monnaies, each once
   (:meth:`AgentRecords.debit_consumptions <periscolaire.AgentRecords.debit_consumptions>`);
4. **assurances**: the insurances of the school year's dossiers past their
   expiry date turn their fiches « à mettre à jour », each family told
   (:meth:`AgentRecords.check_expiries <periscolaire.AgentRecords.check_expiries>`).

A run is known by its instant ``now`` (commune-local time, however it is
written): run again with the same ``now`` after a crash, it produces the same
reports, delivers the promotions not marked sent and debits what is left —
nothing twice in the store. See ``docs/nightly.md``.

>>> import periscolaire as ps
>>> from datetime import datetime
>>> result = run_nightly(ps.load_commune(), ps.open_store("memory://"), datetime(2024, 9, 3, 2))
>>> result.counts
{'reports': 0, 'movements': 0, 'promotions': 0, 'promotions_waiting': 0, 'consumptions_due': 0,
 'debits': 0, 'insurances_expired': 0}
>>> run_nightly(ps.load_commune(), ps.open_store("memory://"), "2024-09-03")
Traceback (most recent call last):
...
periscolaire.errors.InvalidArgument: now : une date et heure (datetime) est attendue, reçu '2024-09-03'.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

import attrs

from periscolaire.booking import Promotion, Reservation, ReservationStatus
from periscolaire.commune import Commune
from periscolaire.dossier import FicheEvent
from periscolaire.errors import InvalidArgument, PeriscolaireError, StoreError
from periscolaire.families import Families
from periscolaire.french import short_day
from periscolaire.money import ZERO
from periscolaire.register import Register
from periscolaire.report import render_nightly_report, render_promotion
from periscolaire.store import Store
from periscolaire.validators import whole_number
from periscolaire.wallet import Entry

__all__ = [
    "DEBIT_BATCH",
    "INSURANCE_SUBJECT",
    "PROMOTION_SUBJECT",
    "REPORT_SUBJECT",
    "STEPS",
    "Debits",
    "Deliver",
    "FileOutbox",
    "Insurances",
    "Night",
    "NightlyMail",
    "NightlyResult",
    "Promotions",
    "Reports",
    "StepResult",
    "check_insurances",
    "debit_consumptions",
    "file_key",
    "price_without_qf",
    "run_nightly",
    "school_year_of",
    "send_promotions",
    "transmit_reports",
]

#: Subjects of the e-mails.
REPORT_SUBJECT = "Compte-rendu de vos réservations"
PROMOTION_SUBJECT = "Réservation en liste d'attente acceptée"
INSURANCE_SUBJECT = "Attestation d'assurance à mettre à jour"

#: Families per unit of work of the debit (each batch is committed on its own).
DEBIT_BATCH = 200


# --------------------------------------------------------------------------
# What the night produces
# --------------------------------------------------------------------------


@attrs.frozen
class NightlyMail:
    """One e-mail of the night: a family's compte-rendu, or a promotion.

    ``key`` is deterministic — the same for the same run and family (a
    report) or the same promotion, whichever process renders it: a file name
    (:class:`FileOutbox`), a ``Message-ID`` or an idempotency key for a mailer
    that drops duplicates.
    """

    kind: Literal["compte-rendu", "promotion", "assurance"]
    family: str
    key: str
    subject: str
    text: str


class Deliver(Protocol):
    """Where the night's e-mails go: a mailer, a file outbox
    (:class:`FileOutbox`). It returns once the e-mail is safely handed over
    (a promotion is marked sent only then); it raises to stop the run."""

    def __call__(self, mail: NightlyMail) -> None: ...


class FileOutbox:
    """Writes each e-mail to ``directory / (mail.key + ".txt")`` (created if
    missing): a re-run writes the same names, so a file is replaced, never
    duplicated. Each file appears whole or not at all (written aside, then
    renamed); a promotion's file is flushed to disk before it is marked sent."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.written: list[Path] = []
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Répertoire de sortie inutilisable : {self.directory} ({exc.strerror or exc}).",
                code="output_unwritable",
            ) from None

    def __call__(self, mail: NightlyMail) -> None:
        path = self.directory / f"{mail.key}.txt"
        aside = self.directory / f".{mail.key}.tmp"
        try:
            with open(aside, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(mail.text)
                if mail.kind == "promotion":  # marked sent next: it must survive a power cut
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(aside, path)
            if mail.kind == "promotion":
                _fsync_directory(self.directory)
        except OSError as exc:
            raise StoreError(
                f"Écriture impossible : {path} ({exc.strerror or exc}).", code="output_unwritable"
            ) from None
        self.written.append(path)

    def __repr__(self) -> str:
        return f"FileOutbox({str(self.directory)!r})"


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory descriptors
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_key(family: str) -> str:
    """A family id as a piece of a file name: readable, safe on every
    filesystem, and distinct for distinct ids (a short hash of the exact id
    follows, so « F1 » and « f1 » differ even where names ignore case).

    >>> file_key("F-DUPONT"), file_key("Zoé/2")
    ('F-DUPONT-d2c568a6', 'Zoe_2-6e594de3')
    """
    ascii_ = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode("ascii")
    slug = _SAFE.sub("_", ascii_).strip("._")[:40] or "famille"
    digest = hashlib.sha256(family.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


# --------------------------------------------------------------------------
# Prices
# --------------------------------------------------------------------------


def price_without_qf(commune: Commune) -> Callable[[Any], Decimal]:
    """The default price of a consumption: its activity's tariff for a
    resident family without quotient familial — ``activity.tariff.price(None)``,
    the grid's highest price (the ceiling of an effort rate), the price a
    family pays when it has given no QF. An activity without a tariff costs
    nothing (nothing is debited). A store keeps no QF: a host that knows them
    passes its own ``price`` (``tariff.price(qf.on(day), rank=...)``).

    >>> import periscolaire as ps
    >>> from datetime import date
    >>> price = price_without_qf(ps.load_commune())
    >>> price(ps.Reservation("paolo", "MERCREDI", date(2024, 9, 11), "F1", "accepted"))
    Decimal('12.00')
    """
    prices = {
        code: (activity.tariff.price(None) if activity.tariff is not None else ZERO)
        for code, activity in commune.activities.items()
    }

    def price(reservation: Any) -> Decimal:
        return prices.get(reservation.activity, ZERO)

    return price


# --------------------------------------------------------------------------
# The steps
# --------------------------------------------------------------------------


@attrs.frozen
class Reports:
    """Step 1: the movements transmitted and each family's compte-rendu."""

    name: ClassVar[str] = "compte-rendu"
    mails: tuple[NightlyMail, ...]
    movements: int

    @property
    def texts(self) -> Mapping[str, str]:
        """Family account -> its e-mail's text."""
        return {mail.family: mail.text for mail in self.mails}

    def counts(self) -> dict[str, int]:
        return {"reports": len(self.mails), "movements": self.movements}

    def summary(self) -> str:
        if not self.mails:
            return "Comptes-rendus : aucun mouvement à transmettre."
        return (
            f"Comptes-rendus : {_count(len(self.mails), 'famille', 'familles')}, "
            f"{_count(self.movements, 'mouvement transmis', 'mouvements transmis')}."
        )


@attrs.frozen
class Promotions:
    """Step 2: the waiting-list promotions delivered and marked sent (and
    those left in the outbox, when the run has nowhere to deliver them)."""

    name: ClassVar[str] = "promotions"
    mails: tuple[NightlyMail, ...]
    sent: tuple[Promotion, ...]
    waiting: tuple[Promotion, ...]

    def counts(self) -> dict[str, int]:
        return {"promotions": len(self.sent), "promotions_waiting": len(self.waiting)}

    def summary(self) -> str:
        text = "Promotions (liste d'attente → acceptée) : " + (
            _count(len(self.sent), "e-mail envoyé", "e-mails envoyés") if self.sent else "aucune à envoyer"
        )
        if self.waiting:
            text += (
                f" ; {_count(len(self.waiting), 'reste', 'restent')} dans la file d'envoi "
                "(aucune destination : --out)"
            )
        return text + "."


@attrs.frozen
class Debits:
    """Step 3: the consumptions of past days, debited each once."""

    name: ClassVar[str] = "débits"
    today: date
    due: int
    entries: Mapping[str, tuple[Entry, ...]]

    @property
    def count(self) -> int:
        return sum(len(entries) for entries in self.entries.values())

    @property
    def amount(self) -> Decimal:
        """The total debited by this run (a positive sum)."""
        return -sum((e.amount for entries in self.entries.values() for e in entries), ZERO)

    def counts(self) -> dict[str, int]:
        return {"consumptions_due": self.due, "debits": self.count}

    def summary(self) -> str:
        before = short_day(self.today)
        if not self.due:
            return f"Consommations : aucune réservation acceptée avant le {before}."
        if not self.count:
            return (
                f"Consommations : aucune à débiter ({_count(self.due, 'journée réservée', 'journées réservées')} "
                f"avant le {before}, déjà débitées ou gratuites)."
            )
        text = (
            f"Consommations : {_count(self.count, 'débitée', 'débitées')} ({self.amount} €, "
            f"{_count(len(self.entries), 'famille', 'familles')}) "
            f"sur {_count(self.due, 'journée réservée', 'journées réservées')} avant le {before}"
        )
        if self.due > self.count:
            text += f" ({self.due - self.count} déjà débitées ou gratuites)"
        return text + "."


class StepResult(Protocol):
    """What a step tells of itself."""

    @property
    def name(self) -> str: ...

    def counts(self) -> dict[str, int]: ...

    def summary(self) -> str: ...


@attrs.frozen
class Night:
    """What every step reads: the run's instant and where things are."""

    commune: Commune
    store: Store
    now: datetime  # commune-local, naive
    register: Register
    deliver: Deliver | None
    price: Callable[[Any], Decimal]
    recipient: Callable[[str], str]
    names: Mapping[str, str]
    labels: Mapping[str, str]
    agent: str
    debit_from: date | None
    debit_batch: int

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def stamp(self) -> str:
        return f"{self.now:%Y%m%dT%H%M%S}"


def transmit_reports(night: Night) -> Reports:
    """Step 1. Transmit the movements (one transaction; the same ``now``
    gives them back after a crash) and deliver each family's compte-rendu."""
    movements = night.register.transmit(night.now)
    mails = []
    for family, moves in movements.items():
        text = render_nightly_report(
            night.recipient(family),
            night.commune.structure_name,
            moves,
            labels=night.labels,
            names=night.names,
        )
        mail = NightlyMail(
            "compte-rendu", family, f"compte-rendu-{night.stamp}-{file_key(family)}", REPORT_SUBJECT, text
        )
        if night.deliver is not None:
            night.deliver(mail)
        mails.append(mail)
    return Reports(tuple(mails), sum(len(m) for m in movements.values()))


def send_promotions(night: Night) -> Promotions:
    """Step 2. The outbox, at least once: each promotion's e-mail is
    delivered, then marked sent; a run killed in between delivers it again
    (under the same key). Without a destination nothing is marked: the
    promotions stay in the outbox for the next run."""
    register = night.register
    mails, sent = [], []
    pending = register.pending_promotions()
    if night.deliver is None:
        return Promotions((), (), pending)
    for promotion in pending:
        sentence = render_promotion(promotion, labels=night.labels, names=night.names)
        text = f"{night.recipient(promotion.family)}\n\n{sentence}\n"
        mail = NightlyMail(
            "promotion",
            promotion.family,
            f"promotion-{promotion.id}-{file_key(promotion.family)}",
            PROMOTION_SUBJECT,
            text,
        )
        night.deliver(mail)
        register.mark_sent([promotion], night.now)
        mails.append(mail)
        sent.append(promotion)
    return Promotions(tuple(mails), tuple(sent), ())


def debit_consumptions(night: Night) -> Debits:
    """Step 3. Debit the accepted reservations of days before the night
    (from ``debit_from`` when given), each once: the store's unique key on
    each consumption (family, child, activity, day) makes a second run, a
    crashed one or one on another machine debit nothing twice."""
    today = night.today
    start = night.debit_from
    due: list[Reservation] = [
        r
        for r in night.register.reservations()
        if r.status == ReservationStatus.ACCEPTED and r.day < today and (start is None or r.day >= start)
    ]
    labels, names = night.labels, night.names

    def label(r: Any) -> str:
        return f"{labels.get(r.activity, r.activity)} du {r.day:%d/%m/%Y} ({names.get(r.child, r.child)})"

    entries = (
        Families(night.commune, night.store)
        .agent(night.agent)
        .debit_consumptions(due, today=today, price=night.price, label=label, batch=night.debit_batch)
    )
    return Debits(today, len(due), entries)


@attrs.frozen
class Insurances:
    """Step 4: the insurances past their expiry date, whose fiches turned
    « à mettre à jour », each family told."""

    name: ClassVar[str] = "assurances"
    school_year: int
    mails: tuple[NightlyMail, ...]
    events: Mapping[str, tuple[FicheEvent, ...]]
    unreadable: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        counts = {"insurances_expired": sum(len(e) for e in self.events.values())}
        if self.unreadable:
            counts["dossiers_unreadable"] = len(self.unreadable)
        return counts

    def summary(self) -> str:
        year = f"{self.school_year}/{self.school_year + 1}"
        if not self.events:
            text = f"Assurances ({year}) : aucune échue."
        else:
            count = self.counts()["insurances_expired"]
            text = (
                f"Assurances ({year}) : {_count(count, 'fiche échue', 'fiches échues')} → « à mettre à jour » "
                f"({_count(len(self.events), 'famille prévenue', 'familles prévenues')})."
            )
        if self.unreadable:
            text += f" Dossiers illisibles, à vérifier : {', '.join(self.unreadable)}."
        return text


def school_year_of(day: date) -> int:
    """The school year a day belongs to (2024 for 2024/2025): from 1 September."""
    return day.year if day.month >= 9 else day.year - 1


def check_insurances(night: Night) -> Insurances:
    """Step 4. The dossiers of the school year (the commune's, else the one
    of the night): an insurance past its expiry date turns its fiche « à
    mettre à jour ». Each family's e-mail is delivered before the change is
    written (at least once: a run killed in between tells it again, under
    the same key); a second run finds nothing more to change."""
    year = night.commune.school_year or school_year_of(night.today)
    agent = Families(night.commune, night.store).agent(night.agent)
    mails, found, unreadable = [], {}, []
    for family in agent.dossiers(year):
        handle = agent.dossier(family, year)
        try:
            events = handle.read().check_expiries(night.today)  # on a copy: nothing written yet
        except PeriscolaireError:
            unreadable.append(family)  # one broken record does not stop the night: it is reported
            continue
        if not events:
            continue
        text = "\n".join(
            [night.recipient(family), "", *(e.message(night.names.get(e.child or "")) for e in events)]
        )
        mail = NightlyMail(
            "assurance", family, f"assurance-{night.stamp}-{file_key(family)}", INSURANCE_SUBJECT, text + "\n"
        )
        if night.deliver is not None:
            night.deliver(mail)
        mails.append(mail)
        found[family] = handle.check_expiries(night.today)
    return Insurances(year, tuple(mails), found, tuple(unreadable))


#: The night's steps, in order. Each reads the :class:`Night` and returns its
#: result; each can run again for the same night without double effects.
STEPS: tuple[Callable[[Night], StepResult], ...] = (
    transmit_reports,
    send_promotions,
    debit_consumptions,
    check_insurances,
)


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


@attrs.frozen
class NightlyResult:
    """What a night did: each step's result, in order, and the files written."""

    commune: str
    now: datetime
    steps: tuple[StepResult, ...]
    files: tuple[Path, ...] = ()

    def step(self, name: str) -> Any:
        """The result of the step called ``name`` (« compte-rendu »,
        « promotions », « débits »)."""
        for step in self.steps:
            if step.name == name:
                return step
        raise InvalidArgument(f"Étape inconnue : {name!r} ({', '.join(s.name for s in self.steps)}).")

    @property
    def reports(self) -> Reports:
        result: Reports = self.step(Reports.name)
        return result

    @property
    def promotions(self) -> Promotions:
        result: Promotions = self.step(Promotions.name)
        return result

    @property
    def debits(self) -> Debits:
        result: Debits = self.step(Debits.name)
        return result

    @property
    def insurances(self) -> Insurances:
        result: Insurances = self.step(Insurances.name)
        return result

    @property
    def mails(self) -> tuple[NightlyMail, ...]:
        """Every e-mail of the night: the reports, then the promotions."""
        return tuple(mail for step in self.steps for mail in getattr(step, "mails", ()))

    @property
    def counts(self) -> dict[str, int]:
        """Every step's counts in one mapping."""
        out: dict[str, int] = {}
        for step in self.steps:
            out.update(step.counts())
        return out

    def summary(self) -> str:
        """What the night did, in French, one line per step."""
        head = f"Traitement de nuit — {self.commune} — {short_day(self.now)} {self.now:%H:%M}"
        lines = [head, *(f"  {step.summary()}" for step in self.steps)]
        if self.files:
            directories = sorted({str(path.parent) for path in self.files})
            lines.append(
                f"  Fichiers : {_count(len(self.files), 'écrit', 'écrits')} dans {', '.join(directories)}."
            )
        return "\n".join(lines) + "\n"


def run_nightly(
    commune: Commune,
    store: Store,
    now: datetime,
    *,
    out: str | os.PathLike[str] | None = None,
    deliver: Deliver | None = None,
    price: Callable[[Any], Decimal] | None = None,
    recipient: Callable[[str], str] | None = None,
    names: Mapping[str, str] | None = None,
    agent: str = "nightly",
    debit_from: date | None = None,
    debit_batch: int = DEBIT_BATCH,
    steps: Sequence[Callable[[Night], StepResult]] = STEPS,
) -> NightlyResult:
    """The night of ``now`` for ``commune`` over ``store`` (see the module).

    * ``out``: a directory where each e-mail is written as a file
      (:class:`FileOutbox`), or ``deliver``: a callable that hands each
      :class:`NightlyMail` to a mailer (one of the two; with neither, the
      reports are only returned and the promotions stay in the outbox);
    * ``price``: a consumption's price (default :func:`price_without_qf`);
    * ``recipient``: a family account id -> the greeting line of its report
      (default « Famille <id> »); ``names``: child id -> « NOM Prénom »;
    * ``agent``: the name of the agent handle that debits (``Families.agent``);
    * ``debit_from``: the first day debited (default: every past day — the
      unique keys make it safe, the store reads more);
    * ``debit_batch``: families per unit of work of the debit.

    Give each night one instant (its date at 02:00, say): run again with the
    same ``now`` after a crash, the night produces the same reports again,
    delivers the promotions not yet marked sent, and debits only what is left.
    """
    if not isinstance(now, datetime):
        raise InvalidArgument(f"now : une date et heure (datetime) est attendue, reçu {now!r}.")
    if not isinstance(commune, Commune):
        raise InvalidArgument(f"commune : une ps.Commune est attendue (ps.load_commune()), reçu {commune!r}.")
    if out is not None and deliver is not None:
        raise InvalidArgument("out ou deliver : l'un des deux, pas les deux.")
    if deliver is not None and not callable(deliver):
        raise InvalidArgument(f"deliver : une fonction (NightlyMail) -> None est attendue, reçu {deliver!r}.")
    if price is not None and not callable(price):
        raise InvalidArgument(f"price : une fonction (réservation) -> Decimal est attendue, reçu {price!r}.")
    if debit_from is not None and type(debit_from) is not date:
        raise InvalidArgument(f"debit_from : une date est attendue, reçu {debit_from!r}.")
    whole_number(debit_batch, "debit_batch", 1)
    files = FileOutbox(out) if out is not None else None
    night = Night(
        commune=commune,
        store=store,
        now=commune.calendar.local(now),
        register=Register(commune, store=store),
        deliver=files if files is not None else deliver,
        price=price if price is not None else price_without_qf(commune),
        recipient=recipient if recipient is not None else _family_greeting,
        names=dict(names or {}),
        labels={code: activity.label for code, activity in commune.activities.items()},
        agent=agent,
        debit_from=debit_from,
        debit_batch=debit_batch,
    )
    done = tuple(step(night) for step in steps)
    return NightlyResult(
        commune.name, night.now, done, tuple(dict.fromkeys(files.written)) if files is not None else ()
    )


def _family_greeting(family: str) -> str:
    return f"Famille {family}"


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"
