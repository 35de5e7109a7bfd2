"""The platform-neutral answer that every renderer turns into a message."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import Section


@dataclass(frozen=True)
class Hit:
    """One section that answers a question, with the excerpt to show."""

    talk: str
    section: int
    title: str
    score: float
    excerpt: str
    url: str
    lang: str


@dataclass(frozen=True)
class Answer:
    """The ranked sections for one question; no hits means nothing relevant.

    When nothing is relevant, `suggestions` holds a few topics to try instead.
    """

    question: str
    lang: str
    hits: tuple[Hit, ...]
    suggestions: tuple[Section, ...] = ()

    @property
    def best(self) -> Hit | None:
        """The section that answers the question, or None when nothing is relevant."""
        return self.hits[0] if self.hits else None

    @property
    def related(self) -> tuple[Hit, ...]:
        """The next best sections, to suggest after the answer."""
        return self.hits[1:]
