"""Who is at their desk: each user's presence (online, away, offline), told by their sockets, across the server
processes of a deployment.

A socket is online until its tab says it is hidden or idle (away); a user is as present as their most present
socket on any process, and offline with none. Without Redis, this process's sockets are all there is. With Redis,
each process keeps its users' states in a hash of its own that expires unless refreshed — a process that dies
takes its users offline within `PRESENCE_TTL_SECONDS` — and announces each change on a channel, so that every
process tells its own sockets. Presence is not a database change: it never enters the event log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from enum import StrEnum

from redis.asyncio import Redis

from zapdesk.config import Settings
from zapdesk.kit.cancelling import raise_if_cancelled
from zapdesk.kit.clock import Clock
from zapdesk.kit.redis import command_client, listen_forever, subscriber_client

log = logging.getLogger(__name__)

# A process refreshes its hash every third of this; a dead one's users turn offline after it.
PRESENCE_TTL_SECONDS = 45.0


class Presence(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


_RANK = {Presence.OFFLINE: 0, Presence.AWAY: 1, Presence.ONLINE: 2}

Announce = Callable[[int, Presence], Awaitable[None]]


def most_present(states: Iterable[Presence]) -> Presence:
    return max(states, key=_RANK.__getitem__, default=Presence.OFFLINE)


class LocalSockets:
    """This process's signed-in sockets: whose each is, and whether its tab is away."""

    def __init__(self) -> None:
        self._sockets: dict[str, tuple[int, bool]] = {}  # sid → (user id, away)

    def join(self, sid: str, user_id: int) -> None:
        self._sockets[sid] = (user_id, False)

    def set_away(self, sid: str, away: bool) -> int | None:
        """The socket's user, or None for a socket this process does not know."""
        known = self._sockets.get(sid)
        if known is None:
            return None
        self._sockets[sid] = (known[0], away)
        return known[0]

    def leave(self, sid: str) -> int | None:
        known = self._sockets.pop(sid, None)
        return None if known is None else known[0]

    def of(self, user_id: int) -> Presence:
        return most_present(_state(away) for user, away in self._sockets.values() if user == user_id)

    def users(self) -> dict[int, Presence]:
        states: dict[int, Presence] = {}
        for user_id, away in self._sockets.values():
            states[user_id] = most_present((states.get(user_id, Presence.OFFLINE), _state(away)))
        return states


def _state(away: bool) -> Presence:
    return Presence.AWAY if away else Presence.ONLINE


class PresenceBoard:
    """One per server process. Call `changed(user_id)` after a local socket of theirs came, went or turned away;
    `announce` is then called (on every process) with their new presence."""

    def __init__(
        self, settings: Settings, announce: Announce, *, clock: Clock, ttl_seconds: float = PRESENCE_TTL_SECONDS
    ) -> None:
        self.local = LocalSockets()
        self._ttl_ms = int(ttl_seconds * 1000)
        # What this process last told its sockets about each user (not offline), to notice what changed unsaid:
        # users of a process that died, whose hash expired.
        self._told: dict[int, Presence] = {}
        self._announce = announce
        self._clock = clock
        self._redis_url = settings.redis_url
        self._redis = command_client(settings.redis_url) if settings.redis_url else None
        self._listener: Redis | None = None
        self._prefix = f"{settings.redis_prefix}:presence"
        self._own_key = f"{self._prefix}:{secrets.token_hex(8)}"
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if self._redis is None or self._tasks:
            return
        self._listener = subscriber_client(self._redis_url)
        self._tasks = [
            asyncio.create_task(listen_forever(self._listener, self._prefix, self._heard, clock=self._clock)),
            asyncio.create_task(self._refresh_forever()),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._redis is not None:
            with contextlib.suppress(Exception):  # shutting down: a dead Redis expires our hash anyway
                await self._redis.delete(self._own_key)
            await self._redis.aclose()
        if self._listener is not None:
            await self._listener.aclose()

    async def changed(self, user_id: int) -> None:
        if self._redis is None:
            await self._announce(user_id, self.local.of(user_id))
            return
        try:
            state = self.local.of(user_id)
            async with self._redis.pipeline(transaction=False) as pipe:
                if state is Presence.OFFLINE:
                    pipe.hdel(self._own_key, str(user_id))
                else:
                    pipe.hset(self._own_key, str(user_id), state.value)
                pipe.pexpire(self._own_key, self._ttl_ms)
                pipe.sadd(self._instances_key, self._own_key)
                pipe.publish(self._prefix, json.dumps({"user_id": user_id}))
                await pipe.execute()
        except Exception:
            log.exception("could not share the presence of user %s; other processes learn it later", user_id)
            await self._tell(user_id, self.local.of(user_id))

    async def everyone(self) -> dict[int, Presence]:
        """Every user not offline, with their presence."""
        if self._redis is None:
            return self.local.users()
        try:
            hashes = await self._all_hashes()
        except Exception:
            log.exception("could not read presence from Redis; answering with this process's sockets only")
            return self.local.users()
        states: dict[int, Presence] = {}
        for stored in hashes:
            for user_id, state in stored.items():
                key = int(user_id)
                states[key] = most_present((states.get(key, Presence.OFFLINE), Presence(state.decode())))
        return states

    @property
    def _instances_key(self) -> str:
        return f"{self._prefix}:processes"

    async def _all_hashes(self) -> list[dict[bytes, bytes]]:
        assert self._redis is not None
        keys = sorted(await self._redis.smembers(self._instances_key))
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hgetall(key)
            found: list[dict[bytes, bytes]] = await pipe.execute()
        gone = [key for key, stored in zip(keys, found, strict=True) if not stored]
        if gone:  # expired (its process died) or empty: forget it until it writes again
            await self._redis.srem(self._instances_key, *gone)
        return [stored for stored in found if stored]

    async def _heard(self, data: bytes | str) -> None:
        try:
            user_id = int(json.loads(data)["user_id"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed presence message")
            return
        states = await self.everyone()
        await self._tell(user_id, states.get(user_id, Presence.OFFLINE))

    async def _tell(self, user_id: int, state: Presence) -> None:
        if state is Presence.OFFLINE:
            self._told.pop(user_id, None)
        else:
            self._told[user_id] = state
        await self._announce(user_id, state)

    async def _tell_what_changed_unsaid(self) -> None:
        states = await self.everyone()
        for user_id in sorted(set(states) | set(self._told)):
            state = states.get(user_id, Presence.OFFLINE)
            if state != self._told.get(user_id, Presence.OFFLINE):
                await self._tell(user_id, state)

    async def _refresh_forever(self) -> None:
        """Keep our hash alive and whole (a Redis restart loses it), and tell our sockets about users whose
        process went away without a word."""
        assert self._redis is not None
        while True:
            raise_if_cancelled()
            try:
                users = self.local.users()
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.delete(self._own_key)
                    if users:
                        pipe.hset(self._own_key, mapping={str(user): state.value for user, state in users.items()})
                        pipe.pexpire(self._own_key, self._ttl_ms)
                    pipe.sadd(self._instances_key, self._own_key)
                    await pipe.execute()
                await self._tell_what_changed_unsaid()
            except Exception:
                raise_if_cancelled()
                log.exception("could not refresh this process's presence in Redis")
            await self._clock.sleep(self._ttl_ms / 3000)
