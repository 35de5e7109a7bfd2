"""The Slack adapter: mentions, DMs and /townhall answered from the engine, and insights."""

from bot.adapters.slack.app import build_app
from bot.adapters.slack.client import RetryPolicy, web_client
from bot.adapters.slack.listeners import register
from bot.adapters.slack.publish import SlackInsightPublisher
from bot.adapters.slack.service import SlackService

__all__ = [
    "RetryPolicy",
    "SlackInsightPublisher",
    "SlackService",
    "build_app",
    "register",
    "web_client",
]
