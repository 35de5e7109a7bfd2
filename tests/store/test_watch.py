"""The database check of `townhall serve`: what /healthz says while the database hangs."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.store import AsyncStore
from bot.store.watch import StoreWatch
from tests.fakes.clock import ManualClock
from tests.store.locking import write_lock_held

EVERY = dt.timedelta(seconds=15)
GUARD = 5.0  # seconds; well under the store's 10 s bounds, a guard against a hang


async def test_a_check_outstanding_for_a_whole_interval_marks_the_database_unavailable(
    async_db: AsyncStore, db_target: str
) -> None:
    clock = ManualClock(dt.datetime(2026, 2, 3, 3, 0, tzinfo=dt.UTC), jump=False)
    watch = StoreWatch(async_db, clock, every=EVERY)
    running = asyncio.create_task(watch.run())
    try:
        async with asyncio.timeout(GUARD):
            await until(lambda: watch.available is True and clock.sleeping == 1)
            # Another session holds what the probe writes: the next check waits (as on a
            # server that stopped answering) until the store's own bound, 10 s away.
            with write_lock_held(db_target):
                clock.advance(EVERY.total_seconds())  # the next check starts and waits
                await until(lambda: len(clock.sleeps) == 2)
                clock.advance(EVERY.total_seconds())  # and is still waiting when due again
                await until(lambda: watch.available is False)
                hung = watch.health()
            await until(lambda: watch.available is True)
    finally:
        running.cancel()

    assert (hung["available"], hung["error"]) == (
        False,
        f"TOWNHALL_DB ({async_db.store.shown}): no answer within 15 s",
    )


async def until(condition: object) -> None:
    """Give the event loop turns until `condition()` holds."""
    assert callable(condition)
    while not condition():
        await asyncio.sleep(0.01)
