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
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from bot.channel import Channel
from bot.insight.rotation import Deck, Topic, as_told, deck_of, in_place
from bot.store import AsyncStore, InsightPost, InsightSlot

if TYPE_CHECKING:
    from bot.store.values import NamedValues

log = logging.getLogger(__name__)

_DAY = dt.timedelta(days=1)
# The store's named value holding the rotation's first day (YYYY-MM-DD in INSIGHT_TIMEZONE).
ROTATION_START = "insight.rotation_start"
# Each dealt day's deck, one named value per day ("insight.deck.2026-03-01":
# {"round": 0, "dealt": ["talk:4", "talk:1"], "topic": "talk:1"}, and "instead": a deck
# like it once the day's topic was taken out).
DECKS = "insight.deck."


def rotation_day(value: str | None) -> dt.date | None:
    """The rotation's first day from its stored value, if one is stored."""
    return None if value is None else dt.date.fromisoformat(value)


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
        return dt.date.fromisoformat(await self.store.values.add(ROTATION_START, day.isoformat()))

    async def deck_of(self, start: dt.date, day: dt.date, topics: tuple[Topic, ...]) -> Deck:
        """`day`'s deck, dealt with the knowledge's `topics` and stored if it is not yet.

        Every process asking for a day gets the same deck: the first one stored wins, so
        a day's topic never changes once told, unless the knowledge loses that topic. Then
        the next one is dealt in its place and stored with the deck (the first stored wins
        again): the day tells it from then on, and the next day deals on from there.
        """
        stored = await self.store.lane.run(partial(stored_decks, self.store.store.values, day))
        deck = deck_of(day, start, stored.newest, topics)
        if deck is not stored.newest:
            deck = (
                parse_deck(day, await self.store.values.add(deck_key(day), dump_deck(deck))) or deck
            )
        shown = in_place(deck, topics, stored.neighbours)
        if shown is deck or deck.instead is not None:
            return shown  # its own topic, or a replacement told elsewhere that this one lacks
        kept = await self.store.values.change(deck_key(day), dump_deck(deck), dump_deck(shown))
        told = parse_deck(day, kept) if kept is not None else None
        return in_place(told, topics, stored.neighbours) if told is not None else shown

    async def recover(
        self, start: dt.date, day: dt.date, told: Topic, topics: tuple[Topic, ...]
    ) -> None:
        """Store `day`'s deck as a post the database lost tells it (`told`), unless one is."""
        stored = await self.store.lane.run(partial(stored_decks, self.store.store.values, day))
        if stored.newest is None or stored.newest.day != day:
            deck = as_told(deck_of(day, start, stored.newest, topics), told)
            await self.store.values.add(deck_key(day), dump_deck(deck))

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


@dataclass(frozen=True)
class StoredDecks:
    """What the ledger holds for a day: the newest deck up to it, its neighbours' topics."""

    newest: Deck | None
    # The topics told the day before and the day after, when both are stored: a topic
    # dealt in place of the day's own must not repeat them.
    neighbours: tuple[Topic, ...] = ()


def stored_decks(values: NamedValues, day: dt.date) -> StoredDecks:
    """The newest readable deck stored up to `day` and, if it is `day`'s, its neighbours'."""
    newest = _newest_deck(values, day)
    if newest is None or newest.day != day:
        return StoredDecks(newest)
    around = []
    if day > dt.date.min and (before := _newest_deck(values, day - _DAY)) is not None:
        around.append(before if before.day == day - _DAY else None)
    if day < dt.date.max and (value := values.get(deck_key(day + _DAY))) is not None:
        around.append(parse_deck(day + _DAY, value))
    return StoredDecks(newest, tuple(d.told for d in around if d is not None and d.told))


def _newest_deck(values: NamedValues, day: dt.date) -> Deck | None:
    """The newest readable deck up to `day`: a damaged one is passed over for the one before."""
    while (found := values.last_up_to(DECKS, deck_key(day))) is not None:
        key, value = found
        try:
            day = dt.date.fromisoformat(key.removeprefix(DECKS))
        except ValueError:
            log.warning("a stored name is not a day's deck; ignored", extra={"key": key})
            return None
        if (deck := parse_deck(day, value)) is not None:
            return deck
        if day == dt.date.min:
            return None
        day -= _DAY
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
    last, instead = stored["topic"], stored.get("instead")
    return Deck(
        day,
        cycle=int(stored["round"]),
        dealt=tuple(_topic(name) for name in stored["dealt"]),
        last=None if last is None else _topic(last),
        instead=None if instead is None else _deck(day, instead),
    )


def _fields(deck: Deck) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "round": deck.cycle,
        "dealt": [_name(t) for t in deck.dealt],
        "topic": None if deck.last is None else _name(deck.last),
    }
    if deck.instead is not None:
        fields["instead"] = _fields(deck.instead)
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
