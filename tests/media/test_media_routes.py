"""Sending files (multipart on POST /api/tickets/{id}/messages) and downloading them (GET /api/messages/{id}/media)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import EventLog
from tests.ingest.inbound import deliver, received
from tests.media import samples
from tests.media.conftest import UPLOAD_LIMIT, stored_files
from tests.tickets.factories import PERSONAS, Desk, guarded_status
from zapdesk.context import AppContext
from zapdesk.engine.events import MediaContent, MediaKind
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message, MessageStatus, MessageType


async def _messages(context: AppContext) -> list[Message]:
    async with context.sessionmaker() as session:
        return list((await session.execute(select(Message).order_by(Message.id))).scalars())


async def _upload(
    client: httpx.AsyncClient,
    ticket_id: int,
    headers: dict[str, str],
    *,
    name: str,
    data: bytes,
    declared: str = "application/octet-stream",
    **fields: str,
) -> httpx.Response:
    return await client.post(
        f"/api/tickets/{ticket_id}/messages", headers=headers, files={"file": (name, data, declared)}, data=fields
    )


async def test_uploaded_file_becomes_a_pending_message_typed_by_its_content(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, media_store: MediaStore, published: EventLog
) -> None:
    ticket = await desk.guarded_ticket()

    response = await _upload(
        client,
        ticket.id,
        desk.headers("assignee"),
        name="foto.jpg",
        data=samples.PDF,
        declared="image/jpeg",
        body=" Segue ",
    )

    assert response.status_code == 201, response.text
    payload = response.json()
    # A PDF called foto.jpg and declared as a JPEG is still a PDF.
    assert (payload["type"], payload["media_mime"], payload["media_name"]) == (
        "document",
        "application/pdf",
        "foto.jpg",
    )
    assert (payload["status"], payload["body"], payload["from_me"]) == ("pending", "Segue", True)
    assert payload["media_url"].startswith(f"/api/messages/{payload['id']}/media?v=")
    (message,) = await _messages(context)
    assert message.status == MessageStatus.PENDING and message.media_size == len(samples.PDF)
    (stored,) = stored_files(media_store)
    assert stored.read_bytes() == samples.PDF
    assert stored.suffix == ".pdf" and "foto" not in stored.name
    (created,) = published.named("message.created")
    assert created.payload["status"] == "pending"  # the server nudges the outbox on this


@pytest.mark.parametrize(
    ("data", "message_type"),
    [(samples.JPEG, "image"), (samples.OGG_OPUS, "audio"), (samples.MP4, "video"), (samples.DOCX, "document")],
)
async def test_images_audio_video_and_documents_are_accepted(
    desk: Desk, client: httpx.AsyncClient, data: bytes, message_type: str
) -> None:
    ticket = await desk.guarded_ticket()

    response = await _upload(client, ticket.id, desk.headers("admin"), name="arquivo", data=data)

    assert response.status_code == 201, response.text
    assert response.json()["type"] == message_type


@pytest.mark.parametrize("data", [samples.EXE, samples.APK, bytes(range(256)) * 4])
async def test_executables_and_unknown_content_are_refused_whatever_their_name(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, media_store: MediaStore, data: bytes
) -> None:
    ticket = await desk.guarded_ticket()

    response = await _upload(client, ticket.id, desk.headers("admin"), name="foto.png", data=data, declared="image/png")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert await _messages(context) == []
    assert stored_files(media_store) == []


async def test_file_over_the_upload_limit_is_refused_with_413(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, media_store: MediaStore
) -> None:
    ticket = await desk.guarded_ticket()
    too_big = samples.PDF + b"0" * UPLOAD_LIMIT

    response = await _upload(client, ticket.id, desk.headers("admin"), name="grande.pdf", data=too_big)

    assert response.status_code == 413
    assert await _messages(context) == []
    assert stored_files(media_store) == []


async def test_same_client_id_twice_stores_one_message_and_one_file(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, media_store: MediaStore
) -> None:
    ticket = await desk.guarded_ticket()
    headers = desk.headers("assignee")

    first = await _upload(client, ticket.id, headers, name="a.pdf", data=samples.PDF, client_id="c-1")
    second = await _upload(client, ticket.id, headers, name="a.pdf", data=samples.PDF, client_id="c-1")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert len(await _messages(context)) == 1
    assert len(stored_files(media_store)) == 1


async def test_upload_to_a_ticket_you_cannot_see_is_404_and_keeps_nothing(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, media_store: MediaStore
) -> None:
    ticket = await desk.guarded_ticket()

    response = await _upload(client, ticket.id, desk.headers("agent_not_in_queue"), name="a.pdf", data=samples.PDF)

    assert response.status_code == 404
    assert await _messages(context) == []
    assert stored_files(media_store) == []


async def test_upload_with_a_quote_must_quote_a_message_of_the_same_ticket(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    ticket = await desk.guarded_ticket()

    response = await _upload(
        client, ticket.id, desk.headers("admin"), name="a.pdf", data=samples.PDF, quoted_message_id="999999"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "unknown_quoted_message"


async def test_json_replies_still_work_on_the_same_path(desk: Desk, client: httpx.AsyncClient) -> None:
    ticket = await desk.guarded_ticket()

    response = await client.post(
        f"/api/tickets/{ticket.id}/messages", json={"body": "Só texto"}, headers=desk.headers("assignee")
    )

    assert response.status_code == 201, response.text
    assert (response.json()["type"], response.json()["media_url"]) == ("text", None)


@pytest.mark.parametrize("persona", PERSONAS)
async def test_a_file_is_served_only_to_those_who_may_see_its_ticket(
    desk: Desk, client: httpx.AsyncClient, persona: str
) -> None:
    ticket = await desk.guarded_ticket()
    uploaded = await _upload(client, ticket.id, desk.headers("admin"), name="relatório.pdf", data=samples.PDF)
    message_id = uploaded.json()["id"]

    response = await client.get(f"/api/messages/{message_id}/media", headers=desk.headers(persona))

    assert response.status_code == guarded_status(persona, 200)
    if response.status_code == 200:
        assert response.content == samples.PDF
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-disposition"] == "attachment; filename*=utf-8''relat%C3%B3rio.pdf"
    else:
        assert samples.PDF not in response.content


async def test_received_media_is_stored_under_a_generated_name_and_served_inline(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, media_store: MediaStore
) -> None:
    content = MediaContent(
        kind=MediaKind.IMAGE,
        mime="image/jpeg",
        data=samples.PNG,
        file_name="../../../../etc/cron.d/evil",
        caption="Olha",
    )
    await deliver(context, desk.connection.id, received("5511988887777", content), media_store)

    (message,) = await _messages(context)
    assert (message.type, message.body, message.media_mime, message.media_name) == (
        MessageType.IMAGE,
        "Olha",
        "image/png",
        "evil",
    )
    (stored,) = stored_files(media_store)
    assert stored.suffix == ".png" and stored.is_relative_to(media_store.root)
    response = await client.get(f"/api/messages/{message.id}/media", headers=desk.headers("admin"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith("inline")


async def test_received_media_that_could_not_be_downloaded_is_kept_with_the_reason(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, media_store: MediaStore
) -> None:
    content = MediaContent(kind=MediaKind.VOICE, mime="audio/ogg; codecs=opus", data=None, error="Media expired.")
    await deliver(context, desk.connection.id, received("5511988887777", content), media_store)

    (message,) = await _messages(context)
    assert (message.type, message.media_path, message.extra["media_error"]) == (
        MessageType.VOICE,
        None,
        "Media expired.",
    )
    response = await client.get(f"/api/messages/{message.id}/media", headers=desk.headers("admin"))
    assert response.status_code == 404


async def test_a_message_without_a_file_has_no_media(desk: Desk, client: httpx.AsyncClient) -> None:
    ticket = await desk.guarded_ticket()
    sent = await client.post(f"/api/tickets/{ticket.id}/messages", json={"body": "oi"}, headers=desk.headers("admin"))

    response = await client.get(f"/api/messages/{sent.json()['id']}/media", headers=desk.headers("admin"))

    assert response.status_code == 404
    assert response.json()["code"] == "media_not_found"
