"""A Slack event and its retry delivered to two `townhall serve` replicas: one answer."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from tests.adapters.slack.conftest import SIGNING_SECRET, event_callback, mention
from tests.fakes.slack_api import FakeSlack
from tests.replicas.conftest import Replica, free_port, until

pytestmark = pytest.mark.postgres


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as server:
        yield server


async def deliver(port: int, body: dict[str, Any], retry_num: int | None = None) -> int:
    """POST an Events API callback to a replica as Slack does: signed, maybe a retry."""
    raw = json.dumps(body).encode()
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SIGNING_SECRET).generate_signature(
            timestamp=ts, body=raw
        ),
    }
    if retry_num is not None:
        headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "timeout"}
    url = f"http://127.0.0.1:{port}/slack/events"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=raw, headers=headers) as r,
    ):
        return r.status


async def test_an_event_and_its_retry_on_two_replicas_get_one_answer(
    fake_slack: FakeSlack, start_replica: Callable[..., Any]
) -> None:
    env = {
        "DISCORD_TOKEN": "",
        "SLACK_BOT_TOKEN": "xoxb-test-bot-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
    }
    ports = [free_port(), free_port()]
    replicas: list[Replica] = [
        await start_replica("--host", "127.0.0.1", "--port", str(port), **env) for port in ports
    ]
    for replica in replicas:

        async def serving(replica: Replica = replica) -> bool:
            health = await replica.health()
            return health is not None and health["services"]["slack"]["connected"] is True

        await until(serving, "the replica serving Slack")
    event = mention("Is OpenAI going to hire fewer people?")

    assert await deliver(ports[0], event_callback(event, "EvReplicas")) == 200
    await fake_slack.wait_for("chat.postMessage", count=1, timeout=30)
    assert await deliver(ports[1], event_callback(event, "EvReplicas"), retry_num=1) == 200
    # A new event on the second replica is answered: the retry, had it been, came first.
    other = mention("Is college still worth it?", ts="1769000000.000200")
    assert await deliver(ports[1], event_callback(other, "EvAfter")) == 200
    posts = await fake_slack.wait_for("chat.postMessage", count=2, timeout=30)
    for replica in replicas:
        assert await replica.stop() == 0

    assert [p.params["thread_ts"] for p in posts] == ["1769000000.000100", "1769000000.000200"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert "skipping a re-delivered event" in replicas[1].events()
