"""Cancellation that a library lost on the way.

A cancellation that lands while redis-py is in the middle of a command can come out as a connection error of its
own, or not at all; a loop that catches errors to carry on through outages would then outlive the cancel that was
meant to end it (a server's shutdown waiting for ever). Such loops ask their task, not the exception.
"""

from __future__ import annotations

import asyncio


def raise_if_cancelled() -> None:
    """Raise `CancelledError` when this task was told to stop, whatever became of the cancellation itself."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
