"""The dossier's rules, case by case (guide p. 4-9 and p. 15): what opening a
dossier accepts, which fiche an operation names, what a field accepts, what a
transmission needs, the agent's decisions, expiries, the next year and contacts.

The scenarios of a whole campaign are in tests/test_dossier.py; the stored
form in tests/test_dossier_storage.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

import periscolaire as ps
from periscolaire.dossier import required_documents
from tests.test_dossier import AGENT, ASSURANCE, FAMILY, JUNE, PAOLO, RESPONSABLE, SANTE, fill_everything, pdf

K, S = ps.FicheKind, ps.FicheState
LOU = ps.Child("lou", "Lou", "DUPONT")


@pytest.fixture
def dossier() -> ps.Dossier:
    return ps.Dossier.open(FAMILY, school_year=2024, other_responsable=True, deadline=date(2024, 8, 16))


def insured(d: ps.Dossier, child: str = "paolo", expiry: date = date(2025, 8, 31)) -> None:
    """The child's insurance filled, attached, transmitted and validated."""
    d.edit(K.ASSURANCE, child, **{**ASSURANCE, "expiry": expiry})
    d.attach(K.ASSURANCE, child, ps.Document.INSURANCE_CERTIFICATE, [pdf("attestation.pdf")])
    d.transmit(K.ASSURANCE, child, now=JUNE)
    d.validate(K.ASSURANCE, child, now=JUNE, agent=AGENT)


# -- opening a dossier -------------------------------------------------------------------------


@pytest.mark.parametrize("year", [1900, 2024, 2999])
def test_a_school_year_is_a_year_from_1900_to_2999(year: int) -> None:
    assert ps.Dossier(FAMILY, year).school_year == year


@pytest.mark.parametrize("year", [1899, 3000, True, "2024", 2024.0])
def test_a_school_year_outside_1900_2999_or_not_an_int_is_refused(year: Any) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        ps.Dossier(FAMILY, year)
    assert info.value.message.startswith("school_year : ")


@pytest.mark.parametrize("days", [0, 31, 366])
def test_the_insurance_grace_period_is_0_to_366_days(days: int) -> None:
    assert ps.Dossier.open(FAMILY, 2024, insurance_grace_days=days).insurance_grace_days == days


@pytest.mark.parametrize("days", [-1, 367, True, "31", 31.0])
def test_an_insurance_grace_period_outside_0_366_days_is_refused(days: Any) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        ps.Dossier.open(FAMILY, 2024, insurance_grace_days=days)
    assert info.value.message.startswith("insurance_grace_days : ")


@pytest.mark.parametrize("name", ["deadline", "school_year_start", "opens"])
@pytest.mark.parametrize("day", [datetime(2024, 8, 16, 12), "2024-08-16"])
def test_the_campaigns_dates_are_dates(name: str, day: Any) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        ps.Dossier.open(FAMILY, 2024, **{name: day})
    assert info.value.message.startswith(f"{name} : ")


def test_whether_there_is_another_responsable_is_a_bool() -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        ps.Dossier(FAMILY, 2024, other_responsable="non")  # type: ignore[arg-type]
    assert info.value.message.startswith("other_responsable : ")
    with pytest.raises(ps.InvalidArgument) as info:
        ps.Dossier("F-DUPONT", 2024)  # type: ignore[arg-type]
    assert info.value.message.startswith("family : ")


def test_a_dossier_has_no_other_responsable_unless_told() -> None:
    assert [f.kind for f in ps.Dossier(FAMILY, 2024).fiches()][:2] == [K.RESPONSABLE, K.ASSURANCE]


def test_the_school_year_starts_on_1_september_unless_the_commune_says_otherwise() -> None:
    assert ps.Dossier.open(FAMILY, 2024).school_year_start == date(2024, 9, 1)
    assert ps.Dossier(FAMILY, 2024).school_year_start == date(2024, 9, 1)
    rentree = date(2024, 9, 2)  # Cestas: « à partir du 2 septembre » (p. 15)
    assert ps.Dossier.open(FAMILY, 2024, school_year_start=rentree).school_year_start == rentree
    assert ps.Dossier.open(FAMILY, 2024).insurance_grace_days == 31


