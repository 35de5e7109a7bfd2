"""Socket Mode with one connection per replica: an event and its retry on two connections
(Slack may send a retry over any of an app's connections) get one answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.adapters.slack.conftest import APP_TOKEN, BOT_TOKEN, event_callback, mention
from tests.fakes.slack_api import FakeSlack
from tests.replicas.conftest import PATIENCE, Replica

pytestmark = pytest.mark.postgres


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as server:
        yield server


async def test_an_event_and_its_retry_on_two_socket_mode_replicas_get_one_answer(
    fake_slack: FakeSlack, start_replica: Callable[..., Any]
) -> None:
    env = {
        "DISCORD_TOKEN": "",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake_slack.api_url,
    }
    replicas: list[Replica] = [await start_replica(**env), await start_replica(**env)]
    await fake_slack.wait_connected(timeout=PATIENCE, count=2)
    event = mention("Is OpenAI going to hire fewer people?")

    first = await fake_slack.send_envelope(event_callback(event, "EvSocket"), connection=0)
    await fake_slack.wait_for_ack(first, timeout=PATIENCE)
    await fake_slack.wait_for("chat.postMessage", count=1, timeout=PATIENCE)
    retry = await fake_slack.send_envelope(
        event_callback(event, "EvSocket"), retry_attempt=1, connection=1
    )
    await fake_slack.wait_for_ack(retry, timeout=PATIENCE)
    # A new event on the second connection is answered: the retry, had it been, came first.
    other = mention("Is college still worth it?", ts="1769000000.000200")
    await fake_slack.send_envelope(event_callback(other, "EvSocketAfter"), connection=1)
    posts = await fake_slack.wait_for("chat.postMessage", count=2, timeout=PATIENCE)
    for replica in replicas:
        assert await replica.stop() == 0

    assert [p.params["thread_ts"] for p in posts] == ["1769000000.000100", "1769000000.000200"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
