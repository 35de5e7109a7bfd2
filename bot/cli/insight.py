"""`townhall insight`: preview a day's insight, or show what was posted and what is next.

Both read the rotation's first day from the database and never store it: the first post
(or, with no daily post configured, the first /insight) does. Until then a preview counts
today as the first day.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store.store import Store

from bot.channel import Channel
from bot.cli.common import (
    database_problem,
    fail,
    knowledge_or_exit,
    settings_or_exit,
    store_or_exit,
)
from bot.clock import Clock
from bot.insight.channel import InsightChannel
from bot.insight.ledger import ROTATION_START, Ledger, rotation_day, told_day
from bot.insight.pick import Insight, insight_for, topics_of
from bot.insight.publisher import InsightPublisher
from bot.insight.schedule import post_time
from bot.knowledge import Knowledge
from bot.phrases import phrase
from bot.runner import Runner
from bot.settings import INSIGHT_LANGUAGES, Settings
from bot.store import (
    AsyncStore,
    InsightPost,
    StoreUnavailableError,
    not_created,
    open_store,
)

RECENT = 3


def register(commands: Any) -> None:
    """Add the `insight` subcommand."""
    parser = commands.add_parser(
        "insight",
        help="preview the daily insight, or show its state",
        description="Preview the daily Town Hall insight, or show the last posts and the next. "
        "Insight #1 is the first day the bot posts one (stored in TOWNHALL_DB); until then a "
        "preview counts today as that day. --preview and --status never change the database.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--preview", action="store_true", help="print what would be posted")
    mode.add_argument(
        "--status",
        action="store_true",
        help="show the rotation's first day, the last posts per channel and what is next",
    )
    mode.add_argument(
        "--retry",
        action="store_true",
        help="post today's insight now where it failed or is missing (never twice)",
    )
    parser.add_argument(
        "--channel", metavar="ID", help="with --retry: only this channel (its id, as configured)"
    )
    parser.add_argument(
        "--date",
        help="the day to preview, YYYY-MM-DD, not before the rotation's first day "
        "(default: today in INSIGHT_TIMEZONE)",
    )
    parser.add_argument("--lang", help="the language to preview: ko (default) or en")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Print the preview or the status."""
    day = _date_or_exit(args.date)
    lang = "ko" if args.lang is None else args.lang
    if lang not in INSIGHT_LANGUAGES:
        fail(f"--lang must be ko or en, not {lang!r}", 2)
    if (args.date is not None or args.lang is not None) and not args.preview:
        fail("--date and --lang go with --preview", 2)
    settings = settings_or_exit(args.env_file)
    knowledge = knowledge_or_exit(settings)
    clock: Clock = args.clock
    now = clock.now()
    if args.channel and not args.retry:
        fail("--channel goes with --retry", 2)
    if args.preview:
        today = clock.today(settings.insight.timezone)
        with _existing_store(settings) as store:
            insight = _insight_or_exit(knowledge, day or today, lang, store, first=today)
        print(preview(insight))
    elif args.retry:
        return retry(settings, knowledge, clock, args.channel)
    else:
        print(status(settings, knowledge, now))
    return 0


def retry(settings: Settings, knowledge: Knowledge, clock: Clock, only: str | None) -> int:
    """Re-attempt today's failed or missing posts now; 0 when every channel is posted."""
    from bot.runtime import StartError  # noqa: PLC0415 - the platforms load only here

    config = settings.insight
    targets = [t for found in config.channels().values() for t in found]
    if only is not None:
        targets = [t for t in targets if t.channel.id == only]
        if not targets:
            fail(
                f"--channel {only} is not in INSIGHT_DISCORD_CHANNELS or INSIGHT_SLACK_CHANNELS", 2
            )
    if not targets:
        fail("no channels: set INSIGHT_DISCORD_CHANNELS or INSIGHT_SLACK_CHANNELS")
    now = clock.now()
    today = now.astimezone(config.timezone).date()
    if now < post_time(today, config.time, config.timezone):
        print(
            f"Today's insight is due at {config.time.strftime('%H:%M')} {config.timezone.key}; "
            "nothing to retry yet (`townhall serve` posts it then)."
        )
        return 0
    store = store_or_exit(settings)
    lane = Runner("store", finish_queued=True)
    try:
        # The day checked against its post time above, not a second reading of the clock:
        # a retry started just before midnight must not post the next day's insight early.
        records = asyncio.run(
            _retry(settings, knowledge, clock, AsyncStore(store, lane), targets, day=today)
        )
    except StartError as exc:
        fail(str(exc))
    except ConnectionError as exc:
        fail(f"could not post: {exc}")
    except StoreUnavailableError as exc:
        fail(database_problem(settings.core.townhall_db, exc))
    finally:
        lane.close()
        store.close()
    for record in records:
        print(f"{record.channel} {_record_line(record, config.timezone, clock.now())}")
        if record.status != "posted" and (hint := failure_hint(record)):
            print(f"  fix: {hint}")
    return 0 if all(r.status == "posted" for r in records) else 1


