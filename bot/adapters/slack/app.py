"""The slack-bolt AsyncApp of the bot, built from the Slack settings and the answers."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot.adapters.slack.client import RetryPolicy, web_client
from bot.adapters.slack.events import Deliveries
from bot.adapters.slack.listeners import register
from bot.answers import Answers
from bot.pace import Pace
from bot.runtime import InFlight
from bot.settings import HttpMode, SlackApp
from bot.usage import UsageRecorder


class _TokenFromEnvironmentIgnored(logging.Filter):
    """Drops bolt's "`token` will be unused" warning.

    We hand bolt a client and never a token, but AsyncApp reads SLACK_BOT_TOKEN from the
    environment on its own and then warns that it ignores it: nothing an admin can act on.
    """

    message = warning_client_prioritized_and_token_skipped()

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but that warning."""
        return record.getMessage() != self.message


_BOLT_LOGGER = logging.getLogger(f"slack_bolt.{AsyncApp.__name__}")
if not any(isinstance(f, _TokenFromEnvironmentIgnored) for f in _BOLT_LOGGER.filters):
    _BOLT_LOGGER.addFilter(_TokenFromEnvironmentIgnored())


def build_app(
    slack: SlackApp,
    answers: Answers,
    *,
    policy: RetryPolicy,
    deliveries: Deliveries,
    in_flight: InFlight,
    pace: Pace,
    usage: UsageRecorder | None = None,
) -> AsyncApp:
    """An AsyncApp answering mentions, DMs and /townhall."""
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
