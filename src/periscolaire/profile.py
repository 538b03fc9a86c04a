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

import attrs

from periscolaire.errors import InvalidArgument, ProfileError, require_bool

__all__ = ["FirstLogin", "PasswordPolicy", "Profile", "ResetAnswer", "parse_emails", "request_password_reset"]

# A deliberately simple address check: one @, a dot in the domain, no spaces.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


def parse_emails(text: str) -> tuple[str, ...]:
    """Addresses separated by semicolons, each checked; at least one.

    >>> parse_emails("pas-une-adresse")
    Traceback (most recent call last):
    ...
    periscolaire.errors.ProfileError: Adresse mail invalide : « pas-une-adresse ».
    """
    addresses = tuple(part.strip() for part in text.split(";") if part.strip())
    if not addresses:
        raise ProfileError("Au moins une adresse mail est attendue.", code="no_email")
    for address in addresses:
        if len(address) > 254 or not _EMAIL.match(address) or ".." in address:
            raise ProfileError(f"Adresse mail invalide : « {address} ».", code="bad_email")
    lowered = [a.lower() for a in addresses]
    if len(set(lowered)) != len(lowered):
        raise ProfileError("Adresse mail en double.", code="duplicate_email")
    return addresses


def _emails(value: tuple[str, ...] | str) -> tuple[str, ...]:
    return parse_emails(value if isinstance(value, str) else ";".join(value))


@attrs.frozen
class Profile:
    """The account's identifier and e-mail addresses; the first address
    receives payment receipts."""

    identifier: str
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


@attrs.frozen
class PasswordPolicy:
    """The rules a new password follows (the commune chooses them).

    ``min_classes`` of the four classes: lower case, upper case, digits,
    symbols. Messages name the unmet rules, never the password.
    """

    min_length: int = 10
    min_classes: int = 3
    max_length: int = 128

    def problems(self, password: str) -> tuple[str, ...]:
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
        ``password_mismatch``) unless the password follows the rules."""
        problems = self.problems(password)
        if problems:
            raise ProfileError(f"Mot de passe refusé : {' ; '.join(problems)}.", code="weak_password")
        if confirmation is not None and not hmac.compare_digest(password.encode(), confirmation.encode()):
            raise ProfileError("La confirmation ne correspond pas au mot de passe.", code="password_mismatch")


class FirstLogin:
    """The first login: a personal password, then consent to the RGPD notice
    and the terms of use, before anything else (:meth:`require_done`).

    The password itself is not kept: the host stores its own hash of it.
    """

    def __init__(self, policy: PasswordPolicy | None = None) -> None:
        self.policy = policy or PasswordPolicy()
        self.password_set = False
        self.rgpd_accepted_at: datetime | None = None
        self.terms_accepted_at: datetime | None = None

    def set_password(self, password: str, confirmation: str) -> None:
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

    >>> p = Profile("DUPONT42", ("jp.dupont@example.fr",))
    >>> request_password_reset(p, "DUPONT42", "JP.Dupont@example.fr").send_to
    'jp.dupont@example.fr'
    >>> wrong = request_password_reset(p, "DUPONT43", "jp.dupont@example.fr")
    >>> wrong.send_to is None, wrong.message == request_password_reset(p, "DUPONT42", "x@y.fr").message
    (True, True)
    """
    identifier_ok = hmac.compare_digest(identifier.strip().encode(), profile.identifier.encode())
    matching = [address for address in profile.emails if _same(address, email)]
    send_to = matching[0] if identifier_ok and matching else None
    return ResetAnswer(RESET_MESSAGE, send_to)