# -- which fiche -------------------------------------------------------------------------------


def test_an_unknown_fiche_is_refused_naming_the_fiches(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.DossierError) as info:
        dossier.fiche("carnet", "paolo")
    assert info.value.code == "unknown_fiche"
    assert "'carnet'" in info.value.message
    assert "(responsable, autre_responsable, assurance, autorisations, contacts, sante, reglement)" in (
        info.value.message
    )


def test_a_family_fiche_takes_no_child(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.DossierError) as info:
        dossier.fiche(K.RESPONSABLE, "paolo")
    assert info.value.code == "not_a_child_fiche"
    assert "Fiche responsable compte famille" in info.value.message


def test_a_dossier_without_another_responsable_has_no_such_fiche() -> None:
    d = ps.Dossier.open(FAMILY, 2024)
    with pytest.raises(ps.DossierError) as info:
        d.edit(K.AUTRE_RESPONSABLE, last_name="DUPONT")
    assert info.value.code == "unknown_fiche"
    assert "Fiche autre responsable famille" in info.value.message


@pytest.mark.parametrize("child", [None, "lea"])
def test_a_child_fiche_names_a_child_of_the_family(dossier: ps.Dossier, child: str | None) -> None:
    with pytest.raises(ps.UnknownChild) as info:
        dossier.fiche(K.SANTE, child)
    assert info.value.child == str(child)
    assert repr(child) in info.value.message


# -- what a field accepts (p. 5-8) ---------------------------------------------------------------


def test_a_text_field_is_kept_without_surrounding_spaces(dossier: ps.Dossier) -> None:
    fiche = dossier.edit(K.RESPONSABLE, last_name="  DUPONT ", city="Cestas")
    assert (fiche.data["last_name"], fiche.data["city"]) == ("DUPONT", "Cestas")


def test_none_clears_a_field_and_the_other_values_are_kept(dossier: ps.Dossier) -> None:
    dossier.edit(K.ASSURANCE, "paolo", **ASSURANCE)
    fiche = dossier.edit(K.ASSURANCE, "paolo", company=None, contract_number="7654321B")
    assert fiche.data["company"] is None
    assert fiche.data["contract_number"] == "7654321B"


def test_email_addresses_are_stored_separated_by_a_semicolon_and_a_space(dossier: ps.Dossier) -> None:
    fiche = dossier.edit(K.RESPONSABLE, emails="jp.dupont@example.fr;marie.dupont@example.fr")
    assert fiche.data["emails"] == "jp.dupont@example.fr; marie.dupont@example.fr"


