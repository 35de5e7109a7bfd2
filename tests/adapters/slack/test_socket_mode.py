"""The real slack-bolt AsyncApp over Socket Mode through our service, against a fake Slack."""

from __future__ import annotations

import pytest

from bot.adapters.slack.client import RetryPolicy
from bot.adapters.slack.service import SlackService
from bot.answers import Answers
from bot.settings import SettingsError
from tests.adapters.slack.conftest import (
    APP_TOKEN,
    BOT_TOKEN,
    command_payload,
    direct_message,
    event_callback,
    mention,
    running,
    slack_service,
)
from tests.fakes.slack_api import FakeSlack


async def test_mention_envelope_is_acked_and_answered_in_its_thread(
    slack: FakeSlack, socket_bot: SlackService
) -> None:
    envelope = await slack.send_envelope(
        event_callback(mention("Is OpenAI going to hire fewer people?", ts="1769.5"), "Ev1")
    )
    assert await slack.wait_for_ack(envelope) == {"envelope_id": envelope}
    [post] = await slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "C1"
    assert post.params["thread_ts"] == "1769.5"
    assert post.params["blocks"][0]["text"]["text"] == "Changes in Software Engineer Hiring"


async def test_connection_asks_for_the_socket_with_the_app_token(
    slack: FakeSlack, socket_bot: SlackService
) -> None:
    [auth] = slack.calls_to("auth.test")[:1]
    [opened] = slack.calls_to("apps.connections.open")
    assert auth.token == BOT_TOKEN
    assert opened.token == APP_TOKEN
    assert socket_bot.health() == {"mode": "socket", "connected": True}


async def test_redelivered_envelope_with_retry_attempt_is_answered_once(
    slack: FakeSlack, socket_bot: SlackService
) -> None:
    body = event_callback(direct_message("Is college still worth it?"), "EvSame")
    first = await slack.send_envelope(body)
    again = await slack.send_envelope(body, retry_attempt=1)
    assert await slack.wait_for_ack(first) == {"envelope_id": first}
    assert await slack.wait_for_ack(again) == {"envelope_id": again}
    # A later question is answered; the re-delivery, had it been, would have come first.
    later = event_callback(direct_message("What skills matter most in the AI era?"), "EvNext")
    await slack.send_envelope(later)
    posts = await slack.wait_for("chat.postMessage", count=2)
    firsts = [p.params["blocks"][2]["elements"][0]["text"] for p in posts]
    assert firsts == ["Topic 18", "Topic 22"]


async def test_slash_command_without_text_gets_help_in_the_ack_payload(
    slack: FakeSlack, socket_bot: SlackService
) -> None:
    envelope = await slack.send_envelope(
        command_payload("", slack.response_url("cmd")), kind="slash_commands"
    )
    ack = await slack.wait_for_ack(envelope)
    assert ack["payload"]["response_type"] == "ephemeral"
    assert ack["payload"]["blocks"][0]["text"]["text"] == "Town Hall 봇 / Town Hall bot"


async def test_slash_command_is_acked_empty_then_answered_through_response_url(
    slack: FakeSlack, socket_bot: SlackService
) -> None:
    envelope = await slack.send_envelope(
        command_payload("AI 시대에 가장 중요한 스킬은 무엇인가요?", slack.response_url("cmd")),
        kind="slash_commands",
    )
    assert await slack.wait_for_ack(envelope) == {"envelope_id": envelope}
    [reply] = await slack.wait_for("response:cmd")
    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["blocks"][1]["text"]["text"] == "AI 시대에 가장 중요한 스킬"


async def test_refused_app_token_stops_the_start_naming_slack_app_token(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy
) -> None:
    slack.refused_tokens.add(APP_TOKEN)
    service = slack_service(slack, answers, policy, socket=True)
    with pytest.raises(SettingsError, match=r"^SLACK_APP_TOKEN: Slack refused the token"):
        async with running(service):
            pass
    assert slack.calls_to("apps.connections.open")[0].token == APP_TOKEN


async def test_refused_bot_token_stops_the_start_naming_slack_bot_token(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy
) -> None:
    slack.refused_tokens.add(BOT_TOKEN)
    service = slack_service(slack, answers, policy, socket=True)
    with pytest.raises(SettingsError, match=r"^SLACK_BOT_TOKEN: Slack refused the token"):
        async with running(service):
            pass
    assert slack.calls_to("apps.connections.open") == []


@pytest.mark.parametrize("body", ["[1, 2]", '"oops"'])
@pytest.mark.parametrize("method", ["auth.test", "apps.connections.open"])
async def test_an_answer_that_is_not_slacks_web_api_stops_the_start_naming_slack_api_url(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy, method: str, body: str
) -> None:
    slack.fail(method, status=200, error="", body=body, content_type="application/json")
    service = slack_service(slack, answers, policy, socket=True)
    with pytest.raises(ConnectionError) as stopped:
        async with running(service):
            pass
    assert str(stopped.value) == (
        f"SLACK_API_URL answered something that is not Slack's Web API (HTTP 200) to {method}"
    )


async def test_a_page_with_no_error_code_for_the_socket_stops_the_start_with_its_status(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy
) -> None:
    # slack_sdk's Socket Mode client reads e.response["error"], a TypeError for a text page.
    slack.fail("apps.connections.open", status=403, error="", body="Forbidden")
    service = slack_service(slack, answers, policy, socket=True)
    with pytest.raises(ConnectionError, match=r"^Slack did not open a socket: HTTP 403$"):
        async with running(service):
            pass


async def test_a_huge_error_code_from_slack_is_cut_in_the_start_error(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy
) -> None:
    slack.fail("auth.test", status=200, error="bad\n" + "x" * 2_000_000)
    service = slack_service(slack, answers, policy, socket=True)
    with pytest.raises(ConnectionError) as stopped:
        async with running(service):
            pass
    assert str(stopped.value) == f"Slack did not accept auth.test: bad{'x' * 94}..."
