"""Supporting documents (« pièces justificatives ») and the upload rules.

The guide (p. 5): « pour chaque pièce demandée, vous pouvez déposer jusqu'à 4
fichiers, mais chaque fichier ne devra pas dépasser une taille de 2000 ko (soit
1,95 Mo). Les fichiers image sont acceptés. »

A file is recognised by its content, not its name: PDF, the common image
formats (JPEG, PNG, GIF, TIFF, BMP) and the formats phones produce, HEIC/HEIF
and WebP. A name whose extension disagrees with the content, an empty file, a
name with a path, control characters or a Windows reserved name in it is
rejected with a typed error. The content is checked beyond its first bytes: a
PDF must end with ``%%EOF`` and carry no active content (scripts, launched
programs, embedded files, actions run on opening), an image must be complete
(PNG chunks up to IEND, JPEG up to its EOI marker, GIF up to its trailer, the
size a WebP or BMP declares), and nothing may hide behind or inside it (an
archive, a web page, a script or a program: a « polyglot »).

>>> check_attachments([Upload("assurance.pdf", b"%PDF-1.7 ...\\n%%EOF\\n")])
>>> check_attachments([Upload("scan.jpg", b"MZ\\x90\\x00 an executable")])
Traceback (most recent call last):
...
periscolaire.errors.AttachmentRejected: « scan.jpg » : type de fichier non accepté (PDF, JPEG, PNG, GIF, TIFF, BMP, HEIC ou WebP).
>>> check_attachments([Upload("assurance.pdf", b"%PDF-1.7 ...")])
Traceback (most recent call last):
...
periscolaire.errors.AttachmentRejected: « assurance.pdf » : le fichier n'est pas un PDF valide (incomplet ou endommagé).
"""

from __future__ import annotations

import enum
import hashlib
import re
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Literal

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
    GIF = "gif"
    TIFF = "tiff"
    BMP = "bmp"


#: Extensions accepted for each type (lower case, without the dot).
EXTENSIONS: dict[FileType, frozenset[str]] = {
    FileType.PDF: frozenset({"pdf"}),
    FileType.JPEG: frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    FileType.PNG: frozenset({"png"}),
    FileType.HEIC: frozenset({"heic", "heif", "hif"}),
    FileType.WEBP: frozenset({"webp"}),
    FileType.GIF: frozenset({"gif"}),
    FileType.TIFF: frozenset({"tif", "tiff"}),
    FileType.BMP: frozenset({"bmp"}),
}
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"})


#: The sizes of the BMP information headers (BITMAPCOREHEADER … BITMAPV5HEADER).
_BMP_HEADERS = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def sniff(content: bytes) -> FileType | None:
    """The file's type from its first bytes (its « magic number »), or None.
    It says what a file claims to be; :func:`attachment_problems` then checks
    that it is one.

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n...") , sniff(b"GIF89a"), sniff(b"II*\\x00"), sniff(b"BMP?")
    (<FileType.PNG: 'png'>, <FileType.GIF: 'gif'>, <FileType.TIFF: 'tiff'>, None)
    """
    head = content[:32]
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
    if head.startswith((b"GIF87a", b"GIF89a")):
        return FileType.GIF
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return FileType.TIFF
    # "BM" alone is too common a start (a text file); a BMP also has zero
    # reserved bytes and a known information header size.
    if head.startswith(b"BM") and head[6:10] == b"\x00" * 4 and _u32le(head, 14) in _BMP_HEADERS:
        return FileType.BMP
    return None


def _u32le(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "little")


@attrs.frozen(repr=False)
class Upload:
    """A file a family uploads: its name and its bytes. ``issued_on`` is the
    date the document was issued, when a rule needs it (a proof of address
    must be under two months old)."""

    name: str = attrs.field(validator=lambda _, a, v: _name_type(v))
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


