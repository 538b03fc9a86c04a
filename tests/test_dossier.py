"""The family dossier (guide p. 4-9 and p. 15): fiches, states, agent decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

import periscolaire as ps
from periscolaire.dossier import SCHEMA, required_documents

K, S = ps.FicheKind, ps.FicheState
PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
AMALIA = ps.Child("amalia", "Amalia", "DUPONT")
FAMILY = ps.Family("F-DUPONT", "DUPONT", (PAOLO, AMALIA))
JUNE = datetime(2024, 6, 20, 20, 30)
AGENT = "agent.education"
PDF = b"%PDF-1.7\n...\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x06jpeg\xff\xd9"


def pdf(name: str = "piece.pdf", issued_on: date | None = None) -> ps.Upload:
    return ps.Upload(name, PDF, issued_on=issued_on)


RESPONSABLE = {
    "last_name": "DUPONT",
    "first_name": "Jean-Paul",
    "address": "1 avenue du Baron Haussmann",
    "postcode": "33610",
    "city": "Cestas",
    "phone": "0556000000",
    "emails": "jp.dupont@example.fr; marie.dupont@example.fr",
}
ASSURANCE = {"company": "MAIF", "contract_number": "1234567A", "expiry": date(2025, 8, 31)}
SANTE = {"vaccinations_up_to_date": True, "doctor_name": "Dr Martin", "allergies": "arachide"}


@pytest.fixture
def dossier() -> ps.Dossier:
    return ps.Dossier.open(FAMILY, school_year=2024, other_responsable=True, deadline=date(2024, 8, 16))


def fill_everything(d: ps.Dossier, now: datetime = JUNE) -> None:
    """The family fills and transmits every fiche, as the guide's summary says."""
    d.edit(K.RESPONSABLE, **RESPONSABLE)
    d.attach(K.RESPONSABLE, None, ps.Document.PROOF_OF_ADDRESS, [pdf("edf.pdf", date(2024, 6, 1))])
    d.transmit(K.RESPONSABLE, now=now, signature=ps.Signature("Jean-Paul DUPONT"))
    d.edit(K.AUTRE_RESPONSABLE, last_name="DUPONT", first_name="Marie", phone="0600000000")
    d.transmit(K.AUTRE_RESPONSABLE, now=now, signature=ps.Signature("Marie DUPONT"))
    for child in ("paolo", "amalia"):
        d.edit(K.ASSURANCE, child, **ASSURANCE)
        d.attach(K.ASSURANCE, child, ps.Document.INSURANCE_CERTIFICATE, [pdf("attestation.pdf")])
        d.transmit(K.ASSURANCE, child, now=now)
        d.transmit(K.AUTORISATIONS, child, now=now)
        d.transmit(K.CONTACTS, child, now=now)
        d.edit(K.SANTE, child, **SANTE)
        d.transmit(K.SANTE, child, now=now)
        d.edit(K.REGLEMENT, child, acknowledged=True)
        d.transmit(K.REGLEMENT, child, now=now, signature=ps.Signature("Jean-Paul DUPONT", "Cestas", now))


def validate_everything(d: ps.Dossier) -> None:
    for fiche in d.fiches():
        if fiche.state is S.TRANSMITTED:
            d.validate(fiche.kind, fiche.child, now=datetime(2024, 7, 1, 10), agent=AGENT)


# -- the fiches of a dossier ------------------------------------------------------------------


def test_open_creates_the_guides_fiches(dossier: ps.Dossier) -> None:
    assert [f.id for f in dossier.fiches()] == [
        (K.RESPONSABLE, None),
        (K.AUTRE_RESPONSABLE, None),
        *(
            (kind, child)
            for child in ("paolo", "amalia")
            for kind in (K.ASSURANCE, K.AUTORISATIONS, K.CONTACTS, K.SANTE, K.REGLEMENT)
        ),
    ]
    assert {f.state for f in dossier.fiches()} == {S.TO_FILL}


def test_no_other_responsable_fiche_when_there_is_none() -> None:
    d = ps.Dossier.open(FAMILY, school_year=2024)
    assert (K.AUTRE_RESPONSABLE, None) not in [f.id for f in d.fiches()]
    assert len(d.fiches()) == 11


def test_counts_show_every_state_like_the_table_under_the_pictogram(dossier: ps.Dossier) -> None:
    dossier.edit(K.SANTE, "paolo", doctor_name="Dr Martin")
    dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    counts = dossier.counts()
    assert list(counts) == [S.TO_FILL, S.DRAFT, S.TRANSMITTED, S.REJECTED, S.VALIDATED, S.TO_UPDATE]
    assert dict(counts) == {
        S.TO_FILL: 10,
        S.DRAFT: 1,
        S.TRANSMITTED: 1,
        S.REJECTED: 0,
        S.VALIDATED: 0,
        S.TO_UPDATE: 0,
    }
    assert sum(counts.values()) == len(dossier.fiches())
    assert S.REJECTED.label == "rejetée ou incomplète"


