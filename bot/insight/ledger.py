"""The insight ledger: the rotation's first day, its decks, one record per channel and day.

The records live in the shared store (bot/store/insight.py does the atomic work: each
change is one conditional statement, a claim only one process or replica can win); this
module speaks in channels and days, and runs every call on the store's lane, so a slow or
locked database never holds up the event loop. The rotation's first day is stored once
(the first value stored wins) and never changes; so is each day's deck.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from bot.channel import Channel
from bot.insight.rotation import Deck, Topic, as_told, dealt_again, deck_of
from bot.store import AsyncStore, InsightPost, InsightSlot, StoreUnavailableError

if TYPE_CHECKING:
    from bot.store.values import NamedValues

log = logging.getLogger(__name__)

_DAY = dt.timedelta(days=1)
# How often a day is dealt again, or a damaged deck replaced, when other processes change
# it meanwhile: each try reads what they stored, so a few settle any race.
_AGAIN_TRIES = 5
# The store's named value holding the rotation's first day (YYYY-MM-DD in INSIGHT_TIMEZONE).
ROTATION_START = "insight.rotation_start"
# Each dealt day's deck, one named value per day ("insight.deck.2026-03-01":
# {"round": 0, "dealt": ["talk:4", "talk:1"], "topic": "talk:1"}, and "shown": the topics
# the day told before they were taken out, once it was dealt again).
DECKS = "insight.deck."


def rotation_day(value: str | None) -> dt.date | None:
    """The rotation's first day from its stored value, if one is stored.

    Raises StoreUnavailableError for a value that is no usable day (edited by hand).
    """
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or day in (dt.date.min, dt.date.max):
        raise StoreUnavailableError(
            f"the rotation's first day is stored as {value[:40]!r}, not a usable day: delete it "
            f"(DELETE FROM kv WHERE key = '{ROTATION_START}'); the bot then recovers it from "
            "its newest insight post"
        )
    return day


class Ledger:
    """The rotation's first day and the insight post records, on the store's lane."""

    def __init__(self, store: AsyncStore) -> None:
        self.store = store

    async def rotation_start(self) -> dt.date | None:
        """The rotation's first day, if the rotation has started."""
        return rotation_day(await self.store.values.get(ROTATION_START))

    async def start_rotation(self, day: dt.date) -> dt.date:
        """The rotation's first day; `day` becomes it if none is stored yet.

        Every process that asks at once gets the same answer: the first stored value wins.
        """
        start = rotation_day(await self.store.values.add(ROTATION_START, day.isoformat()))
        assert start is not None  # a value is stored now
        return start

    async def deck_of(self, start: dt.date, day: dt.date, topics: tuple[Topic, ...]) -> Deck:
        """`day`'s deck, dealt with the knowledge's `topics` and stored (see `deal_day`)."""
        return await self.store.lane.run(
            partial(deal_day, self.store.store.values, start, day, topics)
        )

    async def recover(
        self, start: dt.date, day: dt.date, told: Topic, topics: tuple[Topic, ...]
    ) -> None:
        """Store `day`'s deck as a post the database lost tells it (`told`), unless one is."""
        await self.store.lane.run(
            partial(_recover, self.store.store.values, start, day, told, topics)
        )

    async def open_day(
        self, channel: Channel, day: dt.date, key: str, now: dt.datetime
    ) -> InsightPost:
        """The record of `day` in `channel`, created pending if there is none."""
        return await self.store.insight.open_day(_slot(channel, day), key, now)

    async def claim(
        self, channel: Channel, day: dt.date, owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> InsightPost | None:
        """Take the lease on a due, pending, unleased record; None if it is not ours to take."""
        return await self.store.insight.claim(_slot(channel, day), owner, now, lease)

    async def record_posted(
        self,
        channel: Channel,
        day: dt.date,
        message_id: str,
        now: dt.datetime,
        note: str | None = None,
    ) -> None:
        """Mark the record posted with the message id (a posted record is never changed)."""
        await self.store.insight.record_posted(_slot(channel, day), message_id, now, note)

    async def record_retry(
        self,
        channel: Channel,
        day: dt.date,
        owner: str,
        error: str,
        *,
        retry_at: dt.datetime,
        now: dt.datetime,
    ) -> None:
        """Release `owner`'s lease and make the record due again at `retry_at`."""
        await self.store.insight.record_retry(_slot(channel, day), owner, error, retry_at, now)

    async def record_failed(
        self, channel: Channel, day: dt.date, owner: str, error: str, now: dt.datetime
    ) -> None:
        """Give up on `owner`'s record for the day, keeping the error for `--status`."""
        await self.store.insight.record_failed(_slot(channel, day), owner, error, now)

    async def reopen(
        self, channel: Channel, day: dt.date, now: dt.datetime, *, waiting_too: bool = False
    ) -> bool:
        """Make a failed record (and with `waiting_too` one waiting for a retry) due now.

        A posted record and one under another claimer's lease are left alone, so reopening
        keeps exactly-once: the next claimer still asks the platform before posting.
        """
        return await self.store.insight.reopen(_slot(channel, day), now, waiting_too=waiting_too)

    async def get(self, channel: Channel, day: dt.date) -> InsightPost | None:
        """The record of `day` in `channel`, if any."""
        return await self.store.insight.get(_slot(channel, day))

    async def day(self, day: dt.date) -> list[InsightPost]:
        """Every record of `day`, by platform and channel."""
        return await self.store.insight.day(day)


def deck_key(day: dt.date) -> str:
    """The name `day`'s deck is stored under."""
    return f"{DECKS}{day.isoformat()}"


def deal_day(values: NamedValues, start: dt.date, day: dt.date, topics: Sequence[Topic]) -> Deck:
    """`day`'s deck: the stored one, else dealt and stored with each day since the newest
    stored deck; dealt again (and stored in its place) if the knowledge lost its topic.

    Every process asking for a day gets the same deck, the first stored: a day's topic,
    once told, changes only if the knowledge loses it. Storing the days in between lets a
    process whose clock is behind find the days one ahead has dealt.
    """
    deck = newest_deck(values, day, start)
    if deck is None or deck.day < day:
        first = day if deck is None else deck.day + _DAY
        for offset in range((day - first).days + 1):
            deck = _store(values, deck_of(first + dt.timedelta(days=offset), start, deck, topics))
    assert deck is not None  # a day dealt
    key = deck_key(day)
    for _ in range(_AGAIN_TRIES):
        if deck.last in topics:
            return deck
        # Replaced by compare-and-set against the text stored: if another process dealt
        # the day again first, its deck is read, and kept if this knowledge has its topic.
        stored = values.get(key)
        deck = (parse_deck(day, stored) if stored else None) or deck
        if deck.last in topics:
            return deck
        again = _dealt_again(values, start, deck, topics)
        kept = values.change(key, stored, dump_deck(again)) if stored is not None else None
        if kept is None or kept == dump_deck(again):
            return again
        deck = parse_deck(day, kept) or again
    return _dealt_again(values, start, deck, topics)


def _store(values: NamedValues, deck: Deck) -> Deck:
    """`deck` stored for its day, unless a readable deck is (then that one: the first wins);
    one that cannot be read is replaced, by compare-and-set against its own text."""
    key = deck_key(deck.day)
    for _ in range(_AGAIN_TRIES):
        stored = values.add(key, dump_deck(deck))
        if (found := parse_deck(deck.day, stored)) is not None:
            return found
        if values.change(key, stored, dump_deck(deck)) == dump_deck(deck):
            return deck
    return deck


def told_day(values: NamedValues, start: dt.date, day: dt.date, topics: Sequence[Topic]) -> Deck:
    """`day`'s deck as `deal_day` makes it with `topics`, storing nothing."""
    deck = deck_of(day, start, newest_deck(values, day, start), topics)
    return deck if deck.last in topics else _dealt_again(values, start, deck, topics)


def _dealt_again(values: NamedValues, start: dt.date, deck: Deck, topics: Sequence[Topic]) -> Deck:
    """`deck`'s day dealt again from the deck before it, its topic taken out of `topics`.

    Never yesterday's topic nor one a process whose clock is ahead dealt for the next day,
    nor (while another is left) one the day told before: replicas on different knowledge
    would otherwise take turns dealing each other's topic.
    """
    before = newest_deck(values, deck.day - _DAY, start) if deck.day > start else None
    following = (
        parse_deck(deck.day + _DAY, value)
        if deck.day < dt.date.max and (value := values.get(deck_key(deck.day + _DAY)))
        else None
    )
    yesterday = before.last if before is not None and before.day == deck.day - _DAY else None
    neighbours = {yesterday, following.last if following else None}
    told = {*deck.shown, deck.last}
    left = (
        [t for t in topics if t not in neighbours | told]
        or [t for t in topics if t not in neighbours]
        or [t for t in topics if t != yesterday]
        or list(topics)
    )
    return dealt_again(deck, deck_of(deck.day, start, before, left))


def _recover(
    values: NamedValues, start: dt.date, day: dt.date, told: Topic, topics: Sequence[Topic]
) -> None:
    deck = newest_deck(values, day, start)
    if deck is None or deck.day != day:
        _store(values, as_told(deck_of(day, start, deck, topics), told))


def newest_deck(values: NamedValues, day: dt.date, start: dt.date) -> Deck | None:
    """The newest readable deck stored for `day` or before it, back to `start`: a damaged
    one, or a name that is no day's, is passed over for the one before."""
    found = values.last_up_to(DECKS, deck_key(day))
    while found is not None:
        key, value = found
        try:
            stored = dt.date.fromisoformat(key.removeprefix(DECKS))
        except ValueError:
            log.warning(
                "a stored name is not a day's insight deck; passed over", extra={"key": key}
            )
            stored = None
        if stored is not None and stored < start:
            return None  # from a rotation before this one (the database was reused)
        if stored is not None and (deck := parse_deck(stored, value)) is not None:
            return deck
        found = values.last_up_to(DECKS, key, inclusive=False)
    return None


def parse_deck(day: dt.date, value: str) -> Deck | None:
    """`day`'s deck from its stored value; None (and a warning) if it is damaged."""
    try:
        return _deck(day, json.loads(value))
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        OverflowError,
        RecursionError,
    ) as error:
        # Dealing on from an older deck (or the first day) keeps the rotation going.
        log.warning(
            "a stored insight deck could not be read; dealt again",
            extra={"day": day.isoformat(), "error": str(error)},
        )
        return None


def dump_deck(deck: Deck) -> str:
    """The stored value of `deck`."""
    return json.dumps(_fields(deck))


def _deck(day: dt.date, stored: dict[str, Any]) -> Deck:
    last = stored["topic"]
    return Deck(
        day,
        cycle=int(stored["round"]),
        dealt=tuple(_topic(name) for name in stored["dealt"]),
        last=None if last is None else _topic(last),
        shown=tuple(_topic(name) for name in stored.get("shown", [])),
    )


def _fields(deck: Deck) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "round": deck.cycle,
        "dealt": [_name(t) for t in deck.dealt],
        "topic": None if deck.last is None else _name(deck.last),
    }
    if deck.shown:
        fields["shown"] = [_name(t) for t in deck.shown]
    return fields


def _name(topic: Topic) -> str:
    return f"{topic[0]}:{topic[1]}"


def _topic(name: str) -> Topic:
    talk, _, number = name.rpartition(":")
    if not talk:
        raise ValueError(f"not a topic: {name!r}")
    return talk, int(number)


def _slot(channel: Channel, day: dt.date) -> InsightSlot:
    return InsightSlot(channel, day)
