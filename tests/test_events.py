"""The event contract (`zapdesk.events`): every event has a name, a payload schema and declared recipients; the
rooms it goes to follow its audience; it survives travelling as JSON as its own type; browsers' events are in
the OpenAPI document the web app's types are generated from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.event_samples import SAMPLES, ticket_read
from zapdesk.app import create_api
from zapdesk.context import AppContext
from zapdesk.db.audiences import ADMINS_ROOM, AGENTS_ROOM, EVERYONE_ROOMS, queue_room, user_room
from zapdesk.db.events import Event, Published
from zapdesk.events import BROWSER_EVENTS, CONTRACT, Audience, ContractEvent, TicketUpdated
from zapdesk.tickets.access import ticket_rooms
from zapdesk.tickets.models import TicketStatus


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("openapi")
    settings = make_settings(f"sqlite+aiosqlite:///{data / 'unused.db'}", Path(data))
    return create_api(AppContext.from_settings(settings)).openapi()


def test_every_event_the_code_declares_is_in_the_contract_once() -> None:
    declared = [kind for kind in Event.registered() if kind.__module__.startswith("zapdesk.")]
    names = [kind.name for kind in CONTRACT]

    assert sorted(declared, key=lambda kind: kind.name) == sorted(CONTRACT, key=lambda kind: kind.name)
    assert len(names) == len(set(names))


@pytest.mark.parametrize("kind", CONTRACT, ids=lambda kind: kind.name)
def test_each_event_has_a_payload_schema_and_declared_recipients(kind: type[ContractEvent[Any]]) -> None:
    schema = kind.payload_type.model_json_schema()

    assert isinstance(kind.audience, Audience)
    assert schema["type"] == "object" and schema["properties"]


@pytest.mark.parametrize("kind", CONTRACT, ids=lambda kind: kind.name)
def test_each_event_goes_to_the_rooms_its_audience_names(kind: type[ContractEvent[Any]]) -> None:
    event = SAMPLES[kind]()
    expected: dict[Audience, tuple[str, ...]] = {
        Audience.TICKET_VIEWERS: ticket_rooms(ticket_read()),
        Audience.FORMER_TICKET_VIEWERS: ("queue:1",),
        Audience.EVERYONE: EVERYONE_ROOMS,
        Audience.ADMINS: (ADMINS_ROOM,),
        Audience.ADMINS_AND_SUBJECT: (ADMINS_ROOM, user_room(1)),
        Audience.SUBJECT: (user_room(1),),
        Audience.WORKERS: (),
    }

    assert event.rooms == expected[kind.audience]
    assert event.for_browsers == (kind.audience is not Audience.WORKERS)


def test_a_ticket_events_rooms_follow_the_ticket_it_carries() -> None:
    pending_without_queue = TicketUpdated(ticket_read(queue_id=None))
    assigned_in_queue = TicketUpdated(ticket_read(queue_id=3, assignee_id=7, status=TicketStatus.OPEN))

    assert pending_without_queue.rooms == (ADMINS_ROOM, AGENTS_ROOM)
    assert assigned_in_queue.rooms == (ADMINS_ROOM, queue_room(3), user_room(7))


@pytest.mark.parametrize("kind", CONTRACT, ids=lambda kind: kind.name)
def test_each_event_travels_as_json_and_comes_back_as_its_own_type(kind: type[ContractEvent[Any]]) -> None:
    sent = Published(12, SAMPLES[kind]())

    received = Published.from_wire(sent.to_wire())

    assert type(received.event) is kind
    assert received.seq == 12 and received.event.rooms == sent.event.rooms
    assert received.event.payload == sent.event.payload


def test_browsers_events_are_in_the_openapi_document_and_workers_events_are_not(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    answer = openapi["paths"]["/api/events"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    union = schemas[answer["$ref"].split("/")[-1]]["properties"]["events"]["items"]

    assert set(union["discriminator"]["mapping"]) == {kind.name for kind in BROWSER_EVENTS}
    assert {kind.name for kind in CONTRACT} - {kind.name for kind in BROWSER_EVENTS} == {
        "internal.send_queued",
        "internal.connection_commanded",
    }
    for kind in BROWSER_EVENTS:
        envelope = schemas[kind.__name__]
        assert envelope["required"] == ["seq", "name", "payload"]
        assert envelope["properties"]["name"]["const"] == kind.name
