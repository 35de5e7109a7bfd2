"""The values the store hands out: plain frozen dataclasses, no database library needed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from bot.channel import Channel

PostStatus = Literal["pending", "posted", "failed"]


@dataclass(frozen=True)
class InsightSlot:
    """One day's insight in one channel: the key of an insight post record."""

    channel: Channel
    day: dt.date


@dataclass(frozen=True)
class InsightPost:
    """The state of one day's insight in one channel."""

    channel: Channel
    day: dt.date
    insight_key: str
    status: PostStatus
    message_id: str | None
    attempts: int
    next_attempt: dt.datetime
    lease_owner: str | None
    lease_until: dt.datetime | None
    last_error: str | None
    updated: dt.datetime

    def leased(self, now: dt.datetime) -> bool:
        """Whether a claimer holds this record at `now`."""
        return self.lease_until is not None and self.lease_until > now


@dataclass(frozen=True)
class Lease:
    """A named lease held by one holder until `expires`; `epoch` grows with every new holding.

    The epoch is a fencing token: work done under a lease can carry it, and anything that
    sees a larger epoch knows the older holder lost the lease in between.
    """

    name: str
    holder: str
    epoch: int
    expires: dt.datetime

    def live(self, now: dt.datetime) -> bool:
        """Whether the lease is still held at `now`."""
        return self.expires > now