@pytest.mark.parametrize(
    ("kind", "child", "values", "label"),
    [
        (K.RESPONSABLE, None, {"emails": ["jp.dupont@example.fr"]}, "« Adresses mail » invalide"),
        (
            K.ASSURANCE,
            "paolo",
            {"expiry": datetime(2025, 8, 31)},
            "« Date d'échéance » invalide (date attendu)",
        ),
        (K.ASSURANCE, "paolo", {"contract_number": 1234567}, "« Numéro de contrat » invalide (str attendu)"),
        (K.AUTORISATIONS, "paolo", {"publication": 0}, "« Publication » invalide (bool attendu)"),
        (K.SANTE, "paolo", {"allergies": "arachide \ud83e"}, "« Allergies » invalide (caractère)"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_naming_the_fiche_and_the_field(
    dossier: ps.Dossier, kind: ps.FicheKind, child: str | None, values: dict[str, Any], label: str
) -> None:
    with pytest.raises(ps.DossierError) as info:
        dossier.edit(kind, child, **values)
    assert info.value.code == "bad_value"
    where = kind.label if child is None else f"{kind.label} (Paolo)"
    assert info.value.message.startswith(f"{where} : {label}")
    assert dossier.fiche(kind, child).state is S.TO_FILL


def test_an_unknown_field_is_named(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.DossierError) as info:
        dossier.edit(K.SANTE, "paolo", pointure="32")
    assert info.value.code == "unknown_field"
    assert info.value.message == "Fiche santé (Paolo) : champ inconnu « pointure »."


# -- documents (p. 4-8, p. 15) -------------------------------------------------------------------


def test_a_pai_and_changed_vaccinations_need_all_their_documents() -> None:
    flags = {"vaccinations_changed": True, "vaccination_contraindicated": True, "pai": True}
    assert required_documents(K.SANTE, flags) == (
        ps.Document.VACCINATION_PAGES,
        ps.Document.CONTRAINDICATION_CERTIFICATE,
        ps.Document.PAI_PRESCRIPTION,
        ps.Document.PAI_PHOTO,
    )


def test_an_unknown_document_is_refused(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.DossierError) as info:
        dossier.attach(K.SANTE, "paolo", "radio", [pdf()])
    assert info.value.code == "unknown_document"
    assert "'radio'" in info.value.message


def test_a_document_not_expected_on_a_fiche_is_named(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.DossierError) as info:
        dossier.attach(K.AUTORISATIONS, "paolo", ps.Document.PAI_PHOTO, [pdf()])
    assert info.value.code == "unexpected_document"
    assert info.value.message.startswith("Fiche d'autorisations parentales (Paolo) : pièce non attendue")
    assert ps.Document.PAI_PHOTO.label in info.value.message


@pytest.mark.parametrize("files", [pdf(), [PAOLO], [b"%PDF-1.7"], "piece.pdf"])
def test_a_documents_files_are_a_list_of_uploads(dossier: ps.Dossier, files: Any) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, files)
    assert info.value.message == "files : une liste de ps.Upload est attendue."


def test_a_transmitted_fiche_takes_no_new_document(dossier: ps.Dossier) -> None:
    dossier.edit(K.ASSURANCE, "paolo", **ASSURANCE)
    dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf()])
    dossier.transmit(K.ASSURANCE, "paolo", now=JUNE)
    with pytest.raises(ps.DossierError) as info:
        dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [])
    assert info.value.code == "fiche_transmitted"
    assert info.value.message.startswith("Fiche assurance scolaire et extrascolaire (Paolo) : ")


# -- transmission ------------------------------------------------------------------------------


def test_an_insurance_running_until_the_first_day_of_school_is_accepted(dossier: ps.Dossier) -> None:
    # « l'attestation d'assurance pour l'année scolaire concernée » (p. 7): it covers the rentrée.
    dossier.edit(K.ASSURANCE, "paolo", **{**ASSURANCE, "expiry": date(2024, 9, 1)})
    dossier.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf()])
    assert dossier.transmit(K.ASSURANCE, "paolo", now=JUNE).event == "transmitted"
    late = ps.Dossier.open(FAMILY, 2024, school_year_start=date(2024, 9, 2))
    late.edit(K.ASSURANCE, "paolo", **{**ASSURANCE, "expiry": date(2024, 9, 1)})
    late.attach(K.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [pdf()])
    with pytest.raises(ps.DossierError) as info:
        late.transmit(K.ASSURANCE, "paolo", now=JUNE)
    assert info.value.code == "insurance_expired"
    assert "(02/09/2024)" in info.value.message


def test_a_fiche_with_several_problems_is_incomplete_and_lists_them_all(dossier: ps.Dossier) -> None:
    # « Si une ou plusieurs fiches sont rejetées en raison de l'absence d'un document et/ou
    # d'informations » (p. 9): the family sees everything that is missing at once.
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.ASSURANCE, "paolo", now=JUNE)
    assert info.value.code == "incomplete"
    assert info.value.message == (
        "Fiche assurance scolaire et extrascolaire (Paolo) : champs obligatoires manquants : "
        "Compagnie d'assurance, Numéro de contrat, Date d'échéance ; "
        "pièces manquantes : Attestation d'assurance pour l'année scolaire."
    )


