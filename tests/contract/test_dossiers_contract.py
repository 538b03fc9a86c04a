"""Family dossiers in a store, on every backend (memory, SQLite, PostgreSQL, MariaDB).

The guide's dossier (p. 4-9): fiches « à valider et transmettre », validated or
rejected by the service Éducation, a validated version kept while the family
updates it, contacts, health. In a store: what one worker writes every
other reads, a stale form is refused instead of overwriting, decisions are
history, health data is sealed at rest with the host's key, and a family's
handle reaches nothing of another family's.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

import periscolaire as ps
from periscolaire.attachments import FileType
from periscolaire.store.health import HealthCipher, HealthDataWarning
from tests.stores import Backend, keyed

cryptography = pytest.importorskip("cryptography", reason="the [crypto] extra seals health data")

PAOLO = ps.Child("paolo", "Paolo", "DUPONT")
DUPONT = ps.Family("F-DUPONT", "DUPONT", (PAOLO,))
LEA = ps.Child("lea", "Léa", "MARTIN")
MARTIN = ps.Family("F-MARTIN", "MARTIN", (LEA,))
KEY = HealthCipher.generate_key()
NOW = datetime(2024, 6, 20, 9, 30)  # the campaign: « entre le 19 juin et le 16 août » (p. 15)
PDF = b"%PDF-1.7 ordonnance du docteur\n%%EOF\n"
PNG = (  # a 1 x 1 PNG whose text chunk says « photo »
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\rtEXtComment\x00photo\xc4X\x8c\xba\x00\x00\x00\x00IEND\xaeB`\x82"
)
# Values found nowhere else: the at-rest test looks for them in every table.
HEALTH = {
    "allergies": "allergie-arachide-7f3q",
    "pathologies": "asthme-9k2z",
    "doctor_name": "Docteur Fictif-4x8w",
    "recommendations": "ventoline-dans-le-sac-2m5r",
    "vaccinations_up_to_date": True,
    "pai": True,
}


@pytest.fixture
def families(cestas: ps.Commune, backend: Backend) -> ps.Families:
    return ps.Families(keyed(cestas, "dossier"), store=backend.store(health_keys=[KEY]))


def reopen(families: ps.Families, backend: Backend, **options: object) -> ps.Families:
    """The same commune's families through a new store (another worker, a restart)."""
    return ps.Families(families.commune, store=backend.store(health_keys=[KEY], **options))


def opened(families: ps.Families, family: ps.Family = DUPONT) -> ps.FamilyDossier:
    dossier = families.family(family).dossier(2024)
    dossier.open()
    return dossier


def fill_autorisations(dossier: ps.FamilyDossier, child: str = "paolo") -> ps.FicheEvent:
    return dossier.transmit(ps.FicheKind.AUTORISATIONS, child, now=NOW)


def test_a_dossier_opened_by_one_worker_is_read_by_another(families: ps.Families, backend: Backend) -> None:
    # « Le dossier famille doit être actualisé chaque année » (p. 4): one per school year.
    dossier = opened(families)
    dossier.edit(ps.FicheKind.SANTE, "paolo", **HEALTH)
    other = reopen(families, backend).family(DUPONT).dossier(2024)
    fiche = other.fiche(ps.FicheKind.SANTE, "paolo")
    assert fiche.state is ps.FicheState.DRAFT
    assert fiche.data["allergies"] == HEALTH["allergies"]
    assert len(other.fiches()) == 6
    assert families.agent("martine").dossiers(2024) == ["F-DUPONT"]
    assert families.family(DUPONT).dossier(2025).exists() is False


def test_opening_twice_keeps_the_first_dossier(families: ps.Families) -> None:
    dossier = opened(families)
    dossier.edit(ps.FicheKind.SANTE, "paolo", allergies="aucune")
    dossier.open()
    assert dossier.fiche(ps.FicheKind.SANTE, "paolo").data["allergies"] == "aucune"


def test_a_dossier_not_opened_is_a_typed_error(families: ps.Families) -> None:
    with pytest.raises(ps.DossierError) as info:
        families.family(DUPONT).dossier(2024).edit(ps.FicheKind.SANTE, "paolo", allergies="aucune")
    assert info.value.code == "no_dossier"


