"""What a file really is, told by its content (never by its name), and which kinds we accept and send.

The content is read by `filetype` (magic numbers, including what tells the Office, OpenDocument and ISO media
formats apart); our part is the allow-list below and what WhatsApp shows each kind as. A sender's file name
and declared type are both just claims: an `.exe` renamed `photo.png` still starts with `MZ`.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum

import filetype

from zapdesk.messages.models import MessageType


class MediaCategory(StrEnum):
    """How WhatsApp presents a file: only its native formats become image/audio/video messages."""

    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class FileType:
    mime: str
    extension: str
    category: MediaCategory
    # False for what we recognise but do not send (executables, installers, databases…): the refusal names it.
    allowed: bool = True

    @property
    def message_type(self) -> MessageType:
        return MessageType(self.category.value)


TEXT_MIME = "text/plain"
_IMAGE, _AUDIO, _VIDEO, _DOCUMENT = (
    MediaCategory.IMAGE,
    MediaCategory.AUDIO,
    MediaCategory.VIDEO,
    MediaCategory.DOCUMENT,
)
# Our allow-list, by the type `filetype` names: what agents may send and customers' files we serve as such.
ALLOWED: dict[str, MediaCategory] = {
    "image/jpeg": _IMAGE,
    "image/png": _IMAGE,
    "image/gif": _IMAGE,
    "image/webp": _IMAGE,
    "image/bmp": _DOCUMENT,
    "image/tiff": _DOCUMENT,
    "image/heic": _DOCUMENT,
    "image/avif": _DOCUMENT,
    "audio/ogg": _AUDIO,  # Ogg Opus: WhatsApp's voice notes
    "audio/mpeg": _AUDIO,
    "audio/aac": _AUDIO,
    "audio/amr": _AUDIO,
    "audio/mp4": _AUDIO,
    "audio/x-wav": _DOCUMENT,
    "audio/x-flac": _DOCUMENT,
    "video/mp4": _VIDEO,
    "video/3gpp": _VIDEO,
    "video/quicktime": _VIDEO,
    "video/x-m4v": _VIDEO,
    "video/webm": _DOCUMENT,
    "video/x-matroska": _DOCUMENT,
    "video/x-msvideo": _DOCUMENT,
    "application/pdf": _DOCUMENT,
    "application/rtf": _DOCUMENT,
    "application/msword": _DOCUMENT,
    "application/vnd.ms-excel": _DOCUMENT,
    "application/vnd.ms-powerpoint": _DOCUMENT,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _DOCUMENT,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _DOCUMENT,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _DOCUMENT,
    "application/vnd.oasis.opendocument.text": _DOCUMENT,
    "application/vnd.oasis.opendocument.spreadsheet": _DOCUMENT,
    "application/vnd.oasis.opendocument.presentation": _DOCUMENT,
    "application/zip": _DOCUMENT,
    "application/x-rar-compressed": _DOCUMENT,
    "application/x-7z-compressed": _DOCUMENT,
    "application/gzip": _DOCUMENT,
    TEXT_MIME: _DOCUMENT,
}
# Apps travel as zip files: their entries give them away.
ANDROID_PACKAGE = FileType("application/vnd.android.package-archive", "apk", _DOCUMENT, allowed=False)
JAVA_ARCHIVE = FileType("application/java-archive", "jar", _DOCUMENT, allowed=False)
_TEXT = FileType(TEXT_MIME, "txt", _DOCUMENT)
_TEXT_PROBE = 8192


def sniff(data: bytes) -> FileType | None:
    """The type of `data` by its content; None when it is nothing we recognise."""
    if not data:
        return None
    kind = filetype.guess(data)
    if kind is None:
        return _TEXT if _looks_like_text(data) else None
    if kind.mime == "application/zip":
        package = _app_package(data)
        if package is not None:
            return package
    category = ALLOWED.get(kind.mime)
    return FileType(kind.mime, kind.extension, category or _DOCUMENT, allowed=category is not None)


def _app_package(data: bytes) -> FileType | None:
    """An Android or Java package hiding in a zip file, or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    if "AndroidManifest.xml" in names or "classes.dex" in names:
        return ANDROID_PACKAGE
    if "META-INF/MANIFEST.MF" in names and any(name.endswith(".class") for name in names):
        return JAVA_ARCHIVE
    return None


def _looks_like_text(data: bytes) -> bool:
    """Plain text in any common encoding (magic numbers cannot tell): no NUL bytes, next to no control characters."""
    probe = data[:_TEXT_PROBE]
    if b"\0" in probe:
        return False
    controls = sum(1 for byte in probe if byte < 0x20 and byte not in b"\t\n\r\f\b\x1b")
    return controls * 100 <= len(probe)


def servable_mime(mime: str | None) -> str:
    """The Content-Type to serve a stored file with: its own when we allow it, else opaque bytes."""
    return mime if mime is not None and mime in ALLOWED else "application/octet-stream"
