"""Requests to /slack/events that Slack did not sign: refused, never acted on, never logged."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from tests.adapters.slack.conftest import (
    SIGNING_SECRET,
    HttpBot,
    command_payload,
    event_callback,
    mention,
)


class Attacker:
    """A server the attacker controls; the bot must never call it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.url = ""

    async def record(self, request: web.Request) -> web.Response:
        self.hits.append(request.path)
        return web.Response(text="ok")


@pytest.fixture
async def attacker() -> AsyncIterator[Attacker]:
    seen = Attacker()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", seen.record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    seen.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield seen
    await runner.cleanup()


async def post_raw(bot: HttpBot, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with bot.session.post(f"{bot.url}/slack/events", data=body, headers=headers) as reply:
        return reply.status, await reply.text()


def attack_bodies(response_url: str) -> list[tuple[bytes, str]]:
    """A slash command, an interaction and an event, each naming the attacker's URL."""
    command = urlencode(command_payload("hiring?", response_url)).encode()
    action = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "response_url": response_url,
        "actions": [{"action_id": "x", "block_id": "b", "type": "button"}],
    }
    interaction = ("payload=" + json.dumps(action)).encode()
    event = event_callback(mention("hiring?"), "EvAttack") | {"response_url": response_url}
    form = "application/x-www-form-urlencoded"
    return [(command, form), (interaction, form), (json.dumps(event).encode(), "application/json")]


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "12.5", " 1769000000", "-1", "0x10"])
async def test_malformed_timestamp_is_refused_and_no_url_from_the_body_is_called(
    http_bot: HttpBot, attacker: Attacker, timestamp: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for body, content_type in attack_bodies(attacker.url):
        # Signed with the right secret over the bad timestamp: only its shape is wrong.
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(
            timestamp=timestamp, body=body
        )
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature or "v0=0",
        }
        status, _ = await post_raw(http_bot, body, headers)
        assert status == 401
    await asyncio.sleep(0.2)  # a listener would have called out by now
    assert attacker.hits == []
    assert [c.method for c in http_bot.slack.calls] == ["auth.test"]  # at start only
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if r.exc_info]
    assert all(attacker.url not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "{now}"},
        {"X-Slack-Signature": "v0=deadbeef"},
        {"X-Slack-Request-Timestamp": "{now}", "X-Slack-Signature": "v0=deadbeef"},
        {"X-Slack-Request-Timestamp": "{now}", "X-Slack-Signature": ""},
        {"X-Slack-Request-Timestamp": "{future}", "X-Slack-Signature": "{signed}"},
        {"X-Slack-Request-Timestamp": "{old}", "X-Slack-Signature": "{signed}"},
    ],
    ids=["none", "no-signature", "no-timestamp", "wrong", "empty", "future", "replayed"],
)
async def test_unsigned_request_is_refused_without_acting(
    http_bot: HttpBot, attacker: Attacker, headers: dict[str, str]
) -> None:
    now = int(time.time())
    times = {"{now}": str(now), "{future}": str(now + 3600), "{old}": str(now - 3600)}
    for body, content_type in attack_bodies(attacker.url):
        sent = {"Content-Type": content_type}
        for name, template in headers.items():
            value = times.get(template, template)
            if value == "{signed}":
                stamp = sent["X-Slack-Request-Timestamp"]
                verifier = SignatureVerifier(SIGNING_SECRET)
                value = verifier.generate_signature(timestamp=stamp, body=body) or ""
            sent[name] = value
        status, _ = await post_raw(http_bot, body, sent)
        assert status == 401
    await asyncio.sleep(0.2)
    assert attacker.hits == []
    assert [c.method for c in http_bot.slack.calls] == ["auth.test"]  # at start only


async def test_signed_command_still_answers_through_the_gate(
    http_bot: HttpBot, attacker: Attacker
) -> None:
    status, _ = await http_bot.send_command("Is college still worth it?")
    assert status == 200
    [reply] = await http_bot.slack.wait_for("response:cmd")
    assert reply.params["response_type"] == "ephemeral"
    assert attacker.hits == []
