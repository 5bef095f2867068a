"""The `cloud` engine against the simulator's fake Graph API over real HTTP: checking credentials, and the JSON
each kind of send posts (text, reply, media uploaded first, template, reaction, read mark)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_server import serve
from tests.media.samples import JPEG
from zapdesk.config import Environment, Settings
from zapdesk.engine.base import NotConnected, Throttled
from zapdesk.engine.cloud.adapter import ACCESS_TOKEN, BUSINESS_ACCOUNT_ID, PHONE_NUMBER_ID, CloudEngine
from zapdesk.engine.events import (
    AccountProfile,
    Chat,
    EngineEvent,
    EngineState,
    MediaKind,
    OutgoingMedia,
    OutgoingMessage,
    OutgoingTemplate,
    QuotedMessage,
    SessionTarget,
    StateChanged,
    TemplateParameter,
)
from zapdesk.simulator.app import create_simulator_app
from zapdesk.simulator.config import SimulatorConfig

CUSTOMER = Chat(address="5511988880000")


@dataclass
class Graph:
    url: str
    meta: httpx.AsyncClient
    number: dict[str, Any]

    async def requests(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            await self.meta.get(f"/numbers/{self.number['phone_number_id']}/requests")
        ).json()
        return found


@pytest.fixture
async def graph(tmp_path: Path) -> AsyncIterator[Graph]:
    app = create_simulator_app(SimulatorConfig(state_file=tmp_path / "simulator.db", receipt_delay_seconds=0))
    async with serve(app) as url, httpx.AsyncClient(base_url=f"{url}/api/cloud") as meta:
        number = (await meta.post("/numbers", json={"phone": "5511999990042", "name": "Loja Oficial"})).json()
        yield Graph(url, meta, number)


class Recorder:
    def __init__(self) -> None:
        self.events: list[EngineEvent] = []

    async def __call__(self, event: EngineEvent) -> None:
        self.events.append(event)

    def states(self) -> list[StateChanged]:
        return [event for event in self.events if isinstance(event, StateChanged)]


async def started(graph: Graph, *, token: str | None = None) -> tuple[CloudEngine, Recorder]:
    settings = Settings(environment=Environment.TEST, cloud_graph_url=f"{graph.url}/graph")
    recorder = Recorder()
    engine = CloudEngine(settings, recorder, connection_key="1")
    extra = {
        PHONE_NUMBER_ID: graph.number["phone_number_id"],
        BUSINESS_ACCOUNT_ID: graph.number["business_account_id"],
        ACCESS_TOKEN: token or graph.number["access_token"],
    }
    await engine.start(SessionTarget(extra=extra))
    assert engine._task is not None
    await engine._task
    return engine, recorder


async def test_valid_credentials_connect_with_the_numbers_name_quality_and_limit(graph: Graph) -> None:
    engine, recorder = await started(graph)

    assert recorder.states()[-1] == StateChanged(
        state=EngineState.CONNECTED,
        phone="5511999990042",
        profile=AccountProfile(display_name="Loja Oficial", quality_rating="GREEN", messaging_limit="TIER_1K"),
    )
    await engine.stop()


async def test_a_refused_token_fails_with_metas_words_and_is_not_retried(graph: Graph) -> None:
    engine, recorder = await started(graph, token="EAAG-revoked")

    assert recorder.states()[-1] == StateChanged(
        state=EngineState.FAILED,
        reason="Invalid OAuth access token - Cannot parse access token (190)",
        retryable=False,
    )
    with pytest.raises(NotConnected):
        await engine.send(CUSTOMER, OutgoingMessage(message_id=engine.new_message_id(), text="Oi"))
    await engine.stop()


async def test_a_reply_posts_text_with_its_context_and_our_id(graph: Graph) -> None:
    engine, _ = await started(graph)
    our_id = engine.new_message_id()

    result = await engine.send(
        CUSTOMER,
        OutgoingMessage(message_id=our_id, text="Temos sim!", quoted=QuotedMessage("wamid.question", "5511988880000")),
    )

    assert result.external_id.startswith("wamid.")
    assert await graph.requests() == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "5511988880000",
            "biz_opaque_callback_data": our_id,
            "context": {"message_id": "wamid.question"},
            "type": "text",
            "text": {"body": "Temos sim!", "preview_url": False},
        }
    ]
    await engine.stop()


async def test_media_is_uploaded_first_then_sent_by_its_id_with_the_caption(graph: Graph) -> None:
    engine, _ = await started(graph)
    media = OutgoingMedia(kind=MediaKind.DOCUMENT, data=JPEG, mime="image/jpeg", file_name="foto.jpg")

    await engine.send(CUSTOMER, OutgoingMessage(message_id=engine.new_message_id(), text="Segue", media=media))

    (posted,) = await graph.requests()
    assert posted["type"] == "document"
    assert posted["document"]["caption"] == "Segue" and posted["document"]["filename"] == "foto.jpg"
    token = {"Authorization": f"Bearer {graph.number['access_token']}"}
    async with httpx.AsyncClient(base_url=f"{graph.url}/graph/v23.0", headers=token) as client:
        info = (await client.get(f"/{posted['document']['id']}")).json()
        assert (await client.get(info["url"])).content == JPEG
    await engine.stop()


async def test_a_template_posts_its_name_language_and_parameters(graph: Graph) -> None:
    engine, _ = await started(graph)
    await graph.meta.post(
        f"/numbers/{graph.number['phone_number_id']}/templates",
        json={"name": "pedido_pronto", "language": "pt_BR", "components": [{"type": "BODY", "text": "Olá {{1}}"}]},
    )
    template = OutgoingTemplate(name="pedido_pronto", language="pt_BR", body=(TemplateParameter("Ana"),))

    await engine.send(CUSTOMER, OutgoingMessage(message_id=engine.new_message_id(), text="Olá Ana", template=template))

    (posted,) = await graph.requests()
    assert posted["type"] == "template"
    assert posted["template"] == {
        "name": "pedido_pronto",
        "language": {"code": "pt_BR"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}],
    }
    await engine.stop()


async def test_reaction_and_read_mark_post_what_meta_expects(graph: Graph) -> None:
    engine, _ = await started(graph)

    await engine.react(CUSTOMER, "wamid.theirs", "❤️", target_from_me=False)
    await engine.mark_read(CUSTOMER, ["wamid.older", "wamid.newest"])

    reaction, read = await graph.requests()
    assert reaction["type"] == "reaction" and reaction["reaction"] == {"message_id": "wamid.theirs", "emoji": "❤️"}
    assert read == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.newest"}
    await engine.stop()


@pytest.mark.parametrize(("code", "whole"), [(130429, True), (131056, False)])
async def test_throughput_errors_become_throttled(graph: Graph, code: int, whole: bool) -> None:
    engine, _ = await started(graph)
    faults = {"throttle_next": 1, "throttle_code": code}
    await graph.meta.put(f"/numbers/{graph.number['phone_number_id']}/faults", json=faults)

    with pytest.raises(Throttled) as throttled:
        await engine.send(CUSTOMER, OutgoingMessage(message_id=engine.new_message_id(), text="Oi"))

    assert throttled.value.whole_connection is whole and throttled.value.retry_after > 0
    await engine.send(CUSTOMER, OutgoingMessage(message_id=engine.new_message_id(), text="Oi de novo"))
    await engine.stop()
