"""One cursor format for every list: the last item's key, in a shape the OpenAPI pattern states exactly."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zapdesk.contacts.models import Contact
from zapdesk.errors import Invalid
from zapdesk.kit.paging import Keyset
from zapdesk.tickets.models import Ticket

BY_NAME = Keyset((Contact.name, Contact.id))
NEWEST_FIRST = Keyset((Ticket.last_activity_at, Ticket.id), descending=True)


@pytest.mark.parametrize(
    ("keyset", "row"),
    [
        (BY_NAME, SimpleNamespace(name="João da Silva 🙂", id=42)),
        (BY_NAME, SimpleNamespace(name="a.b/c+d", id=1)),
        (NEWEST_FIRST, SimpleNamespace(last_activity_at=datetime(2026, 5, 1, 12, 30, 1, 123456, tzinfo=UTC), id=7)),
    ],
)
def test_a_cursor_carries_the_key_of_its_row_and_has_the_lists_shape(keyset: Keyset, row: SimpleNamespace) -> None:
    cursor = keyset.encode(row)

    assert re.fullmatch(keyset.pattern, cursor)
    assert keyset.decode(cursor) == tuple(getattr(row, column.key) for column in keyset.columns)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_string_of_a_lists_cursor_shape_is_a_position_in_it(data: st.DataObject) -> None:
    keyset = data.draw(st.sampled_from([BY_NAME, NEWEST_FIRST]))
    cursor = data.draw(st.from_regex(keyset.pattern, fullmatch=True))

    key = keyset.decode(cursor)

    assert len(key) == len(keyset.columns)
    assert all("\x00" not in value for value in key if isinstance(value, str))


@pytest.mark.parametrize("cursor", ["1", "x.y.z", "abc.12a", "abcde.1"])
def test_a_cursor_of_another_shape_is_refused(cursor: str) -> None:
    with pytest.raises(Invalid) as refused:
        BY_NAME.decode(cursor)
    assert refused.value.code == "invalid_cursor"
