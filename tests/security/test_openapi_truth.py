"""What the server enforces, the OpenAPI document states; what the document forbids, the server refuses.

schemathesis checks this over the whole API (test_openapi_fuzz.py); these are the cases the issue names, one by
one, so a regression says which rule broke.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.tickets.factories import Desk
from zapdesk.kit.paging import MAX_ID


async def _document(client: httpx.AsyncClient) -> dict[str, Any]:
    document: dict[str, Any] = (await client.get("/api/openapi.json")).json()
    return document


def _component(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


async def test_options_on_a_path_is_405_naming_every_method_the_path_has(client: httpx.AsyncClient, desk: Desk) -> None:
    tickets = await client.options("/api/tickets", headers=desk.headers("admin"))
    ticket = await client.request("PUT", "/api/tickets/1", headers=desk.headers("admin"))

    assert (tickets.status_code, tickets.headers["allow"]) == (405, "GET, POST")
    assert (ticket.status_code, ticket.headers["allow"]) == (405, "GET, PATCH")
    assert tickets.json()["code"] == "method_not_allowed"


async def test_a_method_the_directory_lacks_is_405_not_an_id_that_fails_to_parse(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    response = await client.patch("/api/users/directory", json={}, headers=desk.headers("admin"))

    assert (response.status_code, response.headers["allow"]) == (405, "GET")


@pytest.mark.parametrize("flag", [0, 1, "true", None])
async def test_a_boolean_must_be_a_json_boolean(client: httpx.AsyncClient, desk: Desk, flag: object) -> None:
    response = await client.patch(
        f"/api/connections/{desk.connection.id}", json={"is_default": flag}, headers=desk.headers("admin")
    )

    assert response.status_code == 422


async def test_an_id_in_a_body_is_a_json_integer_and_a_whole_float_is_one(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    headers = desk.headers("admin")
    url = f"/api/connections/{desk.connection.id}"

    assert (await client.patch(url, json={"queue_ids": [str(desk.queue.id)]}, headers=headers)).status_code == 422
    assert (await client.patch(url, json={"queue_ids": [float(desk.queue.id)]}, headers=headers)).status_code == 200


async def test_the_document_states_the_rules_of_text_ids_and_cursors(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    user = _component(document, "UserCreate")["properties"]
    shortcut = _component(document, "QuickAnswerCreate")["properties"]["shortcut"]
    ticket_id = next(p for p in document["paths"]["/api/tickets/{ticket_id}"]["get"]["parameters"])
    cursor = next(p for p in document["paths"]["/api/tickets"]["get"]["parameters"] if p["name"] == "cursor")
    search = next(p for p in document["paths"]["/api/tickets"]["get"]["parameters"] if p["name"] == "search")

    assert re.match(user["email"]["pattern"], "agent@zapdesk.local")
    assert not re.match(user["email"]["pattern"], "agent at zapdesk")
    assert re.match(user["name"]["pattern"], " Ana ") and not re.match(user["name"]["pattern"], "   ")
    assert re.match(shortcut["pattern"], "/ola") and not re.match(shortcut["pattern"], "/")
    assert (ticket_id["schema"]["minimum"], ticket_id["schema"]["maximum"]) == (1, MAX_ID)
    assert cursor["schema"]["anyOf"][0]["pattern"] == r"^[0-9]{1,16}\.[0-9]{1,16}$"
    # Every text a client sends says it holds no NUL: the edge refuses it (api.text_input).
    assert search["schema"]["anyOf"][0]["pattern"] == r"^[^\x00]*$"


async def test_a_patch_field_that_refuses_null_does_not_offer_it(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    update = _component(document, "ContactUpdate")["properties"]

    assert "anyOf" not in update["name"] and update["name"]["type"] == "string"
    assert {"type": "null"} in update["push_name"]["anyOf"]  # the one a client may clear
