"""The family dossier (« Dossier Famille »): fiches, their states, the agent's
decisions, contacts and health.

The guide (p. 4-9, p. 15): the dossier « doit être actualisé chaque année pour
permettre l'accès aux réservations des services »; it is made of fiches to
« valider et transmettre », each in a state counted under the pictogram (« à
saisir, en cours de saisie, transmises, rejetées ou incomplètes, validées, à
mettre à jour »); « Une fois validées, les fiches ne sont plus modifiables et
sont transmises au service Education qui les contrôlera puis les validera ou
les refusera. Vous recevrez un mail vous informant de l'action de votre
gestionnaire »; « Tous les éléments avec un astérisque (*) sont à renseigner »,
but a fiche can be saved « en brouillon ».

>>> from datetime import date, datetime, timedelta
>>> import periscolaire as ps
>>> family = ps.Family("F1", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
>>> dossier = ps.Dossier.open(family, school_year=2024)
>>> len(dossier.fiches()), dossier.counts()[ps.FicheState.TO_FILL]
(6, 6)
>>> dossier.transmit(ps.FicheKind.AUTORISATIONS, "paolo", now=datetime(2024, 6, 20, 9)).event
'transmitted'
>>> dossier.fiche(ps.FicheKind.AUTORISATIONS, "paolo").state
<FicheState.TRANSMITTED: 'transmitted'>
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from periscolaire.arguments import school_year as check_school_year
from periscolaire.attachments import AnyFile, Document, StoredFile, Upload, check_attachments
from periscolaire.errors import (
    DossierError,
    InvalidArgument,
    InvalidData,
    PeriscolaireError,
    UnknownChild,
    require_bool,
)
from periscolaire.family import Family
from periscolaire.jsonsafe import boolean, integer, iso_date, iso_datetime, items, mapping, member, text
from periscolaire.profile import parse_emails
from periscolaire.validators import whole_number

__all__ = [
    "Contact",
    "ContactLink",
    "Dossier",
    "Fiche",
    "FicheEvent",
    "FicheKind",
    "FicheState",
    "Field",
    "Signature",
    "VaccinationStatus",
    "vaccination_status",
]


class FicheKind(enum.StrEnum):
    """The fiches of a dossier (p. 6-9)."""

    RESPONSABLE = "responsable"
    AUTRE_RESPONSABLE = "autre_responsable"
    ASSURANCE = "assurance"
    AUTORISATIONS = "autorisations"
    CONTACTS = "contacts"
    SANTE = "sante"
    REGLEMENT = "reglement"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def per_child(self) -> bool:
        return self not in (FicheKind.RESPONSABLE, FicheKind.AUTRE_RESPONSABLE)


_KIND_LABELS = {
    FicheKind.RESPONSABLE: "Fiche responsable compte famille",
    FicheKind.AUTRE_RESPONSABLE: "Fiche autre responsable famille",
    FicheKind.ASSURANCE: "Fiche assurance scolaire et extrascolaire",
    FicheKind.AUTORISATIONS: "Fiche d'autorisations parentales",
    FicheKind.CONTACTS: "Fiche de contacts",
    FicheKind.SANTE: "Fiche santé",
    FicheKind.REGLEMENT: "Règlement intérieur",
}
CHILD_FICHES = (
    FicheKind.ASSURANCE,
    FicheKind.AUTORISATIONS,
    FicheKind.CONTACTS,
    FicheKind.SANTE,
    FicheKind.REGLEMENT,
)


class FicheState(enum.StrEnum):
    """The states of the guide's table (p. 5)."""

    TO_FILL = "to_fill"
    DRAFT = "draft"
    TRANSMITTED = "transmitted"
    REJECTED = "rejected"
    VALIDATED = "validated"
    TO_UPDATE = "to_update"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    FicheState.TO_FILL: "à saisir",
    FicheState.DRAFT: "en cours de saisie",
    FicheState.TRANSMITTED: "transmise",
    FicheState.REJECTED: "rejetée ou incomplète",
    FicheState.VALIDATED: "validée",
    FicheState.TO_UPDATE: "à mettre à jour",
}
#: Days an expired insurance still grants booking access (the library's choice:
#: a month to upload the new certificate; ``insurance_grace_days`` in a commune).
INSURANCE_GRACE_DAYS = 31

#: States in which the family may edit a fiche.
EDITABLE = frozenset(
    {FicheState.TO_FILL, FicheState.DRAFT, FicheState.REJECTED, FicheState.VALIDATED, FicheState.TO_UPDATE}
)


# --------------------------------------------------------------------------
# Fields of each fiche
# --------------------------------------------------------------------------


@attrs.frozen
class Field:
    """A field of a fiche: its French label, its type, whether it is required
    (the guide's asterisk) and its default."""

    name: str
    label: str
    type: type
    required: bool = False
    default: Any = None


def _f(name: str, label: str, kind: type = str, required: bool = False, default: Any = None) -> Field:
    return Field(name, label, kind, required, default)


class Emails(str):
    """Marker type: a semicolon-separated list of e-mail addresses."""

    __slots__ = ()


SCHEMA: Mapping[FicheKind, tuple[Field, ...]] = {
    FicheKind.RESPONSABLE: (
        _f("last_name", "Nom", required=True),
        _f("first_name", "Prénom", required=True),
        _f("address", "Adresse", required=True),
        _f("postcode", "Code postal", required=True),
        _f("city", "Commune", required=True),
        _f("phone", "Téléphone", required=True),
        _f("emails", "Adresses mail", Emails, required=True),
        _f("separated", "Parents séparés ou divorcés", bool, default=False),
    ),
    FicheKind.AUTRE_RESPONSABLE: (
        _f("last_name", "Nom", required=True),
        _f("first_name", "Prénom", required=True),
        _f("phone", "Téléphone", required=True),
        _f("address", "Adresse"),
        _f("emails", "Adresses mail", Emails),
    ),
    FicheKind.ASSURANCE: (
        _f("company", "Compagnie d'assurance", required=True),
        _f("new_company", "Nouvelle compagnie (absente de la liste)", bool, default=False),
        _f("company_address", "Adresse de la compagnie"),
        _f("company_phone", "Téléphone de la compagnie"),
        _f("contract_number", "Numéro de contrat", required=True),
        _f("expiry", "Date d'échéance", date, required=True),
    ),
    FicheKind.AUTORISATIONS: (
        # « la réponse OUI est cochée par défaut mais peut être modifiée » (p. 7)
        _f("image_rights", "Droit à l'image", bool, required=True, default=True),
        _f("publication", "Publication", bool, required=True, default=True),
        _f(
            "emergency_care",
            "Autorisation de soins médicaux en cas d'urgence",
            bool,
            required=True,
            default=True,
        ),
    ),
    FicheKind.CONTACTS: (),
    FicheKind.SANTE: (
        _f("vaccinations_up_to_date", "Vaccinations obligatoires à jour", bool, required=True),
        _f("vaccination_contraindicated", "Contre-indication médicale à la vaccination", bool, default=False),
        _f("vaccinations_changed", "Vaccinations modifiées depuis l'inscription", bool, default=False),
        _f("admitted_on", "Date d'admission en collectivité", date),
        _f("pathologies", "Pathologies", default=""),
        _f("allergies", "Allergies", default=""),
        _f("pai", "Protocole d'accueil individualisé (PAI)", bool, default=False),
        _f("diet", "Exigences alimentaires", default=""),
        _f("doctor_name", "Médecin traitant", required=True),
        _f("doctor_phone", "Téléphone du médecin"),
        _f("recommendations", "Recommandations", default=""),
    ),
    FicheKind.REGLEMENT: (
        _f(
            "acknowledged",
            "J'ai pris connaissance du règlement intérieur et j'ai informé mon enfant de ce règlement",
            bool,
            required=True,
            default=False,
        ),
    ),
}