async def _retry(
    settings: Settings,
    knowledge: Knowledge,
    clock: Clock,
    store: AsyncStore,
    targets: list[InsightChannel],
    *,
    day: dt.date,
) -> list[InsightPost]:
    """The scheduler's own path (claim, look for an earlier post, post, record), once, for `day`."""
    from bot.insight.daily import DailyInsights  # noqa: PLC0415
    from bot.insight.schedule import InsightScheduler  # noqa: PLC0415

    ledger = Ledger(store)
    zone = settings.insight.timezone
    async with AsyncExitStack() as stack:
        publishers = await _publishers(
            settings, clock, {t.channel.platform for t in targets}, stack
        )
        with Runner("insight") as runner:
            daily = DailyInsights(knowledge, ledger, clock, zone, runner)
            scheduler = InsightScheduler(
                daily,
                ledger,
                publishers,
                targets,
                at=settings.insight.time,
                claim_lease=dt.timedelta(seconds=settings.insight.claim_lease),
            )
            return await scheduler.retry_day(day)


async def _publishers(
    settings: Settings, clock: Clock, platforms: set[str], stack: AsyncExitStack
) -> dict[str, InsightPublisher]:
    publishers: dict[str, InsightPublisher] = {}
    if "discord" in platforms:
        from bot.adapters.discord.publish import rest_publisher  # noqa: PLC0415

        bot = settings.discord.bot()
        if bot is None:
            fail("INSIGHT_DISCORD_CHANNELS is set but DISCORD_TOKEN is not")
        publishers["discord"] = await stack.enter_async_context(rest_publisher(bot, clock))
    if "slack" in platforms:
        from bot.adapters.slack.publish import web_publisher  # noqa: PLC0415

        app = settings.slack.app()
        if app is None:
            fail("INSIGHT_SLACK_CHANNELS is set but SLACK_BOT_TOKEN is not")
        publishers["slack"] = web_publisher(app, clock)
    return publishers


# What each kind of failure asks of an admin; the error texts are the publishers' own.
_HINTS = (
    (
        ("channel_not_found", "not_in_channel"),
        "invite the bot to the channel (/invite @townhall "
        "in it), or check INSIGHT_SLACK_CHANNELS; then `townhall insight --retry`",
    ),
    (("is_archived",), "unarchive the channel or remove it from INSIGHT_SLACK_CHANNELS"),
    (
        ("missing_scope", "not_allowed_token_type"),
        "add the missing scope under OAuth & "
        "Permissions and reinstall the app; then `townhall insight --retry`",
    ),
    (
        ("invalid_auth", "not_authed", "token_revoked", "account_inactive"),
        "the Slack token was refused: set SLACK_BOT_TOKEN again",
    ),
    (
        ("missing access",),
        "let the bot's role view the channel, send messages, embed links "
        "and read history there (`townhall doctor` shows which is missing); then --retry",
    ),
    (
        ("not found",),
        "check the channel id in INSIGHT_DISCORD_CHANNELS and that the bot is in that server",
    ),
    (
        ("rate limited", "ratelimited", "HTTP 429"),
        "the platform rate-limited the bot; it "
        "retries on its own, or run `townhall insight --retry` later",
    ),
    (
        ("network error", "could not reach", "HTTP 5"),
        "the platform could not be reached; "
        "it retries on its own, or run `townhall insight --retry`",
    ),
)


def failure_hint(record: InsightPost) -> str | None:
    """What an admin can do about a failed or retrying record's last error, if known."""
    error = record.last_error or ""
    for markers, hint in _HINTS:
        if any(marker in error for marker in markers):
            return hint
    if record.status == "failed":
        return "see the log for this channel; then `townhall insight --retry`"
    return None


def preview(insight: Insight) -> str:
    """The insight as plain text, as the renderers lay it out."""
    return "\n".join(
        [
            f"{phrase('insight_title', insight.lang, number=insight.number)}"
            f" · {insight.day.isoformat()} ({insight.lang})",
            insight.section.title,
            "",
            insight.passage,
            "",
            f"{phrase('watch', insight.lang)}: {insight.section.url}",
            f"key: {insight.key}",
        ]
    )


def status(settings: Settings, knowledge: Knowledge, now: dt.datetime) -> str:
    """The rotation's first day, the last posts of each channel (configured or in the
    ledger) and the next post.
    """
    target = settings.core.townhall_db
    missing = not_created(target)
    with _existing_store(settings) as store:
        text = _status(settings, knowledge, now, store)
    if missing:
        # Often a shell reading other settings than the service: say so before anything.
        text = (
            f"Warning: TOWNHALL_DB ({target}) does not exist: nothing has "
            "been posted with these settings (is this the service's settings file? see "
            "--env-file)\n" + text
        )
    return text