def test_the_validated_version_stays_in_force_while_a_change_is_pending(
    families: ps.Families, backend: Backend
) -> None:
    # « Une fois validées, les fiches ne sont plus modifiables et sont transmises au
    # service Education qui les contrôlera puis les validera ou les refusera » (p. 5)
    dossier = opened(families)
    fill_autorisations(dossier)
    families.agent("martine").dossier("F-DUPONT", 2024).validate(ps.FicheKind.AUTORISATIONS, "paolo", now=NOW)
    dossier.edit(ps.FicheKind.AUTORISATIONS, "paolo", image_rights=False)
    fiche = reopen(families, backend).family(DUPONT).dossier(2024).fiche(ps.FicheKind.AUTORISATIONS, "paolo")
    assert fiche.state is ps.FicheState.DRAFT
    assert fiche.in_force
    assert fiche.validated is not None
    assert fiche.validated.data["image_rights"] is True
    assert fiche.data["image_rights"] is False


def test_a_stale_form_is_refused_and_loses_neither_the_validated_version_nor_the_draft(
    families: ps.Families,
) -> None:
    dossier = opened(families)
    dossier.edit(ps.FicheKind.AUTORISATIONS, "paolo", publication=False)
    fill_autorisations(dossier)
    agent = families.agent("martine").dossier("F-DUPONT", 2024)
    read_at = dossier.fiche(ps.FicheKind.AUTORISATIONS, "paolo").version
    agent.validate(ps.FicheKind.AUTORISATIONS, "paolo", now=NOW, version=read_at)
    # The family's form was read before the validation: sent back, it is refused.
    with pytest.raises(ps.StaleWrite) as info:
        dossier.edit(ps.FicheKind.AUTORISATIONS, "paolo", version=read_at, image_rights=False)
    assert info.value.code == "stale_write"
    fiche = dossier.fiche(ps.FicheKind.AUTORISATIONS, "paolo")
    assert fiche.state is ps.FicheState.VALIDATED
    assert fiche.validated is not None
    assert fiche.validated.data["publication"] is False
    assert fiche.data["image_rights"] is True
    # Read again, the form goes through; the validated version stays in force.
    fiche = dossier.edit(ps.FicheKind.AUTORISATIONS, "paolo", version=fiche.version, image_rights=False)
    assert (fiche.state, fiche.in_force, fiche.data["image_rights"]) == (ps.FicheState.DRAFT, True, False)
    # And an agent validating a fiche the family changed since he read it is refused too.
    with pytest.raises(ps.StaleWrite):
        agent.validate(ps.FicheKind.AUTORISATIONS, "paolo", now=NOW, version=read_at)


def test_every_write_bumps_the_dossier_version(families: ps.Families) -> None:
    dossier = opened(families)
    assert dossier.version == 1
    dossier.edit(ps.FicheKind.SANTE, "paolo", allergies="aucune")
    fill_autorisations(dossier)
    assert dossier.version == 3


def test_decisions_are_kept_as_history_with_who_when_and_why(families: ps.Families, backend: Backend) -> None:
    # « Vous recevrez un mail vous informant de l'action de votre gestionnaire » (p. 5)
    dossier = opened(families)
    fill_autorisations(dossier)
    agent = families.agent("martine").dossier("F-DUPONT", 2024)
    agent.reject(
        ps.FicheKind.AUTORISATIONS, "paolo", reason="Signature illisible", now=datetime(2024, 6, 21, 10)
    )
    fill_autorisations(dossier)
    agent.validate(ps.FicheKind.AUTORISATIONS, "paolo", now=datetime(2024, 6, 22, 11))
    events = reopen(families, backend).agent("controle").dossier("F-DUPONT", 2024).events
    assert [(e.event, e.agent, e.reason, e.at) for e in events] == [
        ("transmitted", None, None, NOW),
        ("rejected", "martine", "Signature illisible", datetime(2024, 6, 21, 10)),
        ("transmitted", None, None, NOW),
        ("validated", "martine", None, datetime(2024, 6, 22, 11)),
    ]


