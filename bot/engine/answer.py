"""The platform-neutral answer that every renderer turns into a message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.knowledge import Section


class Verdict(StrEnum):
    """How sure the engine is that the talk answers the question."""

    # The talk answers this; the first hit's excerpt is the answer.
    ANSWER = "answer"
    # The talk may not answer exactly this; the hits are the nearest topics.
    CLOSEST = "closest"
    # Nothing in the talk relates; the hits, if any, are the nearest topics all the same.
    NONE = "none"


@dataclass(frozen=True)
class Hit:
    """One section offered for a question, with the excerpt to show from it."""

    section: Section
    score: float
    excerpt: str

    @property
    def talk(self) -> str:
        """The talk the section belongs to."""
        return self.section.talk

    @property
    def number(self) -> int:
        """The section's number (0 is the introduction)."""
        return self.section.number

    @property
    def title(self) -> str:
        """The section's title, in the answer's language."""
        return self.section.title

    @property
    def url(self) -> str:
        """The video link for the section."""
        return self.section.url

    @property
    def lang(self) -> str:
        """The language of the section and its excerpt."""
        return self.section.lang


@dataclass(frozen=True)
class Answer:
    """The engine's verdict on one question and the sections it offers, best first."""

    question: str
    lang: str
    verdict: Verdict
    hits: tuple[Hit, ...]

    @property
    def best(self) -> Hit | None:
        """The section offered first (the answer, when the verdict is ANSWER), if any."""
        return self.hits[0] if self.hits else None

    @property
    def related(self) -> tuple[Hit, ...]:
        """The sections offered after the first."""
        return self.hits[1:]

    @property
    def confident(self) -> bool:
        """Whether the talk answers the question (verdict ANSWER)."""
        return self.verdict is Verdict.ANSWER

    @property
    def rateable(self) -> bool:
        """Whether members may rate this reply (👍 / 👎): it answers or offers the closest."""
        return self.verdict is not Verdict.NONE and self.best is not None
