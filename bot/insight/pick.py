"""Which section a date gets (a stable rotation) and the passage that carries its point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.insight.rotation import Deck, Topic, deck_of
from bot.knowledge import Knowledge, Section
from bot.text import sentences, shorten

INSIGHT_CHARS = 400
# A derived passage shorter than this reads like a lead-in; it takes the next paragraph too.
INSIGHT_MIN_CHARS = 160


@dataclass(frozen=True)
class Insight:
    """One day's insight: the topic (in the language it is shown in) and its key passage."""

    number: int
    day: date
    section: Section
    passage: str

    @property
    def lang(self) -> str:
        """The language the insight is shown in."""
        return self.section.lang

    @property
    def key(self) -> str:
        """Names this day's insight on every platform, to recognise a post already made."""
        return f"{self.day.isoformat()}/{self.section.talk}/{self.section.number}"


def topics_of(knowledge: Knowledge) -> tuple[Topic, ...]:
    """The (talk, section) of every topic of the knowledge."""
    return tuple((s.talk, s.number) for s in knowledge.topics(knowledge.languages[0]))


def insight_for(
    knowledge: Knowledge, day: date, lang: str, start: date, deck: Deck | None = None
) -> Insight:
    """The insight of `day` in `lang` (the first language of the knowledge if it lacks `lang`).

    `start` is the rotation's first day (stored in the ledger): it is insight #1, day N after
    it is #N+1. `deck` is the day's deck, as the ledger deals it (none: the rotation deals
    from `start` with the knowledge's topics).
    """
    lang = knowledge.language(lang)
    topic = deck_of(day, start, deck, topics_of(knowledge)).last
    section = None if topic is None else knowledge.section(*topic, lang)
    if section is None:  # the ledger deals only topics of the knowledge it is given
        raise LookupError(f"the insight of {day.isoformat()} is not in the knowledge")
    index = (day - start).days
    return Insight(number=index + 1, day=day, section=section, passage=insight_passage(section))


def insight_passage(section: Section, limit: int = INSIGHT_CHARS) -> str:
    """The pinned passage, or the section's answer in whole sentences.

    Summaries state the question under the first sub-heading and Altman's answer under the
    next one(s); a section with a single sub-heading (or none) opens with its point. So the
    rule is: the first paragraph under the second sub-heading (else the first paragraph),
    continued with the next sentences under the same heading while it is shorter than
    INSIGHT_MIN_CHARS, whole sentences only, never over `limit`. Only a first sentence
    longer than `limit` is cut, at a word, with an ellipsis.
    """
    if section.pinned_insight:
        return whole_sentences([section.pinned_insight], limit)
    headings = section.headings
    target = headings[1] if len(headings) > 1 else None
    first = next((p for p in section.passages if p.heading == target), section.passages[0])
    following = [p.text for p in section.passages[first.index + 1 :] if p.heading == first.heading]
    return whole_sentences([first.text, *following], limit, enough=INSIGHT_MIN_CHARS)


def whole_sentences(paragraphs: list[str], limit: int, enough: int | None = None) -> str:
    """Leading whole sentences within `limit`: all of the first paragraph, then (with
    `enough`) sentences of the next paragraphs only while the text is shorter than `enough`.
    """
    kept: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        for sentence in sentences(paragraph):
            if number > 0 and enough is not None and len(" ".join(kept)) >= enough:
                return " ".join(kept)
            if len(" ".join([*kept, sentence])) > limit:
                return " ".join(kept) if kept else shorten(sentence, limit)
            kept.append(sentence)
    return " ".join(kept)
