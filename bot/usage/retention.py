"""Forgetting the questions' text once STATS_RETENTION_DAYS have passed, while `serve` runs."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.store.errors import StoreUnavailableError

if TYPE_CHECKING:
    from bot.store.lane import AsyncStore

log = logging.getLogger(__name__)

# Text is cleared within this much of its retention running out.
SWEEP_EVERY = dt.timedelta(hours=1)


class QuestionRetention:
    """A `townhall serve` service: clears question text older than the retention, hourly."""

    name = "question-retention"

    def __init__(
        self,
        store: AsyncStore,
        clock: Clock,
        retention: dt.timedelta,
        every: dt.timedelta = SWEEP_EVERY,
    ) -> None:
        self._store = store
        self._clock = clock
        self.retention = retention
        self.every = every
        self.last_sweep: dt.datetime | None = None

    async def sweep(self) -> int:
        """Clear the text of every question asked before the retention; how many."""
        now = self._clock.now()
        cleared = await self._store.usage.forget_questions(now - self.retention)
        self.last_sweep = now
        if cleared:
            log.info("question text past its retention deleted", extra={"questions": cleared})
        return cleared

    async def run(self) -> None:
        """Sweep at start and then every `every`, until cancelled."""
        while True:
            try:
                await self.sweep()
            except StoreUnavailableError as error:
                log.warning("could not delete old question text: %s", error)
            await self._clock.sleep(self.every.total_seconds())

    def health(self) -> dict[str, object]:
        """When the text was last swept."""
        return {"last_sweep": self.last_sweep.isoformat() if self.last_sweep else None}
