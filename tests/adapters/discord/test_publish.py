"""The Discord insight publisher: post, recognise its own post, and say whether to retry."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import discord
import pytest

from bot.adapters.discord import DiscordPublisher
from bot.adapters.discord.publish import LOGIN_POLL
from bot.insight import Insight, InsightMark, PublishError, insight_for
from bot.knowledge import Knowledge
from tests.adapters.discord.conftest import TODAY
from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import BOT_ID, CHANNEL_ID, MEMBER_ID, TOKEN, FakeDiscord

CHANNEL = str(CHANNEL_ID)
START = TODAY - timedelta(days=7)


@pytest.fixture
def clock() -> ManualClock:
    """The publisher's clock; it moves only when a test moves it."""
    return ManualClock(dt.datetime.combine(TODAY, dt.time(0), tzinfo=dt.UTC), jump=False)


@pytest.fixture
async def publisher(fake: FakeDiscord, clock: ManualClock) -> AsyncIterator[DiscordPublisher]:
    """A publisher over a client logged in to the fake (REST only, no gateway)."""
    client = discord.Client(intents=discord.Intents(guilds=True))
    await client.login(TOKEN)
    try:
        yield DiscordPublisher(client, clock)
    finally:
        await client.close()


@pytest.fixture
def insight(knowledge: Knowledge) -> Insight:
    """Today's insight in English, in a rotation that started a week ago."""
    return insight_for(knowledge, TODAY, "en", START)


