"""Slack re-delivers an event when our ack was slow; remember the ones already answered."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

# Slack retries after about 1 minute, 5 minutes and 30 minutes; an hour covers all three.
REMEMBER_SECONDS = 3600.0
# Far more events than one workspace sends in an hour; bounds the memory either way.
REMEMBER_COUNT = 10_000


class RecentEvents:
    """The event ids seen lately, so a re-delivered event is answered only once (per process)."""

    def __init__(
        self,
        *,
        seconds: float = REMEMBER_SECONDS,
        count: int = REMEMBER_COUNT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.count = count
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        """True the first time `event_id` is seen (recently); False for a re-delivery."""
        now = self.clock()
        while self._seen:
            oldest, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self.seconds and len(self._seen) < self.count:
                break
            del self._seen[oldest]
        if event_id in self._seen:
            return False
        # No await between the check and the insert: a concurrent re-delivery sees it.
        self._seen[event_id] = now
        return True