# -- the family edits and transmits ------------------------------------------------------------


def test_an_incomplete_fiche_can_be_saved_as_a_draft(dossier: ps.Dossier) -> None:
    # « vous pouvez dans un premier temps "enregistrer en brouillon" » (p. 5)
    fiche = dossier.edit(K.RESPONSABLE, last_name="DUPONT")
    assert fiche.state is S.DRAFT
    assert fiche.data["last_name"] == "DUPONT"


def test_transmission_is_refused_while_a_required_field_is_missing(dossier: ps.Dossier) -> None:
    # « Tous les éléments avec un astérisque (*) sont à renseigner » (p. 5)
    dossier.edit(K.ASSURANCE, "paolo", company="MAIF")
    dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf()])
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.ASSURANCE, "paolo", now=JUNE)
    assert info.value.code == "missing_fields"
    assert "Numéro de contrat, Date d'échéance" in info.value.message
    assert dossier.fiche(K.ASSURANCE, "paolo").state is S.DRAFT


def test_transmission_is_refused_while_a_required_document_is_missing(dossier: ps.Dossier) -> None:
    dossier.edit(K.ASSURANCE, "paolo", **ASSURANCE)
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.ASSURANCE, "paolo", now=JUNE)
    assert info.value.code == "missing_attachment"
    assert "Attestation d'assurance" in info.value.message


def test_the_responsable_fiche_needs_the_certification(dossier: ps.Dossier) -> None:
    # « cocher la case "certifie sur l'honneur que les informations ci-dessus sont exactes
    # et vérifiées" » with the signer's name (p. 6)
    dossier.edit(K.RESPONSABLE, **RESPONSABLE)
    dossier.attach(K.RESPONSABLE, None, ps.Document.PROOF_OF_ADDRESS, [pdf()])
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.RESPONSABLE, now=JUNE)
    assert info.value.code == "missing_certification"
    event = dossier.transmit(K.RESPONSABLE, now=JUNE, signature=ps.Signature("Jean-Paul DUPONT"))
    assert event.event == "transmitted"


def test_the_reglement_needs_the_box_and_a_full_signature(dossier: ps.Dossier) -> None:
    # « J'ai pris connaissance du règlement intérieur et j'ai informé mon enfant de ce
    # règlement » ; « signez la fiche en indiquant votre nom, le lieu, la date et l'heure » (p. 2, 5)
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.REGLEMENT, "paolo", now=JUNE, signature=ps.Signature("J-P DUPONT", "Cestas", JUNE))
    assert info.value.code == "not_acknowledged"
    dossier.edit(K.REGLEMENT, "paolo", acknowledged=True)
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.REGLEMENT, "paolo", now=JUNE, signature=ps.Signature("J-P DUPONT"))
    assert info.value.code == "missing_signature"
    dossier.transmit(K.REGLEMENT, "paolo", now=JUNE, signature=ps.Signature("J-P DUPONT", "Cestas", JUNE))
    assert dossier.fiche(K.REGLEMENT, "paolo").current.signature == ps.Signature("J-P DUPONT", "Cestas", JUNE)


def test_authorisations_are_yes_by_default(dossier: ps.Dossier) -> None:
    # « la réponse OUI est cochée par défaut mais peut être modifiée » (p. 7)
    assert dossier.fiche(K.AUTORISATIONS, "paolo").data == {
        "image_rights": True,
        "publication": True,
        "emergency_care": True,
    }
    dossier.edit(K.AUTORISATIONS, "paolo", image_rights=False)
    dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    assert dossier.fiche(K.AUTORISATIONS, "paolo").data["image_rights"] is False


def test_a_transmitted_fiche_can_no_longer_be_changed_by_the_family(dossier: ps.Dossier) -> None:
    # « Une fois validées, les fiches ne sont plus modifiables et sont transmises » (p. 5)
    dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    dossier.edit(K.ASSURANCE, "paolo", **ASSURANCE)
    dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf()])
    dossier.transmit(K.ASSURANCE, "paolo", now=JUNE)
    before = dossier.fiches()
    refused = [
        lambda: dossier.edit(K.AUTORISATIONS, "paolo", publication=False),
        lambda: dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf("autre.pdf")]),
        lambda: dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE),
    ]
    for change in refused:
        with pytest.raises(ps.DossierError) as info:
            change()
        assert info.value.code in ("fiche_transmitted", "already_transmitted")
    assert dossier.fiches() == before


