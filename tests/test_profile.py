"""The profile (guide p. 2-3): e-mail addresses, first login, password reset."""

from __future__ import annotations

from datetime import datetime

import pytest

import periscolaire as ps


def test_several_addresses_separated_by_semicolons_the_first_gets_receipts() -> None:
    # « Vous pouvez saisir plusieurs adresses mail en les séparant par un point-virgule.
    # Si vous réglez par carte bancaire, seule la première adresse mail renseignée sera prise en compte. »
    profile = ps.Profile("DUPONT42", "jp.dupont@example.fr ; marie.dupont@example.fr;")
    assert profile.emails == ("jp.dupont@example.fr", "marie.dupont@example.fr")
    assert profile.receipt_address == "jp.dupont@example.fr"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "no_email"),
        (" ; ", "no_email"),
        ("jp.dupont@example", "bad_email"),
        ("jp dupont@example.fr", "bad_email"),
        ("jp.dupont@example.fr, marie@example.fr", "bad_email"),  # a comma is not the separator
        ("a@example.fr; A@example.fr", "duplicate_email"),
    ],
)
def test_each_address_is_checked(text: str, code: str) -> None:
    with pytest.raises(ps.ProfileError) as info:
        ps.parse_emails(text)
    assert info.value.code == code


def test_password_policy_is_configurable_and_never_echoes_the_password() -> None:
    strict = ps.PasswordPolicy(min_length=12, min_classes=4)
    with pytest.raises(ps.ProfileError) as info:
        strict.check("Cestas2024!")
    assert info.value.code == "weak_password"
    assert "Cestas2024!" not in info.value.message
    strict.check("Cestas-2024-Ok", "Cestas-2024-Ok")
    with pytest.raises(ps.ProfileError) as info:
        strict.check("Cestas-2024-Ok", "Cestas-2024-OK")
    assert info.value.code == "password_mismatch"


def test_first_login_password_then_consent_before_anything_else() -> None:
    # « vous devrez saisir un mot de passe personnalisé respectant les règles affichées »,
    # then « consulter le "RGPD" et les "Conditions générales d'utilisation du portail", puis
    # cocher les cases » (p. 2)
    first = ps.FirstLogin()
    with pytest.raises(ps.ProfileError) as info:
        first.require_done()
    assert info.value.code == "first_login_incomplete"
    with pytest.raises(ps.ProfileError) as info:
        first.accept(rgpd=True, terms=True, now=datetime(2024, 6, 20, 20))
    assert info.value.code == "password_first"
    first.set_password("Ma-Famille-2024", "Ma-Famille-2024")
    with pytest.raises(ps.ProfileError) as info:
        first.accept(rgpd=True, terms=False, now=datetime(2024, 6, 20, 20))
    assert info.value.code == "consent_required"
    assert not first.done
    first.accept(rgpd=True, terms=True, now=datetime(2024, 6, 20, 20, 1))
    first.require_done()
    assert first.rgpd_accepted_at == datetime(2024, 6, 20, 20, 1)


def test_reset_needs_identifier_and_email_and_never_says_which_was_wrong() -> None:
    # « Vous devrez alors saisir votre identifiant et l'adresse mail fournie au service
    # Education lors de l'inscription. Si les informations saisies sont correctes, un lien … »
    profile = ps.Profile("DUPONT42", ("jp.dupont@example.fr", "marie.dupont@example.fr"))
    good = ps.request_password_reset(profile, "DUPONT42", "Marie.Dupont@example.fr")
    assert good.send_to == "marie.dupont@example.fr"
    wrong_id = ps.request_password_reset(profile, "DUPONT24", "jp.dupont@example.fr")
    wrong_mail = ps.request_password_reset(profile, "DUPONT42", "jp@example.fr")
    assert wrong_id.send_to is None
    assert wrong_mail.send_to is None
    assert good.message == wrong_id.message == wrong_mail.message
    assert good.message.startswith("Si les informations saisies sont correctes")


@pytest.mark.parametrize("truthy", ["no", "non", 1, None])
def test_consent_is_a_real_yes_not_a_truthy_value(truthy: object) -> None:
    # « cocher les cases » (p. 2): "no" never records consent (issue 11).
    first = ps.FirstLogin()
    first.set_password("Ma-Famille-2024", "Ma-Famille-2024")
    with pytest.raises(ps.InvalidArgument):
        first.accept(rgpd=truthy, terms=True, now=datetime(2024, 6, 20, 20))  # type: ignore[arg-type]
    with pytest.raises(ps.InvalidArgument):
        first.accept(rgpd=True, terms=truthy, now=datetime(2024, 6, 20, 20))  # type: ignore[arg-type]
    assert first.rgpd_accepted_at is None
    assert not first.done