def _name_type(value: object) -> None:
    if not isinstance(value, str):  # not the value: a name may be health data
        raise InvalidArgument(f"name : le nom du fichier (texte) est attendu, reçu {type(value).__name__}.")


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
    FAMILY_RECORD_PAGE = "family_record_page"

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
    Document.FAMILY_RECORD_PAGE: "Page supplémentaire du livret de famille (naissance)",
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
    """What is wrong with a name, for every file, stored ones included."""
    if not isinstance(name, str) or not name.strip():
        return "nom de fichier vide"
    if "/" in name or "\\" in name or name in (".", ".."):
        return "le nom contient un chemin"
    if any(c in _BIDI_CONTROLS for c in name):
        return "le nom contient des caractères de direction d'écriture (nom trompeur)"
    if any(unicodedata.category(c) in _CONTROL_CATEGORIES for c in name):
        return "le nom contient des caractères de contrôle"
    if len(name) > 255:
        return "nom de fichier trop long"
    return None


def _upload_name_problem(name: str) -> str | None:
    """What is wrong with the name of a file uploaded now: the rules of
    :func:`_name_problem`, and the rules added since (a stored file read
    back keeps loading under the rules it was accepted with)."""
    problem = _name_problem(name)
    if problem is not None:
        return problem
    if any(unicodedata.category(c) == "Cs" for c in name):  # a lone surrogate: no UTF-8 for it
        return "le nom contient des caractères invalides"
    if len(name.encode("utf-8")) > 255:
        return "nom de fichier trop long (plus de 255 octets)"
    # Windows ignores the extension and trailing spaces or dots: « con.pdf », « Nul .txt.pdf ».
    if name.split(".", 1)[0].rstrip(" .").upper() in _WINDOWS_RESERVED:
        return "nom réservé par Windows"
    return None


_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
#: LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI: they make « gpj.exe » read « exe.jpg ».
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"{device}{n}" for device in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"}
)


def _display(name: object) -> str:
    """The name for a message, with control characters (and lone
    surrogates, which no text encoding can write) made visible."""
    text = str(name)
    return "".join(
        "?" if unicodedata.category(c) in _CONTROL_CATEGORIES or unicodedata.category(c) == "Cs" else c
        for c in text
    )


# --------------------------------------------------------------------------
# Content checks: beyond the first bytes (bytes scanning, no decoding)
# --------------------------------------------------------------------------

#: A payload hidden behind a file's end: a ZIP (local header, central
#: directory, end record), a web page or PHP script, an ELF program. A
#: Windows program is recognised by its « MZ » start.
_PAYLOAD = re.compile(rb"PK\x03\x04|PK\x01\x02|PK\x05\x06|<script|<html|<\?php|\x7fELF", re.IGNORECASE)
#: A script anywhere inside an image (PHP needs a blank after its tag).
_SCRIPT = re.compile(rb"<script|<\?php\s", re.IGNORECASE)
#: PDF whitespace (ISO 32000-1, 7.2.2).
_PDF_BLANK = b"\x00\t\n\x0c\r "
#: Where readers look for the last ``%%EOF`` (Acrobat: the last 1024 bytes).
_PDF_EOF_WINDOW = 1024
#: What inflating a PDF's object streams may produce, at most.
_INFLATE_BUDGET = 8 * MAX_SIZE


def _pdf_names(*names: str) -> bytes:
    """A pattern for PDF names, each character written as itself or as a
    ``#xx`` escape (``/J#61vaScript`` is ``/JavaScript``), followed by a
    delimiter (``/JS`` is not ``/JSON``)."""
    spelled = (
        "".join(f"(?:{re.escape(c)}|#(?i:{ord(c):02x}))" for c in name)
        for name in sorted(names, key=len, reverse=True)
    )
    return f"/(?:{'|'.join(spelled)})(?![^\\x00\\t\\n\\x0c\\r ()<>\\[\\]{{}}/%])".encode("ascii")