def test_a_signature_is_a_signature(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        dossier.transmit(K.REGLEMENT, "paolo", now=JUNE, signature="J-P DUPONT")  # type: ignore[arg-type]
    assert info.value.message == "signature : une ps.Signature est attendue, reçu str."


@pytest.mark.parametrize("now", [date(2024, 6, 20), "2024-06-20T20:30"])
def test_a_transmission_happens_at_a_date_and_time(dossier: ps.Dossier, now: Any) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        dossier.transmit(K.AUTORISATIONS, "paolo", now=now)
    assert info.value.message.startswith("now : ")


def test_before_the_campaign_the_family_is_told_when_it_opens() -> None:
    # « JE VALIDE TOUTES MES FICHES entre le 19 juin et le 16 août 2024 » (p. 15)
    d = ps.Dossier.open(FAMILY, 2024, opens=date(2024, 6, 19))
    with pytest.raises(ps.DossierError) as info:
        d.transmit(K.AUTORISATIONS, "paolo", now=datetime(2024, 6, 1, 9))
    assert info.value.message.startswith(
        "Fiche d'autorisations parentales (Paolo) : la campagne du dossier 2024/2025 ouvre le 19/06/2024"
    )


def test_a_fiche_is_transmitted_once(dossier: ps.Dossier) -> None:
    dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    assert info.value.code == "already_transmitted"
    assert info.value.message.startswith("Fiche d'autorisations parentales (Paolo) : ")
    dossier.validate(K.AUTORISATIONS, "paolo", now=JUNE, agent=AGENT)
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    assert info.value.code == "already_validated"
    assert info.value.message.startswith("Fiche d'autorisations parentales (Paolo) : ")


def test_a_fresh_fiche_has_no_reason_and_no_validated_version(dossier: ps.Dossier) -> None:
    fiche = dossier.fiche(K.SANTE, "paolo")
    assert (fiche.reason, fiche.validated, fiche.in_force, fiche.version) == (None, None, False, 0)


# -- the agent ---------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", ["", "  ", None, 7, "agent\ud800"])
def test_a_decision_names_its_agent(dossier: ps.Dossier, agent: Any) -> None:
    dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    for decide in (
        lambda: dossier.validate(K.AUTORISATIONS, "paolo", now=JUNE, agent=agent),
        lambda: dossier.reject(K.AUTORISATIONS, "paolo", reason="Illisible.", now=JUNE, agent=agent),
    ):
        with pytest.raises(ps.InvalidArgument) as info:
            decide()
        assert info.value.message.startswith("agent : ")
    assert dossier.fiche(K.AUTORISATIONS, "paolo").state is S.TRANSMITTED


def test_a_blank_agent_is_told_a_non_empty_string_is_expected(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        dossier.validate(K.AUTORISATIONS, "paolo", now=JUNE, agent=" ")
    assert info.value.message == "agent : une chaîne non vide est attendue."


def test_an_event_says_who_decided_and_when(dossier: ps.Dossier) -> None:
    monday = datetime(2024, 6, 24, 9)
    dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    validated = dossier.validate(K.AUTORISATIONS, "paolo", now=monday, agent=AGENT)
    assert (validated.event, validated.at, validated.agent, validated.reason) == (
        "validated",
        monday,
        AGENT,
        None,
    )
    dossier.transmit(K.AUTORISATIONS, "amalia", now=JUNE)
    rejected = dossier.reject(
        K.AUTORISATIONS, "amalia", reason=" Signature absente. ", now=monday, agent=AGENT
    )
    assert (rejected.event, rejected.at, rejected.agent, rejected.reason) == (
        "rejected",
        monday,
        AGENT,
        "Signature absente.",
    )


def test_a_rejections_reason_is_a_string(dossier: ps.Dossier) -> None:
    dossier.transmit(K.AUTORISATIONS, "paolo", now=JUNE)
    with pytest.raises(ps.InvalidArgument) as info:
        dossier.reject(K.AUTORISATIONS, "paolo", reason=None, now=JUNE, agent=AGENT)  # type: ignore[arg-type]
    assert info.value.message.startswith("reason : ")
    with pytest.raises(ps.DossierError) as info:
        dossier.reject(K.AUTORISATIONS, "paolo", reason="", now=JUNE, agent=AGENT)
    assert (info.value.code, info.value.message) == ("missing_reason", "Un rejet a un motif.")


def test_only_a_transmitted_fiche_is_decided_on_and_the_error_says_its_state(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.DossierError) as info:
        dossier.validate(K.SANTE, "paolo", now=JUNE, agent=AGENT)
    assert info.value.message.startswith("Fiche santé (Paolo) : ")
    assert "(état : à saisir)" in info.value.message


# -- the e-mail's sentence (p. 5) ----------------------------------------------------------------


def test_each_event_has_its_sentence(dossier: ps.Dossier) -> None:
    fill_everything(dossier)
    label = "« Fiche responsable compte famille »"
    transmitted = dossier.events[0]
    assert transmitted.message() == f"Votre fiche {label} a été transmise au service Éducation."
    validated = dossier.validate(K.RESPONSABLE, now=JUNE, agent=AGENT)
    assert validated.message() == f"Votre fiche {label} a été validée par le service Éducation."
    rejected = dossier.reject(K.SANTE, "paolo", reason="Médecin inconnu.", now=JUNE, agent=AGENT)
    assert rejected.message() == (
        "Votre fiche « Fiche santé » (paolo) a été rejetée par le service Éducation : Médecin inconnu."
    )
    assert rejected.message("Paolo").startswith("Votre fiche « Fiche santé » (Paolo) ")


# -- booking access and expiries (p. 4, p. 7) ------------------------------------------------------


def test_an_incomplete_dossier_gives_no_booking_access_on_any_day(dossier: ps.Dossier) -> None:
    # « Les usagers dont les dossiers n'auront pas été transmis … ne pourront accéder à la
    # réservation des services » (p. 4): the grace period is for an insurance only.
    insured(dossier)
    for day in (date(2024, 8, 19), date(2025, 1, 1)):
        assert not dossier.booking_access(day)
    with pytest.raises(ps.InvalidArgument) as info:
        dossier.booking_access(datetime(2024, 8, 19, 9))  # type: ignore[arg-type]
    assert info.value.message.startswith("today : ")


def test_the_grace_period_is_for_an_insurance_validated_once(dossier: ps.Dossier) -> None:
    # An insurance never validated has no expiry in force: a rejected one gives no access.
    fill_everything(dossier)
    dossier.reject(K.ASSURANCE, "amalia", reason="Attestation illisible.", now=JUNE, agent=AGENT)
    assert not dossier.booking_access(date(2024, 8, 19))


def test_an_expired_insurance_is_told_once_at_the_day_it_was_found(dossier: ps.Dossier) -> None:
    insured(dossier, expiry=date(2024, 12, 31))
    (event,) = dossier.check_expiries(date(2025, 1, 1))
    assert (event.event, event.kind, event.child, event.at) == (
        "to_update",
        K.ASSURANCE,
        "paolo",
        date(2025, 1, 1),
    )
    assert event.reason == "assurance échue le 31/12/2024"
    assert event.message("Paolo") == (
        "Votre fiche « Fiche assurance scolaire et extrascolaire » (Paolo) est à mettre à jour : "
        "assurance échue le 31/12/2024"
    )
    assert dossier.fiche(K.ASSURANCE, "paolo").in_force is False
    assert dossier.check_expiries(date(2025, 1, 2)) == ()
    with pytest.raises(ps.InvalidArgument) as info:
        dossier.check_expiries(datetime(2025, 1, 2, 0, 0))  # type: ignore[arg-type]
    assert info.value.message.startswith("today : ")


def test_an_insurance_reopened_by_the_family_expires_too_and_stays_in_its_draft(dossier: ps.Dossier) -> None:
    insured(dossier, expiry=date(2024, 12, 31))
    dossier.edit(K.ASSURANCE, "paolo", contract_number="7654321B")  # the validated version in force
    assert [e.event for e in dossier.check_expiries(date(2025, 1, 1))] == ["to_update"]
    fiche = dossier.fiche(K.ASSURANCE, "paolo")
    assert (fiche.state, fiche.in_force) == (S.DRAFT, False)
    assert dossier.check_expiries(date(2025, 1, 2)) == ()


# -- the next school year (p. 4) -----------------------------------------------------------------


def test_the_next_year_keeps_the_dossiers_settings_and_takes_its_own_campaign(dossier: ps.Dossier) -> None:
    d = ps.Dossier.open(FAMILY, 2024, other_responsable=True, insurance_grace_days=10)
    following = d.new_year(deadline=date(2025, 8, 15), opens=date(2025, 6, 18))
    assert (following.school_year, following.deadline, following.opens) == (
        2025,
        date(2025, 8, 15),
        date(2025, 6, 18),
    )
    assert following.other_responsable
    assert following.insurance_grace_days == 10
    assert following.school_year_start == date(2025, 9, 1)
    assert d.new_year(2026).school_year == 2026


def test_a_renewed_dossier_sends_new_contacts_to_the_next_year(dossier: ps.Dossier) -> None:
    dossier.new_year()
    assert dossier.renewed_into == 2025
    with pytest.raises(ps.DossierError) as info:
        dossier.add_contact("DURAND", "Anne", "0601020304")
    assert info.value.code == "dossier_renewed"
    assert info.value.message == (
        "Ce dossier a été renouvelé pour 2025/2026 : ajoutez le contact au nouveau dossier."
    )


def test_a_new_child_listed_first_does_not_stop_the_others_fiches_from_being_renewed(
    dossier: ps.Dossier,
) -> None:
    fill_everything(dossier)
    for fiche in dossier.fiches():
        dossier.validate(fiche.kind, fiche.child, now=JUNE, agent=AGENT)
    following = dossier.new_year(family=ps.Family("F-DUPONT", "DUPONT", (LOU, *FAMILY.children)))
    assert following.fiche(K.SANTE, "lou").state is S.TO_FILL
    assert following.fiche(K.SANTE, "amalia").state is S.TO_UPDATE
    assert following.fiche(K.SANTE, "amalia").data["doctor_name"] == "Dr Martin"
    # the insurance certificate is renewed every year (p. 15)
    assert following.fiche(K.ASSURANCE, "amalia").attachments == {}


def test_a_fiche_not_validated_this_year_is_prefilled_but_still_to_fill() -> None:
    d = ps.Dossier.open(FAMILY, 2024)
    d.edit(K.SANTE, "paolo", **SANTE)
    d.attach(K.SANTE, "paolo", ps.Document.VACCINATION_PAGES, [pdf("carnet.pdf")])
    following = d.new_year()
    fiche = following.fiche(K.SANTE, "paolo")
    assert fiche.state is S.TO_FILL
    assert fiche.data["allergies"] == "arachide"
    # « Documents à transmettre uniquement en cas de changement de situation » (p. 15): kept
    assert list(fiche.attachments) == [ps.Document.VACCINATION_PAGES]


# -- contacts (p. 7) -------------------------------------------------------------------------------


def test_a_contact_keeps_its_address_and_email_apart(dossier: ps.Dossier) -> None:
    anne = dossier.add_contact(
        " DURAND ", "Anne ", "06 01 02 03 04", address="2 rue des Pins", email="anne@example.fr"
    )
    assert anne == ps.Contact("C1", "DURAND", "Anne", "06 01 02 03 04", "2 rue des Pins", "anne@example.fr")
    luc = dossier.add_contact("MOREAU", "Luc", "0605060708")
    assert (luc.id, luc.address, luc.email) == ("C2", "", "")
    assert dossier.contacts == (anne, luc)


@pytest.mark.parametrize("name", ["last_name", "first_name", "phone", "address", "email"])
def test_each_contact_detail_is_a_string(dossier: ps.Dossier, name: str) -> None:
    details: dict[str, Any] = {"last_name": "DURAND", "first_name": "Anne", "phone": "0601020304"}
    details[name] = 33610
    with pytest.raises(ps.InvalidArgument) as info:
        dossier.add_contact(**details)
    assert info.value.message == f"{name} : une chaîne est attendue."
    assert dossier.contacts == ()


@pytest.mark.parametrize("blank", ["last_name", "first_name", "phone"])
def test_a_contact_has_a_name_a_first_name_and_a_phone(dossier: ps.Dossier, blank: str) -> None:
    # « Renseignez leurs coordonnées : nom, prénom et téléphone, éventuellement adresse et mail » (p. 7)
    details = {"last_name": "DURAND", "first_name": "Anne", "phone": "0601020304", blank: " "}
    with pytest.raises(ps.DossierError) as info:
        dossier.add_contact(**details)
    assert (info.value.code, info.value.message) == (
        "missing_fields",
        "Un contact a un nom, un prénom et un téléphone.",
    )


def test_a_contacts_email_is_checked(dossier: ps.Dossier) -> None:
    with pytest.raises(ps.ProfileError):
        dossier.add_contact("DURAND", "Anne", "0601020304", email="anne@")
    anne = dossier.add_contact("DURAND", "Anne", "0601020304")
    with pytest.raises(ps.ProfileError):
        dossier.update_contact(anne.id, email="anne@")
    assert dossier.contacts == (anne,)


def test_an_unknown_contact_is_named(dossier: ps.Dossier) -> None:
    for act in (
        lambda: dossier.update_contact("C9", phone="0601020304"),
        lambda: dossier.delete_contact("C9"),
        lambda: dossier.link_contact(
            "paolo", "C9", relationship="Tante", may_pick_up=True, emergency_call=True
        ),
    ):
        with pytest.raises(ps.DossierError) as info:
            act()
        assert (info.value.code, info.value.message) == ("unknown_contact", "Contact inconnu : 'C9'.")


@pytest.mark.parametrize("relationship", ["", "  ", None])
def test_a_link_says_the_relationship(dossier: ps.Dossier, relationship: Any) -> None:
    # « Le lien de parenté de ce contact avec l'enfant » (p. 7)
    anne = dossier.add_contact("DURAND", "Anne", "0601020304")
    with pytest.raises(ps.DossierError) as info:
        dossier.link_contact(
            "paolo", anne.id, relationship=relationship, may_pick_up=True, emergency_call=True
        )
    assert info.value.code == "missing_fields"
    assert info.value.message == "Précisez le lien de parenté du contact."
    assert dossier.fiche(K.CONTACTS, "paolo").data["contacts"] == ()


@pytest.mark.parametrize("name", ["may_pick_up", "emergency_call"])
def test_each_yes_or_no_of_a_link_is_named_when_it_is_not_a_bool(dossier: ps.Dossier, name: str) -> None:
    anne = dossier.add_contact("DURAND", "Anne", "0601020304")
    answers: dict[str, Any] = {"may_pick_up": True, "emergency_call": True, name: "oui"}
    with pytest.raises(ps.InvalidArgument) as info:
        dossier.link_contact("paolo", anne.id, relationship="Tante", **answers)
    assert info.value.message.startswith(f"{name} : ")


def test_linking_a_contact_again_changes_its_link_and_keeps_the_others(dossier: ps.Dossier) -> None:
    anne = dossier.add_contact("DURAND", "Anne", "0601020304")
    luc = dossier.add_contact("MOREAU", "Luc", "0605060708")
    dossier.link_contact("paolo", anne.id, relationship="Tante", may_pick_up=True, emergency_call=True)
    dossier.link_contact("paolo", luc.id, relationship="Voisin", may_pick_up=False, emergency_call=True)
    fiche = dossier.link_contact(
        "paolo", anne.id, relationship=" Marraine ", may_pick_up=False, emergency_call=True
    )
    assert fiche.data["contacts"] == (
        ps.ContactLink(luc, "Voisin", may_pick_up=False, emergency_call=True),
        ps.ContactLink(anne, "Marraine", may_pick_up=False, emergency_call=True),
    )


def test_a_contacts_phone_address_and_email_can_change_the_others_links_untouched(
    dossier: ps.Dossier,
) -> None:
    anne = dossier.add_contact("DURAND", "Anne", "0601020304")
    luc = dossier.add_contact("MOREAU", "Luc", "0605060708")
    for contact in (anne, luc):
        dossier.link_contact(
            "paolo", contact.id, relationship="Voisin", may_pick_up=True, emergency_call=True
        )
    updated = dossier.update_contact(anne.id, address="3 allée des Chênes", email="anne@example.fr")
    assert (updated.address, updated.email, updated.phone) == (
        "3 allée des Chênes",
        "anne@example.fr",
        "0601020304",
    )
    assert dossier.contacts == (updated, luc)
    links = dossier.fiche(K.CONTACTS, "paolo").data["contacts"]
    assert [link.contact for link in links] == [updated, luc]
    assert dossier.update_contact(anne.id, address="").address == ""


@pytest.mark.parametrize("name", ["last_name", "first_name"])
def test_neither_name_of_a_contact_can_change(dossier: ps.Dossier, name: str) -> None:
    # « ATTENTION : le nom et le prénom ne sont pas modifiables » (p. 7)
    anne = dossier.add_contact("DURAND", "Anne", "0601020304")
    with pytest.raises(ps.DossierError) as info:
        dossier.update_contact(anne.id, **{name: "X"})
    assert info.value.code == "contact_name_locked"
    assert info.value.message == (
        "Le nom et le prénom d'un contact ne sont pas modifiables : supprimez-le et recréez-le."
    )


def test_a_contact_update_names_an_unknown_detail_and_refuses_a_blank_phone(dossier: ps.Dossier) -> None:
    anne = dossier.add_contact("DURAND", "Anne", "0601020304")
    with pytest.raises(ps.DossierError) as info:
        dossier.update_contact(anne.id, mobile="0601020304")
    assert (info.value.code, info.value.message) == ("unknown_field", "Champ de contact inconnu : 'mobile'.")
    with pytest.raises(ps.DossierError) as info:
        dossier.update_contact(anne.id, phone=" ")
    assert (info.value.code, info.value.message) == ("missing_fields", "Un contact a un téléphone.")
    with pytest.raises(ps.InvalidArgument) as info:
        dossier.update_contact(anne.id, phone=None)  # type: ignore[arg-type]
    assert info.value.message.startswith("phone : ")
    assert dossier.contacts == (anne,)


def test_deleting_a_contact_names_every_child_it_is_linked_to(dossier: ps.Dossier) -> None:
    anne = dossier.add_contact("DURAND", "Anne", "0601020304")
    for child in ("paolo", "amalia"):
        dossier.link_contact(child, anne.id, relationship="Tante", may_pick_up=True, emergency_call=True)
    with pytest.raises(ps.DossierError) as info:
        dossier.delete_contact(anne.id)
    assert info.value.message == "Retirez d'abord ce contact de chaque enfant (Paolo, Amalia)."


# -- what a repr shows (never health data) ----------------------------------------------------------


def test_reprs_show_states_and_counts_only(dossier: ps.Dossier) -> None:
    dossier.edit(K.SANTE, "paolo", allergies="arachide")
    assert repr(dossier.fiche(K.RESPONSABLE)) == "Fiche(responsable, state=to_fill)"
    assert repr(dossier.fiche(K.SANTE, "paolo")) == "Fiche(sante, child='paolo', state=draft)"
    assert repr(dossier) == "Dossier(family='F-DUPONT', school_year=2024, to_fill=11, draft=1)"


def test_a_fresh_fiche_holds_its_fields_defaults(dossier: ps.Dossier) -> None:
    assert dossier.fiche(K.RESPONSABLE).data == {**dict.fromkeys(RESPONSABLE), "separated": False}
