"""The answer engine: a question in, the sections that answer it out."""

from __future__ import annotations

from collections.abc import Mapping

from bot.analysis import Analyzer, detect_language
from bot.engine.answer import Answer, Hit, Verdict
from bot.engine.excerpt import best_excerpt
from bot.engine.index import RankedSection, SectionIndex
from bot.engine.question import clean_question
from bot.knowledge import Knowledge, Section
from bot.knowledge.model import INTRODUCTION

RESULTS = 3

# A question is about the talk when one passage of its best section shares at least two of
# its keywords or half of its idf weight (a short question like "hiring?"), or when the
# section as a whole shares two keywords and 40% of the weight. Off-topic questions share
# an everyday word or two at most ("time", "투자", "price"); see docs/retrieval.md.
PASSAGE_MATCHED = 2
PASSAGE_SHARE = 0.5
SECTION_MATCHED = 2
SECTION_SHARE = 0.4


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

    def ask(self, question: str, lang: str | None = None) -> Answer:
        """Answer `question`; `lang` is used only when the question has no letters."""
        cleaned = clean_question(question)
        detected = detect_language(cleaned.words, fallback=lang) or self.default_lang
        answer_lang = detected if detected in self._indexes else self.default_lang
        index = self._indexes[answer_lang]
        query = index.analyze(cleaned.words)
        ranked = index.rank(query, RESULTS)
        verdict = Verdict.ANSWER if ranked and _relevant(ranked[0]) else Verdict.NONE
        weights = {k: index.idf(k) for k in query.keywords}

        def weigh(sentence: str) -> float:
            return sum(weights.get(k, 0.0) for k in index.sentence_keywords(sentence))

        hits = tuple(
            Hit(section=r.section, score=round(r.score, 4), excerpt=best_excerpt(r.section, weigh))
            for r in ranked[:RESULTS]
        )
        return Answer(question, answer_lang, verdict, hits)

    def section(self, talk: str, number: int, lang: str) -> Section | None:
        """One section in one language, for showing a topic directly."""
        return self.knowledge.section(talk, number, lang)

    def topics(self, lang: str) -> tuple[Section, ...]:
        """Every topic (not the introduction) in `lang`, or in the default language."""
        lang = lang if lang in self._indexes else self.default_lang
        return tuple(s for s in self.knowledge.sections(lang) if s.number != INTRODUCTION)


def _relevant(best: RankedSection) -> bool:
    passage, whole = best.passage, best.whole
    if passage.matched >= PASSAGE_MATCHED or passage.share >= PASSAGE_SHARE:
        return True
    return whole.matched >= SECTION_MATCHED and whole.share >= SECTION_SHARE


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
