"""The one clock: wall time, the local date, and sleeping, so tests drive time by hand.

Everything that reads the time or waits (the daily schedule, /insight, the CLI's insight
command, Slack's event memory and retries, Discord's login wait, the shutdown grace
period) takes a Clock. `SystemClock` is the real one; the tests' ManualClock
(tests/fakes/clock.py) moves only when a test says so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from abc import ABC, abstractmethod

# Wake at least this often while sleeping until a wall-clock time, so a jump of the wall
# clock (suspend, NTP step) is noticed: asyncio sleeps on the monotonic clock.
_MAX_NAP = 60.0


class Clock(ABC):
    """The current time, the date somewhere, and ways to wait."""

    @abstractmethod
    def now(self) -> dt.datetime:
        """The current time, timezone-aware (UTC)."""

    @abstractmethod
    async def sleep(self, seconds: float) -> None:
        """Return after `seconds` have passed (at once for zero or less)."""

    @abstractmethod
    async def sleep_until(self, when: dt.datetime) -> None:
        """Return once `now()` has reached `when` (at once if it already has)."""

    def today(self, zone: dt.tzinfo) -> dt.date:
        """The date it is now in `zone` (the community's INSIGHT_TIMEZONE)."""
        return self.now().astimezone(zone).date()


class SystemClock(Clock):
    """The real clock."""

    def now(self) -> dt.datetime:
        """The current time in UTC."""
        return dt.datetime.now(dt.UTC)

    async def sleep(self, seconds: float) -> None:
        """asyncio's sleep."""
        await asyncio.sleep(max(0.0, seconds))

    async def sleep_until(self, when: dt.datetime) -> None:
        """Sleep in naps of at most a minute until the wall clock reaches `when`."""
        while (left := (when - self.now()).total_seconds()) > 0:
            await asyncio.sleep(min(left, _MAX_NAP))
