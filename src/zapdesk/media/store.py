"""Where message files live on disk: generated names under `media_dir`, readable by the service user only."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from zapdesk.media.types import FileType, sniff

_NAME_LIMIT = 120
_UNSAFE_NAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')
_STORED_PATH = re.compile(r"[0-9]{4}/[0-9]{2}/[0-9a-f]{32}\.[a-z0-9]{1,8}")


class MediaMissing(Exception):
    """A stored path that is not (or no longer) a file of this store."""


@dataclass(frozen=True, slots=True)
class StoredMedia:
    path: str  # relative to the store's root, e.g. "2026/11/<hex>.pdf"
    mime: str
    size: int
    file_type: FileType | None  # None: content we do not recognise, kept as opaque bytes


class MediaStore:
    """Saves bytes under generated names; a sender's file name never becomes part of a path."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def save(self, data: bytes, *, declared_mime: str | None = None) -> StoredMedia:
        """Store `data`; its type comes from its content (`declared_mime` is only kept when we can't tell)."""
        file_type = sniff(data)
        mime = file_type.mime if file_type is not None else _clean_mime(declared_mime)
        extension = file_type.extension if file_type is not None else "bin"
        now = datetime.now(UTC)
        relative = f"{now:%Y}/{now:%m}/{secrets.token_hex(16)}.{extension}"
        await asyncio.to_thread(self._write, relative, data)
        return StoredMedia(path=relative, mime=mime, size=len(data), file_type=file_type)

    def _write(self, relative: str, data: bytes) -> None:
        target = self.root / relative
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = target.with_suffix(".part")
        # Written aside and renamed, so a crash never leaves a half file under a name a message points to.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        temporary.replace(target)

    def path_of(self, relative: str) -> Path:
        """The file behind a stored path; refuses anything `save` could not have produced."""
        if not _STORED_PATH.fullmatch(relative):
            raise MediaMissing(relative)
        path = self.root / PurePosixPath(relative)
        if not path.is_file():
            raise MediaMissing(relative)
        return path

    async def read(self, relative: str) -> bytes:
        path = self.path_of(relative)
        return await asyncio.to_thread(path.read_bytes)

    async def delete(self, relative: str) -> None:
        try:
            path = self.path_of(relative)
        except MediaMissing:
            return
        await asyncio.to_thread(path.unlink, True)


def _clean_mime(declared: str | None) -> str:
    if declared:
        mime = declared.split(";", 1)[0].strip().lower()
        if re.fullmatch(r"[a-z0-9.+-]+/[a-z0-9.+-]+", mime) and len(mime) <= 100:
            return mime
    return "application/octet-stream"


def display_name(original: str | None, *, extension: str | None) -> str | None:
    """A sender's file name made safe to show and to put in a header: no path, no control or quote characters."""
    if not original:
        return None
    name = unicodedata.normalize("NFC", original).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME_CHARACTERS.sub("_", name).strip(" ._")
    if not name:
        return f"file.{extension}" if extension else None
    if len(name) > _NAME_LIMIT:
        stem, dot, suffix = name.rpartition(".")
        keep = suffix if dot and len(suffix) <= 10 else ""
        name = (stem if keep else name)[: _NAME_LIMIT - len(keep) - 1].rstrip() + (f".{keep}" if keep else "")
    return name


def received_file_columns(stored: StoredMedia, file_name: str | None) -> dict[str, Any]:
    """A received message's file columns once its bytes are stored: their type comes from the bytes, the name
    from the sender (made safe)."""
    extension = stored.file_type.extension if stored.file_type is not None else None
    return {
        "media_path": stored.path,
        "media_mime": stored.mime,
        "media_size": stored.size,
        "media_name": display_name(file_name, extension=extension),
    }
