"""A clock the tests move: by hand, or jumping straight to whatever time the code waits for."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable

from bot.clock import Clock


class ManualClock(Clock):
    """Virtual time for the bot under test.

    With `jump=True` (the default) a sleeper moves the time to its wake-up time at once,
    so a day of the schedule runs in milliseconds; past `stop_at` it parks instead (until
    the test cancels it) and sets `parked`. With `jump=False` time moves only when the test
    calls `advance` or `set`, and sleepers wake when it reaches them.
    """

    def __init__(
        self, start: dt.datetime, *, jump: bool = True, stop_at: dt.datetime | None = None
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("the manual clock needs a timezone-aware start")
        self.current = start
        self.jump = jump
        self.stop_at = stop_at
        self.parked = asyncio.Event()
        self.sleeps: list[dt.datetime] = []  # every wake-up time asked for
        self.naps: list[float] = []  # every duration asked for with sleep()
        self._sleepers: list[tuple[dt.datetime, asyncio.Future[None]]] = []
        self._changed = asyncio.Condition()

    def now(self) -> dt.datetime:
        """The virtual time."""
        return self.current

    async def sleep(self, seconds: float) -> None:
        """Sleep on virtual time."""
        self.naps.append(seconds)
        await self.sleep_until(self.current + dt.timedelta(seconds=max(0.0, seconds)))

    async def sleep_until(self, when: dt.datetime) -> None:
        """Jump to `when` (or park past `stop_at`), or wait until the test moves time there."""
        self.sleeps.append(when)
        if self.jump:
            if self.stop_at is not None and when > self.stop_at:
                self.current = max(self.current, self.stop_at)
                self.parked.set()
                await asyncio.Event().wait()  # until the test cancels the sleeper
            self.current = max(self.current, when)
            await asyncio.sleep(0)
            return
        if when <= self.current:
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((when, woken))
        async with self._changed:
            self._changed.notify_all()
        try:
            await woken
        finally:
            self._sleepers = [(w, f) for w, f in self._sleepers if f is not woken]

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, waking every sleeper it reaches."""
        self.set(self.current + dt.timedelta(seconds=seconds))

    def set(self, moment: dt.datetime) -> None:
        """Move time to `moment` (never backwards), waking every sleeper it reaches."""
        self.current = max(self.current, moment)
        for when, woken in self._sleepers:
            if when <= self.current and not woken.done():
                woken.set_result(None)

    @property
    def sleeping(self) -> int:
        """How many tasks are waiting on this clock right now."""
        return sum(1 for _, woken in self._sleepers if not woken.done())

    async def wait_for_sleepers(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until `count` tasks sleep on this clock (so advancing it wakes them)."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self.sleeping >= count)


async def run_until(clock: ManualClock, job: Awaitable[None], until: dt.datetime) -> None:
    """Run `job` (a coroutine, e.g. a scheduler's run()) on `clock` until it waits past `until`."""
    clock.stop_at = until
    clock.parked.clear()
    task = asyncio.ensure_future(job)
    parked = asyncio.ensure_future(clock.parked.wait())
    await asyncio.wait([task, parked], return_when=asyncio.FIRST_COMPLETED)
    parked.cancel()
    if task.done():
        task.result()  # raises what the job raised
        raise AssertionError("the job returned instead of waiting for the next day")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
