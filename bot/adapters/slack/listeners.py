"""What the bot does for each Slack event: parse it, ask the engine, render, send.

Each listener is a free function; `register` wires them into an AsyncApp.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack.client import RetryPolicy, quoted, retry_handlers
from bot.adapters.slack.events import Deliveries
from bot.adapters.slack.render import (
    TOPIC_ACTIONS,
    VOTE_ACTIONS,
    VOTE_BLOCK,
    WATCH_ACTION,
    SlackMessage,
    answer_message,
    as_typed,
    cooldown_message,
    error_message,
    help_message,
    topic_from_value,
    topic_message,
    vote_message,
)
from bot.adapters.slack.replies import post_once
from bot.answers import Answers
from bot.engine import QuestionError, clean_question
from bot.knowledge import Knowledge
from bot.knowledge.topics import find_topic
from bot.pace import ANSWER, SHOWN, Pace
from bot.runtime import InFlight
from bot.usage import ANSWER_ID, Asked, Ballot, ChannelKind, UsageRecorder, Vote
from bot.usage.feedback import acknowledge

log = logging.getLogger(__name__)
# The message.im subtypes that are a member writing something new: none, or with a file.
ASKING_SUBTYPES = frozenset({None, "file_share"})

COMMAND = "/townhall"

Payload = dict[str, Any]


class ResponseUrlError(Exception):
    """Slack refused a reply sent to a slash command's response_url."""


def has_question(text: str) -> bool:
    """Whether `text` holds any words once mentions, links and markup are removed."""
    try:
        return bool(clean_question(text).words)
    except QuestionError:
        return False


def in_direct_message(channel: str) -> bool:
    """Whether `channel` is a direct message with the bot (a button payload names no type)."""
    # Slack's conversation ids say their kind: D for a DM, C or G for channels and groups.
    return channel.startswith("D")


@dataclass(frozen=True)
class Origin:
    """Where a question was asked, for the usage records."""

    community: str | None  # the team id
    kind: ChannelKind


async def reply_to(
    answers: Answers,
    text: str,
    *,
    echo_question: bool = False,
    usage: UsageRecorder | None = None,
    origin: Origin | None = None,
) -> SlackMessage:
    """The message answering `text`: the answer, or topics to try when nothing matched.

    With `usage`, the question is handed to the recorder (in the background) first.
    """
    answer = await answers.ask(text)
    answer_id = None
    if usage is not None and origin is not None:
        answer_id = usage.new_answer_id()
        usage.record(Asked(answer_id, "slack", origin.community, origin.kind, answer))
    return answer_message(answer, echo_question=echo_question, answer_id=answer_id)


def _team(body: Payload) -> str | None:
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    return None if team is None else str(team)


async def answer_mention(
    event: Payload,
    body: Payload,
    client: AsyncWebClient,
    *,
    answers: Answers,
    deliveries: Deliveries,
    policy: RetryPolicy,
    pace: Pace,
    usage: UsageRecorder | None = None,
) -> None:
    """@townhall in a channel: answer in the thread of the mention (or the thread it is in)."""
    member = str(event.get("user") or "")
    # Another app's post (a bot, a webhook) has no member to answer, help or pace.
    if event.get("bot_id") or not member:
        return
    if not await _first_delivery(body, deliveries):
        return
    channel = event["channel"]
    thread = event.get("thread_ts") or event["ts"]
    text = as_typed(str(event.get("text") or ""))
    if not has_question(text):
        # A bare mention: show how to ask to that member only, not to the whole channel.
        await client.chat_postEphemeral(
            channel=channel, user=member, thread_ts=thread, **help_message().as_arguments()
        )
        return
    if (wait := pace.wait(member, ANSWER)) > 0:
        await client.chat_postEphemeral(
            channel=channel, user=member, thread_ts=thread, **cooldown_message(wait).as_arguments()
        )
        return
    kind = ChannelKind.THREAD if event.get("thread_ts") else ChannelKind.CHANNEL
    try:
        message = await reply_to(answers, text, usage=usage, origin=Origin(_team(body), kind))
        await post_once(
            client,
            policy,
            channel=channel,
            thread_ts=thread,
            key=_key(body, event),
            message=message,
        )
    except BaseException:
        pace.release(member, ANSWER)  # nothing went out: it does not count
        raise


