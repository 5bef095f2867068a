"""Downloading a profile picture from the URL WhatsApp gives for it (a signed link to its CDN, valid briefly)."""

from __future__ import annotations

import logging

import aiohttp

log = logging.getLogger(__name__)

# Profile pictures are small JPEGs (640 px at most); anything larger is not one.
MAX_PICTURE_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 20


async def download_picture(url: str) -> bytes | None:
    """The picture's bytes, or None when it cannot be fetched now (a later refresh tries again)."""
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http, http.get(url) as response:
            if response.status != 200:
                log.info("profile picture download answered HTTP %s", response.status)
                return None
            data = await response.content.read(MAX_PICTURE_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.info("profile picture download failed: %s", exc or type(exc).__name__)
        return None
    return data if len(data) <= MAX_PICTURE_BYTES else None
