"""The menu bot's finer rules: options under a queue and "0" to go back, the menu expiring, groups."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.automation.conftest import Automaton
from tests.ingest.inbound import deliver, in_group, received
from tests.tickets.factories import Desk, make_queue
from zapdesk.automation.models import Timer
from zapdesk.context import AppContext
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket

CUSTOMER = "5511988887777"


class Menu:
    """A connection with Financeiro (1: options 1 "2ª via do boleto" answers, 2 "Falar com o Suporte" leads to
    Suporte) and Suporte (2), its menu on."""

    def __init__(self, desk: Desk, client: httpx.AsyncClient, automaton: Automaton, media_store: MediaStore) -> None:
        self.desk, self.client, self.automaton, self.media_store = desk, client, automaton, media_store
        self.connection_id = 0
        self.financeiro_id = 0

    async def build(self, **menu: Any) -> Menu:
        admin = self.desk.headers("admin")
        financeiro = await make_queue(self.desk.context, "Financeiro", order=1)
        self.financeiro_id = financeiro.id
        options = [
            {"number": 1, "label": "2ª via do boleto", "answer": "Acesse loja.com/boleto, {{first_name}}."},
            {"number": 2, "label": "Falar com o Suporte", "queue_id": self.desk.queue.id},
        ]
        patched = await self.client.patch(
            f"/api/queues/{financeiro.id}",
            json={"options": options, "greeting_message": "Financeiro. Escolha:"},
            headers=admin,
        )
        assert patched.status_code == 200, patched.text
        await self.client.patch(f"/api/queues/{self.desk.queue.id}", json={"order": 2}, headers=admin)
        connection = await self.client.patch(
            f"/api/connections/{self.desk.connection.id}",
            json={
                "greeting_message": "Olá!",
                "queue_ids": [financeiro.id, self.desk.queue.id],
                "automation": {"menu": {"enabled": True, **menu}},
            },
            headers=admin,
        )
        assert connection.status_code == 200, connection.text
        self.connection_id = self.desk.connection.id
        return self

    async def says(self, text: str, *, sent_at: datetime | None = None) -> None:
        """The customer's message, sent now (automation's clock) unless `sent_at`, reaches the desk now."""
        event = received(CUSTOMER, text, push_name="Maria Silva", at=sent_at or self.automaton.now)
        await deliver(self.desk.context, self.connection_id, event, self.media_store)
        await self.automaton.react()

    async def bot_said(self) -> list[str]:
        async with self.desk.context.sessionmaker() as session:
            messages = (await session.execute(select(Message).order_by(Message.id))).scalars()
            return [message.body for message in messages if message.from_me]

    async def ticket(self) -> Ticket:
        async with self.desk.context.sessionmaker() as session:
            return (await session.execute(select(Ticket))).scalar_one()


@pytest.fixture
def menu(desk: Desk, client: httpx.AsyncClient, automaton: Automaton, media_store: MediaStore) -> Menu:
    return Menu(desk, client, automaton, media_store)


TOP = "*1* - Financeiro\n*2* - Suporte"
UNDER = "*1* - 2ª via do boleto\n*2* - Falar com o Suporte\n*0* - Voltar"


async def test_a_queue_with_options_shows_them_and_an_option_answers_with_its_text(menu: Menu) -> None:
    await menu.build()

    await menu.says("Oi")
    await menu.says("financeiro")
    await menu.says("1")

    assert await menu.bot_said() == [
        f"Olá!\n\n{TOP}",
        f"Financeiro. Escolha:\n\n{UNDER}",
        "Acesse loja.com/boleto, Maria.",
    ]
    assert (await menu.ticket()).choosing_queue is True


async def test_0_goes_back_to_the_queues_and_an_option_can_lead_to_a_queue(menu: Menu, desk: Desk) -> None:
    await menu.build()

    await menu.says("Oi")
    await menu.says("1")
    await menu.says("0")
    await menu.says("1")
    await menu.says("falar com o suporte")

    assert await menu.bot_said() == [
        f"Olá!\n\n{TOP}",
        f"Financeiro. Escolha:\n\n{UNDER}",
        TOP,
        f"Financeiro. Escolha:\n\n{UNDER}",
    ]
    ticket = await menu.ticket()
    assert (ticket.queue_id, ticket.choosing_queue) == (desk.queue.id, False)


async def test_what_the_customer_sent_before_the_menu_was_shown_is_no_answer_and_no_wrong_try(
    menu: Menu, desk: Desk
) -> None:
    await menu.build(max_tries=2)
    # The business phone was offline for ten minutes: four messages waited in the network and arrive together.
    offline_since = menu.automaton.now - timedelta(minutes=10)
    for minute, text in enumerate(("Oi", "1", "alguém?", "???")):
        await menu.says(text, sent_at=offline_since + timedelta(minutes=minute))

    assert await menu.bot_said() == [f"Olá!\n\n{TOP}"]  # the "1" was typed before any menu: it chose nothing
    assert (await menu.ticket()).choosing_queue is True

    await menu.says("suporte")  # the first message sent after seeing the menu
    ticket = await menu.ticket()
    assert (ticket.queue_id, ticket.choosing_queue) == (desk.queue.id, False)


async def test_an_answer_stamped_a_moment_before_the_menu_still_counts(menu: Menu, desk: Desk) -> None:
    # WhatsApp's timestamps are whole seconds and clocks drift: an answer may look a second older than the menu.
    await menu.build()
    await menu.says("Oi")

    await menu.says("2", sent_at=menu.automaton.now - timedelta(seconds=1))

    ticket = await menu.ticket()
    assert (ticket.queue_id, ticket.choosing_queue) == (desk.queue.id, False)


async def test_a_wrong_answer_under_a_queue_repeats_its_options(menu: Menu) -> None:
    await menu.build()

    await menu.says("Oi")
    await menu.says("1")
    await menu.says("7")

    assert (await menu.bot_said())[-1] == f"Opção inválida.\n\n{UNDER}"


async def test_no_choice_in_time_sends_the_ticket_to_the_fallback(menu: Menu, desk: Desk, automaton: Automaton) -> None:
    await menu.build(expire_minutes=30, fallback_queue_id=desk.queue.id)
    await menu.says("Oi")
    ticket = await menu.ticket()
    async with desk.context.sessionmaker() as session:
        (timer,) = (await session.execute(select(Timer))).scalars()
    assert (timer.ticket_id, timer.kind, timer.due_at) == (
        ticket.id,
        "menu_expiry",
        automaton.now + timedelta(minutes=30),
    )

    await automaton.advance(minutes=29)
    assert (await menu.ticket()).choosing_queue is True
    await automaton.advance(minutes=1)

    expired = await menu.ticket()
    assert (expired.queue_id, expired.choosing_queue) == (desk.queue.id, False)
    assert await menu.bot_said() == [f"Olá!\n\n{TOP}"]
    async with desk.context.sessionmaker() as session:
        assert (await session.execute(select(Timer))).first() is None


async def test_choosing_in_time_disarms_the_expiry(menu: Menu, desk: Desk, automaton: Automaton) -> None:
    await menu.build(expire_minutes=30)
    await menu.says("Oi")
    await menu.says("2")

    async with desk.context.sessionmaker() as session:
        assert (await session.execute(select(Timer))).first() is None


async def test_a_group_never_gets_the_menu(
    menu: Menu, context: AppContext, media_store: MediaStore, automaton: Automaton
) -> None:
    await menu.build()

    await deliver(
        context, menu.connection_id, in_group("120363025246125486", CUSTOMER, "Oi", member_name="Ana"), media_store
    )
    await deliver(
        context, menu.connection_id, in_group("120363025246125486", CUSTOMER, "1", member_name="Ana"), media_store
    )
    await automaton.react()

    assert await menu.bot_said() == []
    assert (await menu.ticket()).choosing_queue is False
