"""Supporting documents (« pièces justificatives ») and the upload rules.

The guide (p. 5): « pour chaque pièce demandée, vous pouvez déposer jusqu'à 4
fichiers, mais chaque fichier ne devra pas dépasser une taille de 2000 ko (soit
1,95 Mo). Les fichiers image sont acceptés. »

A file is recognised by its content, not its name: PDF, JPEG, PNG, and the
formats phones produce, HEIC/HEIF and WebP. A name whose extension disagrees
with the content, an empty file, a name with a path or control characters in
it is rejected with a typed error.

>>> check_attachments([Upload("assurance.pdf", b"%PDF-1.7 ...")])
>>> check_attachments([Upload("photo.jpg", b"MZ\\x90\\x00 an executable")])
Traceback (most recent call last):
...
periscolaire.errors.AttachmentRejected: « photo.jpg » : type de fichier non accepté (PDF, JPEG, PNG, HEIC ou WebP).
"""

from __future__ import annotations

import enum
import hashlib
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs

from periscolaire.errors import AttachmentRejected, InvalidArgument, InvalidData
from periscolaire.jsonsafe import integer, iso_date, mapping, member, text

__all__ = [
    "MAX_FILES",
    "MAX_SIZE",
    "AnyFile",
    "Document",
    "FileType",
    "StoredFile",
    "Upload",
    "attachment_problems",
    "check_attachments",
    "sniff",
]

#: « jusqu'à 4 fichiers » per document.
MAX_FILES = 4
#: « 2000 ko (soit 1,95 Mo) »: 2000 x 1024 bytes.
MAX_SIZE = 2000 * 1024


class FileType(enum.StrEnum):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    HEIC = "heic"
    WEBP = "webp"


#: Extensions accepted for each type (lower case, without the dot).
EXTENSIONS: dict[FileType, frozenset[str]] = {
    FileType.PDF: frozenset({"pdf"}),
    FileType.JPEG: frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    FileType.PNG: frozenset({"png"}),
    FileType.HEIC: frozenset({"heic", "heif", "hif"}),
    FileType.WEBP: frozenset({"webp"}),
}
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"})


def sniff(content: bytes) -> FileType | None:
    """The file's type from its first bytes (its « magic number »), or None.

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n...") , sniff(b"GIF89a")
    (<FileType.PNG: 'png'>, None)
    """
    head = content[:16]
    if head.startswith(b"%PDF-"):
        return FileType.PDF
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return FileType.HEIC
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return FileType.WEBP
    return None


@attrs.frozen(repr=False)
class Upload:
    """A file a family uploads: its name and its bytes. ``issued_on`` is the
    date the document was issued, when a rule needs it (a proof of address
    must be under two months old)."""

    name: str
    content: bytes = attrs.field(validator=lambda _, a, v: _bytes(v))
    issued_on: date | None = attrs.field(default=None, validator=lambda _, a, v: _day_or_none(v, "issued_on"))

    def __repr__(self) -> str:  # never the bytes, nor the name (a PAI's file name may be health data)
        return f"Upload(size={len(self.content)})"

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        """The content's SHA-256, in hexadecimal (how a store finds its bytes)."""
        return hashlib.sha256(self.content).hexdigest()

    def stored(self) -> StoredFile:
        """What a store keeps of this file beside its bytes (its metadata)."""
        kind = sniff(self.content)
        if kind is None:
            raise AttachmentRejected(
                self.name,
                f"« {_display(self.name)} » : type de fichier non accepté.",
                code="type_not_allowed",
            )
        return StoredFile(self.name, self.size, kind, self.sha256, self.issued_on)


def _bytes(value: object) -> None:
    if not isinstance(value, bytes):
        raise InvalidArgument(
            f"content : le contenu du fichier (bytes) est attendu, reçu {type(value).__name__}."
        )


def _day_or_none(value: object, name: str) -> None:
    if value is not None and type(value) is not date:
        raise InvalidArgument(f"{name} : une date est attendue, reçu {value!r}.")


@attrs.frozen(repr=False)
class StoredFile:
    """A file of a dossier read back from a store: its metadata (name, size,
    type recognised from the content, SHA-256, issue date); the bytes stay in
    the store's blobs (``FamilyDossier.file_content``)."""

    name: str
    size: int
    type: FileType
    sha256: str
    issued_on: date | None = None

    def stored(self) -> StoredFile:
        return self

    def __repr__(self) -> str:  # not the name: a PAI's file name may be health data
        return f"StoredFile(size={self.size}, type={self.type.value}, sha256={self.sha256[:12]}…)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "size": self.size,
            "type": self.type.value,
            "sha256": self.sha256,
            "issued_on": None if self.issued_on is None else self.issued_on.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> StoredFile:
        """Read back :meth:`to_dict`; a record that breaks the attachment
        rules (size, type, name) is an :class:`~periscolaire.InvalidData`."""
        data = mapping(data, path)
        name = text(member(data, "name", path), f"{path}.name")
        problem = _name_problem(name)
        if problem is not None:
            raise InvalidData(f"{path}.name", problem)
        size = integer(member(data, "size", path), f"{path}.size")
        if not 0 < size <= MAX_SIZE:
            raise InvalidData(
                f"{path}.size", f"une taille de 1 à {MAX_SIZE} octets est attendue, reçu {size}"
            )
        try:
            kind = FileType(member(data, "type", path))
        except ValueError:
            raise InvalidData(f"{path}.type", "type de fichier non accepté") from None
        sha = member(data, "sha256", path)
        if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise InvalidData(f"{path}.sha256", "une empreinte SHA-256 hexadécimale est attendue")
        issued = data.get("issued_on")
        return cls(name, size, kind, sha, None if issued is None else iso_date(issued, f"{path}.issued_on"))


