"""The answer engine: a question in, the sections that answer it out."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.analysis import Analyzer, detect_language
from bot.analysis.synonyms import wordnet_synonyms
from bot.engine.answer import Answer, Hit, Verdict
from bot.engine.excerpt import best_excerpt
from bot.engine.index import Coverage, RankedSection, SectionIndex
from bot.engine.meaning import Meaning, MeaningIndex
from bot.engine.question import clean_question
from bot.engine.reading import Reader, Reading
from bot.engine.verdict import confirmable, confirmed, decide, margin
from bot.knowledge import Knowledge
from bot.text import sentences

RESULTS = 3

# The language whose version of the talk also answers the Latin words of other questions.
COMPANION = "en"
# How much the companion's ranking of a question's Latin words counts, relative to the
# question's own language, per share of the question those words are.
COMPANION_WEIGHT = 0.5
# How many of the companion's sections join: enough to reorder the first few.
COMPANION_DEPTH = 10
# How the meaning of the question (sentence vectors, bot/engine/meaning.py) joins the
# words' ranking: each section gets MEANING_WEIGHT times the best lexical score, times
# exp((similarity - best similarity) / MEANING_SPREAD). The nearest section by meaning
# counts as much as the best by words; one 0.02 of cosine behind counts a third as much
# (e5's cosines crowd between 0.8 and 0.9). Measured in docs/retrieval.md.
MEANING_WEIGHT = 1.0
MEANING_SPREAD = 0.02
# When the words do not relate to the question at all (verdict none), their ranking is
# weaker evidence and the meaning counts half as much again (measured in docs/retrieval.md).
MEANING_WEIGHT_UNRELATED = 1.5
# The meaning is not asked when it cannot confirm the words (their best passage is too
# thin) and would rarely reorder them: the best section leads the next by half its own
# score or more. On the 356 questions we tune on it then changed the first section of two
# (one right, one wrong) and cost 15-30 ms each, which set the p50 of everyday questions
# (docs/retrieval.md). A trade: a clear lead of the words that is wrong stays first.
MEANING_CLEAR_LEAD = 0.5

_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-']*")


class AnswerEngine:
    """Ranks Town Hall sections for questions in any language the knowledge has."""

    def __init__(
        self, knowledge: Knowledge, analyzers: Mapping[str, Analyzer], meaning: Meaning
    ) -> None:
        self.knowledge = knowledge
        missing = [lang for lang in knowledge.languages if lang not in analyzers]
        if missing:
            raise ValueError(f"no analyzer for language(s): {', '.join(missing)}")
        self.default_lang = "ko" if "ko" in knowledge.languages else knowledge.languages[0]
        self._indexes = {
            lang: SectionIndex(knowledge.sections(lang), analyzers[lang])
            for lang in knowledge.languages
        }
        self._readers = {
            lang: Reader.for_index(index, synonyms=wordnet_synonyms() if lang == "en" else None)
            for lang, index in self._indexes.items()
        }
        self.meaning = MeaningIndex(knowledge, meaning)

    def ask(self, question: str, lang: str | None = None) -> Answer:
        """Answer `question`; `lang` is used only when the question has no letters."""
        cleaned = clean_question(question)
        detected = detect_language(cleaned.words, fallback=lang) or self.default_lang
        answer_lang = detected if detected in self._indexes else self.default_lang
        index = self._indexes[answer_lang]
        reading = self._readers[answer_lang].read(cleaned.words)
        also = self._companion(reading, index) if answer_lang != COMPANION else None
        lexical = self._ranked(index, reading, also)
        verdict = decide(lexical)
        if verdict is Verdict.CLOSEST:
            # A story before the question may drown it. Only ever raised: lowering an
            # answer whose last sentence the section does not relate to cost five right
            # answers on our sets and caught no off-topic question (docs/retrieval.md).
            last = self._last_sentence(lexical, cleaned.words, answer_lang)
            verdict = Verdict.ANSWER if last is Verdict.ANSWER else verdict
        ranked = lexical
        ask_meaning = _meaning_may_help(lexical, verdict)
        similarities = self.meaning.similarities(cleaned.words) if ask_meaning else {}
        if similarities:
            weight = MEANING_WEIGHT_UNRELATED if verdict is Verdict.NONE else MEANING_WEIGHT
            ranked = self._ranked(index, reading, also, _scaled(similarities, lexical, weight))
            nearest, lead = _nearest(similarities)
            agree = ranked[0].section.number == lexical[0].section.number
            if verdict is Verdict.CLOSEST and agree and confirmed(lexical[0], nearest, lead):
                verdict = Verdict.ANSWER
        own = any(index.has(t) for t in reading.own_terms) or any(r.whole.matched for r in lexical)
        if verdict is Verdict.NONE and not own:
            # Only words related to the question's matched: nothing to offer as nearest.
            ranked = []
        weights = index.keyword_weights(reading.query.keywords)

        def weigh(sentence: str) -> float:
            return sum(weights.get(k, 0.0) for k in index.sentence_keywords(sentence))

        hits = tuple(
            Hit(section=r.section, score=round(r.score, 4), excerpt=best_excerpt(r.section, weigh))
            for r in ranked[:RESULTS]
        )
        return Answer(cleaned.raw, answer_lang, verdict, hits)

    def _last_sentence(self, ranked: list[RankedSection], words: str, lang: str) -> Verdict | None:
        """The verdict on the last sentence of a longer question, asked alone (None: no such).

        "ngl I just auto-approve every command my coding agent runs now. is that the
        failure mode he was worried about?": the sentences before the question tell the
        member's story, in words the talk has no reason to use. The last sentence is
        judged against the section the whole question ranked first, with the whole
        question's lead.
        """
        parts = sentences(words)
        if not ranked or len(parts) < 2:
            return None
        query = self._readers[lang].read(parts[-1]).query
        if not query.keywords:
            return None
        found = self._indexes[lang].coverage(ranked[0].section.number, query)
        if found is None:
            return None
        last = replace(ranked[0], passage=found.passage, whole=found.whole, title=found.title)
        return decide([last, *ranked[1:]])

    def _companion(self, reading: Reading, index: SectionIndex) -> _Companion | None:
        """The companion's evidence for the question's Latin words, if it has any.

        "open-ended task는 agent가 왜 어려워?": the English version ranks the Latin words
        against the whole English text, which the Korean version says in Hangul. The two
        versions share section numbers, so the companion's scores join by number, scaled
        to the best score of the question's own ranking and weighed by the share of the
        question the Latin words are.
        """
        companion = self._indexes.get(COMPANION)
        latin = " ".join(_LATIN_RUN.findall(reading.text))
        if companion is None or not latin:
            return None
        other = companion.rank(self._readers[COMPANION].read(latin).query, COMPANION_DEPTH)
        if not other:
            return None
        latin_keywords = set(companion.analyzer.keywords(latin))
        weights = index.keyword_weights(reading.query.keywords)
        share = sum(w for k, w in weights.items() if k in latin_keywords) / (
            sum(weights.values()) or 1.0
        )
        own = index.rank(reading.query, 1)
        scale = COMPANION_WEIGHT * share * (own[0].score if own else other[0].score)
        return _Companion(
            scores={r.section.number: scale * r.score / other[0].score for r in other},
            evidence={r.section.number: r for r in other},
            share=share,
        )

    def _ranked(
        self,
        index: SectionIndex,
        reading: Reading,
        companion: _Companion | None,
        meaning: Mapping[int, float] | None = None,
    ) -> list[RankedSection]:
        """The sections ranked by the question's words, the companion's and its meaning."""
        also = dict(companion.scores) if companion else {}
        for number, score in (meaning or {}).items():
            also[number] = also.get(number, 0.0) + score
        ranked = index.rank(reading.query, RESULTS, also=also)
        if companion is None:
            return ranked
        return [
            _with_evidence(r, companion.evidence.get(r.section.number), companion.share)
            for r in ranked
        ]


@dataclass(frozen=True)
class _Companion:
    """The companion's ranking of a question's Latin words, joined by section number."""

    scores: Mapping[int, float]
    evidence: Mapping[int, RankedSection]
    share: float


def _meaning_may_help(lexical: list[RankedSection], verdict: Verdict) -> bool:
    """Whether the question's meaning (15-30 ms) is worth asking: it may change the answer."""
    # When the words answer, they are right 98-100% of the time on our sets, and the
    # meaning moved two of them off the right section.
    if not lexical or verdict is Verdict.ANSWER:
        return False
    return confirmable(lexical[0]) or margin(lexical) < MEANING_CLEAR_LEAD


