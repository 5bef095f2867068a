"""A PostgreSQL database shaped like a busy desk after a year: agents in queues, several numbers, contacts,
tickets in every status and their messages. Deterministic (same arguments, same data).

    python -m bench.seed postgresql://postgres@127.0.0.1:5432/mydb [--tickets N --contacts N --messages N]

The database must exist; it is migrated to head, then filled (it should be empty). Big tables go in with COPY
(asyncpg `copy_records_to_table`) with their secondary indexes dropped and rebuilt afterwards, the way a bulk load
is done; the invariants still hold (one open-or-pending ticket per contact and number, unique message ids per
number, ticket previews matching their last message).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench.stack import BENCH_ENV, database
from tests.system.harness import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Server
from zapdesk.auth.passwords import hash_password
from zapdesk.config import to_async_url
from zapdesk.db.folding import fold
from zapdesk.db.migrate import upgrade_to_head

AGENT_PASSWORD = "bench-agent-password"
QUEUES = ("Vendas", "Suporte", "Financeiro", "Entregas", "Pós-venda")
CONNECTIONS = (("Central", (1, 2, 3)), ("Loja Centro", (1, 4)), ("Loja Norte", (2, 5)))
CONNECTION_SHARE = (0.6, 0.25, 0.15)
FIRST_NAMES = [
    "Ana",
    "Bruno",
    "Carla",
    "Daniel",
    "Eduarda",
    "Felipe",
    "Gabriela",
    "Henrique",
    "Isabela",
    "João",
    "Karina",
    "Lucas",
    "Mariana",
    "Nicolas",
    "Olívia",
    "Pedro",
    "Quésia",
    "Rafael",
    "Sofia",
    "Thiago",
    "Úrsula",
    "Vinícius",
    "Wesley",
    "Yasmin",
    "Zeca",
    "Beatriz",
    "Caio",
    "Débora",
    "Enzo",
    "Fernanda",
    "Gustavo",
    "Helena",
    "Igor",
    "Juliana",
    "Leonardo",
    "Manuela",
    "Otávio",
    "Patrícia",
    "Renata",
    "Samuel",
    "Tatiane",
    "Valentina",
]
LAST_NAMES = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Gonçalves",
    "Santana",
    "Teixeira",
]
CUSTOMER_SAYS = (
    "Oi, tudo bem?",
    "Bom dia! Queria saber do meu pedido {n}",
    "Boa tarde, o boleto venceu, podem mandar outro?",
    "Quando chega a entrega? Já faz {d} dias",
    "Vocês têm esse produto em estoque?",
    "Quero pedir reembolso do pedido {n}",
    "Qual o horário de funcionamento da loja?",
    "Recebi o produto com defeito",
    "Obrigado pela ajuda!",
    "Consigo parcelar em {d} vezes no cartão?",
    "O código de rastreio {n} não atualiza",
    "Preciso trocar o tamanho, ficou pequeno",
)
AGENT_SAYS = (
    "Olá! Meu nome é {agent}, vou te ajudar.",
    "Um momento, por favor, estou verificando.",
    "Seu pedido {n} saiu para entrega hoje.",
    "Enviei a segunda via do boleto por aqui.",
    "O prazo de entrega é de {d} dias úteis.",
    "O reembolso foi aprovado e cai em até {d} dias.",
    "Temos sim! Posso reservar para você?",
    "Pode enviar uma foto do defeito?",
    "Atendimento encerrado. Obrigado pelo contato!",
)


@dataclass(frozen=True, slots=True)
class Scale:
    tickets: int = 100_000
    contacts: int = 20_000
    messages: int = 1_000_000
    agents: int = 30


@dataclass
class SeedReport:
    scale: Scale
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


@dataclass(frozen=True, slots=True)
class _Ticket:
    id: int
    contact_id: int
    connection_id: int
    queue_id: int | None
    assignee_id: int | None
    status: str
    created_at: datetime
    last_activity_at: datetime
    messages: int


async def seed(database_url: str, scale: Scale = Scale(), *, now: datetime | None = None) -> SeedReport:
    """Migrate `database_url` to head and fill it at `scale`; returns how long each step took."""
    report = SeedReport(scale)
    started = time.perf_counter()
    url = to_async_url(database_url)
    await asyncio.to_thread(upgrade_to_head, url)
    report.seconds["migrate"] = time.perf_counter() - started
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        # A bulk load: nothing to lose if it crashes half-way, and index builds like memory.
        await connection.execute("SET synchronous_commit = off")
        await connection.execute("SET maintenance_work_mem = '256MB'")
        async with _step(report, "generate"):
            generator = _Generator(scale, now or datetime.now(UTC))
            tickets = generator.tickets()
        async with _step(report, "users, queues, numbers, contacts"):
            await _small_tables(connection, generator)
            await _copy(connection, "contacts", _CONTACT_COLUMNS, generator.contacts())
        indexes = await _drop_secondary_indexes(
            connection, ("tickets", "messages", "ticket_events", "ticket_queue_times")
        )
        async with _step(report, "tickets and their history"):
            ticket_rows = generator.ticket_rows(tickets)
            await _copy(connection, "tickets", _TICKET_COLUMNS, ticket_rows)
            await _copy(connection, "ticket_events", _EVENT_COLUMNS, _history(ticket_rows))
            await _copy(connection, "ticket_queue_times", _QUEUE_TIME_COLUMNS, _queue_times(ticket_rows))
        async with _step(report, "messages"):
            for chunk in generator.message_chunks(tickets):
                await _copy(connection, "messages", _MESSAGE_COLUMNS, chunk)
        async with _step(report, "indexes and constraints"):
            for statement in indexes:
                await connection.execute(statement)
        async with _step(report, "vacuum and analyze"):
            for table in ("users", "queues", "connections", "contacts", "tickets", "messages", "ticket_events"):
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            # As a database that has been running for a while would be: statistics current, visibility map set
            # (index-only scans), and nothing left for autovacuum to do in the middle of a measurement.
            await connection.execute("VACUUM (ANALYZE)")
    finally:
        await connection.close()
    return report


@dataclass
class SeededDesk:
    """`zapdesk run` on a freshly seeded PostgreSQL database, with an admin and an agent (agent01) signed in."""

    url: str
    server: Server
    admin: Api
    agent: Api
    report: SeedReport


@asynccontextmanager
async def seeded_desk(workdir: Path, scale: Scale = Scale()) -> AsyncIterator[SeededDesk]:
    async with database("postgresql", workdir) as url:
        seeded = await seed(url, scale)
        server = Server(database_url=url, data_dir=workdir / "data", extra_env=BENCH_ENV)
        await server.start()
        try:
            admin = await Api(server.url).login()
            agent = await Api(server.url).login("agent01@zapdesk.test", AGENT_PASSWORD)
            try:
                yield SeededDesk(url, server, admin, agent, seeded)
            finally:
                await admin.close()
                await agent.close()
        finally:
            server.stop()


@asynccontextmanager
async def _step(report: SeedReport, name: str) -> AsyncIterator[None]:
    started = time.perf_counter()
    yield
    report.seconds[name] = time.perf_counter() - started


async def _copy(connection: asyncpg.Connection, table: str, columns: tuple[str, ...], rows: Any) -> None:
    await connection.copy_records_to_table(table, records=rows, columns=columns)


async def _drop_secondary_indexes(connection: asyncpg.Connection, tables: tuple[str, ...]) -> list[str]:
    """Drop the indexes, unique and foreign keys of `tables` (not primary keys); return what rebuilds them.

    Rebuilding checks everything the load skipped: a duplicate or a dangling reference fails the seed.
    """
    rebuild: list[str] = []
    foreign: list[str] = []
    for table in tables:
        constraints = await connection.fetch(
            "SELECT conname, contype, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
            "WHERE conrelid = $1::regclass AND contype IN ('u', 'f')",
            table,
        )
        for row in constraints:
            await connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{row["conname"]}"')
            statement = f'ALTER TABLE {table} ADD CONSTRAINT "{row["conname"]}" {row["definition"]}'
            (foreign if row["contype"] == "f" else rebuild).append(statement)
        indexes = await connection.fetch(
            "SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = $1::regclass AND NOT x.indisprimary",
            table,
        )
        for row in indexes:
            await connection.execute(f'DROP INDEX "{row["name"]}"')
            rebuild.append(row["definition"])
    return rebuild + foreign


async def _small_tables(connection: asyncpg.Connection, generator: _Generator) -> None:
    now = generator.now
    await connection.executemany(
        "INSERT INTO queues (id, name, color, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        [(index, name, "#6366f1", now) for index, name in enumerate(QUEUES, start=1)],
    )
    await connection.executemany(
        "INSERT INTO users (id, name, email, password_hash, role, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $6)",
        [
            (1, "Administrator", ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), "admin", now),
            *(
                (agent, name, email, generator.agent_password_hash, "agent", now)
                for agent, name, email in generator.agents()
            ),
        ],
    )
    await connection.executemany(
        "INSERT INTO user_queues (user_id, queue_id) VALUES ($1, $2)",
        [(agent, queue) for agent, queues in generator.agent_queues.items() for queue in queues],
    )
    await connection.executemany(
        "INSERT INTO connections (id, name, provider, status, status_changed_at, desired_state, command_seq, "
        "phone, is_default, created_at, updated_at) "
        "VALUES ($1, $2, 'simulator', 'STOPPED', $3, 'stopped', 0, $4, $5, $3, $3)",
        [
            (index, name, now, f"55119000000{index:02d}", index == 1)
            for index, (name, _queues) in enumerate(CONNECTIONS, start=1)
        ],
    )
    await connection.executemany(
        "INSERT INTO connection_queues (connection_id, queue_id) VALUES ($1, $2)",
        [(index, queue) for index, (_name, queues) in enumerate(CONNECTIONS, start=1) for queue in queues],
    )


_CONTACT_COLUMNS = (
    "id",
    "name",
    "name_search",
    "phone",
    "push_name",
    "custom_fields",
    "is_group",
    "created_at",
    "updated_at",
)
_TICKET_COLUMNS = (
    "id",
    "contact_id",
    "connection_id",
    "queue_id",
    "assignee_id",
    "status",
    "unread_count",
    "last_message_preview",
    "last_message_at",
    "last_activity_at",
    "closed_at",
    "created_at",
    "updated_at",
    # The service metrics (`tickets.metrics`), as a live desk would have stored them: what reports read.
    "waiting_since",
    "waiting_seconds",
    "first_customer_message_at",
    "first_response_seconds",
    "resolution_seconds",
    "transfer_count",
    "reopen_count",
    "message_count",
    "rating",
    "rated_at",
    "rated_agent_id",
    "rated_queue_id",
    # The seeded numbers keep no business hours: each business-hours figure is its plain one.
    "business_waiting_seconds",
    "business_first_response_seconds",
    "business_resolution_seconds",
    "queue_since",
)
_QUEUE_TIME_COLUMNS = ("ticket_id", "queue_id", "seconds", "business_seconds")
_EVENT_COLUMNS = ("id", "ticket_id", "kind", "at", "actor_kind", "actor_user_id", "to_user_id", "detail")
_MESSAGE_COLUMNS = (
    "id",
    "ticket_id",
    "contact_id",
    "connection_id",
    "author_id",
    "from_me",
    "body",
    "body_search",
    "type",
    "extra",
    "reactions",
    "external_id",
    "sender_name",
    "status",
    "send_attempts",
    "is_edited",
    "is_deleted",
    "sent_at",
    "created_at",
    "updated_at",
)


class _Generator:
    """Everything drawn from one seeded random source, so the same scale gives the same database."""

    def __init__(self, scale: Scale, now: datetime) -> None:
        self.scale = scale
        self.now = now
        self.random = random.Random(20261129)
        self.agent_password_hash = hash_password(AGENT_PASSWORD)
        self.contact_names = [
            f"{self.random.choice(FIRST_NAMES)} {self.random.choice(LAST_NAMES)}" for _ in range(scale.contacts)
        ]
        agents = range(2, 2 + scale.agents)
        # Each agent serves one or two queues; every queue has agents.
        self.agent_queues = {
            agent: sorted({(agent - 2) % len(QUEUES) + 1, self.random.randint(1, len(QUEUES))}) for agent in agents
        }
        self.queue_agents: dict[int, list[int]] = {queue: [] for queue in range(1, len(QUEUES) + 1)}
        for agent, queues in self.agent_queues.items():
            for queue in queues:
                self.queue_agents[queue].append(agent)

    def agents(self) -> Iterator[tuple[int, str, str]]:
        for agent in self.agent_queues:
            number = agent - 1
            name = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} Atendente {number:02d}"
            yield agent, name, f"agent{number:02d}@zapdesk.test"

    def agent_name(self, agent: int) -> str:
        number = agent - 1
        return f"{FIRST_NAMES[number % len(FIRST_NAMES)]} Atendente {number:02d}"

    def contacts(self) -> list[tuple[Any, ...]]:
        year_ago = self.now - timedelta(days=365)
        rows = []
        for index, name in enumerate(self.contact_names, start=1):
            ddd = 11 + (index * 7) % 89
            created = year_ago + timedelta(seconds=self.random.uniform(0, 365 * 86400))
            phone = f"55{ddd:02d}9{index:08d}"
            rows.append((index, name, fold(name), phone, name.split()[0], "{}", False, created, created))
        return rows

    def tickets(self) -> list[_Ticket]:
        """Mostly closed (a year of history), some open, a few pending; at most one active per contact+number."""
        scale, rng = self.scale, self.random
        pending = scale.tickets // 20
        open_ = scale.tickets // 10
        closed = scale.tickets - pending - open_
        connections = len(CONNECTIONS)
        # Active tickets take distinct (contact, number) pairs: the partial unique index allows one each.
        active_slots = rng.sample(range(scale.contacts * connections), pending + open_)
        counts = self._message_counts(scale.tickets)
        drafts: list[tuple[datetime, int, int, str]] = []
        for slot in active_slots[:pending]:
            drafts.append((self._recent(days=2), slot % scale.contacts + 1, slot // scale.contacts + 1, "pending"))
        for slot in active_slots[pending:]:
            drafts.append((self._recent(days=10), slot % scale.contacts + 1, slot // scale.contacts + 1, "open"))
        for _ in range(closed):
            connection = rng.choices(range(1, connections + 1), weights=CONNECTION_SHARE)[0]
            drafts.append((self._recent(days=365), rng.randint(1, scale.contacts), connection, "closed"))
        # Ids in order of activity, as a live system hands them out.
        drafts.sort()
        tickets = []
        for index, (activity, contact, connection, status) in enumerate(drafts, start=1):
            queue = rng.choice(CONNECTIONS[connection - 1][1])
            if status == "pending" and rng.random() < 0.3:
                queue = None  # not routed yet: every agent sees it
            assignee = None
            if status == "open" or (status == "closed" and rng.random() < 0.85):
                assignee = rng.choice(self.queue_agents[queue]) if queue else rng.choice(list(self.agent_queues))
            messages = counts[index - 1]
            duration = timedelta(minutes=rng.uniform(2, 60 * 8) * max(1, messages) / 10)
            tickets.append(
                _Ticket(index, contact, connection, queue, assignee, status, activity - duration, activity, messages)
            )
        return tickets

    def _message_counts(self, tickets: int) -> list[int]:
        """A long tail (most chats are short, some run to hundreds of messages), summing to the scale exactly."""
        rng = self.random
        mean = self.scale.messages / tickets
        counts = [1 + int(rng.expovariate(1 / max(mean - 1, 0.01))) for _ in range(tickets)]
        difference = self.scale.messages - sum(counts)
        while difference:
            index = rng.randrange(tickets)
            if difference > 0:
                counts[index] += 1
                difference -= 1
            elif counts[index] > 1:
                counts[index] -= 1
                difference += 1
        return counts

    def _recent(self, *, days: float) -> datetime:
        return self.now - timedelta(seconds=self.random.uniform(60, days * 86400))

    def ticket_rows(self, tickets: list[_Ticket]) -> list[tuple[Any, ...]]:
        # A source of its own: the other tables come out as they did before the metrics were seeded.
        metrics = random.Random(20261204)
        rows = []
        for ticket in tickets:
            last_from_customer = ticket.status == "pending" or (ticket.status == "open" and ticket.id % 2 == 0)
            preview = self._body(ticket, ticket.messages - 1, from_me=not last_from_customer)
            unread = 0 if not last_from_customer else 1 + ticket.id % 3
            closed_at = ticket.last_activity_at if ticket.status == "closed" else None
            rows.append(
                (
                    ticket.id,
                    ticket.contact_id,
                    ticket.connection_id,
                    ticket.queue_id,
                    ticket.assignee_id,
                    ticket.status,
                    unread,
                    preview,
                    ticket.last_activity_at,
                    ticket.last_activity_at,
                    closed_at,
                    ticket.created_at,
                    ticket.last_activity_at,
                    *_metrics(ticket, closed_at, metrics),
                )
            )
        return rows

    def message_chunks(self, tickets: list[_Ticket], size: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
        chunk: list[tuple[Any, ...]] = []
        message_id = 0
        empty = json.dumps({})
        for ticket in tickets:
            span = (ticket.last_activity_at - ticket.created_at) / max(1, ticket.messages - 1)
            last_from_customer = ticket.status == "pending" or (ticket.status == "open" and ticket.id % 2 == 0)
            for position in range(ticket.messages):
                message_id += 1
                # Customer and agent take turns (nobody has answered a pending ticket yet); the ticket's last
                # message is the one its preview shows.
                last = position == ticket.messages - 1
                from_me = not last_from_customer if last else position % 2 == 1 and ticket.status != "pending"
                at = ticket.last_activity_at if last else ticket.created_at + span * position
                author = ticket.assignee_id if from_me else None
                sender = self.agent_name(author) if author else None if from_me else self.contact_name(ticket)
                body = self._body(ticket, position, from_me=from_me)
                chunk.append(
                    (
                        message_id,
                        ticket.id,
                        ticket.contact_id,
                        ticket.connection_id,
                        author,
                        from_me,
                        body,
                        fold(body),
                        "text",
                        empty,
                        empty,
                        f"{'B' if from_me else 'C'}{message_id:X}",
                        sender,
                        "read" if from_me else "sent",
                        1 if from_me else 0,
                        False,
                        False,
                        at,
                        at,
                        at,
                    )
                )
                if len(chunk) >= size:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    def contact_name(self, ticket: _Ticket) -> str:
        return self.contact_names[ticket.contact_id - 1]

    def _body(self, ticket: _Ticket, position: int, *, from_me: bool) -> str:
        """Deterministic per (ticket, position), so the ticket's preview and its last message agree."""
        key = ticket.id * 7919 + position * 104729
        if from_me and ticket.status == "closed" and position == ticket.messages - 1:
            return AGENT_SAYS[-1]
        phrases = AGENT_SAYS if from_me else CUSTOMER_SAYS
        phrase = phrases[key % len(phrases)]
        agent = self.agent_name(ticket.assignee_id) if ticket.assignee_id else "Atendimento"
        return phrase.format(n=100000 + key % 900000, d=2 + key % 12, agent=agent.split()[0])


