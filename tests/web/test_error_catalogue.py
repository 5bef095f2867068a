"""The web app words every error code the REST API can answer with in Portuguese (web/src/i18n/apiErrors.ts)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import zapdesk
from zapdesk.errors import HTTP_ERROR_CODES

SOURCE = Path(zapdesk.__file__).parent
CATALOGUE = SOURCE.parents[1] / "web" / "src" / "i18n" / "apiErrors.ts"
# The simulator is another server (the fake WhatsApp network) with a page of its own.
NOT_THE_API = {SOURCE / "simulator", SOURCE / "migrations"}


def _codes_in(tree: ast.AST) -> set[str]:
    """`code="…"` given to an error, `code = "…"` on an error class, and `error_body(detail, "…")`."""
    codes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            codes |= {k.value.value for k in node.keywords if k.arg == "code" and isinstance(k.value, ast.Constant)}
            if getattr(node.func, "id", None) == "error_body" and isinstance(node.args[1], ast.Constant):
                codes.add(node.args[1].value)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and _assigns_code(node):
            codes.add(node.value.value)
    return codes


def _assigns_code(node: ast.Assign) -> bool:
    return any(getattr(target, "id", None) == "code" for target in node.targets)


def api_error_codes() -> set[str]:
    codes = set(HTTP_ERROR_CODES.values())
    for path in SOURCE.rglob("*.py"):
        if not any(path.is_relative_to(excluded) for excluded in NOT_THE_API):
            codes |= _codes_in(ast.parse(path.read_text(encoding="utf-8")))
    return codes


def portuguese_codes() -> set[str]:
    text = CATALOGUE.read_text(encoding="utf-8")
    block = text[text.index("PT_BR_ERRORS") : text.index("PT_BR_FIELD_ERRORS")]
    return set(re.findall(r"^  ([a-z_]+):", block, flags=re.MULTILINE))


def test_every_error_code_of_the_api_has_portuguese_words() -> None:
    codes = api_error_codes()

    assert {"ticket_not_found", "invalid_json", "internal_error", "method_not_allowed"} <= codes  # the scan works
    assert sorted(codes - portuguese_codes()) == []


def test_the_catalogue_has_no_code_the_api_does_not_answer_with() -> None:
    assert sorted(portuguese_codes() - api_error_codes()) == []
