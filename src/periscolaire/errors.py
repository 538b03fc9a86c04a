"""Errors raised by periscolaire.

Every error is a :class:`PeriscolaireError`, itself a :class:`ValueError`, with

* ``code``: a stable, machine-readable snake_case string a host can switch on
  (``"past_deadline"``, ``"debtor"``, ``"too_large"``...), and
* ``message``: a French sentence a portal can show to a family or an agent.

Subclasses are named after the rule that was broken. A class has a default
code; instances may carry a more precise one (``NotBookable`` is raised with
``not_running``, ``not_open_yet``, ``past_deadline``...).

>>> from periscolaire.errors import NotBookable
>>> err = NotBookable("Hors délai pour réserver ce jour.", code="past_deadline")
>>> err.code, str(err)
('past_deadline', 'Hors délai pour réserver ce jour.')
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal
from typing import Any, ClassVar

__all__ = [
    "AttachmentRejected",
    "BookingAccessDenied",
    "BookingError",
    "ConfigurationError",
    "DossierError",
    "InvalidAmount",
    "InvalidArgument",
    "InvalidData",
    "LedgerError",
    "MissingExtra",
    "NotBookable",
    "PeriscolaireError",
    "ProfileError",
    "SchemaError",
    "StaleWrite",
    "StoreError",
    "TariffError",
    "UnknownActivity",
    "UnknownChild",
    "UnknownWallet",
]


class PeriscolaireError(ValueError):
    """Base of every error the library raises on purpose."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            # An instance attribute shadows the class default.
            self.__dict__["code"] = code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.code, self._extra()))

    def _extra(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("message", "code")}


def _rebuild(
    cls: type[PeriscolaireError], message: str, code: str, extra: dict[str, Any]
) -> PeriscolaireError:
    err = cls.__new__(cls)
    PeriscolaireError.__init__(err, message, code=code)
    err.__dict__.update(extra)
    return err


class ConfigurationError(PeriscolaireError):
    """A commune configuration is invalid. ``path`` names the offending key."""

    code = "configuration"

    def __init__(self, path: str, message: str, *, code: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path} : {message}" if path else message, code=code)


class UnknownActivity(PeriscolaireError):
    """An activity code that the commune does not offer."""

    code = "unknown_activity"

    def __init__(self, activity: str) -> None:
        self.activity = activity
        super().__init__(f"Activité inconnue : {activity!r}.")


class UnknownChild(PeriscolaireError):
    """A child identifier that is not part of the family."""

    code = "unknown_child"

    def __init__(self, child: str) -> None:
        self.child = child
        super().__init__(f"Enfant inconnu dans cette famille : {child!r}.")


class BookingError(PeriscolaireError):
    """A booking operation that the rules refuse."""

    code = "booking"


class NotBookable(BookingError):
    """A day that cannot be booked (or cancelled) at this instant.

    Codes: ``not_running``, ``not_open_yet``, ``past_deadline``,
    ``not_enrolled``, ``not_custody_day``.
    """

    code = "not_bookable"


class BookingAccessDenied(BookingError):
    """The booking screen is refused: ``debtor`` or ``dossier_incomplete``."""

    code = "booking_access_denied"


class InvalidAmount(PeriscolaireError, TypeError):
    """An amount of money that is not a finite ``Decimal`` with at most two decimals.

    It is also a :class:`TypeError`, so that ``except TypeError`` catches a
    ``float`` passed where money is expected.
    """

    code = "invalid_amount"


class UnknownWallet(PeriscolaireError):
    """A porte-monnaie that the account does not have."""

    code = "unknown_wallet"


class LedgerError(PeriscolaireError):
    """An operation the account's ledger refuses (a payment of zero, a double
    correction...)."""

    code = "ledger"


class TariffError(PeriscolaireError):
    """A tariff that breaks a pricing rule (e.g. above the service's cost price)."""

    code = "tariff"


