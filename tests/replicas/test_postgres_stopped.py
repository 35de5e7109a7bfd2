"""PostgreSQL stopped under a replica, then restarted: Slack answers throughout, once each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.adapters.slack.conftest import SIGNING_SECRET, event_callback, mention
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.postgres import PostgresCluster
from tests.replicas.conftest import PATIENCE, Replica, free_port, until
from tests.replicas.test_slack_retry import deliver

pytestmark = pytest.mark.postgres


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as server:
        yield server


async def test_slack_answers_every_event_once_while_postgresql_is_stopped_and_restarted(
    fake_slack: FakeSlack,
    fake_discord: FakeDiscord,
    start_replica: Callable[..., Any],
    postgres: PostgresCluster,
) -> None:
    port = free_port()
    replica: Replica = await start_replica(
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        SLACK_BOT_TOKEN="xoxb-test-bot-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
    )

    async def leading() -> bool:
        health = await replica.health()
        return health is not None and health["services"]["discord"].get("role") == "leader"

    await until(leading, "the replica leading Discord")
    sent = 0

    async def ask(event_id: str, retry: int | None = None) -> None:
        nonlocal sent
        sent += 1
        event = mention("Is college still worth it?", ts=f"1769000000.{sent:06d}")
        assert await deliver(port, event_callback(event, event_id), retry_num=retry) == 200

    await ask("EvBefore")
    postgres.stop()
    try:
        for n in range(3):
            await ask(f"EvDown{n}")
        await ask("EvDown0", retry=1)  # a re-delivery to this replica while the database is gone
        try:
            await fake_slack.wait_for("chat.postMessage", count=4, timeout=PATIENCE)
        except TimeoutError:
            print("\n".join(str(x) for x in replica.lines[-30:]))
            raise

        async def standing_by() -> bool:
            health = await replica.health()
            return health is not None and health["services"]["discord"].get("role") == "standby"

        # Unable to renew the gateway lease, the leader lets go before it could expire.
        await until(standing_by, "the replica letting go of the Discord gateway")
        down = await replica.health()
    finally:
        postgres.start()

    await until(leading, "the replica leading Discord again")
    await ask("EvAfter")
    await fake_slack.wait_for("chat.postMessage", count=5, timeout=PATIENCE)
    await asyncio.sleep(0.2)  # a late double answer would show up here
    assert await replica.stop() == 0

    assert down is not None
    assert down["ok"] is True  # answers need no database: /healthz stays 200
    assert len(fake_slack.calls_to("chat.postMessage")) == 5  # one per event, none lost
    events = replica.events()
    assert (
        "database unavailable; Slack re-deliveries are recognised by this process's memory only"
        in events
    )
    assert "cannot renew the Discord gateway lease; disconnecting before it can expire" in events
    assert fake_discord.most_open == 1
    assert len(fake_discord.connections) == 2  # disconnected while down, connected again