async def test_post_sends_the_insight_marked_with_its_key_and_no_mentions(
    fake: FakeDiscord, publisher: DiscordPublisher, insight: Insight
) -> None:
    message_id = await publisher.post(CHANNEL, insight)

    (posted,) = fake.channels[CHANNEL_ID]
    assert posted["id"] == message_id
    (call,) = fake.find_calls("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert call.body["allowed_mentions"] == {"parse": []}
    (embed,) = call.body["embeds"]
    assert embed["title"] == f"Town Hall insight #{insight.number}"
    assert embed["footer"]["text"] == f"Topic {insight.section.number} · {insight.key}"


async def test_a_post_due_while_the_client_logs_in_waits_for_the_login(
    fake: FakeDiscord, insight: Insight, clock: ManualClock
) -> None:
    client = discord.Client(intents=discord.Intents(guilds=True))
    publisher = DiscordPublisher(client, clock, ready_wait=timedelta(seconds=10))
    try:
        posting = asyncio.create_task(publisher.post(CHANNEL, insight))
        await clock.wait_for_sleepers()
        clock.advance(9)
        await clock.wait_for_sleepers()
        assert not posting.done()  # nine seconds in: still waiting, not failed
        await client.login(TOKEN)
        clock.advance(LOGIN_POLL)
        message_id = await asyncio.wait_for(posting, 5)
    finally:
        await client.close()
    assert [m["id"] for m in fake.channels[CHANNEL_ID]] == [message_id]


async def test_a_client_that_never_logs_in_is_a_retryable_error(
    insight: Insight, clock: ManualClock
) -> None:
    client = discord.Client(intents=discord.Intents(guilds=True))
    publisher = DiscordPublisher(client, clock, ready_wait=timedelta(seconds=30))
    looking = asyncio.create_task(publisher.find_posted(CHANNEL, insight))
    await clock.wait_for_sleepers()
    clock.advance(30)
    with pytest.raises(PublishError, match="not logged in") as caught:
        await looking
    assert caught.value.retry is True
    await client.close()


async def test_posted_insight_is_found_again_by_its_key(
    fake: FakeDiscord, publisher: DiscordPublisher, insight: Insight
) -> None:
    message_id = await publisher.post(CHANNEL, insight)
    fake.seed_message(CHANNEL_ID, author={"id": str(MEMBER_ID), "username": "m"}, content="hi")

    assert await publisher.find_posted(CHANNEL, insight) == message_id
    (history,) = fake.find_calls("GET", rf"/channels/{CHANNEL_ID}/messages")
    assert history.query["limit"] == "50"


async def test_the_days_post_is_found_whatever_its_topic(
    publisher: DiscordPublisher, knowledge: Knowledge, insight: Insight
) -> None:
    # Sent, its record lost, then the day dealt again with another topic (one taken out).
    other = next(s for s in knowledge.topics("en") if s.number != insight.section.number)
    message_id = await publisher.post(CHANNEL, replace(insight, section=other))

    assert await publisher.find_posted(CHANNEL, insight) == message_id


async def test_find_posted_ignores_other_days_and_other_authors(
    fake: FakeDiscord, publisher: DiscordPublisher, knowledge: Knowledge, insight: Insight
) -> None:
    yesterday = insight_for(knowledge, TODAY - timedelta(days=1), "en", START)
    await publisher.post(CHANNEL, yesterday)
    fake.seed_message(
        CHANNEL_ID,
        author={"id": str(MEMBER_ID), "username": "copycat"},
        embeds=[{"title": "x", "footer": {"text": f"Topic 1 · {insight.key}"}}],
    )

    assert await publisher.find_posted(CHANNEL, insight) is None


async def test_on_demand_insight_is_not_taken_for_the_daily_post(
    fake: FakeDiscord, publisher: DiscordPublisher, insight: Insight
) -> None:
    # What /insight sends: the same insight, by the bot, but without the key.
    fake.seed_message(
        CHANNEL_ID,
        author={"id": str(BOT_ID), "username": "townhall", "bot": True},
        embeds=[{"title": "x", "footer": {"text": f"Topic 1 · {insight.day.isoformat()}"}}],
    )

    assert await publisher.find_posted(CHANNEL, insight) is None


@pytest.mark.parametrize("operation", ["post", "find_posted"])
@pytest.mark.parametrize(
    ("status", "retry"),
    [(403, False), (404, False), (400, False), (503, True), (429, True)],
)
async def test_failures_map_to_publish_errors_that_say_whether_to_retry(
    fake: FakeDiscord,
    publisher: DiscordPublisher,
    insight: Insight,
    *,
    operation: str,
    status: int,
    retry: bool,
) -> None:
    # A 429 that never ends: discord.py gives up after its own five tries.
    fake.fail_next(
        "POST" if operation == "post" else "GET",
        rf"/channels/{CHANNEL_ID}/messages",
        status,
        times=5,
        retry_after=0.01,
    )

    with pytest.raises(PublishError) as raised:
        await getattr(publisher, operation)(CHANNEL, insight)

    assert raised.value.retry is retry
    assert CHANNEL in str(raised.value)


async def test_forbidden_and_unknown_channels_are_not_retried(
    fake: FakeDiscord, publisher: DiscordPublisher, insight: Insight
) -> None:
    fake.forbidden_channels.add(CHANNEL_ID)

    with pytest.raises(PublishError) as forbidden:
        await publisher.post(CHANNEL, insight)
    with pytest.raises(PublishError) as unknown:
        await publisher.find_posted("42", insight)

    assert (forbidden.value.retry, unknown.value.retry) == (False, False)
    assert "missing access" in str(forbidden.value)
    assert "not found" in str(unknown.value)


async def test_network_error_is_retried(
    fake: FakeDiscord, publisher: DiscordPublisher, insight: Insight
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"  # restored by the fake

    with pytest.raises(PublishError) as raised:
        await publisher.post(CHANNEL, insight)

    assert raised.value.retry is True


async def test_channel_that_is_not_an_id_is_not_retried(
    publisher: DiscordPublisher, insight: Insight
) -> None:
    with pytest.raises(PublishError) as raised:
        await publisher.post("#general", insight)

    assert raised.value.retry is False


async def test_latest_mark_is_the_day_and_number_of_our_newest_insight_post(
    fake: FakeDiscord, publisher: DiscordPublisher, knowledge: Knowledge
) -> None:
    assert await publisher.latest_mark(CHANNEL) is None
    await publisher.post(CHANNEL, insight_for(knowledge, TODAY - timedelta(days=1), "ko", START))
    today = insight_for(knowledge, TODAY, "en", START)
    await publisher.post(CHANNEL, today)

    mark = await publisher.latest_mark(CHANNEL)

    assert mark == InsightMark(TODAY, 8, (today.section.talk, today.section.number))
    assert mark.rotation_start == START


async def test_latest_mark_looks_as_far_back_as_find_posted(
    fake: FakeDiscord, publisher: DiscordPublisher, insight: Insight
) -> None:
    # After a lost database both reads must reach the same post: one finds today's post,
    # the other recovers the rotation from it.
    await publisher.post(CHANNEL, insight)
    member = {"id": str(MEMBER_ID), "username": "member", "bot": False}
    for n in range(publisher.history - 1):
        fake.seed_message(CHANNEL_ID, author=member, content=f"message {n}")

    assert await publisher.find_posted(CHANNEL, insight) is not None
    assert await publisher.latest_mark(CHANNEL) is not None

    fake.seed_message(CHANNEL_ID, author=member, content="one more")

    assert await publisher.find_posted(CHANNEL, insight) is None
    assert await publisher.latest_mark(CHANNEL) is None
