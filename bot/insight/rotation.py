"""The rotation: which topic each day deals, every topic once a round, whatever the edits.

Days are dealt from a deck. Each round deals every topic once, in an order shuffled by a
hash of (round, talk, section), the same in every process. When the knowledge gains or
loses topics (a talk added), the round in progress goes on with the topics it has not
dealt yet, new ones included, and the next rounds deal the new set: a topic is never
dealt twice in a round, and the days already dealt keep their topics. That needs the
sets the rotation dealt from, and since when (`TopicSet`, kept in the ledger).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

# A topic: (talk, section number).
Topic = tuple[str, int]
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class TopicSet:
    """The topics the rotation deals from `since` on (until the next set's day)."""

    since: dt.date
    topics: tuple[Topic, ...]


@dataclass(frozen=True)
class _Deck:
    """Where the rotation stands: the round, what it has dealt so far, the last topic dealt."""

    cycle: int
    dealt: tuple[Topic, ...]
    last: Topic | None


def round_order(cycle: int, topics: Collection[Topic]) -> list[Topic]:
    """Round `cycle`'s order of `topics`, by a hash: an edit moves only what it adds or removes."""
    return sorted(topics, key=lambda topic: _rank(cycle, *topic))


def topic_of_day(
    day: dt.date, start: dt.date, sets: Sequence[TopicSet], available: Collection[Topic]
) -> Topic:
    """The topic `day` deals, counting from the rotation's first day `start`.

    `sets` are the topic sets dealt from, oldest first (the first counts from `start`);
    topics the knowledge no longer has (`available`) are not dealt from the day's set.
    """
    if day < start:
        raise ValueError(f"{day.isoformat()} is before the first insight day {start.isoformat()}")
    past = [s for s in sorted(sets, key=lambda s: s.since) if s.since <= day] or [
        TopicSet(start, tuple(available))
    ]
    deck = _Deck(cycle=0, dealt=(), last=None)
    for number, current in enumerate(past):
        since = max(current.since, start) if number else start
        following = past[number + 1] if number + 1 < len(past) else None
        until = following.since if following else day
        # The days before `day` were dealt from the set as stored, whatever the knowledge
        # has now: they keep their topics in every process.
        days = (until - since).days
        if following is None or days <= 0:
            deck = _deal(deck, current.topics, days)
            continue
        before_last = _deal(deck, current.topics, days - 1)
        deck = _deal(before_last, current.topics, 1)
        # As the day's own pick did: the next topic it has, or with none left (a talk
        # replaced outright), the new set's first.
        kept = tuple(t for t in current.topics if t in following.topics) or following.topics
        if deck.last not in following.topics:
            # The day before a set that drops its topic: the knowledge changed that day,
            # and if before its post, the day showed the next topic instead. Both count as
            # dealt, so neither comes again in the round (a skip at worst, never a repeat).
            deck = _both(deck, _deal(before_last, kept, 1))
    # A topic taken out of the knowledge since its set was stored cannot be shown: the day
    # shows the next one of the round (the days after count both, see above).
    topics = tuple(t for t in past[-1].topics if t in available) or tuple(available)
    if not topics:
        raise LookupError("the knowledge has no topics to take insights from")
    dealt = _deal(deck, topics, 1).last
    assert dealt is not None  # one day dealt from a set that has topics
    return dealt


def with_topics(
    day: dt.date, start: dt.date, sets: Sequence[TopicSet], topics: tuple[Topic, ...]
) -> list[TopicSet]:
    """The topic sets once the knowledge's `topics` are seen on `day`: a new set if they changed.

    The first set counts from `start`; a change from the next day, since `day`'s insight
    may be out already (and /insight must go on showing it).
    """
    if not sets:
        return [TopicSet(start, topics)]
    last = sets[-1]
    if last.topics == topics or day < last.since:
        return list(sets)
    return [*sets, TopicSet(max(day, last.since) + _DAY, topics)]


def _both(dealt: _Deck, instead: _Deck) -> _Deck:
    """The deck when a day dealt `dealt.last` or, instead, `instead.last`: both counted."""
    shown = instead.last
    assert shown is not None  # one day dealt
    if instead.cycle != dealt.cycle or shown in dealt.dealt:
        return instead  # the other topic ended its round: the next starts with this one
    return _Deck(dealt.cycle, (*dealt.dealt, shown), shown)


def _deal(deck: _Deck, topics: Sequence[Topic], days: int) -> _Deck:
    """The deck after dealing `days` more days from `topics`."""
    if days <= 0:
        return deck
    done = set(deck.dealt)
    # The rest of the round in progress, new topics included, in its order.
    rest = (
        [t for t in round_order(deck.cycle, topics) if t not in done]
        if deck.dealt
        else _round(deck.cycle, topics, deck.last)
    )
    if days < len(rest):
        return _Deck(deck.cycle, (*deck.dealt, *rest[:days]), rest[days - 1])
    days -= len(rest)
    cycle, last = deck.cycle + 1, rest[-1] if rest else deck.last
    full, within = divmod(days, len(topics))
    if full:
        if len(topics) >= _SHORTCUT:
            # A round's swap touches only its first two places, never its last.
            last = round_order(cycle + full - 1, topics)[-1]
        elif len(topics) == 1:
            last = topics[0]
        # Two topics: each round starts with the one the last round did not end with, so
        # every round ends with the same one, `last`.
        cycle += full
    order = _round(cycle, topics, last)
    return _Deck(cycle, tuple(order[:within]), order[within - 1] if within else last)


# From three topics on, a round's swap (at its start) never moves its last topic.
_SHORTCUT = 3


def _round(cycle: int, topics: Collection[Topic], last: Topic | None) -> list[Topic]:
    """Round `cycle`'s order, its first two swapped when it would repeat yesterday's topic."""
    order = round_order(cycle, topics)
    if len(order) > 1 and order[0] == last:
        order[0], order[1] = order[1], order[0]
    return order


def _rank(cycle: int, talk: str, section: int) -> str:
    return hashlib.sha256(f"{cycle}/{talk}/{section}".encode()).hexdigest()