_PDF_ACTIVE = re.compile(_pdf_names("JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles"))
_BLANK = rb"[\x00\t\n\x0c\r ]"
#: Object numbers and offsets, short enough to read (Python refuses over 4300 digits).
_NUMBER = rb"([0-9]{1,10})(?![0-9])"
#: ``/OpenAction`` and its value when it may be a destination (« open at
#: page 1 », what office suites and LaTeX write): an array, or a reference
#: to one. Anything else (an action dictionary) is an action.
_PDF_OPEN_ACTION = re.compile(
    _pdf_names("OpenAction")
    + _BLANK
    + rb"*(?:(?P<array>\[)|(?P<ref>[0-9]{1,10}"
    + _BLANK
    + rb"+[0-9]{1,5})"
    + _BLANK
    + rb"+R)?"
)
#: An object's header, and whether its value is an array.
_PDF_OBJECT = re.compile(
    rb"(?<![0-9])" + _NUMBER + _BLANK + rb"+" + _NUMBER + _BLANK + rb"+obj" + _BLANK + rb"*(\[)?"
)
_PDF_ARRAY = re.compile(_BLANK + rb"*\[")
_PDF_OBJECT_STREAM = re.compile(_pdf_names("ObjStm"))
_PDF_FIRST = re.compile(_pdf_names("First") + _BLANK + rb"*" + _NUMBER)
_PDF_STREAM = re.compile(rb"stream\r?\n")

#: An object stream (PDF 1.5): its inflated bytes, and where each object starts in them.
_Packed = tuple[bytes, dict[int, int]]


def _pdf_text(content: bytes) -> tuple[bytes, list[_Packed]] | None:
    """A PDF's objects as text: what lies outside its streams, and its
    object streams, inflated; None for a decompression bomb or a stream
    without its ``endstream``. A stream runs
    from ``stream`` to ``endstream``: its bytes (compressed pages,
    pictures) are never read as names."""
    outside: list[bytes] = []
    packed: list[_Packed] = []
    at, budget, view = 0, _INFLATE_BUDGET, memoryview(content)
    while (stream := _PDF_STREAM.search(content, at)) is not None:
        before = content[at : stream.start()]
        outside.append(before)
        end = content.find(b"endstream", stream.end())
        if end < 0:  # a reader goes by /Length and would read what follows as objects
            return None
        # Past the keyword: « endstream » ends with « stream », which is no stream's start.
        at = end + len(b"endstream")
        dictionary = before[max(before.rfind(b"obj"), 0) :]  # the stream's own
        if _PDF_OBJECT_STREAM.search(dictionary) is None:
            continue
        inflate = zlib.decompressobj()
        try:
            data = inflate.decompress(view[stream.end() : end], budget)
        except zlib.error:
            continue  # another filter, or damaged: nothing to read here
        if len(data) >= budget:
            return None
        budget -= len(data)
        first = _PDF_FIRST.search(dictionary)
        start = int(first[1]) if first is not None else 0  # the header: « number offset » pairs
        numbers = data[:start].split()
        index = {
            int(number): start + int(offset)
            for number, offset in zip(numbers[::2], numbers[1::2], strict=False)
            if number.isdigit() and offset.isdigit() and len(number) <= 10 and len(offset) <= 10
        }
        packed.append((data, index))
    outside.append(content[at:])
    return b"".join(outside), packed


def _pdf_arrays(outside: bytes, packed: list[_Packed]) -> dict[tuple[int, int], bool]:
    """Whether each object of a PDF is an array (its last definition)."""
    arrays = {(int(found[1]), int(found[2])): found[3] is not None for found in _PDF_OBJECT.finditer(outside)}
    for data, index in packed:
        arrays.update({(number, 0): _PDF_ARRAY.match(data, at) is not None for number, at in index.items()})
    return arrays


def _pdf_problem(content: bytes) -> tuple[str, str] | None:
    end = content.rfind(b"%%EOF")
    if end < 0:
        return _MALFORMED
    tail = content[end + 5 :].lstrip(_PDF_BLANK)
    if tail.startswith(b"MZ") or _PAYLOAD.search(tail):
        return _POLYGLOT
    if len(tail) > _PDF_EOF_WINDOW:
        return _MALFORMED
    text = _pdf_text(content)
    if text is None:
        return _MALFORMED
    outside, packed = text
    references: set[tuple[int, int]] = set()
    for part in (outside, *(data for data, _ in packed)):
        if _PDF_ACTIVE.search(part) is not None:
            return _ACTIVE
        for found in _PDF_OPEN_ACTION.finditer(part):
            if found["ref"]:
                number, generation = found["ref"].split()
                references.add((int(number), int(generation)))
            elif not found["array"]:
                return _ACTIVE
            if len(references) > 16:  # one per catalog revision: not a family's document
                return _ACTIVE
    if references:
        arrays = _pdf_arrays(outside, packed)
        if not all(arrays.get(reference, False) for reference in references):
            return _ACTIVE
    return None


