"""Slack re-delivers an event when our ack was slow; answer each event id only once.

Listeners ask a `Deliveries` whether an event is new. `RecentEvents` keeps the ids in
memory (one process, lost on restart). `SharedEvents` claims them in the store, so a
re-delivery that lands on another replica, or on this one after a restart, is not
answered again; while the database is unavailable it falls back to the memory.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

from bot.clock import Clock
from bot.store import EVENT_RETRY_WINDOW, StoreUnavailableError

if TYPE_CHECKING:
    from bot.store.lane import AsyncEventClaims

log = logging.getLogger(__name__)

# Far more events than one workspace sends in an hour; bounds the memory either way.
REMEMBER_COUNT = 10_000


class Deliveries(Protocol):
    """Where the bot remembers which Slack events it has taken on."""

    async def first_delivery(self, event_id: str) -> bool:
        """True the first time `event_id` arrives; False for a re-delivery of it."""
        ...


class RecentEvents:
    """The event ids seen lately, in memory, so a re-delivered event is answered once."""

    def __init__(
        self,
        clock: Clock,
        *,
        seconds: float = EVENT_RETRY_WINDOW.total_seconds(),
        count: int = REMEMBER_COUNT,
    ) -> None:
        self.clock = clock
        self.seconds = seconds
        self.count = count
        self._seen: OrderedDict[str, dt.datetime] = OrderedDict()

    async def first_delivery(self, event_id: str) -> bool:
        """True the first time `event_id` is seen (recently); False for a re-delivery."""
        now = self.clock.now()
        while self._seen:
            oldest, seen_at = next(iter(self._seen.items()))
            fresh = (now - seen_at).total_seconds() < self.seconds
            if fresh and len(self._seen) < self.count:
                break
            del self._seen[oldest]
        if event_id in self._seen:
            return False
        # No await between the check and the insert: a concurrent re-delivery sees it.
        self._seen[event_id] = now
        return True


# After the database failed a claim, the next ones use the memory alone for this long:
# a locked database would otherwise hold every answer for its whole bounded wait.
FALLBACK_SECONDS = 15.0
# How often the claims past the retry window are deleted (by whichever replica is due).
PURGE_EVERY = dt.timedelta(minutes=10)


class SharedEvents:
    """Event ids claimed in the shared store, with this process's memory as the fallback."""

    def __init__(self, claims: AsyncEventClaims, clock: Clock, owner: str) -> None:
        self.claims = claims
        self.clock = clock
        self.owner = owner
        self.memory = RecentEvents(clock)
        self._store_after: dt.datetime | None = None  # memory only until then
        self._next_purge = clock.now()
        # The latest purge: it runs beside the answers, never before one.
        self.purging: asyncio.Task[None] | None = None

    async def first_delivery(self, event_id: str) -> bool:
        """True for exactly one replica the first time `event_id` arrives within the window.

        The memory is asked first, so a re-delivery to this process never waits for the
        database, and it keeps answering once per process while the database is gone.
        """
        if not await self.memory.first_delivery(event_id):
            return False
        now = self.clock.now()
        if self._store_after is not None and now < self._store_after:
            return True
        try:
            claimed = await self.claims.claim(event_id, self.owner, now, EVENT_RETRY_WINDOW)
        except StoreUnavailableError as exc:
            if self._store_after is None:
                log.warning(
                    "database unavailable; Slack re-deliveries are recognised by this "
                    "process's memory only",
                    extra={"error": str(exc)},
                )
            self._store_after = now + dt.timedelta(seconds=FALLBACK_SECONDS)
            return True
        if self._store_after is not None:
            log.info("database available again; Slack deliveries are claimed in it")
            self._store_after = None
        if now >= self._next_purge:
            # In the background: a purge that fails or waits on a locked row must neither
            # turn another replica's claim into a second answer nor hold this one back.
            self._next_purge = now + PURGE_EVERY
            self.purging = asyncio.create_task(self._purge(now))
        return claimed

    async def _purge(self, now: dt.datetime) -> None:
        """Delete the claims past their retry window; after a failure, the next turn tries."""
        try:
            await self.claims.purge(now)
        except StoreUnavailableError as exc:
            log.warning("could not purge old Slack event claims", extra={"error": str(exc)})
