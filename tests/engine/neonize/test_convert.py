"""The pure helpers behind the adapter: JIDs, LIDs, the store's device list, timestamps, lifecycle reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from neonize.proto.Neonize_pb2 import ConnectFailureReason
from neonize.proto.Neonize_pb2 import LoggedOut as LoggedOutEv

from tests.engine.neonize.protos import CUSTOMER, jid, source
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


def test_numbers_behind_lids_come_from_the_event_first_then_from_what_the_session_learned() -> None:
    known = {str(n): f"55119{n:08d}" for n in range(5000)}
    plain = source(jid(CUSTOMER), jid(CUSTOMER))
    revealing = source(jid("42", "lid"), jid("42", "lid"), sender_alt=jid("5521988887777"))

    assert convert.with_learned_lids(plain, known) is known  # nothing new: the session's pairs, not a copy
    looked_up = convert.with_learned_lids(revealing, known)
    assert looked_up["42"] == "5521988887777"  # the event's own pair wins over an older one
    assert looked_up["7"] == known["7"]
    assert known["42"] == "5511900000042"  # and the session's map is left as it was


def test_only_lids_that_no_known_pair_names_are_looked_up() -> None:
    stranger = source(jid("77", "lid"), jid("77", "lid"))
    revealing = source(jid("42", "lid"), jid("42", "lid"), sender_alt=jid("5521988887777"))
    known = convert.learned_lids(revealing)  # what an adapter remembers before asking

    assert [lid.User for lid in convert.unresolved_lids(stranger, known)] == ["77"]  # chat and sender: asked once
    assert convert.unresolved_lids(revealing, known) == []
