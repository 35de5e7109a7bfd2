"""The usage records' upkeep while `serve` runs: old question text deleted, records finished.

Question text is cleared once STATS_RETENTION_DAYS have passed, also when recording is
off (text kept before it was turned off is cleared on time), and all of it once
STATS_KEEP_QUESTIONS is off; when `serve` stops, the records still being written are
finished before the store closes.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.store.errors import StoreUnavailableError

if TYPE_CHECKING:
    from bot.store import AsyncStore
    from bot.usage.recorder import UsageRecorder

log = logging.getLogger(__name__)

# Text is cleared within this much of its retention running out.
SWEEP_EVERY = dt.timedelta(hours=1)


class QuestionRetention:
    """A `townhall serve` service: clears question text older than the retention (all of it
    when questions are not kept), at start and hourly, and on the way out waits for the
    records being written.
    """

    name = "usage"

    def __init__(
        self,
        store: AsyncStore,
        clock: Clock,
        retention: dt.timedelta,
        *,
        keep_questions: bool,
        recorder: UsageRecorder | None = None,
        every: dt.timedelta = SWEEP_EVERY,
    ) -> None:
        self._store = store
        self._recorder = recorder
        self._clock = clock
        self.retention = retention
        self.keep_questions = keep_questions
        self.every = every
        self.last_sweep: dt.datetime | None = None

    async def sweep(self) -> int:
        """Clear the text of every question asked before the retention (every one when
        questions are not kept); how many."""
        now = self._clock.now()
        # Turning keeping off withdraws the consent to hold text at all, not only new text.
        before = now - self.retention if self.keep_questions else None
        cleared = await self._store.usage.forget_questions(before)
        self.last_sweep = now
        if cleared and self.keep_questions:
            log.info("question text past its retention deleted", extra={"questions": cleared})
        elif cleared:
            log.info(
                "question text deleted: questions are no longer kept", extra={"questions": cleared}
            )
        return cleared

    async def run(self) -> None:
        """Sweep at start, then every `every`; when cancelled, finish the records being written."""
        try:
            while True:
                try:
                    await self.sweep()
                except StoreUnavailableError as error:
                    log.warning("could not delete old question text: %s", error)
                await self._clock.sleep(self.every.total_seconds())
        finally:
            if self._recorder is not None:
                await self._recorder.settle()

    async def stop_accepting(self) -> None:
        """Nothing to stop taking: the upkeep handles no member's events."""

    def health(self) -> dict[str, object]:
        """When the text was last swept."""
        return {"last_sweep": self.last_sweep.isoformat() if self.last_sweep else None}
