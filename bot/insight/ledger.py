"""The insight ledger: the rotation's first day, its topic sets, one record per channel and day.

The records live in the shared store (bot/store/insight.py does the atomic work: each
change is one conditional statement, a claim only one process or replica can win); this
module speaks in channels and days, and runs every call on the store's lane, so a slow or
locked database never holds up the event loop. The rotation's first day is stored once
(the first value stored wins) and never changes; so is each topic set, by its first day.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping

from bot.channel import Channel
from bot.insight.rotation import Topic, TopicSet, with_topics
from bot.store import AsyncStore, InsightPost, InsightSlot

log = logging.getLogger(__name__)

# The store's named value holding the rotation's first day (YYYY-MM-DD in INSIGHT_TIMEZONE).
ROTATION_START = "insight.rotation_start"
# The topic sets the rotation deals from, one named value per set by its first day
# ("insight.topics.2026-03-01": ["talk:1", "talk:2", ...]).
TOPIC_SETS = "insight.topics."


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

    async def topic_sets(self) -> list[TopicSet]:
        """The topic sets stored so far, oldest first."""
        return parse_topic_sets(await self.store.values.starting_with(TOPIC_SETS))

    async def deal_from(
        self, start: dt.date, day: dt.date, topics: tuple[Topic, ...]
    ) -> list[TopicSet]:
        """The topic sets that deal `day`'s insight, `topics` stored as a new set if they changed.

        The first set counts from the rotation's `start`; a change (a talk added, a topic
        removed) from the next day (`with_topics`). Every process asking that day stores
        the same set, and the first stored for a day wins.
        """
        stored = await self.topic_sets()
        wanted = with_topics(day, start, stored, topics)
        # The first stored for a day wins: another process's set may come back instead.
        sets = stored + [await self._add_topic_set(new) for new in wanted[len(stored) :]]
        return [s for s in sets if s.since <= day]

    async def _add_topic_set(self, wanted: TopicSet) -> TopicSet:
        key = f"{TOPIC_SETS}{wanted.since.isoformat()}"
        value = json.dumps([f"{talk}:{number}" for talk, number in wanted.topics])
        stored = parse_topic_sets({key: await self.store.values.add(key, value)})
        return stored[0] if stored else wanted

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


def parse_topic_sets(values: Mapping[str, str]) -> list[TopicSet]:
    """The topic sets among the store's named values, oldest first; a damaged one is skipped."""
    sets = []
    for key, value in values.items():
        try:
            since = dt.date.fromisoformat(key.removeprefix(TOPIC_SETS))
            names = json.loads(value)
            topics = tuple(_topic(name) for name in names)
        except (ValueError, TypeError, AttributeError) as error:
            log.warning(
                "a stored topic set could not be read; skipped",
                extra={"key": key, "error": str(error)},
            )
            continue
        if topics:
            sets.append(TopicSet(since, topics))
    return sorted(sets, key=lambda s: s.since)


def _topic(name: str) -> Topic:
    talk, _, number = name.rpartition(":")
    if not talk:
        raise ValueError(f"not a topic: {name!r}")
    return talk, int(number)


def _slot(channel: Channel, day: dt.date) -> InsightSlot:
    return InsightSlot(channel, day)
