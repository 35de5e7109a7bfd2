"""The daily insight without a database: it waits and retries, and never ends the scheduler."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.channel import Channel
from bot.insight.daily import DailyInsights
from bot.insight.ledger import Ledger
from bot.insight.schedule import InsightScheduler
from bot.knowledge import Knowledge
from bot.runner import Runner
from bot.store import AsyncStore, InsightSlot, Limits, open_store
from tests.fakes.clock import ManualClock, run_until
from tests.insight.conftest import target
from tests.insight.publishers import RecordingPublisher
from tests.store.locking import write_lock_held_by_another_process
from tests.stores import file_store

WAITING = "database unavailable; the insight waits and retries"
PATIENCE = 30.0  # seconds; a guard against a hang, not a timing assertion


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


async def test_a_write_lock_at_post_time_delays_the_post_until_it_is_released_then_posts_once(
    tmp_path: Path, knowledge: Knowledge, engine_lane: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "townhall.db"
    with file_store(path):
        pass  # made and upgraded, as `serve` leaves it
    store = open_store(path, Limits(busy_timeout=0.05))
    lane = Runner("store", finish_queued=True)
    ledger = Ledger(AsyncStore(store, lane))
    clock = ManualClock(utc(2026, 2, 2, 0, 0))  # 09:00 in Seoul: the post is due
    slack = RecordingPublisher("slack", clock)
    scheduler = InsightScheduler(
        DailyInsights(knowledge, ledger, clock, ZoneInfo("Asia/Seoul"), engine_lane),
        ledger,
        {"slack": slack},
        [target("slack", "C1")],
        at=dt.time(9, 0),
        claim_lease=dt.timedelta(minutes=10),
    )
    caplog.set_level(logging.WARNING, logger="bot.insight.schedule")

    with write_lock_held_by_another_process(str(path)):
        day = asyncio.create_task(run_until(clock, scheduler.run(), utc(2026, 2, 2, 14, 0)))
        async with asyncio.timeout(PATIENCE):
            while sum(r.getMessage() == WAITING for r in caplog.records) < 2:
                await asyncio.sleep(0.01)
        assert slack.posts("C1") == []
        assert not day.done()
    await asyncio.wait_for(day, PATIENCE)

    (posted,) = slack.posts("C1")
    record = store.insight.get(InsightSlot(Channel("slack", "C1"), dt.date(2026, 2, 2)))
    assert record is not None
    assert (record.status, record.insight_key) == ("posted", posted)
    assert record.updated > utc(2026, 2, 2, 0, 0)  # after at least one wait
    lane.close()
    store.close()
