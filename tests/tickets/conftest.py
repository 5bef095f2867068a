"""The `desk` fixture: queues, a connection and one user of each kind the access rule tells apart."""

from __future__ import annotations

import pytest

from tests.tickets.factories import AuthHeaders, Desk, build_desk
from zapdesk.context import AppContext


@pytest.fixture
async def desk(context: AppContext, auth_headers: AuthHeaders) -> Desk:
    return await build_desk(context, auth_headers)
