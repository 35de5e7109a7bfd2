"""Posting a reply exactly once, even when the connection drops after Slack took it.

Each reply carries message metadata naming what it answers (the event id). When a post
fails in a way that does not say whether Slack posted it (the connection dropped after
the request went out, or a 5xx: a gateway may time out behind which Slack posted), the bot
looks for its reply in the thread or channel before it posts again; the Web API client
itself never re-sends a post (see client.py).
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.client import RETRYABLE_STATUS, RetryPolicy, http_status
from bot.adapters.slack.render import SlackMessage

log = logging.getLogger(__name__)

# The metadata event type of the bot's replies; the payload's "key" names what it answers.
REPLY_EVENT = "townhall_reply"
# Every reply the bot posts for members: a link in a question or the knowledge never
# unfolds into a preview.
NO_PREVIEWS: dict[str, Any] = {"unfurl_links": False, "unfurl_media": False}
# How far back a reply is looked for in a channel (a thread is read whole).
RECENT = 50
# Failures after which the post may or may not be in Slack. A refused connection
# (ClientConnectorError) is not one: that request never arrived.
_UNCERTAIN = (aiohttp.ClientError, OSError, TimeoutError)


async def post_once(
    client: AsyncWebClient,
    policy: RetryPolicy,
    *,
    channel: str,
    thread_ts: str | None,
    key: str,
    message: SlackMessage,
) -> str:
    """Post `message` (in `thread_ts` when given) once; return its ts.

    A dropped connection is tried again up to `policy.connection_retries` times, a 5xx up to
    `policy.server_error_retries` times, each after looking for the reply. Raises what the
    last attempt raised when every attempt failed.
    """
    metadata = {"event_type": REPLY_EVENT, "event_payload": {"key": key}}
    attempt = 0
    while True:
        attempt += 1
        try:
            response = await client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                metadata=metadata,
                **NO_PREVIEWS,
                **message.as_arguments(),
            )
            return str(response["ts"])
        except aiohttp.ClientConnectorError:
            raise  # never reached Slack; the client already retried it
        except SlackApiError as exc:
            if http_status(exc) not in RETRYABLE_STATUS or attempt > policy.server_error_retries:
                raise  # a refusal (nothing was posted), or no tries left
            failure: Exception = exc
        except _UNCERTAIN as exc:
            if attempt > policy.connection_retries:
                raise
            failure = exc
        fields = {
            "channel": channel,
            "key": key,
            "error_type": type(failure).__name__,
            "status": http_status(failure) if isinstance(failure, SlackApiError) else None,
        }
        log.warning("a reply may not have been posted; looking for it", extra=fields)
        await policy.clock.sleep(policy.backoff * 2 ** (attempt - 1))
        found = await _posted(client, channel, thread_ts, key)
        if found is not None:
            log.info("the reply was posted after all; not posting it again", extra=fields)
            return found


async def _posted(
    client: AsyncWebClient, channel: str, thread_ts: str | None, key: str
) -> str | None:
    """The ts of the bot's reply marked `key` in the thread (or the channel's recent
    messages), or None when it is not there or Slack cannot be asked.
    """
    try:
        if thread_ts is not None:
            page = await client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            page = await client.conversations_history(
                channel=channel, include_all_metadata=True, limit=RECENT
            )
    except (SlackApiError, *_UNCERTAIN) as exc:
        # Cannot tell: post again. A member seeing an answer twice beats seeing none.
        log.warning("could not look for an earlier reply", extra={"error_type": type(exc).__name__})
        return None
    for posted in page.get("messages") or []:
        metadata = posted.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == REPLY_EVENT and payload.get("key") == key:
            return str(posted["ts"])
    return None
