"""The async store: every call runs on the store's own lane, so the event loop never waits."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

import pytest

from bot.channel import Channel
from bot.runner import Runner
from bot.store import AsyncStore, InsightSlot, Limits, StoreUnavailableError, open_store
from tests.store.locking import write_lock_held

T = TypeVar("T")
NOW = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
SLOT = InsightSlot(Channel("slack", "C1"), dt.date(2026, 2, 2))
LEASE = dt.timedelta(minutes=10)
PATIENT = Limits(busy_timeout=60, connect_timeout=10, statement_timeout=60)


@pytest.fixture
async def async_store(db_target: str) -> AsyncIterator[AsyncStore]:
    store = AsyncStore(open_store(db_target, PATIENT))
    await store.upgrade()
    yield store
    await store.close()


async def test_each_part_answers_through_the_lane(async_store: AsyncStore) -> None:
    assert await async_store.values.add("insight.rotation_start", "2026-02-02") == "2026-02-02"
    await async_store.values.set("hash", "abc")
    assert await async_store.values.get("hash") == "abc"

    opened = await async_store.insight.open_day(SLOT, "k", NOW)
    claimed = await async_store.insight.claim(SLOT, "p1", NOW, LEASE)
    assert (opened.status, claimed is not None) == ("pending", True)
    assert await async_store.insight.record_retry(SLOT, "p1", "later", NOW, NOW)
    assert await async_store.insight.claim(SLOT, "p1", NOW, LEASE) is not None
    assert await async_store.insight.record_failed(SLOT, "p1", "gone", NOW)
    assert await async_store.insight.reopen(SLOT, NOW)
    assert await async_store.insight.record_posted(SLOT, "m1", NOW)
    assert [p.message_id for p in await async_store.insight.day(SLOT.day)] == ["m1"]
    recent = await async_store.insight.recent("slack", "C1")
    assert await async_store.insight.get(SLOT) == recent[0]
    assert await async_store.insight.channels() == [("slack", "C1")]

    assert await async_store.events.claim("Ev1", "p1", NOW)
    assert not await async_store.events.claim("Ev1", "p2", NOW)
    assert await async_store.events.purge(NOW + dt.timedelta(days=1)) == 1

    lease = await async_store.leases.acquire("gateway", "p1", NOW, LEASE)
    assert lease is not None
    assert await async_store.leases.holder("gateway", NOW) == lease
    assert await async_store.leases.renew(lease, NOW, LEASE) is not None
    assert await async_store.leases.release(lease)
    assert await async_store.revision() == await async_store.upgrade()


async def test_a_call_waiting_for_a_locked_database_never_blocks_the_event_loop(
    db_target: str, async_store: AsyncStore
) -> None:
    await async_store.values.set("kept", "before")
    with write_lock_held(db_target):
        waiting = asyncio.create_task(async_store.values.set("kept", "after"))
        # Were the call run on the loop's thread, it would hold the loop until the lock
        # (released below, by this loop) gave out: the loop goes on running other work.
        for _ in range(20):
            await asyncio.sleep(0.01)
        assert not waiting.done()
    await waiting

    assert await async_store.values.get("kept") == "after"


async def test_the_lanes_failure_is_the_stores_failure(db_target: str) -> None:
    store = AsyncStore(open_store(db_target, Limits(busy_timeout=0.2, statement_timeout=0.3)))
    await store.upgrade()
    await store.values.set("kept", "before")
    try:
        with write_lock_held(db_target), pytest.raises(StoreUnavailableError):
            await store.values.set("kept", "after")
        assert await store.values.get("kept") == "before"
    finally:
        await store.close()


class RecordingLane:
    """A lane of the caller's making (as a general runner would be): runs on one thread."""

    def __init__(self) -> None:
        self.inner = Runner("test", finish_queued=True)
        self.threads: set[str] = set()

    async def run(self, call: Callable[[], T]) -> T:
        def named() -> T:
            self.threads.add(threading.current_thread().name)
            return call()

        return await self.inner.run(named)


async def test_calls_run_on_the_given_lane_off_the_event_loops_thread(db_target: str) -> None:
    lane = RecordingLane()
    store = AsyncStore(open_store(db_target), lane)
    await store.upgrade()
    await store.values.set("kept", "yes")
    await store.close()

    assert lane.threads == {next(iter(lane.threads))}
    assert next(iter(lane.threads)).startswith("townhall-test")
    assert threading.current_thread().name not in lane.threads
    assert await lane.run(lambda: "the given lane stays open") == "the given lane stays open"
    lane.inner.close()