async def answer_direct_message(
    event: Payload,
    body: Payload,
    client: AsyncWebClient,
    *,
    answers: Answers,
    deliveries: Deliveries,
    policy: RetryPolicy,
    usage: UsageRecorder | None = None,
) -> None:
    """A message in the bot's DM: answer there (in its thread if it was written in one)."""
    # message.im also delivers edits, deletions and other bots' posts; only new text is asked
    # (with a file or a screenshot attached too: Slack calls that a "file_share").
    new_text = event.get("subtype") in ASKING_SUBTYPES
    if event.get("channel_type") != "im" or not new_text or event.get("bot_id"):
        return
    if not await _first_delivery(body, deliveries):
        return
    text = as_typed(str(event.get("text") or ""))
    origin = Origin(_team(body), ChannelKind.DM)
    message = (
        await reply_to(answers, text, usage=usage, origin=origin)
        if has_question(text)
        else help_message()
    )
    await post_once(
        client,
        policy,
        channel=event["channel"],
        thread_ts=event.get("thread_ts"),
        key=_key(body, event),
        message=message,
    )


async def answer_command(
    ack: AsyncAck,
    command: Payload,
    answers: Answers,
    policy: RetryPolicy,
    usage: UsageRecorder | None = None,
) -> None:
    """/townhall <question>: ack at once, then answer the member only (ephemeral)."""
    text = as_typed(str(command.get("text") or ""))
    if not has_question(text):
        # Help needs no engine work, so it rides on the ack itself.
        await ack(response_type="ephemeral", **help_message().as_arguments())
        return
    await ack()
    response_url = command.get("response_url")
    if not isinstance(response_url, str) or not response_url.startswith(("https://", "http://")):
        log.warning("a /townhall request came without a usable response_url; not answered")
        return
    # Raising after ack() would make bolt (1.30, asyncio runner) drop the ack it holds, and
    # Slack would show the member "dispatch_failed"; failures are reported here instead.
    try:
        origin = Origin(_team(command), ChannelKind.PRIVATE)
        message = await reply_to(answers, text, echo_question=True, usage=usage, origin=origin)
    except Exception as exc:  # noqa: BLE001 - reported, with the member told
        await report_failure(exc, command)
        await _apologise(response_url, policy)
        return
    try:
        await send_response(response_url, message, policy)
    except Exception as exc:  # noqa: BLE001 - reported; no apology
        # The answer may have reached the member (the connection dropped after it went
        # out), or the URL refuses it: an apology would be a second reply, or refused too.
        await report_failure(exc, command)


async def send_response(url: str, message: SlackMessage, policy: RetryPolicy) -> None:
    """Post a new ephemeral reply to a response_url, retried as Web API posts are (never
    once the request may have arrived: the member would see it twice)."""
    webhook = AsyncWebhookClient(url=url, retry_handlers=retry_handlers(policy, posting=True))
    response = await webhook.send(
        response_type="ephemeral",
        replace_original=False,
        unfurl_links=False,
        unfurl_media=False,
        **message.as_arguments(),
    )
    if response.status_code != 200:
        # Quoted: whatever answers (a proxy's page) may be megabytes, or hold escapes.
        raise ResponseUrlError(
            f"response_url answered {response.status_code}: {quoted(response.body)}"
        )