def _queue_times(ticket_rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Each closed ticket's time in the queue it is in: it never changed queues, so its whole life."""
    column = {name: index for index, name in enumerate(_TICKET_COLUMNS)}
    ticket_id, queue_id, resolution = column["id"], column["queue_id"], column["resolution_seconds"]
    return [
        (row[ticket_id], row[queue_id], row[resolution], row[resolution])
        for row in ticket_rows
        if row[queue_id] is not None and row[resolution] is not None
    ]


def _history(ticket_rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Each ticket's history as its metrics tell it: created, accepted, reopened, closed (rated: its score)."""
    column = {name: index for index, name in enumerate(_TICKET_COLUMNS)}
    events: list[tuple[Any, ...]] = []
    empty = json.dumps({})

    def add(ticket_id: int, kind: str, at: datetime, actor: str, user: int | None, detail: str = empty) -> None:
        events.append((len(events) + 1, ticket_id, kind, at, actor, user, None, detail))

    for row in ticket_rows:
        ticket_id, created = row[column["id"]], row[column["created_at"]]
        assignee, closed_at = row[column["assignee_id"]], row[column["closed_at"]]
        add(ticket_id, "created", created, "customer", None)
        if assignee is not None and row[column["waiting_seconds"]] is not None:
            add(ticket_id, "accepted", created + timedelta(seconds=row[column["waiting_seconds"]]), "user", assignee)
        if closed_at is not None:
            if row[column["reopen_count"]]:
                add(ticket_id, "closed", created + (closed_at - created) / 2, "user", assignee)
                add(ticket_id, "reopened", created + (closed_at - created) * 3 / 4, "user", assignee)
            add(ticket_id, "closed", closed_at, "user" if assignee else "timer", assignee)
        if row[column["rating"]] is not None:
            score = json.dumps({"score": row[column["rating"]]})
            add(ticket_id, "rated", row[column["rated_at"]], "customer", None, score)
    return events


def _metrics(ticket: _Ticket, closed_at: datetime | None, rng: random.Random) -> tuple[Any, ...]:
    """The ticket's stored metrics: waits and first responses of an agent who took it, a resolution when closed,
    some transfers and reopenings, a rating on about a third of the tickets closed by an agent."""
    lifetime = (ticket.last_activity_at - ticket.created_at).total_seconds()
    waiting_since = ticket.created_at if ticket.status == "pending" else None
    waiting: int | None = None
    first_response: int | None = None
    rating: int | None = None
    rated_at: datetime | None = None
    if ticket.assignee_id is not None:
        waiting = round(min(lifetime, rng.expovariate(1 / 300)))
        if ticket.messages > 1:
            first_response = round(min(lifetime, waiting + rng.expovariate(1 / 120)))
    resolution = round((closed_at - ticket.created_at).total_seconds()) if closed_at is not None else None
    if closed_at is not None and ticket.assignee_id is not None and rng.random() < 0.3:
        rating = rng.choices((1, 2, 3, 4, 5), weights=(5, 5, 10, 30, 50))[0]
        rated_at = closed_at + timedelta(minutes=2)
    transfers = 1 if rng.random() < 0.1 else 0
    reopenings = 1 if closed_at is not None and rng.random() < 0.05 else 0
    rated_agent, rated_queue = (ticket.assignee_id, ticket.queue_id) if rating is not None else (None, None)
    return (
        waiting_since,
        waiting,
        ticket.created_at,
        first_response,
        resolution,
        transfers,
        reopenings,
        ticket.messages,
        rating,
        rated_at,
        rated_agent,
        rated_queue,
        waiting,
        first_response,
        resolution,
        ticket.created_at if closed_at is None and ticket.queue_id is not None else None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", help="an existing, empty PostgreSQL database")
    defaults = Scale()
    parser.add_argument("--tickets", type=int, default=defaults.tickets)
    parser.add_argument("--contacts", type=int, default=defaults.contacts)
    parser.add_argument("--messages", type=int, default=defaults.messages)
    parser.add_argument("--agents", type=int, default=defaults.agents)
    args = parser.parse_args(argv)
    if args.messages < args.tickets:
        parser.error("every ticket has at least one message: --messages must be at least --tickets")
    scale = Scale(args.tickets, args.contacts, args.messages, args.agents)
    report = asyncio.run(seed(args.database_url, scale))
    for step, seconds in report.seconds.items():
        print(f"{step:>34}: {seconds:6.1f} s")
    print(f"{'total':>34}: {report.total_seconds:6.1f} s")
    print(f"admin: {ADMIN_EMAIL} / {ADMIN_PASSWORD}")
    print(f"agents: agent01..agent{args.agents:02d}@zapdesk.test / {AGENT_PASSWORD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
