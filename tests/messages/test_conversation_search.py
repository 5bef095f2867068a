"""Search inside one conversation: the matching messages of a ticket, and the history around one of them."""

from __future__ import annotations

import httpx
import pytest

from tests.tickets.factories import PERSONAS, Desk, guarded_status, ids_of, make_message
from zapdesk.messages.models import Message, MessageStatus


async def test_search_in_a_conversation_finds_its_messages_in_any_case_and_accents_newest_first(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    other = await desk.guarded_ticket()
    first = await make_message(desk.context, ticket=ticket, body="Preciso de uma AÇÃO no pedido")
    await make_message(desk.context, ticket=ticket, body="Bom dia")
    second = await make_message(desk.context, ticket=ticket, body="A ação foi feita", from_me=True)
    await make_message(desk.context, ticket=other, body="ação em outro atendimento")
    url = f"/api/tickets/{ticket.id}/messages/search"
    headers = desk.headers("assignee")

    for spelling in ("acao", "AÇÃO", "ação"):
        assert ids_of(await client.get(url, params={"q": spelling}, headers=headers)) == [second.id, first.id]
    page = await client.get(url, params={"q": "acao", "limit": 1}, headers=headers)
    assert ids_of(page) == [second.id]
    older = await client.get(
        url, params={"q": "acao", "limit": 1, "cursor": page.json()["next_cursor"]}, headers=headers
    )
    assert ids_of(older) == [first.id]
    assert older.json()["next_cursor"] is None
    assert ids_of(await client.get(url, params={"q": "reembolso"}, headers=headers)) == []
    assert ids_of(await client.get(url, params={"q": "pedidos"}, headers=headers)) == [first.id]  # the plural


async def test_the_history_around_a_message_has_it_in_the_middle_and_continues_to_older_pages(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    messages = [await make_message(desk.context, ticket=ticket, body=f"m{n}") for n in range(10)]
    headers = desk.headers("assignee")

    around = await client.get(
        f"/api/tickets/{ticket.id}/messages/{messages[5].id}/around", params={"limit": 4}, headers=headers
    )
    assert [item["body"] for item in around.json()["items"]] == ["m3", "m4", "m5", "m6"]
    older = await client.get(
        f"/api/tickets/{ticket.id}/messages",
        params={"limit": 10, "cursor": around.json()["next_cursor"]},
        headers=headers,
    )
    assert [item["body"] for item in older.json()["items"]] == ["m0", "m1", "m2"]

    oldest = await client.get(
        f"/api/tickets/{ticket.id}/messages/{messages[0].id}/around", params={"limit": 4}, headers=headers
    )
    assert [item["body"] for item in oldest.json()["items"]] == ["m0", "m1"]
    assert oldest.json()["next_cursor"] is None
    newest = await client.get(
        f"/api/tickets/{ticket.id}/messages/{messages[9].id}/around", params={"limit": 4}, headers=headers
    )
    assert [item["body"] for item in newest.json()["items"]] == ["m7", "m8", "m9"]


async def test_reading_on_after_a_jump_goes_page_by_page_to_the_newest_message(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    messages = [await make_message(desk.context, ticket=ticket, body=f"m{n}") for n in range(10)]
    other = await make_message(desk.context, ticket=await desk.guarded_ticket(), body="elsewhere")
    headers = desk.headers("assignee")

    def newer(after: int) -> str:
        return f"/api/tickets/{ticket.id}/messages/{after}/newer"

    page = await client.get(newer(messages[3].id), params={"limit": 4}, headers=headers)
    assert [item["body"] for item in page.json()["items"]] == ["m4", "m5", "m6", "m7"]
    assert page.json()["next_cursor"] == str(messages[7].id)
    last = await client.get(newer(int(page.json()["next_cursor"])), params={"limit": 4}, headers=headers)
    assert [item["body"] for item in last.json()["items"]] == ["m8", "m9"]
    assert last.json()["next_cursor"] is None
    exactly = await client.get(newer(messages[5].id), params={"limit": 4}, headers=headers)
    assert exactly.json()["next_cursor"] is None  # m6..m9 are the newest: nothing to ask for after them
    newest = await client.get(newer(messages[9].id), headers=headers)
    assert newest.json() == {"items": [], "next_cursor": None}
    elsewhere = await client.get(newer(other.id), headers=headers)
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "message_not_found"


@pytest.mark.parametrize("route", ["search", "around", "newer"])
async def test_search_and_jump_answer_each_caller_by_the_tickets_access_rule(
    client: httpx.AsyncClient, desk: Desk, route: str
) -> None:
    for persona in PERSONAS:
        ticket = await desk.guarded_ticket()
        earlier = await make_message(desk.context, ticket=ticket, body="bom dia")
        message = await make_message(desk.context, ticket=ticket, body="mensagem privada")
        path, params = {
            "search": (f"/api/tickets/{ticket.id}/messages/search", {"q": "privada"}),
            "around": (f"/api/tickets/{ticket.id}/messages/{message.id}/around", {}),
            "newer": (f"/api/tickets/{ticket.id}/messages/{earlier.id}/newer", {}),
        }[route]
        response = await client.get(path, params=params, headers=desk.headers(persona))
        assert response.status_code == guarded_status(persona, 200), (persona, response.text)
        if response.status_code == 200:
            assert ids_of(response)[-1] == message.id
        else:
            assert "mensagem privada" not in response.text


async def test_jumping_to_a_message_of_another_ticket_or_searching_nothing_is_refused(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    other = await desk.guarded_ticket()
    elsewhere = await make_message(desk.context, ticket=other, body="de outro atendimento")
    headers = desk.headers("admin")

    response = await client.get(f"/api/tickets/{ticket.id}/messages/{elsewhere.id}/around", headers=headers)
    assert (response.status_code, response.json()["code"]) == (404, "message_not_found")
    assert "outro atendimento" not in response.text
    for blank in ("", "   "):
        response = await client.get(f"/api/tickets/{ticket.id}/messages/search", params={"q": blank}, headers=headers)
        assert response.status_code == 422, blank
        assert set(response.json()) >= {"detail", "code"}


async def test_a_word_being_typed_finds_the_words_it_begins(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    order = await make_message(desk.context, ticket=ticket, body="Meu pedido chegou")
    toll = await make_message(desk.context, ticket=ticket, body="Paguei o pedágio")
    url = f"/api/tickets/{ticket.id}/messages/search"
    headers = desk.headers("assignee")

    assert ids_of(await client.get(url, params={"q": "ped"}, headers=headers)) == [toll.id, order.id]
    assert ids_of(await client.get(url, params={"q": "PEDID"}, headers=headers)) == [order.id]
    assert ids_of(await client.get(url, params={"q": "pedagi"}, headers=headers)) == [toll.id]
    assert ids_of(await client.get(url, params={"q": "chegou ped"}, headers=headers)) == [order.id]


async def test_search_finds_a_message_by_its_current_text_after_edits_and_not_after_deletion(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    message = await make_message(desk.context, ticket=ticket, body="Quero cancelar a assinatura")
    url = f"/api/tickets/{ticket.id}/messages/search"
    headers = desk.headers("assignee")

    async def found(typed: str) -> list[int]:
        return ids_of(await client.get(url, params={"q": typed}, headers=headers))

    async with desk.context.sessionmaker() as session:
        stored = await session.get_one(Message, message.id)
        stored.status = MessageStatus.READ  # a change that leaves the text alone
        await session.commit()
    assert await found("cancelar") == [message.id]
    async with desk.context.sessionmaker() as session:
        stored = await session.get_one(Message, message.id)
        stored.body = "Quero trocar de plano"
        await session.commit()
    assert await found("cancelar") == []
    assert await found("trocar plano") == [message.id]
    async with desk.context.sessionmaker() as session:
        await session.delete(await session.get_one(Message, message.id))
        await session.commit()
    assert await found("trocar") == []


async def test_a_words_middle_is_found_on_postgresql_only(client: httpx.AsyncClient, desk: Desk) -> None:
    # SQLite's word index (FTS5) finds words from their start; PostgreSQL's trigrams find any part of the text.
    ticket = await desk.guarded_ticket()
    order = await make_message(desk.context, ticket=ticket, body="Meu pedido 20261234 chegou")
    url = f"/api/tickets/{ticket.id}/messages/search"
    headers = desk.headers("assignee")
    on_postgresql = desk.context.engine.dialect.name == "postgresql"

    for middle in ("dido", "1234"):
        found = ids_of(await client.get(url, params={"q": middle}, headers=headers))
        assert found == ([order.id] if on_postgresql else []), middle
