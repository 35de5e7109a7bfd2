"""Time for the scheduler: a protocol, so tests drive time instead of sleeping through it."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Protocol

# Wake at least this often while sleeping, so a wall-clock jump (suspend, NTP step) is
# noticed: asyncio sleeps on the monotonic clock, the schedule is in wall-clock time.
_MAX_NAP = 60.0


class Clock(Protocol):
    """The current time, and a way to wait for a later one."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    async def sleep_until(self, when: dt.datetime) -> None:
        """Return once `now()` has reached `when` (at once if it already has)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        """The current time in UTC."""
        return dt.datetime.now(dt.UTC)

    async def sleep_until(self, when: dt.datetime) -> None:
        """Sleep in naps of at most a minute until the wall clock reaches `when`."""
        while (left := (when - self.now()).total_seconds()) > 0:
            await asyncio.sleep(min(left, _MAX_NAP))
