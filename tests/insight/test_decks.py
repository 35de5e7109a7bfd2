"""Each day's deck is stored once, the first time the day is dealt: every process and replica
tells the same topic for a day, and the next day deals on from it (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
from zoneinfo import ZoneInfo

import pytest

from bot.insight.daily import DailyInsights
from bot.insight.ledger import DECKS, Ledger
from bot.insight.pick import topics_of
from bot.insight.rotation import Deck, deck_of
from bot.knowledge import Knowledge
from bot.runner import Runner
from bot.store import AsyncStore, open_store
from tests.fakes.clock import ManualClock

START = dt.date(2026, 3, 2)
A = (("talk-a", 1), ("talk-a", 2), ("talk-a", 3))
AB = (*A, ("talk-b", 1))


def on(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


async def test_a_day_is_dealt_once_and_keeps_its_deck_whatever_the_knowledge_becomes(
    ledger: Ledger,
) -> None:
    first = await ledger.deck_of(START, on(4), A)

    assert first == deck_of(on(4), START, None, A)
    assert await ledger.stored_deck(on(4)) == first
    # A talk added later that day: the day's deck stays; the next deals on with it.
    assert await ledger.deck_of(START, on(4), AB) == first
    following = await ledger.deck_of(START, on(5), AB)
    assert following == deck_of(on(5), START, first, AB)
    assert await ledger.stored_deck(on(30)) == following


async def test_two_replicas_on_different_knowledge_keep_the_first_deck_of_a_day(
    db_target: str, ledger: Ledger
) -> None:
    other_store = open_store(db_target)
    lane = Runner("second", finish_queued=True)
    other = Ledger(AsyncStore(other_store, lane))
    try:
        await ledger.deck_of(START, START, A)
        mine = await ledger.deck_of(START, on(3), AB)
        assert mine.last == ("talk-b", 1)  # the new talk's topic, which the other lacks
        # Another replica, on a knowledge edited differently, the same day.
        theirs = await other.deck_of(START, on(3), (*A, ("talk-c", 1)))
        assert theirs.last == mine.last
        assert theirs.shown((*A, ("talk-c", 1))) in A
        assert (await ledger.deck_of(START, on(3), AB)).shown(AB) == ("talk-b", 1)
    finally:
        lane.close()
        other_store.close()


async def test_a_replica_whose_clock_is_a_day_behind_changes_no_day_told(
    db_target: str, ledger: Ledger
) -> None:
    other_store = open_store(db_target)
    lane = Runner("behind", finish_queued=True)
    behind = Ledger(AsyncStore(other_store, lane))
    try:
        told = [await ledger.deck_of(START, on(n), A) for n in range(6)]
        # Its yesterday is our today, and it runs a talk we do not have yet.
        assert await behind.deck_of(START, on(4), AB) == told[4]
        assert [await ledger.deck_of(START, on(n), A) for n in range(6)] == told
        # A day nobody dealt, behind the newest: dealt on from the deck before it.
        skipped = [await ledger.deck_of(START, on(n), A) for n in (8, 10)]
        assert await behind.deck_of(START, on(9), A) == deck_of(on(9), START, skipped[0], A)
        assert await ledger.deck_of(START, on(10), AB) == skipped[1]
    finally:
        lane.close()
        other_store.close()


async def test_a_topic_taken_out_on_its_day_is_replaced_in_the_stored_deck(
    ledger: Ledger,
) -> None:
    five = tuple(("talk-a", n) for n in range(1, 6))
    posted = await ledger.deck_of(START, on(1), five)
    kept = tuple(t for t in five if t != posted.shown(five))

    replaced = await ledger.deck_of(START, on(1), kept)

    assert replaced.shown(kept) in kept
    assert await ledger.stored_deck(on(1)) == replaced
    # A replica still on the knowledge with the topic shows the day's own.
    assert (await ledger.deck_of(START, on(1), five)).shown(five) == posted.shown(five)
    # The next day deals on from the topic shown in its place: neither comes again.
    week = [(await ledger.deck_of(START, on(n), kept)).shown(kept) for n in range(2, 5)]
    assert posted.shown(five) not in week
    assert replaced.shown(kept) not in week


async def test_a_damaged_stored_deck_is_dealt_on_from_the_first_day(
    ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    await ledger.store.values.set(f"{DECKS}{on(3).isoformat()}", "not json")
    await ledger.store.values.set(f"{DECKS}{on(2).isoformat()}", '{"round": 0}')

    with caplog.at_level(logging.WARNING):
        assert await ledger.deck_of(START, on(4), A) == deck_of(on(4), START, None, A)
        assert await ledger.deck_of(START, on(3), A) == deck_of(on(3), START, None, A)

    assert "a stored insight deck could not be read" in caplog.text


async def test_decks_are_found_by_day_not_by_any_name_sharing_the_prefix(ledger: Ledger) -> None:
    await ledger.store.values.set(f"{DECKS}someday", "{}")
    deck = await ledger.deck_of(START, on(1), A)

    assert await ledger.stored_deck(on(1)) == deck
    assert await ledger.stored_deck(on(0)) is None
    assert isinstance(await ledger.stored_deck(on(400)), Deck)


def with_second_talk(knowledge: Knowledge) -> Knowledge:
    """The knowledge with a second talk dropped in: a copy of the first under another id."""
    copies = tuple(
        dataclasses.replace(
            d,
            talk="second-talk",
            sections=tuple(dataclasses.replace(s, talk="second-talk") for s in d.sections),
        )
        for d in knowledge.documents
    )
    return Knowledge(knowledge.documents + copies)


async def test_a_talk_added_mid_round_never_repeats_a_topic_of_the_round(
    knowledge: Knowledge, ledger: Ledger, engine_lane: Runner
) -> None:
    zone = ZoneInfo("Asia/Seoul")
    clock = ManualClock(dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    before = DailyInsights(knowledge, ledger, clock, zone, engine_lane)
    first_days = 10  # into the first round of 23 topics
    dealt = [(await before.of_day(on(n), ["ko"]))["ko"] for n in range(first_days)]
    bigger = with_second_talk(knowledge)
    after = DailyInsights(bigger, ledger, clock, zone, engine_lane)
    # The bot restarted on the bigger knowledge the same day: that day keeps its insight.
    again = (await after.of_day(on(first_days - 1), ["ko"]))["ko"]
    total = len(topics_of(bigger))
    dealt += [(await after.of_day(on(n), ["ko"]))["ko"] for n in range(first_days, total + 5)]

    assert again == dealt[first_days - 1]
    topics = [(i.section.talk, i.section.number) for i in dealt]
    # The first round deals every topic of both talks once: none of the first ten again.
    assert sorted(topics[:total]) == sorted(topics_of(bigger))
    assert all(a != b for a, b in itertools.pairwise(topics))
    assert [i.number for i in dealt] == list(range(1, total + 6))
