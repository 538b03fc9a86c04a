"""Supporting documents (guide p. 5): « jusqu'à 4 fichiers … 2000 ko (soit 1,95 Mo) »."""

from __future__ import annotations

from datetime import datetime

import pytest

import periscolaire as ps
from periscolaire.attachments import MAX_SIZE, attachment_problems, sniff

PDF = b"%PDF-1.7\n"
JPEG = b"\xff\xd8\xff\xe1\x00\x10Exif"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 "


def sized(head: bytes, size: int) -> bytes:
    return head + b"\x00" * (size - len(head))


def code_of(files: list[ps.Upload]) -> str:
    with pytest.raises(ps.AttachmentRejected) as info:
        ps.check_attachments(files)
    return info.value.code


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
    ],
)
def test_pdf_and_phone_image_formats_are_accepted(name: str, content: bytes) -> None:
    # « Les fichiers image sont acceptés »
    assert ps.check_attachments([ps.Upload(name, content)]) is None


def test_a_renamed_executable_is_refused() -> None:
    assert code_of([ps.Upload("attestation.pdf", b"MZ\x90\x00\x03\x00\x00\x00")]) == "type_not_allowed"
    assert code_of([ps.Upload("photo.jpg", b"\x7fELF\x02\x01\x01")]) == "type_not_allowed"


def test_types_are_recognised_by_content_not_name() -> None:
    assert code_of([ps.Upload("photo.jpg", PNG)]) == "extension_mismatch"
    assert code_of([ps.Upload("photo", JPEG)]) == "extension_mismatch"
    assert code_of([ps.Upload("notes.txt", b"hello")]) == "type_not_allowed"
    assert code_of([ps.Upload("anim.gif", b"GIF89a....")]) == "type_not_allowed"


def test_an_empty_file_is_refused() -> None:
    assert code_of([ps.Upload("vide.pdf", b"")]) == "empty"


@pytest.mark.parametrize(
    "name", ["../etc/passwd.pdf", "C:\\Users\\x.pdf", "dossier/x.pdf", "a\x00b.pdf", "x\n.pdf", " ", ""]
)
def test_names_with_a_path_or_control_characters_are_refused(name: str) -> None:
    assert code_of([ps.Upload(name, PDF)]) == "bad_name"


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
    assert repr(ps.Upload("epipen_arachide.pdf", PDF)) == "Upload(size=9)"
    stored = ps.Upload("epipen_arachide.pdf", PDF).stored()
    assert "arachide" not in repr(stored)
    assert repr(stored).startswith("StoredFile(size=9, type=pdf, sha256=")


@pytest.mark.parametrize(
    ("content", "issued_on"),
    [("texte", None), (None, None), (PDF, "2024-06-01"), (PDF, datetime(2024, 6, 1, 10))],
)
def test_a_malformed_upload_is_a_typed_error(content: object, issued_on: object) -> None:
    with pytest.raises(ps.InvalidArgument):
        ps.Upload("scan.pdf", content, issued_on=issued_on)  # type: ignore[arg-type]


def test_sniff() -> None:
    assert [sniff(c) for c in (PDF, JPEG, PNG, HEIC, WEBP, b"")] == [
        "pdf",
        "jpeg",
        "png",
        "heic",
        "webp",
        None,
    ]
