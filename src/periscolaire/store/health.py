"""Health data at rest: what a store keeps apart, and the key that seals it.

The fiche santé (allergies, pathologies, PAI, vaccinations, doctor,
recommendations) and everything said about it (a rejection's reason, its
files) are sensitive data under the RGPD. A database store keeps them apart
from the rest of the dossier and, when the host gives keys, encrypted with
authenticated encryption (Fernet from the ``cryptography`` package:
AES-128-CBC with HMAC-SHA256; ``pip install 'periscolaire[crypto]'``), so that
neither the database nor its backups hold them in clear. The files of a
dossier (a PAI prescription...) are sealed the same way.

Keys are Fernet keys (``HealthCipher.generate_key()``), newest first: the
first seals, every one opens. Rotation: put the new key first, keep the old
ones, run :meth:`~periscolaire.store.DossierStore.rotate_keys` (``periscolaire
db rotate-keys URL``), then drop the old keys.

>>> cipher = HealthCipher([HealthCipher.generate_key()])
>>> sealed = cipher.seal(b'{"allergies": "arachide"}')
>>> b"arachide" in sealed, cipher.open(sealed)
(False, b'{"allergies": "arachide"}')
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import Any

from periscolaire.errors import MissingExtra, StoreError

__all__ = ["HEALTH_KINDS", "HealthCipher", "HealthDataWarning", "join_health", "split_health"]

#: The fiches whose content is health data.
HEALTH_KINDS = frozenset({"sante"})
_SEALED = b"fernet:"
_CLEAR = b"clear:"


class HealthDataWarning(UserWarning):
    """A database store keeps health data without encryption (no key given)."""


def _fernet() -> Any:
    try:
        from cryptography import fernet
    except ImportError as exc:
        raise MissingExtra(
            "Le chiffrement des données de santé demande cryptography : pip install 'periscolaire[crypto]'.",
            code="missing_extra",
        ) from exc
    return fernet


class HealthCipher:
    """Seals and opens health data with the host's keys (newest first); with
    no key, data is kept in clear, marked so (``clear:``), and opened as is."""

    def __init__(self, keys: Iterable[str | bytes] | None = None) -> None:
        given = [] if keys is None else ([keys] if isinstance(keys, str | bytes) else list(keys))
        self._multi: Any = None
        if given:
            fernet = _fernet()
            try:
                self._multi = fernet.MultiFernet([fernet.Fernet(k) for k in given])
            except (ValueError, TypeError):
                # The key itself is never echoed.
                raise StoreError(
                    "Clé de chiffrement invalide : une clé Fernet (HealthCipher.generate_key()) est attendue.",
                    code="bad_key",
                ) from None

    @staticmethod
    def generate_key() -> str:
        """A new random key (URL-safe base64 text, to keep in the host's secrets)."""
        key: bytes = _fernet().Fernet.generate_key()
        return key.decode("ascii")

    @property
    def encrypts(self) -> bool:
        return self._multi is not None

    def seal(self, data: bytes) -> bytes:
        if self._multi is None:
            return _CLEAR + data
        token: bytes = self._multi.encrypt(data)
        return _SEALED + token

    def open(self, stored: bytes) -> bytes:
        if stored.startswith(_CLEAR):
            return stored[len(_CLEAR) :]
        if not stored.startswith(_SEALED):
            raise StoreError("Donnée de santé illisible (format inconnu).", code="bad_health_data")
        if self._multi is None:
            raise StoreError(
                "Les données de santé de ce stockage sont chiffrées : donnez ses clés (health_keys=...).",
                code="missing_key",
            )
        try:
            data: bytes = self._multi.decrypt(stored[len(_SEALED) :])
        except _fernet().InvalidToken:
            raise StoreError(
                "Données de santé indéchiffrables avec les clés données (clé retirée trop tôt, "
                "ou donnée altérée).",
                code="bad_key",
            ) from None
        return data

    def reseal(self, stored: bytes) -> bytes:
        """``stored`` sealed with the newest key (data in clear gets sealed)."""
        return self.seal(self.open(stored))

    def __repr__(self) -> str:  # never a key
        return f"HealthCipher(encrypts={self.encrypts})"


def split_health(document: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A dossier's stored form cut in two: the rest, and its health part (the
    health fiches, and the events about them with their places)."""
    rest = dict(document)
    fiches = list(document.get("fiches", ()))
    events = list(document.get("events", ()))
    rest["fiches"] = [f for f in fiches if f.get("kind") not in HEALTH_KINDS]
    rest["events"] = [e for e in events if e.get("kind") not in HEALTH_KINDS]
    health = {
        "fiches": [[i, f] for i, f in enumerate(fiches) if f.get("kind") in HEALTH_KINDS],
        "events": [[i, e] for i, e in enumerate(events) if e.get("kind") in HEALTH_KINDS],
    }
    return rest, health


def join_health(rest: Mapping[str, Any], health: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`split_health`."""
    document = copy.deepcopy(dict(rest))
    for key in ("fiches", "events"):
        merged: list[Any] = list(document.get(key, ()))
        for index, item in health.get(key, ()):
            merged.insert(index, item)
        document[key] = merged
    return document


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def loads(data: bytes | str) -> Any:
    return json.loads(data)
