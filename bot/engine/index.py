"""A BM25 index over the passages of one language, ranking sections from their passages."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from bot.analysis import Analyzer
from bot.knowledge import Passage, Section

# Okapi's usual k1; passages are short and even, so length normalisation is kept moderate.
K1 = 1.2
B = 0.5
# A section is as good as its best passage, plus a little for every other passage that
# also matches: a topic discussed throughout beats one passing mention.
SPREAD = 0.25


@dataclass(frozen=True)
class Unit:
    """One indexed text: a passage of a section, or the section's title and sub-headings."""

    section: Section
    passage: Passage | None

    @property
    def text(self) -> str:
        """The text the analyzer reads for this unit."""
        if self.passage is None:
            return " ".join((self.section.title, *self.section.headings))
        # The title gives every passage its topic, as a reader would have it in mind.
        return f"{self.section.title}\n{self.passage.text}"


@dataclass(frozen=True)
class RankedSection:
    """A section's score, and how much of the query's keywords its best-covering unit has."""

    section: Section
    score: float
    coverage: float
    matched: int


@dataclass(frozen=True)
class Query:
    """A question analyzed for one index: everything to match, and the keywords alone."""

    terms: tuple[str, ...]
    keywords: tuple[str, ...]


class SectionIndex:
    """BM25 over the passages and titles of one language's sections."""

    def __init__(self, sections: Sequence[Section], analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.sections = tuple(sections)
        self.units = tuple(
            unit
            for section in self.sections
            for unit in (Unit(section, None), *(Unit(section, p) for p in section.passages))
        )
        corpus = [analyzer.terms(unit.text) for unit in self.units]
        # rank-bm25 divides by the corpus size, so it is never handed an empty corpus.
        self._bm25 = BM25Okapi(corpus or [[]], k1=K1, b=B)
        self._postings: dict[str, list[int]] = {}
        for i, terms in enumerate(corpus):
            for term in set(terms):
                self._postings.setdefault(term, []).append(i)
        self._unit_terms = [frozenset(terms) for terms in corpus]

    def analyze(self, text: str) -> Query:
        """The query terms and keywords of `text` under this index's analyzer."""
        return Query(tuple(self.analyzer.terms(text)), tuple(self.analyzer.keywords(text)))

    def idf(self, term: str) -> float:
        """A positive inverse document frequency; highest for terms the index has never seen."""
        df = len(self._postings.get(term, ()))
        return math.log(1 + (len(self.units) - df + 0.5) / (df + 0.5))

    def rank(self, query: Query) -> list[RankedSection]:
        """Sections that share a term with the query, best first."""
        terms = list(dict.fromkeys(query.terms))
        candidates = sorted({i for t in terms for i in self._postings.get(t, ())})
        if not candidates:
            return []
        scores = self._bm25.get_batch_scores(terms, candidates)
        keywords = list(dict.fromkeys(query.keywords))
        weights = {k: self.idf(k) for k in keywords}
        total = sum(weights.values())
        per_section: dict[tuple[str, int], list[float]] = {}
        # Coverage is judged passage by passage: an off-topic question may share a word
        # with one passage and another word with a second one, but rarely both with one.
        coverage: dict[tuple[str, int], tuple[float, int]] = {}
        for i, score in zip(candidates, scores, strict=True):
            section = self.units[i].section
            key = (section.talk, section.number)
            per_section.setdefault(key, []).append(float(score))
            covered = [k for k in keywords if k in self._unit_terms[i]]
            share = sum(weights[k] for k in covered) / total if total else 0.0
            coverage[key] = max(coverage.get(key, (0.0, 0)), (share, len(covered)))
        ranked = []
        for section in self.sections:
            key = (section.talk, section.number)
            if key in per_section:
                share, matched = coverage[key]
                score = _section_score(per_section[key])
                ranked.append(RankedSection(section, score, share, matched))
        ranked.sort(key=lambda r: (-r.score, r.section.number))
        return ranked


def _section_score(unit_scores: list[float]) -> float:
    top = max(unit_scores)
    return top + SPREAD * (sum(unit_scores) - top)
