"""The `simulator` engine against a live simulator network: linking, messages both ways, receipts and faults."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.simulator.harness import (
    FAST_ENGINE,
    WAIT,
    Engines,
    LiveSimulator,
    Recorder,
    engines,
    simulator,
    simulator_config,
    until,
)
from zapdesk.config import Environment, Settings
from zapdesk.engine.base import Engine, EngineError, NotConnected
from zapdesk.engine.events import (
    Chat,
    ContactCardContent,
    EngineEvent,
    EngineState,
    LocationContent,
    MediaContent,
    MediaKind,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    OutgoingMedia,
    OutgoingMessage,
    PairingCode,
    QrCode,
    QuotedMessage,
    ReactionContent,
    Receipt,
    ReceiptKind,
    SessionTarget,
    StateChanged,
    TextContent,
    UnsupportedContent,
)
from zapdesk.engine.simulator import SimulatorEngine, create_simulator_engine, simulator_base_url
from zapdesk.kit.clock import ManualClock

__all__ = ["engines", "simulator", "simulator_config"]  # fixtures the tests below use

BUSINESS = "5511900000001"
CUSTOMER = "5511999990001"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def texts(recorder: Recorder) -> list[str]:
    return [event.content.text for event in recorder.of(MessageReceived) if isinstance(event.content, TextContent)]


async def until_nothing_queued(simulator: LiveSimulator) -> None:
    """Until the network holds no unacknowledged event for the business phone."""
    async with asyncio.timeout(WAIT):
        while (await simulator.call("GET", "/api/sessions"))["phones"][0]["queued"] != 0:
            await asyncio.sleep(0.05)


async def wait_until_text(recorder: Recorder, text: str) -> MessageReceived:
    return await recorder.wait_for(
        MessageReceived, lambda event: isinstance(event.content, TextContent) and event.content.text == text
    )


# ---- linking -----------------------------------------------------------------------------------------------------


async def test_a_new_session_gets_rotating_qr_codes_then_qr_expired_without_looping(
    simulator: LiveSimulator, engines: Engines
) -> None:
    simulator.clock = clock = ManualClock()
    simulator.config = simulator.config.model_copy(
        update={"qr_first_seconds": 60, "qr_next_seconds": 20, "qr_codes": 3}
    )
    await simulator.restart()
    engine, recorder = engines.new()

    await engine.start(SessionTarget())
    for shown, lifetime in ((1, 60), (2, 20), (3, 20)):
        await recorder.wait_for_count(QrCode, shown)
        await clock.until_sleeping()  # the network waits for a scan until this code expires
        await clock.advance(lifetime - 0.001)
        assert len(recorder.of(QrCode)) == shown  # still this code, until the very end of its life
        await clock.advance(0.001)
    await recorder.wait_for_state(EngineState.QR_EXPIRED)
    await until(lambda: not engine.is_linking)  # the link loop ended: nothing will ask for a code again
    assert clock.sleeping == 0  # and nothing waits to reconnect

    codes = recorder.of(QrCode)
    assert len(codes) == 3
    assert len({qr.code for qr in codes}) == 3
    assert all(qr.code.startswith("2@") and qr.code.count(",") == 3 for qr in codes)
    # The first code lives qr_first_seconds, each next one qr_next_seconds after the previous one expired.
    assert [qr.expires_at - clock.now() for qr in codes] == [timedelta(seconds=s) for s in (-40, -20, 0)]
    assert recorder.states() == [EngineState.STARTING, EngineState.QR, EngineState.QR_EXPIRED]
    assert engine.state is EngineState.QR_EXPIRED


async def test_scanning_the_current_code_connects_with_the_phone_and_a_session_ref(
    simulator: LiveSimulator, engines: Engines
) -> None:
    engine, recorder = engines.new()
    await engine.start(SessionTarget())
    qr = await recorder.wait_for(QrCode)

    await simulator.scan(qr.code, "+55 11 90000-0001")

    connected = await recorder.wait_for_state(EngineState.CONNECTED)
    assert connected.phone == BUSINESS
    assert connected.session_ref
    assert recorder.states() == [EngineState.STARTING, EngineState.QR, EngineState.CONNECTED]


async def test_a_code_rotated_out_is_refused_as_expired(simulator: LiveSimulator, engines: Engines) -> None:
    simulator.config = simulator.config.model_copy(update={"qr_first_seconds": 0.3, "qr_next_seconds": 5.0})
    await simulator.restart()
    engine, recorder = engines.new()
    await engine.start(SessionTarget())
    codes = await recorder.wait_for_count(QrCode, 2)

    response = await simulator.client.post("/api/scan", json={"code": codes[0].code, "phone": BUSINESS})

    assert response.status_code == 410
    assert response.json()["code"] == "expired"
    assert engine.state is EngineState.QR


async def test_resuming_with_the_session_ref_connects_without_a_scan(engines: Engines) -> None:
    first, _, token = await engines.linked(BUSINESS)
    await first.stop()

    engine, recorder = engines.new()
    await engine.start(SessionTarget(session_ref=token))

    connected = await recorder.wait_for_state(EngineState.CONNECTED)
    assert (connected.phone, connected.session_ref) == (BUSINESS, token)
    assert recorder.of(QrCode) == []


async def test_a_pairing_code_follows_the_first_qr_and_links_the_phone_it_was_asked_for(
    simulator: LiveSimulator, engines: Engines
) -> None:
    engine, recorder = engines.new()
    await engine.start(SessionTarget(pairing_phone="+55 11 90000-0001"))
    pairing = await recorder.wait_for(PairingCode)
    kinds = [type(event) for event in recorder.events if not isinstance(event, StateChanged)]
    assert kinds[:2] == [QrCode, PairingCode]
    assert len(pairing.code) == 9 and pairing.code[4] == "-"

    wrong = await simulator.client.post("/api/pair", json={"pairing_code": pairing.code, "phone": "5511911112222"})
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "phone_mismatch"
    await simulator.call(
        "POST", "/api/pair", {"pairing_code": pairing.code.lower().replace("-", ""), "phone": BUSINESS}
    )

    connected = await recorder.wait_for_state(EngineState.CONNECTED)
    assert connected.phone == BUSINESS


# ---- messages in -------------------------------------------------------------------------------------------------


async def test_a_customer_message_reaches_a_connected_engine_with_chat_sender_and_name(
    simulator: LiveSimulator, engines: Engines
) -> None:
    _, recorder, _ = await engines.linked(BUSINESS)

    message_id = await simulator.write(CUSTOMER, BUSINESS, "Olá, quero um orçamento", name="Ana")

    received = await wait_until_text(recorder, "Olá, quero um orçamento")
    assert received.external_id == message_id
    assert received.chat == Chat(address=CUSTOMER)
    assert (received.sender.phone, received.sender.lid, received.sender.push_name) == (CUSTOMER, None, "Ana")
    assert received.from_me is False
    assert received.timestamp.tzinfo is not None


async def test_messages_written_while_offline_arrive_in_order_after_reconnecting(
    simulator: LiveSimulator, engines: Engines
) -> None:
    first, _, token = await engines.linked(BUSINESS)
    await first.stop()
    for number in range(1, 6):
        await simulator.write(CUSTOMER, BUSINESS, f"offline {number}")

    engine, recorder = engines.new()
    await engine.start(SessionTarget(session_ref=token))
    await recorder.wait_for_count(MessageReceived, 5)

    assert texts(recorder) == [f"offline {number}" for number in range(1, 6)]
    connected_at = recorder.events.index(await recorder.wait_for_state(EngineState.CONNECTED))
    assert all(recorder.events.index(event) > connected_at for event in recorder.of(MessageReceived))


async def test_messages_the_engine_did_not_acknowledge_are_delivered_again_after_it_dies(
    simulator: LiveSimulator, engines: Engines
) -> None:
    stuck = asyncio.Event()

    class StuckPipeline(Recorder):
        """Stores in order, as the worker does: stuck on "second", it stores nothing after it either."""

        async def __call__(self, event: EngineEvent) -> None:
            if stuck.is_set() or (isinstance(event, MessageReceived) and event.content == TextContent("second")):
                stuck.set()
                await asyncio.Event().wait()  # the process dies before the pipeline stored it
            await super().__call__(event)

    engine, recorder = engines.new(StuckPipeline())
    await engine.start(SessionTarget())
    await simulator.scan((await recorder.wait_for(QrCode)).code, BUSINESS)
    token = (await recorder.wait_for_state(EngineState.CONNECTED)).session_ref
    await simulator.write(CUSTOMER, BUSINESS, "first")
    await wait_until_text(recorder, "first")
    await simulator.write(CUSTOMER, BUSINESS, "second")
    await simulator.write(CUSTOMER, BUSINESS, "third")
    await asyncio.wait_for(stuck.wait(), WAIT)
    await engine.stop()

    revived, again = engines.new()
    await revived.start(SessionTarget(session_ref=token))
    await again.wait_for_state(EngineState.CONNECTED)
    # Events come in order: anything sent again would arrive before this one.
    await simulator.write(CUSTOMER, BUSINESS, "fourth")
    await wait_until_text(again, "fourth")

    assert texts(again) == ["second", "third", "fourth"]  # "first" was acknowledged: not sent again


async def test_a_backlog_reaches_the_handler_before_the_earlier_events_returned_and_each_is_acknowledged(
    simulator: LiveSimulator, engines: Engines
) -> None:
    release = asyncio.Event()
    returned: list[EngineEvent] = []

    class SlowPipeline(Recorder):
        """Holds every message until the whole backlog has been handed over, as a worker storing in batches."""

        async def __call__(self, event: EngineEvent) -> None:
            if isinstance(event, MessageReceived):
                self.events.append(event)
                self._arrived.set()
                await release.wait()
                returned.append(event)
                return
            await super().__call__(event)

    engine, slow = engines.new(SlowPipeline())
    await engine.start(SessionTarget())
    await simulator.scan((await slow.wait_for(QrCode)).code, BUSINESS)
    token = (await slow.wait_for_state(EngineState.CONNECTED)).session_ref
    for number in range(5):
        await simulator.write(CUSTOMER, BUSINESS, f"backlog {number}")

    await slow.wait_for_count(MessageReceived, 5)  # all five handed over while the first still waits
    release.set()
    await until(lambda: len(returned) == 5)
    await until_nothing_queued(simulator)  # each acknowledgement follows its handler's return
    await engine.stop()
    assert texts(slow) == [f"backlog {number}" for number in range(5)]

    revived, again = engines.new()
    await revived.start(SessionTarget(session_ref=token))
    await again.wait_for_state(EngineState.CONNECTED)
    await simulator.write(CUSTOMER, BUSINESS, "after")  # in order: anything sent again would come first
    await wait_until_text(again, "after")
    assert texts(again) == ["after"]  # every one was acknowledged once its handler returned


async def test_a_failing_handler_leaves_the_message_unacknowledged_for_the_next_link(
    simulator: LiveSimulator, engines: Engines
) -> None:
    failing = Recorder(fail=lambda event: isinstance(event, MessageReceived))
    engine, _ = engines.new(failing)
    await engine.start(SessionTarget())
    await simulator.scan((await failing.wait_for(QrCode)).code, BUSINESS)
    token = (await failing.wait_for_state(EngineState.CONNECTED)).session_ref
    await simulator.write(CUSTOMER, BUSINESS, "keep me")
    async with asyncio.timeout(WAIT):
        while (await simulator.call("GET", "/api/sessions"))["phones"][0]["queued"] != 1:
            await asyncio.sleep(0.05)
    await engine.stop()

    revived, recorder = engines.new()
    await revived.start(SessionTarget(session_ref=token))

    await wait_until_text(recorder, "keep me")


async def test_the_same_message_delivered_twice_carries_the_same_id(simulator: LiveSimulator, engines: Engines) -> None:
    _, recorder, _ = await engines.linked(BUSINESS)

    await simulator.write(CUSTOMER, BUSINESS, "once", id="ABCDEF0123456789")
    body = {"from": CUSTOMER, "to": BUSINESS, "text": "once", "id": "ABCDEF0123456789"}
    again = await simulator.call("POST", "/api/messages", body)
    received = await recorder.wait_for_count(MessageReceived, 2)

    assert again == {"id": "ABCDEF0123456789", "duplicate": True}
    assert [event.external_id for event in received] == ["ABCDEF0123456789"] * 2


async def test_every_kind_of_content_is_normalized_and_files_are_downloaded_by_their_ref(
    simulator: LiveSimulator, engines: Engines
) -> None:
    engine, recorder, _ = await engines.linked(BUSINESS)
    image = base64.b64encode(PNG).decode()

    await simulator.write(CUSTOMER, BUSINESS, "see", media={"kind": "image", "mime": "image/png", "data_base64": image})
    await simulator.write(
        CUSTOMER,
        BUSINESS,
        media={"kind": "voice", "mime": "audio/ogg; codecs=opus", "data_base64": "T2dnUw==", "seconds": 4},
    )
    await simulator.write(
        CUSTOMER,
        BUSINESS,
        kind="document",
        media={"mime": "application/pdf", "file_name": "boleto.pdf", "data_base64": "JVBERi0="},
    )
    await simulator.write(CUSTOMER, BUSINESS, location={"latitude": -23.55, "longitude": -46.63, "name": "Loja"})
    await simulator.write(CUSTOMER, BUSINESS, contact={"display_name": "João", "phone": "5511988887777"})
    await simulator.write(CUSTOMER, BUSINESS, kind="unsupported", unsupported="pollCreationMessage")
    received = await recorder.wait_for_count(MessageReceived, 6)

    photo, voice, document, location, card, poll = (event.content for event in received)
    assert isinstance(photo, MediaContent) and photo.ref is not None
    assert (photo.kind, photo.mime, photo.data, photo.caption, photo.size) == (
        MediaKind.IMAGE,
        "image/png",
        None,  # handed over before its file: downloaded once the message is stored
        "see",
        len(PNG),
    )
    assert isinstance(voice, MediaContent) and voice.ref is not None
    assert (voice.kind, voice.seconds) == (MediaKind.VOICE, 4)
    assert isinstance(document, MediaContent) and document.ref is not None
    assert (document.kind, document.file_name) == (MediaKind.DOCUMENT, "boleto.pdf")
    assert [await engine.download(media.ref) for media in (photo, voice, document)] == [PNG, b"OggS", b"%PDF-"]
    assert location == LocationContent(latitude=-23.55, longitude=-46.63, name="Loja")
    assert isinstance(card, ContactCardContent)
    assert card.display_name == "João" and "waid=5511988887777" in card.vcard
    assert poll == UnsupportedContent(kind="pollCreationMessage")


async def test_a_file_the_network_does_not_have_is_gone_for_good(simulator: LiveSimulator, engines: Engines) -> None:
    engine, _, _ = await engines.linked(BUSINESS)

    with pytest.raises(EngineError) as gone:
        await engine.download("/api/media/no-such-key")

    assert not gone.value.retryable and "404" in str(gone.value)


async def test_reactions_edits_and_revokes_by_the_customer_refer_to_their_message(
    simulator: LiveSimulator, engines: Engines
) -> None:
    _, recorder, _ = await engines.linked(BUSINESS)
    original = await simulator.write(CUSTOMER, BUSINESS, "preço do plano?")
    await wait_until_text(recorder, "preço do plano?")

    await simulator.write(CUSTOMER, BUSINESS, reaction={"target_id": original, "emoji": "❤️"})
    await simulator.write(CUSTOMER, BUSINESS, "preço do plano anual?", kind="edit", target_id=original)
    await simulator.write(CUSTOMER, BUSINESS, kind="revoke", target_id=original)
    edited = await recorder.wait_for(MessageEdited)
    revoked = await recorder.wait_for(MessageRevoked)
    reaction = (await recorder.wait_for_count(MessageReceived, 2))[1].content

    assert reaction == ReactionContent(target_id=original, emoji="❤️")
    assert (edited.external_id, edited.text, edited.chat) == (original, "preço do plano anual?", Chat(CUSTOMER))
    assert (revoked.external_id, revoked.chat) == (original, Chat(CUSTOMER))
    seen = await simulator.call("GET", f"/api/phones/{CUSTOMER}/messages?include_sent=true")
    mine = next(item for item in seen["items"] if item["id"] == original)
    assert (mine["text"], mine["edited"], mine["revoked"]) == ("preço do plano anual?", True, True)


async def test_a_message_typed_on_the_business_phone_arrives_from_me_and_gets_a_delivered_receipt(
    simulator: LiveSimulator, engines: Engines
) -> None:
    _, recorder, _ = await engines.linked(BUSINESS)

    message_id = await simulator.write(BUSINESS, CUSTOMER, "Respondi pelo celular", from_me=True)

    received = await wait_until_text(recorder, "Respondi pelo celular")
    assert received.from_me is True
    assert received.chat == Chat(address=CUSTOMER)
    assert received.sender.phone == BUSINESS
    receipt = await recorder.wait_for(Receipt)
    assert (receipt.external_ids, receipt.kind) == ((message_id,), ReceiptKind.DELIVERED)
    assert [item["text"] for item in await simulator.received_by(CUSTOMER)] == ["Respondi pelo celular"]


async def test_group_messages_and_lid_customers_map_to_chat_and_phone(
    simulator: LiveSimulator, engines: Engines
) -> None:
    _, recorder, _ = await engines.linked(BUSINESS)

    await simulator.write(CUSTOMER, BUSINESS, "no grupo", group={"id": "120363012345678901", "name": "Família"})
    await simulator.write("5511977776666", BUSINESS, "sou LID", as_lid=True, name="Lia")
    group_message, lid_message = await recorder.wait_for_count(MessageReceived, 2)

    assert group_message.chat == Chat(address="120363012345678901@g.us", is_group=True, name="Família")
    assert group_message.sender.phone == CUSTOMER
    assert lid_message.chat == Chat(address="5511977776666")
    assert lid_message.sender.phone == "5511977776666"
    assert lid_message.sender.lid is not None and lid_message.sender.lid.isdigit()  # the LID itself, as neonize
    assert lid_message.sender.push_name == "Lia"


# ---- messages out ------------------------------------------------------------------------------------------------


async def test_a_sent_message_reaches_the_customer_then_is_delivered_then_read(
    simulator: LiveSimulator, engines: Engines
) -> None:
    engine, recorder, _ = await engines.linked(BUSINESS)
    message_id = engine.new_message_id()

    result = await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=message_id, text="Oi Ana! Já te ajudo."))

    assert result.external_id == message_id
    delivered = await recorder.wait_for(Receipt, lambda receipt: receipt.kind is ReceiptKind.DELIVERED)
    assert (delivered.chat, delivered.external_ids) == (Chat(CUSTOMER), (message_id,))
    [seen] = await simulator.received_by(CUSTOMER)
    assert (seen["id"], seen["from"], seen["text"], seen["state"]) == (
        message_id,
        BUSINESS,
        "Oi Ana! Já te ajudo.",
        "delivered",
    )

    answer = await simulator.call("POST", f"/api/phones/{CUSTOMER}/read", {"ids": [message_id]})

    assert answer == {"read": [message_id]}
    read = await recorder.wait_for(Receipt, lambda receipt: receipt.kind is ReceiptKind.READ)
    assert read.external_ids == (message_id,)
    assert (await simulator.received_by(CUSTOMER))[0]["state"] == "read"


async def test_sending_the_same_message_id_twice_stores_it_once(simulator: LiveSimulator, engines: Engines) -> None:
    engine, _, _ = await engines.linked(BUSINESS)
    message = OutgoingMessage(message_id=engine.new_message_id(), text="só uma vez")

    first = await engine.send(Chat(CUSTOMER), message)
    second = await engine.send(Chat(CUSTOMER), message)

    assert first == second
    assert [item["id"] for item in await simulator.received_by(CUSTOMER)] == [message.message_id]


async def test_media_and_quoted_replies_reach_the_customer(simulator: LiveSimulator, engines: Engines) -> None:
    engine, recorder, _ = await engines.linked(BUSINESS)
    question = await simulator.write(CUSTOMER, BUSINESS, "tem foto?")
    await wait_until_text(recorder, "tem foto?")

    await engine.send(
        Chat(CUSTOMER),
        OutgoingMessage(
            message_id=engine.new_message_id(),
            text="aqui",
            media=OutgoingMedia(kind=MediaKind.IMAGE, data=PNG, mime="image/png", file_name="foto.png"),
            quoted=QuotedMessage(external_id=question, sender_phone=CUSTOMER, text="tem foto?"),
        ),
    )

    [seen] = await simulator.received_by(CUSTOMER)
    assert (seen["kind"], seen["text"], seen["quoted_id"]) == ("image", "aqui", question)
    download = await simulator.client.get(seen["body"]["url"])
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"


async def test_reacting_marking_read_and_typing_show_on_the_customer_phone(
    simulator: LiveSimulator, engines: Engines
) -> None:
    engine, recorder, _ = await engines.linked(BUSINESS)
    question = await simulator.write(CUSTOMER, BUSINESS, "bom dia")
    await wait_until_text(recorder, "bom dia")

    await engine.react(Chat(CUSTOMER), question, "👍", target_from_me=False)
    await engine.mark_read(Chat(CUSTOMER), [question])
    await engine.set_typing(Chat(CUSTOMER), True)

    seen = await simulator.call("GET", f"/api/phones/{CUSTOMER}/messages?include_sent=true")
    own, reaction = seen["items"]
    assert (own["id"], own["state"]) == (question, "read")
    assert reaction["body"] == {"type": "reaction", "target_id": question, "emoji": "👍"}
    assert seen["typing"] == [BUSINESS]


async def test_an_edit_a_delete_for_everyone_and_a_forwarded_copy_show_on_the_customer_phone(
    simulator: LiveSimulator, engines: Engines
) -> None:
    engine, _, _ = await engines.linked(BUSINESS)
    typo, regret = engine.new_message_id(), engine.new_message_id()
    await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=typo, text="Seu pedido chega amanha"))
    await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=regret, text="Mensagem errada"))
    forwarded = engine.new_message_id()
    await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=forwarded, text="Catálogo 2026", forwarded=True))

    await engine.edit(Chat(CUSTOMER), typo, "Seu pedido chega amanhã")
    await engine.revoke(Chat(CUSTOMER), regret)

    by_id = {item["id"]: item for item in await simulator.received_by(CUSTOMER)}
    assert (by_id[typo]["text"], by_id[typo]["edited"]) == ("Seu pedido chega amanhã", True)
    assert by_id[regret]["revoked"] is True
    assert (by_id[forwarded]["forwarded"], by_id[typo]["forwarded"]) == (True, False)


async def test_a_voice_note_reaches_the_customer_with_its_duration(simulator: LiveSimulator, engines: Engines) -> None:
    engine, _, _ = await engines.linked(BUSINESS)
    voice = OutgoingMedia(kind=MediaKind.VOICE, data=b"OggS" + bytes(60), mime="audio/ogg; codecs=opus", seconds=7)
    await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=engine.new_message_id(), media=voice))

    [seen] = await simulator.received_by(CUSTOMER)
    assert (seen["kind"], seen["body"]["seconds"]) == ("voice", 7)


async def test_a_profile_picture_is_fetched_when_the_phone_has_one(simulator: LiveSimulator, engines: Engines) -> None:
    engine, _, _ = await engines.linked(BUSINESS)
    assert await engine.profile_picture(Chat(CUSTOMER)) is None
    picture = {"mime": "image/png", "data_base64": base64.b64encode(PNG).decode()}
    await simulator.client.put(f"/api/phones/{CUSTOMER}/picture", json=picture)

    assert await engine.profile_picture(Chat(CUSTOMER)) == PNG


async def test_new_message_ids_look_like_whatsapp_web_ids(engines: Engines) -> None:
    engine, _ = engines.new()
    first, second = engine.new_message_id(), engine.new_message_id()
    assert first.startswith("3EB0") and len(first) == 24 and first != second
    int(first, 16)


async def test_sending_while_not_connected_raises_not_connected(engines: Engines) -> None:
    engine, _ = engines.new()
    with pytest.raises(NotConnected):
        await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=engine.new_message_id(), text="oi"))


# ---- faults ------------------------------------------------------------------------------------------------------


async def test_a_dropped_link_reconnects_by_itself_and_gets_what_was_sent_meanwhile(
    simulator: LiveSimulator, engines: Engines
) -> None:
    engine, recorder, token = await engines.linked(BUSINESS)

    await simulator.call("POST", f"/api/sessions/{BUSINESS}/drop", {"offline_seconds": 0.5})
    await recorder.wait_for_state(EngineState.RECONNECTING)
    with pytest.raises(NotConnected):
        await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=engine.new_message_id(), text="agora não"))
    await simulator.write(CUSTOMER, BUSINESS, "enquanto caído")

    await wait_until_text(recorder, "enquanto caído")
    assert recorder.states() == [
        EngineState.STARTING,
        EngineState.QR,
        EngineState.CONNECTED,
        EngineState.RECONNECTING,
        EngineState.CONNECTED,
    ]
    assert recorder.of(StateChanged)[-1].session_ref == token


async def test_logout_from_the_phone_ends_the_session_and_resuming_it_reports_logged_out(
    simulator: LiveSimulator, engines: Engines
) -> None:
    engine, recorder, token = await engines.linked(BUSINESS)

    await simulator.call("POST", f"/api/sessions/{BUSINESS}/logout")

    logged_out = await recorder.wait_for_state(EngineState.LOGGED_OUT)
    assert logged_out.reason
    await until(lambda: not engine.is_linking)  # the link loop ended: no reconnect attempt can follow
    assert recorder.states()[-1] is EngineState.LOGGED_OUT
    resumed, again = engines.new()
    await resumed.start(SessionTarget(session_ref=token))
    await again.wait_for_state(EngineState.LOGGED_OUT)
    assert again.of(QrCode) == []
    rejected = await simulator.client.post(
        "/api/link/messages",
        json={"id": "X", "chat": CUSTOMER, "text": "x"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert rejected.status_code == 401


async def test_a_replaced_session_is_not_reconnected(simulator: LiveSimulator, engines: Engines) -> None:
    engine, recorder, _ = await engines.linked(BUSINESS)

    await simulator.call("POST", f"/api/sessions/{BUSINESS}/replace")

    await recorder.wait_for_state(EngineState.REPLACED)
    await until(lambda: not engine.is_linking)  # the link loop ended: no reconnect attempt can follow
    assert recorder.states()[-1] is EngineState.REPLACED
    status = await simulator.call("GET", "/api/sessions")
    assert status["phones"] == [
        {"phone": BUSINESS, "status": "offline", "linked_at": status["phones"][0]["linked_at"], "queued": 0}
    ]


async def test_opening_the_same_session_twice_replaces_the_first(engines: Engines) -> None:
    _, first_recorder, token = await engines.linked(BUSINESS)

    second, second_recorder = engines.new()
    await second.start(SessionTarget(session_ref=token))

    await second_recorder.wait_for_state(EngineState.CONNECTED)
    await first_recorder.wait_for_state(EngineState.REPLACED)


async def test_an_unreachable_network_is_retried_until_it_comes_back(
    simulator: LiveSimulator, engines: Engines
) -> None:
    first, _, token = await engines.linked(BUSINESS)
    await first.stop()
    await simulator.stop()
    simulator.clock = clock = ManualClock()
    engine, recorder = engines.new()

    await engine.start(SessionTarget(session_ref=token))  # must not raise
    await recorder.wait_for_state(EngineState.RECONNECTING)
    for _ in range(3):  # each backoff step ends in one more attempt, which fails too
        await clock.until_sleeping()
        await clock.advance(FAST_ENGINE.reconnect_max_seconds)
    await clock.until_sleeping()
    assert recorder.states() == [EngineState.STARTING, EngineState.RECONNECTING]
    await simulator.start()
    await clock.advance(FAST_ENGINE.reconnect_max_seconds)

    connected = await recorder.wait_for_state(EngineState.CONNECTED)
    assert connected.session_ref == token


async def test_everything_survives_a_restart_of_the_simulator(simulator: LiveSimulator, engines: Engines) -> None:
    engine, recorder, token = await engines.linked(BUSINESS)
    sent = await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=engine.new_message_id(), text="antes"))
    await recorder.wait_for(Receipt)
    await engine.stop()
    await simulator.write(CUSTOMER, BUSINESS, "na fila")

    await simulator.restart()
    revived, again = engines.new()
    await revived.start(SessionTarget(session_ref=token))

    await wait_until_text(again, "na fila")
    assert [(item["id"], item["state"]) for item in await simulator.received_by(CUSTOMER)] == [
        (sent.external_id, "delivered")
    ]
    await simulator.restart()  # while connected: the engine reconnects by itself
    await again.wait_until(lambda: again.states()[-2:] == [EngineState.RECONNECTING, EngineState.CONNECTED])


async def test_the_handler_may_stop_the_engine_from_inside_an_event(simulator: LiveSimulator, engines: Engines) -> None:
    class StopsWhenConnected(Recorder):
        async def __call__(self, event: EngineEvent) -> None:
            await super().__call__(event)
            if isinstance(event, StateChanged) and event.state is EngineState.CONNECTED:
                await engine.stop()

    engine, recorder = engines.new(StopsWhenConnected())
    await engine.start(SessionTarget())
    await simulator.scan((await recorder.wait_for(QrCode)).code, BUSINESS)
    await recorder.wait_for_state(EngineState.CONNECTED)

    async with asyncio.timeout(WAIT):
        while (await simulator.call("GET", "/api/sessions"))["phones"][0]["status"] != "offline":
            await asyncio.sleep(0.05)
    assert engine.state is EngineState.STOPPED
    assert recorder.states()[-1] is EngineState.CONNECTED  # nothing after the stop


async def test_an_invalid_pairing_phone_fails_instead_of_retrying(engines: Engines) -> None:
    engine, recorder = engines.new()
    await engine.start(SessionTarget(pairing_phone="not a phone"))
    failed = await recorder.wait_for_state(EngineState.FAILED)
    assert failed.reason and "not a phone" in failed.reason


# ---- wiring ------------------------------------------------------------------------------------------------------


def test_the_engine_talks_to_simulator_url_or_the_simulator_mounted_in_this_server() -> None:
    mounted = Settings(environment=Environment.TEST, port=3001)
    standalone = Settings(environment=Environment.TEST, simulator_url="http://sim.internal:3002/")

    assert simulator_base_url(mounted) == "http://127.0.0.1:3001/simulator"
    assert simulator_base_url(standalone) == "http://sim.internal:3002"


async def test_the_factory_builds_an_engine_for_a_connection(tmp_path: Path) -> None:
    settings = Settings(environment=Environment.TEST, simulator_url="http://127.0.0.1:9")
    recorder = Recorder()

    engine: Engine = create_simulator_engine(settings, "connection-7", recorder)

    assert isinstance(engine, SimulatorEngine)
    assert (engine.base_url, engine.connection_key) == ("http://127.0.0.1:9", "connection-7")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.processes
async def test_a_standalone_simulator_serves_an_engine_pointed_at_it_with_simulator_url(tmp_path: Path) -> None:
    port = _free_port()
    environment = {**os.environ, "SIMULATOR_QR_FIRST_SECONDS": "30"}
    process = subprocess.Popen(
        [sys.executable, "-m", "zapdesk", "simulator", "--port", str(port), "--state", str(tmp_path / "sim.db")],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    recorder = Recorder()
    settings = Settings(environment=Environment.TEST, simulator_url=f"http://127.0.0.1:{port}")
    # The process may still be starting: the engine retries quickly until it answers.
    engine = create_simulator_engine(settings, "standalone", recorder, options=FAST_ENGINE)
    try:
        await engine.start(SessionTarget())
        qr = await recorder.wait_for(QrCode)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            response = await client.post("/api/scan", json={"code": qr.code, "phone": BUSINESS})
            assert response.status_code == 200, response.text

        connected = await recorder.wait_for_state(EngineState.CONNECTED)
        assert connected.phone == BUSINESS
        assert (tmp_path / "sim.db").exists()
    finally:
        await engine.stop()
        process.terminate()
        process.wait(timeout=WAIT)
