"""Supporting documents (guide p. 5): « jusqu'à 4 fichiers … 2000 ko (soit 1,95 Mo). Les fichiers
image sont acceptés. »

The fixtures are the smallest files of each type that have the structure the checks read, built here.
"""

from __future__ import annotations

import time
import zlib
from datetime import datetime

import pytest

import periscolaire as ps
from periscolaire.attachments import MAX_SIZE, attachment_problems, sniff


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
