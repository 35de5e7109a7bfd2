"""The rotation deals every topic once a round, never twice in a row, across knowledge edits."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from bot.insight.rotation import Deck, Topic, deck_of, in_place, round_order

START = dt.date(2026, 1, 28)
TALK = [("talk-a", n) for n in range(1, 24)]  # 23 topics, as the shipped talk has
SECOND = [("talk-b", n) for n in range(1, 24)]  # a second talk added later


class Ledger:
    """The decks stored so far, as the ledger keeps them: a day's first deck stays."""

    def __init__(self) -> None:
        self.decks: dict[dt.date, Deck] = {}

    def deck(self, day: dt.date, topics: list[Topic]) -> Deck:
        """`day`'s deck: the stored one, or dealt on from the newest before it and stored."""
        before = [d for d in self.decks if d <= day]
        deck = deck_of(day, START, self.decks[max(before)] if before else None, topics)
        return self.decks.setdefault(day, deck)

    def show(self, day: dt.date, topics: list[Topic]) -> Topic:
        """The topic a process with the knowledge's `topics` shows on `day` (a topic taken
        out replaced, never by a neighbour's, and the first replacement stored, as the
        ledger does: tests/insight/test_decks.py checks the ledger itself)."""
        deck = self.deck(day, topics)
        around = [self.decks.get(day + dt.timedelta(days=d)) for d in (-1, 1)]
        shown = in_place(deck, topics, [d.told for d in around if d and d.told])
        if deck.instead is None:
            self.decks[day] = shown
        told = shown.told
        assert told is not None
        return told


def topic(deck: Deck) -> Topic:
    assert deck.last is not None
    return deck.last


