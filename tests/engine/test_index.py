"""The section index scores exactly as rank-bm25 does, and ranks sections from passages."""

from __future__ import annotations

import numpy as np
import pytest

from bot.engine import AnswerEngine
from bot.engine.index import Query, SectionIndex
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


def _query(index: SectionIndex, keyword: str) -> Query:
    """A one-keyword query with the keyword's pieces as extra terms, as the analyzer gives them."""
    terms = dict.fromkeys([keyword, *index.analyzer.extras(keyword, [keyword])], 1.0)
    return Query(terms, {keyword: 1.0})


def test_keyword_written_inside_a_longer_word_counts_as_covered(engine: AnswerEngine) -> None:
    # mecab-ko reads "대학원생" in the summary as one noun, and "대학원" in a question as
    # another: the summary still says it, and the passage has every syllable pair of it.
    index: SectionIndex = engine._indexes["ko"]
    assert not index.has("대학원")
    coverage = {r.section.number: r.whole for r in index.rank(_query(index, "대학원"))}
    assert coverage[12].matched == 1
    assert coverage[12].share == 1.0


def test_keyword_with_only_some_of_its_pieces_is_not_covered(engine: AnswerEngine) -> None:
    index: SectionIndex = engine._indexes["ko"]
    # Section 18 speaks of 대학 (university) but never of 대학원 (graduate school); the
    # summary has the pair "학원" (in 대학원생) but never "원비".
    ranked = {r.section.number: r.whole for r in index.rank(_query(index, "대학원"))}
    assert ranked[18].matched == 0
    assert all(r.whole.matched == 0 for r in index.rank(_query(index, "학원비")))


def test_english_keywords_have_no_pieces(engine: AnswerEngine) -> None:
    index: SectionIndex = engine._indexes["en"]
    # "teamwork" is not in the talk; "team" and "work" are, but no piece stands for it.
    assert not index.has("teamwork")
    assert all(r.whole.matched == 0 for r in index.rank(_query(index, "teamwork")))
