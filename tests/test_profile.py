"""The profile (guide p. 2-3): e-mail addresses, first login, password reset."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# -- issue 11: every hostile value at the profile's boundary is a typed error ---------------------

PASSWORD = "Ma-Famille-2024"
NOT_TEXT = [None, 42, 4.2, b"Ma-Famille-2024", bytearray(b"x"), ["Ma-Famille-2024"], True]
UNREADABLE = ["Ma-\ud800Famille-2024", "\udcff", "Ma-Famille\x00-2024", "Ma-Famille-2024\r\n"]


def _no_echo(error: ps.PeriscolaireError, *secrets: object) -> None:
    for secret in secrets:
        if isinstance(secret, str) and secret:
            assert secret not in error.message
    error.message.encode()  # never an unencodable message


@pytest.mark.parametrize("hostile", NOT_TEXT)
def test_a_password_that_is_not_text_is_an_invalid_argument_and_sets_nothing(hostile: object) -> None:
    # « un mot de passe personnalisé respectant les règles affichées » (p. 2): None, a number or
    # bytes is a programming mistake of the host, never an AttributeError deep inside.
    first = ps.FirstLogin()
    calls = [
        lambda: first.set_password(hostile, PASSWORD),  # type: ignore[arg-type]
        lambda: first.set_password(PASSWORD, hostile),  # type: ignore[arg-type]
        lambda: first.policy.check(hostile),  # type: ignore[arg-type]
        lambda: first.policy.problems(hostile),  # type: ignore[arg-type]
    ]
    if hostile is not None:  # check() without a confirmation is check(password, None)
        calls.append(lambda: first.policy.check(PASSWORD, hostile))  # type: ignore[arg-type]
    for call in calls:
        with pytest.raises(ps.InvalidArgument) as info:
            call()
        assert info.value.code == "invalid_argument"
        _no_echo(info.value, PASSWORD)
    assert not first.password_set


@pytest.mark.parametrize("hostile", UNREADABLE)
def test_a_password_with_a_lone_surrogate_or_a_control_character_is_refused_unechoed(hostile: str) -> None:
    # A lone surrogate cannot be encoded (UnicodeEncodeError before issue 11); a NUL or a line
    # break cannot be typed in a form and truncates some hashes: ``bad_password``, never the value.
    first = ps.FirstLogin()
    with pytest.raises(ps.ProfileError) as info:
        first.set_password(hostile, hostile)
    assert info.value.code == "bad_password"
    _no_echo(info.value, hostile, PASSWORD)
    assert not first.password_set
    # A confirmation that cannot be the password is a mismatch, not a crash.
    with pytest.raises(ps.ProfileError) as info:
        first.set_password(PASSWORD, hostile)
    assert info.value.code == "password_mismatch"
    assert not first.password_set


def test_a_password_beyond_1024_characters_is_refused_before_any_work() -> None:
    # MAX_PASSWORD_LENGTH: no policy allows more, a 10 MB entry is refused at once.
    assert ps.profile.MAX_PASSWORD_LENGTH == 1024
    huge = "Aa1-" * 2_500_000 + "\ud800"
    first = ps.FirstLogin()
    with pytest.raises(ps.ProfileError) as info:
        first.set_password(huge, huge)
    assert info.value.code == "weak_password"
    assert info.value.message == "Mot de passe refusé : au plus 128 caractères."
    longest = ps.PasswordPolicy(max_length=1024)
    longest.check("Aa1-" * 256, "Aa1-" * 256)
    with pytest.raises(ps.ProfileError) as info:
        longest.check("Aa1-" * 256 + "x")
    assert info.value.code == "weak_password"
    assert not first.password_set


@pytest.mark.parametrize(
    "policy",
    [
        {"min_length": -1},
        {"min_length": 0},
        {"max_length": -5},
        {"min_classes": -1},
        {"min_classes": 5},  # only four sorts of characters
        {"min_length": 12, "max_length": 11},  # min above max
        {"max_length": 1025},  # above MAX_PASSWORD_LENGTH
        {"min_length": 10**5000},  # no repr (int to str limit): never echoed
        {"min_length": True},
        {"min_length": 10.0},
        {"max_length": "128"},
        {"min_classes": None},
    ],
)
def test_a_password_policy_with_an_impossible_length_or_class_count_is_refused(
    policy: dict[str, object],
) -> None:
    # « les règles affichées » (p. 2) must be rules a password can follow.
    with pytest.raises(ps.InvalidArgument) as info:
        ps.PasswordPolicy(**policy)  # type: ignore[arg-type]
    assert info.value.code == "bad_password_policy"
    assert ps.PasswordPolicy(min_length=1, min_classes=0, max_length=1).problems("x") == ()
    with pytest.raises(ps.InvalidArgument):
        ps.FirstLogin(policy)  # type: ignore[arg-type]


@pytest.mark.parametrize("hostile", [*NOT_TEXT, pytest.param(10**5000, id="int-of-5000-digits")])
def test_an_identifier_that_is_not_text_is_an_invalid_argument(hostile: object) -> None:
    with pytest.raises(ps.InvalidArgument):
        ps.Profile(hostile, "jp.dupont@example.fr")  # type: ignore[arg-type]
    if not isinstance(hostile, list):  # a list of addresses is a list of addresses
        with pytest.raises(ps.InvalidArgument):
            ps.Profile("DUPONT42", hostile)  # type: ignore[arg-type]
    with pytest.raises(ps.InvalidArgument):
        ps.Profile("DUPONT42", ["jp.dupont@example.fr", hostile])  # type: ignore[list-item]


@pytest.mark.parametrize("hostile", ["", "  ", " DUPONT42", "DUPONT42 ", "DUP\ud800", "DUP\nONT", "D" * 101])
def test_an_identifier_is_1_to_100_readable_characters_without_surrounding_space(hostile: str) -> None:
    # The reset compares the stripped entry with the identifier on file: one with spaces at
    # either end could never be matched (« saisir votre identifiant », p. 2).
    with pytest.raises(ps.ProfileError) as info:
        ps.Profile(hostile, "jp.dupont@example.fr")
    assert info.value.code == "bad_identifier"
    _no_echo(info.value, hostile.strip())
    assert ps.Profile("D" * 100, "jp.dupont@example.fr").identifier == "D" * 100


@pytest.mark.parametrize(
    "text",
    [
        "jp.dupont@example.fr\r\nBcc: tous@example.fr",
        "jp.dupont@example.fr\r\n",  # even where a strip would hide it: the raw text is often kept
        "jp.dupont@example.fr\n; marie.dupont@example.fr",
        "jp.dupont@example.fr\u2028",
        "\x00jp.dupont@example.fr",
        "jp.dupont@example.fr\ud800",
    ],
)
def test_an_address_with_a_line_break_or_control_character_is_refused_header_injection(text: str) -> None:
    with pytest.raises(ps.ProfileError) as info:
        ps.parse_emails(text)
    assert info.value.code == "bad_email"
    _no_echo(info.value, text)
    with pytest.raises(ps.ProfileError):
        ps.Profile("DUPONT42", text)
    with pytest.raises(ps.ProfileError):
        ps.Profile("DUPONT42", ("marie.dupont@example.fr", text))


@pytest.mark.parametrize(
    "address",
    [".jp@example.fr", "jp.@example.fr", "jp..dupont@example.fr", ".@example.fr", "j" * 65 + "@example.fr"],
)
def test_an_address_local_part_neither_starts_nor_ends_with_a_dot_nor_has_two_in_a_row(address: str) -> None:
    # RFC 5322 dot-atom; a local part is at most 64 characters (RFC 5321).
    with pytest.raises(ps.ProfileError) as info:
        ps.parse_emails(f"marie.dupont@example.fr; {address}")
    assert info.value.code == "bad_email"
    assert ps.parse_emails("j" * 64 + "@example.fr; j.p.d@example.fr") == (
        "j" * 64 + "@example.fr",
        "j.p.d@example.fr",
    )


def test_a_list_of_addresses_is_at_most_4096_characters() -> None:
    text = ";".join(f"parent{i}@example.fr" for i in range(500_000))
    with pytest.raises(ps.ProfileError) as info:
        ps.parse_emails(text)
    assert info.value.code == "too_long"
    with pytest.raises(ps.InvalidArgument):
        ps.parse_emails(None)  # type: ignore[arg-type]
    with pytest.raises(ps.InvalidArgument):
        ps.parse_emails(b"jp.dupont@example.fr")  # type: ignore[arg-type]


def test_the_dossier_checks_its_addresses_with_parse_emails() -> None:
    # Every place that takes an address refuses the same ones: the dossier's e-mail fields
    # and its contacts (p. 5-7).
    family = ps.Family("F-DUPONT", "DUPONT", (ps.Child("paolo", "Paolo", "DUPONT"),))
    dossier = ps.Dossier.open(family, school_year=2024)
    for email in ("jp.dupont@example.fr\r\nBcc: tous@example.fr", ".jp@example.fr", "jp.@example.fr"):
        with pytest.raises(ps.ProfileError):
            dossier.edit(ps.FicheKind.RESPONSABLE, emails=email)
        with pytest.raises(ps.ProfileError):
            dossier.add_contact("MARTIN", "Léa", "0600000000", email=email)
    assert dossier.contacts == ()
    contact = dossier.add_contact("MARTIN", "Léa", "0600000000", email="lea.martin@example.fr")
    with pytest.raises(ps.ProfileError):
        dossier.update_contact(contact.id, email="lea.martin@example.fr\nBcc: x@example.fr")
    assert dossier.contacts[0].email == "lea.martin@example.fr"


@pytest.mark.parametrize("hostile", NOT_TEXT)
def test_a_reset_request_that_is_not_text_is_an_invalid_argument_naming_neither_entry(
    hostile: object,
) -> None:
    # « saisir votre identifiant et l'adresse mail » (p. 2): the same error whichever entry is
    # wrong, decided by the entries alone, never by the profile.
    profile = ps.Profile("DUPONT42", "jp.dupont@example.fr")
    errors = []
    for args in (
        ("DUPONT42", hostile),
        (hostile, "jp.dupont@example.fr"),
        ("X", hostile),
        (hostile, "x@y.fr"),
    ):
        with pytest.raises(ps.InvalidArgument) as info:
            ps.request_password_reset(profile, *args)  # type: ignore[arg-type]
        errors.append((info.value.code, info.value.message))
    assert len(set(errors)) == 1
    with pytest.raises(ps.InvalidArgument):
        ps.request_password_reset(hostile, "DUPONT42", "jp.dupont@example.fr")  # type: ignore[arg-type]


@pytest.mark.parametrize("hostile", ["DUPONT42\ud800", "\udcff", pytest.param("D" * 10_000_000, id="10-MB")])
def test_an_unreadable_reset_request_is_refused_without_saying_which_entry(hostile: str) -> None:
    # « Si les informations saisies sont correctes, un lien … » (p. 2): a lone surrogate or an entry
    # beyond 1024 characters is ``bad_reset_request``, the same for either entry.
    profile = ps.Profile("DUPONT42", "jp.dupont@example.fr")
    errors = []
    for args in (
        ("DUPONT42", hostile),
        (hostile, "jp.dupont@example.fr"),
        ("X", hostile),
        (hostile, "x@y.fr"),
    ):
        with pytest.raises(ps.ProfileError) as info:
            ps.request_password_reset(profile, *args)
        errors.append((info.value.code, info.value.message))
        _no_echo(info.value, hostile)
    assert set(errors) == {
        ("bad_reset_request", "Identifiant ou adresse mail illisible : vérifiez votre saisie.")
    }
    # Entries that are merely wrong still get the one neutral answer.
    for identifier, email in (
        ("DUPONT42\r\n", "pas-une-adresse"),
        ("\x00", "jp.dupont@example.fr\nBcc: x@y.fr"),
    ):
        answer = ps.request_password_reset(profile, identifier, email)
        assert answer.send_to is None
        assert answer.message == ps.profile.RESET_MESSAGE


PROFILE_CALLS = {
    "Profile.identifier": lambda v: ps.Profile(v, "jp.dupont@example.fr"),
    "Profile.emails": lambda v: ps.Profile("DUPONT42", v),
    "parse_emails": ps.parse_emails,
    "PasswordPolicy.min_length": lambda v: ps.PasswordPolicy(min_length=v),
    "PasswordPolicy.max_length": lambda v: ps.PasswordPolicy(max_length=v),
    "check": lambda v: ps.PasswordPolicy().check(v, v),
    "set_password": lambda v: ps.FirstLogin().set_password(PASSWORD, v),
    "reset.identifier": lambda v: ps.request_password_reset(ps.Profile("D", "d@x.fr"), v, "d@x.fr"),
    "reset.email": lambda v: ps.request_password_reset(ps.Profile("D", "d@x.fr"), "D", v),
}


@given(
    st.sampled_from(sorted(PROFILE_CALLS)),
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.binary(max_size=20),
        st.text(max_size=40),
        st.text(st.characters(codec=None, categories=["Cs", "Cc", "Zl", "Zp", "Cf"]), max_size=5),
        st.lists(st.text(max_size=10), max_size=3),
    ),
)
def test_only_periscolaire_errors_escape_the_profile(call: str, value: object) -> None:
    code, message = "ok", ""
    try:
        PROFILE_CALLS[call](value)
    except ps.PeriscolaireError as error:  # any other exception fails the test
        code, message = error.code, error.message
    message.encode()  # a message any mailer can send (no lone surrogate)
    assert code  # a stable machine code (or "ok": the call was accepted)