def test_unknown_fields_and_bad_values_are_typed_errors(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.DossierError) as info:
        dossier.edit(K.ASSURANCE, "paolo", colour="blue")
    assert info.value.code == "unknown_field"
    with pytest.raises(ps.DossierError) as info:
        dossier.edit(K.ASSURANCE, "paolo", expiry="2025-08-31")
    assert info.value.code == "bad_value"
    with pytest.raises(ps.ProfileError):
        dossier.edit(K.RESPONSABLE, emails="jp.dupont@example")
    assert dossier.fiche(K.ASSURANCE, "paolo").state is S.TO_FILL
    with pytest.raises(ps.UnknownChild):
        dossier.edit(K.SANTE, "lea", doctor_name="x")


def test_an_insurance_that_expires_before_the_school_year_is_refused(dossier: ps.Dossier) -> None:
    dossier.edit(K.ASSURANCE, "paolo", **{**ASSURANCE, "expiry": date(2024, 8, 31)})
    dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf()])
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.ASSURANCE, "paolo", now=JUNE)
    assert info.value.code == "insurance_expired"


def test_a_new_insurance_company_is_best_effort_its_address_and_phone_optional(dossier: ps.Dossier) -> None:
    # « vous pouvez en saisir une nouvelle. Dans ce cas, merci de renseigner le maximum
    # d'informations dont vous disposez : nom, adresse, téléphone » (p. 7): best effort.
    dossier.edit(K.ASSURANCE, "paolo", **{**ASSURANCE, "company": "Mutuelle du Bassin", "new_company": True})
    dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf()])
    assert dossier.transmit(K.ASSURANCE, "paolo", now=JUNE).event == "transmitted"
    assert dossier.fiche(K.ASSURANCE, "paolo").data["company_address"] is None


def test_a_proof_of_address_older_than_two_months_is_refused(dossier: ps.Dossier) -> None:
    dossier.edit(K.RESPONSABLE, **RESPONSABLE)
    dossier.attach(K.RESPONSABLE, None, ps.Document.PROOF_OF_ADDRESS, [pdf("edf.pdf", date(2024, 4, 19))])
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.RESPONSABLE, now=JUNE, signature=ps.Signature("J-P DUPONT"))
    assert info.value.code == "proof_of_address_too_old"
    dossier.attach(K.RESPONSABLE, None, ps.Document.PROOF_OF_ADDRESS, [pdf("edf.pdf", date(2024, 4, 20))])
    dossier.transmit(K.RESPONSABLE, now=JUNE, signature=ps.Signature("J-P DUPONT"))


def test_divorced_parents_attach_the_judgment(dossier: ps.Dossier) -> None:
    # « En cas de divorce : le jugement de divorce (autorité parentale et garde des enfants) » (p. 6)
    dossier.edit(K.RESPONSABLE, **RESPONSABLE, separated=True)
    dossier.attach(K.RESPONSABLE, None, ps.Document.PROOF_OF_ADDRESS, [pdf()])
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.RESPONSABLE, now=JUNE, signature=ps.Signature("J-P DUPONT"))
    assert "Jugement de divorce" in info.value.message


def test_the_guides_documents_per_fiche() -> None:
    assert required_documents(K.RESPONSABLE, {}) == (ps.Document.PROOF_OF_ADDRESS,)
    assert required_documents(K.RESPONSABLE, {"separated": True})[1] is ps.Document.DIVORCE_JUDGMENT
    assert required_documents(K.ASSURANCE, {}) == (ps.Document.INSURANCE_CERTIFICATE,)
    assert required_documents(K.SANTE, {"pai": True}) == (ps.Document.PAI_PRESCRIPTION, ps.Document.PAI_PHOTO)
    assert required_documents(K.SANTE, {"vaccination_contraindicated": True}) == (
        ps.Document.CONTRAINDICATION_CERTIFICATE,
    )
    assert required_documents(K.SANTE, {"vaccinations_changed": True}) == (ps.Document.VACCINATION_PAGES,)
    # The tax notice is optional: « Si vous ne souhaitez pas le calcul de votre quotient, il
    # n'est pas nécessaire de fournir ce document » (p. 4)
    assert all(ps.Document.TAX_NOTICE not in required_documents(kind, {}) for kind in K)
    assert {d for d in ps.Document if d.every_year} == {
        ps.Document.PROOF_OF_ADDRESS,
        ps.Document.INSURANCE_CERTIFICATE,
        ps.Document.TAX_NOTICE,
        ps.Document.PAI_PRESCRIPTION,
        ps.Document.PAI_PHOTO,
    }


def test_a_document_on_the_wrong_fiche_is_refused(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.DossierError) as info:
        dossier.attach(K.SANTE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf()])
    assert info.value.code == "unexpected_document"


def test_a_rejected_attachment_leaves_the_fiche_unchanged(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.AttachmentRejected):
        dossier.attach(
            K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf(), ps.Upload("x.exe", b"MZ")]
        )
    assert dossier.fiche(K.ASSURANCE, "paolo").attachments == {}
    assert dossier.fiche(K.ASSURANCE, "paolo").state is S.TO_FILL


