"""What the daily insight needs from each platform: post, and recognise its own post."""

from __future__ import annotations

from typing import Protocol

from bot.insight.pick import Insight


class PublishError(Exception):
    """A channel could not be posted to; `retry` says whether trying later may help."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class InsightPublisher(Protocol):
    """One platform's way to post an insight to a channel (implemented by each adapter)."""

    platform: str

    async def find_posted(self, channel: str, insight: Insight) -> str | None:
        """The id of a message this bot already posted for `insight.key` in `channel`, if any."""
        ...

    async def post(self, channel: str, insight: Insight) -> str:
        """Post `insight` to `channel` (marked with `insight.key`); return the message id."""
        ...
