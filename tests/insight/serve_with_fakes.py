"""The daily insight as `townhall serve` builds it, against the fake Discord and Slack.

Used in the test process and by `serve_process.py` in other processes: the same settings,
the same `services_for`, only the fakes' addresses and the clock differ.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.adapters.discord import DiscordService
from bot.cli.serve import build_core, services_for
from bot.clock import Clock
from bot.engine import AnswerEngine
from bot.insight.schedule import InsightScheduler
from bot.knowledge import load_knowledge
from bot.knowledge.loader import load_document
from bot.knowledge.model import INTRODUCTION
from bot.runner import Runner
from bot.settings import (
    BUNDLED_KNOWLEDGE,
    CoreSettings,
    DiscordSettings,
    InsightSettings,
    Settings,
    SlackSettings,
)
from bot.store import AsyncStore, open_store
from tests.fakes.discord_api import CHANNEL_ID
from tests.fakes.discord_api import TOKEN as DISCORD_TOKEN

T = TypeVar("T")

DISCORD_KO = CHANNEL_ID
DISCORD_EN = CHANNEL_ID + 2  # CHANNEL_ID + 1 is the fake's member id
SLACK_KO = "C0KO"
SLACK_EN = "C0EN"
SLACK_TOKEN = "xoxb-fake-slack-token"
SIGNING_SECRET = "fake-signing-secret"  # HTTP mode; the Slack service itself is not run
LOGIN_TIMEOUT = 10.0  # a guard against a hang, not a timing assertion

# Every string that pings on Slack or Discord when sent live, in each pinned passage.
MENTIONS = "<!channel> <!here> <!everyone> <@U024BE7LH> <@&1234> @everyone @here"
PINNED = {
    "en": f"Ask {MENTIONS} what the point of this topic is.",
    "ko": f"{MENTIONS} 에게 이 주제의 요점을 물어보세요.",
}


def pinned_knowledge(folder: Path) -> Path:
    """The shipped knowledge copied to `folder`, every topic's insight pinned to `PINNED`."""
    folder.mkdir(parents=True, exist_ok=True)
    knowledge = load_knowledge(BUNDLED_KNOWLEDGE)
    for source in sorted(BUNDLED_KNOWLEDGE.glob("*.md")):
        text = source.read_text(encoding="utf-8")
        lang = load_document(source).lang
        numbers = [s.number for s in knowledge.sections(lang) if s.number != INTRODUCTION]
        pins = "".join(f'  {n}: "{PINNED[lang]}"\n' for n in numbers)
        # Front matter opens with the first "---" line; the pins go right after it.
        head, rest = text.split("---\n", 1)
        (folder / source.name).write_text(f"{head}---\ninsights:\n{pins}{rest}", encoding="utf-8")
    return folder


def settings_for(
    *,
    db: Path,
    knowledge: Path,
    discord_port: int,
    slack_api_url: str,
    at: str = "09:00",
    zone: str = "Asia/Seoul",
    discord_channels: str = f"{DISCORD_KO},{DISCORD_EN}:en",
    slack_channels: str = f"{SLACK_KO},{SLACK_EN}:en",
) -> Settings:
    """Settings as an admin would write them in .env, with the fakes' addresses."""
    return Settings(
        core=CoreSettings(knowledge_dir=knowledge, townhall_db=str(db)),
        discord=DiscordSettings(token=SecretStr(DISCORD_TOKEN), guild_id=None, ask_cooldown=0),
        slack=SlackSettings(
            bot_token=SecretStr(SLACK_TOKEN),
            app_token=None,
            signing_secret=SecretStr(SIGNING_SECRET),
            api_url=slack_api_url,
            ask_cooldown=0,
        ),
        insight=InsightSettings(
            time=at,  # type: ignore[arg-type]  # parsed from text, as from the environment
            timezone=zone,  # type: ignore[arg-type]
            discord_channels=discord_channels,  # type: ignore[arg-type]
            slack_channels=slack_channels,  # type: ignore[arg-type]
        ),
    )


@dataclass
class Bot:
    """One `townhall serve` process's daily insight: its scheduler and its Discord bot."""

    scheduler: InsightScheduler
    discord: DiscordService
    store: AsyncStore


@asynccontextmanager
async def serving(
    settings: Settings, engine: AnswerEngine, clock: Clock, lease: dt.timedelta | None = None
) -> AsyncIterator[Bot]:
    """Build the services as `townhall serve` does and run the Discord bot until the end.

    The scheduler is not started: the test runs it on its clock (`run_until`). The Slack
    service is not run either; posting only needs its Web API client.
    """
    opened = open_store(settings.core.townhall_db)
    opened.upgrade()
    store_lane = Runner("store", finish_queued=True)
    store = AsyncStore(opened, store_lane)
    lane = Runner("engine")
    core = build_core(settings, engine, store=store, runner=lane, clock=clock)
    services = services_for(settings, core)
    scheduler = _only(services, InsightScheduler)
    discord = _only(services, DiscordService)
    if lease is not None:
        scheduler.claim_lease = lease
    task = asyncio.create_task(discord.run(), name="discord")
    try:
        await logged_in(discord, task)
        yield Bot(scheduler, discord, store)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        lane.close()
        store_lane.close()
        opened.close()


async def logged_in(discord: DiscordService, task: asyncio.Task[None]) -> None:
    """Wait until the client has logged in (REST works; the gateway may still connect).

    In production the scheduler's first retry (30 s) covers a post due while Discord logs
    in; on a virtual clock retries take no time, so the tests wait for the login instead.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LOGIN_TIMEOUT
    while discord.client.user is None or discord.client.application_id is None:
        if task.done():
            task.result()  # raise the client's own error
            raise AssertionError("the Discord service stopped before logging in")
        if loop.time() > deadline:
            raise AssertionError("the Discord client did not log in")
        await asyncio.sleep(0.005)


def _only(services: Sequence[object], kind: type[T]) -> T:
    (found,) = [s for s in services if isinstance(s, kind)]
    return found


def local(moment: dt.datetime, zone: str) -> str:
    """`moment` as local wall-clock text with its zone abbreviation, for assertions."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")
