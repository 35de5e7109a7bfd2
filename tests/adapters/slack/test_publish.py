"""The Slack insight publisher against the fake Web API: post, find it again, map failures."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from bot.adapters.slack.client import RetryPolicy, web_client
from bot.adapters.slack.publish import EVENT_TYPE, SlackInsightPublisher
from bot.insight import Insight, InsightMark, InsightPublisher, PublishError
from bot.knowledge import Section
from tests.adapters.slack.conftest import BOT_TOKEN
from tests.fakes.clock import ManualClock
from tests.fakes.slack_api import BOT_USER_ID, FakeSlack

DAY = date(2026, 2, 3)


def insight(day: date = DAY, section: int = 19) -> Insight:
    topic = Section("talk", "en", section, "Hiring", (), (), "https://youtu.be/x")
    return Insight(7, day, topic, "Hire slowly.")


@pytest.fixture
def publisher(slack: FakeSlack, policy: RetryPolicy) -> SlackInsightPublisher:
    return SlackInsightPublisher(web_client(BOT_TOKEN, slack.api_url, policy))


def test_publisher_names_its_platform(publisher: SlackInsightPublisher) -> None:
    # mypy checks the protocol itself (see the TYPE_CHECKING block in publish.py).
    implementation: InsightPublisher = publisher
    assert implementation.platform == "slack"


async def test_post_sends_the_insight_blocks_marked_with_its_key(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    ts = await publisher.post("C9", insight())
    [call] = slack.calls_to("chat.postMessage")
    assert call.params["channel"] == "C9"
    assert call.params["metadata"] == {
        "event_type": EVENT_TYPE,
        "event_payload": {"key": "2026-02-03/talk/19", "number": 7},
    }
    assert call.params["blocks"][0]["text"]["text"] == "Town Hall insight #7"
    assert call.params["text"] == "Town Hall insight #7: Hiring"
    assert slack.messages["C9"][-1]["ts"] == ts


async def test_find_posted_returns_the_ts_of_our_earlier_post(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    ts = await publisher.post("C9", insight())
    slack.post_message("C9", user="U1", text="thanks!")
    assert await publisher.find_posted("C9", insight()) == ts
    [history] = slack.calls_to("conversations.history")
    assert history.params["include_all_metadata"] in {"1", "true", "True"}


async def test_the_days_post_is_found_whatever_its_topic(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    slack.open_channel("C9")
    # Sent, its record lost, then the day dealt again with another topic (one taken out).
    ts = await publisher.post("C9", insight(section=3))
    assert await publisher.find_posted("C9", insight()) == ts


async def test_find_posted_ignores_other_days_and_other_authors(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    await publisher.post("C9", insight(day=date(2026, 2, 2)))
    marked = {"event_type": EVENT_TYPE, "event_payload": {"key": insight().key}}
    slack.post_message("C9", user="USOMEONE", text="copy", metadata=marked)
    assert await publisher.find_posted("C9", insight()) is None


async def test_find_posted_pages_through_busy_history(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    ts = await publisher.post("C9", insight())
    for n in range(450):
        slack.post_message("C9", user="U1", text=f"message {n}")
    assert await publisher.find_posted("C9", insight()) == ts
    assert len(slack.calls_to("conversations.history")) == 3  # 200 + 200 + 51 messages


async def test_find_posted_asks_who_it_is_once(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    slack.post_message("C9", user=BOT_USER_ID, text="hello")
    await publisher.find_posted("C9", insight())
    await publisher.find_posted("C9", insight(section=3))
    assert len(slack.calls_to("auth.test")) == 1


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "missing_scope"])
async def test_channel_and_scope_problems_are_not_retried(
    slack: FakeSlack, publisher: SlackInsightPublisher, error: str
) -> None:
    slack.fail("chat.postMessage", status=200, error=error)
    with pytest.raises(PublishError, match=f"channel C9: {error}") as raised:
        await publisher.post("C9", insight())
    assert raised.value.retry is False
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_missing_channel_in_history_is_not_retried(
    publisher: SlackInsightPublisher,
) -> None:
    with pytest.raises(PublishError, match="channel_not_found") as raised:
        await publisher.find_posted("CGONE", insight())
    assert raised.value.retry is False


async def test_rate_limit_that_outlasts_the_retries_can_be_retried_later(
    slack: FakeSlack, publisher: SlackInsightPublisher, clock: ManualClock
) -> None:
    slack.fail(
        "chat.postMessage", status=429, error="ratelimited", times=4, headers={"Retry-After": "2"}
    )
    with pytest.raises(PublishError, match="ratelimited") as raised:
        await publisher.post("C9", insight())
    assert raised.value.retry is True
    assert clock.naps == [2.0, 2.0, 2.0]


async def test_server_errors_that_outlast_the_retries_can_be_retried_later(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    slack.fail("conversations.history", status=503, error="service_unavailable", times=3)
    with pytest.raises(PublishError) as raised:
        await publisher.find_posted("C9", insight())
    assert raised.value.retry is True
    assert len(slack.calls_to("conversations.history")) == 3


async def test_a_proxy_page_that_outlasts_the_retries_is_named_by_its_status(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    # A text body has no error code; reading one from it raised AttributeError.
    slack.fail("chat.postMessage", status=502, error="", body="Bad Gateway", times=3)
    with pytest.raises(PublishError) as raised:
        await publisher.post("C9", insight())
    assert str(raised.value) == "Slack refused the call for channel C9: HTTP 502"
    assert raised.value.retry is True


async def test_a_huge_error_code_is_cut_in_the_publish_error(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    slack.fail("chat.postMessage", status=200, error="\x00" + "z" * 2_000_000)
    with pytest.raises(PublishError) as raised:
        await publisher.post("C9", insight())
    assert str(raised.value) == f"Slack refused the call for channel C9: {'z' * 97}..."


async def test_unreachable_slack_can_be_retried_later(
    policy: RetryPolicy, clock: ManualClock
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = web_client(BOT_TOKEN, f"http://127.0.0.1:{closed_port}/api/", policy)
    with pytest.raises(PublishError, match="could not reach Slack for channel C9") as raised:
        await SlackInsightPublisher(client).post("C9", insight())
    assert raised.value.retry is True
    assert clock.naps == [0.5, 1.0]


async def test_a_very_long_retry_after_is_waited_at_most_max_wait(
    slack: FakeSlack, clock: ManualClock
) -> None:
    policy = RetryPolicy(jitter=0.0, max_wait=60.0, clock=clock)
    slack.fail("chat.postMessage", status=429, error="ratelimited", headers={"Retry-After": "600"})
    publisher = SlackInsightPublisher(web_client(BOT_TOKEN, slack.api_url, policy))
    await publisher.post("C9", insight())
    assert clock.naps == [60.0]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


async def test_a_post_whose_connection_dropped_is_left_to_the_scheduler_to_look_for(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    slack.open_channel("C9")
    slack.reset("chat.postMessage", after_effect=True)
    with pytest.raises(PublishError) as raised:
        await publisher.post("C9", insight())
    assert raised.value.retry is True
    # Not re-sent by the client: the scheduler's next attempt asks find_posted first.
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [0]
    assert await publisher.find_posted("C9", insight()) == slack.messages["C9"][0]["ts"]


async def test_latest_mark_is_the_day_and_number_of_our_newest_insight_post(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    slack.open_channel("C9")
    assert await publisher.latest_mark("C9") is None
    await publisher.post("C9", Insight(6, date(2026, 2, 2), insight().section, "p"))
    await publisher.post("C9", insight())  # #7 on 3 February
    # Newer, but not ours (a member's copy) or not numbered: neither counts.
    copied = {"event_type": EVENT_TYPE, "event_payload": {"key": "2026-02-09/talk/1", "number": 9}}
    slack.post_message("C9", user="USOMEONE", text="copy", metadata=copied)
    slack.post_message("C9", user="U1", text="thanks!")

    mark = await publisher.latest_mark("C9")

    shown = insight().section
    assert mark == InsightMark(date(2026, 2, 3), 7, (shown.talk, shown.number))
    assert mark.rotation_start == date(2026, 1, 28)


async def test_latest_mark_pages_through_busy_history(
    slack: FakeSlack, publisher: SlackInsightPublisher
) -> None:
    # A busy day since the last post, then the database lost: the rotation is recovered
    # from a post further back than one page, as find_posted would find it.
    await publisher.post("C9", insight())
    for n in range(450):
        slack.post_message("C9", user="U1", text=f"message {n}")

    mark = await publisher.latest_mark("C9")

    shown = insight().section
    assert mark == InsightMark(DAY, 7, (shown.talk, shown.number))
    assert len(slack.calls_to("conversations.history")) == 3  # 200 + 200 + 51 messages


async def test_latest_mark_stops_after_max_pages(
    slack: FakeSlack, policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    publisher = SlackInsightPublisher(web_client(BOT_TOKEN, slack.api_url, policy), max_pages=2)
    await publisher.post("C9", insight())
    for n in range(450):
        slack.post_message("C9", user="U1", text=f"message {n}")

    assert await publisher.latest_mark("C9") is None
    assert len(slack.calls_to("conversations.history")) == 2
    assert "stopped looking back through the channel" in caplog.text
