"""The guide's year, end to end, on the bundled Cestas 2024/2025 configuration.

A family like the guide's (two responsables, Jean-Paul and Marie DUPONT; two
children, Paolo and Amalia) goes through the portal's whole year: the dossier,
one fiche rejected and fixed, booking access on 19 August 2024, a week, a
weekday and a month selected, the recap, the confirmation with a Wednesday on
the waiting list, the nightly report, a cancellation by another family that
promotes that Wednesday, then the balance, the estimated cost, a payment and
the history. ``periscolaire demo`` prints it; :func:`run_demo` returns it as
data. Nothing here reads the clock: the story's instants are fixed, and
``now`` stops it (and sets the instant of the account's view).

With a ``store`` (``periscolaire demo --store URL``) the bookings live in a
database, and the story can be cut in two at :data:`RESTART_AT`, after the
confirmation and before the nightly run: ``part="before_restart"`` in one
process, ``part="after_restart"`` in a new one, which finds everything the
first one confirmed — the nightly report and the waiting list come from
storage.

>>> steps = run_demo()
>>> for step in steps[:3]:
...     print(step.title)
Dossier famille : fiches remplies et transmises
Dossier famille : décision du service Éducation
Dossier famille : fiche corrigée et validée
>>> steps[6].data["waitlisted"]
[{'child': 'paolo', 'activity': 'MERCREDI', 'day': '2024-09-18'}]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

import attrs

from periscolaire.attachments import Document, Upload
from periscolaire.booking import BookingSession, Outcome, Promotion, Request, ReservationStatus
from periscolaire.calendar import load_timezone
from periscolaire.commune import Commune, load_commune
from periscolaire.dossier import Dossier, FicheKind, FicheState, Signature
from periscolaire.family import Child, Family
from periscolaire.french import day_month
from periscolaire.register import Register
from periscolaire.report import render_nightly_report, render_promotion
from periscolaire.store import Store
from periscolaire.tariff import QuotientFamilial, family_parts, quotient_familial
from periscolaire.wallet import Account

__all__ = ["RESTART_AT", "STORY_END", "Step", "run_demo"]

#: The default instant of the story's last step.
STORY_END = datetime(2024, 9, 30, 18, 0)
#: Where a story on a store restarts its process: after the confirmation, before the night.
RESTART_AT = datetime(2024, 8, 19, 23, 0)

PAOLO = Child("paolo", "Paolo", "DUPONT")
AMALIA = Child(
    "amalia", "Amalia", "DUPONT", activities=frozenset({"ACCUEIL_MATIN", "ACCUEIL_SOIR", "RESTAURATION"})
)
DUPONT = Family("F-DUPONT", "DUPONT", (PAOLO, AMALIA))
PDF = b"%PDF-1.7\n% demo\n%%EOF\n"


@attrs.frozen
class Step:
    """One step of the story: when, what the portal shows, and the same as data."""

    at: datetime
    title: str
    lines: tuple[str, ...]
    data: Mapping[str, Any] = attrs.field(factory=dict)

    def text(self) -> str:
        head = f"── {self.at:%d/%m/%Y %H:%M} · {self.title}"
        return "\n".join([head, *(f"   {line}" if line else "" for line in self.lines)])

    def to_json(self) -> dict[str, Any]:
        # The story's instants are Cestas local times: JSON says so (an offset, not a guess).
        at = self.at if self.at.tzinfo is not None else self.at.replace(tzinfo=load_timezone("Europe/Paris"))
        return {
            "at": at.isoformat(),
            "title": self.title,
            "lines": list(self.lines),
            "data": dict(self.data),
        }


def _requests(requests: Iterable[Request]) -> list[dict[str, str]]:
    return [{"child": r.child, "activity": r.activity, "day": r.day.isoformat()} for r in requests]


def _status_label(status: ReservationStatus | None) -> str:
    return "non réservé" if status is None else status.label


def _counts(dossier: Dossier) -> tuple[list[str], dict[str, int]]:
    counts = dossier.counts()
    return (
        [f"{state.label:<22} {n:>2}" for state, n in counts.items()],
        {state.value: n for state, n in counts.items()},
    )


def _grouped(requests: Iterable[Request], commune: Commune) -> list[str]:
    """« Paolo · RESTAURATION : lun. 02/09, mar. 03/09 » lines, in order."""
    groups: dict[tuple[str, str], list[date]] = {}
    for r in requests:
        groups.setdefault((r.child, r.activity), []).append(r.day)
    names = {c.id: c.first_name for c in DUPONT.children}
    return [
        f"{names.get(child, child)} · {commune.activity(code).label} : {', '.join(day_month(d) for d in days)}"
        for (child, code), days in groups.items()
    ]


class _Story:
    """The story's state, step after step."""

    def __init__(self, commune: Commune, store: Store | None = None) -> None:
        self.commune = commune
        self.labels = {code: a.label for code, a in commune.activities.items()}
        self.names = {c.id: c.display_name for c in DUPONT.children}
        self.dossier = Dossier.open(DUPONT, 2024, other_responsable=True, deadline=commune.dossier_deadline)
        self.register = Register(commune, store=store)
        self.account = Account(wallets=tuple(dict.fromkeys(a.wallet for a in commune.activities.values())))
        self.qf = QuotientFamilial(
            quotient_familial(Decimal("42000"), family_parts(children=2)), notice_year=2023
        )
        self.session: BookingSession | None = None
        self.outcome: Outcome | None = None
        self.promotions: tuple[Promotion, ...] = ()

    # -- the dossier --------------------------------------------------------------------

    def fill_dossier(self, at: datetime) -> Step:
        d = self.dossier
        d.edit(
            FicheKind.RESPONSABLE,
            last_name="DUPONT",
            first_name="Jean-Paul",
            address="12 chemin de Pierroton",
            postcode="33610",
            city="Cestas",
            phone="05 56 00 00 00",
            emails="jp.dupont@example.fr; marie.dupont@example.fr",
        )
        d.attach(
            FicheKind.RESPONSABLE,
            None,
            Document.PROOF_OF_ADDRESS,
            [Upload("facture-edf.pdf", PDF, date(2024, 6, 3))],
        )
        d.attach(FicheKind.RESPONSABLE, None, Document.TAX_NOTICE, [Upload("avis-2023.pdf", PDF)])
        d.transmit(FicheKind.RESPONSABLE, now=at, signature=Signature("Jean-Paul DUPONT"))
        d.edit(FicheKind.AUTRE_RESPONSABLE, last_name="DUPONT", first_name="Marie", phone="06 00 00 00 00")
        d.transmit(FicheKind.AUTRE_RESPONSABLE, now=at, signature=Signature("Marie DUPONT"))
        mamie = d.add_contact("MARTIN", "Josette", "05 56 11 11 11")
        for child in DUPONT.children:
            certificate = "attestation-2023-2024.pdf" if child is AMALIA else "attestation-2024-2025.pdf"
            d.edit(
                FicheKind.ASSURANCE,
                child.id,
                company="MAIF",
                contract_number="1234567A",
                expiry=date(2025, 8, 31),
            )
            d.attach(
                FicheKind.ASSURANCE, child.id, Document.INSURANCE_CERTIFICATE, [Upload(certificate, PDF)]
            )
            d.transmit(FicheKind.ASSURANCE, child.id, now=at)
            d.transmit(FicheKind.AUTORISATIONS, child.id, now=at)
            d.link_contact(
                child.id, mamie.id, relationship="Grand-mère", may_pick_up=True, emergency_call=True
            )
            d.transmit(FicheKind.CONTACTS, child.id, now=at)
            d.edit(FicheKind.SANTE, child.id, vaccinations_up_to_date=True, doctor_name="Dr LAFON")
            d.transmit(FicheKind.SANTE, child.id, now=at)
            d.edit(FicheKind.REGLEMENT, child.id, acknowledged=True)
            d.transmit(
                FicheKind.REGLEMENT, child.id, now=at, signature=Signature("Jean-Paul DUPONT", "Cestas", at)
            )
        lines, counts = _counts(d)
        return Step(
            at,
            "Dossier famille : fiches remplies et transmises",
            (
                "Jean-Paul DUPONT remplit les 12 fiches (2 responsables, 5 par enfant), joint les pièces et",
                "valide et transmet chaque fiche au service Éducation.",
                *lines,
            ),
            {"counts": counts},
        )

    def agent_decides(self, at: datetime) -> Step:
        d = self.dossier
        reason = "Attestation d'assurance 2024-2025 manquante : le fichier déposé est celle de 2023-2024."
        event = d.reject(FicheKind.ASSURANCE, "amalia", reason=reason, now=at, agent="service.education")
        for fiche in d.fiches():
            if fiche.state == FicheState.TRANSMITTED:
                d.validate(fiche.kind, fiche.child, now=at, agent="service.education")
        lines, counts = _counts(d)
        return Step(
            at,
            "Dossier famille : décision du service Éducation",
            (
                "11 fiches validées ; une fiche rejetée. Mail envoyé à la famille :",
                f"« {event.message('Amalia')} »",
                *lines,
                f"Accès aux réservations : {'oui' if d.grants_booking_access else 'non'}",
            ),
            {"counts": counts, "rejected": {"fiche": "assurance", "child": "amalia", "reason": reason}},
        )

    def fix_dossier(self, at: datetime) -> Step:
        d = self.dossier
        d.attach(
            FicheKind.ASSURANCE,
            "amalia",
            Document.INSURANCE_CERTIFICATE,
            [Upload("attestation-2024-2025.pdf", PDF)],
        )
        d.transmit(FicheKind.ASSURANCE, "amalia", now=at)
        validated_at = datetime.combine(at.date(), time(17, 0))
        event = d.validate(FicheKind.ASSURANCE, "amalia", now=validated_at, agent="service.education")
        lines, counts = _counts(d)
        return Step(
            at,
            "Dossier famille : fiche corrigée et validée",
            (
                "La famille dépose la bonne attestation et transmet la fiche à nouveau ; le service la valide :",
                f"« {event.message('Amalia')} »",
                *lines,
            ),
            {"counts": counts, "grants_booking_access": d.grants_booking_access},
        )

    # -- booking ----------------------------------------------------------------------------

    def other_families_fill_a_wednesday(self, at: datetime, day: date) -> None:
        """The opening rush: other families take every place of one Wednesday."""
        capacity = self.register.capacity("MERCREDI", day) or 0
        for i in range(capacity):
            family = Family(
                f"F-{i:03}", f"FAMILLE{i:03}", (Child(f"enfant{i:03}", "Enfant", f"FAMILLE{i:03}"),)
            )
            session = self.register.open_session(family, now=at, balance=Decimal(0), dossier_complete=True)
            session.toggle_day(family.children[0].id, "MERCREDI", day)
            session.confirm(at)

    def open_booking(self, at: datetime) -> Step:
        period = self.commune.calendar.period(1)
        self.other_families_fill_a_wednesday(datetime.combine(at.date(), time(7, 30)), date(2024, 9, 18))
        self.session = self.register.open_session(
            DUPONT,
            now=at,
            balance=self.account.balance(),
            dossier_complete=self.dossier.grants_booking_access,
        )
        return Step(
            at,
            "Réservations : accès accordé",
            (
                period.describe(),
                f"Dossier transmis et validé, solde {self.account.balance()} € (non débiteur) : "
                "l'écran de réservation s'ouvre.",
                "Places restantes au centre de loisirs le mer. 18/09 : "
                f"{self.register.places_left('MERCREDI', date(2024, 9, 18))}",
            ),
            {"period": 1, "opens": period.opens.isoformat(), "balance": str(self.account.balance())},
        )

    def select(self, at: datetime) -> Step:
        s = self.session
        assert s is not None
        week = s.toggle_week("paolo", "RESTAURATION", date(2024, 9, 2))
        wednesdays = s.toggle_weekday("paolo", "MERCREDI", date(2024, 9, 11))
        month = s.toggle_month("amalia", "ACCUEIL_SOIR", date(2024, 9, 1))
        holidays = s.toggle_week("paolo", "VACANCES", date(2024, 10, 21))
        return Step(
            at,
            "Réservations : sélection",
            (
                f"Flèche de la semaine du lun. 02/09 (Paolo, RESTAURATION) : {len(week)} jours",
                f"Flèche sous « mer. » en septembre (Paolo, MERCREDI) : {', '.join(day_month(d) for d in wednesdays)}"
                " (le 04/09, centre fermé, est laissé de côté)",
                f"Icône du mois de septembre (Amalia, ACCUEIL SOIR) : {len(month)} jours",
                f"Flèche de la semaine du lun. 21/10 (Paolo, VACANCES) : {len(holidays)} jours",
            ),
            {
                "week": [d.isoformat() for d in week],
                "weekday": [d.isoformat() for d in wednesdays],
                "month": [d.isoformat() for d in month],
                "holiday_week": [d.isoformat() for d in holidays],
            },
        )

    def recap(self, at: datetime) -> Step:
        assert self.session is not None
        recap = self.session.recap()
        cancellations = [f"  {line}" for line in _grouped(recap.cancellations, self.commune)] or ["  aucune"]
        return Step(
            at,
            "Réservations : récapitulatif",
            (
                f"Demandes de réservation ({len(recap.bookings)}) :",
                *(f"  {line}" for line in _grouped(recap.bookings, self.commune)),
                f"Demandes d'annulation ({len(recap.cancellations)}) :",
                *cancellations,
            ),
            {"bookings": _requests(recap.bookings), "cancellations": _requests(recap.cancellations)},
        )

    def confirm(self, at: datetime) -> Step:
        assert self.session is not None
        self.outcome = outcome = self.session.confirm(at)
        return Step(
            at,
            "Réservations : validation",
            (
                "Une vérification est faite au moment de la validation :",
                f"  acceptées : {len(outcome.accepted)}",
                *(f"  en liste d'attente : {line}" for line in _grouped(outcome.waitlisted, self.commune)),
                *(f"  refusée : {r.request.day} ({r.message})" for r in outcome.refused),
                "État des réservations : « Non Transmise » jusqu'à la nuit.",
            ),
            {
                "accepted": len(outcome.accepted),
                "waitlisted": _requests(outcome.waitlisted),
                "refused": [{"code": r.code, **_requests([r.request])[0]} for r in outcome.refused],
            },
        )

    def restarted(self, at: datetime) -> Step:
        """A new process opens the store: what the first one confirmed is there."""
        register = self.register
        waiting = register.untransmitted(DUPONT.id).get(DUPONT.id, ())
        day = date(2024, 9, 18)
        return Step(
            at,
            "Redémarrage du portail : un nouveau processus rouvre le stockage",
            (
                f"Stockage : {register.store.url}",
                f"Réservations de la commune : {len(register)} (les autres familles et les DUPONT)",
                f"Mouvements « Non Transmise » de la famille DUPONT : {len(waiting)}",
                f"Paolo, mer. 18/09 : {_status_label(register.status('paolo', 'MERCREDI', day))} "
                f"(places restantes : {register.places_left('MERCREDI', day)})",
                "Rien n'a été perdu : le compte-rendu de la nuit est lu dans le stockage.",
            ),
            {"reservations": len(register), "untransmitted": len(waiting)},
        )

    def nightly_report(self, at: datetime) -> Step:
        movements = self.register.transmit(at)[DUPONT.id]
        text = render_nightly_report(
            "M. DUPONT Jean-Paul",
            self.commune.structure_name,
            movements,
            labels=self.labels,
            names=self.names,
        )
        return Step(
            at,
            "Compte-rendu de la nuit (mail automatique)",
            ("À : jp.dupont@example.fr ; marie.dupont@example.fr", "", *text.splitlines()),
            {"movements": len(movements), "email": text},
        )

    def cancellation_elsewhere(self, at: datetime) -> Step:
        day = date(2024, 9, 18)
        other = Family("F-000", "FAMILLE000", (Child("enfant000", "Enfant", "FAMILLE000"),))
        session = self.register.open_session(other, now=at, balance=Decimal(0), dossier_complete=True)
        session.toggle_day("enfant000", "MERCREDI", day)
        session.confirm(at)
        self.promotions = self.register.take_promotions()
        mails = [
            render_promotion(p, labels=self.labels, names=self.names)
            for p in self.promotions
            if p.family == DUPONT.id
        ]
        return Step(
            at,
            "Liste d'attente : une place se libère",
            (
                "Une autre famille annule sa réservation du mer. 18/09 ; la première demande en liste",
                "d'attente est acceptée. Mail envoyé à la famille DUPONT :",
                *(f"« {mail} »" for mail in mails),
                f"Paolo, mer. 18/09 : {_status_label(self.register.status('paolo', 'MERCREDI', day))}",
            ),
            {"promoted": _requests(p.request for p in self.promotions)},
        )

    # -- the account --------------------------------------------------------------------------

    def _price(self, reservation: Any) -> Decimal:
        tariff = self.commune.activity(reservation.activity).tariff
        if tariff is None:
            return Decimal(0)
        rank = 1 + [c.id for c in DUPONT.children].index(reservation.child)
        return tariff.price(self.qf.on(reservation.day), rank=rank)

    def account_view(self, at: datetime) -> Step:
        today = at.date()
        wallet_of = {code: a.wallet for code, a in self.commune.activities.items()}
        reservations = list(self.register.reservations(DUPONT.id))
        debits = self.account.debit_consumptions(
            reservations, today=today, price=self._price, wallet_of=wallet_of
        )
        until = date(2024, 10, 31)
        costs = [
            (wallet_of[r.activity], r.day, self._price(r))
            for r in reservations
            if r.status == "accepted" and r.day >= today
        ]
        estimate = self.account.estimate(costs, until=until)
        lines = [
            f"Quotient familial 2024 (avis d'imposition 2023) : {self.qf.value} €",
            f"Consommations débitées jusqu'au {today - timedelta(days=1):%d/%m/%Y} : {len(debits)}",
            "Porte-monnaie      Solde   Coût estimé   Solde estimé",
            *(
                f"{wallet:<16} {e.balance:>7}  {e.reservations:>11}   {e.estimated_balance:>12}"
                for wallet, e in estimate.wallets.items()
            ),
            f"{'Total':<16} {estimate.total.balance:>7}  {estimate.total.reservations:>11}   "
            f"{estimate.total.estimated_balance:>12}",
            f"Compte débiteur : {'oui' if self.account.is_debtor else 'non'} "
            f"(réservations calculées jusqu'au {until:%d/%m/%Y})",
        ]
        data: dict[str, Any] = {
            "debits": len(debits),
            "balance": str(estimate.total.balance),
            "estimated_cost": str(estimate.total.reservations),
            "estimated_balance": str(estimate.total.estimated_balance),
        }
        payments = []
        for wallet, e in estimate.wallets.items():
            if e.suggested_payment > 0:
                receipt = self.account.pay(
                    wallet,
                    e.suggested_payment,
                    today,
                    reference=f"PAYFIP-{today:%Y%m%d}-{wallet}",
                    email=self.dossier_email(),
                )
                payments.append(receipt)
                lines.append(
                    f"Paiement par carte : {receipt.entry.amount} € ({wallet}), ticket envoyé à {receipt.to}"
                )
        lines.append(f"Nouveau solde : {self.account.balance()} €")
        history = self.account.history(today)
        lines += [
            f"Historique {history.start:%d/%m} – {history.end:%d/%m} : "
            f"{len(history.consumptions)} consommations, {len(history.payments)} paiement(s)",
            *history.to_csv("payments").splitlines(),
        ]
        data.update(
            payments=[
                {"wallet": r.entry.wallet, "amount": str(r.entry.amount), "to": r.to} for r in payments
            ],
            new_balance=str(self.account.balance()),
            history={"consumptions": len(history.consumptions), "payments": len(history.payments)},
        )
        return Step(at, "Paiement et solde, historique", tuple(lines), data)

    def dossier_email(self) -> str:
        emails = str(self.dossier.fiche(FicheKind.RESPONSABLE).data["emails"])
        return emails.split(";", maxsplit=1)[0].strip()


