"""Each day's deck is stored once, the first time the day is dealt: every process and replica
tells the same topic for a day, and the next day deals on from it (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import logging
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from bot.insight.daily import DailyInsights
from bot.insight.ledger import DECKS, Ledger, newest_deck, told_day
from bot.insight.pick import topics_of
from bot.insight.rotation import Deck, Topic, deck_of
from bot.knowledge import Knowledge
from bot.runner import Runner
from bot.store import AsyncStore, open_store
from tests.fakes.clock import ManualClock

START = dt.date(2026, 3, 2)
A = (("talk-a", 1), ("talk-a", 2), ("talk-a", 3))
AB = (*A, ("talk-b", 1))


def on(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


async def tell(ledger: Ledger, n: int, topics: tuple[Topic, ...]) -> Topic:
    """The topic a process with the knowledge's `topics` tells for day `n`."""
    told = (await ledger.deck_of(START, on(n), topics)).last
    assert told is not None
    return told


def newest(ledger: Ledger, n: int) -> Deck | None:
    return newest_deck(ledger.store.store.values, on(n), START)


async def test_a_day_is_dealt_once_and_keeps_its_deck_whatever_the_knowledge_becomes(
    ledger: Ledger,
) -> None:
    first = await ledger.deck_of(START, on(4), A)

    assert first == deck_of(on(4), START, None, A)
    assert newest(ledger, 4) == first
    # A talk added later that day: the day's deck stays; the next deals on with it.
    assert await ledger.deck_of(START, on(4), AB) == first
    following = await ledger.deck_of(START, on(5), AB)
    assert following == deck_of(on(5), START, first, AB)
    assert newest(ledger, 30) == following


@pytest.fixture
def other(db_target: str) -> Iterator[Ledger]:
    """The ledger as another replica sees it: its own store and lane on the same database."""
    other_store = open_store(db_target)
    lane = Runner("other", finish_queued=True)
    yield Ledger(AsyncStore(other_store, lane))
    lane.close()
    other_store.close()


async def test_two_replicas_on_different_knowledge_keep_the_first_deck_of_a_day(
    ledger: Ledger, other: Ledger
) -> None:
    await ledger.deck_of(START, START, A)
    mine = await ledger.deck_of(START, on(3), AB)
    assert mine.last == ("talk-b", 1)  # the new talk's topic, which the other lacks
    # Another replica, on a knowledge edited differently, the same day: it lacks the
    # day's topic, so it deals the day again, and from then on the day tells that.
    theirs = await tell(other, 3, (*A, ("talk-c", 1)))
    assert theirs != mine.last
    # The two settle on a topic both have, never dealing each other's in turn.
    settled = await tell(ledger, 3, AB)
    assert settled in A
    assert await tell(other, 3, (*A, ("talk-c", 1))) == settled
    assert await tell(ledger, 3, AB) == settled


async def test_a_replica_whose_clock_is_a_day_behind_changes_no_day_told(
    ledger: Ledger, other: Ledger
) -> None:
    behind = other  # its clock a day behind ours
    told = [await ledger.deck_of(START, on(n), A) for n in range(6)]
    # Its yesterday is our today, and it runs a talk we do not have yet.
    assert await behind.deck_of(START, on(4), AB) == told[4]
    assert [await ledger.deck_of(START, on(n), A) for n in range(6)] == told
    # A day nobody dealt, behind the newest: dealt on from the deck before it.
    skipped = [await ledger.deck_of(START, on(n), A) for n in (8, 10)]
    assert await behind.deck_of(START, on(9), A) == deck_of(on(9), START, skipped[0], A)
    assert await ledger.deck_of(START, on(10), AB) == skipped[1]


SIX = tuple(("talk", n) for n in range(1, 7))


def without(topics: tuple[Topic, ...], *out: Topic) -> tuple[Topic, ...]:
    return tuple(t for t in topics if t not in out)


async def test_a_topic_taken_out_on_its_day_is_replaced_and_the_day_tells_the_replacement(
    ledger: Ledger,
) -> None:
    told = [await tell(ledger, n, SIX) for n in range(3)]
    kept = without(SIX, told[2])

    replaced = await tell(ledger, 2, kept)  # the post, after the topic was taken out

    assert replaced not in (told[1], told[2])
    # Every process now tells the replacement, a replica still holding the topic too, and
    # after the edit is reverted: the day's post and /insight agree.
    assert await tell(ledger, 2, SIX) == replaced
    # The next days deal on from the replacement, whoever deals them first.
    following = [await tell(ledger, 3, SIX), await tell(ledger, 4, kept)]
    assert not {told[2], replaced} & set(following)
    assert following[0] != replaced


async def test_a_replacement_taken_out_too_is_replaced_and_the_next_day_repeats_none(
    ledger: Ledger,
) -> None:
    seven = tuple(("talk", n) for n in range(1, 8))
    told = [await tell(ledger, n, seven) for n in range(3)]
    first = without(seven, told[2])
    replaced = await tell(ledger, 2, first)
    second = without(first, replaced)

    again = await tell(ledger, 2, second)
    following = [await tell(ledger, n, second) for n in range(3, 3 + len(second) - 1)]

    assert again not in (told[1], told[2], replaced)
    assert all(a != b for a, b in itertools.pairwise([told[1], again, *following]))
    # The edit undone: the day keeps what it tells now, and the next days deal on.
    assert await tell(ledger, 2, seven) == again
    assert await tell(ledger, 3, seven) == following[0]


