"""Signed requests Slack's servers would never send: refused cleanly, nothing acted on.

Each body is signed with the right secret, so only its content is wrong. The answer is a
4xx (never a 500), no traceback is logged, and the bot calls no Web API method.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import pytest

from tests.adapters.slack.conftest import SIGNING_SECRET, HttpBot, event_callback, mention

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def signed_headers(body: bytes, content_type: str) -> dict[str, str]:
    """Slack's signature over the raw bytes (computed here: slack_sdk needs UTF-8)."""
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }


async def post(bot: HttpBot, body: bytes, content_type: str) -> int:
    headers = signed_headers(body, content_type)
    async with bot.session.post(f"{bot.url}/slack/events", data=body, headers=headers) as reply:
        await reply.read()
        return reply.status


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", JSON),
        (b"[]", JSON),
        (b'"a string"', JSON),
        (b"payload=%7Bnot-json", FORM),
        (b"payload=%5B%5D", FORM),
        (b"\xff\xfe\xfa", JSON),
        (b"payload=\xff\xfe", FORM),
        (b'{"type":"event_callback","event":"a string","event_id":"Ev1"}', JSON),
        (("payload=" + json.dumps({"type": "block_actions", "actions": "x"})).encode(), FORM),
    ],
    ids=[
        "broken-json",
        "json-list",
        "json-string",
        "broken-form-payload",
        "form-payload-list",
        "not-utf8-json",
        "not-utf8-form",
        "event-not-an-object",
        "actions-not-a-list",
    ],
)
async def test_a_signed_but_malformed_body_gets_a_400_and_nothing_else(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.DEBUG)

    assert await post(http_bot, body, content_type) == 400

    await asyncio.sleep(0.1)  # a listener would have called out by now
    assert [c.method for c in http_bot.slack.calls] == ["auth.test"]  # at start only
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_an_oversized_body_is_refused_before_it_is_read(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    question = "hiring? " * 200_000  # 1.6 MB, past aiohttp's 1 MiB limit
    body = json.dumps(event_callback(mention(question), "EvBig")).encode()

    assert await post(http_bot, body, JSON) == 413

    await asyncio.sleep(0.1)
    assert [c.method for c in http_bot.slack.calls] == ["auth.test"]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_command_without_a_response_url_is_acked_and_left_alone(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    body = urlencode({"command": "/townhall", "text": "hiring?", "user_id": "U1"}).encode()

    assert await post(http_bot, body, FORM) == 200

    await asyncio.sleep(0.1)
    # bolt asks auth.test who it is for the request; nothing is posted anywhere.
    assert {c.method for c in http_bot.slack.calls} == {"auth.test"}
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize("escape", ["\\udceb", "\\ud800", "\\udfff"])
async def test_a_lone_surrogate_in_a_mention_still_gets_an_answer(
    http_bot: HttpBot, escape: str
) -> None:
    # JSON may carry a "\\udcxx" escape; decoded, it is a string that cannot be encoded.
    text = json.dumps(event_callback(mention("hiring at OpenAI? XX"), "EvBad"))
    body = text.replace("XX", escape).encode()

    assert await post(http_bot, body, JSON) == 200

    [answer] = await http_bot.slack.wait_for("chat.postMessage")
    assert answer.params["channel"] == "C1"
    assert answer.params["blocks"]