def _status(settings: Settings, knowledge: Knowledge, now: dt.datetime, store: Store | None) -> str:
    config = settings.insight
    zone = config.timezone
    lines = [f"Daily insight at {config.time.strftime('%H:%M')} {zone.key}"]
    configured = {
        target.channel: target.lang for targets in config.channels().values() for target in targets
    }
    start = _rotation_start(store)
    if start is None:
        lines.append("Rotation: not started; the first post (or /insight) is insight #1")
    else:
        lines.append(f"Rotation: started {start.isoformat()} (insight #1)")
    known = {Channel(p, c) for p, c in store.insight.channels()} if store else set()
    if not configured and not known:
        lines.append("No channels: set INSIGHT_DISCORD_CHANNELS or INSIGHT_SLACK_CHANNELS.")
    for channel in sorted(configured.keys() | known):
        lang = configured.get(channel)
        label = f"({lang})" if lang else "(no longer configured)"
        records = store.insight.recent(channel.platform, channel.id, RECENT) if store else []
        lines.append(f"{channel} {label}" + ("" if records else ": no posts yet"))
        for record in records:
            lines.append(f"  {_record_line(record, zone, now)}")
            if record.status != "posted" and (hint := failure_hint(record)):
                lines.append(f"    fix: {hint}")
    today = now.astimezone(zone).date()
    due = post_time(today, config.time, zone)
    posts = store.insight.day(today) if store else []
    open_today = [r for r in posts if r.channel in configured]
    waiting = len(configured) - sum(1 for r in open_today if r.status != "pending")
    if now >= due and waiting:
        lines.append(
            f"Next: today's insight, due since {config.time.strftime('%H:%M')}, "
            f"is not yet posted in {waiting} channel(s); `townhall serve` posts it"
        )
        next_day = today
    else:
        next_day = today if now < due else today + dt.timedelta(days=1)
        at = post_time(next_day, config.time, zone).astimezone(zone)
        lines.append(f"Next: {at.strftime('%Y-%m-%d %H:%M %Z (UTC%z)')}")
    if start is not None and next_day < start:
        # Stored by a process whose clock was ahead: nothing is posted before that day.
        lines.append(f"  nothing until the rotation's first day, {start.isoformat()}")
    else:
        upcoming = _insight_or_exit(knowledge, next_day, "ko", store, first=next_day)
        lines.append(f"  #{upcoming.number} {upcoming.section.title} [{upcoming.key}]")
    return "\n".join(lines)


def _record_line(record: InsightPost, zone: dt.tzinfo, now: dt.datetime) -> str:
    attempts = f"{record.attempts} attempt{'s' if record.attempts != 1 else ''}"
    text = f"{record.day.isoformat()}  {record.status:<7}  {attempts}"
    if record.message_id:
        text += f"  message {record.message_id}"
    if record.status == "pending" and record.lease_until is not None and record.leased(now):
        # A process is posting it now (or crashed doing so): nothing happens before its
        # claim ends, and then another process looks for its post before posting.
        until = record.lease_until.astimezone(zone).strftime("%H:%M")
        text += f"  being posted by {record.lease_owner} (claimed until {until})"
    elif record.status == "pending" and record.attempts and record.next_attempt > now:
        text += f"  retry at {record.next_attempt.astimezone(zone).strftime('%H:%M')}"
    elif record.status == "pending" and record.attempts:
        text += "  due again now"
        if record.lease_until is not None:
            # Its poster stopped before recording: the next one looks for its post first.
            lapsed = record.lease_until.astimezone(zone).strftime("%H:%M")
            text += f" (the claim of {record.lease_owner} ran out at {lapsed})"
    if record.last_error:
        text += f"  ({record.last_error})"
    return text


def _date_or_exit(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, not {text!r}", 2)


def _rotation_start(store: Store | None) -> dt.date | None:
    return rotation_day(store.values.get(ROTATION_START)) if store else None


@contextmanager
def _existing_store(settings: Settings) -> Iterator[Store | None]:
    """The store if `townhall serve` has made it (None otherwise: reading creates nothing).

    Exits in one line naming TOWNHALL_DB when the database cannot be read.
    """
    target = settings.core.townhall_db
    if not_created(target):
        yield None
        return
    try:
        store = open_store(target, reading=True)
    except StoreUnavailableError as exc:
        fail(database_problem(target, exc))
    from bot.store.migrate import head_revision  # noqa: PLC0415 - keeps Alembic out of `ask`

    try:
        revision = store.revision()
        if revision is None and not store.holds_state():
            yield None  # an empty database: no schema yet, so nothing stored
        elif revision != head_revision():
            fail(
                f"TOWNHALL_DB ({store.shown}) is at schema revision {revision or 'none'}, "
                f"this townhall reads {head_revision()}: start `townhall serve` once to upgrade it"
            )
        else:
            yield store
    except StoreUnavailableError as exc:
        fail(database_problem(target, exc))
    finally:
        store.close()


def _insight_or_exit(
    knowledge: Knowledge, day: dt.date, lang: str, store: Store | None, *, first: dt.date
) -> Insight:
    """`day`'s insight as `serve` posts it with this knowledge: dealt on from the newest
    stored deck (`first` starts the rotation when none is stored), storing nothing."""
    start = _rotation_start(store)
    try:
        deck = told_day(store.values, start, day, topics_of(knowledge)) if start and store else None
        return insight_for(knowledge, day, lang, start or first, deck)
    except ValueError as exc:
        if start is None:
            fail(f"{exc} (the rotation has not started: today counts as its first day)", 2)
        fail(str(exc), 2)