# -- the agent ---------------------------------------------------------------------------------


def test_the_agent_validates_a_transmitted_fiche(dossier: ps.Dossier) -> None:
    dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    event = dossier.validate(K.AUTORISATIONS, "paolo", now=datetime(2024, 6, 24, 9), agent=AGENT)
    assert dossier.fiche(K.AUTORISATIONS, "paolo").state is S.VALIDATED
    assert event.message("Paolo") == (
        "Votre fiche « Fiche d'autorisations parentales » (Paolo) a été validée par le service Éducation."
    )


def test_a_rejected_fiche_goes_back_to_the_family_with_a_reason(dossier: ps.Dossier) -> None:
    dossier.edit(K.ASSURANCE, "paolo", **ASSURANCE)
    dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf("photo-floue.pdf")])
    dossier.transmit(K.ASSURANCE, "paolo", now=JUNE)
    event = dossier.reject(
        K.ASSURANCE, "paolo", reason="Attestation illisible.", now=datetime(2024, 6, 24, 9), agent=AGENT
    )
    fiche = dossier.fiche(K.ASSURANCE, "paolo")
    assert (fiche.state, fiche.reason) == (S.REJECTED, "Attestation illisible.")
    assert "a été rejetée par le service Éducation : Attestation illisible." in event.message("Paolo")
    # The family completes it and transmits again.
    dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf("attestation.pdf")])
    dossier.transmit(K.ASSURANCE, "paolo", now=datetime(2024, 6, 25, 8))
    assert dossier.fiche(K.ASSURANCE, "paolo").reason is None
    assert [e.event for e in dossier.events] == ["transmitted", "rejected", "transmitted"]


@pytest.mark.parametrize("state_of", ["to_fill", "draft", "validated"])
def test_only_a_transmitted_fiche_can_be_validated_or_rejected(dossier: ps.Dossier, state_of: str) -> None:
    if state_of == "draft":
        dossier.edit(K.AUTORISATIONS, "paolo", publication=False)
    if state_of == "validated":
        dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
        dossier.validate(K.AUTORISATIONS, "paolo", now=JUNE, agent=AGENT)
    for decide in (
        lambda: dossier.validate(K.AUTORISATIONS, "paolo", now=JUNE, agent=AGENT),
        lambda: dossier.reject(K.AUTORISATIONS, "paolo", reason="x", now=JUNE, agent=AGENT),
    ):
        with pytest.raises(ps.DossierError) as info:
            decide()
        assert info.value.code == "not_transmitted"


def test_a_rejection_needs_a_reason(dossier: ps.Dossier) -> None:
    dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    with pytest.raises(ps.DossierError) as info:
        dossier.reject(K.AUTORISATIONS, "paolo", reason=" ", now=JUNE, agent=AGENT)
    assert info.value.code == "missing_reason"


# -- booking access and the deadline ---------------------------------------------------------


def test_booking_access_needs_every_fiche_transmitted(dossier: ps.Dossier) -> None:
    # « Les usagers dont les dossiers n'auront pas été transmis dans les délais impartis ne
    # pourront accéder à la réservation des services » (p. 4)
    assert not dossier.grants_booking_access
    fill_everything(dossier)
    assert dossier.grants_booking_access  # transmitted is enough
    validate_everything(dossier)
    assert dossier.grants_booking_access
    assert dossier.counts()[S.VALIDATED] == 12


def test_a_rejected_fiche_withdraws_booking_access(dossier: ps.Dossier) -> None:
    fill_everything(dossier)
    dossier.reject(K.SANTE, "amalia", reason="Médecin inconnu.", now=JUNE, agent=AGENT)
    assert not dossier.grants_booking_access


def test_reopening_a_validated_fiche_keeps_it_in_force(dossier: ps.Dossier) -> None:
    # « Le portail Famille vous permet de procéder à la modification de vos données
    # personnelles … à tout moment de l'année » (p. 4)
    fill_everything(dossier)
    validate_everything(dossier)
    dossier.edit(K.RESPONSABLE, phone="0611111111")
    fiche = dossier.fiche(K.RESPONSABLE)
    assert fiche.state is S.DRAFT
    assert fiche.in_force
    assert fiche.validated is not None
    assert fiche.validated.data["phone"] == "0556000000"
    assert dossier.grants_booking_access
    dossier.transmit(K.RESPONSABLE, now=datetime(2024, 10, 2, 9), signature=ps.Signature("J-P DUPONT"))
    dossier.reject(K.RESPONSABLE, reason="Numéro incomplet.", now=datetime(2024, 10, 3, 9), agent=AGENT)
    assert dossier.grants_booking_access  # the validated version is still in force
    assert dossier.fiche(K.RESPONSABLE).validated.data["phone"] == "0556000000"  # type: ignore[union-attr]
    dossier.edit(K.RESPONSABLE, phone="0611111112")
    dossier.transmit(K.RESPONSABLE, now=datetime(2024, 10, 4, 9), signature=ps.Signature("J-P DUPONT"))
    dossier.validate(K.RESPONSABLE, now=datetime(2024, 10, 5, 9), agent=AGENT)
    assert dossier.fiche(K.RESPONSABLE).validated.data["phone"] == "0611111112"  # type: ignore[union-attr]