@pytest.mark.parametrize("size", [5, 6, 7])
async def test_a_replacement_is_never_the_topic_of_the_day_before_or_after(
    ledger: Ledger, size: int
) -> None:
    topics = SIX[:size] if size <= 6 else (*SIX, ("talk", 7))
    told = [await tell(ledger, n, topics) for n in range(4 * size)]
    for n in range(1, 4 * size - 1):
        # A replica whose clock is ahead dealt day n + 1 already: both neighbours are told.
        told[n] = await tell(ledger, n, without(topics, told[n]))
        assert told[n] not in (told[n - 1], told[n + 1])


async def test_a_preview_of_later_days_deals_what_serve_posts_after_the_topics_shrink(
    ledger: Ledger,
) -> None:
    for n in range(3):
        await tell(ledger, n, SIX)
    two = (("talk", 2), ("talk", 4))
    values = ledger.store.store.values

    previewed = [told_day(values, START, on(2 + k), two).last for k in range(1, 6)]
    served = [await tell(ledger, 2 + k, two) for k in range(1, 6)]

    assert previewed == served
    assert all(a != b for a, b in itertools.pairwise(served))


async def test_a_day_told_by_a_post_the_database_lost_does_not_come_again_next_day(
    ledger: Ledger,
) -> None:
    # The rotation dealt anew from its first day would show `posted` on day 6: the topic
    # the lost database's rotation had posted on day 5.
    posted = deck_of(on(6), START, None, SIX).last
    assert posted is not None

    await ledger.recover(START, on(5), posted, SIX)

    assert await tell(ledger, 5, SIX) == posted
    following = [await tell(ledger, n, SIX) for n in range(6, 6 + len(SIX))]
    assert posted not in following[:-1]
    assert all(a != b for a, b in itertools.pairwise([posted, *following]))
    # A deck stored already (a process dealt the day first) is kept.
    await ledger.recover(START, on(5), SIX[0] if posted != SIX[0] else SIX[1], SIX)
    assert await tell(ledger, 5, SIX) == posted


@pytest.mark.parametrize(
    "damage",
    ["not json", '{"round": 0}', '{"round": 1e999, "dealt": [], "topic": null}', "[" * 5000],
)
async def test_a_damaged_stored_deck_is_passed_over_for_the_one_before(
    ledger: Ledger, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    one = await ledger.deck_of(START, on(1), AB)
    await ledger.store.values.set(f"{DECKS}{on(3).isoformat()}", damage)
    await ledger.store.values.set(f"{DECKS}{on(2).isoformat()}", damage)

    with caplog.at_level(logging.WARNING):
        assert await ledger.deck_of(START, on(4), AB) == deck_of(on(4), START, one, AB)

    assert "a stored insight deck could not be read" in caplog.text


async def test_decks_are_found_by_day_not_by_any_name_sharing_the_prefix(ledger: Ledger) -> None:
    await ledger.store.values.set(f"{DECKS}someday", "{}")
    deck = await ledger.deck_of(START, on(1), A)

    assert newest(ledger, 1) == deck
    assert newest(ledger, 0) is None
    assert isinstance(newest(ledger, 400), Deck)


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


@pytest.mark.parametrize("day", range(1, 8))
async def test_a_day_dealt_again_twice_never_tells_yesterdays_topic(
    ledger: Ledger, day: int
) -> None:
    three = tuple(("talk", n) for n in range(1, 4))
    told = [await tell(ledger, n, three) for n in range(day + 1)]
    yesterday, today = told[day - 1], told[day]
    again = await tell(ledger, day, without(three, today))
    # The replacement taken out too, the day's first topic back: only it and yesterday's.
    both = tuple(t for t in three if t in (yesterday, today))

    assert again != yesterday
    assert await tell(ledger, day, both) == today


async def test_a_stored_deck_written_another_way_is_still_dealt_again(ledger: Ledger) -> None:
    told = [await tell(ledger, n, SIX) for n in range(3)]
    key = f"{DECKS}{on(2).isoformat()}"
    stored = await ledger.store.values.get(key)
    assert stored is not None
    # The same deck, written with other spacing (by hand, or an older townhall).
    await ledger.store.values.set(key, json.dumps(json.loads(stored), indent=2))

    again = await tell(ledger, 2, without(SIX, told[2]))

    assert await tell(ledger, 2, SIX) == again
    assert await tell(ledger, 3, SIX) not in (told[2], again)


async def test_a_damaged_deck_of_a_day_is_replaced_by_the_day_dealt(ledger: Ledger) -> None:
    told = [await tell(ledger, n, SIX) for n in range(2)]
    await ledger.store.values.set(f"{DECKS}{on(2).isoformat()}", '{"round": 0, "dea')

    dealt = await tell(ledger, 2, SIX)

    assert dealt != told[1]
    assert await tell(ledger, 2, (*SIX, ("talk", 7))) == dealt  # no longer follows edits
    assert await tell(ledger, 3, SIX) != dealt


@pytest.mark.parametrize("day", range(1, 10))
async def test_a_day_whose_topics_are_taken_out_in_turn_and_restored_is_not_repeated_next_day(
    ledger: Ledger, day: int
) -> None:
    three = tuple(("talk", n) for n in range(1, 4))
    for n in range(day + 1):
        await tell(ledger, n, three)
    told = [await tell(ledger, day, three)]
    left = three
    while len(left) > 1:  # each topic the day tells is taken out, one after another
        left = without(left, told[-1])
        told.append(await tell(ledger, day, left))

    assert await tell(ledger, day + 1, three) != told[-1]  # all restored the next day
