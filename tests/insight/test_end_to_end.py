"""The daily insight end to end: `townhall serve`'s services against the fake platforms.

The real scheduler and ledger on a SQLite file, the real DiscordPublisher over a logged-in
discord.py client, the real SlackInsightPublisher over slack_sdk's AsyncWebClient, the
fake Discord and Slack servers on 127.0.0.1, and a virtual clock. Assertions are on what
the fakes hold: the messages members would see in each channel, stamped with the virtual
time they were posted at.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord.render import CONTENT, DESCRIPTION, EMBED_TOTAL, FOOTER, TITLE
from bot.adapters.slack.publish import EVENT_TYPE
from bot.engine import AnswerEngine
from bot.engine.engine import analyzers_for
from bot.engine.meaning import Meaning
from bot.insight import Insight, insight_for
from bot.knowledge import Knowledge, load_knowledge
from bot.settings import Settings
from bot.store import InsightPost, open_store
from tests.fakes.clock import ManualClock, run_until
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.insight.serve_with_fakes import (
    DISCORD_EN,
    DISCORD_KO,
    SLACK_EN,
    SLACK_KO,
    local,
    pinned_knowledge,
    serving,
    settings_for,
)

ROOT = Path(__file__).resolve().parents[2]
SEOUL = "Asia/Seoul"
NEW_YORK = "America/New_York"
DAY = dt.date(2026, 2, 2)
TIMEOUT = 60  # a guard against a hang, not a timing assertion
CHANNELS = [
    ("discord", str(DISCORD_KO)),
    ("discord", str(DISCORD_EN)),
    ("slack", SLACK_KO),
    ("slack", SLACK_EN),
]
LANGS = {str(DISCORD_KO): "ko", str(DISCORD_EN): "en", SLACK_KO: "ko", SLACK_EN: "en"}
# Slack's live mention syntax; escaped text shows `&lt;!here&gt;` instead.
LIVE_SLACK_MENTION = re.compile(r"<(!channel|!here|!everyone|@[UWS][A-Z0-9]+|!subteam)")
FOUND_NOTE = "found our earlier post in the channel; not posted again"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def knowledge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped knowledge with every insight pinned to a text full of mentions."""
    return pinned_knowledge(tmp_path_factory.mktemp("knowledge"))


@pytest.fixture(scope="module")
def pinned(knowledge_dir: Path) -> Knowledge:
    return load_knowledge(knowledge_dir)


@pytest.fixture(scope="module")
def pinned_engine(pinned: Knowledge, meaning: Meaning) -> AnswerEngine:
    return AnswerEngine(pinned, analyzers_for("mecab-ko"), meaning)


@pytest.fixture
def clock() -> ManualClock:
    """The virtual clock of the bot, and of the fakes' message stamps: 08:00 in Seoul."""
    return ManualClock(utc(2026, 2, 1, 23, 0))


