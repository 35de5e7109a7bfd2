"""A fake Slack and the real slack-bolt app running through our adapter, in both modes."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.client import RetryPolicy
from bot.adapters.slack.service import SlackService
from bot.answers import Answers
from bot.settings import SlackApp, SlackSettings
from tests.fakes.clock import ManualClock
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSlack

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
SIGNING_SECRET = "test-signing-secret"


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll `predicate` (for things the fake cannot wait on, such as log records)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


@pytest.fixture(autouse=True)
async def no_task_left_behind() -> AsyncIterator[None]:
    """Every test ends with its servers, handlers and listener tasks finished."""
    yield
    # Listener tasks may still be finishing their last await; give them a few turns.
    for _ in range(100):
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if not left:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"tasks still running after the test: {left}")


@pytest.fixture
def clock() -> ManualClock:
    """The bot's clock: starts now (Slack signs with real time), jumps over every wait."""
    return ManualClock(dt.datetime.now(dt.UTC))


@pytest.fixture
def policy(clock: ManualClock) -> RetryPolicy:
    """The default retry counts, without jitter, waits taken on the manual clock."""
    return RetryPolicy(jitter=0.0, clock=clock)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def slack_settings(slack: FakeSlack, *, socket: bool, ask_cooldown: float = 0) -> SlackApp:
    """The app's settings for the fake, ignoring any SLACK_* variable or .env of the machine."""
    settings = SlackSettings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=BOT_TOKEN,
        app_token=APP_TOKEN if socket else None,
        signing_secret=None if socket else SIGNING_SECRET,
        api_url=slack.api_url,
        ask_cooldown=ask_cooldown,
    )
    app = settings.app()
    assert app is not None
    return app


@contextlib.asynccontextmanager
async def running(service: SlackService) -> AsyncIterator[SlackService]:
    """Run `service` until the block ends, then stop it and wait for it to finish."""
    task = asyncio.create_task(service.run())
    ready = asyncio.create_task(service.ready.wait())
    try:
        await asyncio.wait([task, ready], timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # raises why it stopped
        assert service.ready.is_set(), "the Slack service did not start"
        yield service
    finally:
        ready.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@dataclass
class HttpBot:
    """The bot served over HTTP, and a way to send it signed requests like Slack does."""

    slack: FakeSlack
    service: SlackService
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        assert self.service.address is not None
        host, port = self.service.address
        return f"http://{host}:{port}"

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """POST `body` to /slack/events signed with `secret`; return status and body."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            **(headers or {}),
        }
        async with self.session.post(
            f"{self.url}/slack/events", data=body, headers=all_headers
        ) as response:
            return response.status, await response.text()

    async def send_event(
        self, event: dict[str, Any], event_id: str, *, retry_num: int | None = None
    ) -> int:
        """Deliver an Events API callback; a retry carries X-Slack-Retry-Num like Slack's."""
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "timeout"}
        body = json.dumps(event_callback(event, event_id)).encode()
        status, _ = await self.post(body, "application/json", headers=headers)
        return status

    async def send_command(self, text: str, response: str = "cmd") -> tuple[int, str]:
        """Run /townhall `text` as member U1 in channel C1; replies go to response `response`."""
        body = urlencode(command_payload(text, self.slack.response_url(response))).encode()
        return await self.post(body, "application/x-www-form-urlencoded")

    async def press(self, payload: dict[str, Any]) -> int:
        """Deliver a block_actions payload (a button press) as Slack posts it."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        status, _ = await self.post(body, "application/x-www-form-urlencoded")
        return status


def slack_service(
    slack: FakeSlack,
    answers: Answers,
    policy: RetryPolicy,
    *,
    socket: bool,
    ask_cooldown: float = 0,
) -> SlackService:
    """The service as `townhall serve` builds it, for the fake, on the policy's clock."""
    return SlackService.from_settings(
        slack_settings(slack, socket=socket, ask_cooldown=ask_cooldown),
        answers=answers,
        clock=policy.clock,
        host="127.0.0.1",
        port=0,
        policy=policy,
    )


@contextlib.asynccontextmanager
async def serving_http(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy, *, ask_cooldown: float = 0
) -> AsyncIterator[HttpBot]:
    """The bot in HTTP mode over `answers`, and a client to send it Slack's requests."""
    service = slack_service(slack, answers, policy, socket=False, ask_cooldown=ask_cooldown)
    async with running(service), aiohttp.ClientSession() as session:
        yield HttpBot(slack, service, session)


@pytest.fixture
async def http_bot(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy
) -> AsyncIterator[HttpBot]:
    async with serving_http(slack, answers, policy) as bot:
        yield bot


@pytest.fixture
async def socket_bot(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy
) -> AsyncIterator[SlackService]:
    service = slack_service(slack, answers, policy, socket=True)
    async with running(service):
        await slack.wait_connected()
        yield service


def event_callback(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    """An Events API `event_callback` body around `event`."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0TOWNHALL",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1_769_000_000,
        "authorizations": [
            {
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }


def mention(
    text: str, *, ts: str = "1769000000.000100", thread_ts: str | None = None
) -> dict[str, Any]:
    """An app_mention of the bot by member U1 in channel C1."""
    event = {
        "type": "app_mention",
        "user": "U1",
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": "C1",
        "event_ts": ts,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def direct_message(text: str, *, ts: str = "1769000001.000200", **extra: Any) -> dict[str, Any]:
    """A message.im event from member U1 in the DM channel D1."""
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": text,
        "ts": ts,
        "channel": "D1",
        "event_ts": ts,
        **extra,
    }


def command_payload(text: str, response_url: str) -> dict[str, str]:
    """The form fields Slack posts for /townhall."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "townhall-test",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": "U1",
        "user_name": "member",
        "command": "/townhall",
        "text": text,
        "api_app_id": "A0TOWNHALL",
        "response_url": response_url,
        "trigger_id": "1.2.3",
    }


def button_press(
    button: dict[str, Any],
    *,
    channel: str = "C1",
    message: dict[str, Any] | None = None,
    response_url: str = "",
) -> dict[str, Any]:
    """The block_actions payload of member U1 pressing `button` on a message.

    `message` is the message as posted (then the press is on a message in the channel);
    without it the message was ephemeral (a /townhall answer), as Slack reports those.
    """
    # Slack names the block the button is in; the row's id when the message is known.
    block_id = next(
        (
            str(block.get("block_id", "b"))
            for block in (message or {}).get("blocks", [])
            if button in block.get("elements", [])
        ),
        "b",
    )
    container: dict[str, Any] = {
        "type": "message",
        "channel_id": channel,
        "is_ephemeral": message is None,
        "message_ts": (message or {}).get("ts", "1769000099.000100"),
    }
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": "U1"},
        "api_app_id": "A0TOWNHALL",
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": "1.2.3",
        "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": block_id,
                "text": button["text"],
                "value": button.get("value"),
                "type": "button",
                "action_ts": "1769000100.000100",
            }
        ],
    }
    if message is not None:
        payload["message"] = message
    return payload


def topic_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The topic buttons of a posted message, in order."""
    return [
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith("townhall_topic")
    ]


def all_text(params: dict[str, Any]) -> str:
    """Every string a posted message carries (text and blocks), to look for live mentions."""
    return json.dumps(
        {"text": params.get("text"), "blocks": params.get("blocks")}, ensure_ascii=False
    )
