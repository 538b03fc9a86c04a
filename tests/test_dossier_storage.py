"""The dossier as a store keeps it: ``to_dict`` / ``from_dict``.

Everything a campaign produced comes back (settings, contacts, every fiche's
versions, signatures, documents, the agent's events), and a stored record
that breaks a rule of the dossier is refused with an
:class:`~periscolaire.InvalidData` naming its key — never echoing a value,
which may be health data.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

import periscolaire as ps
from tests.test_dossier import AGENT, ASSURANCE, FAMILY, JUNE, RESPONSABLE, SANTE, pdf

K, S = ps.FicheKind, ps.FicheState


def campaign() -> ps.Dossier:
    """A 2024/2025 dossier in the middle of its year, one fiche in each situation.

    Its stored form: fiches[0] RESPONSABLE (validated, signed), fiches[1] Paolo's
    ASSURANCE (expired, to update), fiches[2] his AUTORISATIONS (rejected),
    fiches[3] his CONTACTS (validated, one link), fiches[4] his SANTE (draft),
    fiches[5] his REGLEMENT, fiches[6-10] Amalia's; events[0-8]; contacts[0] C1
    (C2 was deleted: next_contact is 3).
    """
    d = ps.Dossier.open(
        FAMILY,
        2024,
        deadline=date(2024, 8, 16),
        opens=date(2024, 6, 19),
        school_year_start=date(2024, 9, 2),
        insurance_grace_days=10,
    )
    d.edit(K.RESPONSABLE, **RESPONSABLE)
    d.attach(K.RESPONSABLE, None, ps.Document.PROOF_OF_ADDRESS, [pdf("edf.pdf", date(2024, 6, 1))])
    d.transmit(K.RESPONSABLE, now=JUNE, signature=ps.Signature("Jean-Paul DUPONT", "Cestas", JUNE))
    d.validate(K.RESPONSABLE, now=JUNE, agent=AGENT)
    d.edit(K.ASSURANCE, "paolo", **{**ASSURANCE, "expiry": date(2024, 12, 31)})
    d.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf("attestation.pdf")])
    d.transmit(K.ASSURANCE, "paolo", now=JUNE)
    d.validate(K.ASSURANCE, "paolo", now=JUNE, agent=AGENT)
    d.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    d.reject(K.AUTORISATIONS, "paolo", reason="Signature absente.", now=JUNE, agent=AGENT)
    anne = d.add_contact("DURAND", "Anne", "0601020304", address="2 rue des Pins", email="anne@example.fr")
    d.delete_contact(d.add_contact("MOREAU", "Luc", "0605060708").id)
    d.link_contact("paolo", anne.id, relationship="Tante", may_pick_up=True, emergency_call=False)
    d.transmit(K.CONTACTS, "paolo", now=JUNE)
    d.validate(K.CONTACTS, "paolo", now=JUNE, agent=AGENT)
    d.edit(K.SANTE, "paolo", **SANTE, admitted_on=date(2024, 9, 2))
    d.check_expiries(date(2025, 1, 1))
    return d


def _files(version: Any) -> dict[ps.Document, list[ps.StoredFile]]:
    return {
        doc: [f.stored() if isinstance(f, ps.Upload) else f for f in files]
        for doc, files in version.attachments.items()
    }


def _content(fiche: ps.Fiche) -> tuple[Any, ...]:
    """Everything a fiche holds, its files as their stored metadata."""
    versions = [fiche.current] if fiche.validated is None else [fiche.current, fiche.validated]
    return (
        fiche.id,
        fiche.state,
        fiche.version,
        fiche.in_force,
        fiche.reason,
        fiche.validated is None,
        [(dict(v.data), _files(v), v.signature) for v in versions],
    )


def _back(d: ps.Dossier) -> ps.Dossier:
    return ps.Dossier.from_dict(json.loads(json.dumps(d.to_dict())))


def test_everything_a_campaign_produced_comes_back() -> None:
    d = campaign()
    back = _back(d)
    settings = ("school_year", "other_responsable", "deadline", "school_year_start", "opens")
    assert [getattr(back, name) for name in settings] == [
        2024,
        False,
        date(2024, 8, 16),
        date(2024, 9, 2),
        date(2024, 6, 19),
    ]
    assert (back.insurance_grace_days, back.renewed_into) == (10, None)
    assert back.contacts == d.contacts
    assert [_content(f) for f in back.fiches()] == [_content(f) for f in d.fiches()]
    assert back.fiche(K.RESPONSABLE).current.signature == ps.Signature("Jean-Paul DUPONT", "Cestas", JUNE)
    assert back.fiche(K.AUTORISATIONS, "paolo").reason == "Signature absente."
    assert back.events == d.events
    # an expiry is found on a day, a decision at a date and time
    assert back.events[-1].at == date(2025, 1, 1)
    assert back.events[5].reason == "Signature absente."
    assert back.events[1].agent == AGENT
    # a contact keeps its next id: C2 was deleted, it is never given again
    assert back.add_contact("PETIT", "Zoé", "0611121314").id == "C3"


def test_a_renewed_dossier_stays_renewed() -> None:
    d = campaign()
    d.new_year()
    back = _back(d)
    assert back.renewed_into == 2025
    with pytest.raises(ps.DossierError) as info:
        back.add_contact("PETIT", "Zoé", "0611121314")
    assert info.value.code == "dossier_renewed"


def test_a_record_from_before_the_grace_period_setting_reads_as_31_days() -> None:
    data = campaign().to_dict()
    for key in ("insurance_grace_days", "opens", "deadline", "renewed_into"):
        del data[key]
    back = ps.Dossier.from_dict(data)
    assert (back.insurance_grace_days, back.opens, back.deadline, back.renewed_into) == (31, None, None, None)


@pytest.mark.parametrize("year", [1900, 2999])
def test_a_stored_school_year_is_from_1900_to_2999(year: int) -> None:
    data = campaign().to_dict()
    data["school_year"] = year
    assert ps.Dossier.from_dict(data).school_year == year


def test_a_stored_document_has_one_to_four_files() -> None:
    # « pour chaque pièce demandée, vous pouvez déposer jusqu'à 4 fichiers » (p. 5)
    data = campaign().to_dict()
    proofs = data["fiches"][0]["current"]["attachments"]["proof_of_address"]
    proofs *= 4
    back = ps.Dossier.from_dict(data)
    assert len(back.fiche(K.RESPONSABLE).attachments[ps.Document.PROOF_OF_ADDRESS]) == 4


Change = Callable[[dict[str, Any]], Any]


def _fiche(i: int, *keys: str | int) -> Callable[[dict[str, Any]], Any]:
    """The part of the stored fiche ``i`` at ``keys``."""

    def part(d: dict[str, Any]) -> Any:
        node: Any = d["fiches"][i]
        for key in keys:
            node = node[key]
        return node

    return part


LINK = _fiche(3, "current", "data", "contacts", 0)
SIGNATURE = _fiche(0, "current", "signature")
RESPONSABLE_DATA = _fiche(0, "current", "data")
PROOFS = _fiche(0, "current", "attachments")

#: (change to the stored record, the key path named, the error's code)
BROKEN: list[tuple[str, Change, str, str]] = [
    # the dossier's settings
    ("year before 1900", lambda d: d.update(school_year=1899), "school_year", "invalid_data"),
    ("year after 2999", lambda d: d.update(school_year=3000), "school_year", "invalid_data"),
    (
        "other responsable 'non'",
        lambda d: d.update(other_responsable="non"),
        "other_responsable",
        "invalid_data",
    ),
    ("deadline in French", lambda d: d.update(deadline="16/08/2024"), "deadline", "invalid_data"),
    ("start not a day", lambda d: d.update(school_year_start="2024-09"), "school_year_start", "invalid_data"),
    ("start missing", lambda d: d.pop("school_year_start"), "school_year_start", "missing_key"),
    ("opening in French", lambda d: d.update(opens="19/06/2024"), "opens", "invalid_data"),
    (
        "grace days as text",
        lambda d: d.update(insurance_grace_days="10"),
        "insurance_grace_days",
        "invalid_data",
    ),
    ("next contact as text", lambda d: d.update(next_contact="3"), "next_contact", "invalid_data"),
    ("next contact missing", lambda d: d.pop("next_contact"), "next_contact", "missing_key"),
    ("next contact 0", lambda d: d.update(next_contact=0, contacts=[]), "next_contact", "invalid_data"),
    ("renewed into the same year", lambda d: d.update(renewed_into=2024), "renewed_into", "invalid_data"),
    ("renewed into a past year", lambda d: d.update(renewed_into=2023), "renewed_into", "invalid_data"),
    ("renewed into as text", lambda d: d.update(renewed_into="2025"), "renewed_into", "invalid_data"),
    # contacts
    ("contacts not a list", lambda d: d.update(contacts="C1"), "contacts", "invalid_data"),
    ("a contact not an object", lambda d: d["contacts"].__setitem__(0, "C1"), "contacts[0]", "invalid_data"),
    (
        "a contact's name missing",
        lambda d: d["contacts"][0].pop("last_name"),
        "contacts[0].last_name",
        "missing_key",
    ),
    (
        "a contact's first name blank",
        lambda d: d["contacts"][0].update(first_name=" "),
        "contacts[0].first_name",
        "invalid_data",
    ),
    (
        "a contact's address a number",
        lambda d: d["contacts"][0].update(address=5),
        "contacts[0].address",
        "invalid_data",
    ),
    (
        "a contact's email a number",
        lambda d: d["contacts"][0].update(email=5),
        "contacts[0].email",
        "invalid_data",
    ),
    (
        "a contact's email invalid",
        lambda d: d["contacts"][0].update(email="anne@"),
        "contacts[0].email",
        "bad_value",
    ),
    ("contact id C0", lambda d: d["contacts"][0].update(id="C0"), "contacts[0].id", "invalid_data"),
    (
        "contact id not yet given",
        lambda d: d["contacts"][0].update(id="C3"),
        "contacts[0].id",
        "invalid_data",
    ),
    ("contact id not C", lambda d: d["contacts"][0].update(id="X1"), "contacts[0].id", "invalid_data"),
    (
        "a contact twice",
        lambda d: d["contacts"].append(copy.deepcopy(d["contacts"][0])),
        "contacts[1].id",
        "invalid_data",
    ),
    # fiches
    ("fiches not a list", lambda d: d.update(fiches="responsable"), "fiches", "invalid_data"),
    (
        "a fiche not an object",
        lambda d: d["fiches"].__setitem__(0, "responsable"),
        "fiches[0]",
        "invalid_data",
    ),
    ("a fiche's kind missing", lambda d: d["fiches"][0].pop("kind"), "fiches[0].kind", "missing_key"),
    ("a fiche's child a number", lambda d: d["fiches"][1].update(child=5), "fiches[1].child", "invalid_data"),
    ("a fiche's state missing", lambda d: d["fiches"][0].pop("state"), "fiches[0].state", "missing_key"),
    (
        "a fiche's state unknown",
        lambda d: d["fiches"][0].update(state="done"),
        "fiches[0].state",
        "invalid_data",
    ),
    (
        "a fiche's version as text",
        lambda d: d["fiches"][0].update(version="4"),
        "fiches[0].version",
        "invalid_data",
    ),
    (
        "a fiche's version missing",
        lambda d: d["fiches"][0].pop("version"),
        "fiches[0].version",
        "missing_key",
    ),
    (
        "a fiche's version negative",
        lambda d: d["fiches"][0].update(version=-1),
        "fiches[0].version",
        "invalid_data",
    ),
    ("in force 'yes'", lambda d: d["fiches"][0].update(in_force="yes"), "fiches[0].in_force", "invalid_data"),
    ("in force missing", lambda d: d["fiches"][0].pop("in_force"), "fiches[0].in_force", "missing_key"),
    ("a reason a number", lambda d: d["fiches"][2].update(reason=5), "fiches[2].reason", "invalid_data"),
    (
        "rejected without a reason",
        lambda d: d["fiches"][2].update(reason=None),
        "fiches[2].reason",
        "invalid_data",
    ),
    (
        "rejected with a blank reason",
        lambda d: d["fiches"][2].update(reason=""),
        "fiches[2].reason",
        "invalid_data",
    ),
    ("current missing", lambda d: d["fiches"][0].pop("current"), "fiches[0].current", "missing_key"),
    (
        "current not an object",
        lambda d: d["fiches"][0].update(current="x"),
        "fiches[0].current",
        "invalid_data",
    ),
    (
        "in force without a validated version",
        lambda d: d["fiches"][5].update(in_force=True),
        "fiches[5].validated",
        "invalid_data",
    ),
    (
        "validated not in force",
        lambda d: d["fiches"][0].update(in_force=False),
        "fiches[0].in_force",
        "invalid_data",
    ),
    (
        "validated version broken",
        lambda d: _fiche(0, "validated")(d).update(data=[]),
        "fiches[0].validated.data",
        "invalid_data",
    ),
    ("data missing", lambda d: _fiche(0, "current")(d).pop("data"), "fiches[0].current.data", "missing_key"),
    (
        "data not an object",
        lambda d: _fiche(0, "current")(d).update(data=[]),
        "fiches[0].current.data",
        "invalid_data",
    ),
    # field values
    (
        "a name a number",
        lambda d: RESPONSABLE_DATA(d).update(last_name=5),
        "fiches[0].current.data.last_name",
        "bad_value",
    ),
    (
        "a yes/no 'non'",
        lambda d: RESPONSABLE_DATA(d).update(separated="non"),
        "fiches[0].current.data.separated",
        "bad_value",
    ),
    (
        "emails invalid",
        lambda d: RESPONSABLE_DATA(d).update(emails="jp@"),
        "fiches[0].current.data.emails",
        "bad_value",
    ),
    (
        "emails a list",
        lambda d: RESPONSABLE_DATA(d).update(emails=["jp@x.fr"]),
        "fiches[0].current.data.emails",
        "bad_value",
    ),
    (
        "an expiry in French",
        lambda d: _fiche(1, "current", "data")(d).update(expiry="31/12/2024"),
        "fiches[1].current.data.expiry",
        "bad_value",
    ),
    (
        "an expiry a number",
        lambda d: _fiche(1, "current", "data")(d).update(expiry=20241231),
        "fiches[1].current.data.expiry",
        "bad_value",
    ),
    (
        "a health field a list",
        lambda d: _fiche(4, "current", "data")(d).update(allergies=["arachide"]),
        "fiches[4].current.data.allergies",
        "bad_value",
    ),
    (
        "an unknown field",
        lambda d: _fiche(4, "current", "data")(d).update(pointure="32"),
        "fiches[4].current.data.pointure",
        "unknown_field",
    ),
    # contact links
    (
        "links missing",
        lambda d: _fiche(3, "current", "data")(d).pop("contacts"),
        "fiches[3].current.data.contacts",
        "missing_key",
    ),
    (
        "links not a list",
        lambda d: _fiche(3, "current", "data")(d).update(contacts="C1"),
        "fiches[3].current.data.contacts",
        "invalid_data",
    ),
    (
        "a link not an object",
        lambda d: _fiche(3, "current", "data", "contacts")(d).__setitem__(0, "C1"),
        "fiches[3].current.data.contacts[0]",
        "invalid_data",
    ),
    (
        "a link's contact missing",
        lambda d: LINK(d).pop("contact"),
        "fiches[3].current.data.contacts[0].contact",
        "missing_key",
    ),
    (
        "a link's contact broken",
        lambda d: LINK(d)["contact"].pop("phone"),
        "fiches[3].current.data.contacts[0].contact.phone",
        "missing_key",
    ),
    (
        "a link's relationship missing",
        lambda d: LINK(d).pop("relationship"),
        "fiches[3].current.data.contacts[0].relationship",
        "missing_key",
    ),
    (
        "a link's relationship blank",
        lambda d: LINK(d).update(relationship=""),
        "fiches[3].current.data.contacts[0].relationship",
        "invalid_data",
    ),
    (
        "may pick up 'oui'",
        lambda d: LINK(d).update(may_pick_up="oui"),
        "fiches[3].current.data.contacts[0].may_pick_up",
        "invalid_data",
    ),
    (
        "may pick up missing",
        lambda d: LINK(d).pop("may_pick_up"),
        "fiches[3].current.data.contacts[0].may_pick_up",
        "missing_key",
    ),
    (
        "emergency call 'non'",
        lambda d: LINK(d).update(emergency_call="non"),
        "fiches[3].current.data.contacts[0].emergency_call",
        "invalid_data",
    ),
    (
        "emergency call missing",
        lambda d: LINK(d).pop("emergency_call"),
        "fiches[3].current.data.contacts[0].emergency_call",
        "missing_key",
    ),
    (
        "a link to an unknown contact",
        lambda d: LINK(d)["contact"].update(id="C2"),
        "fiches[3].current",
        "invalid_data",
    ),
    # documents
    (
        "documents missing",
        lambda d: _fiche(0, "current")(d).pop("attachments"),
        "fiches[0].current.attachments",
        "missing_key",
    ),
    (
        "documents not an object",
        lambda d: _fiche(0, "current")(d).update(attachments=[]),
        "fiches[0].current.attachments",
        "invalid_data",
    ),
    (
        "an unknown document",
        lambda d: PROOFS(d).update(carnet=PROOFS(d)["proof_of_address"]),
        "fiches[0].current.attachments.carnet",
        "invalid_data",
    ),
    (
        "a document not expected on the fiche",
        lambda d: PROOFS(d).update(pai_photo=PROOFS(d)["proof_of_address"]),
        "fiches[0].current.attachments.pai_photo",
        "invalid_data",
    ),
    (
        "files not a list",
        lambda d: PROOFS(d).update(proof_of_address="edf.pdf"),
        "fiches[0].current.attachments.proof_of_address",
        "invalid_data",
    ),
    (
        "a file not an object",
        lambda d: PROOFS(d).update(proof_of_address=["edf.pdf"]),
        "fiches[0].current.attachments.proof_of_address[0]",
        "invalid_data",
    ),
    (
        "no file",
        lambda d: PROOFS(d).update(proof_of_address=[]),
        "fiches[0].current.attachments.proof_of_address",
        "invalid_data",
    ),
    (
        "five files",
        lambda d: PROOFS(d).update(proof_of_address=PROOFS(d)["proof_of_address"] * 5),
        "fiches[0].current.attachments.proof_of_address",
        "invalid_data",
    ),
    # signatures
    (
        "a signature not an object",
        lambda d: _fiche(0, "current")(d).update(signature="JPD"),
        "fiches[0].current.signature",
        "invalid_data",
    ),
    (
        "a signature without a name",
        lambda d: SIGNATURE(d).pop("name"),
        "fiches[0].current.signature.name",
        "missing_key",
    ),
    (
        "a blank signature",
        lambda d: SIGNATURE(d).update(name=" "),
        "fiches[0].current.signature.name",
        "invalid_data",
    ),
    (
        "a signature's place a number",
        lambda d: SIGNATURE(d).update(place=33610),
        "fiches[0].current.signature.place",
        "invalid_data",
    ),
    (
        "a signature's time in French",
        lambda d: SIGNATURE(d).update(at="20/06/2024 20h30"),
        "fiches[0].current.signature.at",
        "invalid_data",
    ),
    # the fiches of the family
    (
        "a fiche twice",
        lambda d: d["fiches"].append(copy.deepcopy(d["fiches"][0])),
        "fiches[11]",
        "invalid_data",
    ),
    ("a fiche missing", lambda d: d["fiches"].pop(), "fiches", "invalid_data"),
    # events
    ("events not a list", lambda d: d.update(events="transmitted"), "events", "invalid_data"),
    (
        "an event not an object",
        lambda d: d["events"].__setitem__(0, "transmitted"),
        "events[0]",
        "invalid_data",
    ),
    ("an event's name missing", lambda d: d["events"][0].pop("event"), "events[0].event", "missing_key"),
    ("an unknown event", lambda d: d["events"][0].update(event="sent"), "events[0].event", "invalid_data"),
    ("an event's time missing", lambda d: d["events"][0].pop("at"), "events[0].at", "missing_key"),
    (
        "an expiry's day invalid",
        lambda d: d["events"][8].update(at="2025-13-01"),
        "events[8].at",
        "invalid_data",
    ),
    (
        "an event's time invalid",
        lambda d: d["events"][0].update(at="2024-06-20T25:00"),
        "events[0].at",
        "invalid_data",
    ),
    ("an event's fiche missing", lambda d: d["events"][0].pop("kind"), "events[0].kind", "missing_key"),
    (
        "an event's fiche unknown",
        lambda d: d["events"][0].update(kind="carnet"),
        "events[0].kind",
        "invalid_data",
    ),
    (
        "an event's child a number",
        lambda d: d["events"][2].update(child=5),
        "events[2].child",
        "invalid_data",
    ),
    (
        "an event's agent a number",
        lambda d: d["events"][1].update(agent=5),
        "events[1].agent",
        "invalid_data",
    ),
    (
        "an event's reason a number",
        lambda d: d["events"][5].update(reason=5),
        "events[5].reason",
        "invalid_data",
    ),
    ("an event of another child", lambda d: d["events"][2].update(child="lea"), "events[2]", "invalid_data"),
]


@pytest.mark.parametrize(
    ("change", "path", "code"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN]
)
def test_a_stored_record_that_breaks_a_rule_is_refused_naming_its_key(
    change: Change, path: str, code: str
) -> None:
    data = campaign().to_dict()
    change(data)
    with pytest.raises(ps.InvalidData) as info:
        ps.Dossier.from_dict(data)
    assert (info.value.path, info.value.code) == (path, code)
    assert str(info.value).startswith(f"{path} : ")
    assert ", reçu " not in str(info.value)
    assert "arachide" not in str(info.value)


#: (change, the whole message: the reader's words, without the value it got)
MESSAGES: list[tuple[Change, str]] = [
    # each rule of a stored dossier, as its refusal states it
    (lambda d: d["fiches"][0].update(version=-1), "fiches[0].version : un entier positif est attendu"),
    (
        lambda d: d["fiches"][5].update(in_force=True),
        "fiches[5].validated : une fiche validée ou en vigueur garde sa version validée",
    ),
    (
        lambda d: d["fiches"][0].update(in_force=False),
        "fiches[0].in_force : une fiche validée est en vigueur",
    ),
    (lambda d: d["fiches"][2].update(reason=None), "fiches[2].reason : une fiche rejetée a un motif"),
    (
        lambda d: _fiche(0, "current", "data")(d).update(emails=5),
        "fiches[0].current.data.emails : des adresses mail (une chaîne) sont attendues",
    ),
    (
        lambda d: _fiche(0, "current", "data")(d).update(emails="jp@"),
        "fiches[0].current.data.emails : adresse mail invalide",
    ),
    (
        lambda d: _fiche(4, "current", "data")(d).update(pointure="32"),
        "fiches[4].current.data.pointure : champ inconnu",
    ),
    (
        lambda d: PROOFS(d).update(pai_photo=PROOFS(d)["proof_of_address"]),
        "fiches[0].current.attachments.pai_photo : pièce non attendue sur cette fiche",
    ),
    (
        lambda d: PROOFS(d).update(proof_of_address=[]),
        "fiches[0].current.attachments.proof_of_address : de 1 à 4 fichiers par pièce",
    ),
    (lambda d: d.update(next_contact=0, contacts=[]), "next_contact : un entier positif est attendu"),
    (lambda d: d.update(renewed_into=2024), "renewed_into : une année scolaire suivante est attendue"),
    (
        lambda d: d["contacts"].append(copy.deepcopy(d["contacts"][0])),
        "contacts[1].id : identifiant de contact en double",
    ),
    (
        lambda d: d["fiches"].append(copy.deepcopy(d["fiches"][0])),
        "fiches[11] : fiche inattendue pour cette famille ou en double",
    ),
    (lambda d: LINK(d)["contact"].update(id="C2"), "fiches[3].current : lien vers un contact inconnu"),
    (lambda d: d["fiches"].pop(), "fiches : des fiches du dossier manquent"),
    (lambda d: d["events"][2].update(child="lea"), "events[2] : événement d'une fiche inconnue"),
    # what the readers say
    (lambda d: d["fiches"][0].update(version="4"), "fiches[0].version : un entier est attendu"),
    (lambda d: d["fiches"][0].pop("kind"), "fiches[0].kind : clé manquante"),
    (
        lambda d: d["fiches"][0].update(state="done"),
        "fiches[0].state : une valeur parmi to_fill, draft, transmitted, rejected, validated, to_update est attendue",
    ),
    (
        lambda d: d["events"][0].update(event="sent"),
        "events[0].event : une valeur parmi transmitted, validated, rejected, to_update est attendue",
    ),
    (lambda d: d["fiches"][2].update(reason=5), "fiches[2].reason : une chaîne ou null est attendue"),
    (lambda d: d["contacts"][0].update(id="C9"), "contacts[0].id : C1 à C2 est attendu"),
    (lambda d: d.update(school_year=1899), "school_year : une année scolaire est attendue"),
    (
        lambda d: _fiche(4, "current", "data")(d).update(pai="oui"),
        "fiches[4].current.data.pai : « Protocole d'accueil individualisé (PAI) » invalide (bool attendu)",
    ),
]


@pytest.mark.parametrize(("change", "message"), MESSAGES)
def test_a_refusal_says_what_was_expected_never_what_was_read(change: Change, message: str) -> None:
    data = campaign().to_dict()
    change(data)
    with pytest.raises(ps.InvalidData) as info:
        ps.Dossier.from_dict(data)
    assert str(info.value) == message


def test_a_setting_the_dossier_itself_refuses_is_invalid_data_too() -> None:
    data = campaign().to_dict()
    data["insurance_grace_days"] = 400
    with pytest.raises(ps.InvalidData) as info:
        ps.Dossier.from_dict(data)
    assert (info.value.path, info.value.code) == ("", "invalid_data")
    assert str(info.value) == "insurance_grace_days : un entier de 0 à 366 est attendu, reçu 400."


def test_the_dossiers_record_is_an_object() -> None:
    with pytest.raises(ps.InvalidData) as info:
        ps.Dossier.from_dict(["F-DUPONT", 2024])
    assert (info.value.path, info.value.code) == ("", "invalid_data")
