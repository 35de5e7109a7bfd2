"""Whether the database can be written now: a service that tries, and says so in /healthz.

Answers never need the database, so an unavailable one does not fail /healthz (an
orchestrator restarting the bot would only stop the answers): the report says which
database, whether it is available, and why not; the logs say when it goes and comes back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from bot.clock import Clock
from bot.store.errors import StoreUnavailableError
from bot.store.lane import AsyncStore

log = logging.getLogger(__name__)

# The named value each check writes (one row, overwritten): a read alone would not notice
# a SQLite file that is locked or read-only, since readers never wait in WAL mode.
PROBE_KEY = "store.last_check"


class StoreWatch:
    """The "database" service of `townhall serve`: checks the store every `every` seconds."""

    name = "database"

    def __init__(self, store: AsyncStore, clock: Clock, every: dt.timedelta) -> None:
        self.store = store
        self.clock = clock
        self.every = every
        self.available: bool | None = None  # unknown until the first check
        self.error: str | None = None

    async def run(self) -> None:
        """Check every `every` seconds until cancelled.

        A check still waiting when the next one is due marks the database unavailable: a
        server that hangs (stopped, or behind a partition) never fails the write.
        """
        while True:
            probe = asyncio.create_task(self.check())
            interval = asyncio.create_task(self.clock.sleep(self.every.total_seconds()))
            try:
                await asyncio.wait({probe, interval}, return_when=asyncio.FIRST_COMPLETED)
                if not probe.done():
                    self._unanswered()
                await probe
                await interval
            finally:
                probe.cancel()
                interval.cancel()

    async def stop_accepting(self) -> None:
        """Nothing to refuse: the checks take no member's request."""

    async def check(self) -> bool:
        """Write the probe value once; whether the database took it (and log any change)."""
        try:
            await self.store.values.set(PROBE_KEY, self.clock.now().isoformat())
        except StoreUnavailableError as exc:
            if self.available is not False:
                log.warning("database unavailable; answers go on", extra={"error": str(exc)})
            self.available, self.error = False, str(exc)
            return False
        if self.available is False:
            log.info("database available again")
        self.available, self.error = True, None
        return True

    def _unanswered(self) -> None:
        """The probe has been waiting a whole interval: the database is unavailable."""
        error = (
            f"TOWNHALL_DB ({self.store.store.shown}): no answer within "
            f"{self.every.total_seconds():g} s"
        )
        if self.available is not False:
            log.warning("database unavailable; answers go on", extra={"error": error})
        self.available, self.error = False, error

    def health(self) -> dict[str, object]:
        """The database shown without a password, and whether it is available."""
        return {
            "backend": self.store.store.backend,
            "target": self.store.store.shown,
            "available": self.available,
            "error": self.error,
        }
