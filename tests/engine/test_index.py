"""The section index scores exactly as rank-bm25 does, and ranks sections from passages."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.engine import AnswerEngine
from bot.engine.index import SectionIndex
from bot.knowledge import Knowledge


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("ko", "바이오 보안 전략은 차단에서 무엇으로 바뀌어야 하나"),
        ("en", "custom harness running agents indefinitely"),
        ("en", "value of human connection"),
    ],
)
def test_unit_scores_equal_rank_bm25(engine: AnswerEngine, lang: str, question: str) -> None:
    index: SectionIndex = engine._indexes[lang]
    terms = list(dict.fromkeys(index.analyze(question).terms))
    everything = list(range(len(index.units)))
    expected = np.asarray(index.bm25.get_batch_scores(terms, everything))
    assert np.allclose(index.unit_scores(terms), expected)
    assert expected.max() > 0


def test_rank_limits_and_orders_sections(knowledge: Knowledge, engine: AnswerEngine) -> None:
    index: SectionIndex = engine._indexes["en"]
    ranked = index.rank(index.analyze("agents security production access"), limit=3)
    assert len(ranked) == 3
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    best = ranked[0]
    assert best.section.number == 15
    assert best.passage.matched >= 2
    assert 0 < best.passage.share <= best.whole.share <= 1
    assert best.passage.matched <= best.whole.matched


def test_unknown_words_rank_nothing(engine: AnswerEngine) -> None:
    index: SectionIndex = engine._indexes["en"]
    assert index.rank(index.analyze("zzyzx qwertyuiop")) == []


def test_coverage_of_one_section_is_what_its_ranking_says(engine: AnswerEngine) -> None:
    index: SectionIndex = engine._indexes["en"]
    query = index.analyze("agents security production access")
    ranked = {r.section.number: r for r in index.rank(query)}
    assert ranked[15].passage.matched >= 2
    assert index.coverage(15, query) == replace(ranked[15], score=0.0)
    assert index.coverage(999, query) is None


def test_a_sections_title_coverage_is_its_title_alone(engine: AnswerEngine) -> None:
    index: SectionIndex = engine._indexes["en"]
    hiring = next(s for s in index.sections if "Hiring" in s.title)
    in_title = index.coverage(hiring.number, index.analyze("hiring"))
    in_passage_only = index.coverage(hiring.number, index.analyze("aggressively"))
    assert in_title is not None
    assert in_passage_only is not None
    assert in_title.title.share == 1
    assert in_passage_only.passage.share == 1
    assert in_passage_only.title.share == 0