def _scaled(
    similarities: Mapping[int, float], lexical: list[RankedSection], weight: float
) -> dict[int, float]:
    """Each section's score for the question's meaning, `weight` times the scale of `lexical`."""
    nearest = max(similarities.values())
    scale = weight * lexical[0].score
    return {
        number: scale * math.exp((similarity - nearest) / MEANING_SPREAD)
        for number, similarity in similarities.items()
    }


def _nearest(similarities: Mapping[int, float]) -> tuple[int, float]:
    """The section nearest in meaning, and its lead in cosine over the next one."""
    first, *rest = sorted(similarities.items(), key=lambda item: (-item[1], item[0]))
    return first[0], first[1] - (rest[0][1] if rest else -1.0)


def _with_evidence(
    ranked: RankedSection, companion: RankedSection | None, share: float
) -> RankedSection:
    """A section's coverage, or its companion's for the Latin words, whichever is more.

    The companion's coverage is of the Latin words only, so it counts for the share of
    the question they are: "litter box 청소는?" is half covered by "litter box".
    """
    if companion is None:
        return ranked
    return replace(
        ranked,
        passage=_more(ranked.passage, companion.passage, share),
        whole=_more(ranked.whole, companion.whole, share),
    )


def _more(own: Coverage, latin: Coverage, share: float) -> Coverage:
    return Coverage(max(own.share, share * latin.share), max(own.matched, latin.matched))


def analyzers_for(korean: str) -> dict[str, Analyzer]:
    """The analyzer of each language, with the Korean one chosen by name."""
    from bot.analysis import EnglishAnalyzer, KiwiKoreanAnalyzer, MecabKoreanAnalyzer  # noqa: PLC0415

    choices: dict[str, type[MecabKoreanAnalyzer] | type[KiwiKoreanAnalyzer]] = {
        MecabKoreanAnalyzer.name: MecabKoreanAnalyzer,
        KiwiKoreanAnalyzer.name: KiwiKoreanAnalyzer,
    }
    if korean not in choices:
        raise ValueError(f"unknown Korean analyzer {korean!r} ({', '.join(choices)})")
    return {"ko": choices[korean](), "en": EnglishAnalyzer()}
