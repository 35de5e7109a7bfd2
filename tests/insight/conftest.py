"""Fixtures for the insight tests: a ledger on a real SQLite file, and a scheduler factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.insight.channel import Channel, InsightChannel
from bot.insight.daily import DailyInsights
from bot.insight.ledger import Ledger
from bot.insight.schedule import Backoff, InsightScheduler
from bot.knowledge import Knowledge
from bot.runner import Runner
from bot.state import StateDB
from tests.fakes.clock import ManualClock
from tests.insight.publishers import RecordingPublisher

UTC = dt.UTC


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "townhall.db"


@pytest.fixture
def ledger(db_path: Path) -> Iterator[Ledger]:
    db = StateDB(db_path)
    yield Ledger(db)
    db.close()


SchedulerFactory = Callable[..., InsightScheduler]


def target(platform: str, channel: str, lang: str = "ko") -> InsightChannel:
    """A channel that gets the insight, in `lang`."""
    return InsightChannel(Channel(platform, channel), lang)


@pytest.fixture
def make_scheduler(
    knowledge: Knowledge, db_path: Path, engine_lane: Runner
) -> Iterator[SchedulerFactory]:
    """Build a scheduler on its own connection to the shared database file (like a process)."""
    opened: list[StateDB] = []

    def make(
        clock: ManualClock,
        publishers: list[RecordingPublisher],
        targets: list[InsightChannel],
        at: str = "09:00",
        zone: str = "Asia/Seoul",
        **options: object,
    ) -> InsightScheduler:
        db = StateDB(db_path)
        opened.append(db)
        ledger = Ledger(db)
        return InsightScheduler(
            DailyInsights(knowledge, ledger, clock, ZoneInfo(zone), engine_lane),
            ledger,
            {p.platform: p for p in publishers},
            targets,
            at=dt.time.fromisoformat(at),
            backoff=options.pop("backoff", Backoff()),  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        )

    yield make
    for db in opened:
        db.close()
