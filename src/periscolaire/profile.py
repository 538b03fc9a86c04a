"""The user profile: e-mail addresses, first login, password rules and reset.

The guide (p. 2-3):

* first login: « vous devrez saisir un mot de passe personnalisé respectant les
  règles affichées », then « consulter le "RGPD" et les "Conditions générales
  d'utilisation du portail", puis cocher les cases »;
* reset: « Vous devrez alors saisir votre identifiant et l'adresse mail fournie
  au service Education lors de l'inscription. Si les informations saisies sont
  correctes, un lien permettant de réinitialiser votre mot de passe vous sera
  envoyé »;
* e-mails: « Vous pouvez saisir plusieurs adresses mail en les séparant par un
  point-virgule. Si vous réglez par carte bancaire, seule la première adresse
  mail renseignée sera prise en compte. »

>>> parse_emails("jp.dupont@example.fr; marie.dupont@example.fr")
('jp.dupont@example.fr', 'marie.dupont@example.fr')
>>> PasswordPolicy().problems("motdepas")
('au moins 10 caractères', 'au moins 3 sortes de caractères parmi minuscules, majuscules, chiffres, symboles')
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime
from typing import Any

import attrs

from periscolaire.errors import InvalidArgument, ProfileError, require_bool
from periscolaire.validators import whole

__all__ = [
    "MAX_EMAILS_TEXT",
    "MAX_IDENTIFIER",
    "MAX_PASSWORD_LENGTH",
    "FirstLogin",
    "PasswordPolicy",
    "Profile",
    "ResetAnswer",
    "parse_emails",
    "request_password_reset",
]

#: The longest password any policy accepts, and the longest text the reset
#: form reads: beyond it an entry is refused before any work is done on it.
MAX_PASSWORD_LENGTH = 1024
#: The longest account identifier (as long as a family account's id in a store).
MAX_IDENTIFIER = 100
#: The longest address (RFC 5321) and its local part, before the ``@``.
MAX_EMAIL = 254
MAX_LOCAL_PART = 64
#: The longest list of addresses :func:`parse_emails` reads (a few dozen addresses).
MAX_EMAILS_TEXT = 4096

# A deliberately simple address check: one @, a dot in the domain, no spaces.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+"
)
# Line breaks (header injection: « a@x.fr\r\nBcc: ... »), other control
# characters and lone surrogates (text no encoder can write) anywhere in a text.
_CONTROL_OR_SURROGATE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _text(value: object, name: str) -> str:
    """``value`` if it is a string; the error names its type, never the value."""
    if not isinstance(value, str):
        raise InvalidArgument(f"{name} : du texte est attendu, reçu {type(value).__name__}.")
    return value


def parse_emails(text: str) -> tuple[str, ...]:
    """Addresses separated by semicolons, each checked; at least one.

    This is the check of every address the library accepts (the profile, the
    dossier's e-mail fields and contacts). A text with a line break or another
    control character anywhere is refused (header injection), as is an
    address whose local part starts or ends with a dot or has two dots in a
    row, or is longer than 64 characters; the whole text is at most 4096
    characters (``too_long``), an address at most 254.

    >>> parse_emails("pas-une-adresse")
    Traceback (most recent call last):
    ...
    periscolaire.errors.ProfileError: Adresse mail invalide : « pas-une-adresse ».
    >>> parse_emails("jp.dupont@example.fr\\r\\nBcc: tous@example.fr")
    Traceback (most recent call last):
    ...
    periscolaire.errors.ProfileError: Adresse mail invalide : retour à la ligne ou caractère de contrôle.
    """
    _text(text, "Adresses mail")
    if len(text) > MAX_EMAILS_TEXT:
        raise ProfileError(f"Adresses mail : au plus {MAX_EMAILS_TEXT} caractères.", code="too_long")
    if _CONTROL_OR_SURROGATE.search(text):
        raise ProfileError(
            "Adresse mail invalide : retour à la ligne ou caractère de contrôle.", code="bad_email"
        )
    addresses = tuple(part.strip() for part in text.split(";") if part.strip())
    if not addresses:
        raise ProfileError("Au moins une adresse mail est attendue.", code="no_email")
    for address in addresses:
        if len(address) > MAX_EMAIL:
            raise ProfileError(f"Adresse mail invalide : plus de {MAX_EMAIL} caractères.", code="bad_email")
        local = address.rpartition("@")[0]
        if (
            not _EMAIL.fullmatch(address)
            or ".." in address
            or local.startswith(".")
            or local.endswith(".")
            or len(local) > MAX_LOCAL_PART
        ):
            # Echoed only when it is plain printable ASCII (no bidi override in a log).
            shown = f" : « {address} »" if address.isascii() and address.isprintable() else ""
            raise ProfileError(f"Adresse mail invalide{shown}.", code="bad_email")
    lowered = [a.lower() for a in addresses]
    if len(set(lowered)) != len(lowered):
        raise ProfileError("Adresse mail en double.", code="duplicate_email")
    return addresses


def _emails(value: tuple[str, ...] | list[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        return parse_emails(value)
    if not isinstance(value, tuple | list) or not all(isinstance(a, str) for a in value):
        raise InvalidArgument("emails : une chaîne ou une liste d'adresses (chaînes) est attendue.")
    return parse_emails(";".join(value))


def _identifier(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    """The account's identifier: a string of at most MAX_IDENTIFIER characters,
    no control character, no lone surrogate, no space at either end (the
    reset form compares it with the stripped entry). Never echoed."""
    identifier = _text(value, "identifier")
    if (
        not identifier.strip()
        or identifier != identifier.strip()
        or len(identifier) > MAX_IDENTIFIER
        or _CONTROL_OR_SURROGATE.search(identifier)
    ):
        raise ProfileError(
            f"Identifiant invalide : de 1 à {MAX_IDENTIFIER} caractères, sans espace au début ni à la fin "
            "ni caractère de contrôle.",
            code="bad_identifier",
        )


@attrs.frozen
class Profile:
    """The account's identifier and e-mail addresses; the first address
    receives payment receipts."""

    identifier: str = attrs.field(validator=_identifier)
    emails: tuple[str, ...] = attrs.field(converter=_emails)

    @property
    def receipt_address(self) -> str:
        """« seule la première adresse mail renseignée sera prise en compte »"""
        return self.emails[0]


_CLASSES = {
    "minuscules": re.compile(r"[a-zà-ÿ]"),
    "majuscules": re.compile(r"[A-ZÀ-Þ]"),
    "chiffres": re.compile(r"[0-9]"),
    "symboles": re.compile(r"[^A-Za-z0-9À-ÿ\s]"),
}


def _password(value: object, name: str) -> str:
    """A password (or its confirmation) as text a hash can take: a string
    without control character or lone surrogate. Never echoed."""
    password = _text(value, name)
    if _CONTROL_OR_SURROGATE.search(password):
        raise ProfileError(
            f"{name} refusé : caractère de contrôle ou caractère Unicode invalide.", code="bad_password"
        )
    return password


def _policy_number(low: int, high: int) -> Any:
    # A bool is not a length; the value is not echoed (a huge int has no short repr).
    return whole(low, high, code="bad_password_policy", echo=False, prefix="PasswordPolicy.")


@attrs.frozen
class PasswordPolicy:
    """The rules a new password follows (the commune chooses them).

    ``min_classes`` of the four classes: lower case, upper case, digits,
    symbols. Messages name the unmet rules, never the password. Lengths are
    ints with ``1 <= min_length <= max_length <= MAX_PASSWORD_LENGTH`` (1024);
    anything else is an :class:`~periscolaire.InvalidArgument`
    (``bad_password_policy``).

    >>> PasswordPolicy(min_length=-1)
    Traceback (most recent call last):
    ...
    periscolaire.errors.InvalidArgument: PasswordPolicy.min_length : un entier de 1 à 1024 est attendu.
    """

    min_length: int = attrs.field(default=10, validator=_policy_number(1, MAX_PASSWORD_LENGTH))
    min_classes: int = attrs.field(default=3, validator=_policy_number(0, len(_CLASSES)))
    max_length: int = attrs.field(default=128, validator=_policy_number(1, MAX_PASSWORD_LENGTH))

    def __attrs_post_init__(self) -> None:
        if self.min_length > self.max_length:
            raise InvalidArgument(
                "PasswordPolicy : min_length ne peut pas dépasser max_length.", code="bad_password_policy"
            )

    def problems(self, password: str) -> tuple[str, ...]:
        """The unmet rules. A password that is not text, or holds a control
        character or a lone surrogate, is an error rather than a problem."""
        _text(password, "Mot de passe")
        if len(password) > MAX_PASSWORD_LENGTH:
            # Before any other work: a 10 MB entry is not scanned.
            return (f"au plus {self.max_length} caractères",)
        _password(password, "Mot de passe")
        found = []
        if len(password) < self.min_length:
            found.append(f"au moins {self.min_length} caractères")
        if len(password) > self.max_length:
            found.append(f"au plus {self.max_length} caractères")
        classes = sum(1 for pattern in _CLASSES.values() if pattern.search(password))
        if classes < self.min_classes:
            found.append(f"au moins {self.min_classes} sortes de caractères parmi {', '.join(_CLASSES)}")
        return tuple(found)

    def check(self, password: str, confirmation: str | None = None) -> None:
        """Raise :class:`~periscolaire.ProfileError` (``weak_password``,
        ``password_mismatch``, ``bad_password``) unless the password follows
        the rules; :class:`~periscolaire.InvalidArgument` for a password or a
        confirmation that is not text."""
        _text(password, "Mot de passe")
        if confirmation is not None:
            _text(confirmation, "Confirmation")
        problems = self.problems(password)
        if problems:
            raise ProfileError(f"Mot de passe refusé : {' ; '.join(problems)}.", code="weak_password")
        if confirmation is not None and (
            len(confirmation) != len(password)
            or _SURROGATE.search(confirmation)
            or not hmac.compare_digest(password.encode(), confirmation.encode())
        ):
            raise ProfileError("La confirmation ne correspond pas au mot de passe.", code="password_mismatch")


class FirstLogin:
    """The first login: a personal password, then consent to the RGPD notice
    and the terms of use, before anything else (:meth:`require_done`).

    The password itself is not kept: the host stores its own hash of it.
    """

    def __init__(self, policy: PasswordPolicy | None = None) -> None:
        if policy is not None and not isinstance(policy, PasswordPolicy):
            raise InvalidArgument("policy : une PasswordPolicy (ou None) est attendue.")
        self.policy = policy or PasswordPolicy()
        self.password_set = False
        self.rgpd_accepted_at: datetime | None = None
        self.terms_accepted_at: datetime | None = None

    def set_password(self, password: str, confirmation: str) -> None:
        """The personal password, typed twice; refused (nothing changes) with
        the errors of :meth:`PasswordPolicy.check`."""
        _text(password, "Mot de passe")
        _text(confirmation, "Confirmation")
        self.policy.check(password, confirmation)
        self.password_set = True

    def accept(self, *, rgpd: bool, terms: bool, now: datetime) -> None:
        """Tick both boxes (« cocher les cases »); both are required."""
        require_bool(rgpd, "rgpd")
        require_bool(terms, "terms")
        if not isinstance(now, datetime):
            raise InvalidArgument(f"now : une date et heure (datetime) est attendue, reçu {now!r}.")
        if not self.password_set:
            raise ProfileError("Choisissez d'abord votre mot de passe.", code="password_first")
        if not (rgpd and terms):
            raise ProfileError(
                "Vous devez prendre connaissance du RGPD et des conditions générales d'utilisation.",
                code="consent_required",
            )
        self.rgpd_accepted_at = self.terms_accepted_at = now

    @property
    def done(self) -> bool:
        return self.password_set and self.rgpd_accepted_at is not None and self.terms_accepted_at is not None

    def require_done(self) -> None:
        """Raise unless the first login is complete: nothing else is open before."""
        if not self.done:
            raise ProfileError(
                "Première connexion : choisissez votre mot de passe et acceptez le RGPD et les conditions "
                "générales d'utilisation.",
                code="first_login_incomplete",
            )


RESET_MESSAGE = (
    "Si les informations saisies sont correctes, un lien permettant de réinitialiser votre mot de passe "
    "vous sera envoyé. En cas d'absence de réception de ce lien, vérifiez dans vos messages indésirables."
)


@attrs.frozen
class ResetAnswer:
    """What the portal answers to a reset request: always the same message;
    ``send_to`` is the address to send the link to, or None."""

    message: str
    send_to: str | None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.strip().casefold().encode(), b.strip().casefold().encode())


def request_password_reset(profile: Profile, identifier: str, email: str) -> ResetAnswer:
    """A reset link is sent only when the identifier and the e-mail match the
    ones on file; the answer never tells which one was wrong.

    Hostile entries are errors that do not tell which one was wrong either,
    and that depend on the entries only, never on the profile: an identifier
    or an e-mail that is not text is an :class:`~periscolaire.InvalidArgument`;
    one longer than ``MAX_PASSWORD_LENGTH`` (1024) characters or holding a
    lone surrogate is a :class:`~periscolaire.ProfileError`
    (``bad_reset_request``).

    >>> p = Profile("DUPONT42", ("jp.dupont@example.fr",))
    >>> request_password_reset(p, "DUPONT42", "JP.Dupont@example.fr").send_to
    'jp.dupont@example.fr'
    >>> wrong = request_password_reset(p, "DUPONT43", "jp.dupont@example.fr")
    >>> wrong.send_to is None, wrong.message == request_password_reset(p, "DUPONT42", "x@y.fr").message
    (True, True)
    """
    if not isinstance(profile, Profile):
        raise InvalidArgument(f"profile : un Profile est attendu, reçu {type(profile).__name__}.")
    if not (isinstance(identifier, str) and isinstance(email, str)):
        raise InvalidArgument("Identifiant et adresse mail : du texte est attendu.")
    if any(len(entry) > MAX_PASSWORD_LENGTH or _SURROGATE.search(entry) for entry in (identifier, email)):
        raise ProfileError(
            "Identifiant ou adresse mail illisible : vérifiez votre saisie.", code="bad_reset_request"
        )
    identifier_ok = hmac.compare_digest(identifier.strip().encode(), profile.identifier.encode())
    matching = [address for address in profile.emails if _same(address, email)]
    send_to = matching[0] if identifier_ok and matching else None
    return ResetAnswer(RESET_MESSAGE, send_to)
