"""A BM25 index over the passages of one language, ranking sections from their passages."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
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
class Coverage:
    """How much of a query's keywords a text has: the idf-weighted share, and how many."""

    share: float
    matched: int


NOTHING = Coverage(0.0, 0)


@dataclass(frozen=True)
class RankedSection:
    """A section's score, and the query's keywords in its best passage, in all of it, and in
    its title (what names the topic)."""

    section: Section
    score: float
    passage: Coverage
    whole: Coverage
    title: Coverage = NOTHING


@dataclass(frozen=True)
class Query:
    """A question analyzed for one index: everything to match, and the keywords alone.

    Each term carries a weight: 1 for the words of the question itself, less for words
    that only stand in for one of them.
    """

    terms: Mapping[str, float]
    keywords: Mapping[str, float]


@dataclass(frozen=True)
class _Posting:
    units: NDArray[np.intp]
    counts: NDArray[np.float64]


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
        # rank-bm25 keeps the corpus statistics (idf with its floor, lengths, average);
        # it is never handed an empty corpus, which it would divide by.
        self.bm25 = BM25Okapi(corpus or [[]], k1=K1, b=B)
        self._postings = _postings(self.bm25.doc_freqs)
        lengths = np.asarray(self.bm25.doc_len, dtype=np.float64)
        self._norm = K1 * (1 - B + B * lengths / max(self.bm25.avgdl, 1e-9))
        position = {id(s): i for i, s in enumerate(self.sections)}
        self._position = {s.number: i for i, s in enumerate(self.sections)}
        self._unit_section = np.array([position[id(u.section)] for u in self.units], dtype=np.intp)
        self._unit_terms = [frozenset(terms) for terms in corpus]
        # A title names its topic; sub-headings are often generic ("Altman's Answer").
        self._title_terms = [frozenset(analyzer.terms(s.title)) for s in self.sections]
        self._sentences: dict[str, frozenset[str]] = {}

    def analyze(self, text: str, weight: float = 1.0) -> Query:
        """The query terms and keywords of `text` under this index's analyzer, all at `weight`."""
        keywords = self.analyzer.keywords(text)
        terms = keywords + self.analyzer.extras(text, keywords)
        return Query(dict.fromkeys(terms, weight), dict.fromkeys(keywords, weight))

    def sentence_keywords(self, sentence: str) -> frozenset[str]:
        """The keywords of a sentence of the knowledge, analyzed once and then remembered."""
        # Excerpts weigh the same sentences for many questions; the cache is bounded by
        # the knowledge, since only its sentences are asked for.
        cached = self._sentences.get(sentence)
        if cached is None:
            cached = self._sentences[sentence] = frozenset(self.analyzer.keywords(sentence))
        return cached

    def has(self, term: str) -> bool:
        """Whether any unit of the index has `term`."""
        return term in self._postings

    def keyword_weight(self, term: str) -> float:
        """A keyword's weight in coverage and excerpts: a positive inverse document frequency.

        Not rank-bm25's idf (floored for common terms, used in the scores): this one is never
        zero or negative, and highest for terms the index has never seen.
        """
        posting = self._postings.get(term)
        df = 0 if posting is None else len(posting.units)
        return math.log(1 + (len(self.units) - df + 0.5) / (df + 0.5))

    def keyword_weights(self, keywords: Mapping[str, float]) -> dict[str, float]:
        """Each of a query's keywords at its weight in coverage: `keyword_weight` times its own."""
        return {k: self.keyword_weight(k) * w for k, w in keywords.items()}

    def unit_scores(
        self, terms: Sequence[str], weights: Mapping[str, float] | None = None
    ) -> NDArray[np.float64]:
        """BM25Okapi's score of every unit, summed over the distinct query terms.

        The same formula and statistics as `BM25Okapi.get_batch_scores`, computed from
        postings so a question costs what its terms match, not the size of the knowledge;
        `weights` scales each term's part (1 when not given).
        """
        scores = np.zeros(len(self.units))
        for term in dict.fromkeys(terms):
            posting = self._postings.get(term)
            if posting is None:
                continue
            counts, norm = posting.counts, self._norm[posting.units]
            bm25_idf = self.bm25.idf.get(term, 0.0) * (weights[term] if weights else 1.0)
            scores[posting.units] += bm25_idf * counts * (K1 + 1) / (counts + norm)
        return scores

    def rank(
        self, query: Query, limit: int | None = None, also: Mapping[int, float] | None = None
    ) -> list[RankedSection]:
        """Sections that share a term with the query, best first (the first `limit` of them).

        `also` adds another signal's score to sections, by section number (the seam where
        a second ranking joins); a section it scores is ranked even with no term matched.
        """
        scores = self.unit_scores(list(query.terms), query.terms)
        matched = scores != 0
        sections = self._unit_section
        count = len(self.sections)
        best = np.zeros(count)
        np.maximum.at(best, sections[matched], scores[matched])
        total = np.bincount(sections, weights=scores, minlength=count)
        present = np.bincount(sections[matched], minlength=count) > 0
        section_scores = best + SPREAD * (total - best)
        for number, extra in (also or {}).items():
            i = self._position.get(number)
            if i is not None and extra > 0:
                section_scores[i] += extra
                present[i] = True
        order = sorted(np.flatnonzero(present), key=lambda i: (-section_scores[i], i))
        return [
            self._ranked(int(i), float(section_scores[i]), scores, query) for i in order[:limit]
        ]

    def coverage(self, number: int, query: Query) -> RankedSection | None:
        """How much of `query` section `number`'s best passage, whole and title have."""
        position = self._position.get(number)
        if position is None:
            return None
        scores = self.unit_scores(list(query.terms), query.terms)
        return self._ranked(position, 0.0, scores, query)

    def _ranked(
        self, position: int, score: float, unit_scores: NDArray[np.float64], query: Query
    ) -> RankedSection:
        keywords = list(query.keywords)
        weights = self.keyword_weights(query.keywords)
        total = sum(weights.values()) or 1.0

        def coverage(terms: frozenset[str]) -> Coverage:
            # Only the question's own words count: a related word that stands in for one
            # helps the ranking, but is no evidence that the talk answers the question.
            covered = [k for k in keywords if k in terms]
            return Coverage(sum(weights[k] for k in covered) / total, len(covered))

        units = np.flatnonzero((self._unit_section == position) & (unit_scores != 0))
        # The best passage is judged on its own: an off-topic question may share a word
        # with one passage and another word with a second one, but rarely both with one.
        passage = max((coverage(self._unit_terms[u]) for u in units), key=_order, default=NOTHING)
        whole = coverage(frozenset().union(*(self._unit_terms[u] for u in units)))
        title = coverage(self._title_terms[position])
        return RankedSection(self.sections[position], score, passage, whole, title)


def _order(coverage: Coverage) -> tuple[float, int]:
    return coverage.share, coverage.matched


def _postings(doc_freqs: Sequence[dict[str, int]]) -> dict[str, _Posting]:
    units: dict[str, list[int]] = {}
    counts: dict[str, list[int]] = {}
    for i, frequencies in enumerate(doc_freqs):
        for term, count in frequencies.items():
            units.setdefault(term, []).append(i)
            counts.setdefault(term, []).append(count)
    return {
        term: _Posting(np.array(units[term], dtype=np.intp), np.array(counts[term], dtype=float))
        for term in units
    }
