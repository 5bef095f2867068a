"""Small files whose first bytes are what real ones start with."""

from __future__ import annotations

import io
import math
import struct
import wave
import zipfile

PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 16
OGG_OPUS = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead\x01\x01" + b"\x00" * 16
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 32
M4A = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
TEXT = "Nome;Valor\nMaria;10,00\nJoão;20,00\n".encode()
AMR = b"#!AMR\n" + b"\x3c" + b"\x00" * 31
AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 32
FLAC = b"fLaC\x00\x00\x00\x22" + b"\x00" * 34
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x00" * 32
)
RTF = b"{\\rtf1\\ansi Ol\\'e1}"
SEVEN_ZIP = b"7z\xbc\xaf'\x1c\x00\x04" + b"\x00" * 32


def zip_of(*names: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
        for name in names:
            archive.writestr(name, b"<xml/>")
    return buffer.getvalue()


DOCX = zip_of("[Content_Types].xml", "word/document.xml")
XLSX = zip_of("[Content_Types].xml", "xl/workbook.xml")
ODT = zip_of("content.xml", extra={"mimetype": b"application/vnd.oasis.opendocument.text"})
ZIP = zip_of("fotos/1.txt")
PPTX = zip_of("[Content_Types].xml", "ppt/presentation.xml")
ODS = zip_of("content.xml", extra={"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
APK = zip_of("AndroidManifest.xml", "classes.dex")
JAR = zip_of("META-INF/MANIFEST.MF", "com/example/Main.class")
SQLITE = b"SQLite format 3\x00" + b"\x00" * 84


def spoken_wav(seconds: float, rate: int = 8000) -> bytes:
    """A 440 Hz tone as a 16-bit mono WAV: what a browser's fake microphone would give."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * n / rate))) for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()
