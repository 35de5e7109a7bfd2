"""Discord and Slack in one process share one engine lane and answer exactly as alone."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.adapters.discord import DiscordService
from bot.adapters.slack import SlackService
from bot.cli.serve import build_core, services_for
from bot.engine import AnswerEngine
from bot.health import Health
from bot.runner import Runner
from bot.settings import CoreSettings, DiscordSettings, InsightSettings, Settings, SlackSettings
from bot.store import Limits
from bot.store.watch import StoreWatch
from tests.adapters.slack.conftest import SIGNING_SECRET, HttpBot, mention
from tests.adapters.slack.conftest import running as slack_running
from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import TOKEN, FakeDiscord
from tests.fakes.slack_api import Call, FakeSlack
from tests.store.locking import write_lock_held_by_another_process
from tests.stores import file_store

# Everyday questions in both languages, on-topic and not: whatever the engine makes of
# them, each platform must show the same thing when they all arrive at once.
QUESTIONS = [
    "Is OpenAI going to hire fewer people?",
    "OpenAI는 앞으로 채용 속도를 어떻게 하나요?",
    "Is college still worth it?",
    "AI 시대에 가장 중요한 스킬은 무엇인가요?",
    "What did he say about agents in production?",
    "바이오 보안은 어떻게 해야 하나요?",
    "What is the best pizza in Naples?",
    "오늘 서울 날씨 어때?",
    "Will AI make inequality worse?",
    "멀티 에이전트 UI는 앞으로 어떻게 되나요?",
]


def settings_for(tmp_path: Path, slack: FakeSlack) -> Settings:
    return Settings(
        core=CoreSettings(townhall_db=str(tmp_path / "townhall.db")),
        discord=DiscordSettings(token=SecretStr(TOKEN), guild_id=None, ask_cooldown=0),
        slack=SlackSettings(
            bot_token=SecretStr("xoxb-test-bot-token"),
            app_token=None,
            signing_secret=SecretStr(SIGNING_SECRET),
            api_url=slack.api_url,
            ask_cooldown=0,
        ),
        insight=InsightSettings(),
    )


class BothPlatforms:
    """One `townhall serve` process with Discord and Slack (HTTP mode) over one core."""

    def __init__(self, discord: FakeDiscord, slack: HttpBot, watch: StoreWatch) -> None:
        self.discord = discord
        self.slack = slack
        self.watch = watch
        self._events = 0

    async def discord_answer(self, question: str) -> dict[str, Any]:
        interaction = self.discord.slash("ask", {"question": question})
        await self.discord.interact(interaction)
        reply = await self.discord.response_to(interaction)
        return dict(reply["data"])

    async def slack_answer(self, question: str) -> dict[str, Any]:
        self._events += 1
        ts = f"1769000000.{self._events:06d}"
        assert await self.slack.send_event(mention(question, ts=ts), f"Ev{self._events}") == 200

        def replies() -> list[Call]:
            posts = self.slack.slack.calls_to("chat.postMessage")
            return [c for c in posts if c.params["thread_ts"] == ts]

        await self.slack.slack.wait_until(lambda: bool(replies()))
        (post,) = replies()
        return {"text": post.params["text"], "blocks": post.params["blocks"]}


@pytest.fixture
async def both(tmp_path: Path, engine: AnswerEngine) -> AsyncIterator[BothPlatforms]:
    async with FakeDiscord() as discord_fake, FakeSlack() as slack_fake:
        settings = settings_for(tmp_path, slack_fake)
        # Hand-moved: no answer is ever deferred for lack of time; signatures use real time.
        clock = ManualClock(dt.datetime.now(dt.UTC), jump=False)
        # A short wait for the file's lock: the lock test below holds it the whole time.
        db = file_store(tmp_path / "townhall.db", Limits(busy_timeout=0.05))
        with Runner("engine") as lane, db as store:
            core = build_core(settings, engine, store=store, runner=lane, clock=clock)
            services = services_for(settings, core, host="127.0.0.1", port=0)
            discord = next(s for s in services if isinstance(s, DiscordService))
            slack = next(s for s in services if isinstance(s, SlackService))
            client = asyncio.create_task(discord.run())
            try:
                # Interactions are taken as soon as the gateway session is identified (the
                # client's ready event waits for guilds this fake does not send).
                await discord_fake.wait_for_op(2)
                async with slack_running(slack), aiohttp.ClientSession() as session:
                    watch = StoreWatch(store, clock, every=dt.timedelta(seconds=15))
                    yield BothPlatforms(discord_fake, HttpBot(slack_fake, slack, session), watch)
            finally:
                client.cancel()
                await asyncio.gather(client, return_exceptions=True)


async def test_both_platforms_at_once_answer_exactly_as_one_question_at_a_time(
    both: BothPlatforms,
) -> None:
    alone = [(await both.discord_answer(q), await both.slack_answer(q)) for q in QUESTIONS]

    together = await asyncio.gather(
        *(both.discord_answer(q) for q in QUESTIONS),
        *(both.slack_answer(q) for q in QUESTIONS),
    )

    discord_together, slack_together = together[: len(QUESTIONS)], together[len(QUESTIONS) :]
    for question, (discord_alone, slack_alone), discord_now, slack_now in zip(
        QUESTIONS, alone, discord_together, slack_together, strict=True
    ):
        assert json.dumps(discord_now, sort_keys=True) == json.dumps(
            discord_alone, sort_keys=True
        ), question
        assert slack_now == slack_alone, question


async def test_answers_flow_on_both_platforms_while_another_process_holds_the_database(
    both: BothPlatforms, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.store.watch")
    caplog.set_level(logging.INFO, logger="bot.adapters.slack.events")
    alone = [(await both.discord_answer(q), await both.slack_answer(q)) for q in QUESTIONS[:4]]
    assert await both.watch.check() is True

    with write_lock_held_by_another_process(str(tmp_path / "townhall.db")):
        available = await both.watch.check()
        locked = await asyncio.gather(
            *(both.discord_answer(q) for q in QUESTIONS[:4]),
            *(both.slack_answer(q) for q in QUESTIONS[:4]),
        )
        health = both.watch.health()
        # Answers need no database: /healthz stays 200 and says what is wrong.
        healthy, _ = Health([both.watch]).report()

    assert available is False
    assert health["available"] is False
    assert healthy
    assert "TOWNHALL_DB" in str(health["error"])
    assert [json.dumps(d, sort_keys=True) for d in locked[:4]] == [
        json.dumps(d, sort_keys=True) for d, _ in alone
    ]
    assert locked[4:] == [s for _, s in alone]
    assert await both.watch.check() is True  # the lock is gone: available again
    assert [r.getMessage() for r in caplog.records if r.name == "bot.store.watch"] == [
        "database unavailable; answers go on",
        "database available again",
    ]
    fallback = [r.getMessage() for r in caplog.records if r.name == "bot.adapters.slack.events"]
    assert fallback == [
        "database unavailable; Slack re-deliveries are recognised by this process's memory only"
    ]
