"""The template engine: `{{variable}}` placeholders filled from a mapping of names to texts.

Every message zapdesk writes (greetings, farewell, the queue menu, business hours, timers, the survey, quick
answers) goes through `render`, so a customer's name or an agent's is filled the same way everywhere. A variable
the mapping does not know stays visible as typed ("{{pedido}}"): a typo shows in the sent text instead of
failing the send. Braces that do not pair up are refused when the template is saved (`check`), not when sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# A name: letters, digits and underscores (Cloud API templates number theirs: {{1}}), spaces allowed inside.
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_BRACES = re.compile(r"\{\{|\}\}")


def render(template: str, values: Mapping[str, str]) -> str:
    """`template` with each `{{name}}` that `values` knows replaced; unknown ones are left exactly as written."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def variables_in(template: str) -> list[str]:
    """The variables `template` asks for, each once, in order of appearance."""
    return list(dict.fromkeys(match.group(1) for match in _PLACEHOLDER.finditer(template)))


def unbalanced_at(template: str) -> int | None:
    """Where the first `{{` without its `}}` (or `}}` without its `{{`) starts; None when every pair closes.

    Single braces are ordinary text. Whatever stands between a pair is only checked to be one line: an unknown
    name is allowed (it stays visible), but `{{nome` followed by a paragraph is a forgotten `}}`.
    """
    opened: int | None = None
    for match in _BRACES.finditer(template):
        if match.group() == "{{":
            if opened is not None:
                return opened
            opened = match.start()
        elif opened is None:
            return match.start()
        else:
            if "\n" in template[opened : match.start()]:
                return opened
            opened = None
    return opened


def _balanced(template: str) -> str:
    position = unbalanced_at(template)
    if position is not None:
        raise PydanticCustomError(
            "template_unbalanced",
            "the braces of a variable do not pair up near character {position}",
            {"position": position + 1},
        )
    return template


# A text field that is a template: refused (422, type `template_unbalanced`) when its braces do not pair up.
TemplateText = Annotated[str, AfterValidator(_balanced)]
