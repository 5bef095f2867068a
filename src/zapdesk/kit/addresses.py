"""Outbound HTTP to addresses people type (webhook endpoints, media URLs) without reaching inside our network.

A URL whose host resolves to a private, loopback, link-local (e.g. cloud metadata at 169.254.169.254),
multicast or reserved address is refused unless private targets are allowed (development and tests allow them).
The check runs when the URL is saved and again at every connection: `GuardedResolver` is the resolver the HTTP
client connects through, so a name that resolved to a public address when it was saved and to a private one
later (DNS rebinding) is refused at the moment it would be used.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from zapdesk.errors import Invalid

_SCHEMES = ("http", "https")


class BlockedAddress(Invalid):
    def __init__(self, host: str, address: str) -> None:
        super().__init__(
            f"{host} resolves to {address}, a private, loopback or link-local address: zapdesk does not send there.",
            code="private_address",
        )


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def check_url(url: str) -> str:
    """`url` if it is an absolute http(s) URL with a host (422 otherwise); what it resolves to is checked apart."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise Invalid("Give an http:// or https:// address.", code="invalid_url")
    return url


async def resolve_checked(url: str, *, allow_private: bool) -> list[str]:
    """The addresses `url`'s host resolves to, all of them public unless private ones are allowed."""
    host = urlsplit(check_url(url)).hostname or ""
    port = urlsplit(url).port or (443 if url.startswith("https") else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise Invalid(f"{host} cannot be resolved: {exc}.", code="unresolvable_host") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise BlockedAddress(host, address)
    return addresses


def check_literal(url: str, *, allow_private: bool) -> None:
    """Refuse a URL whose host is itself a private IP address: HTTP clients connect to those without resolving."""
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return  # a name: `GuardedResolver` checks what it resolves to when connecting
    if not allow_private and not is_public(host):
        raise BlockedAddress(host, host)


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver that refuses private addresses at connection time (see the module's docstring)."""

    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._system = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._system.resolve(host, port, family)
        if not self._allow_private:
            for result in results:
                if not is_public(result["host"]):
                    raise BlockedAddress(host, result["host"])
        return results

    async def close(self) -> None:
        await self._system.close()


def guarded_session(*, allow_private: bool, timeout: float, **kwargs: Any) -> aiohttp.ClientSession:
    """An HTTP client whose every connection goes through `GuardedResolver`."""
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private=allow_private), limit=256)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout), **kwargs)
