"""Slack re-delivers an event when our ack was slow; answer each event id only once.

Listeners ask a `Deliveries` whether an event is new. `RecentEvents` keeps the ids in
memory (one process, lost on restart); a shared store can take its place behind the same
one-method interface.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Protocol

from bot.clock import Clock

# Slack retries after about 1 minute, 5 minutes and 30 minutes; an hour covers all three.
REMEMBER_SECONDS = 3600.0
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
        self, clock: Clock, *, seconds: float = REMEMBER_SECONDS, count: int = REMEMBER_COUNT
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
