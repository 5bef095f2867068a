"""The Socket.IO server: access-token handshake, each socket's rooms, and publishing committed events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

import socketio
from redis.asyncio import Redis
from socketio.exceptions import ConnectionRefusedError as SocketRefused
from starlette.types import ASGIApp

from zapdesk.api.deps import load_user
from zapdesk.auth.tokens import decode_access_token
from zapdesk.context import AppContext
from zapdesk.db.uow import DomainEvent
from zapdesk.errors import Unauthorized
from zapdesk.realtime.publisher import close_redis_manager, emit_events, socketio_channel
from zapdesk.realtime.rooms import queue_room, user_room, user_rooms
from zapdesk.users.models import User

log = logging.getLogger(__name__)

NAMESPACE = "/"
SOCKETIO_PATH = "socket.io"
# Committed events after which a user's sockets may belong to other rooms (or must be dropped).
USER_CHANGE_EVENTS = frozenset({"user.updated", "user.removed"})
# A deleted queue's room is emptied: its id may be given to a new queue (SQLite reuses the highest id).
QUEUE_REMOVED = "queue.removed"


class RealtimeServer:
    """One per server process. `publish` is the process's `EventSink`; `asgi_app` mounts it beside the HTTP app."""

    def __init__(self, context: AppContext) -> None:
        settings = context.settings
        self.context = context
        self.host_id = secrets.token_hex(8)
        channel = socketio_channel(settings)
        manager = socketio.AsyncRedisManager(settings.redis_url, channel=channel) if settings.redis_url else None
        # Tells every server process to re-check the rooms of a user's sockets (they may be connected anywhere).
        self.rooms_channel = f"{channel}:rooms"
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            cors_allowed_origins=settings.socketio_cors_origins,
            logger=False,
            engineio_logger=False,
        )
        self.sio.on("connect", self._connect)
        self._redis: Redis | None = Redis.from_url(settings.redis_url) if settings.redis_url else None
        self._resync_listener: asyncio.Task[None] | None = None

    def asgi_app(self, http_app: ASGIApp) -> ASGIApp:
        """Socket.IO at /socket.io, everything else (lifespan included) to `http_app`."""
        app: ASGIApp = socketio.ASGIApp(self.sio, other_asgi_app=http_app, socketio_path=SOCKETIO_PATH)
        return app

    async def publish(self, events: list[DomainEvent]) -> None:
        """Emit committed events to their rooms, after moving sockets whose access changed."""
        for event in events:
            subject = event.payload.get("id")
            if not isinstance(subject, int):
                continue
            if event.name in USER_CHANGE_EVENTS:
                await self.resync_user(subject)
            elif event.name == QUEUE_REMOVED:
                await self.sio.close_room(queue_room(subject), namespace=NAMESPACE)  # on every server
        await emit_events(self.sio, events)

    async def resync_user(self, user_id: int) -> None:
        """Make every socket of this user, in any process, sit in exactly the rooms its user allows now.

        Call it after a change to the user's role or queues, or after deleting the user (its sockets are
        disconnected). Publishing a committed `user.updated`/`user.removed` event with `{"id": ...}` does it.
        """
        await self._resync_local_sockets(user_id)
        if self._redis is not None:
            message = json.dumps({"host": self.host_id, "user_id": user_id})
            try:
                await self._redis.publish(self.rooms_channel, message)
            except Exception:
                log.exception("could not ask other processes to re-check the rooms of user %s", user_id)

    async def start(self) -> None:
        """With Redis: listen for other processes' room re-check requests until `close`."""
        if self._redis is not None and self._resync_listener is None:
            self._resync_listener = asyncio.create_task(self._listen_for_resyncs(self._redis))

    async def close(self) -> None:
        if self._resync_listener is not None:
            self._resync_listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._resync_listener
        await self.sio.shutdown()
        if self.sio.manager is not None:
            await close_redis_manager(self.sio.manager)
        if self._redis is not None:
            await self._redis.aclose()

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

    async def _resync_local_sockets(self, user_id: int) -> None:
        # Participants are only this process's sockets: other processes do the same on their own.
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

    async def _listen_for_resyncs(self, redis: Redis) -> None:
        delay = 1.0
        while True:
            try:
                async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.rooms_channel)
                    delay = 1.0
                    async for message in pubsub.listen():
                        await self._on_resync_message(message)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: sockets keep working; keep trying to listen again
                log.warning("room re-check channel lost; retrying in %.0f s", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def _on_resync_message(self, message: Mapping[str, Any]) -> None:
        if message.get("type") != "message":
            return
        try:
            request = json.loads(message["data"])
            host, user_id = request["host"], request["user_id"]
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed room re-check request")
            return
        if host != self.host_id and isinstance(user_id, int):
            await self._resync_local_sockets(user_id)


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
