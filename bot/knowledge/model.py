"""The knowledge as values: documents, their sections and the passages inside them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

INTRODUCTION = 0


@dataclass(frozen=True)
class Passage:
    """One paragraph of a section, the unit the index ranks."""

    section: int
    index: int
    text: str
    heading: str | None = None


@dataclass(frozen=True)
class Section:
    """A numbered part of a talk summary (0 is the introduction, the last may be a closing)."""

    talk: str
    lang: str
    number: int
    title: str
    headings: tuple[str, ...]
    passages: tuple[Passage, ...]
    video_url: str
    timestamp: int | None = None
    pinned_insight: str | None = None
    line: int = 0  # the heading's line in its file, for error messages

    @property
    def url(self) -> str:
        """The video link, at this section's second when a timestamp is known."""
        return video_link(self.video_url, self.timestamp)

    @property
    def text(self) -> str:
        """The section's body as paragraphs separated by blank lines."""
        return "\n\n".join(p.text for p in self.passages)

    @property
    def numbered_title(self) -> str:
        """ "N. title", as every list, button and picker shows a topic."""
        return f"{self.number}. {self.title}"

    @property
    def is_topic(self) -> bool:
        """Whether members can pick this section as a topic (all but the introduction)."""
        return self.number != INTRODUCTION


@dataclass(frozen=True)
class Document:
    """One language version of one talk summary, as loaded from a markdown file."""

    talk: str
    lang: str
    title: str
    date: str
    video_url: str
    source: str
    path: Path
    sections: tuple[Section, ...]

    def section(self, number: int) -> Section | None:
        """The section with this number, if the document has one."""
        for section in self.sections:
            if section.number == number:
                return section
        return None


@dataclass(frozen=True)
class Knowledge:
    """Every loaded document, in a stable order (by talk, then language)."""

    documents: tuple[Document, ...]

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the documents are in, sorted."""
        return tuple(sorted({d.lang for d in self.documents}))

    def sections(self, lang: str) -> tuple[Section, ...]:
        """All sections of all talks in one language."""
        return tuple(s for d in self.documents if d.lang == lang for s in d.sections)

    def section(self, talk: str, number: int, lang: str) -> Section | None:
        """One section of one talk in one language."""
        document = self.document(talk, lang)
        return document.section(number) if document else None

    @property
    def talks(self) -> tuple[str, ...]:
        """The talk ids, each once, in load order."""
        return tuple(dict.fromkeys(d.talk for d in self.documents))

    @property
    def default_talk(self) -> str:
        """The talk a bare topic number refers to: the first one loaded ("" when empty)."""
        return self.documents[0].talk if self.documents else ""

    def language(self, lang: str) -> str:
        """`lang` if the knowledge has it, else its first language."""
        return lang if lang in self.languages or not self.documents else self.languages[0]

    def document(self, talk: str, lang: str) -> Document | None:
        """The language version `lang` of `talk`, if loaded."""
        return next((d for d in self.documents if d.talk == talk and d.lang == lang), None)

    def document_title(self, talk: str, lang: str) -> str:
        """The title of `talk` in `lang` (the talk id when that version is missing)."""
        document = self.document(talk, lang)
        return document.title if document else talk

    def topics(self, lang: str) -> tuple[Section, ...]:
        """Every topic (all sections but the introduction) in `lang`, or the first language."""
        return tuple(s for s in self.sections(self.language(lang)) if s.is_topic)


def video_link(video_url: str, timestamp: int | None) -> str:
    """A video URL that starts at `timestamp` seconds when one is given."""
    if timestamp is None:
        return video_url
    joiner = "&" if "?" in video_url else "?"
    return f"{video_url}{joiner}t={timestamp}"
