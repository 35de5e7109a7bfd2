"""How often the bot posts in a channel for one member: one public reply of a kind per cooldown.

A member pressing a topic button eight times, or mentioning the bot ten times in a row,
would otherwise fill the channel. Kinds are paced apart (an answer, then a topic button
under it, is what the buttons are for), and private replies (only the member sees them)
are not paced. Kept in each process's memory: with several replicas a member may get one
more reply per replica within a cooldown.
"""

from __future__ import annotations

import datetime as dt

from bot.clock import Clock

# Members remembered before the ones whose cooldown is over are forgotten.
_REMEMBERED = 1000
# The kinds of public reply: an answer to a question; a topic, the topics or the insight.
ANSWER = "answer"
SHOWN = "shown"


class Pace:
    """At most one public reply per member every `seconds` (0: no limit), on `clock`."""

    def __init__(self, clock: Clock, seconds: float) -> None:
        self._clock = clock
        self._cooldown = dt.timedelta(seconds=max(0.0, seconds))
        self._last: dict[tuple[str, str], dt.datetime] = {}

    def wait(self, member: str, kind: str) -> float:
        """0 when a public reply of `kind` may go for `member` now (it is counted), else the
        seconds to wait."""
        if not self._cooldown:
            return 0.0
        now = self._clock.now()
        key = (member, kind)
        last = self._last.get(key)
        if last is not None and now - last < self._cooldown:
            return (last + self._cooldown - now).total_seconds()
        if len(self._last) >= _REMEMBERED:
            self._last = {m: t for m, t in self._last.items() if now - t < self._cooldown}
        self._last[key] = now
        return 0.0

    def release(self, member: str, kind: str) -> None:
        """Forget the reply just counted for `member`: it could not be sent."""
        self._last.pop((member, kind), None)
