"""A stop keeps the usage records of the answers sent just before it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.engine import Verdict
from bot.knowledge import Knowledge
from bot.runner import Runner
from bot.runtime import run_services
from bot.store import AsyncStore, open_store
from bot.store.usage import UsageRecords
from bot.usage import Asked, ChannelKind, UsageRecorder
from tests.adapters.verdicts import constructed
from tests.fakes.clock import ManualClock
from tests.usage.conftest import NOON, VOTE_KEYS

ANSWERS = 5


class LastAnswers:
    """A platform that sends its last answers just as the stop comes."""

    name = "platform"

    def __init__(self, recorder: UsageRecorder, knowledge: Knowledge, stop: asyncio.Event) -> None:
        self.recorder, self.knowledge, self.stop = recorder, knowledge, stop

    async def run(self) -> None:
        for i in range(ANSWERS):
            answer = constructed(self.knowledge, Verdict.ANSWER, [19])
            self.recorder.record(Asked(f"a{i}", "slack", "T1", ChannelKind.DM, answer))
        self.stop.set()
        await asyncio.Event().wait()

    async def stop_accepting(self) -> None:
        """Nothing to stop: its answers are all sent."""

    def health(self) -> dict[str, object]:
        return {}


def test_the_records_of_the_last_answers_are_written_before_the_stop_ends(
    tmp_path: Path, knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "townhall.db")
    store.upgrade()
    write = UsageRecords.record

    def slowly(self: UsageRecords, row: object) -> None:
        time.sleep(0.05)  # a database that answers, if not at once
        write(self, row)  # type: ignore[arg-type]

    monkeypatch.setattr(UsageRecords, "record", slowly)
    lane = Runner("usage", finish_queued=True)
    clock = ManualClock(NOON, jump=False)
    recorder = UsageRecorder(
        AsyncStore(store, lane), clock, keep_questions=False, vote_keys=VOTE_KEYS
    )

    async def serve() -> float:
        stop = asyncio.Event()
        platform = LastAnswers(recorder, knowledge, stop)
        return await run_services(
            [platform], stop=stop, clock=clock, grace=30.0, settle=recorder.settle
        )

    asyncio.run(serve())
    lane.close(wait_at_most=0)
    try:
        assert len(store.usage.questions_since(NOON.replace(year=2000))) == ANSWERS
    finally:
        store.close()
