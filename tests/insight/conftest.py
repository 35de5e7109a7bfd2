"""Fixtures for the insight tests: a ledger on the store (both backends), schedulers on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest

from bot.channel import Channel
from bot.insight.channel import InsightChannel
from bot.insight.daily import DailyInsights
from bot.insight.ledger import Ledger
from bot.insight.schedule import Backoff, InsightScheduler
from bot.knowledge import Knowledge
from bot.runner import Runner
from bot.store import AsyncStore, Limits, open_store
from bot.store.store import Store
from tests.fakes.clock import ManualClock
from tests.insight.publishers import RecordingPublisher

UTC = dt.UTC


@pytest.fixture
def ledger(async_db: AsyncStore) -> Ledger:
    """The ledger on the test's store (a SQLite file, or PostgreSQL), as a test's own view."""
    return Ledger(async_db)


SchedulerFactory = Callable[..., InsightScheduler]


def target(platform: str, channel: str, lang: str = "ko") -> InsightChannel:
    """A channel that gets the insight, in `lang`."""
    return InsightChannel(Channel(platform, channel), lang)


@pytest.fixture
def make_scheduler(
    knowledge: Knowledge, db_target: str, store: Store, engine_lane: Runner
) -> Iterator[SchedulerFactory]:
    """Build a scheduler on its own store and lane on the shared database (like a process)."""
    opened: list[tuple[Store, Runner]] = []

    def make(
        clock: ManualClock,
        publishers: list[RecordingPublisher],
        targets: list[InsightChannel],
        at: str = "09:00",
        zone: str = "Asia/Seoul",
        *,
        knowledge: Knowledge = knowledge,
        **options: object,
    ) -> InsightScheduler:
        own = open_store(db_target, Limits(busy_timeout=10, statement_timeout=10))
        lane = Runner("store", finish_queued=True)
        opened.append((own, lane))
        ledger = Ledger(AsyncStore(own, lane))
        return InsightScheduler(
            DailyInsights(knowledge, ledger, clock, ZoneInfo(zone), engine_lane),
            ledger,
            {p.platform: p for p in publishers},
            targets,
            at=dt.time.fromisoformat(at),
            claim_lease=options.pop("claim_lease", dt.timedelta(minutes=10)),  # type: ignore[arg-type]
            backoff=options.pop("backoff", Backoff()),  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        )

    yield make
    for own, lane in opened:
        lane.close()
        own.close()
