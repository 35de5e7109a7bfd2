"""A channel that gets the daily insight in a language."""

from __future__ import annotations

from dataclasses import dataclass

from bot.channel import Channel


@dataclass(frozen=True)
class InsightChannel:
    """A channel that gets the daily insight, and the language it gets it in."""

    channel: Channel
    lang: str = "ko"