def _trailing(tail: bytes) -> tuple[str, str] | None:
    """What follows the end of an image: nothing, a payload or rubbish."""
    if not tail:
        return None
    return _POLYGLOT if tail.startswith(b"MZ") or _PAYLOAD.search(tail) else _MALFORMED


def _png_problem(content: bytes) -> tuple[str, str] | None:
    if content[8:16] != b"\x00\x00\x00\x0dIHDR":
        return _MALFORMED
    at, size = 8, len(content)
    while True:
        if at + 12 > size:
            return _MALFORMED
        kind = content[at + 4 : at + 8]
        if not kind.isalpha():
            return _MALFORMED
        at += 12 + int.from_bytes(content[at : at + 4], "big")
        if kind == b"IEND":
            break
    return _MALFORMED if at > size else _trailing(content[at:])


#: In entropy-coded data, a marker: FF not followed by a stuffed 00, a
#: restart marker (D0-D7) or a fill byte.
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_end(content: bytes, at: int) -> int | None:
    """Where the JPEG image starting at ``at`` ends (after its EOI), or
    None when its segments do not lead to one."""
    if content[at : at + 2] != b"\xff\xd8":
        return None
    at += 2
    size = len(content)
    while at + 1 < size:
        if content[at] != 0xFF:
            return None
        marker = content[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
        elif marker == 0xD9:  # EOI
            return at + 2
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:  # standalone markers
            at += 2
        elif marker in (0x00, 0xD8):
            return None
        else:
            length = int.from_bytes(content[at + 2 : at + 4], "big")
            if length < 2:
                return None
            at += 2 + length
            if marker == 0xDA:  # SOS: the entropy-coded data runs to the next marker
                found = _JPEG_MARKER.search(content, at)
                if found is None:
                    return None
                at = found.start()
    return None


def _jpeg_problem(content: bytes) -> tuple[str, str] | None:
    body = content.rstrip(b"\x00")  # zero padding after the EOI
    end = _jpeg_end(body, 0)
    # Phones append more images after the first (MPF: an HDR gain map, a preview).
    for _ in range(8):
        if end is None or not body.startswith(b"\xff\xd8", end):
            break
        end = _jpeg_end(body, end)
    if end is None:
        return _MALFORMED
    return _trailing(body[end:])


def _gif_problem(content: bytes) -> tuple[str, str] | None:
    size = len(content)
    if size < 13:
        return _MALFORMED
    at = 13 + _gif_colour_table(content[10])
    while at < size:
        block = content[at]
        if block == 0x3B:  # trailer
            return _trailing(content[at + 1 :])
        if block == 0x21:  # extension: introducer, label, sub-blocks
            at += 2
        elif block == 0x2C and at + 10 <= size:  # image: descriptor, colours, LZW size, sub-blocks
            at += 10 + _gif_colour_table(content[at + 9]) + 1
        else:
            return _MALFORMED
        while at < size and content[at]:
            at += 1 + content[at]
        at += 1  # the block terminator
    return _MALFORMED


def _gif_colour_table(flags: int) -> int:
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


def _tiff_problem(content: bytes) -> tuple[str, str] | None:
    order: Literal["little", "big"] = "little" if content.startswith(b"II") else "big"
    first = int.from_bytes(content[4:8], order)
    entries = int.from_bytes(content[first : first + 2], order) if first >= 8 else 0
    # The first directory, its entries (12 bytes each) and the next one's offset, inside the file.
    if entries == 0 or first + 2 + 12 * entries + 4 > len(content):
        return _MALFORMED
    return None


def _sized_problem(content: bytes, declared: int) -> tuple[str, str] | None:
    """A file whose header gives its size (WebP, BMP)."""
    if declared > len(content):
        return _MALFORMED
    return _trailing(content[declared:])


def _webp_problem(content: bytes) -> tuple[str, str] | None:
    if content[12:16] not in (b"VP8 ", b"VP8L", b"VP8X"):
        return _MALFORMED
    return _sized_problem(content, 8 + _u32le(content, 4))


def _bmp_problem(content: bytes) -> tuple[str, str] | None:
    if not 14 + _u32le(content, 14) <= _u32le(content, 10) <= len(content):  # the pixels' offset
        return _MALFORMED
    return _sized_problem(content, _u32le(content, 2))


def _zip_inside(content: bytes) -> bool:
    """A ZIP whose end record is where an unzipper looks for it: the last
    22 bytes, or before a comment running to the file's end (which may
    cover the image's or PDF's own end)."""
    size = len(content)
    start = max(0, size - 22 - 0xFFFF)
    at = content.rfind(b"PK\x05\x06", start)
    while at >= 0:
        if int.from_bytes(content[at + 20 : at + 22], "little") == size - at - 22:
            return True
        at = content.rfind(b"PK\x05\x06", start, at + 3)
    return False


_CHECKS: dict[FileType, Callable[[bytes], tuple[str, str] | None]] = {
    FileType.PDF: _pdf_problem,
    FileType.PNG: _png_problem,
    FileType.JPEG: _jpeg_problem,
    FileType.GIF: _gif_problem,
    FileType.TIFF: _tiff_problem,
    FileType.WEBP: _webp_problem,
    FileType.BMP: _bmp_problem,
    FileType.HEIC: lambda content: None,  # its ftyp box, as sniff reads it
}

_MALFORMED = ("malformed", "le fichier n'est pas un {kind} valide (incomplet ou endommagé).")
_POLYGLOT = (
    "polyglot",
    "le fichier cache d'autres données (archive, page web, script ou programme) dans ou après son contenu {kind}.",
)
_ACTIVE = (
    "active_content",
    "le PDF contient du contenu actif (script, lancement de programme, fichier joint ou action à "
    "l'ouverture), refusé par sécurité ; imprimez-le en PDF pour le déposer.",
)


def _content_problem(kind: FileType, content: bytes) -> tuple[str, str] | None:
    """The code and message template of what is wrong with a file's content."""
    if _zip_inside(content) or (kind != FileType.PDF and _SCRIPT.search(content) is not None):
        return _POLYGLOT
    return _CHECKS[kind](content)


def attachment_problems(files: Sequence[Upload]) -> tuple[AttachmentRejected, ...]:
    """Every problem of a document's files (empty when they are accepted).
    Files that are not :class:`Upload` values are an
    :class:`~periscolaire.InvalidArgument`."""
    if isinstance(files, str | bytes) or not isinstance(files, Sequence):
        raise InvalidArgument(f"files : une liste de ps.Upload est attendue, reçu {type(files).__name__}.")
    for i, upload in enumerate(files):
        if not isinstance(upload, Upload):
            raise InvalidArgument(f"files[{i}] : un ps.Upload est attendu, reçu {type(upload).__name__}.")
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
        problem = _upload_name_problem(name)
        if problem is not None:
            problems.append(AttachmentRejected(name, f"« {shown} » : {problem}.", code="bad_name"))
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
                    f"« {shown} » : type de fichier non accepté (PDF, JPEG, PNG, GIF, TIFF, BMP, HEIC ou WebP).",
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
            continue
        found = _content_problem(kind, upload.content)
        if found is not None:
            code, message = found
            problems.append(
                AttachmentRejected(
                    name, f"« {shown} » : {message.format(kind=kind.value.upper())}", code=code
                )
            )
    return tuple(problems)


def check_attachments(files: Sequence[Upload]) -> None:
    """Accept a document's files or raise the first
    :class:`~periscolaire.AttachmentRejected` (codes ``too_many_files``,
    ``too_large``, ``empty``, ``type_not_allowed``, ``extension_mismatch``,
    ``bad_name``, ``malformed``, ``polyglot``, ``active_content``)."""
    problems = attachment_problems(files)
    if problems:
        raise problems[0]