#: A file of a dossier: uploaded now, or read back from a store.
AnyFile = Upload | StoredFile


class Document(enum.StrEnum):
    """The supporting documents the guide asks for (p. 4-9, p. 15)."""

    TAX_NOTICE = "tax_notice"
    DIVORCE_JUDGMENT = "divorce_judgment"
    PROOF_OF_ADDRESS = "proof_of_address"
    INSURANCE_CERTIFICATE = "insurance_certificate"
    VACCINATION_PAGES = "vaccination_pages"
    CONTRAINDICATION_CERTIFICATE = "contraindication_certificate"
    PAI_PRESCRIPTION = "pai_prescription"
    PAI_PHOTO = "pai_photo"

    @property
    def label(self) -> str:
        return DOCUMENT_LABELS[self]

    @property
    def every_year(self) -> bool:
        """Renewed every school year (« Documents à renouveler chaque année », p. 15)."""
        return self in _EVERY_YEAR


DOCUMENT_LABELS: dict[Document, str] = {
    Document.TAX_NOTICE: "Avis d'imposition (calcul du quotient familial)",
    Document.DIVORCE_JUDGMENT: "Jugement de divorce (autorité parentale et garde des enfants)",
    Document.PROOF_OF_ADDRESS: "Justificatif de domicile de moins de deux mois",
    Document.INSURANCE_CERTIFICATE: "Attestation d'assurance pour l'année scolaire",
    Document.VACCINATION_PAGES: "Pages du carnet de santé (vaccinations obligatoires)",
    Document.CONTRAINDICATION_CERTIFICATE: "Certificat médical de contre-indication à la vaccination",
    Document.PAI_PRESCRIPTION: "Ordonnance du médecin (PAI)",
    Document.PAI_PHOTO: "Photo d'identité de l'enfant (PAI)",
}
_EVERY_YEAR = frozenset(
    {
        Document.PROOF_OF_ADDRESS,
        Document.INSURANCE_CERTIFICATE,
        Document.TAX_NOTICE,
        Document.PAI_PRESCRIPTION,
        Document.PAI_PHOTO,
    }
)


def _name_problem(name: str) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "nom de fichier vide"
    if "/" in name or "\\" in name or name in (".", ".."):
        return "le nom contient un chemin"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        return "le nom contient des caractères de contrôle"
    if len(name) > 255:
        return "nom de fichier trop long"
    return None


def _display(name: object) -> str:
    """The name for a message, with control characters made visible."""
    text = str(name)
    return "".join(c if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") else "?" for c in text)


def attachment_problems(files: Sequence[Upload]) -> tuple[AttachmentRejected, ...]:
    """Every problem of a document's files (empty when they are accepted)."""
    problems: list[AttachmentRejected] = []
    if len(files) > MAX_FILES:
        extra = files[MAX_FILES]
        problems.append(
            AttachmentRejected(
                extra.name,
                f"« {_display(extra.name)} » : au plus {MAX_FILES} fichiers par pièce ({len(files)} déposés).",
                code="too_many_files",
            )
        )
    for upload in files:
        name = upload.name
        shown = _display(name)
        problem = _name_problem(name)
        if problem is not None:
            problems.append(AttachmentRejected(str(name), f"« {shown} » : {problem}.", code="bad_name"))
            continue
        size = len(upload.content)
        if size == 0:
            problems.append(AttachmentRejected(name, f"« {shown} » : le fichier est vide.", code="empty"))
            continue
        if size > MAX_SIZE:
            problems.append(
                AttachmentRejected(
                    name,
                    f"« {shown} » : {size} octets, au-delà de 2000 ko ({MAX_SIZE} octets).",
                    code="too_large",
                )
            )
            continue
        kind = sniff(upload.content)
        if kind is None:
            problems.append(
                AttachmentRejected(
                    name,
                    f"« {shown} » : type de fichier non accepté (PDF, JPEG, PNG, HEIC ou WebP).",
                    code="type_not_allowed",
                )
            )
            continue
        extension = name.rsplit(".", 1)[1].lower() if "." in name else ""
        if extension not in EXTENSIONS[kind]:
            problems.append(
                AttachmentRejected(
                    name,
                    f"« {shown} » : l'extension ne correspond pas au contenu (un fichier {kind.value.upper()}).",
                    code="extension_mismatch",
                )
            )
    return tuple(problems)


def check_attachments(files: Sequence[Upload]) -> None:
    """Accept a document's files or raise the first
    :class:`~periscolaire.AttachmentRejected` (codes ``too_many_files``,
    ``too_large``, ``empty``, ``type_not_allowed``, ``extension_mismatch``,
    ``bad_name``)."""
    problems = attachment_problems(files)
    if problems:
        raise problems[0]
