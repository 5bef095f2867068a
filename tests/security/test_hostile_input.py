"""Input the databases cannot hold is refused with a 4xx before it reaches them, on every route.

Found by the schemathesis run: ids past 64 bits (SQLite's OverflowError, asyncpg's range error) and NUL
characters in text (PostgreSQL refuses them) both ended as 500s. A customer can send NUL too, through
WhatsApp: that message must still be stored, without the character.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select

from tests.ingest.inbound import deliver, received
from tests.security.asgi_session import asgi_client
from tests.tickets.factories import Desk
from zapdesk.app import assemble_server, create_api
from zapdesk.contacts.models import Contact
from zapdesk.engine.events import ContactCardContent, MediaContent, MediaKind
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message, MessageType

HUGE_IDS = (2**63, -(2**70))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)


async def test_ids_outside_64_bits_are_refused_on_every_route_that_takes_one(desk: Desk) -> None:
    api = create_api(desk.context)
    routes = [
        (method, context.path)
        for context in iter_route_contexts(api.routes)
        if isinstance(context.original_route, APIRoute) and re.search(r"\{\w+_id\}", str(context.path))
        for method in sorted(set(context.methods or ()) - {"HEAD"})
    ]
    assert len(routes) > 20  # the enumeration found the id routes
    answers: dict[str, int] = {}
    async with asgi_client(assemble_server(desk.context).asgi) as client:
        for method, template in routes:
            for huge in HUGE_IDS:
                path = re.sub(r"\{\w+_id\}", str(huge), str(template))
                response = await client.request(method, path, json={}, headers=desk.auth_headers(desk.admin))
                answers[f"{method} {path}"] = response.status_code

    assert {call: status for call, status in answers.items() if not 400 <= status < 500} == {}


async def test_ids_outside_64_bits_inside_bodies_are_refused(desk: Desk) -> None:
    bodies = {
        "/api/connections": {"name": "Número", "queue_ids": [2**64]},
        "/api/users": {"name": "A", "email": "a@example.com", "password": "long-enough", "queue_ids": [2**64]},
        "/api/tickets": {"contact_id": 2**64, "connection_id": 1},
    }
    async with asgi_client(assemble_server(desk.context).asgi) as client:
        answers = {
            path: (await client.post(path, json=body, headers=desk.auth_headers(desk.admin))).status_code
            for path, body in bodies.items()
        }

    assert answers == dict.fromkeys(bodies, 422)


NUL_REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/queues", {"json": {"name": "Fila\x00"}}),
    ("POST", "/api/connections", {"json": {"name": "\x00p"}}),
    ("POST", "/api/contacts", {"json": {"phone": "5511988887777", "name": "Ma\x00ria"}}),
    ("POST", "/api/quick-answers", {"json": {"shortcut": "ola", "text": "O\x00i"}}),
    ("PUT", "/api/settings/ignore_group_messages", {"json": {"value": True, "note": {"nested": ["ok", "n\x00"]}}}),
    ("PUT", "/api/settings/ignore_group_messages", {"json": {"value": True, "ke\x00y": "ok"}}),
    ("POST", "/api/users", {"json": {"name": "A", "email": "a@example.com", "password": "pass\x00word"}}),
    ("GET", "/api/contacts", {"params": {"search": "ab\x00c"}}),
    ("GET", "/api/tickets", {"params": {"search": "\x00"}}),
    ("POST", "/api/auth/login", {"json": {"email": "a@example.com", "password": "\x00"}}),
]


async def test_nul_characters_in_text_are_refused_with_422(desk: Desk) -> None:
    answers = {}
    async with asgi_client(assemble_server(desk.context).asgi) as client:
        for method, path, kwargs in NUL_REQUESTS:
            response = await client.request(method, path, headers=desk.auth_headers(desk.admin), **kwargs)
            answers[f"{method} {path} {kwargs}"] = (response.status_code, response.json().get("code"))

    assert answers == dict.fromkeys(answers, (422, "nul_character"))


async def test_a_nul_character_in_a_caption_is_refused_but_not_in_a_file(desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    async with asgi_client(assemble_server(desk.context).asgi) as client:

        async def send(caption: str) -> httpx.Response:
            return await client.post(
                f"/api/tickets/{ticket.id}/messages",
                files={"file": ("photo.png", PNG, "image/png")},  # its NUL bytes are fine: a file is not text
                data={"body": caption},
                headers=desk.auth_headers(desk.admin),
            )

        refused, sent = await send("olha\x00 isso"), await send("olha isso")

    assert refused.status_code == 422
    assert refused.json()["code"] == "nul_character"
    assert sent.status_code == 201, sent.text


async def test_deeply_nested_json_is_a_clean_4xx(desk: Desk) -> None:
    async with asgi_client(assemble_server(desk.context).asgi) as client:
        response = await client.post(
            "/api/contacts",
            content=b"[" * 100_000 + b"]" * 100_000,
            headers={"Content-Type": "application/json", **desk.auth_headers(desk.admin)},
        )

    assert 400 <= response.status_code < 500
    assert response.json()["code"]


async def test_a_customer_message_with_nul_characters_is_stored_without_them(desk: Desk, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    text = received("5511988887777", "oi\x00 tudo bem?", push_name="Ma\x00ria")
    card = received(
        "5511988887777",
        ContactCardContent(display_name="Jo\x00ão", vcard="BEGIN:VCARD\x00END:VCARD"),
        push_name="Ma\x00ria",
    )

    picture = received(
        "5511988887777",
        MediaContent(kind=MediaKind.IMAGE, mime="image/png", data=PNG, file_name="fo\x00to.png", caption="ve\x00ja"),
        push_name="Ma\x00ria",
    )

    for event in (text, card, picture):
        await deliver(desk.context, desk.connection.id, event, store)

    async with desk.context.sessionmaker() as session:
        contact = (await session.execute(select(Contact).where(Contact.phone == "5511988887777"))).scalar_one()
        stored = list((await session.execute(select(Message).order_by(Message.id))).scalars())
    assert [message.body for message in stored] == ["oi tudo bem?", stored[1].body, "veja"]
    assert "\x00" not in stored[1].body
    # Only text changed: the picture is still a picture (enums are strings too, and must stay enums).
    assert (stored[2].type, stored[2].media_name, stored[2].media_mime) == (MessageType.IMAGE, "foto.png", "image/png")
    assert contact.push_name == "Maria"