def on(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def fresh(days: range, topics: list[Topic]) -> list[Topic]:
    """The topics of `days` with nothing stored: each dealt from the rotation's first day."""
    return [topic(deck_of(on(n), START, None, topics)) for n in days]


def test_each_round_deals_every_topic_once_and_never_the_same_topic_two_days_running() -> None:
    days = fresh(range(50 * len(TALK)), TALK)

    rounds = [days[i : i + len(TALK)] for i in range(0, len(days), len(TALK))]
    assert all(sorted(r) == sorted(TALK) for r in rounds)
    assert all(a != b for a, b in itertools.pairwise(days))
    # The hash order would have repeated a topic across some round boundary: swapped.
    boundaries = [
        c for c in range(1, 50) if round_order(c, TALK)[0] == round_order(c - 1, TALK)[-1]
    ]
    assert boundaries


@pytest.mark.parametrize("count", [1, 2, 3, 23])
@pytest.mark.parametrize("gap", [1, 2, 5, 23, 24, 100])
def test_dealing_on_from_a_stored_deck_deals_what_the_first_day_would(count: int, gap: int) -> None:
    topics = TALK[:count]
    ledger = Ledger()
    # Stored now and then (days nobody asked for are dealt on from the last stored one).
    days = [ledger.show(on(n), topics) for n in range(0, 6 * len(topics) + gap, gap)]

    assert days == fresh(range(0, 6 * len(topics) + gap, gap), topics)


@pytest.mark.parametrize("added_on", [0, 1, 5, 22, 23, 24, 200])
def test_a_talk_added_mid_round_deals_the_rest_of_the_round_then_rounds_of_both(
    added_on: int,
) -> None:
    ledger = Ledger()
    before = [ledger.show(on(n), TALK) for n in range(added_on)]
    both = TALK + SECOND

    days = before + [ledger.show(on(n), both) for n in range(added_on, added_on + 4 * len(both))]

    assert before == fresh(range(added_on), TALK)
    # The round in progress when the talk came: what it had dealt, then every topic it had
    # not, the new talk's included, each once; then whole rounds of both talks.
    in_progress = added_on % len(TALK)
    first_round = days[added_on - in_progress : added_on - in_progress + len(both)]
    assert sorted(first_round) == sorted(both)
    rest = days[added_on - in_progress + len(both) :]
    whole = [rest[i : i + len(both)] for i in range(0, len(rest), len(both))]
    assert all(sorted(r) == sorted(both) for r in whole if len(r) == len(both))
    assert all(a != b for a, b in itertools.pairwise(days))


def test_a_day_already_dealt_keeps_its_topic_whatever_the_knowledge_becomes() -> None:
    ledger = Ledger()
    told = [ledger.show(on(n), TALK) for n in range(6)]

    # A talk added, or replaced outright, after the days were told.
    assert [ledger.show(on(n), TALK + SECOND) for n in range(6)] == told
    assert ledger.deck(on(5), SECOND) == ledger.deck(on(5), TALK)


@pytest.mark.parametrize("taken_out_at", [0, 3, 7, 10, 22])
def test_a_topic_taken_out_is_not_dealt_again_and_the_round_deals_the_others(
    taken_out_at: int,
) -> None:
    ledger = Ledger()
    before = [ledger.show(on(n), TALK) for n in range(8)]
    removed = before[taken_out_at] if taken_out_at < 8 else fresh(range(9), TALK)[8]
    kept = [t for t in TALK if t != removed]

    days = before + [ledger.show(on(n), kept) for n in range(8, 3 * len(TALK))]

    assert removed not in days[8:]
    assert all(a != b for a, b in itertools.pairwise(days))
    # The round it was taken out of shows every other topic once.
    assert sorted(days[: len(kept) + (removed in before)]) == sorted(set(kept) | set(before))


def test_a_topic_taken_out_on_its_own_day_gives_that_day_another_and_never_comes_back() -> None:
    ledger = Ledger()
    before = [ledger.show(on(n), TALK) for n in range(8)]
    removed = ledger.show(on(8), TALK)  # today's post went out, then the topic was taken out
    kept = [t for t in TALK if t != removed]

    instead = ledger.show(on(8), kept)  # what /insight shows now
    after = [ledger.show(on(n), kept) for n in range(9, 3 * len(TALK))]

    assert instead != removed
    assert removed not in after
    # Both count as shown: neither comes back in the round, and no day repeats the last.
    days = [*before, removed, *after]
    assert all(a != b for a, b in itertools.pairwise(days))
    assert instead not in after[: len(TALK) - 10]
    assert all(a != b for a, b in itertools.pairwise([*before, instead, *after]))


def test_a_talk_replaced_outright_never_shows_a_topic_two_days_running() -> None:
    ledger = Ledger()
    before = [ledger.show(on(n), TALK) for n in range(5)]
    today = ledger.show(on(5), SECOND)  # replaced before today's first deal
    after = [ledger.show(on(n), SECOND) for n in range(6, 6 + 2 * len(SECOND))]

    days = [*before, today, *after]
    assert all(a != b for a, b in itertools.pairwise(days))
    assert sorted(days[5 : 5 + len(SECOND)]) == sorted(SECOND)


@pytest.mark.parametrize("seed", range(40))
def test_edits_seen_by_replicas_at_random_times_never_show_a_topic_two_days_running(
    seed: int,
) -> None:
    """Talks added and topics taken out, before or after the post, seen by some replicas
    before others (a rolling upgrade), and a replica whose clock is a day behind."""
    chance = random.Random(seed)
    ledger = Ledger()
    knowledge = [list(TALK[:10]), list(TALK[:10])]  # two replicas' knowledge
    spare = [("talk-c", n) for n in range(1, 60)]
    posted: list[Topic] = []
    for n in range(150):
        newest = list(knowledge[0])
        if chance.random() < 0.2:
            if chance.random() < 0.5 and len(newest) > 4:
                newest.remove(chance.choice(newest))
            else:
                newest.append(spare.pop(0))
        upgraded = chance.randrange(2)  # the replica that runs the edit first
        knowledge[upgraded] = newest
        if n and chance.random() < 0.3:
            # The other replica, its clock a day behind, deals yesterday with its knowledge.
            behind = knowledge[1 - upgraded]
            yesterday = ledger.show(on(n - 1), behind)
            assert yesterday == posted[-1] or posted[-1] not in behind
        poster = chance.randrange(2)
        posted.append(ledger.show(on(n), knowledge[poster]))
        knowledge[1 - upgraded] = newest  # the upgrade done: both run it

    assert all(a != b for a, b in itertools.pairwise(posted)), posted


def test_two_topics_alternate_and_a_far_day_is_dealt_at_once() -> None:
    pair = TALK[:2]
    days = fresh(range(40), pair)
    assert all(a != b for a, b in itertools.pairwise(days))
    far = dt.date(9999, 12, 31)
    assert topic(deck_of(far, START, None, pair)) == days[(far - START).days % 2]
    stored = deck_of(on(3), START, None, pair)
    assert deck_of(far, START, stored, pair).last == days[(far - START).days % 2]


def test_a_stored_deck_naming_topics_this_knowledge_lacks_deals_only_known_ones() -> None:
    # Another replica, already on a newer knowledge, stored the deck of day 3.
    ledger = Ledger()
    ledger.deck(on(3), TALK + SECOND)

    days = [ledger.show(on(n), TALK) for n in range(3, 60)]

    assert set(days) <= set(TALK)


def test_a_day_before_the_rotation_or_its_stored_deck_is_refused() -> None:
    with pytest.raises(ValueError, match="before the first insight day"):
        deck_of(START - dt.timedelta(days=1), START, None, TALK)
    with pytest.raises(ValueError, match="is after"):
        deck_of(on(2), START, deck_of(on(5), START, None, TALK), TALK)
    with pytest.raises(LookupError):
        deck_of(START, START, None, [])
    with pytest.raises(LookupError):
        in_place(deck_of(START, START, None, TALK), [])


@pytest.mark.parametrize("seed", range(20))
def test_dealing_days_at_once_after_an_edit_deals_what_one_day_at_a_time_would(seed: int) -> None:
    chance = random.Random(seed)
    for _ in range(50):
        before = chance.sample(TALK, chance.randint(1, 8))
        after = chance.sample(before + SECOND[:3], chance.randint(1, 4))
        deck = deck_of(on(chance.randrange(20)), START, None, before)
        days = chance.randint(1, 12)

        stepped = deck
        for n in range(1, days + 1):
            stepped = deck_of(deck.day + dt.timedelta(days=n), START, stepped, after)

        assert deck_of(deck.day + dt.timedelta(days=days), START, deck, after) == stepped
