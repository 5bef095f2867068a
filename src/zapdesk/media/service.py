"""Rules for message files: what an agent may upload (by content and size), and who may download a file."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.contacts.service import get_contact
from zapdesk.db.uow import on_rollback
from zapdesk.errors import DomainError, NotFound, PayloadTooLarge
from zapdesk.media.store import MediaMissing, MediaStore, display_name
from zapdesk.media.types import servable_mime, sniff
from zapdesk.media.voice import VOICE_MIME, to_voice_note
from zapdesk.messages.models import Message, MessageType
from zapdesk.messages.schemas import MessageCreate
from zapdesk.messages.service import Attachment, post_message
from zapdesk.tickets.service import get_visible_ticket
from zapdesk.users.models import User

# Shown by browsers in place; everything else is offered as a download.
_INLINE_TYPES = {
    MessageType.IMAGE,
    MessageType.STICKER,
    MessageType.AUDIO,
    MessageType.VOICE,
    MessageType.VIDEO,
    MessageType.VIDEO_NOTE,
}


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


@dataclass(frozen=True, slots=True)
class MediaDraft:
    """What came with the upload besides the file (already checked by the route)."""

    body: str
    quoted_message_id: int | None
    client_id: str | None


async def post_media_message(
    session: AsyncSession,
    user: User,
    ticket_id: int,
    *,
    upload: UploadFile,
    draft: MediaDraft,
    media_store: MediaStore,
    max_bytes: int,
) -> tuple[Message, bool]:
    """Store the file and a `pending` message carrying it; the message's type comes from the file's content
    (see `store_attachment`)."""
    attachment = await accept_upload(session, upload, media_store=media_store, max_bytes=max_bytes)
    return await _post_attachment(session, user, ticket_id, attachment, draft, media_store)


async def post_voice_note(
    session: AsyncSession,
    user: User,
    ticket_id: int,
    *,
    upload: UploadFile,
    draft: MediaDraft,
    media_store: MediaStore,
    max_bytes: int,
) -> tuple[Message, bool]:
    """A recording from the browser, converted to OGG/Opus and sent as a WhatsApp voice note with its duration.
    413 over `max_bytes`; 422 `not_audio` when the file holds no audio."""
    await get_visible_ticket(session, user, ticket_id)  # before spending CPU on someone else's ticket
    recording = await upload.read(max_bytes + 1)
    _check_size(recording, max_bytes)
    note = await asyncio.to_thread(to_voice_note, recording)
    stored = await media_store.save(note.data)
    on_rollback(session, partial(media_store.delete, stored.path))
    attachment = Attachment(
        type=MessageType.VOICE,
        path=stored.path,
        mime=VOICE_MIME,
        size=stored.size,
        name="voice.ogg",
        seconds=note.seconds,
    )
    return await _post_attachment(session, user, ticket_id, attachment, draft, media_store)


async def _post_attachment(
    session: AsyncSession,
    user: User,
    ticket_id: int,
    attachment: Attachment,
    draft: MediaDraft,
    media_store: MediaStore,
) -> tuple[Message, bool]:
    # A caption may be empty, which `MessageCreate` (made for text) refuses; the route checked the fields.
    data_fields = MessageCreate.model_construct(
        body=draft.body, quoted_message_id=draft.quoted_message_id, client_id=draft.client_id
    )
    message, created = await post_message(session, user, ticket_id, data_fields, attachment=attachment)
    if not created:
        # The same client_id was sent before: that message already has its own copy of the file.
        await media_store.delete(attachment.path)
    return message, created


def _check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The file is larger than the {max_bytes // 1_048_576} MiB allowed.", code="file_too_large"
        )
    if not data:
        raise UnsupportedMediaType("The file is empty.", code="empty_file")


async def accept_upload(
    session: AsyncSession, upload: UploadFile, *, media_store: MediaStore, max_bytes: int
) -> Attachment:
    """Store an uploaded file to send, as `store_attachment` does (reading at most one byte past the limit)."""
    data = await upload.read(max_bytes + 1)
    return await store_attachment(session, data, upload.filename, media_store=media_store, max_bytes=max_bytes)


async def store_attachment(
    session: AsyncSession, data: bytes, file_name: str | None, *, media_store: MediaStore, max_bytes: int
) -> Attachment:
    """Check a file an agent (or an automation) sends and store it, deleted again if the transaction rolls back.

    413 over `max_bytes`; 415 for content outside the allow-list (images, audio, video, PDF and office
    documents, archives, plain text), whatever the file is called.
    """
    _check_size(data, max_bytes)
    file_type = sniff(data)
    if file_type is None or not file_type.allowed:
        what = f" ({file_type.mime})" if file_type is not None else ""
        raise UnsupportedMediaType(
            f"This kind of file{what} cannot be sent. Send images, audio, video, PDF or office documents, "
            "archives or plain text.",
        )
    stored = await media_store.save(data)
    on_rollback(session, partial(media_store.delete, stored.path))
    return Attachment(
        type=file_type.message_type,
        path=stored.path,
        mime=stored.mime,
        size=stored.size,
        name=display_name(file_name, extension=file_type.extension) or f"file.{file_type.extension}",
    )


@dataclass(frozen=True, slots=True)
class MediaFile:
    path: Path
    mime: str
    name: str
    inline: bool


async def media_file(session: AsyncSession, user: User, message_id: int, media_store: MediaStore) -> MediaFile:
    """The file of a message in a ticket `user` may see; 404 otherwise (its existence is not disclosed)."""
    not_found = NotFound("There is no file for a message with this id that you can see.", code="media_not_found")
    message = await session.get(Message, message_id)
    if message is None or message.media_path is None:
        raise not_found
    try:
        await get_visible_ticket(session, user, message.ticket_id)
        path = media_store.path_of(message.media_path)
    except (NotFound, MediaMissing) as exc:
        raise not_found from exc
    mime = servable_mime(message.media_mime)
    return MediaFile(
        path=path,
        mime=mime,
        name=message.media_name or f"{message.type}{path.suffix}",
        # Only real pictures, sound and video open in place; text or anything else is a download.
        inline=message.type in _INLINE_TYPES and mime.startswith(("image/", "audio/", "video/")),
    )


async def avatar_file(session: AsyncSession, contact_id: int, media_store: MediaStore) -> Path:
    """The contact's stored profile picture (contacts keep its path; the files are this package's)."""
    contact = await get_contact(session, contact_id)
    missing = NotFound("This contact has no profile picture.", code="avatar_not_found")
    if contact.avatar_path is None:
        raise missing
    try:
        return media_store.path_of(contact.avatar_path)
    except MediaMissing as exc:
        raise missing from exc
