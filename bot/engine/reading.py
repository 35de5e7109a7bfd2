"""Reading a member's question in the knowledge's own words, for one language's index.

Members do not write as the summary does. Before a question is ranked, each bridge below
brings its words closer to the knowledge's, and each is derived from the knowledge itself
or from a well-kept library, never written for particular questions:

- misspelled words are put right against the knowledge's words (bot.analysis.spelling);
- Hangul spellings of the knowledge's Latin terms are written as the terms ("코덱스" ->
  "Codex"; bot.analysis.transliteration);
- an English word the knowledge lacks gets the knowledge words WordNet relates it to
  as stand-ins, at half weight and half credit (bot.analysis.synonyms).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.analysis.spelling import Speller
from bot.analysis.synonyms import Synonyms
from bot.analysis.transliteration import LatinTerms, latin_phrases, spell_in_latin
from bot.engine.index import Query, SectionIndex
from bot.knowledge import Section

# A related word counts for half of the word itself in the score, shared among all the
# knowledge words it stands in for; it never counts as covering the question's word.
STAND_IN_WEIGHT = 0.5

_LATIN_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Reading:
    """A question as read for one index: its text in the knowledge's spelling, and its query."""

    text: str
    query: Query
    stand_ins: frozenset[str] = frozenset()

    @property
    def own_terms(self) -> list[str]:
        """The terms of the question's own words, without the stand-ins."""
        return [t for t in self.query.terms if t not in self.stand_ins]


class Reader:
    """Reads questions for one index, with the bridges its language has."""

    def __init__(
        self,
        index: SectionIndex,
        *,
        speller: Speller,
        latin_terms: LatinTerms | None = None,
        synonyms: Synonyms | None = None,
    ) -> None:
        self.index = index
        self._speller = speller
        self._latin_terms = latin_terms
        self._synonyms = synonyms

    @classmethod
    def for_index(cls, index: SectionIndex, synonyms: Synonyms | None = None) -> Reader:
        """A reader with every bridge that applies to the index's language."""
        text = "\n".join(section_texts(index.sections))
        suffixes = getattr(index.analyzer, "suffix_lengths", None)
        return cls(
            index,
            speller=Speller(_LATIN_WORD.findall(text)),
            # Transliteration needs to know a particle when it sees one ("코덱스를").
            latin_terms=LatinTerms(latin_phrases(text)) if suffixes is not None else None,
            synonyms=synonyms,
        )

    def read(self, words: str) -> Reading:
        """The question's text respelled, and its query with stand-ins for missing words."""
        text = self._speller.correct(words)
        suffixes = getattr(self.index.analyzer, "suffix_lengths", None)
        if self._latin_terms is not None and suffixes is not None:
            text = spell_in_latin(text, self._latin_terms, suffixes)
        query = self.index.analyze(text)
        if self._synonyms is None:
            return Reading(text, query)
        stand_ins = self._stand_ins(query, self._synonyms)
        terms = {**stand_ins, **query.terms}
        return Reading(
            text, Query(terms, query.keywords), frozenset(stand_ins.keys() - query.terms.keys())
        )

    def _stand_ins(self, query: Query, synonyms: Synonyms) -> dict[str, float]:
        stand_ins: dict[str, float] = {}
        for keyword, weight in query.keywords.items():
            if self.index.has(keyword):
                continue
            related = [t for t in synonyms.of(keyword) if self.index.has(t)]
            for term in related:
                share = weight * STAND_IN_WEIGHT / len(related)
                stand_ins[term] = max(stand_ins.get(term, 0.0), share)
        return stand_ins


def section_texts(sections: Iterable[Section]) -> Sequence[str]:
    """Every text of the sections: titles, sub-headings and passages."""
    return [
        text
        for section in sections
        for text in (section.title, *section.headings, *(p.text for p in section.passages))
    ]
