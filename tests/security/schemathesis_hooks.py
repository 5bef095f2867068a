"""Schemathesis hooks for our OpenAPI document (loaded through SCHEMATHESIS_HOOKS by the fuzz test's `st run`).

`format: phone` names a rule no pattern states (the country's numbering plan): valid data for it is drawn from
numbers as people type them, in the countries our users write from. `format: web-address` names an address
whose host resolves and answers (a webhook's endpoint, a file to send by URL): valid data for it is an address on
the fuzz test's own file server, named by FUZZ_FILE_SERVER (no test reaches the internet).
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import strategies as st

_SEPARATORS = st.sampled_from(["", " ", "-", "."])


@st.composite
def _phone(draw: st.DrawFn) -> str:
    country, area, first, length = draw(
        st.sampled_from(
            [
                ("55", "11", "9", 8),  # a São Paulo mobile
                ("55", "21", "9", 8),
                ("55", "31", "3", 7),  # a Belo Horizonte landline
                ("1", "415", "5", 6),
                ("351", "91", "2", 6),  # a Portuguese mobile
            ]
        )
    )
    subscriber = first + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=length, max_size=length)))
    separator = draw(_SEPARATORS)
    area_code = f"({area})" if draw(st.booleans()) else area
    plus = "+" if draw(st.booleans()) else ""
    return f"{plus}{country}{separator}{area_code}{separator}{subscriber}"


schemathesis.openapi.format("phone", _phone())


_FILE_SERVER_ADDRESSES = st.builds(
    f"{os.environ['FUZZ_FILE_SERVER']}/{{}}".format, st.from_regex(r"[a-z]{0,12}(\.png)?", fullmatch=True)
)
schemathesis.openapi.format("web-address", _FILE_SERVER_ADDRESSES)
