"""A worker queues the outgoing webhooks of what it committed after the commit, without holding up WhatsApp's
verdict: in commit order, and every one of them by the time it settles before stopping."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from tests.ingest.inbound import received
from tests.tickets.factories import make_connection
from zapdesk.context import AppContext
from zapdesk.db.events import Published
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.secrets import SecretBox
from zapdesk.webhooks.models import WebhookDelivery, WebhookEndpoint
from zapdesk.webhooks.signing import new_secret
from zapdesk.worker.pipeline import runner_deps


async def test_webhooks_of_three_commits_are_queued_in_commit_order_once_the_worker_settles(
    context: AppContext,
) -> None:
    async with unit_of_work(context.sessionmaker) as session:
        session.add(
            WebhookEndpoint(
                url="https://automations.example/hook",
                events=["message.created"],
                secret=SecretBox(context.settings).encrypt(new_secret()),
            )
        )
    line = (await make_connection(context)).id

    async def unused_sink(_events: Sequence[Published]) -> None:
        return None

    deps = runner_deps(context.settings, context.sessionmaker, unused_sink)
    assert deps.group_commit is not None
    for n in range(3):
        # Each returns once its message is committed (WhatsApp's verdict), one after another.
        message = received("5511966660001", f"Mensagem {n}", external_id=f"W{n}")
        await deps.group_commit.store(line, message, keep_trying=lambda: True)
    await deps.settle()

    async with context.sessionmaker() as session:
        deliveries = (await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))).all()
    assert [delivery.payload["data"]["external_id"] for delivery in deliveries] == ["W0", "W1", "W2"]
    assert {delivery.event for delivery in deliveries} == {"message.created"}
