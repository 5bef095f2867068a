"""Arranging conversations the way they happen: a customer writes (ingest), agents act (the API), and
automation reacts after each commit."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from tests.automation.conftest import Automaton
from tests.ingest.inbound import deliver, received
from tests.tickets.factories import Desk
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket


class Conversation:
    """One customer on `desk.connection`, the agent `agent_in_queue`, automation at `automaton.now`."""

    def __init__(
        self,
        desk: Desk,
        client: httpx.AsyncClient,
        automaton: Automaton,
        media_store: MediaStore,
        phone: str = "5511988887777",
    ) -> None:
        self.desk, self.client, self.automaton, self.media_store, self.phone = (
            desk,
            client,
            automaton,
            media_store,
            phone,
        )

    async def configure(self, **automation: Any) -> None:
        """The connection's automation sections (the rest keep their defaults)."""
        response = await self.client.patch(
            f"/api/connections/{self.desk.connection.id}",
            json={"automation": automation},
            headers=self.desk.headers("admin"),
        )
        assert response.status_code == 200, response.text

    async def customer_says(self, text: str) -> None:
        event = received(self.phone, text, push_name="João Souza", at=self.automaton.now)
        await deliver(self.desk.context, self.desk.connection.id, event, self.media_store)
        await self.automaton.react()

    async def agent(self, action: str) -> None:
        response = await self.client.patch(
            f"/api/tickets/{(await self.ticket()).id}",
            json={"action": action},
            headers=self.desk.headers("agent_in_queue"),
        )
        assert response.status_code == 200, response.text
        await self.automaton.react()

    async def agent_says(self, text: str) -> None:
        response = await self.client.post(
            f"/api/tickets/{(await self.ticket()).id}/messages",
            json={"body": text},
            headers=self.desk.headers("agent_in_queue"),
        )
        assert response.status_code == 201, response.text
        await self.automaton.react()

    async def ticket(self) -> Ticket:
        """The customer's latest ticket."""
        async with self.desk.context.sessionmaker() as session:
            query = select(Ticket).order_by(Ticket.id.desc()).limit(1)
            ticket = (await session.execute(query)).scalar_one()
            return ticket

    async def tickets(self) -> list[Ticket]:
        async with self.desk.context.sessionmaker() as session:
            return list((await session.execute(select(Ticket).order_by(Ticket.id))).scalars())

    async def automatic(self) -> list[tuple[str, str]]:
        """What automation wrote, in order: (what it was, the text)."""
        async with self.desk.context.sessionmaker() as session:
            messages = (await session.execute(select(Message).order_by(Message.id))).scalars()
            return [(str(m.extra["automatic"]), m.body) for m in messages if m.extra.get("automatic")]
