"""A running bot for each test: the real discord.Client against the local fake Discord."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.discord import TownhallClient, TownhallCommands
from bot.answers import Answers
from bot.insight.daily import DailyInsights
from bot.insight.ledger import Ledger
from bot.pace import Pace
from bot.runner import Runner
from bot.runtime import InFlight
from bot.store import AsyncStore, open_store
from bot.store.store import Store
from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import TOKEN, FakeDiscord

TODAY = dt.date(2026, 2, 3)
SEOUL = ZoneInfo("Asia/Seoul")
START_TIMEOUT = 5.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """The fake Discord, installed into discord.py for this test only."""
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Store]:
    """A fresh store on a SQLite file (tests/store and tests/insight run both backends)."""
    store = open_store(tmp_path / "townhall.db")
    store.upgrade()
    yield store
    store.close()


@pytest.fixture
def store_lane() -> Iterator[Runner]:
    """The store's own lane, as `townhall serve` builds it."""
    lane = Runner("store", finish_queued=True)
    yield lane
    lane.close()


@pytest.fixture
def bot_clock() -> ManualClock:
    """The bot's clock, at noon on TODAY in Seoul; it moves only when a test moves it."""
    return ManualClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=SEOUL), jump=False)


@asynccontextmanager
async def running(client: TownhallClient, token: str = TOKEN) -> AsyncIterator[TownhallClient]:
    """Start `client`, wait until it is ready, and close it (and its task) afterwards."""
    task = asyncio.create_task(client.start(token), name="test-discord-client")
    try:
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, task}, timeout=START_TIMEOUT, return_when="FIRST_COMPLETED"
        )
        if ready not in done:
            ready.cancel()
            if task in done:
                task.result()  # raise the client's own error
            raise AssertionError("the client did not become ready")
        yield client
    finally:
        await client.close()
        await asyncio.gather(task, return_exceptions=True)


BotFactory = Callable[..., TownhallClient]


@pytest.fixture
def make_bot(
    answers: Answers,
    engine_lane: Runner,
    state: Store,
    store_lane: Runner,
    bot_clock: ManualClock,
) -> BotFactory:
    """Build a client over the shipped knowledge: `make_bot(ask_cooldown=..., ...)`."""

    def build(
        *,
        ask_cooldown: float = 0.0,
        answer_budget: float = 2.0,
        guild_id: int | None = None,
        db: Store | None = None,
        daily: DailyInsights | None = None,
        answers: Answers = answers,
        in_flight: InFlight | None = None,
    ) -> TownhallClient:
        store = AsyncStore(db or state, store_lane)
        ledger = Ledger(store)
        insights = daily or DailyInsights(answers.knowledge, ledger, bot_clock, SEOUL, engine_lane)
        commands = TownhallCommands(
            answers,
            insights,
            bot_clock,
            answer_budget=answer_budget,
            in_flight=in_flight,
            pace=Pace(bot_clock, ask_cooldown),
        )
        return TownhallClient(commands, store.values, guild_id=guild_id, guild_ready_timeout=0.05)

    return build


@pytest.fixture
async def bot(fake: FakeDiscord, make_bot: BotFactory) -> AsyncIterator[TownhallClient]:
    """A connected bot with no cooldown."""
    async with running(make_bot()) as client:
        yield client
