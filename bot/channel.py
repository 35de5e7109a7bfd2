"""A channel on a platform: the one name the store, the insight and the CLI share for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Channel:
    """One channel on one platform ("discord" or "slack"), by the platform's channel id."""

    platform: str
    id: str

    def __str__(self) -> str:
        return f"{self.platform} {self.id}"
