"""Voice notes (POST /api/tickets/{id}/voice-notes): what the browser recorded is converted to OGG/Opus with PyAV
and goes to WhatsApp as push-to-talk audio with its duration; a file without audio or over the limit is refused."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tests.media import samples
from tests.media.conftest import UPLOAD_LIMIT, stored_files
from tests.media.samples import spoken_wav
from tests.outbox.conftest import RunDispatcher, clock, no_pacing, run_dispatcher
from tests.outbox.fake_engine import FakeEngine
from tests.tickets.factories import Desk
from zapdesk.context import AppContext
from zapdesk.engine.events import MediaKind
from zapdesk.media.store import MediaStore
from zapdesk.media.voice import VOICE_MIME, to_voice_note
from zapdesk.messages.models import Message

__all__ = ["clock", "no_pacing", "run_dispatcher"]


async def record(client: httpx.AsyncClient, desk: Desk, ticket_id: int, data: bytes) -> httpx.Response:
    files = {"file": ("gravacao.wav", data, "audio/wav")}
    return await client.post(f"/api/tickets/{ticket_id}/voice-notes", headers=desk.headers("assignee"), files=files)


def test_a_recording_becomes_ogg_opus_with_its_duration() -> None:
    note = to_voice_note(spoken_wav(2.4))

    assert note.data.startswith(b"OggS") and b"OpusHead" in note.data[:200]
    assert note.seconds == 3  # rounded up, as WhatsApp shows 0:03


@pytest.mark.usefixtures("no_pacing")
async def test_a_voice_note_goes_to_whatsapp_as_push_to_talk_opus_with_its_duration(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, run_dispatcher: RunDispatcher
) -> None:
    ticket = await desk.guarded_ticket()

    response = await record(client, desk, ticket.id, spoken_wav(1.5))

    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["type"], stored["media_mime"], stored["extra"]) == ("voice", VOICE_MIME, {"seconds": 2})
    engine = FakeEngine()
    async with run_dispatcher(desk.connection.id, engine):
        await engine.wait_for_sent(1)
    [sent] = engine.sent
    assert sent.message.media is not None
    media = sent.message.media
    assert (media.kind, media.mime, media.seconds) == (MediaKind.VOICE, VOICE_MIME, 2)
    assert media.data.startswith(b"OggS")


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (samples.PNG, 422, "not_audio"),
        (b"RIFF\x00\x00\x00\x00WAVEnot really", 422, "not_audio"),
        (spoken_wav(1) + b"\x00" * UPLOAD_LIMIT, 413, "file_too_large"),
    ],
)
async def test_a_file_without_audio_or_over_the_limit_is_refused_and_nothing_is_kept(
    context: AppContext,
    desk: Desk,
    client: httpx.AsyncClient,
    media_store: MediaStore,
    data: bytes,
    status: int,
    code: str,
) -> None:
    ticket = await desk.guarded_ticket()

    response = await record(client, desk, ticket.id, data)

    assert (response.status_code, response.json()["code"]) == (status, code)
    async with context.sessionmaker() as session:
        assert (await session.execute(select(Message))).first() is None
    assert stored_files(media_store) == []
