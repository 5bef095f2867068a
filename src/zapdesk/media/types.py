"""What a file really is, told by its first bytes (never by its name), and which kinds we accept and send.

A sender's file name and declared type are both just claims: an `.exe` renamed `photo.png` still starts with
`MZ`. Everything here looks at content only.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum

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
    # False for executables and installers: recognised so the refusal can say what the file is.
    allowed: bool = True

    @property
    def message_type(self) -> MessageType:
        return MessageType(self.category.value)


def _t(mime: str, extension: str, category: MediaCategory = MediaCategory.DOCUMENT) -> FileType:
    return FileType(mime, extension, category)


def _refused(mime: str, extension: str) -> FileType:
    return FileType(mime, extension, MediaCategory.DOCUMENT, allowed=False)


JPEG = _t("image/jpeg", "jpg", MediaCategory.IMAGE)
PNG = _t("image/png", "png", MediaCategory.IMAGE)
GIF = _t("image/gif", "gif", MediaCategory.IMAGE)
WEBP = _t("image/webp", "webp", MediaCategory.IMAGE)
BMP = _t("image/bmp", "bmp")
TIFF = _t("image/tiff", "tiff")
HEIC = _t("image/heic", "heic")
AVIF = _t("image/avif", "avif")
OGG_AUDIO = _t("audio/ogg", "ogg", MediaCategory.AUDIO)
OGG_VIDEO = _t("video/ogg", "ogv")
MP3 = _t("audio/mpeg", "mp3", MediaCategory.AUDIO)
AAC = _t("audio/aac", "aac", MediaCategory.AUDIO)
AMR = _t("audio/amr", "amr", MediaCategory.AUDIO)
M4A = _t("audio/mp4", "m4a", MediaCategory.AUDIO)
WAV = _t("audio/wav", "wav")
FLAC = _t("audio/flac", "flac")
MP4 = _t("video/mp4", "mp4", MediaCategory.VIDEO)
THREE_GP = _t("video/3gpp", "3gp", MediaCategory.VIDEO)
QUICKTIME = _t("video/quicktime", "mov", MediaCategory.VIDEO)
WEBM = _t("video/webm", "webm")
MATROSKA = _t("video/x-matroska", "mkv")
AVI = _t("video/x-msvideo", "avi")
PDF = _t("application/pdf", "pdf")
RTF = _t("application/rtf", "rtf")
ZIP = _t("application/zip", "zip")
RAR = _t("application/vnd.rar", "rar")
SEVEN_ZIP = _t("application/x-7z-compressed", "7z")
GZIP = _t("application/gzip", "gz")
DOCX = _t("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = _t("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
PPTX = _t("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")
ODT = _t("application/vnd.oasis.opendocument.text", "odt")
ODS = _t("application/vnd.oasis.opendocument.spreadsheet", "ods")
ODP = _t("application/vnd.oasis.opendocument.presentation", "odp")
DOC = _t("application/msword", "doc")
XLS = _t("application/vnd.ms-excel", "xls")
PPT = _t("application/vnd.ms-powerpoint", "ppt")
TEXT = _t("text/plain", "txt")
WINDOWS_EXECUTABLE = _refused("application/x-msdownload", "exe")
ELF_EXECUTABLE = _refused("application/x-executable", "elf")
MACHO_EXECUTABLE = _refused("application/x-mach-binary", "macho")
WINDOWS_INSTALLER = _refused("application/x-msi", "msi")
ANDROID_PACKAGE = _refused("application/vnd.android.package-archive", "apk")
JAVA_ARCHIVE = _refused("application/java-archive", "jar")

ALL_TYPES: tuple[FileType, ...] = (
    *(JPEG, PNG, GIF, WEBP, BMP, TIFF, HEIC, AVIF),
    *(OGG_AUDIO, OGG_VIDEO, MP3, AAC, AMR, M4A, WAV, FLAC),
    *(MP4, THREE_GP, QUICKTIME, WEBM, MATROSKA, AVI),
    *(PDF, RTF, ZIP, RAR, SEVEN_ZIP, GZIP, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT, TEXT),
    *(WINDOWS_EXECUTABLE, ELF_EXECUTABLE, MACHO_EXECUTABLE, WINDOWS_INSTALLER, ANDROID_PACKAGE, JAVA_ARCHIVE),
)
# Types we may hand to a browser under their own name; anything else is served as opaque bytes.
SERVABLE_MIMES = frozenset(file_type.mime for file_type in ALL_TYPES if file_type.allowed)

_BRANDS_HEIF = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_OLE_STREAMS = (
    ("WordDocument", DOC),
    ("Workbook", XLS),
    ("Book", XLS),
    ("PowerPoint Document", PPT),
)
_ODF = {ODT.mime: ODT, ODS.mime: ODS, ODP.mime: ODP}
_TEXT_PROBE = 8192


def sniff(data: bytes) -> FileType | None:
    """The type of `data` by its magic bytes; None when it is nothing we recognise."""
    head = data[:64]
    for check in (_images, _audio_video, _documents, _executables):
        found = check(data, head)
        if found is not None:
            return found
    return TEXT if _looks_like_text(data) else None


def _images(_data: bytes, head: bytes) -> FileType | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"BM") and len(head) >= 14 and head[6:10] == b"\0\0\0\0":
        return BMP
    if head.startswith((b"II*\0", b"MM\0*")):
        return TIFF
    return None


def _audio_video(data: bytes, head: bytes) -> FileType | None:
    if head.startswith(b"OggS"):
        return OGG_VIDEO if b"\x80theora" in data[:256] else OGG_AUDIO
    if head.startswith(b"ID3"):
        return MP3
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0b11
        # MPEG audio frames: layer bits 00 are ADTS (AAC), 01 is layer III (MP3).
        if layer == 0b00:
            return AAC
        if layer == 0b01:
            return MP3
    if head.startswith(b"#!AMR"):
        return AMR
    if head.startswith(b"fLaC"):
        return FLAC
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return AVI
    if head[4:8] == b"ftyp":
        return _iso_media(head[8:12])
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM if b"webm" in data[:64] else MATROSKA
    return None


def _iso_media(brand: bytes) -> FileType:
    """The ISO base media family (mp4, m4a, mov, 3gp, heic) shares one header; its major brand tells them apart."""
    if brand in (b"M4A ", b"M4B "):
        return M4A
    if brand == b"qt  ":
        return QUICKTIME
    if brand.startswith((b"3gp", b"3g2")):
        return THREE_GP
    if brand in _BRANDS_HEIF:
        return HEIC
    if brand in (b"avif", b"avis"):
        return AVIF
    return MP4


def _documents(data: bytes, head: bytes) -> FileType | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"{\\rtf"):
        return RTF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_based(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _ole_based(data)
    if head.startswith(b"Rar!\x1a\x07"):
        return RAR
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return SEVEN_ZIP
    if head.startswith(b"\x1f\x8b"):
        return GZIP
    return None


def _zip_based(data: bytes) -> FileType:
    """Office Open XML, OpenDocument, Android and Java packages are all zip files: their entries say which."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared in _ODF:
                    return _ODF[declared]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return ZIP
    if "AndroidManifest.xml" in names or "classes.dex" in names:
        return ANDROID_PACKAGE
    if "META-INF/MANIFEST.MF" in names and any(name.endswith(".class") for name in names):
        return JAVA_ARCHIVE
    if "[Content_Types].xml" in names:
        for prefix, file_type in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
            if any(name.startswith(prefix) for name in names):
                return file_type
    return ZIP


def _ole_based(data: bytes) -> FileType:
    """Legacy Office files and Windows installers share the OLE container; its stream names tell them apart."""
    for stream, file_type in _OLE_STREAMS:
        if stream.encode("utf-16-le") in data:
            return file_type
    return WINDOWS_INSTALLER


def _executables(_data: bytes, head: bytes) -> FileType | None:
    if head.startswith(b"MZ"):
        return WINDOWS_EXECUTABLE
    if head.startswith(b"\x7fELF"):
        return ELF_EXECUTABLE
    if head[:4] in (
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ):
        return MACHO_EXECUTABLE
    return None


def _looks_like_text(data: bytes) -> bool:
    """Plain text in any common encoding: no NUL bytes and next to no control characters."""
    probe = data[:_TEXT_PROBE]
    if not probe or b"\0" in probe:
        return False
    controls = sum(1 for byte in probe if byte < 0x20 and byte not in b"\t\n\r\f\b\x1b")
    return controls * 100 <= len(probe)


def servable_mime(mime: str | None) -> str:
    """The Content-Type to serve a stored file with: its own when we recognise it, else opaque bytes."""
    return mime if mime in SERVABLE_MIMES else "application/octet-stream"