def test_a_refused_operation_writes_nothing(families: ps.Families) -> None:
    # « Tous les éléments avec un astérisque (*) sont à renseigner » (p. 5)
    dossier = opened(families)
    before = (dossier.version, dossier.read().to_dict())
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(ps.FicheKind.RESPONSABLE, now=NOW)
    assert info.value.code == "incomplete"
    with pytest.raises(ps.DossierError):
        dossier.edit(ps.FicheKind.SANTE, "paolo", allergies="aucune", pointure="32")
    assert (dossier.version, dossier.read().to_dict()) == before


def test_attachment_limits_are_checked_before_anything_is_written(families: ps.Families) -> None:
    # « jusqu'à 4 fichiers, mais chaque fichier ne devra pas dépasser une taille de 2000 ko » (p. 5)
    dossier = opened(families)
    version = dossier.version
    five = [ps.Upload(f"p{i}.pdf", PDF + bytes([i])) for i in range(5)]
    with pytest.raises(ps.AttachmentRejected) as info:
        dossier.attach(ps.FicheKind.SANTE, "paolo", ps.Document.PAI_PRESCRIPTION, five)
    assert info.value.code == "too_many_files"
    too_big = [ps.Upload("gros.pdf", b"%PDF-" + bytes(2_048_000))]
    with pytest.raises(ps.AttachmentRejected) as info:
        dossier.attach(ps.FicheKind.SANTE, "paolo", ps.Document.PAI_PRESCRIPTION, too_big)
    assert info.value.code == "too_large"
    assert dossier.version == version
    for upload in five + too_big:
        stored = ps.StoredFile(upload.name, 1, FileType.PDF, upload.sha256)
        with pytest.raises(ps.DossierError):
            dossier.file_content(stored)


def test_files_are_kept_with_their_metadata_and_read_back(families: ps.Families, backend: Backend) -> None:
    dossier = opened(families)
    upload = ps.Upload("ordonnance.pdf", PDF, issued_on=date(2024, 6, 1))
    dossier.attach(ps.FicheKind.SANTE, "paolo", ps.Document.PAI_PRESCRIPTION, [upload])
    other = reopen(families, backend).family(DUPONT).dossier(2024)
    (stored,) = other.fiche(ps.FicheKind.SANTE, "paolo").attachments[ps.Document.PAI_PRESCRIPTION]
    assert isinstance(stored, ps.StoredFile)
    assert (stored.name, stored.size, stored.type.value, stored.sha256, stored.issued_on) == (
        "ordonnance.pdf",
        len(PDF),
        "pdf",
        upload.sha256,
        date(2024, 6, 1),
    )
    assert other.file_content(stored) == PDF


def test_contact_ids_are_never_reused_from_year_to_year(families: ps.Families, backend: Backend) -> None:
    # « Créer un nouveau contact » (p. 7); a contact deleted is gone for good.
    dossier = opened(families)
    first = dossier.add_contact("DURAND", "Anne", "0601020304")
    second = dossier.add_contact("MOREAU", "Luc", "0605060708")
    dossier.link_contact("paolo", first.id, relationship="Tante", may_pick_up=True, emergency_call=True)
    dossier.delete_contact(second.id)
    following = reopen(families, backend).family(DUPONT).dossier(2025)
    following.open(renew_from=2024)
    third = following.add_contact("PETIT", "Zoé", "0611121314")
    assert (first.id, second.id, third.id) == ("C1", "C2", "C3")
    assert [c.id for c in following.contacts] == ["C1", "C3"]
    links = following.fiche(ps.FicheKind.CONTACTS, "paolo").data["contacts"]
    assert [link.contact for link in links] == [first]


