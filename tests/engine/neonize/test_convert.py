"""The pure helpers behind the adapter: JIDs, the store's device list, timestamps, lifecycle reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from neonize.proto.Neonize_pb2 import ConnectFailureReason
from neonize.proto.Neonize_pb2 import LoggedOut as LoggedOutEv

from zapdesk.engine.events import Chat, EngineState
from zapdesk.engine.neonize import convert

JID_FIELDS = ("User", "RawAgent", "Device", "Integrator", "Server", "IsEmpty")


@pytest.mark.parametrize(
    "value", ["5511900001111:12@s.whatsapp.net", "5511900001111@s.whatsapp.net", "123456789012345.1:3@lid"]
)
def test_device_jids_round_trip_in_whatsmeows_format(value: str) -> None:
    jid = convert.parse_jid(value)

    assert convert.jid_to_str(jid) == value
    assert jid.IsInitialized()  # every field is `required` in neonize's proto, and Go dereferences each


def test_a_malformed_session_reference_is_refused() -> None:
    with pytest.raises(ValueError):
        convert.parse_jid("not-a-jid")


def test_chat_addresses_become_jids() -> None:
    person, group, lid = (
        convert.chat_jid(Chat(address="+55 11 98888-7777")),
        convert.chat_jid(Chat(address="120363041234567890@g.us", is_group=True)),
        convert.chat_jid(Chat(address="123456789012345@lid")),
    )

    assert (person.User, person.Server) == ("5511988887777", "s.whatsapp.net")
    assert (group.User, group.Server) == ("120363041234567890", "g.us")
    assert (lid.User, lid.Server) == ("123456789012345", "lid")
    assert all(jid.IsInitialized() for jid in (person, group, lid, convert.EMPTY_JID))


def test_message_time_is_milliseconds_and_receipt_time_is_seconds() -> None:
    moment = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)

    assert convert.from_milliseconds(1_700_000_000_000) == moment
    assert convert.from_seconds(1_700_000_000) == moment


def test_logged_out_names_its_reason() -> None:
    state = convert.logged_out_state(LoggedOutEv(OnConnect=True, Reason=ConnectFailureReason.MAIN_DEVICE_GONE))

    assert state.state is EngineState.LOGGED_OUT
    assert state.reason == "unlinked from the phone while connecting (main_device_gone)"