@dataclass
class Fakes:
    discord: FakeDiscord
    slack: FakeSlack

    def discord_messages(self, channel: int) -> list[dict[str, Any]]:
        return self.discord.channels[channel]

    def slack_messages(self, channel: str) -> list[dict[str, Any]]:
        return self.slack.messages[channel]

    def visible(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """Every channel's messages, oldest first."""
        return {
            ("discord", str(DISCORD_KO)): self.discord_messages(DISCORD_KO),
            ("discord", str(DISCORD_EN)): self.discord_messages(DISCORD_EN),
            ("slack", SLACK_KO): self.slack_messages(SLACK_KO),
            ("slack", SLACK_EN): self.slack_messages(SLACK_EN),
        }

    def post_calls(self) -> int:
        """Every attempt to post a message, accepted or not, on both platforms."""
        discord = self.discord.find_calls("POST", r"/channels/\d+/messages")
        return len(discord) + len(self.slack.calls_to("chat.postMessage"))


@pytest.fixture
async def fakes(clock: ManualClock) -> AsyncIterator[Fakes]:
    """Both fake platforms, with the four insight channels, stamping with the virtual clock."""
    async with FakeDiscord(now=clock.now) as discord, FakeSlack(now=clock.now) as slack:
        discord.channels[DISCORD_EN] = []
        slack.open_channel(SLACK_KO, SLACK_EN)
        yield Fakes(discord, slack)


SettingsFactory = Callable[..., Settings]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The state database file every bot process of a test shares."""
    return tmp_path / "townhall.db"


@pytest.fixture
def make_settings(db: Path, knowledge_dir: Path, fakes: Fakes) -> SettingsFactory:
    def make(**options: Any) -> Settings:
        return settings_for(
            db=db,
            knowledge=knowledge_dir,
            discord_port=fakes.discord.port,
            slack_api_url=fakes.slack.api_url,
            **options,
        )

    return make


def posted_at(platform: str, message: dict[str, Any]) -> dt.datetime:
    """When the fake stored a message (virtual time)."""
    if platform == "discord":
        return dt.datetime.fromisoformat(message["timestamp"])
    return dt.datetime.fromtimestamp(int(float(message["ts"])), dt.UTC)


def key_of(platform: str, message: dict[str, Any]) -> str:
    """The insight key a message is marked with (Discord: footer end; Slack: metadata)."""
    if platform == "discord":
        (embed,) = message["embeds"]
        return str(embed["footer"]["text"]).rsplit(" · ", 1)[1]
    return str(message["metadata"]["event_payload"]["key"])


def title_of(platform: str, message: dict[str, Any]) -> str:
    if platform == "discord":
        return str(message["embeds"][0]["title"])
    return str(message["blocks"][0]["text"]["text"])


def expected(knowledge: Knowledge, day: dt.date, channel: str, start: dt.date) -> Insight:
    return insight_for(knowledge, day, LANGS[channel], start)


def records(db: Path | str) -> dict[tuple[str, str], InsightPost]:
    """The latest ledger record of every channel."""
    store = open_store(db)
    try:
        return {(p, c): store.insight.recent(p, c, 1)[0] for p, c in store.insight.channels()}
    finally:
        store.close()


async def test_posts_at_the_local_time_the_same_topic_in_each_channels_language(
    fakes: Fakes,
    clock: ManualClock,
    make_settings: SettingsFactory,
    pinned_engine: AnswerEngine,
    pinned: Knowledge,
) -> None:
    async with serving(make_settings(), pinned_engine, clock) as bot:
        await run_until(clock, bot.scheduler.run(), utc(2026, 2, 2, 14, 0))  # 23:00 in Seoul

    for (platform, channel), messages in fakes.visible().items():
        (message,) = messages
        insight = expected(pinned, DAY, channel, DAY)
        assert local(posted_at(platform, message), SEOUL) == "2026-02-02 09:00:00 KST"
        assert key_of(platform, message) == insight.key  # the same topic on every channel
        assert title_of(platform, message) == (
            "Town Hall 인사이트 #1" if LANGS[channel] == "ko" else "Town Hall insight #1"
        )
    for discord_channel, lang in ((DISCORD_KO, "ko"), (DISCORD_EN, "en")):
        (embed,) = fakes.discord_messages(discord_channel)[0]["embeds"]
        assert embed["description"].startswith(
            f"**{insight_for(pinned, DAY, lang, DAY).section.title}**"
        )


async def test_posts_at_the_local_time_across_a_daylight_saving_change(
    fakes: Fakes,
    clock: ManualClock,
    make_settings: SettingsFactory,
    pinned_engine: AnswerEngine,
    pinned: Knowledge,
) -> None:
    # New York moves its clocks forward at 02:00 on 8 March 2026: 09:00 is 14:00 UTC on
    # the 7th, 13:00 UTC from the 8th.
    clock.current = utc(2026, 3, 7, 5, 0)  # midnight in New York
    async with serving(make_settings(zone=NEW_YORK), pinned_engine, clock) as bot:
        await run_until(clock, bot.scheduler.run(), utc(2026, 3, 10, 3, 0))  # 9th, 23:00

    first = dt.date(2026, 3, 7)
    days = [first + dt.timedelta(days=n) for n in range(3)]
    for (platform, channel), messages in fakes.visible().items():
        assert [local(posted_at(platform, m), NEW_YORK) for m in messages] == [
            "2026-03-07 09:00:00 EST",
            "2026-03-08 09:00:00 EDT",
            "2026-03-09 09:00:00 EDT",
        ]
        assert [posted_at(platform, m).hour for m in messages] == [14, 13, 13]
        # One topic a day, the next one each day, numbered from the first day.
        assert [key_of(platform, m) for m in messages] == [
            expected(pinned, day, channel, first).key for day in days
        ]
        assert [title_of(platform, m)[-2:] for m in messages] == ["#1", "#2", "#3"]


async def test_messages_ping_nobody_and_fit_the_platforms_limits(
    fakes: Fakes,
    clock: ManualClock,
    make_settings: SettingsFactory,
    pinned_engine: AnswerEngine,
    pinned: Knowledge,
) -> None:
    async with serving(make_settings(), pinned_engine, clock) as bot:
        await run_until(clock, bot.scheduler.run(), utc(2026, 2, 2, 14, 0))

    sends = fakes.discord.find_calls("POST", r"/channels/\d+/messages", status=200)
    assert len(sends) == 2
    for call in sends:
        body = call.body
        assert body["allowed_mentions"] == {"parse": []}  # nobody, no role, no reply author
        assert len(body.get("content") or "") <= CONTENT
        (embed,) = body["embeds"]
        assert "@everyone" in embed["description"]  # the pinned text arrived as written
        assert len(embed["title"]) <= TITLE
        assert len(embed["description"]) <= DESCRIPTION
        assert len(embed["footer"]["text"]) <= FOOTER
        assert (
            sum(len(embed[k]) for k in ("title", "description")) + len(embed["footer"]["text"])
            <= EMBED_TOTAL
        )
        for row in body.get("components", []):
            assert all(len(button.get("label", "")) <= 80 for button in row["components"])

    posts = fakes.slack.calls_to("chat.postMessage")
    assert len(posts) == 2
    for post in posts:
        channel = post.params["channel"]
        insight = expected(pinned, DAY, channel, DAY)
        assert post.params["metadata"] == {
            "event_type": EVENT_TYPE,
            "event_payload": {"key": insight.key, "number": insight.number},
        }
        assert post.params["text"].startswith(title_of("slack", post.params))  # the fallback
        sent = json.dumps([post.params["text"], post.params["blocks"]], ensure_ascii=False)
        assert "&lt;!channel&gt;" in sent  # the pinned text arrived, escaped
        assert LIVE_SLACK_MENTION.search(sent) is None
        assert "@everyone" not in sent  # broken by a word joiner
        assert "@here" not in sent
        (stored,) = fakes.slack_messages(channel)
        assert stored["metadata"]["event_payload"]["key"] == insight.key


async def test_restart_the_same_day_posts_nothing_and_the_next_day_posts_the_next_insight(
    fakes: Fakes,
    clock: ManualClock,
    make_settings: SettingsFactory,
    pinned_engine: AnswerEngine,
    pinned: Knowledge,
) -> None:
    settings = make_settings()
    async with serving(settings, pinned_engine, clock) as bot:
        await run_until(clock, bot.scheduler.run(), utc(2026, 2, 2, 3, 0))  # 12:00 in Seoul
    assert fakes.post_calls() == 4
    before = {k: list(v) for k, v in fakes.visible().items()}
    looked = len(fakes.slack.calls_to("conversations.history"))

    clock.current = utc(2026, 2, 2, 6, 0)  # restarted at 15:00: new process, same database
    async with serving(settings, pinned_engine, clock) as bot:
        await run_until(clock, bot.scheduler.run(), utc(2026, 2, 2, 14, 0))
        assert fakes.post_calls() == 4
        assert fakes.visible() == before
        # Not even asked: the ledger already says posted.
        assert len(fakes.slack.calls_to("conversations.history")) == looked

        await run_until(clock, bot.scheduler.run(), utc(2026, 2, 3, 14, 0))  # the 3rd, 23:00

    tomorrow = DAY + dt.timedelta(days=1)
    for (platform, channel), messages in fakes.visible().items():
        assert len(messages) == 2
        assert local(posted_at(platform, messages[1]), SEOUL) == "2026-02-03 09:00:00 KST"
        assert key_of(platform, messages[1]) == expected(pinned, tomorrow, channel, DAY).key
        assert title_of(platform, messages[1]).endswith("#2")


async def test_start_after_post_time_posts_once_right_away(
    fakes: Fakes,
    clock: ManualClock,
    make_settings: SettingsFactory,
    pinned_engine: AnswerEngine,
) -> None:
    clock.current = utc(2026, 2, 2, 6, 0)  # first started at 15:00 in Seoul, six hours late
    async with serving(make_settings(), pinned_engine, clock) as bot:
        await run_until(clock, bot.scheduler.run(), utc(2026, 2, 2, 14, 0))

    for (platform, _), messages in fakes.visible().items():
        (message,) = messages
        assert local(posted_at(platform, message), SEOUL) == "2026-02-02 15:00:00 KST"
        assert title_of(platform, message).endswith("#1")
    assert fakes.post_calls() == 4


async def test_insight_command_shows_the_daily_post_of_the_day(
    fakes: Fakes,
    clock: ManualClock,
    make_settings: SettingsFactory,
    pinned_engine: AnswerEngine,
) -> None:
    async with serving(make_settings(), pinned_engine, clock) as bot:
        await run_until(clock, bot.scheduler.run(), utc(2026, 2, 3, 3, 0))  # the 3rd, 12:00

        # /insight on the second day, on the same bot: the same insight (#2) as the post,
        # in the member's language.
        for locale, channel in (("ko", DISCORD_KO), ("en-US", DISCORD_EN)):
            interaction = fakes.discord.slash("insight", locale=locale)
            await fakes.discord.interact(interaction)
            reply = await fakes.discord.response_to(interaction)
            (shown,) = reply["data"]["embeds"]
            (posted,) = fakes.discord_messages(channel)[-1]["embeds"]
            assert shown["title"].endswith("#2")
            assert (shown["title"], shown["description"], shown["url"]) == (
                posted["title"],
                posted["description"],
                posted["url"],
            )


async def test_failing_channels_do_not_block_others_and_a_rate_limit_is_retried_that_day(
    db: Path,
    fakes: Fakes,
    clock: ManualClock,
    make_settings: SettingsFactory,
    pinned_engine: AnswerEngine,
) -> None:
    # Discord rate-limits the Korean channel beyond discord.py's own five tries, then lets
    # it through; the English one is forbidden; Slack does not know the Korean channel.
    fakes.discord.fail_next(
        "POST", rf"/channels/{DISCORD_KO}/messages", 429, times=5, retry_after=0.01
    )
    fakes.discord.forbidden_channels.add(DISCORD_EN)
    fakes.slack.missing_channels.add(SLACK_KO)

    async with serving(make_settings(), pinned_engine, clock) as bot:
        await run_until(clock, bot.scheduler.run(), utc(2026, 2, 2, 14, 0))

    visible = fakes.visible()
    # Posted at the next attempt, after the scheduler's first backoff of 30 s.
    (retried,) = visible[("discord", str(DISCORD_KO))]
    assert local(posted_at("discord", retried), SEOUL) == "2026-02-02 09:00:30 KST"
    (untouched,) = visible[("slack", SLACK_EN)]
    assert local(posted_at("slack", untouched), SEOUL) == "2026-02-02 09:00:00 KST"
    assert visible[("discord", str(DISCORD_EN))] == []
    assert visible[("slack", SLACK_KO)] == []
    assert len(fakes.discord.find_calls("POST", rf"/channels/{DISCORD_KO}/messages", 429)) == 5

    state = {k: (r.status, r.attempts, r.last_error) for k, r in records(db).items()}
    assert state == {
        ("discord", str(DISCORD_KO)): ("posted", 2, None),
        ("discord", str(DISCORD_EN)): (
            "failed",
            1,
            f"channel {DISCORD_EN}: missing access (Missing Access)",
        ),
        ("slack", SLACK_KO): (
            "failed",
            1,
            f"Slack refused the call for channel {SLACK_KO}: channel_not_found",
        ),
        ("slack", SLACK_EN): ("posted", 1, None),
    }


# -- other processes: a crash between send and record, and two processes on one database --

WORKER_START = "2026-02-01T23:00:00+00:00"  # 08:00 in Seoul; due at 09:00
WORKER_UNTIL = "2026-02-02T14:00:00+00:00"  # 23:00 in Seoul


Spawn = Callable[..., Awaitable["Process"]]


@pytest.fixture
def spawn(db: Path, knowledge_dir: Path, fakes: Fakes) -> Spawn:
    """Start a `townhall serve`-like process on `db`, posting to this process's fakes."""

    async def start(*flags: str) -> Process:
        return await worker(db, knowledge_dir, fakes, *flags)

    return start


async def worker(db: Path, knowledge_dir: Path, fakes: Fakes, *flags: str) -> Process:
    """A worker process (tests/insight/serve_process.py) from 08:00 to 23:00 in Seoul."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "SLACK_", "INSIGHT_", "TOWNHALL_", "KNOWLEDGE_"))
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.insight.serve_process",
        *("--db", str(db), "--knowledge", str(knowledge_dir)),
        *("--discord-port", str(fakes.discord.port), "--slack-url", fakes.slack.api_url),
        *("--start", WORKER_START, "--until", WORKER_UNTIL),
        *flags,
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    return Process(process)


@dataclass
class Process:
    process: asyncio.subprocess.Process

    async def line(self) -> str:
        """The next line the worker printed."""
        assert self.process.stdout is not None
        return (await asyncio.wait_for(self.process.stdout.readline(), TIMEOUT)).decode().strip()

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"go\n")

    async def finish(self) -> tuple[int, str, str]:
        """Wait for the exit; the return code, the rest of stdout, and stderr."""
        out, err = await asyncio.wait_for(self.process.communicate(), TIMEOUT)
        assert self.process.returncode is not None
        return self.process.returncode, out.decode(), err.decode()


async def test_crash_between_send_and_record_leaves_exactly_one_visible_post(
    spawn: Spawn,
    fakes: Fakes,
    clock: ManualClock,
    make_settings: SettingsFactory,
    pinned_engine: AnswerEngine,
) -> None:
    # The worker posts to all four channels and is SIGKILLed once the platforms accepted
    # all four posts, before the ledger recorded any of them.
    crashed = await spawn("--kill-after-posts", "4")
    assert await crashed.line() == "SENT 4"
    code, _, err = await crashed.finish()
    assert code == -signal.SIGKILL, err
    db = make_settings().core.townhall_db
    pending = dict.fromkeys(CHANNELS, ("pending", None))
    assert {k: (r.status, r.message_id) for k, r in records(db).items()} == pending
    sent = {k: list(v) for k, v in fakes.visible().items()}
    assert [len(messages) for messages in sent.values()] == [1, 1, 1, 1]
    attempts = fakes.post_calls()

    # Restarted a minute later: once the dead process's lease lapses, the platforms are
    # asked, our posts are recognised, and nothing is posted again.
    clock.current = utc(2026, 2, 2, 0, 1)
    async with serving(make_settings(), pinned_engine, clock) as bot:
        await run_until(clock, bot.scheduler.run(), utc(2026, 2, 2, 14, 0))

    assert fakes.visible() == sent
    assert fakes.post_calls() == attempts
    for (platform, channel), record in records(db).items():
        (message,) = sent[(platform, channel)]
        message_id = message["id"] if platform == "discord" else message["ts"]
        assert (record.status, record.message_id, record.last_error) == (
            "posted",
            message_id,
            FOUND_NOTE,
        )
        assert record.updated == utc(2026, 2, 2, 0, 10)  # when the 10-minute lease ran out


async def test_two_processes_on_one_database_post_once_per_channel(
    spawn: Spawn, fakes: Fakes, db: Path
) -> None:
    # Each worker has its own virtual clock; a day-long lease keeps the waiting one from
    # jumping past the working one's lease (real processes share one wall clock).
    flags = ("--wait-go", "--lease-minutes", "1440")
    workers = [await spawn(*flags) for _ in range(2)]
    for process in workers:
        assert await process.line() == "READY"  # logged in to Discord, database open
    for process in workers:
        process.go()
    posted = 0
    for process in workers:
        code, out, err = await process.finish()
        assert (code, out.strip()) == (0, "DONE"), err
        events = [json.loads(line)["event"] for line in err.splitlines()]
        posted += events.count("insight posted")
    assert posted == 4

    for channel, messages in fakes.visible().items():
        assert len(messages) == 1, channel
    assert fakes.post_calls() == 4
    for record in records(db).values():
        assert (record.status, record.attempts, record.last_error) == ("posted", 1, None)