def test_insurance_expiry_is_written_once(families: ps.Families) -> None:
    # An insurance past its expiry date turns its fiche « à mettre à jour » (p. 5).
    dossier = opened(families)
    dossier.edit(
        ps.FicheKind.ASSURANCE, "paolo", company="MAIF", contract_number="123", expiry=date(2024, 12, 31)
    )
    dossier.attach(
        ps.FicheKind.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [ps.Upload("assurance.pdf", PDF)]
    )
    dossier.transmit(ps.FicheKind.ASSURANCE, "paolo", now=NOW)
    agent = families.agent("martine")
    agent.dossier("F-DUPONT", 2024).validate(ps.FicheKind.ASSURANCE, "paolo", now=NOW)
    assert agent.check_expiries(date(2024, 12, 31), 2024) == {}
    found = agent.check_expiries(date(2025, 1, 1), 2024)
    assert [e.event for e in found["F-DUPONT"]] == ["to_update"]
    assert agent.check_expiries(date(2025, 1, 2), 2024) == {}  # the next night: nothing more
    assert dossier.fiche(ps.FicheKind.ASSURANCE, "paolo").state is ps.FicheState.TO_UPDATE


def test_a_family_handle_reaches_nothing_of_another_family(families: ps.Families) -> None:
    # Separated parents and neighbours alike: each account sees its own dossier only.
    dupont = opened(families)
    dupont.edit(ps.FicheKind.SANTE, "paolo", **HEALTH)
    contact = dupont.add_contact("DURAND", "Anne", "0601020304")
    dupont.attach(ps.FicheKind.SANTE, "paolo", ps.Document.PAI_PRESCRIPTION, [ps.Upload("pai.pdf", PDF)])
    (file,) = dupont.fiche(ps.FicheKind.SANTE, "paolo").attachments[ps.Document.PAI_PRESCRIPTION]
    martin = families.family(MARTIN).dossier(2024)
    with pytest.raises(ps.DossierError) as info:
        martin.fiche(ps.FicheKind.SANTE, "paolo")
    assert info.value.code == "no_dossier"  # MARTIN has no dossier: DUPONT's is not found either
    martin.open()
    refused = [
        lambda: martin.fiche(ps.FicheKind.SANTE, "paolo"),
        lambda: martin.edit(ps.FicheKind.SANTE, "paolo", allergies="x"),
        lambda: martin.transmit(ps.FicheKind.AUTORISATIONS, "paolo", now=NOW),
        lambda: martin.link_contact(
            "lea", contact.id, relationship="Tante", may_pick_up=True, emergency_call=False
        ),
        lambda: martin.delete_contact(contact.id),
        lambda: martin.file_content(file),
    ]
    codes = []
    for attempt in refused:
        with pytest.raises(ps.PeriscolaireError) as info:
            attempt()
        codes.append(info.value.code)
    assert codes == [
        "unknown_child",
        "unknown_child",
        "unknown_child",
        "unknown_contact",
        "unknown_contact",
        "unknown_file",
    ]
    assert martin.contacts == ()
    assert families.family(MARTIN).account.entries == ()
    # DUPONT's dossier is as it was.
    assert dupont.fiche(ps.FicheKind.SANTE, "paolo").data["allergies"] == HEALTH["allergies"]
    assert [c.id for c in dupont.contacts] == [contact.id]


def test_health_values_appear_in_no_repr_and_no_error(families: ps.Families) -> None:
    dossier = opened(families)
    fiche = dossier.edit(ps.FicheKind.SANTE, "paolo", **HEALTH)
    texts = [repr(dossier), repr(fiche), repr(fiche.current), repr(dossier.read()), repr(families)]
    with pytest.raises(ps.DossierError) as info:
        dossier.edit(ps.FicheKind.SANTE, "paolo", allergies=("allergie-secrete-5t6y",))
    texts.append(str(info.value))
    with pytest.raises(ps.StaleWrite) as stale:
        dossier.edit(ps.FicheKind.SANTE, "paolo", version=0, allergies="allergie-secrete-5t6y")
    texts.append(str(stale.value))
    for text in texts:
        for value in [*[v for v in HEALTH.values() if isinstance(v, str)], "allergie-secrete-5t6y"]:
            assert value not in text


# -- at rest (database stores) ---------------------------------------------------------------


def _every_table(url: str) -> bytes:
    """Every row of every periscolaire table, as bytes."""
    import sqlalchemy as sa

    from periscolaire.store.sql import metadata

    engine = sa.create_engine(url)
    dump = bytearray()
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                for value in row:
                    dump += value if isinstance(value, bytes | memoryview) else str(value).encode()
                    dump += b"\x00"
    engine.dispose()
    return bytes(dump)


