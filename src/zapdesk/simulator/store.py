"""The simulator network's memory in its own SQLite file: sessions, queued events, messages, media, contacts."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import TypeAdapter

from zapdesk.simulator.protocol import Body

MessageState = Literal["sent", "delivered", "read"]
BODY: TypeAdapter[Body] = TypeAdapter(Body)

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    linked_at INTEGER NOT NULL,
    logged_out_at INTEGER,
    logout_reason TEXT
);
CREATE INDEX IF NOT EXISTS sessions_by_phone ON sessions (phone);

-- Events waiting for a business phone's linked device; a row leaves only when the device acknowledges it.
CREATE TABLE IF NOT EXISTS inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    event TEXT NOT NULL,
    message_author TEXT,
    message_id TEXT
);
CREATE INDEX IF NOT EXISTS inbox_by_phone ON inbox (phone, seq);

-- Every message that crossed the network, both ways; `chat` is the customer's phone or a group JID.
CREATE TABLE IF NOT EXISTS messages (
    row INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    author TEXT NOT NULL,
    business TEXT NOT NULL,
    chat TEXT NOT NULL,
    from_business INTEGER NOT NULL,
    body TEXT NOT NULL,
    quoted_id TEXT,
    state TEXT NOT NULL,
    ts INTEGER NOT NULL,
    edited INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0,
    event TEXT,  -- what the business device was told, to tell it again (a duplicate delivery)
    UNIQUE (author, id)
);
CREATE INDEX IF NOT EXISTS messages_by_chat ON messages (chat, row);

CREATE TABLE IF NOT EXISTS media (
    key TEXT PRIMARY KEY,
    mime TEXT NOT NULL,
    file_name TEXT,
    data BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS contacts (
    phone TEXT PRIMARY KEY,
    name TEXT,
    lid TEXT UNIQUE
);

-- A phone's profile picture, as any contact of it sees it.
CREATE TABLE IF NOT EXISTS pictures (
    phone TEXT PRIMARY KEY,
    mime TEXT NOT NULL,
    data BLOB NOT NULL
);

-- Numbers that are not on WhatsApp: the network refuses messages to them.
CREATE TABLE IF NOT EXISTS unregistered (
    phone TEXT PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS groups (
    jid TEXT PRIMARY KEY,
    name TEXT
);

CREATE TABLE IF NOT EXISTS group_members (
    jid TEXT NOT NULL,
    phone TEXT NOT NULL,
    PRIMARY KEY (jid, phone)
);
"""


@dataclass(frozen=True, slots=True)
class SessionRow:
    token: str
    phone: str
    linked_at: int
    logged_out_at: int | None
    logout_reason: str | None

    @property
    def active(self) -> bool:
        return self.logged_out_at is None


@dataclass(frozen=True, slots=True)
class PhoneRow:
    phone: str
    linked_at: int
    logged_out: bool
    queued: int


@dataclass(frozen=True, slots=True)
class StoredMessage:
    id: str
    author: str
    business: str
    chat: str
    from_business: bool
    body: Body
    quoted_id: str | None
    state: MessageState
    ts: int
    edited: bool
    revoked: bool


@dataclass(frozen=True, slots=True)
class StoredMedia:
    mime: str
    file_name: str | None
    data: bytes


_MESSAGE_COLUMNS = "id, author, business, chat, from_business, body, quoted_id, state, ts, edited, revoked"


