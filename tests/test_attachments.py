"""Supporting documents (guide p. 5): « jusqu'à 4 fichiers … 2000 ko (soit 1,95 Mo). Les fichiers
image sont acceptés. »

The fixtures are the smallest files of each type that have the structure the checks read, built here.
"""

from __future__ import annotations

import hashlib
import re
import time
import tracemalloc
import zlib
from datetime import date, datetime

import pytest

import periscolaire as ps
from periscolaire.attachments import MAX_SIZE, _pdf_names, attachment_problems, sniff


def pdf(*objects: bytes, after_eof: bytes = b"") -> bytes:
    """A PDF whose objects 1, 2, … are ``objects`` (object 1 the catalog)."""
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (n, o) for n, o in enumerate(objects, 1))
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        + body
        + b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
        + after_eof
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")


def png(*extra: bytes) -> bytes:
    """A 1 x 1 red PNG; ``extra`` chunks go before its pixels."""
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", b"\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
        + b"".join(extra)
        + png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + png_chunk(b"IEND", b"")
    )


def jpeg(*segments: bytes) -> bytes:
    """SOI, a JFIF APP0 segment, ``segments``, a scan whose coded data has a stuffed FF 00 and a
    restart marker, EOI."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x12\xff\x00\x34\xff\xd0\x56"
    return b"\xff\xd8" + app0 + b"".join(segments) + scan + b"\xff\xd9"


def segment(marker: int, data: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(data) + 2).to_bytes(2, "big") + data


PDF = pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>")
PNG = png()
JPEG = jpeg()
# The classic 1 x 1 transparent GIF: header, screen, colours, graphic control, image, trailer.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
# Header, one directory of one entry (ImageWidth = 1), no next directory.
TIFF_LE = (
    b"II*\x00\x08\x00\x00\x00" + b"\x01\x00" + b"\x00\x01\x03\x00\x01\x00\x00\x00\x01\x00\x00\x00" + bytes(4)
)
TIFF_BE = (
    b"MM\x00*\x00\x00\x00\x08" + b"\x00\x01" + b"\x01\x00\x00\x03\x00\x00\x00\x01\x00\x01\x00\x00" + bytes(4)
)
# 1 x 1, 24 bits: file header (size 58, pixels at 54), BITMAPINFOHEADER, one padded row.
BMP = (
    b"BM:\x00\x00\x00\x00\x00\x00\x006\x00\x00\x00"
    + b"(\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01\x00\x18\x00"
    + bytes(24)
    + b"\x00\x00\xff\x00"
)
# 1 x 1 lossless WebP: the RIFF size (26) is the file's length (34) less 8.
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\r\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"


def sized(head: bytes, size: int) -> bytes:
    return head + b"\x00" * (size - len(head))


def code_of(files: list[ps.Upload]) -> str:
    with pytest.raises(ps.AttachmentRejected) as info:
        ps.check_attachments(files)
    return info.value.code


def code(name: str, content: bytes) -> str | None:
    problems = attachment_problems([ps.Upload(name, content)])
    return problems[0].code if problems else None


def test_up_to_four_files_per_document() -> None:
    four = [ps.Upload(f"page{i}.pdf", PDF) for i in range(4)]
    assert ps.check_attachments(four) is None
    five = [*four, ps.Upload("page4.pdf", PDF)]
    with pytest.raises(ps.AttachmentRejected) as info:
        ps.check_attachments(five)
    assert (info.value.code, info.value.name) == ("too_many_files", "page4.pdf")


def test_each_file_at_most_2000_kb() -> None:
    assert MAX_SIZE == 2_048_000  # 2000 x 1024 bytes: « 2000 ko (soit 1,95 Mo) »
    assert ps.check_attachments([ps.Upload("scan.pdf", sized(PDF, 2_048_000))]) is None
    assert code_of([ps.Upload("scan.pdf", sized(PDF, 2_048_001))]) == "too_large"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("avis.pdf", PDF),
        ("photo.JPG", JPEG),
        ("photo.jpeg", JPEG),
        ("scan.png", PNG),
        ("IMG_0042.HEIC", HEIC),
        ("image.webp", WEBP),
        ("anim.gif", GIF),
        ("scan.tif", TIFF_LE),
        ("scan.TIFF", TIFF_BE),
        ("paint.bmp", BMP),
    ],
)
def test_pdf_and_common_image_formats_are_accepted(name: str, content: bytes) -> None:
    # « Les fichiers image sont acceptés » (p. 5): JPEG, PNG, GIF, TIFF, BMP, and HEIC, WebP from phones.
    assert ps.check_attachments([ps.Upload(name, content)]) is None


def test_a_renamed_executable_is_refused() -> None:
    assert code_of([ps.Upload("attestation.pdf", b"MZ\x90\x00\x03\x00\x00\x00")]) == "type_not_allowed"
    assert code_of([ps.Upload("photo.jpg", b"\x7fELF\x02\x01\x01")]) == "type_not_allowed"


def test_types_are_recognised_by_content_not_name() -> None:
    assert code_of([ps.Upload("photo.jpg", PNG)]) == "extension_mismatch"
    assert code_of([ps.Upload("photo", JPEG)]) == "extension_mismatch"
    assert code_of([ps.Upload("anim.png", GIF)]) == "extension_mismatch"
    assert code_of([ps.Upload("scan.bmp", TIFF_LE)]) == "extension_mismatch"
    assert code_of([ps.Upload("notes.txt", b"hello")]) == "type_not_allowed"
    # « BM » alone is not a bitmap: a text file may start so.
    assert code_of([ps.Upload("notes.bmp", b"BMW: facture de 2024")]) == "type_not_allowed"


def test_the_refusal_lists_the_accepted_types() -> None:
    (problem,) = attachment_problems([ps.Upload("notes.txt", b"hello")])
    assert problem.message == (
        "« notes.txt » : type de fichier non accepté (PDF, JPEG, PNG, GIF, TIFF, BMP, HEIC ou WebP)."
    )


def test_an_empty_file_is_refused() -> None:
    assert code_of([ps.Upload("vide.pdf", b"")]) == "empty"


# -- active content in a PDF: refused ----------------------------------------------------------------

JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"


@pytest.mark.parametrize(
    "catalog",
    [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction " + JS_ACTION + b" >>",
        b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 3 0 R >> >>",
        b"<< /Type /Catalog /Pages 2 0 R /AA << /WC << /JS 3 0 R >> >> >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>",
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
        b"<< /Type /EmbeddedFile /Subtype /application#2Fzip >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /GoToR /F (\\\\\\\\serveur\\\\x.pdf) >> >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>",  # object 3: an action
        # Names written with #xx escapes are the same names (ISO 32000-1, 7.3.5).
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /#4a#53 (x) >> >>",
        b"<< /Type /Catalog /Pages 2 0 R /#4Fpen#41ction<</S/Named/N/Print>> >>",
        b"<< /Type /Catalog /Pages 2 0 R /L#61unch 3 0 R >>",
    ],
)
def test_a_pdf_with_active_content_is_refused(catalog: bytes) -> None:
    content = pdf(catalog, b"<< /Type /Pages /Kids [] /Count 0 >>", b"<< /S /GoToR /F (x.pdf) >>")
    assert code("attestation.pdf", content) == "active_content"


def test_active_content_hidden_in_a_compressed_object_stream_is_refused() -> None:
    # Since PDF 1.5 a catalog may sit, deflated, in an object stream.
    objects = b"1 0 " + b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (x) >> >>"
    packed = zlib.compress(objects)
    stream = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(packed),
        packed,
    )
    assert code("attestation.pdf", pdf(b"<< /Type /Pages /Kids [] /Count 0 >>", stream)) == "active_content"


def object_stream(*objects: bytes) -> bytes:
    """An object stream (PDF 1.5) holding objects 10, 11, …, deflated."""
    offsets, at = [], 0
    for obj in objects:
        offsets.append(b"%d %d" % (10 + len(offsets), at))
        at += len(obj) + 1
    header = b" ".join(offsets) + b" "
    packed = zlib.compress(header + b" ".join(objects))
    return b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(objects),
        len(header),
        len(packed),
        packed,
    )


def test_an_object_stream_opening_at_a_page_is_accepted() -> None:
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 11 0 R >>"
    content = pdf(b"<< /Type /Pages /Kids [] /Count 0 >>", object_stream(catalog, b"[ 2 0 R /Fit ]"))
    assert code("attestation.pdf", content) is None
    action = object_stream(catalog, b"<< /S /GoToR /F (x.pdf) >>")
    assert code("attestation.pdf", pdf(b"<< /Type /Pages /Kids [] /Count 0 >>", action)) == "active_content"


def test_an_object_stream_inflating_beyond_reason_is_malformed() -> None:
    # 2000 ko of deflated zeros would make 2 GB: inflating stops at 16 MB.
    bomb = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n%s\nendstream" % zlib.compress(
        bytes(17_000_000)
    )
    assert code("attestation.pdf", pdf(b"<< /Type /Catalog >>", bomb)) == "malformed"


@pytest.mark.parametrize(
    "catalog",
    [
        # What office suites and LaTeX write: open at the first page, a destination, not an action.
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction [ 2 0 R /XYZ null null 0 ] >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction[2 0 R /Fit] >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>",  # object 3: a destination
        b"<< /Type /Catalog /Pages 2 0 R /JSON (un nom voisin) /Title (JavaScript et JS) >>",
    ],
)
def test_a_pdf_opening_at_a_page_is_accepted(catalog: bytes) -> None:
    content = pdf(catalog, b"<< /Type /Pages /Kids [] /Count 0 >>", b"[ 2 0 R /Fit ]")
    assert code("attestation.pdf", content) is None


def test_names_inside_a_pdfs_streams_are_not_read() -> None:
    # A scanned page's compressed bytes may spell « /JS » by chance.
    data = b"\x00\x01/JS (\x02/Launch\n"
    page = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)
    assert code("scan.pdf", pdf(b"<< /Type /Catalog /Pages 2 0 R >>", page)) is None


# -- files that only start like a PDF or an image: malformed -----------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("avis.pdf", b"%PDF-1.7 ..."),  # no %%EOF
        ("avis.pdf", PDF[: len(PDF) // 2]),  # truncated
        ("avis.pdf", PDF + b"x" * 2000),  # %%EOF far from the end
        ("scan.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),  # no IEND
        ("scan.png", PNG[:8] + PNG[33:]),  # IHDR not first
        ("scan.png", PNG[:-12]),  # no IEND
        ("scan.png", PNG[:-12] + b"\x00\x00\x01\x00IEND"),  # a chunk running past the end
        ("scan.png", PNG + b"\x00"),  # anything after IEND
        ("photo.jpg", b"\xff\xd8\xff\xe1\x00\x10Exif"),  # no EOI
        ("photo.jpg", JPEG[:-2]),  # no EOI
        ("photo.jpg", JPEG[:20] + b"junk" + JPEG[20:]),  # not a marker where one is due
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x01\xff\xd9"),  # a segment length below 2
        ("photo.jpg", JPEG + b"rubbish\xff\xd9"),  # something else after the EOI
        ("anim.gif", b"GIF89a...."),
        ("anim.gif", GIF[:-1]),  # no trailer
        ("anim.gif", GIF + b"\x00"),  # after the trailer
        ("image.webp", WEBP[:-2]),  # shorter than its RIFF size
        ("image.webp", WEBP + b"\x00\x00"),  # longer
        ("image.webp", b"RIFF\x0c\x00\x00\x00WEBPABCD\x00\x00\x00\x00"),  # no VP8 chunk
        ("scan.tif", b"II*\x00\xff\x00\x00\x00"),  # its directory outside the file
        ("scan.tif", TIFF_LE[:-6]),  # a truncated directory
        ("paint.bmp", BMP[:-1]),  # shorter than its declared size
        ("paint.bmp", BMP + b"\x00"),  # longer
        ("paint.bmp", BMP[:10] + b"\xff\x00\x00\x00" + BMP[14:]),  # pixels past the end
    ],
)
def test_a_file_that_only_starts_like_a_pdf_or_an_image_is_malformed(name: str, content: bytes) -> None:
    assert code(name, content) == "malformed"


def test_a_jpeg_may_end_with_zero_padding_and_carry_more_images() -> None:
    thumbnail = segment(0xE1, b"Exif\x00\x00" + JPEG)  # an EXIF thumbnail: an EOI inside a segment
    assert code("photo.jpg", jpeg(thumbnail)) is None
    assert code("photo.jpg", JPEG + bytes(100)) is None
    assert code("photo.jpg", JPEG + JPEG) is None  # MPF: a phone's gain map or preview after the image
    assert code("photo.jpg", b"\xff\xd8\xff\xff\xe0" + JPEG[4:]) is None  # a fill byte before a marker


def test_pdf_whitespace_after_the_end_is_accepted() -> None:
    assert code("avis.pdf", PDF + b"\r\n \x00\x00") is None
    assert code("avis.pdf", PDF + b"garbage tolerated by readers") is None


def test_a_malformed_files_message_names_its_type() -> None:
    (problem,) = attachment_problems([ps.Upload("avis.pdf", b"%PDF-1.7 ...")])
    assert problem.message == "« avis.pdf » : le fichier n'est pas un PDF valide (incomplet ou endommagé)."


# -- polyglots: a payload behind or inside a PDF or an image -----------------------------------------

ZIP = b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + bytes(20) + b"PK\x05\x06" + bytes(18)
HTML = b'<html><body><script>alert("x")</script></body></html>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
ELF = b"\x7fELF\x02\x01\x01\x00"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("avis.pdf", PDF + ZIP),
        ("avis.pdf", PDF + b"\n\n" + HTML),
        ("avis.pdf", PDF + b"\r\n" + EXE),
        ("avis.pdf", PDF + b"<?php system($_GET['c']); ?>"),
        ("avis.pdf", PDF + ELF),
        ("scan.png", PNG + ZIP),
        ("scan.png", PNG + HTML),
        ("scan.png", PNG + EXE),
        ("scan.png", png(png_chunk(b"tEXt", b"Comment\x00<script src=//x.example/x.js></script>"))),
        ("photo.jpg", JPEG + ZIP + b"\xff\xd9"),  # ending with an EOI is not enough
        ("photo.jpg", JPEG + ELF),
        ("photo.jpg", jpeg(segment(0xFE, b"<?php echo 1; ?>"))),  # in a comment segment
        ("anim.gif", GIF + b"<html>"),
        ("anim.gif", GIF[:-1] + b"/*<SCRIPT>*/;"),
        ("image.webp", WEBP + EXE),
        ("scan.tif", TIFF_LE + HTML),
        ("paint.bmp", BMP + ZIP),
        ("IMG_0042.heic", HEIC + b"<?php\npassthru($c);"),
    ],
)
def test_a_payload_appended_to_or_hidden_in_a_file_is_a_polyglot(name: str, content: bytes) -> None:
    assert code(name, content) == "polyglot"


def test_a_zip_whose_comment_covers_the_files_end_is_a_polyglot() -> None:
    # An unzipper reads a ZIP from its end record, whose comment may run over the PDF's %%EOF.
    tail = b"\n%%EOF\n"
    hidden = b"PK\x05\x06" + bytes(16) + len(tail).to_bytes(2, "little")
    assert code("avis.pdf", PDF[:-7] + hidden + tail) == "polyglot"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.png", PNG + HTML),
        ("x.pdf", PDF + HTML),
        ("x.pdf", pdf(b"<< /OpenAction << /S /Launch /F (alert.exe) >> >>")),
    ],
)
def test_a_refusal_never_echoes_the_files_bytes(name: str, content: bytes) -> None:
    (problem,) = attachment_problems([ps.Upload(name, content)])
    assert "alert" not in problem.message
    assert "<" not in problem.message


def largest(name: str) -> bytes:
    """A file of the type ``name`` names, of (nearly) 2000 ko, with the structure the checks walk."""
    room = MAX_SIZE - 100
    if name.endswith(".pdf"):  # a page's stream
        return PDF[:-7] + b"stream\n" + bytes(room - len(PDF)) + b"\nendstream\n%%EOF\n"
    if name.endswith(".png"):  # one big chunk
        return png(png_chunk(b"zzZz", bytes(room - len(PNG))))
    if name.endswith(".jpg"):  # 31 segments, the largest a JPEG has
        return jpeg(*[segment(0xE2, bytes(65_000))] * 31)
    if name.endswith(".gif"):  # an image of 7990 sub-blocks, the smallest count for its size
        image = b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02" + (b"\xff" + bytes(255)) * 7_990 + b"\x00"
        return GIF[:-1] + image + b";"
    if name.endswith(".webp"):
        return b"RIFF" + (MAX_SIZE - 8).to_bytes(4, "little") + WEBP[8:30] + bytes(MAX_SIZE - 30)
    if name.endswith(".bmp"):
        return b"BM" + MAX_SIZE.to_bytes(4, "little") + BMP[6:] + bytes(MAX_SIZE - len(BMP))
    return sized(TIFF_LE, MAX_SIZE)


@pytest.mark.parametrize("name", ["x.pdf", "x.png", "x.jpg", "x.gif", "x.webp", "x.bmp", "x.tif"])
def test_a_2000_kb_file_is_checked_in_a_few_milliseconds(name: str) -> None:
    # « 2000 ko »: the largest file a family may send is read in one pass.
    upload = [ps.Upload(name, largest(name))]
    assert 2_000_000 < upload[0].size <= MAX_SIZE
    assert attachment_problems(upload) == ()
    start = time.perf_counter()
    for _ in range(5):
        attachment_problems(upload)
    assert (time.perf_counter() - start) / 5 < 0.05  # a few ms; the bound leaves room for a slow CI


# -- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../etc/passwd.pdf", "C:\\Users\\x.pdf", "dossier/x.pdf", "a\x00b.pdf", "x\n.pdf", " ", ""]
)
def test_names_with_a_path_or_control_characters_are_refused(name: str) -> None:
    assert code_of([ps.Upload(name, PDF)]) == "bad_name"


@pytest.mark.parametrize(
    "name",
    [
        "CON.pdf",
        "con.pdf",
        "Prn.pdf",
        "AUX.tar.pdf",
        "nul .pdf",
        "COM1.pdf",
        "com9.pdf",
        "LPT1.pdf",
        "lpt9.pdf",
        "CON",
        "COM\u00b9.pdf",
    ],
)
def test_windows_reserved_names_are_refused(name: str) -> None:
    # An agent saving « CON.pdf » on a Windows desktop gets an error or a device.
    assert code(name, PDF) == "bad_name"


@pytest.mark.parametrize(
    "name", ["CONTRAT.pdf", "console.pdf", "COM10.pdf", "LPT.pdf", "aux-2024.pdf", "nul_x.pdf"]
)
def test_names_only_resembling_a_reserved_one_are_accepted(name: str) -> None:
    assert code(name, PDF) is None


def test_names_are_limited_to_255_bytes_in_utf8() -> None:
    assert code("é" * 125 + "1.pdf", PDF) is None  # 250 + 5 = 255 bytes
    assert code("é" * 126 + ".pdf", PDF) == "bad_name"  # 130 characters, 256 bytes
    assert code("a" * 251 + ".pdf", PDF) is None
    assert code("a" * 252 + ".pdf", PDF) == "bad_name"


@pytest.mark.parametrize(
    "char",
    [
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
    ],
)
def test_names_with_bidirectional_controls_are_refused(char: str) -> None:
    # « facture\u202efdp.exe » shows as « factureexe.pdf »: a name that lies about the file.
    (problem,) = attachment_problems([ps.Upload(f"facture{char}fdp.pdf", PDF)])
    assert problem.code == "bad_name"
    assert char not in problem.message
    assert "direction" in problem.message


def test_a_lone_surrogate_in_a_name_is_refused() -> None:
    (problem,) = attachment_problems([ps.Upload("scan\udc80.pdf", PDF)])
    assert problem.code == "bad_name"
    problem.message.encode("utf-8")  # the message can be written


def test_a_stored_file_keeps_loading_under_the_rules_it_was_accepted_with() -> None:
    # A « CON.pdf » of a dossier stored before the Windows rule is not lost.
    upload = ps.Upload("CON.pdf", PDF)
    data = {"name": "CON.pdf", "size": upload.size, "type": "pdf", "sha256": upload.sha256, "issued_on": None}
    assert ps.StoredFile.from_dict(data).name == "CON.pdf"


def test_every_problem_is_listed_with_the_files_name() -> None:
    problems = attachment_problems(
        [ps.Upload("ok.pdf", PDF), ps.Upload("vide.pdf", b""), ps.Upload("photo.png", JPEG)]
    )
    assert [(p.name, p.code) for p in problems] == [
        ("vide.pdf", "empty"),
        ("photo.png", "extension_mismatch"),
    ]
    assert (
        problems[1].message == "« photo.png » : l'extension ne correspond pas au contenu (un fichier JPEG)."
    )


def test_an_upload_repr_shows_neither_its_bytes_nor_its_name() -> None:
    # A PAI's file name (« epipen_arachide.pdf ») is health data too.
    assert repr(ps.Upload("epipen_arachide.pdf", PDF)) == f"Upload(size={len(PDF)})"
    stored = ps.Upload("epipen_arachide.pdf", PDF).stored()
    assert "arachide" not in repr(stored)
    assert repr(stored).startswith(f"StoredFile(size={len(PDF)}, type=pdf, sha256=")


@pytest.mark.parametrize(
    ("name", "content", "issued_on"),
    [
        ("scan.pdf", "texte", None),
        ("scan.pdf", None, None),
        ("scan.pdf", PDF, "2024-06-01"),
        ("scan.pdf", PDF, datetime(2024, 6, 1, 10)),
        (None, PDF, None),
        (b"scan.pdf", PDF, None),
    ],
)
def test_a_malformed_upload_is_a_typed_error(name: object, content: object, issued_on: object) -> None:
    with pytest.raises(ps.InvalidArgument):
        ps.Upload(name, content, issued_on=issued_on)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "files",
    [
        None,
        "scan.pdf",
        b"%PDF-1.7",
        ps.Upload("scan.pdf", PDF),
        [b"%PDF-1.7"],
        [ps.Upload("scan.pdf", PDF), None],
        [ps.Upload("scan.pdf", PDF).stored()],
        [{"name": "scan.pdf", "content": PDF}],
    ],
)
def test_files_that_are_not_uploads_are_a_typed_error(files: object) -> None:
    for check in (attachment_problems, ps.check_attachments):
        with pytest.raises(ps.InvalidArgument):
            check(files)  # type: ignore[arg-type]


def test_sniff() -> None:
    assert [sniff(c) for c in (PDF, JPEG, PNG, HEIC, WEBP, GIF, TIFF_LE, TIFF_BE, BMP, b"")] == [
        "pdf",
        "jpeg",
        "png",
        "heic",
        "webp",
        "gif",
        "tiff",
        "tiff",
        "bmp",
        None,
    ]


# -- stored files: what a store keeps, read back under the same rules --------------------------------


def test_a_stored_file_is_its_metadata_and_reads_back_equal() -> None:
    upload = ps.Upload("avis.pdf", PDF, issued_on=date(2025, 5, 1))
    stored = upload.stored()
    assert stored.to_dict() == {
        "name": "avis.pdf",
        "size": len(PDF),
        "type": "pdf",
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "issued_on": "2025-05-01",
    }
    assert ps.StoredFile.from_dict(stored.to_dict()) == stored
    assert stored.stored() is stored
    assert repr(stored) == f"StoredFile(size={len(PDF)}, type=pdf, sha256={stored.sha256[:12]}…)"
    undated = ps.Upload("photo.jpg", JPEG).stored()
    assert undated.to_dict()["issued_on"] is None
    assert ps.StoredFile.from_dict(undated.to_dict(), "files[0]") == undated


def test_an_upload_of_no_accepted_type_cannot_be_stored() -> None:
    with pytest.raises(ps.AttachmentRejected) as info:
        ps.Upload("notes.txt", b"hello").stored()
    assert (info.value.name, info.value.code) == ("notes.txt", "type_not_allowed")
    assert "« notes.txt »" in info.value.message


def stored_record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = ps.Upload("avis.pdf", PDF, issued_on=date(2025, 5, 1)).stored().to_dict()
    record.update(changes)
    return record


@pytest.mark.parametrize("size", [1, MAX_SIZE])
def test_a_stored_file_of_1_byte_to_2000_kb_reads_back(size: int) -> None:
    assert ps.StoredFile.from_dict(stored_record(size=size)).size == size


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"name": "../avis.pdf"}, "name"),
        ({"name": ".."}, "name"),
        ({"name": "a" * 256}, "name"),
        ({"name": 42}, "name"),
        ({"size": 0}, "size"),
        ({"size": MAX_SIZE + 1}, "size"),
        ({"size": "12"}, "size"),
        ({"type": "exe"}, "type"),
        ({"sha256": "ab" * 31}, "sha256"),
        ({"sha256": "AB" * 32}, "sha256"),
        ({"sha256": "g" * 64}, "sha256"),
        ({"sha256": "XX" * 32}, "sha256"),
        ({"sha256": 12}, "sha256"),
        ({"issued_on": "01/05/2025"}, "issued_on"),
    ],
)
def test_a_stored_record_breaking_the_rules_names_its_key(changes: dict[str, object], key: str) -> None:
    with pytest.raises(ps.InvalidData) as info:
        ps.StoredFile.from_dict(stored_record(**changes), "files[0]")
    assert info.value.path == f"files[0].{key}"
    assert str(info.value).startswith(f"files[0].{key} : ")
    assert "None" not in str(info.value)


@pytest.mark.parametrize("key", ["name", "size", "type", "sha256"])
def test_a_stored_record_missing_a_key_names_it(key: str) -> None:
    record = stored_record()
    del record[key]
    with pytest.raises(ps.InvalidData) as info:
        ps.StoredFile.from_dict(record, "files[1]")
    assert key in info.value.path
    assert info.value.path.startswith("files[1]")


def test_a_stored_record_that_is_no_mapping_names_its_path() -> None:
    with pytest.raises(ps.InvalidData) as info:
        ps.StoredFile.from_dict(["avis.pdf"], "files[2]")
    assert info.value.path == "files[2]"


def test_a_stored_size_out_of_range_is_told_with_the_limit() -> None:
    with pytest.raises(ps.InvalidData) as info:
        ps.StoredFile.from_dict(stored_record(size=MAX_SIZE + 1))
    assert info.value.path == ".size"  # no path given: the key alone
    assert str(MAX_SIZE) in str(info.value)
    assert str(MAX_SIZE + 1) in str(info.value)


# -- every file is checked, every problem carries the file's name ------------------------------------

BAD = {
    "bad_name": ps.Upload("dossier/avis.pdf", PDF),
    "empty": ps.Upload("vide.pdf", b""),
    "too_large": ps.Upload("gros.pdf", sized(PDF, MAX_SIZE + 1)),
    "type_not_allowed": ps.Upload("notes.pdf", b"hello"),
    "extension_mismatch": ps.Upload("photo.png", JPEG),
    "malformed": ps.Upload("coupe.pdf", b"%PDF-1.7 ..."),
    "polyglot": ps.Upload("avis.pdf", PDF + ZIP),
    "active_content": ps.Upload("script.pdf", pdf(b"<< /OpenAction << /S /JavaScript /JS (x) >> >>")),
}


@pytest.mark.parametrize("first", sorted(BAD))
def test_a_refused_file_does_not_stop_the_check_of_the_next_ones(first: str) -> None:
    files = [BAD[first], ps.Upload("coupe.png", PNG[:-12])]
    problems = attachment_problems(files)
    assert [(p.name, p.code) for p in problems] == [(BAD[first].name, first), ("coupe.png", "malformed")]
    shown = f"« {BAD[first].name} » : "
    assert problems[0].message.startswith(shown)
    assert len(problems[0].message) > len(shown) + 10


def test_a_fifth_file_is_named_and_every_file_is_still_checked() -> None:
    files = [ps.Upload(f"page{i}.pdf", PDF) for i in range(4)] + [ps.Upload("page4.pdf", b"")]
    problems = attachment_problems(files)
    assert [(p.name, p.code) for p in problems] == [("page4.pdf", "too_many_files"), ("page4.pdf", "empty")]
    assert problems[0].message == "« page4.pdf » : au plus 4 fichiers par pièce (5 déposés)."


def test_a_too_large_file_is_told_its_size_and_the_limit() -> None:
    (problem,) = attachment_problems([BAD["too_large"]])
    assert problem.message == f"« gros.pdf » : {MAX_SIZE + 1} octets, au-delà de 2000 ko ({MAX_SIZE} octets)."


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("avis.2024.pdf", PDF),  # the extension is what follows the last dot
        ("scan.pdf.jpg", JPEG),
        ("a.b.c.png", PNG),
    ],
)
def test_the_extension_is_what_follows_the_last_dot(name: str, content: bytes) -> None:
    assert code(name, content) is None
    assert code(name + ".txt", content) == "extension_mismatch"


@pytest.mark.parametrize("name", [".", "..", "a" * 252 + ".pdf"])
def test_dot_names_and_over_long_names_are_refused(name: str) -> None:
    assert code(name, PDF) == "bad_name"


def test_windows_strips_only_spaces_and_dots_from_a_reserved_name() -> None:
    assert code("CON\u00a0.pdf", PDF) is None  # a no-break space is a character of the name
    assert code("CON\u3000.pdf", PDF) is None
    assert code("CON .pdf", PDF) == "bad_name"


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ("scan.pdf", "files : une liste de ps.Upload est attendue, reçu str."),
        (None, "files : une liste de ps.Upload est attendue, reçu NoneType."),
        ([ps.Upload("scan.pdf", PDF), b"%PDF"], "files[1] : un ps.Upload est attendu, reçu bytes."),
    ],
)
def test_files_that_are_not_uploads_are_told_what_was_received(files: object, said: str) -> None:
    with pytest.raises(ps.InvalidArgument) as info:
        attachment_problems(files)  # type: ignore[arg-type]
    assert str(info.value) == said


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (("scan.pdf", "texte", None), "content : le contenu du fichier (bytes) est attendu, reçu str."),
        ((b"scan.pdf", PDF, None), "name : le nom du fichier (texte) est attendu, reçu bytes."),
        (("scan.pdf", PDF, "2024-06-01"), "issued_on : une date est attendue, reçu '2024-06-01'."),
    ],
)
def test_a_malformed_upload_is_told_what_was_received(arguments: tuple[object, ...], said: str) -> None:
    name, content, issued_on = arguments
    with pytest.raises(ps.InvalidArgument) as info:
        ps.Upload(name, content, issued_on=issued_on)  # type: ignore[arg-type]
    assert str(info.value) == said


def test_a_name_with_control_characters_is_shown_with_question_marks() -> None:
    (problem,) = attachment_problems([ps.Upload("a\x00b.pdf", PDF)])
    assert problem.message.startswith("« a?b.pdf » : ")


# -- formats: what each kind of image may be ----------------------------------------------------------


def webp(fourcc: bytes, data: bytes) -> bytes:
    """A WebP of one chunk: lossy ``VP8 ``, lossless ``VP8L`` or extended ``VP8X``."""
    body = b"WEBP" + fourcc + len(data).to_bytes(4, "little") + data
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def gif(screen_flags: int, image_flags: int, *, version: bytes = b"GIF89a") -> bytes:
    """A 1 x 1 GIF; each flag byte says whether a colour table follows, and its size."""
    colours = lambda flags: bytes(3 << ((flags & 7) + 1)) if flags & 0x80 else b""  # noqa: E731
    screen = b"\x01\x00\x01\x00" + bytes([screen_flags, 0, 0]) + colours(screen_flags)
    image = b",\x00\x00\x00\x00\x01\x00\x01\x00" + bytes([image_flags]) + colours(image_flags)
    return version + screen + image + b"\x02\x02D\x01\x00;"


# A directory of two entries (ImageWidth and ImageLength = 1).
TIFF_TWO_ENTRIES = TIFF_LE[:8] + b"\x02\x00" + TIFF_LE[10:22] + b"\x01\x01" + TIFF_LE[12:22] + bytes(4)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("anim.gif", gif(0x80, 0x00, version=b"GIF87a")),  # the first GIF version
        ("anim.gif", gif(0x81, 0x00)),  # 4 colours
        ("anim.gif", gif(0x88, 0x00)),  # a sorted table (bit 3) of 2 colours
        ("anim.gif", gif(0x00, 0x80)),  # no global colours, the image's own
        ("anim.gif", gif(0x07, 0x82)),  # a size without the table flag: no table
        ("image.webp", webp(b"VP8 ", bytes(10))),  # lossy, what cameras and browsers write
        ("image.webp", webp(b"VP8X", bytes(10))),  # extended (alpha, animation, metadata)
        ("image.webp", webp(b"VP8L", bytes(10))),
        ("scan.tif", TIFF_TWO_ENTRIES),
        (
            "paint.bmp",  # 0 x 0: its pixels (none) start at the file's end
            b"BM6\x00\x00\x00\x00\x00\x00\x006\x00\x00\x00(\x00\x00\x00"
            + bytes(8)
            + b"\x01\x00\x18\x00"
            + bytes(24),
        ),
    ],
)
def test_each_image_format_is_accepted_in_its_variants(name: str, content: bytes) -> None:
    assert code(name, content) is None


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2",  # an MP4 video: a box « ftyp », no image brand
        b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00",  # a WAV sound: RIFF, not WebP
        BMP[:6] + b"\x01\x00\x00\x00" + BMP[10:],  # « BM » with reserved bytes that are not zero
    ],
)
def test_a_container_of_another_kind_is_not_an_image(content: bytes) -> None:
    assert sniff(content) is None
    assert code("image.heic", content) == "type_not_allowed"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"\xff\xd8\xff"),  # cut after a marker's FF
        ("photo.jpg", jpeg(b"\xff\xd8")),  # a second start of image inside the first
        ("photo.jpg", jpeg(b"\xff\xd8\x00\x02")),
        ("photo.jpg", jpeg(b"\xff\x00\x00\x02")),  # FF 00 is no marker outside coded data
        ("photo.jpg", JPEG + b"XXXX"),  # only zero bytes may pad a JPEG
        ("anim.gif", GIF[:-2]),  # cut after its image data
        ("anim.gif", GIF[:-1] + b",\x00\x00\x00"),  # an image descriptor cut short
        ("anim.gif", GIF[:-1] + b"\x99" + bytes(20) + b";"),  # a byte that starts no block
        ("scan.png", PNG[:-12] + b"\x00\x00\x01\x00IEND" + bytes(4)),  # an IEND claiming data past the end
        ("scan.tif", TIFF_LE[:-1]),  # the next directory's offset cut
        ("scan.tif", TIFF_TWO_ENTRIES[:-8]),
        ("scan.tif", sized(b"II*\x00\x02\x00\x00\x00", 1000)),  # a directory inside the header
        ("paint.bmp", BMP[:10] + b"\x14\x00\x00\x00" + BMP[14:]),  # pixels inside the header
    ],
)
def test_more_files_that_only_start_like_an_image_are_malformed(name: str, content: bytes) -> None:
    assert code(name, content) == "malformed"


@pytest.mark.parametrize("marker", [b"\xff\x01", b"\xff\xd0", b"\xff\xd7", b"\xff\xfe\x00\x02"])
def test_a_jpeg_with_standalone_markers_or_an_empty_segment_is_accepted(marker: bytes) -> None:
    # TEM and RST0-RST7 carry no length; a segment may hold nothing (its length, 2, is its own).
    assert code("photo.jpg", jpeg(marker, segment(0xFE, b"note"))) is None


def test_a_jpeg_carries_at_most_eight_more_images() -> None:
    # MPF: a phone's gain map, previews; a tenth image is no longer one photo.
    assert code("photo.jpg", JPEG * 9) is None
    assert code("photo.jpg", JPEG * 10) == "malformed"


# -- PDF: how its names, revisions and streams are read ----------------------------------------------

PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


def stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< %s/Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def test_pdf_names_are_read_as_a_pdf_reader_reads_them() -> None:
    # ISO 32000-1, 7.3.5: any character may be written #xx (either case), and a name ends at a delimiter.
    pattern = re.compile(_pdf_names("JS", "JavaScript", "EmbeddedFile", "EmbeddedFiles"))
    for spelled in (
        b"/JS ",
        b"/J#53(",
        b"/#4a#53/",
        b"/#4A#53<",
        b"/Java#53cript]",
        b"/EmbeddedFiles>",
        b"/JS",
    ):
        assert pattern.search(b"<<" + spelled) is not None, spelled
    for other in (b"/JSON ", b"/JavaScripts ", b"/EmbeddedFilesX ", b"/J#54 ", b"JS ", b"/js "):
        assert pattern.search(b"<<" + other) is None, other


def test_an_incrementally_updated_pdf_is_accepted() -> None:
    # A form filled in or a signature added: a second revision after the first %%EOF.
    update = b"3 0 obj\n<< /Title (" + b"x" * 2000 + b") >>\nendobj\ntrailer\n<< /Prev 0 >>\n%%EOF\n"
    assert code("avis.pdf", PDF + update) is None


def test_a_pdf_may_end_with_up_to_1024_bytes_after_its_eof() -> None:
    # Acrobat looks for %%EOF in the last 1024 bytes.
    assert code("avis.pdf", PDF + b"x" * 1024) is None
    assert code("avis.pdf", PDF + b"x" * 1025) == "malformed"


def test_a_program_right_after_the_pdfs_end_is_a_polyglot() -> None:
    assert code("avis.pdf", PDF[:-1] + EXE) == "polyglot"


def test_a_pdf_opens_at_a_destination_through_at_most_16_references() -> None:
    # One /OpenAction per catalog revision: 16 revisions is already more than a family's document.
    def revisions(n: int) -> bytes:
        catalogs = [b"<< /Type /Catalog /OpenAction %d 0 R >>" % (n + 2 + i) for i in range(n)]
        return pdf(PAGES, *catalogs, *[b"[ 1 0 R /Fit ]"] * n)

    assert code("avis.pdf", revisions(16)) is None
    assert code("avis.pdf", revisions(17)) == "active_content"


def test_an_open_action_to_a_missing_object_is_refused() -> None:
    # What it opens cannot be shown to be a destination.
    assert (
        code("avis.pdf", pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction 9 0 R >>", PAGES))
        == "active_content"
    )


def test_active_content_between_two_streams_is_read() -> None:
    content = pdf(
        PAGES, stream(b"BT ET"), b"<< /Type /Catalog /Names << /JavaScript 5 0 R >> >>", stream(b"q Q")
    )
    assert code("avis.pdf", content) == "active_content"
    unended = pdf(PAGES, b"<< /Length 4 >>\nstream\nBT ET", b"<< /OpenAction << /S /JavaScript >> >>")
    assert code("avis.pdf", unended) == "malformed"  # a stream without its endstream hides nothing


def test_names_inside_several_streams_are_not_read() -> None:
    pages = pdf(
        PAGES, stream(b"\x00/JS (\x01"), stream(b"\x02/Launch\n"), b"<< /Type /Catalog /Pages 1 0 R >>"
    )
    assert code("scan.pdf", pages) is None
    after = pdf(PAGES, stream(b"BT ET"), object_stream(b"<< /OpenAction << /S /JavaScript /JS (x) >> >>"))
    assert code("scan.pdf", after) == "active_content"  # an object stream after a page's stream


def test_an_outline_before_an_object_stream_does_not_change_its_header() -> None:
    # An outline's /First is an object, not the stream's /First.
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 11 0 R >>"
    outline = b"<< /Type /Outlines /First 3 0 R /Count 0 >>"
    assert code("avis.pdf", pdf(outline, PAGES, object_stream(catalog, b"[ 2 0 R /Fit ]"))) is None


def test_a_damaged_object_stream_does_not_hide_the_next_one() -> None:
    damaged = stream(b"not deflated", b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode ")
    active = object_stream(b"<< /OpenAction << /S /JavaScript /JS (x) >> >>")
    assert code("avis.pdf", pdf(PAGES, damaged, active)) == "active_content"


def test_an_object_stream_without_a_header_is_still_read() -> None:
    packed = zlib.compress(b"<< /OpenAction << /S /Launch /F (x.exe) >> >>")
    content = pdf(PAGES, stream(packed, b"/Type /ObjStm /N 1 /Filter /FlateDecode "))  # no /First
    assert code("avis.pdf", content) == "active_content"


@pytest.mark.parametrize("header", [b"10 0 11", b"x 0 10 y", b"10 0 11 99999999999"])
def test_an_object_stream_with_a_damaged_header_is_read_without_failing(header: bytes) -> None:
    objects = header + b" [ 2 0 R /Fit ]"
    packed = zlib.compress(objects)
    dictionary = b"/Type /ObjStm /N 2 /First %d /Filter /FlateDecode " % (len(header) + 1)
    content = pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, stream(packed, dictionary))
    assert code("avis.pdf", content) is None


def test_the_largest_object_number_a_reference_names_is_read() -> None:
    # 10 digits, as a reference writes it; the offset padded with zeros to 10 digits too.
    header = b"1234567890 0000000000 "
    packed = zlib.compress(header + b"[ 2 0 R /Fit ]")
    objstm = stream(packed, b"/Type /ObjStm /N 1 /First %d /Filter /FlateDecode " % len(header))
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 1234567890 0 R >>"
    assert code("avis.pdf", pdf(catalog, PAGES, objstm)) is None


def test_an_offset_longer_than_10_digits_is_not_read() -> None:
    # Numbers are read up to 10 digits (Python refuses to read over 4300): object 11 stays unknown.
    header = b"11 00000000000 "
    packed = zlib.compress(header + b"[ 2 0 R /Fit ]")
    objstm = stream(packed, b"/Type /ObjStm /N 1 /First %d /Filter /FlateDecode " % len(header))
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 11 0 R >>"
    assert code("avis.pdf", pdf(catalog, PAGES, objstm)) == "active_content"


def deflated_zeros(size: int) -> bytes:
    packer, chunk = zlib.compressobj(9), bytes(1 << 20)
    parts = [packer.compress(chunk) for _ in range(size >> 20)]
    return b"".join([*parts, packer.compress(bytes(size % (1 << 20))), packer.flush()])


def test_the_inflating_budget_is_for_the_whole_pdf() -> None:
    # 16 MB in all: two object streams of 10 and 7 MB are beyond it.
    def objstm(size: int) -> bytes:
        return stream(deflated_zeros(size), b"/Type /ObjStm /N 0 /First 0 /Filter /FlateDecode ")

    assert code("avis.pdf", pdf(PAGES, objstm(10_000_000), objstm(6_000_000))) is None
    assert code("avis.pdf", pdf(PAGES, objstm(10_000_000), objstm(7_000_000))) == "malformed"


def test_a_decompression_bomb_is_stopped_before_it_fills_the_memory() -> None:
    # 100 MB of zeros deflated fit in 100 ko; inflating stops at its 16 MB budget.
    bomb = stream(deflated_zeros(100_000_000), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode ")
    content = pdf(PAGES, bomb)
    tracemalloc.start()
    try:
        assert code("avis.pdf", content) == "malformed"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000


# -- a ZIP read from its end record ------------------------------------------------------------------


def hidden_zip(comment: bytes) -> bytes:
    """A ZIP end record whose comment is ``comment``, running to the file's end."""
    return b"PK\x05\x06" + bytes(16) + len(comment).to_bytes(2, "little") + comment


def test_a_zip_comment_of_the_largest_size_covering_the_pdfs_end_is_a_polyglot() -> None:
    comment = b"%" * (0xFFFF - 7) + b"\n%%EOF\n"
    assert code("avis.pdf", PDF[:-7] + hidden_zip(comment)) == "polyglot"


def test_a_zip_end_record_is_found_among_lookalikes() -> None:
    # A lookalike before it (text of the document) and one inside its comment.
    lookalike = b"PK\x05\x06 (cited)"
    body = pdf(b"<< /Title (%s) >>" % lookalike, PAGES)
    assert code("avis.pdf", body[:-7] + hidden_zip(lookalike + b"\n%%EOF\n")) == "polyglot"
    assert code("avis.pdf", body) is None


def test_a_large_pdf_citing_an_end_record_is_accepted() -> None:
    # Only a record where an unzipper looks for it (the last 64 ko) counts.
    page = stream(bytes(100_000))
    assert code("avis.pdf", pdf(b"<< /Title (PK\x05\x06) >>", PAGES, page)) is None
    assert code("avis.pdf", pdf(PAGES, page, b"<< /Title (PK\x05\x06) >>")) is None