def _fill_health(families: ps.Families) -> ps.FamilyDossier:
    dossier = opened(families)
    dossier.edit(ps.FicheKind.SANTE, "paolo", **HEALTH)
    dossier.attach(ps.FicheKind.SANTE, "paolo", ps.Document.PAI_PRESCRIPTION, [ps.Upload("pai.pdf", PDF)])
    dossier.attach(
        ps.FicheKind.SANTE,
        "paolo",
        ps.Document.PAI_PHOTO,
        [ps.Upload("photo.png", PNG)],
    )
    dossier.transmit(ps.FicheKind.SANTE, "paolo", now=NOW)
    families.agent("martine").dossier("F-DUPONT", 2024).reject(
        ps.FicheKind.SANTE, "paolo", reason="PAI-incomplet-3w9e", now=NOW
    )
    return dossier


def test_with_a_key_no_health_value_is_in_any_table(cestas: ps.Commune, sql_backend: Backend) -> None:
    # RGPD: health data sealed at rest (authenticated encryption) when the host gives a key.
    families = ps.Families(keyed(cestas, "rgpd"), store=sql_backend.store(health_keys=[KEY]))
    _fill_health(families)
    dump = _every_table(sql_backend.url)
    assert b"F-DUPONT" in dump  # the dump reads the rows
    for value in [*[v for v in HEALTH.values() if isinstance(v, str)], "PAI-incomplet-3w9e", "pai.pdf"]:
        assert value.encode() not in dump
    assert PDF not in dump
    assert b"photo" not in dump
    # ...and read back through the store, all of it is there.
    dossier = families.family(DUPONT).dossier(2024)
    fiche = dossier.fiche(ps.FicheKind.SANTE, "paolo")
    assert fiche.data["doctor_name"] == HEALTH["doctor_name"]
    assert fiche.reason == "PAI-incomplet-3w9e"
    assert dossier.file_content(fiche.attachments[ps.Document.PAI_PRESCRIPTION][0]) == PDF


def test_files_in_a_directory_are_sealed_too(
    cestas: ps.Commune, sql_backend: Backend, tmp_path: Path
) -> None:
    directory = tmp_path / "fichiers"
    directory.mkdir()
    families = ps.Families(keyed(cestas, "dir"), store=sql_backend.store(health_keys=[KEY], files=directory))
    dossier = _fill_health(families)
    stored = [p.read_bytes() for p in directory.rglob("*") if p.is_file()]
    assert len(stored) == 2
    assert all(PDF not in content and b"photo" not in content for content in stored)
    (file,) = dossier.fiche(ps.FicheKind.SANTE, "paolo").attachments[ps.Document.PAI_PRESCRIPTION]
    assert dossier.file_content(file) == PDF


def test_key_rotation_reseals_everything_with_the_new_key(cestas: ps.Commune, sql_backend: Backend) -> None:
    # Documented in docs/dossier.md: new key first, old keys kept, rotate, then drop the old keys.
    commune = keyed(cestas, "rotation")
    _fill_health(ps.Families(commune, store=sql_backend.store(health_keys=[KEY])))
    new = HealthCipher.generate_key()
    both = sql_backend.store(health_keys=[new, KEY])
    assert both.dossiers(commune.store_key).rotate_keys() == 3  # the dossier and its two files
    only_new = ps.Families(commune, store=sql_backend.store(health_keys=[new])).family(DUPONT).dossier(2024)
    fiche = only_new.fiche(ps.FicheKind.SANTE, "paolo")
    assert fiche.data["allergies"] == HEALTH["allergies"]
    assert only_new.file_content(fiche.attachments[ps.Document.PAI_PRESCRIPTION][0]) == PDF
    only_old = ps.Families(commune, store=sql_backend.store(health_keys=[KEY])).family(DUPONT).dossier(2024)
    with pytest.raises(ps.StoreError) as info:
        only_old.fiche(ps.FicheKind.SANTE, "paolo")
    assert info.value.code == "bad_key"
    assert KEY not in str(info.value)
    assert new not in str(info.value)