def test_the_dossier_is_late_after_16_august_2024(dossier: ps.Dossier) -> None:
    # « soit avant le vendredi 16 août 2024 » (p. 4); ps.load_commune().dossier_deadline
    assert not dossier.is_late(date(2024, 8, 16))
    assert dossier.is_late(date(2024, 8, 17))
    fill_everything(dossier)
    assert not dossier.is_late(date(2024, 8, 17))


def test_deadline_comes_from_the_commune(cestas: ps.Commune) -> None:
    d = ps.Dossier.open(FAMILY, school_year=2024, deadline=cestas.dossier_deadline)
    assert d.deadline == date(2024, 8, 16)


def test_an_expired_insurance_turns_the_fiche_to_update(dossier: ps.Dossier) -> None:
    fill_everything(dossier)
    validate_everything(dossier)
    dossier.edit(K.ASSURANCE, "paolo", expiry=date(2024, 12, 31))
    dossier.transmit(K.ASSURANCE, "paolo", now=datetime(2024, 9, 10, 9))
    dossier.validate(K.ASSURANCE, "paolo", now=datetime(2024, 9, 11, 9), agent=AGENT)
    assert dossier.check_expiries(date(2024, 12, 31)) == ()
    (event,) = dossier.check_expiries(date(2025, 1, 1))
    assert event.event == "to_update"
    fiche = dossier.fiche(K.ASSURANCE, "paolo")
    assert fiche.state is S.TO_UPDATE
    assert not fiche.in_force
    assert fiche.validated is not None  # nothing validated is lost
    assert not dossier.grants_booking_access


def test_a_new_school_year_turns_validated_fiches_to_update_prefilled(dossier: ps.Dossier) -> None:
    # « La mise à jour de votre dossier Famille est requise une fois par an » (p. 4)
    fill_everything(dossier)
    validate_everything(dossier)
    following = dossier.new_year(deadline=date(2025, 8, 15))
    assert following.school_year == 2025
    assert dict(following.counts())[S.TO_UPDATE] == 12
    assert following.fiche(K.RESPONSABLE).data["city"] == "Cestas"
    assert following.fiche(K.RESPONSABLE).attachments == {}  # the proof of address is renewed every year
    assert not following.grants_booking_access


def test_a_new_child_gets_new_fiches_next_year(dossier: ps.Dossier) -> None:
    fill_everything(dossier)
    validate_everything(dossier)
    bigger = ps.Family("F-DUPONT", "DUPONT", (PAOLO, AMALIA, ps.Child("lou", "Lou", "DUPONT")))
    following = dossier.new_year(family=bigger)
    assert following.fiche(K.SANTE, "lou").state is S.TO_FILL
    assert following.fiche(K.SANTE, "paolo").state is S.TO_UPDATE


# -- contacts (p. 7) --------------------------------------------------------------------------------


def test_a_contact_is_created_once_and_linked_to_several_children(dossier: ps.Dossier) -> None:
    mamie = dossier.add_contact("MARTIN", "Josette", "0556111111")
    dossier.link_contact("paolo", mamie.id, relationship="Grand-mère", may_pick_up=True, emergency_call=True)
    dossier.link_contact(
        "amalia", mamie.id, relationship="Grand-mère", may_pick_up=True, emergency_call=False
    )
    links = dossier.fiche(K.CONTACTS, "amalia").data["contacts"]
    assert links == (ps.ContactLink(mamie, "Grand-mère", may_pick_up=True, emergency_call=False),)
    assert dossier.fiche(K.CONTACTS, "paolo").state is S.DRAFT


def test_contact_names_cannot_be_changed(dossier: ps.Dossier) -> None:
    # « ATTENTION : le nom et le prénom ne sont pas modifiables. En cas d'erreur sur ces
    # informations, vous devrez le supprimer et le recréer. »
    mamie = dossier.add_contact("MARTIN", "Josette", "0556111111")
    with pytest.raises(ps.DossierError) as info:
        dossier.update_contact(mamie.id, first_name="Josiane")
    assert info.value.code == "contact_name_locked"
    updated = dossier.update_contact(mamie.id, phone="0556222222")
    assert (updated.first_name, updated.phone) == ("Josette", "0556222222")


