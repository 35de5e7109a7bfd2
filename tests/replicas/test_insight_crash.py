"""Two replicas on the insight day, one killed between send and record: one post a channel."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.channel import Channel
from bot.store import InsightSlot, open_store
from tests.adapters.slack.conftest import SIGNING_SECRET
from tests.fakes.slack_api import FakeSlack
from tests.replicas.conftest import PATIENCE, Replica, free_port, until

pytestmark = pytest.mark.postgres
CHANNELS = ("C1", "C2")


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as server:
        yield server


async def test_a_replica_killed_between_send_and_record_leaves_one_post_per_channel(
    fake_slack: FakeSlack, start_replica: Callable[..., Any], replica_database: str
) -> None:
    fake_slack.open_channel(*CHANNELS)
    fake_slack.hold_posts = asyncio.Event()  # posts land, their answers wait
    env = {
        "DISCORD_TOKEN": "",
        "SLACK_BOT_TOKEN": "xoxb-test-bot-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "INSIGHT_SLACK_CHANNELS": ",".join(CHANNELS),
        "INSIGHT_TIME": "00:00",  # overdue: each replica posts today's insight at start
        "INSIGHT_TIMEZONE": "UTC",
        "INSIGHT_CLAIM_LEASE": "3",
    }
    replicas: list[Replica] = [
        await start_replica("--host", "127.0.0.1", "--port", str(free_port()), **env)
        for _ in range(2)
    ]
    await fake_slack.wait_for("chat.postMessage", count=len(CHANNELS), timeout=PATIENCE)
    store = open_store(replica_database)
    day = dt.datetime.now(dt.UTC).date()
    claim = store.insight.get(InsightSlot(Channel("slack", "C1"), day))
    assert claim is not None
    assert claim.lease_owner is not None
    owner_pid = int(claim.lease_owner.split(":")[1])
    (killed,) = [r for r in replicas if r.process.pid == owner_pid]
    (survivor,) = [r for r in replicas if r is not killed]

    killed.kill()  # C1's post went out; its record never will, from this replica
    await killed.process.wait()
    fake_slack.hold_posts.set()

    async def all_recorded() -> bool:
        records = [store.insight.get(InsightSlot(Channel("slack", c), day)) for c in CHANNELS]
        return all(r is not None and r.status == "posted" for r in records)

    await until(all_recorded, "both channels recorded", replicas)
    assert await survivor.stop() == 0
    records = {c: store.insight.get(InsightSlot(Channel("slack", c), day)) for c in CHANNELS}
    store.close()

    for channel in CHANNELS:
        (message,) = fake_slack.messages[channel]
        record = records[channel]
        assert record is not None
        assert record.message_id == message["ts"]
    assert len(fake_slack.calls_to("chat.postMessage")) == len(CHANNELS)
    c1 = records["C1"]
    assert c1 is not None
    assert c1.last_error == "found our earlier post in the channel; not posted again"