def test_without_a_key_the_store_says_so_once_and_works(cestas: ps.Commune, sql_backend: Backend) -> None:
    store = sql_backend.store()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for prefix in ("clair-1", "clair-2"):
            families = ps.Families(keyed(cestas, prefix), store=store)
            opened(families).edit(ps.FicheKind.SANTE, "paolo", allergies="aucune")
    said = [w for w in caught if issubclass(w.category, HealthDataWarning)]
    assert len(said) == 1
    assert "EN CLAIR" in str(said[0].message)
    # Sealed data later read without the key is a clear error, not garbage.
    commune = keyed(cestas, "sealed")
    opened(ps.Families(commune, store=sql_backend.store(health_keys=[KEY])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HealthDataWarning)
        with pytest.raises(ps.StoreError) as info:
            ps.Families(commune, store=store).family(DUPONT).dossier(2024).read()
    assert info.value.code == "missing_key"


def test_a_bad_key_is_refused_without_being_echoed(sql_backend: Backend) -> None:
    with pytest.raises(ps.StoreError) as info:
        sql_backend.store(health_keys=["pas-une-cle-secrete"])
    assert info.value.code == "bad_key"
    assert "pas-une-cle-secrete" not in str(info.value)


def test_db_rotate_keys_reads_the_keys_from_the_environment(
    cestas: ps.Commune, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from periscolaire.cli import main

    url = f"sqlite:///{tmp_path / 'portail.db'}"
    _fill_health(ps.Families(cestas, store=ps.open_store(url, upgrade=True, health_keys=[KEY])))
    new = HealthCipher.generate_key()
    out = io.StringIO()
    monkeypatch.delenv("PERISCOLAIRE_HEALTH_KEYS", raising=False)
    assert main(["db", "rotate-keys", url], out) == 2  # no key: nothing done, one line on stderr
    monkeypatch.setenv("PERISCOLAIRE_HEALTH_KEYS", f"{new}, {KEY}")
    assert main(["db", "rotate-keys", url], out) == 0
    assert "3 dossier(s) et fichier(s) rechiffrés" in out.getvalue()
    assert KEY not in out.getvalue()
    fresh = ps.Families(cestas, store=ps.open_store(url, health_keys=[new])).family(DUPONT).dossier(2024)
    assert fresh.fiche(ps.FicheKind.SANTE, "paolo").data["allergies"] == HEALTH["allergies"]


def test_an_id_with_a_trailing_space_is_another_family_on_every_backend(families: ps.Families) -> None:
    # MariaDB's utf8mb4_bin ignores trailing spaces: the tables use its NO PAD variant.
    dossier = opened(families)
    dossier.edit(ps.FicheKind.SANTE, "paolo", **HEALTH)
    families.family(DUPONT).account.pay("RESTAURATION", D("30.00"), date(2024, 8, 26), reference="CB-1")
    agent = families.agent("martine")
    with pytest.raises(ps.DossierError) as info:
        agent.dossier("F-DUPONT ", 2024).read()
    assert info.value.code == "no_dossier"
    assert agent.account("F-DUPONT ").entries == ()
    assert agent.dossiers(2024) == ["F-DUPONT"]
    with pytest.raises(ps.InvalidData):  # and a family's id never ends with a space
        ps.Family("F-DUPONT ", "DUPONT", (PAOLO,))


@pytest.mark.parametrize(
    "call",
    [
        lambda d, c: d.update_contact(c, phone=""),
        lambda d, c: d.update_contact(c, phone=123),
        lambda d, c: d.add_contact("DURAND", "Anne", "0601", address=123),
        lambda d, c: d.transmit(ps.FicheKind.AUTORISATIONS, "paolo", now=NOW, signature=("X",)),
        lambda d, c: d.transmit(ps.FicheKind.AUTORISATIONS, "paolo", now="2024-06-20"),
        lambda d, c: d.edit("carnet", "paolo", allergies="x"),
        lambda d, c: d.edit(None, "paolo"),
        lambda d, c: d.edit(ps.FicheKind.SANTE, "paolo", allergies="a\udc80b"),
        lambda d, c: d.edit(ps.FicheKind.SANTE, "paolo", version="0", allergies="x"),
        lambda d, c: d.edit(ps.FicheKind.SANTE, "paolo", version=False, allergies="x"),
        lambda d, c: d.attach(ps.FicheKind.SANTE, "paolo", "ordonnance", [ps.Upload("a.pdf", PDF)]),
        lambda d, c: d.attach(ps.FicheKind.SANTE, "paolo", ps.Document.PAI_PHOTO, ["a.pdf"]),
        lambda d, c: d.update_contact([1], phone="0601"),
        lambda d, c: d.add_contact(None, "Anne", "0601"),
    ],
)
def test_a_bad_argument_is_a_typed_error_and_the_dossier_stays_readable(
    families: ps.Families, call: Any
) -> None:
    # Nothing a handle accepts can make a stored dossier unreadable (issue 10, review).
    dossier = opened(families)
    contact = dossier.add_contact("DURAND", "Anne", "0601020304")
    before = (dossier.version, dossier.read().to_dict())
    with pytest.raises(ps.PeriscolaireError):
        call(dossier, contact.id)
    assert (dossier.version, dossier.read().to_dict()) == before


def test_opening_with_a_truthy_value_is_refused_and_opening_again_writes_nothing(
    families: ps.Families,
) -> None:
    dossier = families.family(DUPONT).dossier(2024)
    with pytest.raises(ps.InvalidArgument):
        dossier.open(other_responsable=1)  # type: ignore[arg-type]
    assert not dossier.exists()
    dossier.open()
    dossier.open()
    assert dossier.version == 1


def test_a_renewed_dossier_takes_no_new_contact_so_no_id_is_given_twice(families: ps.Families) -> None:
    # Contacts keep their ids from one school year to the next, and an id is never given twice.
    earlier = opened(families)
    earlier.add_contact("MARTIN", "Luc", "0601020304")
    following = families.family(DUPONT).dossier(2025)
    following.open(renew_from=2024)
    with pytest.raises(ps.DossierError) as info:
        earlier.add_contact("ALICE", "Anne", "0602030405")
    assert info.value.code == "dossier_renewed"
    assert following.add_contact("BOB", "Bernard", "0603040506").id == "C2"
    assert [c.id for c in earlier.contacts] == ["C1"]


def test_an_expired_insurance_in_force_is_caught_even_while_the_family_edits_it(
    families: ps.Families,
) -> None:
    # The validated version stays in force while the family edits: its expiry still counts.
    dossier = opened(families)
    dossier.edit(
        ps.FicheKind.ASSURANCE, "paolo", company="MAIF", contract_number="123", expiry=date(2024, 9, 30)
    )
    dossier.attach(
        ps.FicheKind.ASSURANCE, "paolo", ps.Document.INSURANCE_CERTIFICATE, [ps.Upload("a.pdf", PDF)]
    )
    dossier.transmit(ps.FicheKind.ASSURANCE, "paolo", now=NOW)
    agent = families.agent("martine")
    agent.dossier("F-DUPONT", 2024).validate(ps.FicheKind.ASSURANCE, "paolo", now=NOW)
    dossier.edit(ps.FicheKind.ASSURANCE, "paolo", company="MACIF")
    found = agent.check_expiries(date(2024, 10, 2), 2024)
    assert [e.event for e in found["F-DUPONT"]] == ["to_update"]
    fiche = dossier.fiche(ps.FicheKind.ASSURANCE, "paolo")
    assert (fiche.state, fiche.in_force) == (ps.FicheState.DRAFT, False)
    assert not dossier.read().grants_booking_access


def test_files_are_kept_only_once_the_rules_accept_them(
    cestas: ps.Commune, sql_backend: Backend, tmp_path: Path
) -> None:
    directory = tmp_path / "fichiers"
    directory.mkdir()
    families = ps.Families(keyed(cestas, "dir"), store=sql_backend.store(health_keys=[KEY], files=directory))
    dossier = opened(families)
    five = [ps.Upload(f"p{i}.pdf", PDF + bytes([i])) for i in range(5)]
    with pytest.raises(ps.AttachmentRejected):
        dossier.attach(ps.FicheKind.SANTE, "paolo", ps.Document.PAI_PRESCRIPTION, five)
    with pytest.raises(ps.StaleWrite):
        dossier.attach(ps.FicheKind.SANTE, "paolo", ps.Document.PAI_PRESCRIPTION, five[:1], version=99)
    with pytest.raises(ps.DossierError):
        families.family(MARTIN).dossier(2024).attach(
            ps.FicheKind.SANTE, "lea", ps.Document.PAI_PHOTO, five[:1]
        )
    assert [p for p in directory.rglob("*") if p.is_file()] == []


def test_a_health_value_in_a_broken_record_is_not_echoed() -> None:
    dossier = ps.Dossier.open(DUPONT, 2024)
    dossier.edit(ps.FicheKind.SANTE, "paolo", allergies="arachide-secret")
    sante = next(i for i, f in enumerate(dossier.to_dict()["fiches"]) if f["kind"] == "sante")
    breakages = [
        lambda d: d["fiches"][sante]["current"].update(data=["arachide-secret"]),
        lambda d: d["fiches"][sante]["current"]["data"].update(allergies=["arachide-secret"]),
        lambda d: d["fiches"][sante].update(current="arachide-secret"),
        lambda d: d["fiches"][sante]["current"].update(attachments={"pai_photo": {"x": "arachide-secret"}}),
    ]
    for breakage in breakages:
        data = dossier.to_dict()
        breakage(data)
        with pytest.raises(ps.InvalidData) as info:
            ps.Dossier.from_dict(data)
        assert "arachide" not in str(info.value)
    event = dossier.transmit(ps.FicheKind.AUTORISATIONS, "paolo", now=NOW)
    rejected = ps.FicheEvent("rejected", ps.FicheKind.SANTE, "paolo", NOW, "martine", "PAI arachide")
    assert "arachide" not in repr(rejected)
    assert "arachide" not in repr(event)


def test_db_rotate_keys_reseals_the_files_of_a_directory_and_never_loses_one(
    cestas: ps.Commune, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import tempfile

    from periscolaire.cli import main

    url, directory = f"sqlite:///{tmp_path / 'portail.db'}", tmp_path / "fichiers"
    directory.mkdir()
    dossier = _fill_health(
        ps.Families(cestas, store=ps.open_store(url, upgrade=True, health_keys=[KEY], files=directory))
    )
    (file,) = dossier.fiche(ps.FicheKind.SANTE, "paolo").attachments[ps.Document.PAI_PRESCRIPTION]
    new = HealthCipher.generate_key()
    monkeypatch.setenv("PERISCOLAIRE_HEALTH_KEYS", f"{new},{KEY}")
    # A rotation that cannot write (a full disk) fails with a typed error and loses no file.
    real = tempfile.mkstemp
    monkeypatch.setattr(
        tempfile, "mkstemp", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left"))
    )
    err = io.StringIO()
    assert main(["db", "rotate-keys", url, "--files", str(directory)], err) == 2
    monkeypatch.setattr(tempfile, "mkstemp", real)
    both = ps.Families(cestas, store=ps.open_store(url, health_keys=[new, KEY], files=directory))
    assert both.family(DUPONT).dossier(2024).file_content(file) == PDF
    out = io.StringIO()
    assert main(["db", "rotate-keys", url, "--files", str(directory)], out) == 0
    assert "3 dossier(s) et fichier(s)" in out.getvalue()
    only_new = ps.Families(cestas, store=ps.open_store(url, health_keys=[new], files=directory))
    assert only_new.family(DUPONT).dossier(2024).file_content(file) == PDF


def test_a_stored_dossier_follows_the_communes_campaign_and_grace(families: ps.Families) -> None:
    # « entre le 19 juin et le 16 août » (p. 15): the bundled Cestas file opens the campaign on 19 June.
    assert families.commune.dossier_opens == date(2024, 6, 19)
    dossier = opened(families)
    with pytest.raises(ps.DossierError) as info:
        dossier.transmit(ps.FicheKind.AUTORISATIONS, "paolo", now=datetime(2024, 6, 18, 20))
    assert info.value.code == "campaign_not_open"
    stored = dossier.read()
    assert (stored.opens, stored.deadline, stored.insurance_grace_days) == (
        date(2024, 6, 19),
        date(2024, 8, 16),
        families.commune.insurance_grace_days,
    )
