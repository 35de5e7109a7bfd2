"""A channel on a platform, and one that gets the daily insight in a language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Channel:
    """One channel on one platform ("discord" or "slack"), by the platform's channel id."""

    platform: str
    id: str

    def __str__(self) -> str:
        return f"{self.platform} {self.id}"


@dataclass(frozen=True)
class InsightChannel:
    """A channel that gets the daily insight, and the language it gets it in."""

    channel: Channel
    lang: str = "ko"
