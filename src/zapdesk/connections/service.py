"""Connection rules: CRUD, the commands a person gives (connect, restart, logout), and the states workers report.

Commands are rows first (desired state, pending command, a bumped sequence) plus a nudge event, so a worker that
was down picks them up when it comes back; a lost nudge only delays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

import segno
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from zapdesk.config import Settings
from zapdesk.connections.automation import automation_of
from zapdesk.connections.events import (
    ConnectionCommanded,
    ConnectionDeleted,
    ConnectionPairingCodeShown,
    ConnectionQrShown,
    ConnectionRef,
    ConnectionUpdated,
    PairingCodeShown,
    QrShown,
)
from zapdesk.connections.models import (
    Connection,
    ConnectionCommand,
    ConnectionStatus,
    DesiredState,
    Provider,
)
from zapdesk.connections.schemas import ConnectionCreate, ConnectionOut, ConnectionUpdate, PairingCodeOut, QrOut
from zapdesk.db.audiences import Removed
from zapdesk.db.base import utcnow
from zapdesk.db.uow import record_event
from zapdesk.engine.events import AccountProfile
from zapdesk.engine.registry import acknowledges_after_commit
from zapdesk.errors import Conflict, Invalid, NotFound, field_error
from zapdesk.kit.conflicts import flush_or_conflict
from zapdesk.kit.paging import Keyset, keyset_page
from zapdesk.kit.phones import normalize_phone
from zapdesk.queues.service import existing_queues

BY_NAME = Keyset((Connection.name,))


def to_out(connection: Connection) -> ConnectionOut:
    computed = {"queue_ids", "delivery_after_commit"}
    return ConnectionOut.model_validate(
        {
            **{column: getattr(connection, column) for column in ConnectionOut.model_fields if column not in computed},
            "queue_ids": [queue.id for queue in connection.queues],
            "delivery_after_commit": acknowledges_after_commit(connection.engine),
        }
    )


async def list_connections(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[Connection], str | None]:
    query = select(Connection).options(selectinload(Connection.queues))
    return await keyset_page(session, query, BY_NAME, limit=limit, cursor=cursor)


async def get_connection(session: AsyncSession, connection_id: int, *, for_update: bool = False) -> Connection:
    query = select(Connection).where(Connection.id == connection_id).options(selectinload(Connection.queues))
    if for_update:
        query = query.with_for_update()
    connection = (await session.execute(query)).scalar_one_or_none()
    if connection is None:
        raise NotFound(f"Connection {connection_id} does not exist.", code="connection_not_found")
    return connection


def ensure_provider_allowed(settings: Settings, provider: Provider) -> None:
    if provider == Provider.SIMULATOR and not settings.simulator_enabled:
        raise Invalid(
            "The simulator is disabled on this server (set SIMULATOR_ENABLED=true to use it).",
            code="simulator_disabled",
        )


async def create_connection(session: AsyncSession, settings: Settings, data: ConnectionCreate) -> Connection:
    ensure_provider_allowed(settings, data.provider)
    connection = Connection(
        name=data.name,
        provider=data.provider,
        is_default=data.is_default,
        greeting_message=data.greeting_message,
        farewell_message=data.farewell_message,
        send_read_receipts=data.send_read_receipts,
        queues=await existing_queues(session, data.queue_ids),
        automation=data.automation.model_dump(mode="json"),
    )
    _check_menu(connection)
    if data.is_default or not await _any_connection(session):
        connection.is_default = True
        await _clear_default(session)
    await _flush_unique_name(session, data.name, adding=connection)
    _record_updated(session, connection)
    return connection


async def update_connection(session: AsyncSession, connection_id: int, data: ConnectionUpdate) -> Connection:
    connection = await get_connection(session, connection_id)
    changes = data.changes()
    changes.pop("automation", None)
    if "queue_ids" in changes:
        connection.queues = await existing_queues(session, changes.pop("queue_ids"))
    if data.automation is not None:
        connection.automation = data.automation.model_dump(mode="json")
    _check_menu(connection)
    if changes.get("is_default"):
        await _clear_default(session)
    for field, value in changes.items():
        setattr(connection, field, value)
    await _flush_unique_name(session, connection.name)
    _record_updated(session, connection)
    return connection


async def delete_connection(session: AsyncSession, connection_id: int) -> None:
    """Remove it; the worker holding its session notices, stops it and forgets its stored keys."""
    connection = await get_connection(session, connection_id)
    await session.delete(connection)
    await session.flush()
    record_event(session, ConnectionDeleted(Removed(id=connection_id)))
    _record_nudge(session, connection_id)


async def connect(
    session: AsyncSession, settings: Settings, connection_id: int, *, pairing_phone: str | None
) -> Connection:
    """Ask for the session to run: resume it if it has stored keys, else open one QR window (or a pairing code)."""
    connection = await get_connection(session, connection_id, for_update=True)
    ensure_provider_allowed(settings, connection.provider)
    if connection.status == ConnectionStatus.CONNECTED:
        raise Conflict("This connection is already connected.", code="already_connected")
    connection.desired_state = DesiredState.RUNNING
    connection.pairing_phone = _pairing_digits(pairing_phone)
    connection.pending_command = None
    connection.command_seq += 1
    _clear_codes(connection)
    _set_status(connection, ConnectionStatus.STARTING, None)
    _record_updated(session, connection)
    _record_nudge(session, connection.id)
    return connection


async def restart(session: AsyncSession, settings: Settings, connection_id: int) -> Connection:
    connection = await get_connection(session, connection_id, for_update=True)
    ensure_provider_allowed(settings, connection.provider)
    connection.desired_state = DesiredState.RUNNING
    connection.pending_command = ConnectionCommand.RESTART
    connection.command_seq += 1
    _set_status(connection, ConnectionStatus.STARTING, "restarting")
    _record_updated(session, connection)
    _record_nudge(session, connection.id)
    return connection


async def logout(session: AsyncSession, connection_id: int) -> Connection:
    """Unlink the device from the phone: the worker logs the session out; the next connect needs a new scan."""
    connection = await get_connection(session, connection_id, for_update=True)
    connection.desired_state = DesiredState.STOPPED
    connection.pending_command = ConnectionCommand.LOGOUT
    connection.command_seq += 1
    _clear_codes(connection)
    _record_updated(session, connection)
    _record_nudge(session, connection.id)
    return connection


async def current_pairing_code(session: AsyncSession, connection_id: int) -> PairingCodeOut:
    connection = await get_connection(session, connection_id)
    expires = connection.pairing_code_expires_at
    if not connection.pairing_code or (expires is not None and expires <= utcnow()):
        raise Conflict("There is no pairing code right now: connect with a phone number first.", code="no_pairing_code")
    return PairingCodeOut(code=connection.pairing_code, expires_at=expires)


async def current_qr(session: AsyncSession, connection_id: int) -> QrOut:
    connection = await get_connection(session, connection_id)
    expired = connection.qr_expires_at is not None and connection.qr_expires_at <= utcnow()
    if connection.status != ConnectionStatus.QR or not connection.qr_code or expired:
        raise Conflict("There is no QR code to scan right now: click Connect first.", code="no_qr_code")
    return QrOut(code=connection.qr_code, image=qr_image(connection.qr_code), expires_at=connection.qr_expires_at)


@lru_cache(maxsize=256)
def qr_image(code: str) -> str:
    """A standalone SVG (with its namespace, so `<img>` renders it) as a data URL. Remembered: a code is drawn
    when the worker stores it and again for each look at it (a browser, or a script linking many numbers)."""
    return str(segno.make(code, error="l").svg_data_uri(scale=6, border=2))


# ---- what workers report -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class StateReport:
    """A state a worker saw on connection `connection_id`, with what came with it."""

    connection_id: int
    status: ConnectionStatus
    reason: str | None = None
    phone: str | None = None
    session_ref: str | None = None
    banned_until: datetime | None = None
    profile: AccountProfile | None = None
    forget_session: bool = False
    stop: bool = False  # the session waits for a person now: nobody should run it
    engine: str | None = None  # the program the session runs in


async def record_states(session: AsyncSession, reports: Sequence[StateReport]) -> None:
    """Store the states workers saw, in order, and publish them: a restart reports hundreds at once."""
    ids = {report.connection_id for report in reports}
    # One query loads them all; `record_state` then finds each in the session.
    await session.execute(select(Connection).where(Connection.id.in_(ids)).options(selectinload(Connection.queues)))
    for report in reports:
        await record_state(session, report)


async def record_state(session: AsyncSession, report: StateReport) -> Connection | None:
    """Store a state a worker saw (None if the connection was deleted meanwhile) and publish it."""
    connection = await session.get(Connection, report.connection_id, options=[selectinload(Connection.queues)])
    if connection is None:
        return None
    status = report.status
    _set_status(connection, status, report.reason)
    if report.phone:
        connection.phone = report.phone
    if report.session_ref:
        connection.session_ref = report.session_ref
    if report.profile is not None:
        connection.profile = dataclasses.asdict(report.profile)
    if report.engine:
        connection.engine = report.engine
    if report.forget_session:
        connection.session_ref = None
    if report.stop:
        connection.desired_state = DesiredState.STOPPED
    connection.banned_until = report.banned_until
    if status != ConnectionStatus.QR:
        _clear_codes(connection)
    if status == ConnectionStatus.CONNECTED:
        connection.pairing_phone = None
    _record_updated(session, connection)
    return connection


async def record_qr(session: AsyncSession, connection_id: int, code: str, expires_at: datetime) -> None:
    connection = await session.get(Connection, connection_id, options=[selectinload(Connection.queues)])
    if connection is None:
        return
    connection.qr_code, connection.qr_expires_at = code, expires_at
    if connection.status != ConnectionStatus.QR:
        _set_status(connection, ConnectionStatus.QR, None)
        _record_updated(session, connection)
    shown = QrShown(id=connection_id, code=code, image=qr_image(code), expires_at=expires_at)
    record_event(session, ConnectionQrShown(shown))


async def record_pairing_code(session: AsyncSession, connection_id: int, code: str, expires_at: datetime) -> None:
    result = await session.execute(
        update(Connection)
        .where(Connection.id == connection_id)
        .values(pairing_code=code, pairing_code_expires_at=expires_at)
    )
    if getattr(result, "rowcount", 0):
        shown = PairingCodeShown(id=connection_id, code=code, expires_at=expires_at)
        record_event(session, ConnectionPairingCodeShown(shown))


async def finish_command(session: AsyncSession, connection_id: int, seq: int) -> None:
    """Clear a handled command unless a newer one arrived meanwhile."""
    await session.execute(
        update(Connection)
        .where(Connection.id == connection_id, Connection.command_seq == seq)
        .values(pending_command=None)
    )


# ---- helpers -------------------------------------------------------------------------------------------------


def _set_status(connection: Connection, status: ConnectionStatus, reason: str | None) -> None:
    if connection.status != status or connection.status_reason != reason:
        connection.status_changed_at = utcnow()
    connection.status, connection.status_reason = status, reason


def _clear_codes(connection: Connection) -> None:
    connection.qr_code = connection.qr_expires_at = None
    connection.pairing_code = connection.pairing_code_expires_at = None


def _pairing_digits(phone: str | None) -> str | None:
    return normalize_phone(phone) if phone is not None and phone.strip() else None


def _record_updated(session: AsyncSession, connection: Connection) -> None:
    # Stamped now, not at the flush: the event must carry the time the row is stored with, which browsers
    # compare to keep the newest copy (a list read just before this change must not win over its event).
    connection.updated_at = utcnow()
    record_event(session, ConnectionUpdated(to_out(connection)))


def _record_nudge(session: AsyncSession, connection_id: int) -> None:
    """Wake the worker that holds (or should hold) this session; never sent to browsers."""
    record_event(session, ConnectionCommanded(ConnectionRef(connection_id=connection_id)))


def _check_menu(connection: Connection) -> None:
    """The menu can be read: one number per queue, and a fallback that is one of the connection's queues."""
    numbers = [queue.order for queue in connection.queues]
    repeated = next((number for number in numbers if numbers.count(number) > 1), None)
    if repeated is not None:
        names = " and ".join(queue.name for queue in connection.queues if queue.order == repeated)
        raise Invalid(
            f"{names} have the same number ({repeated}) in this connection's menu.",
            errors=[
                field_error(
                    ("body", "queue_ids"),
                    "menu_number_repeated",
                    f"two queues have the number {repeated}",
                    number=repeated,
                )
            ],
        )
    fallback = automation_of(connection).menu.fallback_queue_id
    if fallback is not None and fallback not in {queue.id for queue in connection.queues}:
        raise Invalid(
            "The menu's fallback queue must be one of the connection's queues.",
            errors=[
                field_error(
                    ("body", "automation", "menu", "fallback_queue_id"),
                    "fallback_not_served",
                    "choose one of this connection's queues",
                )
            ],
        )


async def _any_connection(session: AsyncSession) -> bool:
    return (await session.execute(select(Connection.id).limit(1))).first() is not None


async def _clear_default(session: AsyncSession) -> None:
    await session.execute(update(Connection).where(Connection.is_default.is_(True)).values(is_default=False))


async def _flush_unique_name(session: AsyncSession, name: str, *, adding: Connection | None = None) -> None:
    taken = Conflict(f'A connection named "{name}" already exists.', code="connection_name_taken")
    await flush_or_conflict(session, taken, adding=adding)