async def show_topic(
    ack: AsyncAck,
    body: Payload,
    client: AsyncWebClient,
    knowledge: Knowledge,
    policy: RetryPolicy,
    *,
    pace: Pace,
) -> None:
    """A topic button was pressed: show the topic in the thread of the message it was on,
    or, under a /townhall answer only the member sees, to the member only.
    """
    await ack()
    action = (body.get("actions") or [{}])[0]
    topic, lang = topic_from_value(str(action.get("value") or ""))
    section = find_topic(knowledge, topic, lang) if topic else None
    if section is None:
        log.warning("a topic button named no topic", extra={"action_id": action.get("action_id")})
        return
    message = topic_message(section, knowledge.document_title(section.talk, section.lang))
    container = body.get("container") or {}
    try:
        if container.get("is_ephemeral"):
            await send_response(body["response_url"], message, policy)
            return
        posted = body.get("message") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id"))
        thread = posted.get("thread_ts") or posted.get("ts") or container.get("message_ts")
        member = str((body.get("user") or {}).get("id") or "")
        # The bot's DM is the member's alone: not paced, as questions asked there are not.
        paced = not in_direct_message(channel)
        if paced and (wait := pace.wait(member, SHOWN)) > 0:
            await client.chat_postEphemeral(
                channel=channel,
                user=member,
                thread_ts=thread,
                **cooldown_message(wait).as_arguments(),
            )
            return
        try:
            await post_once(
                client,
                policy,
                channel=channel,
                thread_ts=thread,
                key=f"press:{body.get('trigger_id')}",
                message=message,
            )
        except BaseException:
            if paced:
                pace.release(member, SHOWN)  # nothing went out: it does not count
            raise
    except Exception as exc:  # noqa: BLE001 - raising after ack() would lose the ack (see above)
        await report_failure(exc, body)


async def take_vote(
    ack: AsyncAck,
    body: Payload,
    client: AsyncWebClient,
    *,
    usage: UsageRecorder | None,
    knowledge: Knowledge,
    policy: RetryPolicy,
) -> None:
    """👍 / 👎 under an answer: record it and tell the member privately; a 👎 offers the
    answer's other nearest topics. Nothing is posted in the channel.
    """
    await ack()
    action = (body.get("actions") or [{}])[0]
    matched = VOTE_ACTIONS.match(str(action.get("action_id") or ""))
    answer_id = str(action.get("value") or "")
    member = str((body.get("user") or {}).get("id") or "")
    if matched is None or not ANSWER_ID.fullmatch(answer_id) or not member:
        log.warning("a vote button carried no answer", extra={"action_id": action.get("action_id")})
        return
    vote = Vote(matched.group(1))
    # Slack's button payloads carry no locale: the answer's language is in the row's block
    # id (English for rows sent before it did), for when the database cannot say it.
    block = VOTE_BLOCK.match(str(action.get("block_id") or ""))
    lang = block.group("lang") if block else "en"
    try:
        said = await acknowledge(usage, knowledge, Ballot(answer_id, "slack", member, vote), lang)
        message = vote_message(said.text, said.others)
        await _tell_member(body, client, member, message, policy)
    except Exception as exc:  # noqa: BLE001 - raising after ack() would lose the ack (see above)
        await report_failure(exc, body)


async def _tell_member(
    body: Payload, client: AsyncWebClient, member: str, message: SlackMessage, policy: RetryPolicy
) -> None:
    """Show `message` to the member who pressed a button, and to nobody else."""
    container = body.get("container") or {}
    if container.get("is_ephemeral"):
        await send_response(str(body.get("response_url") or ""), message, policy)
        return
    posted = body.get("message") or {}
    await client.chat_postEphemeral(
        channel=str(container.get("channel_id") or (body.get("channel") or {}).get("id")),
        user=member,
        thread_ts=posted.get("thread_ts"),
        **message.as_arguments(),
    )


async def acknowledge_link(ack: AsyncAck) -> None:
    """The video button is a link; Slack still reports the click, which needs only an ack."""
    await ack()


async def report_failure(error: Exception, body: Payload) -> None:
    """Log a failed reply with its channel and event id.

    It never acts on `body`: bolt's error handler also sees requests that failed before
    their signature was checked, so nothing in them (a response_url) can be trusted here.
    """
    event = body.get("event") or {}
    channel = (
        event.get("channel") or body.get("channel_id") or (body.get("channel") or {}).get("id")
    )
    log.error(
        "Slack reply failed: %s",
        _failure_summary(error),
        exc_info=not _expected(error),
        extra={
            "channel": channel,
            "event_id": body.get("event_id"),
            "command": body.get("command"),
            "error_type": type(error).__name__,
        },
    )


