"""Usage through the real clients: discord.py and slack-bolt against the local fakes."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.adapters.discord import DiscordService
from bot.adapters.discord.commands import ANSWER_BUDGET
from bot.adapters.slack import SlackService
from bot.answers import Answers
from bot.cli.serve import build_core, services_for
from bot.engine import AnswerEngine, Verdict
from bot.knowledge.topics import title_mark, topic_id
from bot.phrases import phrase
from bot.runner import Runner
from bot.settings import (
    CoreSettings,
    DiscordSettings,
    InsightSettings,
    Settings,
    SlackSettings,
    StatsSettings,
)
from bot.store import AsyncStore, Limits, open_store
from bot.store.store import Store
from bot.store.usage import QuestionRow
from bot.usage import QuestionRetention, UsageRecorder
from tests.adapters.discord.conftest import running as discord_running
from tests.adapters.slack.conftest import (
    SIGNING_SECRET,
    HttpBot,
    button_press,
    direct_message,
    mention,
    topic_buttons,
)
from tests.adapters.slack.conftest import running as slack_running
from tests.adapters.verdicts import pick_question
from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import GUILD_ID, TOKEN, FakeDiscord
from tests.fakes.slack_api import TEAM_ID, FakeSlack
from tests.usage.conftest import VOTE_KEYS

HIRING = "Is OpenAI going to hire fewer people?"
PIZZA = "What is the best pizza in Naples?"
KOREAN = "바이오 보안은 어떻게 해야 하나요?"


@dataclass
class Serving:
    """One `townhall serve` process (Discord, and Slack over HTTP) recording usage."""

    discord: FakeDiscord
    slack: HttpBot
    usage: UsageRecorder
    store: Store
    clock: ManualClock

    async def discord_ask(self, question: str, **options: Any) -> dict[str, Any]:
        interaction = self.discord.slash("ask", {"question": question, **options})
        await self.discord.interact(interaction)
        return await self.discord.response_to(interaction)


def settings_for(tmp_path: Path, slack: FakeSlack, *, keep: bool) -> Settings:
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
        stats=StatsSettings(keep_questions=keep),
    )


@asynccontextmanager
async def serve_both(
    tmp_path: Path, engine: AnswerEngine, *, keep: bool, limits: Limits | None = None
) -> AsyncIterator[Serving]:
    """`townhall serve` with Discord and Slack (HTTP mode) recording usage on a SQLite file."""
    async with FakeDiscord() as discord_fake, FakeSlack() as slack_fake:
        settings = settings_for(tmp_path, slack_fake, keep=keep)
        store = open_store(tmp_path / "townhall.db", limits)
        store.upgrade()
        clock = ManualClock(dt.datetime.now(dt.UTC), jump=False)
        usage = UsageRecorder(AsyncStore(store), clock, keep_questions=keep, vote_keys=VOTE_KEYS)
        state = AsyncStore(store)
        with Runner("engine") as lane:
            core = build_core(settings, engine, store=state, runner=lane, clock=clock, usage=usage)
            services = services_for(settings, core, host="127.0.0.1", port=0)
            discord = next(s for s in services if isinstance(s, DiscordService))
            slack = next(s for s in services if isinstance(s, SlackService))
            async with (
                discord_running(discord.client),
                slack_running(slack),
                aiohttp.ClientSession() as session,
            ):
                yield Serving(
                    discord_fake, HttpBot(slack_fake, slack, session), usage, store, clock
                )
            await usage.settle()
        store.close()


@pytest.fixture
async def serving(tmp_path: Path, engine: AnswerEngine) -> AsyncIterator[Serving]:
    async with serve_both(tmp_path, engine, keep=True) as both:
        yield both


def expected(engine: AnswerEngine, question: str) -> tuple[str, str, tuple[str, ...]]:
    """What the engine makes of `question`: language, verdict and sections, as recorded."""
    answer = engine.ask(question)
    return answer.lang, answer.verdict.value, tuple(topic_id(h.section) for h in answer.hits)


async def test_questions_on_both_platforms_are_recorded_with_verdict_topics_and_place(
    serving: Serving, engine: AnswerEngine
) -> None:
    await serving.discord_ask(HIRING)
    await serving.discord_ask(PIZZA, private=True)
    slack = serving.slack
    assert await slack.send_event(mention(KOREAN, ts="1769000000.000100"), "Ev1") == 200
    thread = mention(HIRING, ts="1769000000.000200", thread_ts="1769000000.000001")
    assert await slack.send_event(thread, "Ev2") == 200
    assert await slack.send_event(direct_message(PIZZA), "Ev3") == 200
    assert (await slack.send_command(KOREAN))[0] == 200
    await slack.slack.wait_until(lambda: len(slack.slack.calls_to("chat.postMessage")) == 3)
    await slack.slack.wait_until(lambda: bool(slack.slack.calls_to("response:cmd")))
    await serving.usage.settle()

    rows = serving.store.usage.questions_since(serving.clock.now() - dt.timedelta(days=1))
    seen = sorted(
        (r.platform, r.channel_kind, r.community, r.question, (r.lang, r.verdict, r.sections))
        for r in rows
    )
    guild = str(GUILD_ID)
    assert seen == sorted(
        [
            ("discord", "channel", guild, HIRING, expected(engine, HIRING)),
            ("discord", "private", guild, PIZZA, expected(engine, PIZZA)),
            ("slack", "channel", TEAM_ID, KOREAN, expected(engine, KOREAN)),
            ("slack", "thread", TEAM_ID, HIRING, expected(engine, HIRING)),
            ("slack", "dm", TEAM_ID, PIZZA, expected(engine, PIZZA)),
            ("slack", "private", TEAM_ID, KOREAN, expected(engine, KOREAN)),
        ]
    )
    assert len({r.answer_id for r in rows}) == 6


# What Slack sends for "hiring? see acme.io/jobs?ref=kim.minsu" (it links a bare domain with
# the domain as the label), and a link and an address typed full-width (a Korean IME).
SLACK_AUTOLINK = (
    "<@UBOT> hiring? see <http://acme.io/jobs?ref=kim.minsu|acme.io/jobs?ref=kim.minsu>"
)
FULL_WIDTH = "채용은? ｈｔｔｐｓ：／／evil.example/x 메일 ｋｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ"


async def test_kept_text_from_either_platform_holds_no_link_or_address(
    serving: Serving,
) -> None:
    slack = serving.slack
    assert await slack.send_event(mention(SLACK_AUTOLINK, ts="1769000000.000100"), "Ev1") == 200
    await serving.discord_ask(FULL_WIDTH)
    await slack.slack.wait_until(lambda: len(slack.slack.calls_to("chat.postMessage")) == 1)
    await serving.usage.settle()

    rows = serving.store.usage.questions_since(serving.clock.now() - dt.timedelta(days=1))
    assert sorted((r.platform, r.question) for r in rows) == [
        ("discord", "채용은? 메일"),
        ("slack", "hiring? see"),
    ]


EPHEMERAL = 64


def vote_buttons(message: dict[str, Any]) -> dict[str, str]:
    """The 👍 / 👎 buttons' custom ids of a Discord message, by emoji."""
    return {
        b["emoji"]["name"]: b["custom_id"]
        for row in message.get("components", [])
        for b in row["components"]
        if b.get("custom_id", "").startswith("townhall:vote:")
    }


