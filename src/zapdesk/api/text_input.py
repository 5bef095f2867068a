"""Refusing text the databases cannot store: the NUL character, anywhere a request carries text."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request

from zapdesk.api.inputs import NO_NUL
from zapdesk.errors import Invalid

NUL = "\x00"


async def reject_nul_characters(request: Request) -> None:
    """422 for a NUL character anywhere in the path, the query, a JSON body or a form field.

    PostgreSQL refuses NUL in text (the query would fail with a 500) and no text a person types contains one;
    refusing it at the edge keeps both databases alike. Uploaded files are bytes, not text: never checked.
    """
    if NUL in request.url.path or any(NUL in key or NUL in value for key, value in request.query_params.multi_items()):
        raise _nul_refused()
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("application/json") or "+json" in content_type.split(";", 1)[0]:
        try:
            document = json.loads(await request.body())
        except (ValueError, RecursionError):
            return  # not JSON we can read: the route's own parsing answers that
        if _contains_nul(document):
            raise _nul_refused()
    elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        if any(NUL in key or (isinstance(value, str) and NUL in value) for key, value in form.multi_items()):
            raise _nul_refused()


def _contains_nul(document: object) -> bool:
    pending = [document]  # a loop, not recursion: nesting depth is the sender's choice
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _nul_refused() -> Invalid:
    return Invalid("Text cannot contain the NUL character (\\u0000).", code="nul_character")


def document_nul_refusal(api: FastAPI) -> None:
    """Make `api`'s OpenAPI document say what `reject_nul_characters` enforces: no text a client sends holds NUL.

    A string with a pattern of its own states it there (see `api.inputs`); every other string the client sends
    (parameters and request bodies, through the components they use) gets `NO_NUL`.
    """
    generate = api.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        components: dict[str, Any] = document.get("components", {}).get("schemas", {})
        seen: set[str] = set()
        for operation in (op for path in document.get("paths", {}).values() for op in path.values()):
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _refuse_nul(parameter.get("schema", {}), components, seen)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _refuse_nul(media.get("schema", {}), components, seen)
        return document

    api.openapi = openapi  # type: ignore[method-assign]


def _refuse_nul(schema: dict[str, Any], components: dict[str, Any], seen: set[str]) -> None:
    pending = [schema]
    while pending:
        node = pending.pop()
        reference = node.get("$ref")
        if isinstance(reference, str):
            name = reference.rsplit("/", 1)[-1]
            if name not in seen and name in components:
                seen.add(name)
                pending.append(components[name])
            continue
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & node.keys():
            node["pattern"] = NO_NUL
        for key in ("items", "additionalProperties", "propertyNames"):
            if isinstance(node.get(key), dict):
                pending.append(node[key])
        for key in ("properties", "patternProperties"):
            pending.extend(child for child in node.get(key, {}).values() if isinstance(child, dict))
        for key in ("anyOf", "oneOf", "allOf"):
            pending.extend(child for child in node.get(key, []) if isinstance(child, dict))
