"""Which section a date gets (a stable rotation) and the passage that carries its point."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date

from bot.engine.excerpt import sentences, shorten
from bot.knowledge import Knowledge, Section
from bot.knowledge.model import INTRODUCTION

INSIGHT_CHARS = 400
# Day 1 of the rotation; any fixed date works, it only has to never change.
EPOCH = date(2026, 1, 28)


@dataclass(frozen=True)
class Insight:
    """One day's insight: a section, its key passage and link, in one language."""

    number: int
    day: date
    talk: str
    section: int
    title: str
    passage: str
    url: str
    lang: str

    @property
    def key(self) -> str:
        """Names this day's insight on every platform, to recognise a post already made."""
        return f"{self.day.isoformat()}/{self.talk}/{self.section}"


def rotation(knowledge: Knowledge, cycle: int) -> list[tuple[str, int]]:
    """The order of (talk, section) for one cycle: every topic once, shuffled by cycle."""
    lang = knowledge.languages[0]
    topics = [(s.talk, s.number) for s in knowledge.sections(lang) if s.number != INTRODUCTION]
    # Seeded from the cycle and the topics so the order is the same in every process and
    # on every platform, and changes when the knowledge does.
    seed = hashlib.sha256(f"{cycle}:{topics}".encode()).hexdigest()
    random.Random(seed).shuffle(topics)
    return topics


def insight_for(knowledge: Knowledge, day: date, lang: str, epoch: date = EPOCH) -> Insight:
    """The insight of `day` in `lang` (the first language of the knowledge if it lacks `lang`)."""
    if lang not in knowledge.languages:
        lang = knowledge.languages[0]
    index = (day - epoch).days
    order = rotation(knowledge, index // max(1, len(rotation(knowledge, 0))))
    talk, number = order[index % len(order)]
    section = knowledge.section(talk, number, lang)
    if section is None:  # the loader guarantees every language has the same sections
        raise LookupError(f"section {number} of {talk} has no {lang} version")
    return Insight(
        number=index + 1,
        day=day,
        talk=talk,
        section=number,
        title=section.title,
        passage=insight_passage(section),
        url=section.url,
        lang=lang,
    )


def insight_passage(section: Section, limit: int = INSIGHT_CHARS) -> str:
    """The pinned passage, or the first paragraph under the section's second sub-heading.

    Summaries state the question under the first sub-heading and Altman's answer under the
    next one(s); a section with a single sub-heading opens with its point. The paragraph is
    cut to whole sentences within `limit`.
    """
    if section.pinned_insight:
        return shorten(section.pinned_insight, limit)
    headings = section.headings
    target = headings[1] if len(headings) > 1 else None
    passage = next((p for p in section.passages if p.heading == target), section.passages[0])
    kept: list[str] = []
    for sentence in sentences(passage.text):
        if len(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    return " ".join(kept) if kept else shorten(passage.text, limit)
