"""The runner: blocking work off the event loop, one lane per kind of work."""

from __future__ import annotations

import asyncio
import threading

from bot.runner import Runner


async def test_work_runs_off_the_event_loop_thread_in_arrival_order() -> None:
    seen: list[tuple[int, str]] = []

    def job(number: int) -> int:
        seen.append((number, threading.current_thread().name))
        return number * 2

    with Runner("engine") as lane:
        results = await asyncio.gather(*(lane.run(job, n) for n in range(5)))

    assert results == [0, 2, 4, 6, 8]
    assert [n for n, _ in seen] == [0, 1, 2, 3, 4]
    assert {name for _, name in seen} == {"townhall-engine_0"}
    assert threading.current_thread().name not in {name for _, name in seen}


async def test_a_blocked_lane_never_delays_another_lane() -> None:
    release = threading.Event()
    with Runner("database") as database, Runner("engine") as engine:
        stuck = asyncio.ensure_future(database.run(release.wait))
        answered = await engine.run(lambda: "answered")
        assert (answered, stuck.done()) == ("answered", False)
        release.set()
        assert await stuck is True
