"""A reply whose fate is unknown (connection dropped, 5xx) is posted once: a public one is
looked for first, then sent again; a private one, which no history shows, is not sent again.
"""

from __future__ import annotations

import logging

import pytest

from bot.adapters.slack.replies import REPLY_EVENT
from tests.adapters.slack.conftest import HttpBot, direct_message, eventually, mention
from tests.fakes.slack_api import Call


def replies(bot: HttpBot, channel: str) -> list[dict[str, object]]:
    """The bot's messages in `channel` (threads included), oldest first."""
    return list(bot.slack.messages.get(channel, []))


async def sent(bot: HttpBot, caplog: pytest.LogCaptureFixture, method: str) -> list[Call]:
    """The calls to `method` once the reply failed (and was logged) or was sent again."""

    def failed() -> bool:
        return any(r.message.startswith("Slack reply failed") for r in caplog.records)

    await eventually(lambda: failed() or len(bot.slack.calls_to(method)) > 1)
    # Whatever the listener sends after the failure (an apology) is sent before it ends.
    await eventually(lambda: bot.service.in_flight.count == 0)
    return bot.slack.calls_to(method)


async def test_a_reply_slack_took_before_the_connection_dropped_is_not_posted_again(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.adapters.slack")
    http_bot.slack.reset("chat.postMessage", after_effect=True)

    await http_bot.send_event(mention("Is college still worth it?", ts="1769.1"), "EvReset")

    [looked] = await http_bot.slack.wait_for("conversations.replies")
    assert (looked.params["channel"], looked.params["ts"]) == ("C1", "1769.1")
    # A later question is answered; a second post of the first would have come before it.
    await http_bot.send_event(mention("What skills matter most?", ts="1769.2"), "EvNext")
    await http_bot.slack.wait_for("chat.postMessage", count=1)
    [only, later] = replies(http_bot, "C1")
    assert only["thread_ts"] == "1769.1"
    assert only["metadata"] == {"event_type": REPLY_EVENT, "event_payload": {"key": "EvReset"}}
    assert later["thread_ts"] == "1769.2"
    assert [c.status for c in http_bot.slack.calls_to("chat.postMessage")] == [0, 200]
    assert any(r.message.startswith("the reply was posted after all") for r in caplog.records)


async def test_a_reply_lost_with_the_connection_is_posted_again_once(http_bot: HttpBot) -> None:
    http_bot.slack.reset("chat.postMessage", after_effect=False)

    await http_bot.send_event(mention("Is college still worth it?", ts="1769.1"), "EvLost")

    posts = await http_bot.slack.wait_for("chat.postMessage", count=1)
    [only] = replies(http_bot, "C1")
    assert only["thread_ts"] == "1769.1"
    assert [c.status for c in http_bot.slack.calls_to("chat.postMessage")] == [0, 200]
    assert posts[0].params["metadata"]["event_payload"] == {"key": "EvLost"}


async def test_a_direct_message_reply_is_looked_for_in_the_channel(http_bot: HttpBot) -> None:
    http_bot.slack.reset("chat.postMessage", after_effect=True)

    await http_bot.send_event(direct_message("Is college still worth it?"), "EvDm")

    [looked] = await http_bot.slack.wait_for("conversations.history")
    assert looked.params["channel"] == "D1"
    await http_bot.send_event(direct_message("What skills matter most?"), "EvDm2")
    await http_bot.slack.wait_for("chat.postMessage", count=1)
    assert len(replies(http_bot, "D1")) == 2  # one reply to each message, none twice


async def test_a_reply_slack_posted_before_answering_5xx_is_not_posted_again(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.adapters.slack")
    # A gateway in front of Slack timed out after Slack had posted the reply behind it.
    http_bot.slack.fail("chat.postMessage", status=504, error="", body="timeout", after_effect=True)

    await http_bot.send_event(mention("Is college still worth it?", ts="1769.1"), "Ev504")

    [looked] = await http_bot.slack.wait_for("conversations.replies")
    assert (looked.params["channel"], looked.params["ts"]) == ("C1", "1769.1")
    await http_bot.send_event(mention("What skills matter most?", ts="1769.2"), "EvNext")
    await http_bot.slack.wait_for("chat.postMessage", count=1)
    [only, later] = replies(http_bot, "C1")
    assert only["metadata"] == {"event_type": REPLY_EVENT, "event_payload": {"key": "Ev504"}}
    assert later["thread_ts"] == "1769.2"
    assert [c.status for c in http_bot.slack.calls_to("chat.postMessage")] == [504, 200]
    assert any(r.message.startswith("the reply was posted after all") for r in caplog.records)


async def test_a_private_reply_is_not_sent_again_after_its_connection_dropped(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    # A bare mention gets help with chat.postEphemeral, which no history shows: once the
    # request went out, sending it again could only show it twice.
    http_bot.slack.reset("chat.postEphemeral", after_effect=True)

    await http_bot.send_event(mention("", ts="1769.1"), "EvHelp")

    assert [c.status for c in await sent(http_bot, caplog, "chat.postEphemeral")] == [0]


async def test_a_private_reply_slack_answered_5xx_is_sent_again(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    # Slack's 503 says nothing was posted; a reply only the member sees twice beats none.
    http_bot.slack.fail("chat.postEphemeral", status=503, error="service_unavailable")

    await http_bot.send_event(mention("", ts="1769.1"), "EvHelp")

    assert [c.status for c in await sent(http_bot, caplog, "chat.postEphemeral")] == [503, 200]


async def test_a_command_answer_slack_answered_5xx_is_sent_again(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    http_bot.slack.fail("response:cmd", status=503, error="service_unavailable")

    status, _ = await http_bot.send_command("Is college still worth it?")

    assert status == 200
    assert [c.status for c in await sent(http_bot, caplog, "response:cmd")] == [503, 200]


async def test_a_command_answer_is_not_sent_again_after_its_connection_dropped(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    http_bot.slack.reset("response:cmd", after_effect=True)

    status, _ = await http_bot.send_command("Is college still worth it?")

    assert status == 200
    # The answer once, its fate unknown: neither it nor an apology is sent after it.
    assert [c.status for c in await sent(http_bot, caplog, "response:cmd")] == [0]
