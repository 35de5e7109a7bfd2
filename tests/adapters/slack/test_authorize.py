"""Bolt's authorize step: the identity checked at start, never another auth.test per request."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.app import BotIdentity, build_app
from bot.adapters.slack.client import RetryPolicy
from bot.adapters.slack.events import RecentEvents
from bot.adapters.slack.render import error_message
from bot.adapters.slack.service import SlackService
from bot.answers import Answers
from bot.pace import Pace
from bot.runtime import InFlight
from tests.adapters.slack.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    HttpBot,
    command_payload,
    event_callback,
    mention,
    slack_settings,
)
from tests.fakes.slack_api import FakeSlack


async def test_an_auth_test_outage_after_start_does_not_lose_a_question(http_bot: HttpBot) -> None:
    # The start checked the token; then Slack has a brief outage.
    http_bot.slack.fail("auth.test", status=503, error="service_unavailable", times=3)

    status, text = await http_bot.send_command("Is college still worth it?")

    assert (status, text) == (200, "")
    [answer] = await http_bot.slack.wait_for("response:cmd")
    assert answer.params["blocks"][1]["text"]["text"] == "The Value of a College Education"
    assert len(http_bot.slack.calls_to("auth.test")) == 1  # the start's own check


async def test_events_over_socket_mode_never_call_auth_test_again(
    slack: FakeSlack, socket_bot: SlackService
) -> None:
    for n in range(3):
        await slack.send_envelope(event_callback(mention("hiring?", ts=f"1769.{n}"), f"Ev{n}"))
    await slack.wait_for("chat.postMessage", count=3)

    assert len(slack.calls_to("auth.test")) == 1  # the start's own check


async def test_a_request_bolt_cannot_authorize_gets_the_bots_own_apology(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    # The identity is not known yet (no start check): bolt apologises in the bot's words.
    settings = slack_settings(slack, socket=False)
    app = build_app(
        settings,
        answers,
        policy=policy,
        deliveries=RecentEvents(policy.clock),
        in_flight=InFlight(),
        pace=Pace(policy.clock, 0),
        identity=BotIdentity(BOT_TOKEN),
    )
    # Nor does bolt warn that the client's token is ignored: authorize hands it out.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")] == []
    body = urlencode(command_payload("hiring?", slack.response_url("cmd")))
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    request = AsyncBoltRequest(
        body=body,
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": timestamp,
            "x-slack-signature": signature,
        },
    )

    response = await app.async_dispatch(request)

    assert (response.status, response.body) == (200, "")
    [apology] = await slack.wait_for("response:cmd")
    assert apology.params["text"] == error_message().text
    assert slack.calls_to("auth.test") == []
