"""The rotation: which topic each day deals, every topic once a round, whatever the edits.

Days are dealt from a deck. Each round deals every topic once, in an order shuffled by a
hash of (round, talk, section), the same in every process. The ledger stores each day's
deck the first time the day is dealt, and the next day deals on from the newest stored
deck with the topics the knowledge has then. So a day's topic, once told, never changes
in any process unless the knowledge loses it (then the day is dealt again, its earlier
topic counted as dealt); a talk added joins the round in progress (every topic still once
a round), and a topic taken out is not dealt again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

# A topic: (talk, section number).
Topic = tuple[str, int]
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Deck:
    """Where the rotation stands after `day`: its round, the topics the round dealt, the day's."""

    day: dt.date
    cycle: int
    dealt: tuple[Topic, ...]
    last: Topic | None
    # Topics the day told before they were taken out of the knowledge (the day was dealt
    # again): each counts as dealt in the round, so none comes again in it.
    shown: tuple[Topic, ...] = ()


def round_order(cycle: int, topics: Collection[Topic]) -> list[Topic]:
    """Round `cycle`'s order of `topics`, by a hash: an edit moves only what it adds or removes."""
    return sorted(topics, key=lambda topic: _rank(cycle, *topic))


def deck_of(day: dt.date, start: dt.date, base: Deck | None, topics: Collection[Topic]) -> Deck:
    """`day`'s deck: dealt on from `base`, the newest stored deck before it, with `topics`.

    With no deck stored, the rotation deals from its first day `start`. A day keeps the
    deck stored for it (`base` on `day`).
    """
    if day < start:
        raise ValueError(f"{day.isoformat()} is before the first insight day {start.isoformat()}")
    if base is not None and base.day == day:
        return base
    if not topics:
        raise LookupError("the knowledge has no topics to take insights from")
    if base is None or base.day < start:
        base = Deck(start - _DAY, cycle=0, dealt=(), last=None)
    elif base.day > day:
        raise ValueError(f"the deck of {base.day.isoformat()} is after {day.isoformat()}")
    return _deal(base, list(topics), (day - base.day).days)


def dealt_again(stored: Deck, fresh: Deck) -> Deck:
    """The deck of a day whose stored topic was taken out: `fresh`, the day dealt again from
    the deck before it, with every topic the day told so far counted as dealt."""
    shown = tuple(dict.fromkeys((*stored.shown, *([stored.last] if stored.last else []))))
    if not fresh.dealt:
        # The day closed its round: the next round starts after it, avoiding them (`_deal`).
        return replace(fresh, shown=shown)
    extra = tuple(t for t in shown if t not in fresh.dealt and t != fresh.last)
    return replace(fresh, dealt=(*fresh.dealt, *extra), shown=shown)


def as_told(deck: Deck, topic: Topic) -> Deck:
    """`deck` had its day told `topic` (a post the database lost shows it): `topic` counts as
    dealt in the round instead of the one dealt here, so it does not come again."""
    if deck.last == topic:
        return deck
    dealt = tuple(t for t in deck.dealt if t not in (deck.last, topic))
    return Deck(deck.day, deck.cycle, (*dealt, topic), topic)


def _deal(deck: Deck, topics: Sequence[Topic], days: int) -> Deck:
    """The deck after dealing `days` more days from `topics`."""
    if days <= 0:
        return deck
    day = deck.day + dt.timedelta(days=days)
    done = set(deck.dealt)
    # The rest of the round in progress, new topics included, in its order.
    rest = _round(deck.cycle, [t for t in topics if t not in done], deck.last, deck.shown)
    if days < len(rest):
        return Deck(day, deck.cycle, (*deck.dealt, *rest[:days]), rest[days - 1])
    days -= len(rest)
    cycle, last = deck.cycle + 1, rest[-1] if rest else deck.last
    full, within = divmod(days, len(topics))
    if full and len(topics) == 2 and last not in topics:
        # The rounds below end with `last` only once it is one of the two: one round first.
        last, cycle, full = _round(cycle, topics, last)[-1], cycle + 1, full - 1
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
    return Deck(day, cycle, tuple(order[:within]), order[within - 1] if within else last)


# From three topics on, a round's swap (at its start) never moves its last topic.
_SHORTCUT = 3


def _round(
    cycle: int, topics: Collection[Topic], last: Topic | None, shown: Collection[Topic] = ()
) -> list[Topic]:
    """Round `cycle`'s order of `topics`, led by the first that is not yesterday's topic
    `last` (nor one yesterday told before, `shown`): the first two swapped, usually."""
    order = round_order(cycle, topics)
    told = {last, *shown}
    # With every topic told lately, at least not yesterday's.
    lead = next(
        (n for n, topic in enumerate(order) if topic not in told),
        next((n for n, topic in enumerate(order) if topic != last), 0),
    )
    if lead:
        order.insert(0, order.pop(lead))
    return order


def _rank(cycle: int, talk: str, section: int) -> str:
    return hashlib.sha256(f"{cycle}/{talk}/{section}".encode()).hexdigest()