def test_a_contact_is_deleted_only_once_removed_from_every_child(dossier: ps.Dossier) -> None:
    mamie = dossier.add_contact("MARTIN", "Josette", "0556111111")
    for child in ("paolo", "amalia"):
        dossier.link_contact(
            child, mamie.id, relationship="Grand-mère", may_pick_up=True, emergency_call=True
        )
    dossier.unlink_contact("paolo", mamie.id)
    with pytest.raises(ps.DossierError) as info:
        dossier.delete_contact(mamie.id)
    assert info.value.code == "contact_linked"
    assert "Amalia" in info.value.message
    dossier.unlink_contact("amalia", mamie.id)
    dossier.delete_contact(mamie.id)
    assert dossier.contacts == ()


def test_updating_a_contact_reopens_its_validated_fiches_and_waits_for_transmitted_ones(
    dossier: ps.Dossier,
) -> None:
    mamie = dossier.add_contact("MARTIN", "Josette", "0556111111")
    dossier.link_contact("paolo", mamie.id, relationship="Grand-mère", may_pick_up=True, emergency_call=True)
    dossier.transmit(K.CONTACTS, "paolo", now=JUNE)
    with pytest.raises(ps.DossierError) as info:
        dossier.update_contact(mamie.id, phone="0556222222")
    assert info.value.code == "fiche_transmitted"
    assert dossier.contacts[0].phone == "0556111111"  # nothing changed
    dossier.validate(K.CONTACTS, "paolo", now=JUNE, agent=AGENT)
    dossier.update_contact(mamie.id, phone="0556222222")
    fiche = dossier.fiche(K.CONTACTS, "paolo")
    assert fiche.state is S.DRAFT
    assert fiche.in_force
    assert fiche.data["contacts"][0].contact.phone == "0556222222"
    assert fiche.validated.data["contacts"][0].contact.phone == "0556111111"  # type: ignore[union-attr]


# -- health (p. 8) ---------------------------------------------------------------------------------


def test_vaccination_status_with_a_three_month_provisional_admission(dossier: ps.Dossier) -> None:
    # « L'article R3111-8 du code de santé publique prévoit une possibilité d'accueil
    # provisoire de trois mois »
    dossier.edit(
        K.SANTE, "paolo", vaccinations_up_to_date=False, admitted_on=date(2024, 9, 2), doctor_name="Dr M"
    )
    assert dossier.vaccination_status("paolo", date(2024, 9, 2)) is ps.VaccinationStatus.PROVISIONAL
    assert dossier.vaccination_status("paolo", date(2024, 12, 1)) is ps.VaccinationStatus.PROVISIONAL
    assert dossier.vaccination_status("paolo", date(2024, 12, 2)) is ps.VaccinationStatus.NOT_ADMITTED
    dossier.edit(K.SANTE, "paolo", vaccinations_up_to_date=True)
    assert dossier.vaccination_status("paolo", date(2025, 1, 6)) is ps.VaccinationStatus.UP_TO_DATE


def test_a_contraindication_counts_with_its_certificate(dossier: ps.Dossier) -> None:
    dossier.edit(
        K.SANTE, "paolo", vaccinations_up_to_date=False, vaccination_contraindicated=True, doctor_name="Dr M"
    )
    assert dossier.vaccination_status("paolo", date(2024, 9, 2)) is ps.VaccinationStatus.NOT_ADMITTED
    dossier.attach(K.SANTE, "paolo", ps.Document.CONTRAINDICATION_CERTIFICATE, [pdf("certificat.pdf")])
    assert dossier.vaccination_status("paolo", date(2024, 9, 2)) is ps.VaccinationStatus.CONTRAINDICATED


def test_a_pai_needs_the_prescription_and_a_photo(dossier: ps.Dossier) -> None:
    dossier.edit(K.SANTE, "paolo", **SANTE, pai=True)
    dossier.attach(K.SANTE, "paolo", ps.Document.PAI_PRESCRIPTION, [pdf("ordonnance.pdf")])
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.SANTE, "paolo", now=JUNE)
    assert "Photo d'identité de l'enfant (PAI)" in info.value.message
    dossier.attach(K.SANTE, "paolo", ps.Document.PAI_PHOTO, [ps.Upload("paolo.jpg", JPEG)])
    dossier.transmit(K.SANTE, "paolo", now=JUNE)


def test_health_data_never_appears_in_a_repr_or_an_error_message(dossier: ps.Dossier) -> None:
    secret = "allergie sévère à l'arachide"
    dossier.edit(K.SANTE, "paolo", allergies=secret, pathologies="asthme")
    texts = [
        repr(dossier),
        repr(dossier.fiche(K.SANTE, "paolo")),
        repr(dossier.fiche(K.SANTE, "paolo").current),
    ]
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.SANTE, "paolo", now=JUNE)  # the doctor is missing
    texts.append(str(info.value))
    with pytest.raises(ps.DossierError) as info:
        dossier.edit(K.SANTE, "paolo", allergies=["arachide"])
    texts.append(str(info.value))
    for text in texts:
        assert "arachide" not in text
        assert "asthme" not in text