async def click(fake: FakeDiscord, custom_id: str, message: dict[str, Any], member: int) -> Any:
    interaction = fake.click(custom_id, fake.message_from(message), member=member)
    await fake.interact(interaction)
    return await fake.response_to(interaction)


def stored_votes(store: Store, clock: ManualClock) -> list[str]:
    return sorted(v.vote for v in store.usage.votes_since(clock.now() - dt.timedelta(days=1)))


async def test_a_discord_vote_is_private_and_a_second_press_changes_it(
    serving: Serving, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.ANSWER, lang="en")
    assert question is not None
    message = (await serving.discord_ask(question))["data"]
    up, down = vote_buttons(message)["👍"], vote_buttons(message)["👎"]
    member = 1_300_000_000_000_000_077

    first = await click(serving.discord, up, message, member)
    second = await click(serving.discord, down, message, member)

    assert first["data"]["flags"] == EPHEMERAL
    assert first["data"]["embeds"][0]["title"] == phrase("vote_thanks", "en")
    assert second["data"]["flags"] == EPHEMERAL
    assert second["data"]["embeds"][0]["title"] == phrase("vote_changed", "en")
    others = [b["custom_id"] for row in second["data"]["components"] for b in row["components"]]
    hits = engine.ask(question).hits[1:]
    assert others == [
        f"townhall:topic:{h.talk}:{h.number}:en:private:{title_mark(h.section)}" for h in hits
    ]
    assert stored_votes(serving.store, serving.clock) == ["down"]
    # Nothing is posted in the channel: every reply is an interaction callback.
    assert serving.discord.find_calls("POST", r"/channels/\d+/messages") == []