def _message(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(
        id=row["id"],
        author=row["author"],
        business=row["business"],
        chat=row["chat"],
        from_business=bool(row["from_business"]),
        body=BODY.validate_json(row["body"]),
        quoted_id=row["quoted_id"],
        state=row["state"],
        ts=row["ts"],
        edited=bool(row["edited"]),
        revoked=bool(row["revoked"]),
    )


class SimulatorStore:
    """Small synchronous queries: each takes well under a millisecond, so the event loop can afford them."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # ---- sessions ------------------------------------------------------------------------------------------

    def link_session(self, phone: str, now: int, reason_for_others: str) -> tuple[str, list[str]]:
        """A new linked device for `phone`; the simulator keeps one per phone, so older ones are logged out."""
        token = secrets.token_urlsafe(24)
        with self._db:
            others = [
                row["token"]
                for row in self._db.execute(
                    "SELECT token FROM sessions WHERE phone = ? AND logged_out_at IS NULL", (phone,)
                )
            ]
            self._db.execute(
                "UPDATE sessions SET logged_out_at = ?, logout_reason = ? WHERE phone = ? AND logged_out_at IS NULL",
                (now, reason_for_others, phone),
            )
            self._db.execute("INSERT INTO sessions (token, phone, linked_at) VALUES (?, ?, ?)", (token, phone, now))
        return token, others

    def session(self, token: str) -> SessionRow | None:
        row = self._db.execute("SELECT * FROM sessions WHERE token = ?", (token,)).fetchone()
        return None if row is None else SessionRow(**dict(row))

    def logout_phone(self, phone: str, now: int, reason: str) -> list[str]:
        """Unlink every active device of `phone`; returns their tokens."""
        with self._db:
            tokens = [
                row["token"]
                for row in self._db.execute(
                    "SELECT token FROM sessions WHERE phone = ? AND logged_out_at IS NULL", (phone,)
                )
            ]
            self._db.execute(
                "UPDATE sessions SET logged_out_at = ?, logout_reason = ? WHERE phone = ? AND logged_out_at IS NULL",
                (now, reason, phone),
            )
        return tokens

    def logout_session(self, token: str, now: int, reason: str) -> None:
        with self._db:
            self._db.execute(
                "UPDATE sessions SET logged_out_at = ?, logout_reason = ? WHERE token = ? AND logged_out_at IS NULL",
                (now, reason, token),
            )

    def phones(self) -> list[PhoneRow]:
        rows = self._db.execute(
            """
            SELECT s.phone AS phone, MAX(s.linked_at) AS linked_at,
                   SUM(CASE WHEN s.logged_out_at IS NULL THEN 1 ELSE 0 END) AS active,
                   (SELECT COUNT(*) FROM inbox i WHERE i.phone = s.phone) AS queued
            FROM sessions s GROUP BY s.phone ORDER BY s.phone
            """
        )
        return [PhoneRow(row["phone"], row["linked_at"], not row["active"], row["queued"]) for row in rows]

    # ---- the inbox of each business phone ------------------------------------------------------------------

    def enqueue(self, phone: str, event_json: str, message: tuple[str, str] | None = None) -> int:
        author, message_id = message if message else (None, None)
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO inbox (phone, event, message_author, message_id) VALUES (?, ?, ?, ?)",
                (phone, event_json, author, message_id),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def pending(self, phone: str, after_seq: int, limit: int = 200) -> list[tuple[int, str]]:
        rows = self._db.execute(
            "SELECT seq, event FROM inbox WHERE phone = ? AND seq > ? ORDER BY seq LIMIT ?", (phone, after_seq, limit)
        )
        return [(row["seq"], row["event"]) for row in rows]

    def acknowledge(self, phone: str, seq: int) -> None:
        """The device stored the event: forget it, and a customer's message counts as delivered."""
        with self._db:
            row = self._db.execute(
                "SELECT message_author, message_id FROM inbox WHERE seq = ? AND phone = ?", (seq, phone)
            ).fetchone()
            if row is None:
                return
            self._db.execute("DELETE FROM inbox WHERE seq = ?", (seq,))
            if row["message_id"] is not None:
                self._db.execute(
                    "UPDATE messages SET state = 'delivered' WHERE author = ? AND id = ? AND state = 'sent'",
                    (row["message_author"], row["message_id"]),
                )

    # ---- messages ------------------------------------------------------------------------------------------

    def insert_message(self, message: StoredMessage, *, event: str | None = None) -> bool:
        """Store a message once: False when its author already sent one with that id."""
        with self._db:
            cursor = self._db.execute(
                f"INSERT OR IGNORE INTO messages ({_MESSAGE_COLUMNS}, event) "  # noqa: S608 - constants only
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message.id,
                    message.author,
                    message.business,
                    message.chat,
                    int(message.from_business),
                    BODY.dump_json(message.body).decode(),
                    message.quoted_id,
                    message.state,
                    message.ts,
                    int(message.edited),
                    int(message.revoked),
                    event,
                ),
            )
        return cursor.rowcount == 1

    def message(self, author: str, message_id: str) -> StoredMessage | None:
        row = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE author = ? AND id = ?",  # noqa: S608 - constants only
            (author, message_id),
        ).fetchone()
        return None if row is None else _message(row)

    def message_event(self, author: str, message_id: str) -> str | None:
        row = self._db.execute(
            "SELECT event FROM messages WHERE author = ? AND id = ?", (author, message_id)
        ).fetchone()
        return None if row is None else row["event"]

    def advance_state(self, author: str, message_id: str, state: MessageState) -> bool:
        """Move a message forward (sent → delivered → read), never back; True when it moved."""
        earlier = ("sent",) if state == "delivered" else ("sent", "delivered")
        with self._db:
            cursor = self._db.execute(
                f"UPDATE messages SET state = ? WHERE author = ? AND id = ? AND state IN ({_marks(earlier)})",  # noqa: S608
                (state, author, message_id, *earlier),
            )
        return cursor.rowcount == 1

    def business_messages_in_state(self, state: MessageState) -> list[StoredMessage]:
        rows = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE from_business = 1 AND state = ? ORDER BY row",  # noqa: S608
            (state,),
        )
        return [_message(row) for row in rows]

    def update_body(self, author: str, message_id: str, body: Body | None, *, revoked: bool = False) -> None:
        with self._db:
            if body is not None:
                self._db.execute(
                    "UPDATE messages SET body = ?, edited = 1 WHERE author = ? AND id = ?",
                    (BODY.dump_json(body).decode(), author, message_id),
                )
            if revoked:
                self._db.execute("UPDATE messages SET revoked = 1 WHERE author = ? AND id = ?", (author, message_id))

    def messages_of_phone(
        self, phone: str, *, business: str | None, include_sent: bool, ids: Iterable[str] | None = None
    ) -> list[StoredMessage]:
        """What a customer phone received (from businesses, in its chats and groups), optionally with its own."""
        chats = "(chat = ? OR chat IN (SELECT jid FROM group_members WHERE phone = ?))"
        received = f"(from_business = 1 AND {chats})"
        where = f"({received} OR (from_business = 0 AND author = ?))" if include_sent else received
        parameters: list[str] = [phone, phone] + ([phone] if include_sent else [])
        if business is not None:
            where += " AND business = ?"
            parameters.append(business)
        if ids is not None:
            wanted = list(ids)
            where += f" AND id IN ({_marks(wanted)})"
            parameters.extend(wanted)
        query = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE {where} ORDER BY row"  # noqa: S608 - placeholders only
        rows = self._db.execute(query, parameters)
        return [_message(row) for row in rows]

    def read_by_business(self, business: str, chat: str, ids: list[str]) -> int:
        query = (
            "UPDATE messages SET state = 'read' WHERE business = ? AND chat = ? AND from_business = 0 "  # noqa: S608
            f"AND state != 'read' AND id IN ({_marks(ids)})"
        )
        with self._db:
            cursor = self._db.execute(query, (business, chat, *ids))
        return cursor.rowcount

    # ---- media, contacts, groups ---------------------------------------------------------------------------

    def put_media(self, mime: str, file_name: str | None, data: bytes) -> str:
        key = secrets.token_urlsafe(18)
        with self._db:
            self._db.execute(
                "INSERT INTO media (key, mime, file_name, data) VALUES (?, ?, ?, ?)", (key, mime, file_name, data)
            )
        return key

    def media(self, key: str) -> StoredMedia | None:
        row = self._db.execute("SELECT mime, file_name, data FROM media WHERE key = ?", (key,)).fetchone()
        return None if row is None else StoredMedia(row["mime"], row["file_name"], bytes(row["data"]))

    def set_picture(self, phone: str, mime: str, data: bytes | None) -> None:
        with self._db:
            if data is None:
                self._db.execute("DELETE FROM pictures WHERE phone = ?", (phone,))
            else:
                self._db.execute(
                    "INSERT OR REPLACE INTO pictures (phone, mime, data) VALUES (?, ?, ?)", (phone, mime, data)
                )

    def picture(self, phone: str) -> StoredMedia | None:
        row = self._db.execute("SELECT mime, data FROM pictures WHERE phone = ?", (phone,)).fetchone()
        return None if row is None else StoredMedia(row["mime"], None, bytes(row["data"]))

    def remember_name(self, phone: str, name: str | None) -> str | None:
        """Keep the name a customer chose; returns the one to show (the last known when none is given)."""
        with self._db:
            if name:
                self._db.execute(
                    "INSERT INTO contacts (phone, name) VALUES (?, ?) ON CONFLICT (phone) DO UPDATE SET name = ?",
                    (phone, name, name),
                )
                return name
            row = self._db.execute("SELECT name FROM contacts WHERE phone = ?", (phone,)).fetchone()
        return None if row is None else row["name"]

    def lid_of(self, phone: str) -> str:
        """The stable hidden id WhatsApp gives a phone number, created on first use."""
        with self._db:
            row = self._db.execute("SELECT lid FROM contacts WHERE phone = ?", (phone,)).fetchone()
            if row is not None and row["lid"]:
                return str(row["lid"])
            lid = str(10**14 + secrets.randbelow(9 * 10**14))
            self._db.execute(
                "INSERT INTO contacts (phone, lid) VALUES (?, ?) ON CONFLICT (phone) DO UPDATE SET lid = ?",
                (phone, lid, lid),
            )
        return lid

    def set_registered(self, phone: str, registered: bool) -> None:
        with self._db:
            if registered:
                self._db.execute("DELETE FROM unregistered WHERE phone = ?", (phone,))
            else:
                self._db.execute("INSERT OR IGNORE INTO unregistered (phone) VALUES (?)", (phone,))

    def is_registered(self, phone: str) -> bool:
        return self._db.execute("SELECT 1 FROM unregistered WHERE phone = ?", (phone,)).fetchone() is None

    def phone_of_lid(self, lid: str) -> str | None:
        row = self._db.execute("SELECT phone FROM contacts WHERE lid = ?", (lid,)).fetchone()
        return None if row is None else str(row["phone"])

    def join_group(self, jid: str, name: str | None, phone: str) -> str | None:
        """Record `phone` as a member; returns the group's name (kept from earlier when none is given)."""
        with self._db:
            if name:
                self._db.execute(
                    "INSERT INTO groups (jid, name) VALUES (?, ?) ON CONFLICT (jid) DO UPDATE SET name = ?",
                    (jid, name, name),
                )
            else:
                self._db.execute("INSERT OR IGNORE INTO groups (jid) VALUES (?)", (jid,))
            self._db.execute("INSERT OR IGNORE INTO group_members (jid, phone) VALUES (?, ?)", (jid, phone))
            row = self._db.execute("SELECT name FROM groups WHERE jid = ?", (jid,)).fetchone()
        return None if row is None else row["name"]

    def group_name(self, jid: str) -> str | None:
        row = self._db.execute("SELECT name FROM groups WHERE jid = ?", (jid,)).fetchone()
        return None if row is None else row["name"]


def _marks(values: Iterable[object]) -> str:
    """`?, ?, ?` for an IN list: the only text ever formatted into our SQL, besides column-name constants."""
    return ", ".join("?" for _ in values)