def test_every_fiche_field_has_a_french_label() -> None:
    for fields in SCHEMA.values():
        for field in fields:
            assert field.label
            assert field.label[0].isupper() or field.label.startswith("J'")


# -- as data (what a store keeps) ----------------------------------------------------------


def _everything(dossier: ps.Dossier) -> ps.Dossier:
    fill_everything(dossier)
    validate_everything(dossier)
    contact = dossier.add_contact("DURAND", "Anne", "0601020304", email="anne@example.fr")
    dossier.link_contact("paolo", contact.id, relationship="Tante", may_pick_up=True, emergency_call=False)
    dossier.edit(ps.FicheKind.SANTE, "amalia", allergies="pollen")
    return dossier


def test_a_dossier_comes_back_equal_through_json(dossier: ps.Dossier) -> None:
    import json

    data = _everything(dossier).to_dict()
    back = ps.Dossier.from_dict(json.loads(json.dumps(data)))
    assert back.to_dict() == data
    assert back.counts() == dossier.counts()
    assert back.events == dossier.events
    assert back.contacts == dossier.contacts
    fiche = back.fiche(ps.FicheKind.SANTE, "amalia")
    # edited, transmitted, validated, edited again: four changes
    assert (fiche.state, fiche.in_force, fiche.version) == (ps.FicheState.DRAFT, True, 4)
    assert fiche.validated is not None
    assert fiche.validated.data["allergies"] == "arachide"
    assert isinstance(fiche.current.data["admitted_on"], date | None)
    proofs = back.fiche(ps.FicheKind.RESPONSABLE).attachments[ps.Document.PROOF_OF_ADDRESS]
    # the bytes stay with the host: every uploaded proof comes back as a StoredFile
    assert len(proofs) >= 1
    assert all(isinstance(f, ps.StoredFile) for f in proofs)


def test_a_new_year_never_reuses_a_deleted_contacts_id(dossier: ps.Dossier) -> None:
    # « Supprimer un contact » (p. 7): its id is gone for good, the next year too.
    first = dossier.add_contact("DURAND", "Anne", "0601020304")
    dossier.link_contact("paolo", first.id, relationship="Tante", may_pick_up=True, emergency_call=True)
    second = dossier.add_contact("MOREAU", "Luc", "0605060708")
    dossier.delete_contact(second.id)
    following = dossier.new_year()
    assert following.add_contact("PETIT", "Zoé", "0611121314").id == "C3"
    assert following.contacts[0] == first


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["fiches"][0].update(state="validated"), "fiches[0].validated"),
        (lambda d: d["fiches"][0].update(kind="carnet"), "fiches[0].kind"),
        (lambda d: d["fiches"].pop(), "fiches"),
        (lambda d: d["fiches"].append(d["fiches"][0]), "fiches[6]"),
        (
            lambda d: d["fiches"][5]["current"]["data"].update(pointure="32"),
            "fiches[5].current.data.pointure",
        ),
        (lambda d: d["fiches"][5]["current"]["data"].update(pai="oui-secret"), "fiches[5].current.data.pai"),
        (lambda d: d.update(next_contact=1), "contacts[0].id"),
        (lambda d: d["events"][0].update(kind="carnet"), "events[0].kind"),
        (
            lambda d: d["fiches"][1]["current"]["attachments"].update(pai_photo=[]),
            "fiches[1].current.attachments.pai_photo",
        ),
        (lambda d: d.update(school_year="2024"), "school_year"),
    ],
)
def test_a_stored_dossier_that_breaks_a_rule_is_refused_at_load(change: Any, path: str) -> None:
    dossier = ps.Dossier.open(ps.Family("F-DUPONT", "DUPONT", (PAOLO,)), 2024)
    dossier.add_contact("DURAND", "Anne", "0601020304")
    dossier.transmit(ps.FicheKind.AUTORISATIONS, "paolo", now=JUNE)
    data = dossier.to_dict()
    change(data)
    with pytest.raises(ps.InvalidData) as info:
        ps.Dossier.from_dict(data)
    assert info.value.path == path
    assert "oui-secret" not in str(info.value)  # a value is never echoed: it may be health data


