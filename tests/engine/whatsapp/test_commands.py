"""What the adapter asks the engine program for: group read marks and reactions name the author, and a file is
fetched by the reference a message was stored with (the program stands in here, recording the requests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ImageMessage, Message, VideoMessage

from tests.engine.neonize.fakes import Recorder
from tests.engine.neonize.protos import CUSTOMER, CUSTOMER_LID, GROUP
from tests.engine.whatsapp.conftest import DEVICE_REF
from zapdesk.engine.base import EngineError
from zapdesk.engine.events import Chat, SessionTarget
from zapdesk.engine.neonize.convert import media_ref
from zapdesk.engine.whatsapp.adapter import WhatsAppEngine
from zapdesk.engine.whatsapp.protocol import zapdesk_engine_pb2 as pb

GROUP_CHAT = Chat(address=f"{GROUP}@g.us", is_group=True)


class RecordingProgram:
    """Stands in for the engine host: records each request and answers it as the program would."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, Any]] = []
        self.refuse: EngineError | None = None

    def attach(self, session: str, listener: object) -> None:
        pass

    def detach(self, session: str, listener: object) -> None:
        pass

    async def request(self, session: str, *, start_program: bool = True, **command: Any) -> pb.Response:
        [(kind, value)] = command.items()
        self.requests.append((kind, value))
        if self.refuse is not None:
            raise self.refuse
        if kind == "send":
            return pb.Response(sent=pb.SendResult(message_id=value.message_id, timestamp=1_700_000_100))
        if kind == "download":
            return pb.Response(downloaded=b"the file")
        return pb.Response()

    async def verdict(self, event_id: int, program: int, *, ok: bool, error: str = "") -> None:
        pass

    def sent(self, kind: str) -> list[Any]:
        return [value for recorded, value in self.requests if recorded == kind]


@pytest.fixture
async def program() -> RecordingProgram:
    return RecordingProgram()


@pytest.fixture
async def engine(program: RecordingProgram) -> AsyncIterator[WhatsAppEngine]:
    """A resumed session the program reported connected."""
    engine = WhatsAppEngine(connection_key="7", handler=Recorder(), host=program)  # type: ignore[arg-type]
    await engine.start(SessionTarget(session_ref=DEVICE_REF))
    engine.on_event(pb.Event(connected=pb.ConnectedEvent(device_jid=DEVICE_REF)), program=1)
    await engine.wait_idle()
    yield engine
    await engine.stop()


async def test_a_read_mark_in_a_group_names_the_author_and_one_in_a_private_chat_does_not(
    engine: WhatsAppEngine, program: RecordingProgram
) -> None:
    await engine.mark_read(GROUP_CHAT, ["G1"], sender=f"{CUSTOMER_LID}@lid")
    await engine.mark_read(Chat(address=CUSTOMER), ["P1"], sender=CUSTOMER)

    in_group, private = program.sent("mark_read")
    assert (in_group.chat_jid, list(in_group.message_ids), in_group.sender_jid) == (
        f"{GROUP}@g.us",
        ["G1"],
        f"{CUSTOMER_LID}@lid",
    )
    assert (private.chat_jid, private.sender_jid) == (f"{CUSTOMER}@s.whatsapp.net", "")


async def test_a_reaction_in_a_group_names_the_author_of_the_message(
    engine: WhatsAppEngine, program: RecordingProgram
) -> None:
    await engine.react(GROUP_CHAT, "MEMBER1", "👍", target_from_me=False, target_sender=CUSTOMER)

    [send] = program.sent("send")
    key = Message.FromString(send.message).reactionMessage.key
    assert (key.ID, key.fromMe, key.participant) == ("MEMBER1", False, f"{CUSTOMER}@s.whatsapp.net")


async def test_a_file_is_asked_for_by_its_reference_a_video_note_as_the_video_it_is(
    engine: WhatsAppEngine, program: RecordingProgram
) -> None:
    photo = media_ref("imageMessage", ImageMessage(directPath="/v/photo", mediaKey=b"k" * 32))
    note = media_ref("videoMessage", VideoMessage(directPath="/v/ptv", mediaKey=b"k" * 32))

    assert [await engine.download(photo), await engine.download(note)] == [b"the file", b"the file"]

    asked_photo, asked_note = (Message.FromString(request.message) for request in program.sent("download"))
    assert asked_photo.imageMessage.directPath == "/v/photo"
    assert asked_note.videoMessage.directPath == "/v/ptv"


async def test_a_file_whatsapp_no_longer_has_is_not_asked_for_again(
    engine: WhatsAppEngine, program: RecordingProgram
) -> None:
    program.refuse = EngineError("download failed: download failed with status code 410", retryable=True)

    with pytest.raises(EngineError) as gone:
        await engine.download(media_ref("imageMessage", ImageMessage(directPath="/v/old")))

    assert not gone.value.retryable