def run_demo(
    now: datetime | None = None,
    commune: Commune | None = None,
    *,
    store: Store | None = None,
    part: Literal["all", "before_restart", "after_restart"] = "all",
) -> list[Step]:
    """The story up to ``now`` (default: 30 September 2024, 18:00), step by step.

    ``store`` holds the bookings (default: in memory). ``part`` cuts the story
    at :data:`RESTART_AT` for a demonstration in two processes on one store:
    ``"after_restart"`` expects the bookings of ``"before_restart"`` in it.
    """
    commune = commune or load_commune()
    end = STORY_END if now is None else commune.calendar.local(now)
    story = _Story(commune, store)
    dossier: list[tuple[datetime, Callable[[datetime], Step]]] = [
        (datetime(2024, 6, 20, 20, 30), story.fill_dossier),
        (datetime(2024, 6, 24, 9, 0), story.agent_decides),
        (datetime(2024, 6, 25, 19, 0), story.fix_dossier),
    ]
    booking: list[tuple[datetime, Callable[[datetime], Step]]] = [
        (datetime(2024, 8, 19, 8, 0), story.open_booking),
        (datetime(2024, 8, 19, 8, 5), story.select),
        (datetime(2024, 8, 19, 8, 10), story.recap),
        (datetime(2024, 8, 19, 8, 12), story.confirm),
    ]
    night: list[tuple[datetime, Callable[[datetime], Step]]] = [
        (datetime(2024, 8, 20, 2, 0), story.nightly_report),
        (datetime(2024, 9, 2, 18, 30), story.cancellation_elsewhere),
    ]
    if part == "after_restart":
        for at, step in dossier:  # the dossier is not in the store: the same story rebuilds it
            step(at)
        plan = [(RESTART_AT, story.restarted), *night]
    elif part == "before_restart":
        plan = [*dossier, *booking]
    else:
        plan = [*dossier, *booking, *night]
    steps = [step(at) for at, step in plan if at <= end]
    if part != "before_restart" and end >= datetime(2024, 8, 19, 8, 12):  # once the bookings are confirmed
        steps.append(story.account_view(end))
    return steps