@pytest.mark.parametrize("truthy", ["non", "no", 1, None])
def test_a_yes_or_no_must_be_a_bool_not_a_truthy_value(dossier: ps.Dossier, truthy: Any) -> None:
    # « autorisé ou pas à récupérer l'enfant » (p. 7): "non" must never authorise (issue 11).
    contact = dossier.add_contact("DURAND", "Anne", "0601020304")
    with pytest.raises(ps.InvalidArgument):
        dossier.link_contact(
            "paolo", contact.id, relationship="Tante", may_pick_up=truthy, emergency_call=False
        )
    with pytest.raises(ps.InvalidArgument):
        dossier.link_contact(
            "paolo", contact.id, relationship="Tante", may_pick_up=False, emergency_call=truthy
        )
    assert dossier.fiche(ps.FicheKind.CONTACTS, "paolo").data["contacts"] == ()


def test_a_dossier_and_its_fiches_pickle_with_nothing_lost(dossier: ps.Dossier) -> None:
    # A host caching a dossier between requests (issue 11): uploads keep their bytes.
    import pickle

    _everything(dossier)
    back = pickle.loads(pickle.dumps(dossier))
    assert back.to_dict() == dossier.to_dict()
    assert back.fiches() == dossier.fiches()
    proofs = back.fiche(ps.FicheKind.RESPONSABLE).attachments[ps.Document.PROOF_OF_ADDRESS]
    assert [p.content for p in proofs] == [
        p.content for p in dossier.fiche(ps.FicheKind.RESPONSABLE).attachments[ps.Document.PROOF_OF_ADDRESS]
    ]


def test_transmitting_before_the_campaign_opens_is_refused() -> None:
    # « JE VALIDE TOUTES MES FICHES entre le 19 juin et le 16 août 2024 » (p. 15)
    d = ps.Dossier.open(FAMILY, 2024, opens=date(2024, 6, 19), deadline=date(2024, 8, 16))
    with pytest.raises(ps.DossierError) as info:
        d.transmit(K.AUTORISATIONS, "paolo", now=datetime(2024, 6, 18, 23, 59))
    assert info.value.code == "campaign_not_open"
    assert d.fiche(K.AUTORISATIONS, "paolo").state == ps.FicheState.TO_FILL
    assert d.transmit(K.AUTORISATIONS, "paolo", now=datetime(2024, 6, 19, 0, 0)).event == "transmitted"
    assert d.is_late(date(2024, 8, 17))  # the deadline stays


def test_the_other_responsable_certifies_the_same_way(dossier: ps.Dossier) -> None:
    # « B. LA FICHE AUTRE RESPONSABLE FAMILLE : Procéder de la même manière » (p. 6)
    d = ps.Dossier.open(FAMILY, 2024, other_responsable=True)
    d.edit(K.AUTRE_RESPONSABLE, last_name="DUPONT", first_name="Marie", phone="0601020304")
    with pytest.raises(ps.DossierError) as info:
        d.transmit(K.AUTRE_RESPONSABLE, now=JUNE)
    assert info.value.code == "missing_certification"
    assert (
        d.transmit(K.AUTRE_RESPONSABLE, now=JUNE, signature=ps.Signature("Marie DUPONT")).event
        == "transmitted"
    )


def test_an_insurance_ending_on_31_december_does_not_lock_the_family_out_on_1_january(
    dossier: ps.Dossier,
) -> None:
    # « Attestation d'assurance pour l'année scolaire » (p. 15) often ends on 31 December: the
    # fiche goes « à mettre à jour », the family is told, and may still book during the grace period.
    fill_everything(dossier)
    validate_everything(dossier)
    dossier.edit(K.ASSURANCE, "paolo", expiry=date(2024, 12, 31))
    dossier.transmit(K.ASSURANCE, "paolo", now=JUNE)
    dossier.validate(K.ASSURANCE, "paolo", now=JUNE, agent=AGENT)
    (event,) = dossier.check_expiries(date(2025, 1, 1))
    assert event.event == "to_update"
    assert dossier.fiche(K.ASSURANCE, "paolo").state == ps.FicheState.TO_UPDATE
    assert not dossier.grants_booking_access  # strictly
    assert dossier.booking_access(date(2025, 1, 1))  # but the family may still book...
    assert dossier.booking_access(date(2025, 1, 31))  # ...for 31 days (the default)
    assert not dossier.booking_access(date(2025, 2, 1))
    strict = ps.Dossier.open(FAMILY, 2024, insurance_grace_days=0)
    assert strict.insurance_grace_days == 0


def test_the_family_record_page_is_accepted_on_the_responsable_fiche(dossier: ps.Dossier) -> None:
    # « Page supplémentaire du livret de famille en cas de naissance » (p. 15): the library's placement.
    fiche = dossier.attach(K.RESPONSABLE, None, ps.Document.FAMILY_RECORD_PAGE, [pdf("livret.pdf")])
    assert ps.Document.FAMILY_RECORD_PAGE in fiche.attachments
    assert not ps.Document.FAMILY_RECORD_PAGE.every_year
