"""The daily insight on Slack: post it marked with its key, and find an earlier post of it."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Awaitable
from contextlib import aclosing
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.client import RetryPolicy, error_code, http_status, web_client
from bot.adapters.slack.render import insight_message
from bot.clock import Clock
from bot.insight import Insight, InsightMark, InsightPublisher, PublishError
from bot.settings import SlackApp

log = logging.getLogger(__name__)

# Message metadata marks our insight posts, so a restart never posts the same day twice.
EVENT_TYPE = "townhall_insight"
HISTORY_PAGE = 200
# How far back to look: the insight's day and the day before, whatever the time zone.
LOOKBACK = timedelta(days=1)

# Slack-side trouble that may pass; everything else needs an admin (invite, scope, channel).
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)

T = TypeVar("T")


def web_publisher(app: SlackApp, clock: Clock) -> SlackInsightPublisher:
    """A publisher over the Web API alone (no events): for `townhall insight --retry`.

    Its client retries rate limits and server errors as serve's does, waiting on `clock`.
    """
    client = web_client(app.bot_token.get_secret_value(), app.api_url, RetryPolicy(clock=clock))
    return SlackInsightPublisher(client)


class SlackInsightPublisher:
    """Posts insights with a Web API client and recognises its own earlier posts."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient, *, max_pages: int = 10) -> None:
        self.client = client
        self.max_pages = max_pages
        self._bot_user_id: str | None = None

    async def post(self, channel: str, insight: Insight) -> str:
        """Post `insight` to `channel` with its key in the message metadata; return the ts."""
        message = insight_message(insight)
        response = await _calling(
            channel,
            self.client.chat_postMessage(
                channel=channel,
                metadata={
                    "event_type": EVENT_TYPE,
                    "event_payload": {"key": insight.key, "number": insight.number},
                },
                unfurl_links=False,
                unfurl_media=False,
                **message.as_arguments(),
            ),
        )
        return str(response["ts"])

    async def find_posted(self, channel: str, insight: Insight) -> str | None:
        """The ts of this bot's insight post for `insight.day` in `channel`, whatever its topic,
        if it is in recent history (the day may have been dealt again since a lost record)."""
        me = await self._me(channel)
        oldest = datetime.combine(insight.day - LOOKBACK, time(), tzinfo=UTC).timestamp()
        # Closed at once on an early return, not whenever the garbage collector gets to it.
        async with aclosing(self._history(channel, oldest=str(oldest))) as history:
            async for message in history:
                if _is_our_insight(message, me, insight.day):
                    return str(message["ts"])
        return None

    async def latest_mark(self, channel: str) -> InsightMark | None:
        """The day and number of this bot's newest insight post in `channel`'s recent history.

        Only posts that carry their number in the metadata count (every post since it did).
        """
        me = await self._me(channel)
        async with aclosing(self._history(channel)) as history:
            async for message in history:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if message.get("user") != me or metadata.get("event_type") != EVENT_TYPE:
                    continue
                try:
                    return InsightMark.read(str(payload.get("key", "")), int(payload["number"]))
                except (KeyError, TypeError, ValueError):
                    continue
        return None

    async def _history(
        self, channel: str, *, oldest: str | None = None
    ) -> AsyncGenerator[dict[str, Any], None]:
        """`channel`'s messages newest first (with metadata), up to `max_pages` pages."""
        cursor: str | None = None
        for _ in range(self.max_pages):
            page = await _calling(
                channel,
                self.client.conversations_history(
                    channel=channel,
                    include_all_metadata=True,
                    oldest=oldest,
                    limit=HISTORY_PAGE,
                    cursor=cursor,
                ),
            )
            for message in page.get("messages") or []:
                yield message
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return
        log.warning(
            "stopped looking back through the channel's history",
            extra={"channel": channel, "pages": self.max_pages},
        )

    async def _me(self, channel: str) -> str:
        if self._bot_user_id is None:
            identity = await _calling(channel, self.client.auth_test())
            self._bot_user_id = str(identity["user_id"])
        return self._bot_user_id


def _is_our_insight(message: dict[str, Any], me: str, day: date) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return (
        message.get("user") == me
        and metadata.get("event_type") == EVENT_TYPE
        and str(payload.get("key", "")).startswith(f"{day.isoformat()}/")
    )


async def _calling(channel: str, call: Awaitable[T]) -> T:
    """Await one Web API call (already retried by the client), mapping failures to PublishError."""
    try:
        return await call
    except SlackApiError as exc:
        # error_code: a text body (a proxy's page) has no code, and a long code is cut.
        status, code = http_status(exc), error_code(exc)
        retry = code in RETRYABLE_ERRORS or status == 429 or (status or 0) >= 500
        raise PublishError(
            f"Slack refused the call for channel {channel}: {code}", retry=retry
        ) from exc
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise PublishError(
            f"could not reach Slack for channel {channel}: {type(exc).__name__}", retry=True
        ) from exc


if TYPE_CHECKING:
    # mypy proves the class satisfies the protocol the scheduler uses.
    _protocol_check: InsightPublisher = SlackInsightPublisher(AsyncWebClient())
