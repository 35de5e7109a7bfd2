"""The runner: blocking work off the event loop, one lane per kind of work."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.runner import Runner

ROOT = Path(__file__).resolve().parents[1]
# Seconds; a guard against a hang, not a timing assertion.
PATIENCE = 60.0


async def test_work_runs_off_the_event_loop_thread_in_arrival_order() -> None:
    seen: list[tuple[int, str]] = []

    def job(number: int) -> int:
        seen.append((number, threading.current_thread().name))
        return number * 2

    with Runner("engine") as lane:
        results = await asyncio.gather(*(lane.run(job, n) for n in range(5)))

    assert results == [0, 2, 4, 6, 8]
    assert [n for n, _ in seen] == [0, 1, 2, 3, 4]
    assert {name for _, name in seen} == {"townhall-engine"}
    assert threading.current_thread().name not in {name for _, name in seen}


async def test_a_blocked_lane_never_delays_another_lane() -> None:
    release = threading.Event()
    with Runner("database") as database, Runner("engine") as engine:
        stuck = asyncio.ensure_future(database.run(release.wait))
        answered = await engine.run(lambda: "answered")
        assert (answered, stuck.done()) == ("answered", False)
        release.set()
        assert await stuck is True


@pytest.mark.parametrize(
    ("finish_queued", "expected"), [(False, ["running"]), (True, ["running", "queued"])]
)
async def test_closing_drops_queued_work_unless_the_lane_finishes_its_queue(
    finish_queued: bool, expected: list[str]
) -> None:
    done: list[str] = []
    started, release = threading.Event(), threading.Event()

    def running() -> None:
        started.set()
        release.wait()
        done.append("running")

    lane = Runner("store", finish_queued=finish_queued)
    first = asyncio.ensure_future(lane.run(running))
    second = asyncio.ensure_future(lane.run(done.append, "queued"))
    await asyncio.to_thread(started.wait)
    # Closed while the first call runs and the second waits.
    closer = threading.Thread(target=lane.close)
    closer.start()
    # A lane that finishes its queue is still closing while the running call holds it;
    # one that drops its queue returns from close() at once.
    closer.join(timeout=0.2 if finish_queued else None)
    assert closer.is_alive() is finish_queued
    release.set()
    await asyncio.to_thread(closer.join)
    await asyncio.gather(first, second, return_exceptions=True)
    assert done == expected


async def test_closing_gives_up_on_a_call_that_never_returns_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done: list[str] = []
    started, release = threading.Event(), threading.Event()

    def stuck() -> None:
        started.set()
        release.wait()
        done.append("stuck")

    lane = Runner("store", finish_queued=True)
    first = asyncio.ensure_future(lane.run(stuck))
    second = asyncio.ensure_future(lane.run(done.append, "queued"))
    await asyncio.to_thread(started.wait)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.runner"):
            # In a thread with a guard: a close() that waits for the call would hang here.
            closing = asyncio.to_thread(lane.close, wait_at_most=0.05)
            await asyncio.wait_for(closing, PATIENCE)
        assert done == []
    finally:
        release.set()
    [warning] = [r for r in caplog.records if r.name == "bot.runner"]
    assert warning.getMessage() == (
        "lane still busy when closing; its running call and queued work are abandoned"
    )
    assert (warning.levelno, warning.lane, warning.queued) == (logging.WARNING, "store", 1)
    # The database answering late, the lane still finishes what was queued on it.
    await asyncio.wait_for(asyncio.gather(first, second), PATIENCE)
    assert done == ["stuck", "queued"]


def test_a_process_exits_while_a_call_on_a_lane_never_returns() -> None:
    # A ThreadPoolExecutor's worker is joined at exit even after shutdown(wait=False).
    program = """
import asyncio, threading
from bot.runner import Runner

async def main() -> None:
    lane, started = Runner("store", finish_queued=True), threading.Event()
    def hang() -> None:
        started.set()
        threading.Event().wait()
    waiting = asyncio.ensure_future(lane.run(hang))
    await asyncio.to_thread(started.wait)
    lane.close(wait_at_most=0.05)
    waiting.cancel()

asyncio.run(main())
print("exiting")
"""
    finished = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=False,
    )
    assert (finished.returncode, finished.stdout) == (0, "exiting\n")


async def test_an_idle_lane_given_no_time_to_close_says_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Serve gives the lanes after a hung one what is left of the grace: often nothing.
    lanes = [Runner(name, finish_queued=True) for name in ("usage", "leases", "store")]
    for lane in lanes:
        await lane.run(int, "1")
    with caplog.at_level(logging.WARNING, logger="bot.runner"):
        for lane in lanes:
            lane.close(wait_at_most=0)
    assert [r.getMessage() for r in caplog.records if r.name == "bot.runner"] == []
