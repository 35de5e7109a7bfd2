"""What the daily insight needs from each platform: post, and recognise its own post."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bot.insight.pick import Insight


class PublishError(Exception):
    """A channel could not be posted to; `retry` says whether trying later may help."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class InsightMark:
    """What an earlier insight post says about the rotation: its day and its number."""

    day: dt.date
    number: int

    @property
    def rotation_start(self) -> dt.date:
        """The rotation's first day (insight #1) this post counts from."""
        return self.day - dt.timedelta(days=self.number - 1)


class InsightPublisher(Protocol):
    """One platform's way to post an insight to a channel (implemented by each adapter)."""

    platform: str

    async def find_posted(self, channel: str, insight: Insight) -> str | None:
        """The id of a message this bot already posted for `insight.key` in `channel`, if any."""
        ...

    async def post(self, channel: str, insight: Insight) -> str:
        """Post `insight` to `channel` (marked with `insight.key`); return the message id."""
        ...

    async def latest_mark(self, channel: str) -> InsightMark | None:
        """The day and number of this bot's newest insight post in `channel`'s recent history."""
        ...
