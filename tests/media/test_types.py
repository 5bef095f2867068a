"""A file's type comes from its content (magic numbers, read by `filetype`), never from its name; our allow-list says
what we send, and as what."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.media import samples
from zapdesk.media.store import display_name
from zapdesk.media.types import MediaCategory, servable_mime, sniff
from zapdesk.messages.models import MessageType


@pytest.mark.parametrize(
    ("data", "mime", "category"),
    [
        (samples.PDF, "application/pdf", MediaCategory.DOCUMENT),
        (samples.JPEG, "image/jpeg", MediaCategory.IMAGE),
        (samples.PNG, "image/png", MediaCategory.IMAGE),
        (samples.WEBP, "image/webp", MediaCategory.IMAGE),
        (samples.GIF, "image/gif", MediaCategory.IMAGE),
        (samples.OGG_OPUS, "audio/ogg", MediaCategory.AUDIO),
        (samples.MP3, "audio/mpeg", MediaCategory.AUDIO),
        (samples.MP4, "video/mp4", MediaCategory.VIDEO),
        (samples.M4A, "audio/mp4", MediaCategory.AUDIO),
        (
            samples.DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            MediaCategory.DOCUMENT,
        ),
        (samples.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", MediaCategory.DOCUMENT),
        (samples.ODT, "application/vnd.oasis.opendocument.text", MediaCategory.DOCUMENT),
        (samples.ZIP, "application/zip", MediaCategory.DOCUMENT),
        (samples.TEXT, "text/plain", MediaCategory.DOCUMENT),
        (samples.AMR, "audio/amr", MediaCategory.AUDIO),
        (samples.AAC, "audio/aac", MediaCategory.AUDIO),
        (samples.FLAC, "audio/x-flac", MediaCategory.DOCUMENT),
        (samples.MOV, "video/quicktime", MediaCategory.VIDEO),
        (samples.WEBM, "video/webm", MediaCategory.DOCUMENT),
        (samples.HEIC, "image/heic", MediaCategory.DOCUMENT),
        (samples.RTF, "application/rtf", MediaCategory.DOCUMENT),
        (samples.SEVEN_ZIP, "application/x-7z-compressed", MediaCategory.DOCUMENT),
        (
            samples.PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            MediaCategory.DOCUMENT,
        ),
        (samples.ODS, "application/vnd.oasis.opendocument.spreadsheet", MediaCategory.DOCUMENT),
    ],
)
def test_allowed_files_are_recognised_by_their_content(data: bytes, mime: str, category: MediaCategory) -> None:
    found = sniff(data)

    assert found is not None
    assert (found.mime, found.category, found.allowed) == (mime, category, True)


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (samples.EXE, "application/x-msdownload"),
        (samples.ELF, "application/x-executable"),
        (samples.APK, "application/vnd.android.package-archive"),
        (samples.JAR, "application/java-archive"),
        (samples.SQLITE, "application/x-sqlite3"),  # recognised, but not on our allow-list
    ],
)
def test_executables_and_installers_are_recognised_and_not_allowed(data: bytes, mime: str) -> None:
    found = sniff(data)

    assert found is not None
    assert (found.mime, found.allowed) == (mime, False)


def test_unknown_binary_content_is_not_recognised() -> None:
    assert sniff(bytes(range(256)) * 4) is None
    assert sniff(b"") is None


def test_category_gives_the_message_type() -> None:
    found = sniff(samples.OGG_OPUS)

    assert found is not None and found.message_type == MessageType.AUDIO


def test_only_recognised_allowed_types_are_served_under_their_own_type() -> None:
    assert servable_mime("image/png") == "image/png"
    assert servable_mime("text/html") == "application/octet-stream"
    assert servable_mime("application/x-msdownload") == "application/octet-stream"
    assert servable_mime(None) == "application/octet-stream"


@pytest.mark.parametrize(
    ("original", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\relatório final.pdf", "relatório final.pdf"),
        ('nota"fiscal;\r\n.pdf', "nota_fiscal_.pdf"),
        ("...", "file.pdf"),
        (None, None),
    ],
)
def test_display_names_keep_no_path_and_no_header_breaking_characters(original: str | None, shown: str | None) -> None:
    assert display_name(original, extension="pdf") == shown


def test_long_display_names_are_cut_keeping_the_extension() -> None:
    name = display_name("a" * 300 + ".pdf", extension="pdf")

    assert name is not None and len(name) <= 120 and name.endswith(".pdf")


@pytest.mark.parametrize(
    ("pillow_format", "mime", "category"),
    [
        ("JPEG", "image/jpeg", MediaCategory.IMAGE),
        ("PNG", "image/png", MediaCategory.IMAGE),
        ("GIF", "image/gif", MediaCategory.IMAGE),
        ("WEBP", "image/webp", MediaCategory.IMAGE),
        ("BMP", "image/bmp", MediaCategory.DOCUMENT),
        ("TIFF", "image/tiff", MediaCategory.DOCUMENT),
        ("PDF", "application/pdf", MediaCategory.DOCUMENT),
    ],
)
def test_whole_files_as_an_image_library_writes_them_are_recognised(
    pillow_format: str, mime: str, category: MediaCategory
) -> None:
    written = io.BytesIO()
    Image.new("RGB", (16, 16), "teal").save(written, pillow_format)

    found = sniff(written.getvalue())

    assert found is not None and (found.mime, found.category, found.allowed) == (mime, category, True)
