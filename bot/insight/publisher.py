"""What the daily insight needs from each platform: post, and recognise its own post."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bot.insight.pick import Insight
from bot.insight.rotation import Topic


class PublishError(Exception):
    """A channel could not be posted to; `retry` says whether trying later may help."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class InsightMark:
    """What an earlier insight post says about the rotation: its day, number and topic."""

    day: dt.date
    number: int
    topic: Topic | None = None

    @classmethod
    def read(cls, key: str, number: int) -> InsightMark:
        """The mark of a post carrying `key` (`Insight.key`: day/talk/section) and `number`.

        Raises ValueError when `key` is not an insight key.
        """
        day, talk, section = key.split("/")
        return cls(dt.date.fromisoformat(day), number, (talk, int(section)))

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
