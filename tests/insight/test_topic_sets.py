"""The topic sets the rotation deals from are stored once per day, and a talk added later
joins the round in progress without repeating what it dealt (on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from bot.insight.daily import DailyInsights
from bot.insight.ledger import TOPIC_SETS, Ledger
from bot.insight.pick import topics_of
from bot.insight.rotation import TopicSet
from bot.knowledge import Knowledge
from bot.runner import Runner
from bot.store import AsyncStore, open_store
from tests.fakes.clock import ManualClock

START = dt.date(2026, 3, 2)
A = (("talk-a", 1), ("talk-a", 2), ("talk-a", 3))
AB = (*A, ("talk-b", 1))


async def test_the_first_set_counts_from_the_start_and_a_change_from_the_next_day(
    ledger: Ledger,
) -> None:
    assert await ledger.deal_from(START, START + dt.timedelta(days=4), A) == [TopicSet(START, A)]
    # The same topics again: nothing stored.
    assert await ledger.deal_from(START, START + dt.timedelta(days=5), A) == [TopicSet(START, A)]

    later = START + dt.timedelta(days=6)
    # That day's insight may be out already: the new set deals from the day after.
    assert await ledger.deal_from(START, later, AB) == [TopicSet(START, A)]
    tomorrow = later + dt.timedelta(days=1)
    assert await ledger.topic_sets() == [TopicSet(START, A), TopicSet(tomorrow, AB)]
    assert await ledger.deal_from(START, tomorrow, AB) == [
        TopicSet(START, A),
        TopicSet(tomorrow, AB),
    ]


async def test_two_processes_storing_a_change_on_one_day_keep_the_first(
    db_target: str, ledger: Ledger
) -> None:
    other_store = open_store(db_target)
    lane = Runner("second", finish_queued=True)
    other = Ledger(AsyncStore(other_store, lane))
    try:
        await ledger.deal_from(START, START, A)
        day = START + dt.timedelta(days=3)
        await ledger.deal_from(START, day, AB)
        # Another replica, on a knowledge edited differently, the same day.
        await other.deal_from(START, day, (*A, ("talk-c", 1)))
        assert await other.topic_sets() == [
            TopicSet(START, A),
            TopicSet(day + dt.timedelta(days=1), AB),
        ]
    finally:
        lane.close()
        other_store.close()


async def test_a_damaged_stored_set_is_skipped(ledger: Ledger) -> None:
    await ledger.deal_from(START, START, A)
    await ledger.store.values.set(f"{TOPIC_SETS}2026-03-05", "not json")
    await ledger.store.values.set(f"{TOPIC_SETS}someday", "[]")

    assert await ledger.topic_sets() == [TopicSet(START, A)]


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
    dealt = [
        (await before.of_day(START + dt.timedelta(days=n), ["ko"]))["ko"] for n in range(first_days)
    ]
    bigger = with_second_talk(knowledge)
    after = DailyInsights(bigger, ledger, clock, zone, engine_lane)
    # The bot restarted on the bigger knowledge the same day: that day keeps its insight.
    again = (await after.of_day(START + dt.timedelta(days=first_days - 1), ["ko"]))["ko"]
    total = len(topics_of(bigger))
    dealt += [
        (await after.of_day(START + dt.timedelta(days=n), ["ko"]))["ko"]
        for n in range(first_days, total + 5)
    ]

    assert again == dealt[first_days - 1]
    topics = [(i.section.talk, i.section.number) for i in dealt]
    # The first round deals every topic of both talks once: none of the first ten again.
    assert sorted(topics[:total]) == sorted(topics_of(bigger))
    assert all(a != b for a, b in itertools.pairwise(topics))
    assert [i.number for i in dealt] == list(range(1, total + 6))
