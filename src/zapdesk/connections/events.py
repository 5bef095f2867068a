"""The events of connections (see the contract, `zapdesk.events`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from zapdesk.connections.schemas import ConnectionOut, PairingCodeOut, QrOut
from zapdesk.db.audiences import ForAdmins, ForEveryone, ForWorkers, Removed


class QrShown(QrOut):
    id: int = Field(description="The connection's id.")


class PairingCodeShown(PairingCodeOut):
    id: int = Field(description="The connection's id.")


class ConnectionRef(BaseModel):
    connection_id: int


class ConnectionUpdated(ForEveryone[ConnectionOut]):
    """A connection changed: its status (with the reason), settings, phone."""

    name = "connection.updated"


class ConnectionDeleted(ForEveryone[Removed]):
    name = "connection.deleted"


class ConnectionQrShown(ForAdmins[QrShown]):
    """A new QR code to scan (they rotate within one window)."""

    name = "connection.qr"


class ConnectionPairingCodeShown(ForAdmins[PairingCodeShown]):
    """The code to type on the phone when linking by phone number instead of a QR code."""

    name = "connection.pairing_code"


class ConnectionCommanded(ForWorkers[ConnectionRef]):
    """A person asked a connection to connect, restart, log out or stop: wake the worker that holds it."""

    name = "internal.connection_commanded"
