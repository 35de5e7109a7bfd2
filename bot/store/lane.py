"""The store from async code: every call runs on a lane of its own, off the event loop.

A slow or locked database then delays only other store calls, never an answer: the engine
runs on another lane, and the event loop only awaits. `Lane` is the one thing AsyncStore
needs: a `bot.runner.Runner` that finishes the work queued on it when it closes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.runner import Runner
from bot.store.limits import EVENT_RETRY_WINDOW
from bot.store.records import InsightPost, InsightSlot, Lease

if TYPE_CHECKING:
    from bot.store.events import EventClaims
    from bot.store.insight import InsightPosts
    from bot.store.leases import Leases
    from bot.store.store import Store
    from bot.store.usage import QuestionRow, UsageRecords, VoteRow
    from bot.store.values import NamedValues

T = TypeVar("T")


class Lane(Protocol):
    """Runs blocking calls one after another, away from the event loop."""

    async def run(self, call: Callable[[], T], /) -> T:
        """The result of `call()`, run on the lane."""
        ...


class AsyncStore:
    """The Store's operations as coroutines, each run on the store's lane."""

    def __init__(self, store: Store, lane: Lane | None = None) -> None:
        self.store = store
        self._own_lane: Runner | None = None
        if lane is None:
            lane = self._own_lane = Runner("store", finish_queued=True)
        self.lane: Lane = lane
        self.values = AsyncNamedValues(store.values, self.lane)
        self.insight = AsyncInsightPosts(store.insight, self.lane)
        self.events = AsyncEventClaims(store.events, self.lane)
        self.leases = AsyncLeases(store.leases, self.lane)
        self.usage = AsyncUsageRecords(store.usage, self.lane)

    async def upgrade(self) -> str:
        """See Store.upgrade."""
        return await self.lane.run(self.store.upgrade)

    async def revision(self) -> str | None:
        """See Store.revision."""
        return await self.lane.run(self.store.revision)

    async def close(self) -> None:
        """Close the store after the calls already queued, and stop a lane of its own."""
        await self.lane.run(self.store.close)
        if self._own_lane is not None:
            self._own_lane.close()


class AsyncNamedValues:
    """NamedValues on a lane."""

    def __init__(self, values: NamedValues, lane: Lane) -> None:
        self._values, self._lane = values, lane

    async def get(self, key: str) -> str | None:
        """See NamedValues.get."""
        return await self._lane.run(partial(self._values.get, key))

    async def set(self, key: str, value: str) -> None:
        """See NamedValues.set."""
        await self._lane.run(partial(self._values.set, key, value))

    async def add(self, key: str, value: str) -> str:
        """See NamedValues.add."""
        return await self._lane.run(partial(self._values.add, key, value))


class AsyncInsightPosts:
    """InsightPosts on a lane."""

    def __init__(self, posts: InsightPosts, lane: Lane) -> None:
        self._posts, self._lane = posts, lane

    async def open_day(self, slot: InsightSlot, insight_key: str, now: dt.datetime) -> InsightPost:
        """See InsightPosts.open_day."""
        return await self._lane.run(partial(self._posts.open_day, slot, insight_key, now))

    async def claim(
        self, slot: InsightSlot, owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> InsightPost | None:
        """See InsightPosts.claim."""
        return await self._lane.run(partial(self._posts.claim, slot, owner, now, lease))

    async def record_posted(
        self, slot: InsightSlot, message_id: str, now: dt.datetime, note: str | None = None
    ) -> bool:
        """See InsightPosts.record_posted."""
        return await self._lane.run(partial(self._posts.record_posted, slot, message_id, now, note))

    async def record_retry(
        self, slot: InsightSlot, owner: str, error: str, retry_at: dt.datetime, now: dt.datetime
    ) -> bool:
        """See InsightPosts.record_retry."""
        return await self._lane.run(
            partial(self._posts.record_retry, slot, owner, error, retry_at, now)
        )

    async def record_failed(
        self, slot: InsightSlot, owner: str, error: str, now: dt.datetime
    ) -> bool:
        """See InsightPosts.record_failed."""
        return await self._lane.run(partial(self._posts.record_failed, slot, owner, error, now))

    async def reopen(
        self, slot: InsightSlot, now: dt.datetime, *, waiting_too: bool = False
    ) -> bool:
        """See InsightPosts.reopen."""
        return await self._lane.run(partial(self._posts.reopen, slot, now, waiting_too=waiting_too))

    async def get(self, slot: InsightSlot) -> InsightPost | None:
        """See InsightPosts.get."""
        return await self._lane.run(partial(self._posts.get, slot))

    async def day(self, day: dt.date) -> list[InsightPost]:
        """See InsightPosts.day."""
        return await self._lane.run(partial(self._posts.day, day))

    async def recent(self, platform: str, channel: str, count: int = 3) -> list[InsightPost]:
        """See InsightPosts.recent."""
        return await self._lane.run(partial(self._posts.recent, platform, channel, count))

    async def channels(self) -> list[tuple[str, str]]:
        """See InsightPosts.channels."""
        return await self._lane.run(self._posts.channels)


class AsyncEventClaims:
    """EventClaims on a lane."""

    def __init__(self, events: EventClaims, lane: Lane) -> None:
        self._events, self._lane = events, lane

    async def claim(
        self, event_id: str, owner: str, now: dt.datetime, keep: dt.timedelta = EVENT_RETRY_WINDOW
    ) -> bool:
        """See EventClaims.claim."""
        return await self._lane.run(partial(self._events.claim, event_id, owner, now, keep))

    async def purge(self, now: dt.datetime) -> int:
        """See EventClaims.purge."""
        return await self._lane.run(partial(self._events.purge, now))


class AsyncLeases:
    """Leases on a lane."""

    def __init__(self, leases: Leases, lane: Lane) -> None:
        self._leases, self._lane = leases, lane

    async def acquire(
        self, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta
    ) -> Lease | None:
        """See Leases.acquire."""
        return await self._lane.run(partial(self._leases.acquire, name, holder, now, ttl))

    async def renew(self, lease: Lease, now: dt.datetime, ttl: dt.timedelta) -> Lease | None:
        """See Leases.renew."""
        return await self._lane.run(partial(self._leases.renew, lease, now, ttl))

    async def release(self, lease: Lease) -> bool:
        """See Leases.release."""
        return await self._lane.run(partial(self._leases.release, lease))

    async def holder(self, name: str, now: dt.datetime) -> Lease | None:
        """See Leases.holder."""
        return await self._lane.run(partial(self._leases.holder, name, now))


class AsyncUsageRecords:
    """UsageRecords on a lane."""

    def __init__(self, records: UsageRecords, lane: Lane) -> None:
        self._records, self._lane = records, lane

    async def record(self, row: QuestionRow) -> None:
        """See UsageRecords.record."""
        await self._lane.run(partial(self._records.record, row))

    async def question(self, answer_id: str) -> QuestionRow | None:
        """See UsageRecords.question."""
        return await self._lane.run(partial(self._records.question, answer_id))

    async def vote(self, vote: VoteRow) -> str | None:
        """See UsageRecords.vote."""
        return await self._lane.run(partial(self._records.vote, vote))

    async def forget_questions(self, before: dt.datetime | None) -> int:
        """See UsageRecords.forget_questions."""
        return await self._lane.run(partial(self._records.forget_questions, before))
