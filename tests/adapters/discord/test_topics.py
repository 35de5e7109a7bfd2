"""/topics, /topic with autocomplete, /insight and errors, end to end with the real client."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord import DiscordPublisher, TownhallClient
from bot.answers import Answers
from bot.channel import Channel
from bot.insight import insight_for
from bot.insight.channel import InsightChannel
from bot.insight.daily import DailyInsights
from bot.insight.ledger import ROTATION_START, Ledger
from bot.insight.schedule import InsightScheduler
from bot.knowledge import Knowledge
from bot.phrases import phrase
from bot.runner import Runner
from bot.store import AsyncStore, Limits, open_store
from bot.store.store import Store
from tests.adapters.discord.conftest import SEOUL, TODAY, BotFactory, running
from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import CHANNEL_ID, Call, FakeDiscord
from tests.store.locking import write_lock_held

EPHEMERAL = 64
TALK = "openai-town-hall-2026-01"


async def test_topics_lists_every_topic_in_one_embed(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    interaction = fake.slash("topics", locale="ko")
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    (embed,) = reply["data"]["embeds"]
    lines = embed["description"].split("\n")
    assert embed["title"] == "Town Hall 주제"
    assert len(lines) == 23
    assert lines[0] == "**1.** 소프트웨어 엔지니어링의 미래: Jevons Paradox"
    assert lines[18] == "**19.** 소프트웨어 엔지니어 채용의 변화"


@pytest.mark.parametrize(
    ("locale", "typed", "expected"),
    [
        ("en-US", "채용", [("19. Changes in Software Engineer Hiring", f"{TALK}:19")]),
        ("ko", "hiring", [("19. 소프트웨어 엔지니어 채용의 변화", f"{TALK}:19")]),
        ("en-US", "college", [("18. The Value of a College Education", f"{TALK}:18")]),
    ],
)
async def test_autocomplete_matches_korean_and_english_titles_in_the_member_language(
    fake: FakeDiscord, bot: TownhallClient, locale: str, typed: str, expected: list[tuple[str, str]]
) -> None:
    interaction = fake.autocomplete("topic", {"name": typed}, "name", locale=locale)
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    assert reply["type"] == 8
    assert [(c["name"], c["value"]) for c in reply["data"]["choices"]] == expected


async def test_autocomplete_with_nothing_typed_offers_every_topic(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    interaction = fake.autocomplete("topic", {"name": ""}, "name")
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    choices = reply["data"]["choices"]
    assert len(choices) == 23
    assert choices[0] == {
        "name": "1. The Future of Software Engineering: Jevons Paradox",
        "value": f"{TALK}:1",
    }


async def test_topic_chosen_from_autocomplete_shows_the_whole_section(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    interaction = fake.slash("topic", {"name": f"{TALK}:19"})
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    (embed,) = reply["data"]["embeds"]
    assert embed["title"] == "19. Changes in Software Engineer Hiring"
    assert embed["description"].startswith("**")
    assert "hir" in embed["description"]
    assert embed["footer"]["text"].startswith("Topic 19 · ")
    assert reply["data"]["allowed_mentions"] == {"parse": []}


async def test_topic_typed_as_a_korean_title_is_shown_in_korean(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    interaction = fake.slash("topic", {"name": "대학 교육의 가치"})
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    assert reply["data"]["embeds"][0]["title"] == "18. 대학 교육의 가치"


async def test_unknown_topic_gets_a_private_notice(fake: FakeDiscord, bot: TownhallClient) -> None:
    interaction = fake.slash("topic", {"name": "quantum gravity"})
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    assert reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["content"] == "No topic matches “quantum gravity”. /topics lists them all."


async def test_insight_is_the_pick_for_today_from_the_stored_rotation_start(
    fake: FakeDiscord, bot: TownhallClient, knowledge: Knowledge, state: Store
) -> None:
    start = date(2026, 1, 28)
    state.values.add(ROTATION_START, start.isoformat())  # as the daily post stored it
    interaction = fake.slash("insight")
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    expected = insight_for(knowledge, TODAY, "en", start)
    (embed,) = reply["data"]["embeds"]
    assert embed["title"] == "Town Hall insight #7"
    assert embed["description"] == f"**{expected.section.title}**\n\n{expected.passage}"
    assert embed["footer"]["text"] == f"Topic {expected.section.number} · 2026-02-03"


async def test_insight_without_a_daily_post_starts_the_rotation_today(
    fake: FakeDiscord, bot: TownhallClient, state: Store
) -> None:
    interaction = fake.slash("insight")
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    (embed,) = reply["data"]["embeds"]
    assert embed["title"] == "Town Hall insight #1"
    # Stored, so tomorrow's /insight says #2.
    assert state.values.get(ROTATION_START) == TODAY.isoformat()


async def test_insight_before_the_daily_post_leaves_the_post_to_recover_the_rotation(
    fake: FakeDiscord,
    make_bot: BotFactory,
    *,
    knowledge: Knowledge,
    state: Store,
    store_lane: Runner,
    engine_lane: Runner,
    bot_clock: ManualClock,
) -> None:
    ledger = Ledger(AsyncStore(state, store_lane))
    daily = DailyInsights(knowledge, ledger, bot_clock, SEOUL, engine_lane, scheduled=True)
    # The channel holds the posts of 1 and 2 February (#5 and #6); the database is new.
    start = dt.date(2026, 1, 28)
    async with running(make_bot(daily=daily)) as client:
        publisher = DiscordPublisher(client, bot_clock)
        for day in (dt.date(2026, 2, 1), dt.date(2026, 2, 2)):
            await publisher.post(str(CHANNEL_ID), insight_for(knowledge, day, "en", start))
        interaction = fake.slash("insight")
        await fake.interact(interaction)
        reply = await fake.response_to(interaction)
        stored = state.values.get(ROTATION_START)
        target = InsightChannel(Channel("discord", str(CHANNEL_ID)), "en")
        scheduler = InsightScheduler(
            daily, ledger, {"discord": publisher}, [target],
            at=dt.time(9), claim_lease=dt.timedelta(minutes=10),
        )  # fmt: skip
        await scheduler.run_day(TODAY, once=True)

    assert reply["data"]["embeds"][0]["title"] == "Town Hall insight #1"
    assert stored is None
    (embed,) = fake.channels[CHANNEL_ID][-1]["embeds"]
    expected = insight_for(knowledge, TODAY, "en", start)
    assert embed["title"] == "Town Hall insight #7"
    assert embed["footer"]["text"] == f"Topic {expected.section.number} · {expected.key}"


async def deferred_then_private(
    fake: FakeDiscord, interaction: dict[str, Any]
) -> tuple[dict[str, Any], Call]:
    """Send `interaction`; its deferred response, then the private follow-up that replaces
    the "thinking..." placeholder (deleted first)."""
    token = interaction["token"]
    await fake.interact(interaction)
    deferred = await fake.response_to(interaction)
    await fake.wait_for_call("DELETE", rf"/webhooks/\d+/{token}/messages/@original", status=204)
    return deferred, await fake.wait_for_call("POST", rf"/webhooks/\d+/{token}")


@pytest.fixture
def impatient_store(tmp_path: Path) -> Iterator[Store]:
    """A store that gives up on a locked file after 0.2 s (its file: `locked.db`)."""
    store = open_store(tmp_path / "locked.db", Limits(busy_timeout=0.2))
    store.upgrade()
    yield store
    store.close()


async def test_insight_while_the_database_is_locked_gets_a_private_notice_not_an_apology(
    fake: FakeDiscord, make_bot: BotFactory, tmp_path: Path, impatient_store: Store
) -> None:
    async with running(make_bot(db=impatient_store)):
        with write_lock_held(str(tmp_path / "locked.db")):
            interaction = fake.slash("insight")
            await fake.interact(interaction)
            reply = await fake.response_to(interaction)
        # Once the database is back, /insight works again.
        again = fake.slash("insight")
        await fake.interact(again)
        recovered = await fake.response_to(again)

    assert reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["content"] == phrase("insight_unavailable", "en")
    assert recovered["data"]["embeds"][0]["title"] == "Town Hall insight #1"


async def test_a_slow_insight_is_deferred_then_replaced_by_the_private_notice(
    fake: FakeDiscord, make_bot: BotFactory, tmp_path: Path, impatient_store: Store
) -> None:
    # No budget: deferred at once, as when the database holds it past 1.5 s.
    async with running(make_bot(db=impatient_store, answer_budget=0)):
        with write_lock_held(str(tmp_path / "locked.db")):
            deferred, followup = await deferred_then_private(fake, fake.slash("insight"))

    assert deferred == {"type": 5}
    assert followup.body["flags"] == EPHEMERAL
    assert followup.body["content"] == phrase("insight_unavailable", "en")


class BrokenClock(ManualClock):
    def now(self) -> dt.datetime:
        raise RuntimeError("clock is broken")


async def test_failure_gets_a_private_apology_and_a_log_line_with_the_interaction_id(
    fake: FakeDiscord,
    make_bot: BotFactory,
    *,
    answers: Answers,
    engine_lane: Runner,
    state: Store,
    store_lane: Runner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = BrokenClock(dt.datetime(2026, 2, 3, tzinfo=dt.UTC))
    daily = DailyInsights(
        answers.knowledge, Ledger(AsyncStore(state, store_lane)), broken, SEOUL, engine_lane
    )

    async with running(make_bot(daily=daily)):
        interaction = fake.slash("insight", locale="ko")
        with caplog.at_level(logging.ERROR, logger="bot.adapters.discord"):
            await fake.interact(interaction)
            reply = await fake.response_to(interaction)

    assert reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["content"] == (
        "죄송해요, 답변하는 중에 문제가 생겼어요. 잠시 후 다시 시도해 주세요."
    )
    assert "Traceback" not in str(reply)
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == f"interaction {interaction['id']} (insight) failed: RuntimeError"
    assert record.exc_info is not None


async def test_an_apology_that_cannot_be_sent_is_logged_and_never_raised(
    fake: FakeDiscord, make_bot: BotFactory, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(make_bot(answer_budget=0)):
        interaction = fake.slash("ask", {"question": "What about hiring?"})
        token = interaction["token"]
        fake.fail_next("PATCH", rf"/webhooks/\d+/{token}/messages/@original", 400)
        fake.reset_after_next("POST", rf"/webhooks/\d+/{token}")  # the apology's line drops
        with caplog.at_level(logging.WARNING):
            await fake.interact(interaction)
            await fake.wait_for_call("POST", rf"/webhooks/\d+/{token}", status=None)
            for _ in range(200):  # until the dropped line has reached the handler
                if "could not send the apology" in caplog.text:
                    break
                await asyncio.sleep(0.01)

    (warning,) = [r for r in caplog.records if "could not send the apology" in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert warning.exc_info is None
    # Nothing escapes to discord.py's own handler, which would log a traceback.
    assert not [
        r for r in caplog.records if r.name.startswith("discord.") and r.levelno >= logging.ERROR
    ]


async def test_failure_after_deferring_replaces_the_placeholder_with_a_private_apology(
    fake: FakeDiscord, make_bot: BotFactory, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(make_bot(answer_budget=0)):
        interaction = fake.slash("ask", {"question": "What about hiring?"})
        token = interaction["token"]
        fake.fail_next("PATCH", rf"/webhooks/\d+/{token}/messages/@original", 400)
        with caplog.at_level(logging.ERROR, logger="bot.adapters.discord"):
            deferred, followup = await deferred_then_private(fake, interaction)

    assert deferred == {"type": 5}
    assert followup.body["flags"] == EPHEMERAL
    assert followup.body["content"] == (
        "Sorry, something went wrong while answering. Please try again shortly."
    )
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == f"interaction {interaction['id']} (ask) failed: HTTPException"
