"""The Discord service under `townhall serve`: runs until cancelled, names a bad token."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from pydantic import SecretStr

from bot.adapters.discord import DiscordLoginError, DiscordService
from bot.engine import AnswerEngine
from bot.settings import DiscordSettings
from bot.state import StateDB
from tests.adapters.discord.conftest import START_TIMEOUT, TODAY
from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import TOKEN, FakeDiscord

WRONG_TOKEN = "MTIzNDU2.wrong-token-value.abcdef"


def service(engine: AnswerEngine, state: StateDB, token: str) -> DiscordService:
    settings = DiscordSettings(token=SecretStr(token), guild_id=None, ask_cooldown=5.0)
    clock = ManualClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC), jump=False)
    return DiscordService(
        settings, engine, state, clock=clock, zone=dt.UTC, guild_ready_timeout=0.05
    )


async def test_service_answers_until_cancelled_and_reports_its_health(
    fake: FakeDiscord, engine: AnswerEngine, state: StateDB
) -> None:
    discord_service = service(engine, state, TOKEN)
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
    fake: FakeDiscord, engine: AnswerEngine, state: StateDB, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    with pytest.raises(DiscordLoginError) as raised:
        await service(engine, state, WRONG_TOKEN).run()

    assert str(raised.value).startswith("DISCORD_TOKEN was rejected by Discord")
    assert WRONG_TOKEN not in str(raised.value)
    assert WRONG_TOKEN not in caplog.text
