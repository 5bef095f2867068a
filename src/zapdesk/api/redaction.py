"""Keeping access tokens out of the server's own logs (uvicorn's request, WebSocket and frame logs)."""

from __future__ import annotations

import logging
import re

# uvicorn logs each request's path with its query string (access log, and WebSocket handshakes at INFO on
# "uvicorn.error"), where Socket.IO clients may put the access token (`?token=`); at DEBUG it also logs
# WebSocket frames, among them Socket.IO's CONNECT packet carrying `{"token": ...}`.
_SECRETS = (
    re.compile(r"(?i)\b((?:access_|refresh_)?token=)[^&\s\"']+"),
    re.compile(r"(?i)(\"(?:access_|refresh_)?token\"\s*:\s*\")[^\"]*"),
    re.compile(r"()\beyJ[\w-]+\.eyJ[\w-]+\.[\w-]+"),  # any whole JWT
)
# What every secret above contains: text without it (nearly every access line) skips the substitutions.
_MAYBE_SECRET = re.compile(r"(?i)token|eyJ")
SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    if not _MAYBE_SECRET.search(text):
        return text
    for pattern in _SECRETS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


class RedactTokens(logging.Filter):
    """Redact tokens in a record's message and arguments before any handler formats (or stores) them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted_argument(argument) for argument in record.args)
        return True


def _redacted_argument(argument: object) -> object:
    if isinstance(argument, int | float) or argument is None:
        return argument
    text = str(argument)
    cleaned = redact(text)
    # Objects (a WebSocket frame) become their redacted text only when they held a token.
    return cleaned if cleaned != text or isinstance(argument, str) else argument


def redact_tokens_in_server_logs() -> None:
    """Install `RedactTokens` on uvicorn's loggers (once per process)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
            logger.addFilter(RedactTokens())
