"""The slack-bolt AsyncApp of the bot, built from the settings and the answer engine."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.adapters.slack.client import RetryPolicy, web_client
from bot.adapters.slack.events import Deliveries, RecentEvents
from bot.adapters.slack.listeners import register
from bot.engine import AnswerEngine
from bot.settings import SlackSettings


def build_app(
    slack: SlackSettings,
    engine: AnswerEngine,
    *,
    policy: RetryPolicy | None = None,
    deliveries: Deliveries | None = None,
) -> AsyncApp:
    """An AsyncApp answering mentions, DMs and /townhall; raises SettingsError if incomplete."""
    mode = slack.mode()
    assert slack.bot_token is not None  # mode() checked it
    policy = policy or RetryPolicy()
    # Every credential is passed in, so bolt never falls back to reading the environment.
    secret = slack.signing_secret.get_secret_value() if slack.signing_secret else ""
    app = AsyncApp(
        name="townhall",
        client=web_client(slack.bot_token.get_secret_value(), slack.api_url, policy),
        # Socket Mode requests come over the authenticated socket and are not signed.
        signing_secret=secret if mode == "http" else "",
    )
    register(app, engine, deliveries=deliveries or RecentEvents(policy.clock), policy=policy)
    return app
