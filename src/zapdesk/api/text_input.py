"""Refusing text the databases cannot store: the NUL character, anywhere a request carries text."""

from __future__ import annotations

import json

from fastapi import Request

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
