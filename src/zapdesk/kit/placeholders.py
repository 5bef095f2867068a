"""Filling `{{name}}`-style placeholders: greetings, farewells and message templates use the same ones."""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """`text` with each `{{key}}` of `values` replaced; placeholders it does not name are left as they are."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def placeholders_in(text: str) -> list[str]:
    """The keys `text` asks for, each once, in order of appearance."""
    return list(dict.fromkeys(match.group(1) for match in _PLACEHOLDER.finditer(text)))
