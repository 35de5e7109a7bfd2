"""The answer engine: a question in, the sections that answer it out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from bot.analysis import Analyzer, detect_language
from bot.analysis.synonyms import wordnet_synonyms
from bot.engine.answer import Answer, Hit, Verdict
from bot.engine.excerpt import best_excerpt
from bot.engine.index import Coverage, RankedSection, SectionIndex
from bot.engine.question import clean_question
from bot.engine.reading import Reader, Reading
from bot.engine.verdict import decide
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

_LATIN_RUN = re.compile(r"[A-Za-z][\w.\-']*")


class AnswerEngine:
    """Ranks Town Hall sections for questions in any language the knowledge has."""

    def __init__(self, knowledge: Knowledge, analyzers: Mapping[str, Analyzer]) -> None:
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

    def ask(self, question: str, lang: str | None = None) -> Answer:
        """Answer `question`; `lang` is used only when the question has no letters."""
        cleaned = clean_question(question)
        detected = detect_language(cleaned.words, fallback=lang) or self.default_lang
        answer_lang = detected if detected in self._indexes else self.default_lang
        index = self._indexes[answer_lang]
        reading = self._readers[answer_lang].read(cleaned.words)
        ranked = index.rank(reading.query, RESULTS)
        if answer_lang != COMPANION:
            ranked = self._with_companion(ranked, reading, index)
        verdict = decide(ranked)
        if verdict is Verdict.CLOSEST:
            # A story before the question may drown it. Only ever raised: lowering an
            # answer whose last sentence the section does not relate to cost five right
            # answers on our sets and caught no off-topic question (docs/retrieval.md).
            last = self._last_sentence(ranked, cleaned.words, answer_lang)
            verdict = Verdict.ANSWER if last is Verdict.ANSWER else verdict
        own = any(index.has(t) for t in reading.own_terms) or any(r.whole.matched for r in ranked)
        if verdict is Verdict.NONE and not own:
            # Only words related to the question's matched: nothing to offer as nearest.
            ranked = []
        weights = {k: index.keyword_weight(k) * w for k, w in reading.query.keywords.items()}

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
        passage, whole = found
        return decide([replace(ranked[0], passage=passage, whole=whole), *ranked[1:]])

    def _with_companion(
        self, ranked: list[RankedSection], reading: Reading, index: SectionIndex
    ) -> list[RankedSection]:
        """`ranked` again, with the companion's evidence for the question's Latin words.

        "open-ended task는 agent가 왜 어려워?": the English version ranks the Latin words
        against the whole English text, which the Korean version says in Hangul. The two
        versions share section numbers, so the companion's scores join by number, scaled
        to the best score of the question's own ranking and weighed by the share of the
        question the Latin words are.
        """
        companion = self._indexes.get(COMPANION)
        latin = " ".join(_LATIN_RUN.findall(reading.text))
        if companion is None or not latin:
            return ranked
        other = companion.rank(self._readers[COMPANION].read(latin).query, COMPANION_DEPTH)
        if not other:
            return ranked
        latin_keywords = set(companion.analyzer.keywords(latin))
        weights = {k: index.keyword_weight(k) * w for k, w in reading.query.keywords.items()}
        share = sum(w for k, w in weights.items() if k in latin_keywords) / (
            sum(weights.values()) or 1.0
        )
        scale = COMPANION_WEIGHT * share * (ranked[0].score if ranked else other[0].score)
        also = {r.section.number: scale * r.score / other[0].score for r in other}
        evidence = {r.section.number: r for r in other}
        return [
            _with_evidence(r, evidence.get(r.section.number), share)
            for r in index.rank(reading.query, RESULTS, also=also)
        ]


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
