"""The Socket.IO server: access-token handshake, each socket's rooms, and handing committed events to them.

Every server process hands every committed event to its own sockets, in position order (`Relay`); with Redis,
the processes of a deployment share their batches on one channel, so each sees all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

import socketio
from redis.asyncio import Redis
from socketio.exceptions import ConnectionRefusedError as SocketRefused
from starlette.types import ASGIApp

from zapdesk.auth.tokens import decode_access_token
from zapdesk.context import AppContext
from zapdesk.db.events import Published
from zapdesk.errors import Unauthorized
from zapdesk.events import QueueRemoved, UserRemoved, UserUpdated
from zapdesk.kit.redis import listen_forever
from zapdesk.realtime.presence import Presence, PresenceBoard
from zapdesk.realtime.publisher import SOCKET_EVENT, batch_from_message, envelope, events_channel, publish_batch
from zapdesk.realtime.relay import Relay
from zapdesk.realtime.rooms import EVERYONE, queue_room, user_room, user_rooms
from zapdesk.users.models import User
from zapdesk.users.repository import load_user

log = logging.getLogger(__name__)

NAMESPACE = "/"
# Presence travels apart from the logged events (`SOCKET_EVENT`): `{"user_id", "state"}` both ways (a tab sends
# `{"away"}`).
PRESENCE_EVENT = "presence"
SOCKETIO_PATH = "socket.io"


class RealtimeServer:
    """One per server process. `publish` is the process's `EventSink`; `asgi_app` mounts it beside the HTTP app."""

    def __init__(self, context: AppContext) -> None:
        settings = context.settings
        self.context = context
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            cors_allowed_origins=settings.socketio_cors_origins,
            logger=False,
            engineio_logger=False,
        )
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        self.sio.on(PRESENCE_EVENT, self._on_presence)
        self.presence = PresenceBoard(settings, self._announce_presence, clock=context.clock)
        self.relay = Relay(context.sessionmaker, self._hand_over)
        self._redis: Redis | None = Redis.from_url(settings.redis_url) if settings.redis_url else None
        self._channel = events_channel(settings)
        self._listener: asyncio.Task[None] | None = None

    def asgi_app(self, http_app: ASGIApp) -> ASGIApp:
        """Socket.IO at /socket.io, everything else (lifespan included) to `http_app`."""
        app: ASGIApp = socketio.ASGIApp(self.sio, other_asgi_app=http_app, socketio_path=SOCKETIO_PATH)
        return app

    async def publish(self, events: Sequence[Published]) -> None:
        """This process's committed events: to its own sockets now, and to the other processes through Redis."""
        await self.relay.take(events)
        if self._redis is not None:
            await publish_batch(self._redis, self._channel, events)

    async def resync_user(self, user_id: int) -> None:
        """Make every socket of this user in this process sit in exactly the rooms its user allows now (or drop
        them if the user is gone). Each process does it for its own sockets when `user.updated` or
        `user.removed` passes through its relay."""
        # Participants are only this process's sockets.
        sids = [sid for sid, _eio_sid in self.sio.manager.get_participants(NAMESPACE, user_room(user_id))]
        if not sids:
            return
        try:
            user = await self._load_user(user_id)
        except Exception:  # runs after a commit: log it rather than fail the request that made the change
            log.exception("could not re-check the rooms of user %s", user_id)
            return
        for sid in sids:
            if user is None:
                await self.sio.disconnect(sid, namespace=NAMESPACE)
            else:
                await self._join_exactly(sid, set(user_rooms(user)))

    async def start(self) -> None:
        await self.relay.start()
        await self.presence.start()
        if self._redis is not None and self._listener is None:
            # The other processes' batches; after an outage the relay reads what it missed from the event log
            # when the next batch arrives.
            batches = listen_forever(self._redis, self._channel, self._on_batch, clock=self.context.clock)
            self._listener = asyncio.create_task(batches)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self.sio.shutdown()
        await self.presence.close()
        if self._redis is not None:
            await self._redis.aclose()

    async def _hand_over(self, events: list[Published]) -> None:
        """Emit each event once to the union of its rooms (a socket in several of them still gets it once), after
        moving the sockets whose access it changes. This runs after the commit: a failure is logged, and a
        client that notices a gap catches up through GET /api/events."""
        for item in events:
            event = item.event
            try:
                if isinstance(event, UserUpdated | UserRemoved):
                    await self.resync_user(event.payload.id)
                elif isinstance(event, QueueRemoved):
                    # Its id may be given to a new queue (SQLite reuses the highest id): nobody stays in the room.
                    await self.sio.close_room(queue_room(event.payload.id), namespace=NAMESPACE)
                await self.sio.emit(SOCKET_EVENT, envelope(item), to=sorted(event.rooms), namespace=NAMESPACE)
            except Exception:
                log.exception("could not hand event %s (%s) to the sockets", item.seq, event.name)

    # --- handshake ---------------------------------------------------------------------------------------

    async def _connect(self, sid: str, environ: Mapping[str, Any], auth: object) -> None:
        token = handshake_token(auth, environ)
        if token is None:
            raise _refused("Sign in first: send the access token in auth.token.", "unauthorized")
        try:
            claims = decode_access_token(self.context.settings, token)
            user = await self._load_user(claims.user_id)
        except Unauthorized as exc:
            raise _refused(exc.detail, exc.code) from exc
        except Exception as exc:  # the database is unreachable: refuse cleanly, the client retries
            log.exception("socket handshake failed")
            raise _refused("The server cannot accept connections right now.", "unavailable") from exc
        if user is None:
            raise _refused("This account no longer exists.", "user_gone")
        await self.sio.save_session(sid, {"user_id": user.id})
        await self._join_exactly(sid, set(user_rooms(user)))
        self.presence.local.join(sid, user.id)
        await self.presence.changed(user.id)

    async def _disconnect(self, sid: str, _reason: object = None) -> None:
        user_id = self.presence.local.leave(sid)
        if user_id is not None:
            await self.presence.changed(user_id)

    async def _on_presence(self, sid: str, data: object) -> None:
        """The tab says whether it is away (hidden or idle): `{"away": true|false}`."""
        if not isinstance(data, Mapping) or not isinstance(data.get("away"), bool):
            return
        user_id = self.presence.local.set_away(sid, data["away"])
        if user_id is not None:
            await self.presence.changed(user_id)

    async def _announce_presence(self, user_id: int, state: Presence) -> None:
        """Everyone signed in may see who is at their desk (admins in the user list, agents when transferring)."""
        payload = {"user_id": user_id, "state": state.value}
        await self.sio.emit(PRESENCE_EVENT, payload, to=list(EVERYONE), namespace=NAMESPACE)

    async def _load_user(self, user_id: int) -> User | None:
        async with self.context.sessionmaker() as session:
            return await load_user(session, user_id)

    # --- rooms ---------------------------------------------------------------------------------------------

    async def _join_exactly(self, sid: str, wanted: set[str]) -> None:
        current = set(self.sio.rooms(sid, namespace=NAMESPACE)) - {sid}
        for room in current - wanted:
            await self.sio.leave_room(sid, room, namespace=NAMESPACE)
        for room in sorted(wanted - current):
            await self.sio.enter_room(sid, room, namespace=NAMESPACE)

    async def _on_batch(self, data: bytes | str) -> None:
        try:
            events = batch_from_message(data)
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed event batch")
            return
        await self.relay.take(events)


def handshake_token(auth: object, environ: Mapping[str, Any]) -> str | None:
    """The access token from socket.io-client's `auth: {token}`, an Authorization header, or `?token=`."""
    if isinstance(auth, Mapping):
        token = auth.get("token")
        if isinstance(token, str) and token:
            return token.removeprefix("Bearer ").strip() or None
    header = environ.get("HTTP_AUTHORIZATION", "")
    if isinstance(header, str):
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    tokens = query.get("token")
    return tokens[0] if tokens and tokens[0] else None


def _refused(detail: str, code: str) -> SocketRefused:
    # socket.io-client sees `err.message == detail` and `err.data == {"code": code}` in "connect_error".
    refused: SocketRefused = SocketRefused(detail, {"code": code})
    return refused
