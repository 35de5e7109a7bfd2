"""The slack-bolt AsyncApp of the bot, built from the Slack settings and the answers."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.logger.messages import (
    warning_client_prioritized_and_token_skipped,
    warning_token_skipped,
)
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.slack.client import RetryPolicy, web_client
from bot.adapters.slack.events import Deliveries
from bot.adapters.slack.listeners import register
from bot.adapters.slack.render import error_message
from bot.answers import Answers
from bot.pace import Pace
from bot.runtime import InFlight
from bot.settings import HttpMode, SlackApp
from bot.usage import UsageRecorder


class _TokenIgnoredWarnings(logging.Filter):
    """Drops bolt's "`token` will be unused" / "will be ignored" warnings.

    We hand bolt a client and never a token, but AsyncApp reads SLACK_BOT_TOKEN from the
    environment on its own and then warns that it ignores it; and with `authorize` given it
    warns that the client's token is ignored, though every request's client gets that same
    token from BotIdentity. Nothing an admin can act on.
    """

    messages = frozenset({warning_client_prioritized_and_token_skipped(), warning_token_skipped()})

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but those warnings."""
        return record.getMessage() not in self.messages


class BotIdentity(AsyncAuthorize):
    """Bolt's authorize step: the bot's identity as `auth.test` gave it at start.

    Without it bolt calls auth.test again on the first request, and a brief Slack outage
    then showed the member bolt's own "please reinstall this app" and lost the question.
    """

    def __init__(self, bot_token: str) -> None:
        self.bot_token = bot_token
        self.result: AuthorizeResult | None = None

    def remember(self, auth_test: AsyncSlackResponse) -> None:
        """Keep what the start's auth.test said, for every request from now on."""
        self.result = AuthorizeResult.from_auth_test_response(
            bot_token=self.bot_token, auth_test_response=auth_test
        )

    async def __call__(self, **request: Any) -> AuthorizeResult | None:
        """The identity checked at start; None (bolt then apologises) before that check."""
        return self.result


_BOLT_LOGGER = logging.getLogger(f"slack_bolt.{AsyncApp.__name__}")
if not any(isinstance(f, _TokenIgnoredWarnings) for f in _BOLT_LOGGER.filters):
    _BOLT_LOGGER.addFilter(_TokenIgnoredWarnings())


def build_app(
    slack: SlackApp,
    answers: Answers,
    *,
    policy: RetryPolicy,
    deliveries: Deliveries,
    in_flight: InFlight,
    pace: Pace,
    identity: BotIdentity,
    usage: UsageRecorder | None = None,
) -> AsyncApp:
    """An AsyncApp answering mentions, DMs and /townhall, authorized by `identity`."""
    # Every credential is passed in, so bolt never falls back to reading the environment.
    # Socket Mode requests come over the authenticated socket and are not signed.
    connection = slack.connection
    secret = (
        connection.signing_secret.get_secret_value() if isinstance(connection, HttpMode) else ""
    )
    app = AsyncApp(
        name="townhall",
        client=web_client(slack.bot_token.get_secret_value(), slack.api_url, policy),
        signing_secret=secret,
        # bolt uses an AsyncAuthorize as it is given; its annotation names only functions.
        authorize=identity,  # type: ignore[arg-type]
        # Shown if bolt cannot authorize a request after all: the bot's own words, not bolt's
        # "reinstall this app", which would send an admin after the wrong problem.
        user_facing_authorize_error_message=error_message().text,
    )
    register(
        app,
        answers,
        deliveries=deliveries,
        policy=policy,
        in_flight=in_flight,
        usage=usage,
        pace=pace,
    )
    return app
