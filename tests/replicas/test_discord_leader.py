"""One Discord gateway connection across replicas; a standby takes over when the leader dies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.fakes.discord_api import FakeDiscord
from tests.replicas.conftest import Replica, until

pytestmark = pytest.mark.postgres


def open_connections(fake: FakeDiscord) -> int:
    return sum(not c.closed and 2 in c.ops() for c in fake.connections)


async def answered(fake: FakeDiscord) -> str:
    """Ask /ask over the gateway; the title of the answer."""
    interaction = fake.slash("ask", {"question": "What about hiring?"})
    await fake.interact(interaction)
    reply = await asyncio.wait_for(fake.response_to(interaction), 30)
    return str(reply["data"]["embeds"][0]["title"])


async def test_only_the_leader_connects_and_a_standby_takes_over_when_it_is_killed(
    fake_discord: FakeDiscord, start_replica: Callable[..., Any]
) -> None:
    first: Replica = await start_replica()

    async def first_leads() -> bool:
        return await first.role() == "leader" and open_connections(fake_discord) == 1

    await until(first_leads, "the first replica connected")
    second: Replica = await start_replica()

    async def second_stands_by() -> bool:
        return await second.role() == "standby"

    await until(second_stands_by, "the second replica standing by")
    standby_health = await second.health()
    before = await answered(fake_discord)
    assert open_connections(fake_discord) == 1

    first.kill()  # SIGKILL: no release of the lease, no goodbye to the gateway

    async def second_leads() -> bool:
        return await second.role() == "leader" and open_connections(fake_discord) == 1

    await until(second_leads, "the second replica took over")
    after = await answered(fake_discord)
    await second.stop()

    assert standby_health is not None
    assert standby_health["ok"] is True  # a standby is healthy, not disconnected
    assert before == after == "Changes in Software Engineer Hiring"
    assert fake_discord.most_open == 1  # never two connected at once
    assert len(fake_discord.connections) == 2
    events = [line.get("event") for line in second.lines]
    assert "this replica holds the Discord gateway" in events