class DossierError(PeriscolaireError):
    """A dossier operation that the workflow refuses."""

    code = "dossier"


class StaleWrite(DossierError):
    """A form sent back after its fiche changed (an agent's decision, another
    parent's edit): refused rather than overwriting. Read the fiche again."""

    code = "stale_write"

    def __init__(self, label: str, stored: int, read: int) -> None:
        self.stored = stored
        self.read = read
        super().__init__(
            f"{label} : la fiche a changé depuis votre lecture (version {stored}, lue à la version {read}) ; "
            "rechargez-la avant de l'enregistrer."
        )


class AttachmentRejected(DossierError):
    """An uploaded file that breaks the attachment rules; ``name`` is the file's name."""

    code = "attachment_rejected"

    def __init__(self, name: str, message: str, *, code: str) -> None:
        self.name = name
        super().__init__(message, code=code)


class MissingExtra(PeriscolaireError):
    """An optional dependency (``periscolaire[plot]``, ``[ics]``...) is not installed."""

    code = "missing_extra"


class ProfileError(PeriscolaireError):
    """A profile operation that is refused (password policy, e-mail address...)."""

    code = "profile"


class InvalidArgument(PeriscolaireError, TypeError):
    """An argument of the wrong type or out of its range (a day that is not a
    ``date``, a negative number of places, a store that is not one).

    It is also a :class:`TypeError`, so that ``except TypeError`` still
    catches a programming mistake.
    """

    code = "invalid_argument"


class InvalidData(PeriscolaireError):
    """A JSON-safe form (``from_dict``) that does not describe a valid value;
    ``path`` names the offending key (``"pending[2].day"``)."""

    code = "invalid_data"

    def __init__(self, path: str, message: str, *, code: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path} : {message}" if path else message, code=code)


class StoreError(PeriscolaireError):
    """A store that cannot be opened or used (bad URL, unreachable server,
    stored data that breaks an invariant)."""

    code = "store"


class SchemaError(StoreError):
    """The database schema is missing, older or newer than this library.

    ``command`` is the command that fixes it (``periscolaire db upgrade URL``),
    or empty when the library itself must be upgraded.
    """

    code = "schema"

    def __init__(self, message: str, *, code: str | None = None, command: str = "") -> None:
        self.command = command
        super().__init__(message, code=code)


def require_bool(value: object, name: str) -> bool:
    """``value`` if it is a bool: a truthy string (« non ») or a number where a
    yes/no is meant is an :class:`InvalidArgument`, never a silent yes."""
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name} : true ou false est attendu, reçu {value!r}.")
    return value


def shown(value: Any, depth: int = 0) -> str:
    """A short, safe rendering of a value for a message: never recursive
    beyond two levels, never long, never an error (an integer of thousands of
    digits has no ``repr``)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return repr(value) if abs(value) < 10**20 else f"{'-' if value < 0 else ''}plus de 20 chiffres"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else f"{value[:60]!r}… ({len(value)} caractères)"
    if isinstance(value, Decimal):
        text = str(value)
        return text if len(text) <= 40 else f"{text[:40]}…"
    if isinstance(value, Mapping | list | tuple):
        opening, closing = ("{", "}") if isinstance(value, Mapping) else ("[", "]")
        if not value:
            return opening + closing
        if depth >= 2:
            return f"{opening}…{closing}"
        if isinstance(value, Mapping):
            parts = [f"{shown(k, depth + 1)}: {shown(v, depth + 1)}" for k, v in list(value.items())[:5]]
        else:
            parts = [shown(item, depth + 1) for item in list(value)[:5]]
        more = ", …" if len(value) > 5 else ""
        return f"{opening}{', '.join(parts)}{more}{closing}"
    if isinstance(value, float | date | time | bytes):
        text = repr(value)
        return text if len(text) <= 100 else f"{text[:100]}…"
    return type(value).__name__