async def _apologise(response_url: str, policy: RetryPolicy) -> None:
    """Tell a slash command's member that the answer failed (best effort; already logged)."""
    try:
        await send_response(response_url, error_message(), policy)
    except Exception as exc:  # noqa: BLE001 - the apology is best effort; the failure is logged
        log.warning("could not tell the member about the failure: %s", _failure_summary(exc))


def register(
    app: AsyncApp,
    answers: Answers,
    *,
    deliveries: Deliveries,
    policy: RetryPolicy,
    in_flight: InFlight,
    pace: Pace,
    usage: UsageRecorder | None = None,
) -> None:
    """Wire every listener (mentions, DMs, /townhall, buttons, failures) into `app`.

    Each answer counts as in flight until it is sent, so a shutdown lets it finish.
    """
    seen, retry = deliveries, policy

    async def on_mention(event: Payload, body: Payload, client: AsyncWebClient) -> None:
        with in_flight.job(f"slack event {body.get('event_id')}"):
            await answer_mention(
                event,
                body,
                client,
                answers=answers,
                deliveries=seen,
                policy=retry,
                pace=pace,
                usage=usage,
            )

    async def on_message(event: Payload, body: Payload, client: AsyncWebClient) -> None:
        with in_flight.job(f"slack event {body.get('event_id')}"):
            await answer_direct_message(
                event, body, client, answers=answers, deliveries=seen, policy=retry, usage=usage
            )

    async def on_command(ack: AsyncAck, command: Payload) -> None:
        # Named by its trigger, as presses are: a member's id never goes into the logs.
        with in_flight.job(f"slack command {command.get('trigger_id')}"):
            await answer_command(ack, command, answers, retry, usage)

    async def on_topic(ack: AsyncAck, body: Payload, client: AsyncWebClient) -> None:
        with in_flight.job(f"slack button press {body.get('trigger_id')}"):
            await show_topic(ack, body, client, answers.knowledge, retry, pace=pace)

    async def on_vote(ack: AsyncAck, body: Payload, client: AsyncWebClient) -> None:
        with in_flight.job(f"slack vote press {body.get('trigger_id')}"):
            await take_vote(
                ack, body, client, usage=usage, knowledge=answers.knowledge, policy=retry
            )

    async def on_error(error: Exception, body: Payload) -> None:
        await report_failure(error, body)

    app.event("app_mention")(on_mention)
    # Every message event is taken (and acked) so Slack never sees a 404 and retries it.
    app.event("message")(on_message)
    app.command(COMMAND)(on_command)
    app.action(WATCH_ACTION)(acknowledge_link)
    app.action(TOPIC_ACTIONS)(on_topic)
    app.action(VOTE_ACTIONS)(on_vote)
    app.error(on_error)


def _key(body: Payload, event: Payload) -> str:
    """What a reply answers: the event id (the same in every re-delivery of the event)."""
    return str(body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}")


async def _first_delivery(body: Payload, deliveries: Deliveries) -> bool:
    event_id = body.get("event_id")
    if event_id is None or await deliveries.first_delivery(event_id):
        return True
    log.info("skipping a re-delivered event", extra={"event_id": event_id})
    return False


def _expected(error: Exception) -> bool:
    # Web API refusals and network trouble need no traceback; anything else is a bug.
    return isinstance(
        error, SlackApiError | ResponseUrlError | aiohttp.ClientError | OSError | TimeoutError
    )


def _failure_summary(error: Exception) -> str:
    response = getattr(error, "response", None)
    if response is not None and hasattr(response, "status_code"):
        data = getattr(response, "data", None)
        code = data.get("error") if isinstance(data, dict) else None
        shown = quoted(code) if code else "no error code"
        return f"{type(error).__name__} (HTTP {response.status_code}, {shown})"
    return f"{type(error).__name__}: {error}"
