"""`townhall insight`: preview a day's insight, or show what was posted and what is next.

Both read the rotation's first day from the database and never store it: the first post
(or the first /insight) does. Until then a preview counts today as the first day.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store.store import Store

from bot.cli.common import fail, knowledge_or_exit, settings_or_exit
from bot.clock import Clock
from bot.insight.channel import Channel
from bot.insight.ledger import ROTATION_START, PostRecord, post_record, rotation_day
from bot.insight.pick import Insight, insight_for
from bot.insight.schedule import post_time
from bot.knowledge import Knowledge
from bot.phrases import phrase
from bot.settings import INSIGHT_LANGUAGES, Settings
from bot.store import StoreUnavailableError, open_store

RECENT = 3


def register(commands: Any) -> None:
    """Add the `insight` subcommand."""
    parser = commands.add_parser(
        "insight",
        help="preview the daily insight, or show its state",
        description="Preview the daily Town Hall insight, or show the last posts and the next. "
        "Insight #1 is the first day the bot posts one (stored in TOWNHALL_DB); until then a "
        "preview counts today as that day. Neither option changes the database.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--preview", action="store_true", help="print what would be posted")
    mode.add_argument(
        "--status",
        action="store_true",
        help="show the rotation's first day, the last posts per channel and what is next",
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
    lang = args.lang or "ko"
    if lang not in INSIGHT_LANGUAGES:
        fail(f"--lang must be ko or en, not {lang!r}", 2)
    settings = settings_or_exit()
    knowledge = knowledge_or_exit(settings)
    clock: Clock = args.clock
    now = clock.now()
    if args.preview:
        today = clock.today(settings.insight.timezone)
        start = _stored_start(settings)
        print(preview(_insight_or_exit(knowledge, day or today, lang, start, today)))
    else:
        print(status(settings, knowledge, now))
    return 0


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
    with _existing_store(settings) as store:
        return _status(settings, knowledge, now, store)


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
        records = (
            [post_record(p) for p in store.insight.recent(channel.platform, channel.id, RECENT)]
            if store
            else []
        )
        lines.append(f"{channel} {label}" + ("" if records else ": no posts yet"))
        lines.extend(f"  {_record_line(record, zone)}" for record in records)
    today = now.astimezone(zone).date()
    due = post_time(today, config.time, zone)
    posts = store.insight.day(today) if store else []
    open_today = [r for r in map(post_record, posts) if r.channel in configured]
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
    upcoming = _insight_or_exit(knowledge, next_day, "ko", start, next_day)
    lines.append(f"  #{upcoming.number} {upcoming.section.title} [{upcoming.key}]")
    return "\n".join(lines)


def _record_line(record: PostRecord, zone: dt.tzinfo) -> str:
    attempts = f"{record.attempts} attempt{'s' if record.attempts != 1 else ''}"
    text = f"{record.day.isoformat()}  {record.status:<7}  {attempts}"
    if record.message_id:
        text += f"  message {record.message_id}"
    if record.status == "pending" and record.attempts:
        text += f"  retry at {record.next_attempt.astimezone(zone).strftime('%H:%M')}"
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


def _stored_start(settings: Settings) -> dt.date | None:
    """The stored first day of the rotation, without creating the database."""
    with _existing_store(settings) as store:
        return _rotation_start(store)


def _rotation_start(store: Store | None) -> dt.date | None:
    return rotation_day(store.values.get(ROTATION_START)) if store else None


@contextmanager
def _existing_store(settings: Settings) -> Iterator[Store | None]:
    """The store if `townhall serve` has made it (None otherwise: reading creates nothing).

    Exits in one line naming TOWNHALL_DB when the database cannot be read.
    """
    target = settings.core.townhall_db
    if "://" not in target and not Path(target).exists():
        yield None
        return
    try:
        store = open_store(target)
    except StoreUnavailableError as exc:
        fail(str(exc))
    from bot.store.migrate import head_revision  # noqa: PLC0415 - keeps Alembic out of `ask`

    try:
        revision = store.revision()
        if revision is None:
            yield None  # an empty database: no schema yet, so nothing stored
        elif revision != head_revision():
            fail(
                f"TOWNHALL_DB ({store.shown}) is at schema revision {revision}, this townhall "
                f"reads {head_revision()}: start `townhall serve` once to upgrade it"
            )
        else:
            yield store
    except StoreUnavailableError as exc:
        fail(str(exc))
    finally:
        store.close()


def _insight_or_exit(
    knowledge: Knowledge, day: dt.date, lang: str, start: dt.date | None, first: dt.date
) -> Insight:
    """`day`'s insight from the stored `start`, or from `first` when none is stored yet."""
    try:
        return insight_for(knowledge, day, lang, start or first)
    except ValueError as exc:
        if start is None:
            fail(f"{exc} (the rotation has not started: today counts as its first day)", 2)
        fail(str(exc), 2)