def required_documents(kind: FicheKind, data: Mapping[str, Any]) -> tuple[Document, ...]:
    """The documents a fiche needs before it can be transmitted, as the guide
    lists them (p. 4-8, p. 15). The tax notice is optional (only for the QF)."""
    if kind == FicheKind.RESPONSABLE:
        docs = [Document.PROOF_OF_ADDRESS]
        if data.get("separated"):
            docs.append(Document.DIVORCE_JUDGMENT)
        return tuple(docs)
    if kind == FicheKind.ASSURANCE:
        return (Document.INSURANCE_CERTIFICATE,)
    if kind == FicheKind.SANTE:
        docs = []
        if data.get("vaccinations_changed"):
            docs.append(Document.VACCINATION_PAGES)
        if data.get("vaccination_contraindicated"):
            docs.append(Document.CONTRAINDICATION_CERTIFICATE)
        if data.get("pai"):
            docs += [Document.PAI_PRESCRIPTION, Document.PAI_PHOTO]
        return tuple(docs)
    return ()


#: Documents a fiche may carry (required or optional).
ALLOWED_DOCUMENTS: Mapping[FicheKind, frozenset[Document]] = {
    # « Page supplémentaire du livret de famille en cas de naissance » (p. 15): the guide
    # names no fiche; the library's choice is the RESPONSABLE fiche, with the family's papers.
    FicheKind.RESPONSABLE: frozenset(
        {
            Document.PROOF_OF_ADDRESS,
            Document.DIVORCE_JUDGMENT,
            Document.TAX_NOTICE,
            Document.FAMILY_RECORD_PAGE,
        }
    ),
    FicheKind.AUTRE_RESPONSABLE: frozenset({Document.TAX_NOTICE}),
    FicheKind.ASSURANCE: frozenset({Document.INSURANCE_CERTIFICATE}),
    FicheKind.AUTORISATIONS: frozenset(),
    FicheKind.CONTACTS: frozenset(),
    FicheKind.SANTE: frozenset(
        {
            Document.VACCINATION_PAGES,
            Document.CONTRAINDICATION_CERTIFICATE,
            Document.PAI_PRESCRIPTION,
            Document.PAI_PHOTO,
        }
    ),
    FicheKind.REGLEMENT: frozenset(),
}


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


@attrs.frozen
class Signature:
    """A signature: the signer's name, and where and when (the règlement
    intérieur asks for « votre nom, le lieu, la date et l'heure », p. 2)."""

    name: str = attrs.field(validator=lambda _, a, v: _text_argument(a.name, v, empty=True))
    place: str | None = attrs.field(
        default=None, validator=lambda _, a, v: v is None or _text_argument(a.name, v, empty=True)
    )
    at: datetime | None = attrs.field(
        default=None, validator=lambda _, a, v: v is None or _instant(v, a.name)
    )


def _text_argument(name: str, value: object, *, empty: bool = False) -> str:
    """A string (non-blank unless ``empty``), valid Unicode, or an
    :class:`InvalidArgument` that never echoes the value (it may be health data)."""
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise InvalidArgument(f"{name} : une chaîne {'' if empty else 'non vide '}est attendue.")
    if any(unicodedata.category(c) == "Cs" for c in value):
        raise InvalidArgument(f"{name} : caractère invalide (Unicode).")
    return value


def _instant(value: object, name: str = "now") -> bool:
    if not isinstance(value, datetime):
        raise InvalidArgument(f"{name} : une date et heure (datetime) est attendue, reçu {value!r}.")
    return True


@attrs.frozen
class Contact:
    """A person other than the responsables who may pick a child up or be
    called in an emergency (p. 7). Belongs to the family; names are fixed."""

    id: str
    last_name: str
    first_name: str
    phone: str
    address: str = ""
    email: str = ""


@attrs.frozen
class ContactLink:
    """A contact linked to a child: relationship, « autorisé ou pas à récupérer
    l'enfant », « peut être appelé en cas d'urgence »."""

    contact: Contact
    relationship: str
    may_pick_up: bool
    emergency_call: bool


