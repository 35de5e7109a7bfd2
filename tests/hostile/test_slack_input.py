"""What a member types to the Slack app, shown back: escaped, never a live link or preview."""

from __future__ import annotations

import json
import re

import pytest

from tests.adapters.slack.conftest import HttpBot, all_text, direct_message, mention

LIVE = re.compile(r"<(?:https?://|mailto:|!|@|#)")
QUESTIONS = [
    "hiring? <https://evil.example|the official answer>",
    "hiring? https://evil.example/phish",
    "hiring? <!channel> <@U0ADMIN> <#C0GENERAL> <!subteam^S1>",
    "hiring? <mailto:boss@example.com|mail>",
    "*bold* _it_ ~gone~ `code` > quote hiring?",
]


@pytest.mark.parametrize("question", QUESTIONS)
async def test_a_slash_command_echo_is_escaped_verbatim_and_never_unfurled(
    http_bot: HttpBot, question: str
) -> None:
    await http_bot.send_command(question)

    [reply] = await http_bot.slack.wait_for("response:cmd")
    echo = reply.params["blocks"][0]["elements"][0]
    assert echo["verbatim"] is True  # Slack links nothing in it by itself
    assert LIVE.search(all_text(reply.params)) is None
    assert (reply.params["unfurl_links"], reply.params["unfurl_media"]) == (False, False)


@pytest.mark.parametrize("question", QUESTIONS)
async def test_an_answer_to_a_mention_is_never_unfurled_and_carries_nothing_live(
    http_bot: HttpBot, question: str
) -> None:
    await http_bot.send_event(mention(question), "Ev1")
    await http_bot.send_event(direct_message(question), "Ev2")

    posts = await http_bot.slack.wait_for("chat.postMessage", count=2)
    for post in posts:
        assert (post.params["unfurl_links"], post.params["unfurl_media"]) == (False, False)
        sent = json.dumps(post.params["blocks"], ensure_ascii=False) + post.params["text"]
        assert "evil.example" not in sent
        assert LIVE.search(sent.replace("<https://youtu.be/", "")) is None