async def test_a_discord_vote_waiting_on_a_busy_database_is_deferred_in_time_then_filled_in(
    tmp_path: Path, engine: AnswerEngine
) -> None:
    patient = Limits(busy_timeout=10, statement_timeout=10)
    async with serve_both(tmp_path, engine, keep=False, limits=patient) as both:
        question = pick_question(engine, Verdict.ANSWER, lang="en")
        assert question is not None
        message = (await both.discord_ask(question))["data"]
        await both.usage.settle()
        fake, clock = both.discord, both.clock
        interaction = fake.click(vote_buttons(message)["👍"], fake.message_from(message))
        token = interaction["token"]
        locker = sqlite3.connect(tmp_path / "townhall.db", isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        try:
            sleeping = clock.sleeping
            await fake.interact(interaction)
            # Discord drops a click not answered within 3 s: past the budget, it is deferred.
            await clock.wait_for_sleepers(sleeping + 1)
            clock.advance(ANSWER_BUDGET)
            deferred = await fake.response_to(interaction)
        finally:
            locker.rollback()
            locker.close()
        edit = await fake.wait_for_call("PATCH", rf"/webhooks/\d+/{token}/messages/@original")

    assert deferred == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert edit.body["embeds"][0]["title"] == phrase("vote_thanks", "en")


async def test_a_reply_with_nothing_found_carries_no_vote_buttons(
    serving: Serving, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.NONE, with_hits=False)
    assert question is not None

    message = (await serving.discord_ask(question))["data"]

    assert vote_buttons(message) == {}


async def test_a_discord_vote_button_works_after_a_restart_on_the_same_database(
    tmp_path: Path, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.ANSWER, lang="en")
    assert question is not None
    path = tmp_path / "townhall.db"
    clock = ManualClock(dt.datetime.now(dt.UTC), jump=False)

    @asynccontextmanager
    async def process() -> AsyncIterator[Store]:
        """A new `serve` process: its own store connection, recorder and Discord client."""
        store = open_store(path)
        store.upgrade()
        usage = UsageRecorder(AsyncStore(store), clock, keep_questions=False, vote_keys=VOTE_KEYS)
        state = AsyncStore(store)
        settings = settings_for(tmp_path, slack_fake, keep=False)
        with Runner("engine") as lane:
            core = build_core(settings, engine, store=state, runner=lane, clock=clock, usage=usage)
            bot = settings.discord.bot()
            assert bot is not None
            service = DiscordService.from_settings(
                bot,
                answers=core.answers,
                daily=core.daily,
                sync_memory=state.values,
                clock=clock,
                usage=usage,
            )
            async with discord_running(service.client):
                yield store
            await usage.settle()
        store.close()

    async with FakeDiscord() as fake, FakeSlack() as slack_fake:
        async with process():
            interaction = fake.slash("ask", {"question": question})
            await fake.interact(interaction)
            message = (await fake.response_to(interaction))["data"]
        async with process() as store:
            reply = await click(fake, vote_buttons(message)["👍"], message, 42)
            assert reply["data"]["embeds"][0]["title"] == phrase("vote_thanks", "en")
            assert stored_votes(store, clock) == ["up"]


def slack_vote_buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The 👍 / 👎 buttons of a Slack message, by label."""
    return {
        element["text"]["text"]: element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith("townhall_vote_")
    }


async def test_a_slack_vote_is_ephemeral_and_a_second_press_changes_it(
    serving: Serving, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.ANSWER, lang="en")
    assert question is not None
    slack = serving.slack
    assert await slack.send_event(mention(question, ts="1769000000.000300"), "Ev9") == 200
    await slack.slack.wait_until(lambda: bool(slack.slack.calls_to("chat.postMessage")))
    (post,) = slack.slack.calls_to("chat.postMessage")
    posted = {"ts": "1769000000.000400", "thread_ts": post.params["thread_ts"]}
    posted["blocks"] = post.params["blocks"]
    buttons = slack_vote_buttons(post.params["blocks"])

    assert await slack.press(button_press(buttons["👍"], message=posted)) == 200
    await slack.slack.wait_until(lambda: len(slack.slack.calls_to("chat.postEphemeral")) == 1)
    assert await slack.press(button_press(buttons["👎"], message=posted)) == 200
    await slack.slack.wait_until(lambda: len(slack.slack.calls_to("chat.postEphemeral")) == 2)

    first, second = slack.slack.calls_to("chat.postEphemeral")
    assert (first.params["user"], first.params["channel"]) == ("U1", "C1")
    assert first.params["thread_ts"] == post.params["thread_ts"]
    assert first.params["text"] == phrase("vote_thanks", "en")
    assert second.params["text"] == phrase("vote_changed", "en")
    offered = [b["value"] for b in topic_buttons(second.params["blocks"])]
    hits = engine.ask(question).hits[1:]
    assert offered == [f"{h.talk}:{h.number}:en" for h in hits]
    assert stored_votes(serving.store, serving.clock) == ["down"]
    assert len(slack.slack.calls_to("chat.postMessage")) == 1  # nothing more in the channel


async def test_a_vote_under_a_private_slack_answer_is_answered_on_its_response_url(
    serving: Serving, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.ANSWER, lang="en")
    assert question is not None
    slack = serving.slack
    assert (await slack.send_command(question))[0] == 200
    await slack.slack.wait_until(lambda: bool(slack.slack.calls_to("response:cmd")))
    (answer,) = slack.slack.calls_to("response:cmd")
    up = slack_vote_buttons(answer.params["blocks"])["👍"]

    press = button_press(up, response_url=slack.slack.response_url("vote"))
    assert await slack.press(press) == 200
    await slack.slack.wait_until(lambda: bool(slack.slack.calls_to("response:vote")))

    (ack,) = slack.slack.calls_to("response:vote")
    assert ack.params["response_type"] == "ephemeral"
    assert ack.params["text"] == phrase("vote_thanks", "en")
    assert stored_votes(serving.store, serving.clock) == ["up"]


async def test_a_slack_vote_button_works_after_a_restart_on_the_same_database(
    tmp_path: Path, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.CLOSEST, lang="en")
    assert question is not None
    path = tmp_path / "townhall.db"
    clock = ManualClock(dt.datetime.now(dt.UTC), jump=False)

    @asynccontextmanager
    async def process(slack_fake: FakeSlack) -> AsyncIterator[tuple[HttpBot, Store]]:
        """A new `serve` process: its own store connection, recorder and Slack app."""
        store = open_store(path)
        store.upgrade()
        usage = UsageRecorder(AsyncStore(store), clock, keep_questions=False, vote_keys=VOTE_KEYS)
        app = settings_for(tmp_path, slack_fake, keep=False).slack.app()
        assert app is not None
        with Runner("engine") as lane:
            service = SlackService.from_settings(
                app,
                answers=Answers(engine, lane),
                clock=clock,
                host="127.0.0.1",
                port=0,
                usage=usage,
            )
            async with slack_running(service), aiohttp.ClientSession() as session:
                yield HttpBot(slack_fake, service, session), store
            await usage.settle()
        store.close()

    async with FakeSlack() as slack_fake:
        async with process(slack_fake) as (bot, _):
            assert await bot.send_event(mention(question), "Ev1") == 200
            await slack_fake.wait_until(lambda: bool(slack_fake.calls_to("chat.postMessage")))
        (post,) = slack_fake.calls_to("chat.postMessage")
        posted = {"ts": "1769000000.000400", "blocks": post.params["blocks"]}
        async with process(slack_fake) as (bot, store):
            down = slack_vote_buttons(post.params["blocks"])["👎"]
            assert await bot.press(button_press(down, message=posted)) == 200
            await slack_fake.wait_until(lambda: bool(slack_fake.calls_to("chat.postEphemeral")))
            assert stored_votes(store, clock) == ["down"]


async def test_with_keeping_off_no_question_text_reaches_the_database_files(
    tmp_path: Path, engine: AnswerEngine
) -> None:
    secret = "Will the zebra-orchid-77 plan change hiring"
    korean = "얼룩말난초칠칠 계획이 채용을 바꾸나요"
    async with serve_both(tmp_path, engine, keep=False) as both:
        await both.discord_ask(secret)
        slack = both.slack
        assert await slack.send_event(mention(korean), "Ev1") == 200
        assert await slack.send_event(direct_message(secret), "Ev2") == 200
        await slack.slack.wait_until(lambda: len(slack.slack.calls_to("chat.postMessage")) == 2)
        await both.usage.settle()
        rows = both.store.usage.questions_since(both.clock.now() - dt.timedelta(days=1))
        assert len(rows) == 3
        files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    files += b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())  # after close

    for needle in ("zebra-orchid", "얼룩말난초칠칠"):
        assert needle.encode() not in files, needle


async def test_a_locked_database_loses_the_record_but_the_member_gets_the_answer(
    tmp_path: Path, engine: AnswerEngine, caplog: pytest.LogCaptureFixture
) -> None:
    impatient = Limits(busy_timeout=0.2, statement_timeout=0.3)
    async with serve_both(tmp_path, engine, keep=False, limits=impatient) as both:
        locker = sqlite3.connect(tmp_path / "townhall.db", isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        try:
            with caplog.at_level(logging.WARNING):
                reply = await both.discord_ask(HIRING)
                await both.usage.settle()
        finally:
            locker.rollback()
            locker.close()
        rows = both.store.usage.questions_since(both.clock.now() - dt.timedelta(days=1))

    assert reply["type"] == 4
    assert reply["data"]["embeds"][0]["title"] == engine.ask(HIRING).hits[0].title
    assert rows == []
    assert "could not record a question" in caplog.text


async def test_a_slack_vote_on_a_korean_answer_is_acknowledged_in_korean_with_the_database_locked(
    tmp_path: Path, engine: AnswerEngine
) -> None:
    impatient = Limits(busy_timeout=0.2, statement_timeout=0.3)
    async with serve_both(tmp_path, engine, keep=False, limits=impatient) as both:
        slack = both.slack
        assert await slack.send_event(mention(KOREAN), "Ev1") == 200
        await slack.slack.wait_until(lambda: bool(slack.slack.calls_to("chat.postMessage")))
        (post,) = slack.slack.calls_to("chat.postMessage")
        posted = {"ts": "1769000000.000400", "blocks": post.params["blocks"]}
        up = slack_vote_buttons(post.params["blocks"])["👍"]
        await both.usage.settle()
        locker = sqlite3.connect(tmp_path / "townhall.db", isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        try:
            assert await slack.press(button_press(up, message=posted)) == 200
            await slack.slack.wait_until(lambda: bool(slack.slack.calls_to("chat.postEphemeral")))
        finally:
            locker.rollback()
            locker.close()

    (told,) = slack.slack.calls_to("chat.postEphemeral")
    assert told.params["text"] == phrase("vote_unavailable", "ko")


BAD_VALUES = ["<!channel>", "../../etc", "", "0123456789abcdeg", "x" * 5000]


async def test_a_vote_press_carrying_no_answer_id_is_acked_and_changes_nothing(
    serving: Serving, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.ANSWER, lang="en")
    assert question is not None
    slack = serving.slack
    assert await slack.send_event(mention(question), "Ev1") == 200
    await slack.slack.wait_until(lambda: bool(slack.slack.calls_to("chat.postMessage")))
    (post,) = slack.slack.calls_to("chat.postMessage")
    good = slack_vote_buttons(post.params["blocks"])["👍"]
    posted = {"ts": "1769000000.000400", "blocks": post.params["blocks"]}

    for value in BAD_VALUES:
        assert await slack.press(button_press({**good, "value": value}, message=posted)) == 200
    # Then the real button: once its acknowledgement is out, the bad presses had their turn.
    assert await slack.press(button_press(good, message=posted)) == 200
    await slack.slack.wait_until(lambda: bool(slack.slack.calls_to("chat.postEphemeral")))

    assert len(slack.slack.calls_to("chat.postEphemeral")) == 1
    assert len(slack.slack.calls_to("chat.postMessage")) == 1
    assert stored_votes(serving.store, serving.clock) == ["up"]


async def test_discord_questions_in_a_thread_and_a_dm_are_recorded_as_such(
    serving: Serving,
) -> None:
    fake = serving.discord
    in_thread = fake.slash("ask", {"question": HIRING})
    in_thread["channel"].update(
        type=11,  # a public thread
        parent_id=str(GUILD_ID + 100),
        owner_id=str(GUILD_ID + 101),
        message_count=1,
        member_count=1,
        thread_metadata={
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-01-28T00:00:00+00:00",
            "locked": False,
        },
    )
    in_dm = fake.slash("ask", {"question": PIZZA})
    del in_dm["guild_id"], in_dm["guild_locale"], in_dm["channel"]["guild_id"]
    in_dm["user"] = in_dm.pop("member")["user"]
    in_dm["channel"] = {"id": in_dm["channel_id"], "type": 1, "recipients": [in_dm["user"]]}

    for interaction in (in_thread, in_dm):
        await fake.interact(interaction)
        await fake.response_to(interaction)
    await serving.usage.settle()

    rows = serving.store.usage.questions_since(serving.clock.now() - dt.timedelta(days=1))
    assert sorted((r.question, r.channel_kind, r.community) for r in rows) == sorted(
        [(HIRING, "thread", str(GUILD_ID)), (PIZZA, "dm", None)]
    )


async def test_with_recording_turned_off_text_kept_before_is_still_cleared_on_time(
    tmp_path: Path, engine: AnswerEngine
) -> None:
    async with FakeSlack() as slack_fake:
        base = settings_for(tmp_path, slack_fake, keep=True)
        # The admin kept question text, then turned recording off: serve runs with no recorder.
        settings = replace(base, stats=StatsSettings(record=False))
        store = open_store(tmp_path / "townhall.db")
        store.upgrade()
        clock = ManualClock(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), jump=False)
        old = clock.now() - settings.stats.retention - dt.timedelta(days=1)
        store.usage.record(
            QuestionRow("kept", old, "slack", "T1", "dm", "en", "none", (), "kept before")
        )
        try:
            with Runner("engine") as lane:
                core = build_core(
                    settings, engine, store=AsyncStore(store), runner=lane, clock=clock
                )
                services = services_for(settings, core, host="127.0.0.1", port=0)
                [retention] = [s for s in services if isinstance(s, QuestionRetention)]
                assert await retention.sweep() == 1
            row = store.usage.question("kept")
            assert row is not None
            assert row.question is None
        finally:
            store.close()