def _frozen_map(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(repr=False)
class FicheVersion:
    """The content of a fiche at one moment (data, attachments, signature)."""

    data: Mapping[str, Any] = attrs.field(converter=_frozen_map)
    attachments: Mapping[Document, tuple[AnyFile, ...]] = attrs.field(converter=_frozen_map)
    signature: Signature | None = None

    def __repr__(self) -> str:  # health data never appears in a repr
        return f"FicheVersion(fields={len(self.data)}, documents={len(self.attachments)})"

    def __reduce__(self) -> tuple[Any, ...]:  # read-only mappings do not pickle: their contents do
        return (FicheVersion, (dict(self.data), dict(self.attachments), self.signature))


FicheId = tuple[FicheKind, str | None]


@attrs.frozen(repr=False)
class Fiche:
    """A read-only snapshot of one fiche.

    ``validated`` is the last validated version (never lost); ``in_force`` says
    whether it grants booking access while the fiche is being updated.
    """

    kind: FicheKind
    child: str | None
    state: FicheState
    current: FicheVersion
    validated: FicheVersion | None
    in_force: bool
    reason: str | None
    #: Bumped by every change of the fiche: a form sent back with the version
    #: it was read at is refused once the fiche changed (optimistic concurrency).
    version: int = 0

    @property
    def id(self) -> FicheId:
        return (self.kind, self.child)

    @property
    def data(self) -> Mapping[str, Any]:
        return self.current.data

    @property
    def attachments(self) -> Mapping[Document, tuple[AnyFile, ...]]:
        return self.current.attachments

    def __repr__(self) -> str:  # health data never appears in a repr
        child = f", child={self.child!r}" if self.child else ""
        return f"Fiche({self.kind.value}{child}, state={self.state.value})"


@attrs.frozen
class FicheEvent:
    """Something that happened to a fiche, for the host's e-mail (« Vous
    recevrez un mail vous informant de l'action de votre gestionnaire », p. 5)."""

    event: str  # transmitted, validated, rejected, to_update
    kind: FicheKind
    child: str | None
    at: datetime | date
    agent: str | None = None
    reason: str | None = attrs.field(default=None, repr=False)  # may be health data (a fiche santé)

    def message(self, child_name: str | None = None) -> str:
        """The e-mail's sentence in French."""
        who = f" ({child_name or self.child})" if self.child else ""
        name = f"« {self.kind.label} »{who}"
        if self.event == "validated":
            return f"Votre fiche {name} a été validée par le service Éducation."
        if self.event == "rejected":
            return f"Votre fiche {name} a été rejetée par le service Éducation : {self.reason}"
        if self.event == "to_update":
            return f"Votre fiche {name} est à mettre à jour : {self.reason}"
        return f"Votre fiche {name} a été transmise au service Éducation."


class VaccinationStatus(enum.StrEnum):
    UP_TO_DATE = "up_to_date"
    CONTRAINDICATED = "contraindicated"
    PROVISIONAL = "provisional"  # three months to catch up (CSP art. R3111-8)
    NOT_ADMITTED = "not_admitted"


def vaccination_status(
    up_to_date: bool, contraindicated: bool, admitted_on: date | None, on: date
) -> VaccinationStatus:
    """Whether a child may be admitted on ``on``, as far as vaccinations go.

    « Pour être accueilli en collectivité … un enfant doit être à jour des
    vaccinations obligatoires. L'article R3111-8 du code de santé publique
    prévoit une possibilité d'accueil provisoire de trois mois » (p. 8): from
    the day of admission, three months; after that the child is not admitted.

    >>> vaccination_status(False, False, date(2024, 9, 2), date(2024, 12, 1))
    <VaccinationStatus.PROVISIONAL: 'provisional'>
    >>> vaccination_status(False, False, date(2024, 9, 2), date(2024, 12, 2))
    <VaccinationStatus.NOT_ADMITTED: 'not_admitted'>
    """
    if up_to_date:
        return VaccinationStatus.UP_TO_DATE
    if contraindicated:
        return VaccinationStatus.CONTRAINDICATED
    if admitted_on is not None and admitted_on <= on < admitted_on + relativedelta(months=3):
        return VaccinationStatus.PROVISIONAL
    return VaccinationStatus.NOT_ADMITTED


# --------------------------------------------------------------------------
# The dossier
# --------------------------------------------------------------------------


class _Fiche:
    """A fiche inside its dossier (changed only by the dossier's operations)."""

    __slots__ = ("child", "current", "in_force", "kind", "reason", "state", "validated", "version")

    def __init__(self, kind: FicheKind, child: str | None, data: Mapping[str, Any] | None = None) -> None:
        self.kind = kind
        self.child = child
        self.state = FicheState.TO_FILL
        defaults = {f.name: f.default for f in SCHEMA[kind]}
        if kind == FicheKind.CONTACTS:
            defaults["contacts"] = ()
        self.current = FicheVersion({**defaults, **(data or {})}, {})
        self.validated: FicheVersion | None = None
        self.in_force = False
        self.reason: str | None = None
        self.version = 0

    def snapshot(self) -> Fiche:
        return Fiche(
            self.kind,
            self.child,
            self.state,
            self.current,
            self.validated,
            self.in_force,
            self.reason,
            self.version,
        )

    @property
    def done(self) -> bool:
        """Transmitted or validated, or reopened while a validated version is in force."""
        return self.state in (FicheState.TRANSMITTED, FicheState.VALIDATED) or self.in_force


# --------------------------------------------------------------------------
# What a transmission needs: a table of named rules, each citing the guide
# --------------------------------------------------------------------------


@attrs.frozen
class _Submission:
    """A fiche sent by « valider et transmettre », with what comes with it."""

    fiche: _Fiche
    signature: Signature | None
    now: datetime
    school_year_start: date

    @property
    def data(self) -> Mapping[str, Any]:
        return self.fiche.current.data

    @property
    def attachments(self) -> Mapping[Document, tuple[AnyFile, ...]]:
        return self.fiche.current.attachments

    @property
    def signer(self) -> str:
        return "" if self.signature is None else self.signature.name.strip()


@attrs.frozen
class _TransmissionRule:
    """One reason a transmission is refused: its error code, the guide's page
    it comes from, the fiches it applies to (all when empty) and its check,
    which gives one message per problem found (none when the fiche is fine)."""

    code: str
    page: str
    kinds: frozenset[FicheKind]
    check: Callable[[_Submission], Iterable[str]]

    def problems(self, submission: _Submission) -> list[tuple[str, str]]:
        if self.kinds and submission.fiche.kind not in self.kinds:
            return []
        return [(self.code, message) for message in self.check(submission)]


#: The rules, in the order their messages appear.
_TRANSMISSION_RULES: list[_TransmissionRule] = []


def _rule(
    code: str, page: str, *kinds: FicheKind
) -> Callable[[Callable[[_Submission], Iterable[str]]], Callable[[_Submission], Iterable[str]]]:
    def register(check: Callable[[_Submission], Iterable[str]]) -> Callable[[_Submission], Iterable[str]]:
        _TRANSMISSION_RULES.append(_TransmissionRule(code, page, frozenset(kinds), check))
        return check

    return register


@_rule("missing_fields", "p. 5")
def _required_fields(s: _Submission) -> Iterable[str]:
    """« Tous les éléments avec un astérisque (*) sont à renseigner » (our
    asterisks: :data:`SCHEMA`). A new insurer's address and phone stay optional:
    « le maximum d'informations dont vous disposez » (p. 7) is best effort."""
    missing = [f.label for f in SCHEMA[s.fiche.kind] if f.required and s.data.get(f.name) in (None, "")]
    if missing:
        yield f"champs obligatoires manquants : {', '.join(missing)}"


@_rule("not_acknowledged", "p. 9", FicheKind.REGLEMENT)
def _rules_acknowledged(s: _Submission) -> Iterable[str]:
    """« J'ai pris connaissance du règlement intérieur » is ticked."""
    if s.data.get("acknowledged") is not True:
        yield "cochez « J'ai pris connaissance du règlement intérieur »"


@_rule("missing_attachment", "p. 4-8, p. 15")
def _required_attachments(s: _Submission) -> Iterable[str]:
    """Every document the fiche needs (:func:`required_documents`) is attached."""
    absent = [d.label for d in required_documents(s.fiche.kind, s.data) if not s.attachments.get(d)]
    if absent:
        yield f"pièces manquantes : {', '.join(absent)}"


@_rule("insurance_expired", "p. 7", FicheKind.ASSURANCE)
def _insurance_covers_the_year(s: _Submission) -> Iterable[str]:
    """« Attestation d'assurance pour l'année scolaire »: it does not expire
    before the school year starts (the library's choice of date)."""
    expiry = s.data.get("expiry")
    if isinstance(expiry, date) and expiry < s.school_year_start:
        yield f"l'assurance expire avant la rentrée ({s.school_year_start:%d/%m/%Y})"


@_rule("proof_of_address_too_old", "p. 6")
def _recent_proof_of_address(s: _Submission) -> Iterable[str]:
    """« Justificatif de domicile de moins de deux mois »: a new proof whose
    date is known, one message per proof too old; a proof validated before is
    not checked again."""
    proofs = s.attachments.get(Document.PROOF_OF_ADDRESS, ())
    validated = s.fiche.validated
    if validated is not None and validated.attachments.get(Document.PROOF_OF_ADDRESS) == proofs:
        return
    oldest = s.now.date() - relativedelta(months=2)
    for upload in proofs:
        if upload.issued_on is not None and upload.issued_on < oldest:
            yield "le justificatif de domicile a plus de deux mois"


@_rule("missing_certification", "p. 6", FicheKind.RESPONSABLE, FicheKind.AUTRE_RESPONSABLE)
def _certified(s: _Submission) -> Iterable[str]:
    """« Je certifie sur l'honneur … » with the signer's name; the other
    responsable too: « Procéder de la même manière » (p. 6)."""
    if not s.signer:
        yield (
            "cochez « certifie sur l'honneur que les informations ci-dessus sont exactes et "
            "vérifiées » et indiquez vos nom et prénom"
        )


@_rule("missing_signature", "p. 9; règlement intérieur p. 2", FicheKind.REGLEMENT)
def _signed(s: _Submission) -> Iterable[str]:
    """The règlement is signed with « votre nom, le lieu, la date et l'heure »."""
    if not s.signer or s.signature is None or not s.signature.place or s.signature.at is None:
        yield "signez en indiquant votre nom, le lieu, la date et l'heure"


class Dossier:
    """A family's dossier for one school year: its fiches and contacts.

    Every operation checks everything before changing anything: a refused
    operation (:class:`~periscolaire.DossierError`) leaves the dossier as it
    was.
    """

    def __init__(
        self,
        family: Family,
        school_year: int,
        *,
        other_responsable: bool = False,
        deadline: date | None = None,
        school_year_start: date | None = None,
        opens: date | None = None,
        insurance_grace_days: int = INSURANCE_GRACE_DAYS,
    ) -> None:
        if not isinstance(family, Family):
            raise InvalidArgument(f"family : une ps.Family est attendue, reçu {family!r}.")
        check_school_year(school_year)
        require_bool(other_responsable, "other_responsable")
        whole_number(insurance_grace_days, "insurance_grace_days", 0, 366)
        for name, day in (("deadline", deadline), ("school_year_start", school_year_start), ("opens", opens)):
            if day is not None and type(day) is not date:
                raise InvalidArgument(f"{name} : une date est attendue, reçu {day!r}.")
        self.family = family
        self.school_year = school_year
        self.other_responsable = other_responsable
        self.deadline = deadline
        self.school_year_start = school_year_start or date(school_year, 9, 1)
        #: The campaign's first day: « entre le 19 juin et le 16 août » (p. 15).
        self.opens = opens
        #: Days an expired insurance still grants booking access (see :meth:`booking_access`).
        self.insurance_grace_days = insurance_grace_days
        #: The school year this dossier was renewed into (its contacts continue there).
        self.renewed_into: int | None = None
        kinds: list[FicheId] = [(FicheKind.RESPONSABLE, None)]
        if other_responsable:
            kinds.append((FicheKind.AUTRE_RESPONSABLE, None))
        kinds += [(kind, child.id) for child in family.children for kind in CHILD_FICHES]
        self._fiches: dict[FicheId, _Fiche] = {key: _Fiche(*key) for key in kinds}
        self._contacts: dict[str, Contact] = {}
        self._next_contact = 1  # contact ids are never reused, from year to year
        self._events: list[FicheEvent] = []

    @classmethod
    def open(
        cls,
        family: Family,
        school_year: int,
        *,
        other_responsable: bool = False,
        deadline: date | None = None,
        school_year_start: date | None = None,
        opens: date | None = None,
        insurance_grace_days: int | None = None,
    ) -> Dossier:
        """The dossier of a school year (``2024`` is 2024/2025): RESPONSABLE,
        AUTRE_RESPONSABLE when there is one, and for each child ASSURANCE,
        AUTORISATIONS, CONTACTS, SANTE, REGLEMENT, all « à saisir ». The
        campaign's dates are the commune's (``commune.dossier_opens``,
        ``commune.dossier_deadline``)."""
        return cls(
            family,
            school_year,
            other_responsable=other_responsable,
            deadline=deadline,
            school_year_start=school_year_start,
            opens=opens,
            insurance_grace_days=INSURANCE_GRACE_DAYS
            if insurance_grace_days is None
            else insurance_grace_days,
        )

    # -- reading ----------------------------------------------------------------------

    def _get(self, kind: FicheKind | str, child: str | None) -> _Fiche:
        try:
            kind = FicheKind(kind)
        except ValueError:
            choices = ", ".join(k.value for k in FicheKind)
            raise DossierError(f"Fiche inconnue : {kind!r} ({choices}).", code="unknown_fiche") from None
        if kind.per_child:
            if child is None or child not in {c.id for c in self.family.children}:
                raise UnknownChild(str(child))
        elif child is not None:
            raise DossierError(f"La {kind.label} n'est pas une fiche d'enfant.", code="not_a_child_fiche")
        fiche = self._fiches.get((kind, child))
        if fiche is None:
            raise DossierError(f"Le dossier n'a pas de {kind.label}.", code="unknown_fiche")
        return fiche

    def fiche(self, kind: FicheKind | str, child: str | None = None) -> Fiche:
        return self._get(kind, child).snapshot()

    def fiches(self) -> tuple[Fiche, ...]:
        return tuple(f.snapshot() for f in self._fiches.values())

    def counts(self) -> Mapping[FicheState, int]:
        """How many fiches are in each state (the table under the pictogram)."""
        counts = dict.fromkeys(FicheState, 0)
        for fiche in self._fiches.values():
            counts[fiche.state] += 1
        return MappingProxyType(counts)

    @property
    def grants_booking_access(self) -> bool:
        """Every fiche transmitted or validated (or reopened while validated) —
        without the insurances' grace period: :meth:`booking_access` is the
        rule a booking screen applies."""
        return all(f.done for f in self._fiches.values())

    def booking_access(self, today: date) -> bool:
        """Whether the family may book on ``today``: every fiche transmitted or
        validated, an insurance that expired less than
        ``insurance_grace_days`` ago still counting — an insurance ending on
        31 December (the usual date) does not lock the family out on
        1 January while it uploads the new certificate."""
        if type(today) is not date:
            raise InvalidArgument(f"today : une date est attendue, reçu {today!r}.")
        return all(f.done or self._in_grace(f, today) for f in self._fiches.values())

    def _in_grace(self, fiche: _Fiche, today: date) -> bool:
        if fiche.kind != FicheKind.ASSURANCE or fiche.validated is None:
            return False
        expiry = fiche.validated.data.get("expiry")
        return isinstance(expiry, date) and today <= expiry + timedelta(days=self.insurance_grace_days)

    def is_late(self, today: date) -> bool:
        """Fiches remain untransmitted after the deadline (« avant le vendredi 16
        août 2024 », p. 4: the deadline day itself is not late)."""
        return self.deadline is not None and today > self.deadline and not self.grants_booking_access

    @property
    def events(self) -> tuple[FicheEvent, ...]:
        return tuple(self._events)

    def _label(self, fiche: _Fiche) -> str:
        if fiche.child is None:
            return fiche.kind.label
        return f"{fiche.kind.label} ({self.family.child(fiche.child).first_name})"

    # -- the family ---------------------------------------------------------------------

    def _editable(self, fiche: _Fiche) -> None:
        if fiche.state not in EDITABLE:
            raise DossierError(
                f"{self._label(fiche)} : une fiche transmise n'est plus modifiable.", code="fiche_transmitted"
            )

    def _values(self, fiche: _Fiche, values: Mapping[str, Any]) -> dict[str, Any]:
        fields = {f.name: f for f in SCHEMA[fiche.kind]}
        clean: dict[str, Any] = {}
        for name, value in values.items():
            field = fields.get(name)
            if field is None:
                raise DossierError(f"{self._label(fiche)} : champ inconnu « {name} ».", code="unknown_field")
            if value is None:
                clean[name] = None
                continue
            if field.type is Emails:
                if not isinstance(value, str):
                    raise DossierError(
                        f"{self._label(fiche)} : « {field.label} » invalide.", code="bad_value"
                    )
                clean[name] = "; ".join(parse_emails(value))
                continue
            expected = field.type
            ok = (
                type(value) is date
                if expected is date
                else isinstance(value, bool)
                if expected is bool
                else isinstance(value, expected)
            )
            if not ok:
                # The value itself is never echoed: it may be health data.
                raise DossierError(
                    f"{self._label(fiche)} : « {field.label} » invalide ({expected.__name__} attendu).",
                    code="bad_value",
                )
            if isinstance(value, str) and any(unicodedata.category(c) == "Cs" for c in value):
                raise DossierError(
                    f"{self._label(fiche)} : « {field.label} » invalide (caractère).", code="bad_value"
                )
            clean[name] = value.strip() if isinstance(value, str) else value
        return clean

    def edit(self, kind: FicheKind | str, child: str | None = None, **values: Any) -> Fiche:
        """Change some fields and save the fiche as a draft (« enregistrer en
        brouillon »). Editing a validated fiche reopens it: the validated version
        stays in force until the new one is validated."""
        fiche = self._get(kind, child)
        self._editable(fiche)
        clean = self._values(fiche, values)
        self._set(fiche, attrs.evolve(fiche.current, data={**fiche.current.data, **clean}))
        return fiche.snapshot()

    def _set(self, fiche: _Fiche, version: FicheVersion) -> None:
        fiche.current = version
        fiche.state = FicheState.DRAFT
        fiche.version += 1

    def attach(
        self, kind: FicheKind | str, child: str | None, document: Document | str, files: Sequence[Upload]
    ) -> Fiche:
        """Upload a document's files (replacing the earlier ones): at most 4
        files of at most 2000 KB each (p. 5). An empty list removes it."""
        fiche = self._get(kind, child)
        try:
            document = Document(document)
        except ValueError:
            raise DossierError(f"Pièce inconnue : {document!r}.", code="unknown_document") from None
        if not isinstance(files, list | tuple) or not all(isinstance(f, Upload) for f in files):
            raise InvalidArgument("files : une liste de ps.Upload est attendue.")
        if document not in ALLOWED_DOCUMENTS[fiche.kind]:
            raise DossierError(
                f"{self._label(fiche)} : pièce non attendue ({document.label}).", code="unexpected_document"
            )
        self._editable(fiche)
        check_attachments(files)
        attachments = {k: v for k, v in fiche.current.attachments.items() if k != document}
        if files:
            attachments[document] = tuple(files)
        self._set(fiche, attrs.evolve(fiche.current, attachments=attachments))
        return fiche.snapshot()

    def _problems(self, fiche: _Fiche, signature: Signature | None, now: datetime) -> list[tuple[str, str]]:
        """Every ``(code, message)`` of :data:`_TRANSMISSION_RULES` that refuses the fiche."""
        submission = _Submission(fiche, signature, now, self.school_year_start)
        return [problem for rule in _TRANSMISSION_RULES for problem in rule.problems(submission)]

    def transmit(
        self,
        kind: FicheKind | str,
        child: str | None = None,
        *,
        now: datetime,
        signature: Signature | None = None,
    ) -> FicheEvent:
        """« Valider et transmettre la fiche »: refused while a required field,
        a required document, the certification (RESPONSABLE) or the signature
        (REGLEMENT) is missing. A transmitted fiche can no longer be changed."""
        _instant(now)
        if signature is not None and not isinstance(signature, Signature):
            raise InvalidArgument(
                f"signature : une ps.Signature est attendue, reçu {type(signature).__name__}."
            )
        fiche = self._get(kind, child)
        if self.opens is not None and now.date() < self.opens:
            raise DossierError(
                f"{self._label(fiche)} : la campagne du dossier {self.school_year}/{self.school_year + 1} "
                f"ouvre le {self.opens:%d/%m/%Y} (« entre le 19 juin et le 16 août », p. 15).",
                code="campaign_not_open",
            )
        if fiche.state == FicheState.TRANSMITTED:
            raise DossierError(f"{self._label(fiche)} : déjà transmise.", code="already_transmitted")
        if fiche.state == FicheState.VALIDATED:
            raise DossierError(f"{self._label(fiche)} : déjà validée.", code="already_validated")
        problems = self._problems(fiche, signature, now)
        if problems:
            codes = [code for code, _ in problems]
            raise DossierError(
                f"{self._label(fiche)} : {' ; '.join(text for _, text in problems)}.",
                code=codes[0] if len(codes) == 1 else "incomplete",
            )
        fiche.current = attrs.evolve(fiche.current, signature=signature)
        fiche.state = FicheState.TRANSMITTED
        fiche.reason = None
        return self._event("transmitted", fiche, now)

    def _event(self, name: str, fiche: _Fiche, at: datetime | date, **extra: Any) -> FicheEvent:
        fiche.version += 1
        event = FicheEvent(name, fiche.kind, fiche.child, at, **extra)
        self._events.append(event)
        return event

    # -- the agent ------------------------------------------------------------------------

    def _transmitted(self, fiche: _Fiche) -> None:
        if fiche.state != FicheState.TRANSMITTED:
            raise DossierError(
                f"{self._label(fiche)} : seule une fiche transmise peut être validée ou rejetée "
                f"(état : {fiche.state.label}).",
                code="not_transmitted",
            )

    def validate(
        self, kind: FicheKind | str, child: str | None = None, *, now: datetime, agent: str
    ) -> FicheEvent:
        """The service validates a transmitted fiche; it becomes the version in force."""
        _instant(now)
        _text_argument("agent", agent)
        fiche = self._get(kind, child)
        self._transmitted(fiche)
        fiche.validated = fiche.current
        fiche.in_force = True
        fiche.state = FicheState.VALIDATED
        return self._event("validated", fiche, now, agent=agent)

    def reject(
        self, kind: FicheKind | str, child: str | None = None, *, reason: str, now: datetime, agent: str
    ) -> FicheEvent:
        """The service rejects a transmitted fiche with a reason; it goes back to
        the family (« rejetée ou incomplète »). A version validated earlier stays
        in force."""
        _instant(now)
        _text_argument("agent", agent)
        if not isinstance(reason, str):
            raise InvalidArgument("reason : le motif du rejet (une chaîne) est attendu.")
        fiche = self._get(kind, child)
        self._transmitted(fiche)
        if not reason.strip():
            raise DossierError("Un rejet a un motif.", code="missing_reason")
        fiche.state = FicheState.REJECTED
        fiche.reason = reason.strip()
        return self._event("rejected", fiche, now, agent=agent, reason=fiche.reason)

    def check_expiries(self, today: date) -> tuple[FicheEvent, ...]:
        """An insurance whose expiry date has passed turns its fiche « à mettre à
        jour »; its validated version is kept but no longer in force."""
        if type(today) is not date:
            raise InvalidArgument(f"today : une date est attendue, reçu {today!r}.")
        events = []
        for fiche in self._fiches.values():
            # The version in force: the validated one, even while the family edits a new one.
            if fiche.kind != FicheKind.ASSURANCE or not fiche.in_force or fiche.validated is None:
                continue
            expiry = fiche.validated.data.get("expiry")
            if isinstance(expiry, date) and expiry < today:
                if fiche.state == FicheState.VALIDATED:
                    fiche.state = FicheState.TO_UPDATE
                fiche.in_force = False
                events.append(
                    self._event("to_update", fiche, today, reason=f"assurance échue le {expiry:%d/%m/%Y}")
                )
        return tuple(events)

    def new_year(
        self,
        school_year: int | None = None,
        *,
        family: Family | None = None,
        deadline: date | None = None,
        opens: date | None = None,
    ) -> Dossier:
        """The next school year's dossier: every fiche validated this year is
        « à mettre à jour », prefilled with this year's data; documents renewed
        every year are dropped. A new child gets new fiches."""
        year = school_year if school_year is not None else self.school_year + 1
        following = Dossier(
            family or self.family,
            year,
            other_responsable=self.other_responsable,
            deadline=deadline,
            opens=opens,
            insurance_grace_days=self.insurance_grace_days,
        )
        following._contacts = dict(self._contacts)
        following._next_contact = self._next_contact
        self.renewed_into = year  # new contacts go to the new year: an id is never given twice
        for key, new in following._fiches.items():
            old = self._fiches.get(key)
            if old is None:
                continue
            kept = {d: files for d, files in old.current.attachments.items() if not d.every_year}
            new.current = FicheVersion(old.current.data, kept)
            if old.validated is not None:
                new.state = FicheState.TO_UPDATE
        return following

    # -- contacts ---------------------------------------------------------------------------

    def add_contact(
        self, last_name: str, first_name: str, phone: str, *, address: str = "", email: str = ""
    ) -> Contact:
        """Create a family contact (« Créer un nouveau contact »)."""
        for name, value in (("last_name", last_name), ("first_name", first_name), ("phone", phone)):
            _text_argument(name, value, empty=True)
        for name, value in (("address", address), ("email", email)):
            _text_argument(name, value, empty=True)
        if not last_name.strip() or not first_name.strip() or not phone.strip():
            raise DossierError("Un contact a un nom, un prénom et un téléphone.", code="missing_fields")
        if self.renewed_into is not None:
            raise DossierError(
                f"Ce dossier a été renouvelé pour {self.renewed_into}/{self.renewed_into + 1} : "
                "ajoutez le contact au nouveau dossier.",
                code="dossier_renewed",
            )
        if email:
            parse_emails(email)
        contact = Contact(
            f"C{self._next_contact}",
            last_name.strip(),
            first_name.strip(),
            phone.strip(),
            address,
            email,
        )
        self._contacts[contact.id] = contact
        self._next_contact += 1
        return contact

    @property
    def contacts(self) -> tuple[Contact, ...]:
        return tuple(self._contacts.values())

    def _contact(self, contact_id: str) -> Contact:
        try:
            return self._contacts[contact_id]
        except (KeyError, TypeError):
            raise DossierError(f"Contact inconnu : {contact_id!r}.", code="unknown_contact") from None

    def _links(self, fiche: _Fiche) -> tuple[ContactLink, ...]:
        links: tuple[ContactLink, ...] = fiche.current.data["contacts"]
        return links

    def _linked(self, contact_id: str) -> list[_Fiche]:
        return [
            f
            for f in self._fiches.values()
            if f.kind == FicheKind.CONTACTS and any(link.contact.id == contact_id for link in self._links(f))
        ]

    def link_contact(
        self,
        child: str,
        contact_id: str,
        *,
        relationship: str,
        may_pick_up: bool,
        emergency_call: bool,
    ) -> Fiche:
        """Add a contact to a child's CONTACTS fiche, or change its link."""
        require_bool(may_pick_up, "may_pick_up")
        require_bool(emergency_call, "emergency_call")
        fiche = self._get(FicheKind.CONTACTS, child)
        contact = self._contact(contact_id)
        self._editable(fiche)
        if not isinstance(relationship, str) or not relationship.strip():
            raise DossierError("Précisez le lien de parenté du contact.", code="missing_fields")
        link = ContactLink(contact, relationship.strip(), may_pick_up, emergency_call)
        links = (*(x for x in self._links(fiche) if x.contact.id != contact_id), link)
        self._set(fiche, attrs.evolve(fiche.current, data={**fiche.current.data, "contacts": links}))
        return fiche.snapshot()

    def unlink_contact(self, child: str, contact_id: str) -> Fiche:
        """Remove a contact from a child (then « enregistrer la fiche en brouillon »)."""
        fiche = self._get(FicheKind.CONTACTS, child)
        self._contact(contact_id)
        self._editable(fiche)
        links = tuple(x for x in self._links(fiche) if x.contact.id != contact_id)
        self._set(fiche, attrs.evolve(fiche.current, data={**fiche.current.data, "contacts": links}))
        return fiche.snapshot()

    def update_contact(self, contact_id: str, **changes: str) -> Contact:
        """Change a contact's phone, address or e-mail. « le nom et le prénom ne
        sont pas modifiables » (p. 7): delete and recreate instead. The CONTACTS
        fiches it appears on are reopened; refused while one is transmitted."""
        contact = self._contact(contact_id)
        if {"last_name", "first_name"} & changes.keys():
            raise DossierError(
                "Le nom et le prénom d'un contact ne sont pas modifiables : supprimez-le et recréez-le.",
                code="contact_name_locked",
            )
        unknown = set(changes) - {"phone", "address", "email"}
        if unknown:
            raise DossierError(f"Champ de contact inconnu : {sorted(unknown)[0]!r}.", code="unknown_field")
        for name, value in changes.items():
            _text_argument(name, value, empty=True)
        if "phone" in changes and not changes["phone"].strip():
            raise DossierError("Un contact a un téléphone.", code="missing_fields")
        if changes.get("email"):
            parse_emails(changes["email"])
        linked = self._linked(contact_id)
        for fiche in linked:
            self._editable(fiche)
        updated = attrs.evolve(contact, **changes)
        self._contacts[contact_id] = updated
        for fiche in linked:
            links = tuple(
                attrs.evolve(x, contact=updated) if x.contact.id == contact_id else x
                for x in self._links(fiche)
            )
            self._set(fiche, attrs.evolve(fiche.current, data={**fiche.current.data, "contacts": links}))
        return updated

    def delete_contact(self, contact_id: str) -> None:
        """Delete a contact for good, once it is linked to no child (p. 7)."""
        self._contact(contact_id)
        linked = self._linked(contact_id)
        if linked:
            names = ", ".join(self.family.child(f.child).first_name for f in linked if f.child)
            raise DossierError(
                f"Retirez d'abord ce contact de chaque enfant ({names}).", code="contact_linked"
            )
        del self._contacts[contact_id]

    # -- health ----------------------------------------------------------------------------

    def vaccination_status(self, child: str, on: date) -> VaccinationStatus:
        """The child's vaccination status on a day, from its health fiche (the
        validated version when there is one)."""
        fiche = self._get(FicheKind.SANTE, child)
        data = (fiche.validated or fiche.current).data
        return vaccination_status(
            bool(data.get("vaccinations_up_to_date")),
            bool(data.get("vaccination_contraindicated"))
            and bool(
                (fiche.validated or fiche.current).attachments.get(Document.CONTRAINDICATION_CERTIFICATE)
            ),
            data.get("admitted_on"),
            on,
        )

    def __repr__(self) -> str:
        counts = ", ".join(f"{s.value}={n}" for s, n in self.counts().items() if n)
        return f"Dossier(family={self.family.id!r}, school_year={self.school_year}, {counts})"

    # -- as data ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The dossier as JSON-safe data (ISO dates, enums as their values;
        files as their metadata, :class:`~periscolaire.StoredFile`): what a
        store keeps. Holds health data: keep it out of logs."""
        return {
            "family": self.family.to_dict(),
            "school_year": self.school_year,
            "other_responsable": self.other_responsable,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "school_year_start": self.school_year_start.isoformat(),
            "opens": None if self.opens is None else self.opens.isoformat(),
            "insurance_grace_days": self.insurance_grace_days,
            "next_contact": self._next_contact,
            "renewed_into": self.renewed_into,
            "contacts": [attrs.asdict(c) for c in self._contacts.values()],
            "fiches": [_fiche_to_dict(f) for f in self._fiches.values()],
            "events": [_event_to_dict(e) for e in self._events],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Dossier:
        """Read back :meth:`to_dict`. A record that breaks a rule (an unknown
        fiche or field, a value of the wrong type, a validated fiche without
        its validated version, a contact id at or above ``next_contact``...)
        is an :class:`~periscolaire.InvalidData` naming its key — never
        echoing a value, which may be health data."""
        try:
            return cls._from_dict(data)
        except InvalidData as exc:
            # The readers say what they got: not here, where a value may be health data.
            message = str(exc).removeprefix(f"{exc.path} : ").split(", reçu ")[0]
            raise InvalidData(exc.path, message, code=exc.code) from None
        except (InvalidArgument, DossierError) as exc:
            raise InvalidData("", str(exc), code="invalid_data") from None

    @classmethod
    def _from_dict(cls, data: Any) -> Dossier:
        data = mapping(data)
        family = Family.from_dict(member(data, "family"))
        year = integer(member(data, "school_year"), "school_year")
        if not 1900 <= year <= 2999:
            raise InvalidData("school_year", f"une année scolaire est attendue, reçu {year}")
        deadline = data.get("deadline")
        dossier = cls(
            family,
            year,
            other_responsable=boolean(member(data, "other_responsable"), "other_responsable"),
            deadline=None if deadline is None else iso_date(deadline, "deadline"),
            school_year_start=iso_date(member(data, "school_year_start"), "school_year_start"),
            opens=None if data.get("opens") is None else iso_date(data["opens"], "opens"),
            insurance_grace_days=integer(
                data.get("insurance_grace_days", INSURANCE_GRACE_DAYS), "insurance_grace_days"
            ),
        )
        dossier._next_contact = integer(member(data, "next_contact"), "next_contact")
        if dossier._next_contact < 1:
            raise InvalidData("next_contact", "un entier positif est attendu")
        renewed = data.get("renewed_into")
        if renewed is not None and (integer(renewed, "renewed_into") <= year):
            raise InvalidData("renewed_into", "une année scolaire suivante est attendue")
        dossier.renewed_into = renewed
        for i, raw in enumerate(items(member(data, "contacts"), "contacts")):
            contact = _contact_from_dict(raw, f"contacts[{i}]")
            number = contact.id[1:]
            if not (
                contact.id.startswith("C") and number.isdigit() and 0 < int(number) < dossier._next_contact
            ):
                raise InvalidData(f"contacts[{i}].id", f"C1 à C{dossier._next_contact - 1} est attendu")
            if contact.id in dossier._contacts:
                raise InvalidData(f"contacts[{i}].id", "identifiant de contact en double")
            dossier._contacts[contact.id] = contact
        seen: set[FicheId] = set()
        for i, raw in enumerate(items(member(data, "fiches"), "fiches")):
            fiche = _fiche_from_dict(raw, f"fiches[{i}]")
            if fiche.snapshot().id not in dossier._fiches or fiche.snapshot().id in seen:
                raise InvalidData(f"fiches[{i}]", "fiche inattendue pour cette famille ou en double")
            seen.add((fiche.kind, fiche.child))
            if fiche.kind == FicheKind.CONTACTS:
                for link in dossier._links(fiche):
                    if link.contact.id not in dossier._contacts:
                        raise InvalidData(f"fiches[{i}].current", "lien vers un contact inconnu")
            dossier._fiches[(fiche.kind, fiche.child)] = fiche
        if seen != dossier._fiches.keys():
            raise InvalidData("fiches", "des fiches du dossier manquent")
        for i, raw in enumerate(items(member(data, "events"), "events")):
            event = _event_from_dict(raw, f"events[{i}]")
            if (event.kind, event.child) not in dossier._fiches:
                raise InvalidData(f"events[{i}]", "événement d'une fiche inconnue")
            dossier._events.append(event)
        return dossier


# --------------------------------------------------------------------------
# JSON-safe forms (never echoing a value: it may be health data)
# --------------------------------------------------------------------------

_FIELDS = {kind: {f.name: f for f in fields} for kind, fields in SCHEMA.items()}


def _link_to_dict(link: ContactLink) -> dict[str, Any]:
    return {
        "contact": attrs.asdict(link.contact),
        "relationship": link.relationship,
        "may_pick_up": link.may_pick_up,
        "emergency_call": link.emergency_call,
    }


def _version_to_dict(kind: FicheKind, version: FicheVersion) -> dict[str, Any]:
    if kind == FicheKind.CONTACTS:
        data: dict[str, Any] = {"contacts": [_link_to_dict(x) for x in version.data["contacts"]]}
    else:
        data = {k: v.isoformat() if isinstance(v, date) else v for k, v in version.data.items()}
    signature = version.signature
    return {
        "data": data,
        "attachments": {
            d.value: [f.stored().to_dict() for f in files] for d, files in version.attachments.items()
        },
        "signature": None
        if signature is None
        else {
            "name": signature.name,
            "place": signature.place,
            "at": None if signature.at is None else signature.at.isoformat(),
        },
    }


def _fiche_to_dict(fiche: _Fiche) -> dict[str, Any]:
    return {
        "kind": fiche.kind.value,
        "child": fiche.child,
        "state": fiche.state.value,
        "version": fiche.version,
        "in_force": fiche.in_force,
        "reason": fiche.reason,
        "current": _version_to_dict(fiche.kind, fiche.current),
        "validated": None if fiche.validated is None else _version_to_dict(fiche.kind, fiche.validated),
    }


def _event_to_dict(event: FicheEvent) -> dict[str, Any]:
    return {
        "event": event.event,
        "kind": event.kind.value,
        "child": event.child,
        "at": event.at.isoformat(),
        "agent": event.agent,
        "reason": event.reason,
    }


def _optional_text(data: Mapping[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidData(f"{path}.{key}", "une chaîne ou null est attendue")
    return value


def _enum(cls: type[Any], value: Any, path: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(m.value for m in cls)
        raise InvalidData(path, f"une valeur parmi {choices} est attendue") from None


def _contact_from_dict(raw: Any, path: str) -> Contact:
    data = mapping(raw, path)
    names = ("id", "last_name", "first_name", "phone")
    fields = {k: text(member(data, k, path), f"{path}.{k}") for k in names}
    extra = {k: _optional_text(data, k, path) or "" for k in ("address", "email")}
    if extra["email"]:
        _stored_emails(extra["email"], f"{path}.email")
    return Contact(**fields, **extra)


def _stored_emails(value: Any, path: str) -> str:
    """E-mail addresses read back: each checked as when it was typed."""
    if not isinstance(value, str):
        raise InvalidData(path, "des adresses mail (une chaîne) sont attendues", code="bad_value")
    try:
        parse_emails(value)
    except PeriscolaireError:
        raise InvalidData(path, "adresse mail invalide", code="bad_value") from None
    return value


def _field_value(field: Field, value: Any, path: str) -> Any:
    if value is None:
        return None
    if field.type is Emails:
        return _stored_emails(value, path)
    if field.type is date and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif (
        isinstance(value, bool) if field.type is bool else (field.type is not date and isinstance(value, str))
    ):
        return value
    # The value itself is never echoed: it may be health data.
    raise InvalidData(path, f"« {field.label} » invalide ({field.type.__name__} attendu)", code="bad_value")


def _version_from_dict(kind: FicheKind, raw: Any, path: str) -> FicheVersion:
    version = mapping(raw, path)
    values = mapping(member(version, "data", path), f"{path}.data")
    data: dict[str, Any] = {f.name: f.default for f in SCHEMA[kind]}
    if kind == FicheKind.CONTACTS:
        links = []
        for i, item in enumerate(items(member(values, "contacts", f"{path}.data"), f"{path}.data.contacts")):
            where = f"{path}.data.contacts[{i}]"
            link = mapping(item, where)
            links.append(
                ContactLink(
                    _contact_from_dict(member(link, "contact", where), f"{where}.contact"),
                    text(member(link, "relationship", where), f"{where}.relationship"),
                    boolean(member(link, "may_pick_up", where), f"{where}.may_pick_up"),
                    boolean(member(link, "emergency_call", where), f"{where}.emergency_call"),
                )
            )
        data = {"contacts": tuple(links)}
    else:
        for name, value in values.items():
            field = _FIELDS[kind].get(name)
            if field is None:
                raise InvalidData(f"{path}.data.{name}", "champ inconnu", code="unknown_field")
            data[name] = _field_value(field, value, f"{path}.data.{name}")
    attachments: dict[Document, tuple[AnyFile, ...]] = {}
    for doc, files in mapping(member(version, "attachments", path), f"{path}.attachments").items():
        where = f"{path}.attachments.{doc}"
        document = _enum(Document, doc, where)
        if document not in ALLOWED_DOCUMENTS[kind]:
            raise InvalidData(where, "pièce non attendue sur cette fiche")
        stored = tuple(StoredFile.from_dict(f, f"{where}[{i}]") for i, f in enumerate(items(files, where)))
        if not 0 < len(stored) <= 4:
            raise InvalidData(where, "de 1 à 4 fichiers par pièce")
        attachments[document] = stored
    signature = None
    raw_signature = version.get("signature")
    if raw_signature is not None:
        where = f"{path}.signature"
        sig = mapping(raw_signature, where)
        at = sig.get("at")
        signature = Signature(
            text(member(sig, "name", where), f"{where}.name"),
            _optional_text(sig, "place", where),
            None if at is None else iso_datetime(at, f"{where}.at"),
        )
    return FicheVersion(data, attachments, signature)


def _fiche_from_dict(raw: Any, path: str) -> _Fiche:
    data = mapping(raw, path)
    kind: FicheKind = _enum(FicheKind, member(data, "kind", path), f"{path}.kind")
    child = _optional_text(data, "child", path)
    fiche = _Fiche(kind, child)
    fiche.state = _enum(FicheState, member(data, "state", path), f"{path}.state")
    fiche.version = integer(member(data, "version", path), f"{path}.version")
    fiche.in_force = boolean(member(data, "in_force", path), f"{path}.in_force")
    fiche.reason = _optional_text(data, "reason", path)
    fiche.current = _version_from_dict(kind, member(data, "current", path), f"{path}.current")
    validated = data.get("validated")
    fiche.validated = None if validated is None else _version_from_dict(kind, validated, f"{path}.validated")
    if fiche.version < 0:
        raise InvalidData(f"{path}.version", "un entier positif est attendu")
    if (fiche.in_force or fiche.state == FicheState.VALIDATED) and fiche.validated is None:
        raise InvalidData(f"{path}.validated", "une fiche validée ou en vigueur garde sa version validée")
    if fiche.state == FicheState.VALIDATED and not fiche.in_force:
        raise InvalidData(f"{path}.in_force", "une fiche validée est en vigueur")
    if fiche.state == FicheState.REJECTED and not fiche.reason:
        raise InvalidData(f"{path}.reason", "une fiche rejetée a un motif")
    return fiche


_EVENTS = ("transmitted", "validated", "rejected", "to_update")


def _event_from_dict(raw: Any, path: str) -> FicheEvent:
    data = mapping(raw, path)
    name = member(data, "event", path)
    if name not in _EVENTS:
        raise InvalidData(f"{path}.event", f"une valeur parmi {', '.join(_EVENTS)} est attendue")
    at_raw = member(data, "at", path)
    at: date | datetime = (
        iso_date(at_raw, f"{path}.at")
        if isinstance(at_raw, str) and len(at_raw) == 10
        else iso_datetime(at_raw, f"{path}.at")
    )
    return FicheEvent(
        name,
        _enum(FicheKind, member(data, "kind", path), f"{path}.kind"),
        _optional_text(data, "child", path),
        at,
        _optional_text(data, "agent", path),
        _optional_text(data, "reason", path),
    )
