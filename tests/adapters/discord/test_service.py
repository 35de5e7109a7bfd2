"""The Discord service under `townhall serve`: runs until cancelled, names a bad token."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from pydantic import SecretStr

from bot.adapters.discord import DiscordLoginError, DiscordService
from bot.answers import Answers
from bot.insight.daily import DailyInsights
from bot.insight.ledger import Ledger
from bot.runner import Runner
from bot.settings import DiscordBot
from bot.store import AsyncStore
from bot.store.store import Store
from tests.adapters.discord.conftest import SEOUL, START_TIMEOUT, TODAY
from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import TOKEN, FakeDiscord

WRONG_TOKEN = "MTIzNDU2.wrong-token-value.abcdef"


def service(answers: Answers, lane: Runner, state: AsyncStore, token: str) -> DiscordService:
    bot = DiscordBot(token=SecretStr(token), guild_id=None, ask_cooldown=5.0)
    clock = ManualClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=SEOUL), jump=False)
    daily = DailyInsights(answers.knowledge, Ledger(state), clock, SEOUL, lane)
    return DiscordService.from_settings(
        bot,
        answers=answers,
        daily=daily,
        sync_memory=state.values,
        clock=clock,
        guild_ready_timeout=0.05,
    )


async def test_service_answers_until_cancelled_and_reports_its_health(
    fake: FakeDiscord, answers: Answers, engine_lane: Runner, state: Store, store_lane: Runner
) -> None:
    discord_service = service(answers, engine_lane, AsyncStore(state, store_lane), TOKEN)
    task = asyncio.create_task(discord_service.run())
    await asyncio.wait_for(discord_service.client.wait_until_ready(), START_TIMEOUT)
    running = discord_service.health()
    interaction = fake.slash("ask", {"question": "What about hiring?"})
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert running["connected"] is True
    assert running["guilds"] == 0
    assert reply["data"]["embeds"][0]["title"] == "Changes in Software Engineer Hiring"
    assert discord_service.client.is_closed()
    assert discord_service.health()["connected"] is False


async def test_wrong_token_is_reported_naming_the_variable_and_never_logged(
    fake: FakeDiscord,
    answers: Answers,
    engine_lane: Runner,
    *,
    state: Store,
    store_lane: Runner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    with pytest.raises(DiscordLoginError) as raised:
        await service(answers, engine_lane, AsyncStore(state, store_lane), WRONG_TOKEN).run()

    assert str(raised.value).startswith("DISCORD_TOKEN was rejected by Discord")
    assert WRONG_TOKEN not in str(raised.value)
    assert WRONG_TOKEN not in caplog.text
