"""The rotation deals every topic once a round, never twice in a row, across knowledge edits."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from bot.insight.ledger import deal_day, deck_key, parse_deck
from bot.insight.rotation import Deck, Topic, deck_of, round_order

START = dt.date(2026, 1, 28)
TALK = [("talk-a", n) for n in range(1, 24)]  # 23 topics, as the shipped talk has
SECOND = [("talk-b", n) for n in range(1, 24)]  # a second talk added later


SKEW = 0.3


class MemoryValues:
    """The store's named values in memory: what the ledger's dealing reads and writes."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def last_up_to(
        self, prefix: str, key: str, *, inclusive: bool = True
    ) -> tuple[str, str] | None:
        found = [
            k for k in self.values if k.startswith(prefix) and (k <= key if inclusive else k < key)
        ]
        return (max(found), self.values[max(found)]) if found else None

    def add(self, key: str, value: str) -> str:
        return self.values.setdefault(key, value)

    def change(self, key: str, expected: str, value: str) -> str | None:
        if self.values.get(key) == expected:
            self.values[key] = value
        return self.values.get(key)


class Ledger:
    """The ledger's own dealing (`deal_day`) on named values kept in memory."""

    def __init__(self) -> None:
        self.values = MemoryValues()

    def deck(self, day: dt.date, topics: list[Topic]) -> Deck:
        """`day`'s deck as the ledger deals and stores it."""
        return deal_day(self.values, START, day, topics)  # type: ignore[arg-type]

    def show(self, day: dt.date, topics: list[Topic]) -> Topic:
        """The topic a process with the knowledge's `topics` shows on `day`."""
        return topic(self.deck(day, topics))

    def stored(self, day: dt.date) -> Deck | None:
        """The deck stored for `day`, if any."""
        value = self.values.get(deck_key(day))
        return None if value is None else parse_deck(day, value)


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

    # A talk added after the days were told.
    assert [ledger.show(on(n), TALK + SECOND) for n in range(6)] == told
    assert ledger.deck(on(5), TALK + SECOND) == ledger.stored(on(5))


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


@pytest.mark.parametrize("seed", range(60))
def test_edits_seen_by_replicas_at_random_times_never_show_a_topic_two_days_running(
    seed: int,
) -> None:
    """Talks added, topics taken out (a day's own after its post, a replacement too) and
    edits undone, seen by one replica before the other (a rolling upgrade), one of them
    with its clock a day behind or ahead."""
    chance = random.Random(seed)
    ledger = Ledger()
    knowledge = [list(TALK[:8]), list(TALK[:8])]  # two replicas' knowledge
    spare = [("talk-c", n) for n in range(1, 80)]
    removed: list[Topic] = []
    told: list[Topic] = []  # what each day tells at its end
    for n in range(150):
        if chance.random() < SKEW:
            # A replica a day ahead (or behind) deals its day first.
            ledger.show(on(n + chance.choice((1, -1))) if n else on(n + 1), knowledge[1])
        posted = ledger.show(on(n), knowledge[chance.randrange(2)])
        assert not told or posted != told[-1], (n, posted)
        for _ in range(chance.choice((0, 0, 0, 1, 2))):
            newest = list(knowledge[0])
            choice = chance.random()
            if choice < 0.4 and len(newest) > 3:  # two neighbours and a third to deal
                # Taken out: often the day's own topic, or what was just shown instead.
                out = ledger.show(on(n), newest) if chance.random() < 0.6 else chance.choice(newest)
                newest.remove(out)
                removed.append(out)
            elif choice < 0.6 and removed:
                back = removed.pop(chance.randrange(len(removed)))  # an edit undone
                newest += [back] if back not in newest else []
            else:
                newest.append(spare.pop(0))
            knowledge[chance.randrange(2)] = newest
        knowledge = [list(knowledge[0]), list(knowledge[0])]  # the upgrade done
        told.append(ledger.show(on(n), knowledge[0]))
        # The day after never repeats what the day showed: its post, nor its last word.
        following = ledger.show(on(n + 1), knowledge[0])
        assert following not in {posted, told[-1]}, (n, posted, told[-1], following)


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
