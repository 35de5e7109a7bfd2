"""Excerpts are whole sentences within the budget, never cut mid-word."""

from __future__ import annotations

import re

from bot.engine import AnswerEngine
from bot.engine.excerpt import EXCERPT_CHARS, best_excerpt, sentences, shorten
from bot.knowledge import Passage, Section


def _section(*paragraphs: str) -> Section:
    passages = tuple(Passage(1, i, text) for i, text in enumerate(paragraphs))
    return Section("t", "en", 1, "Title", (), passages, "https://youtu.be/x")


def _weigh(word: str):  # type: ignore[no-untyped-def]
    return lambda sentence: float(sentence.lower().count(word))


def test_sentences_split_after_stops_but_not_inside_numbers() -> None:
    text = "GPT 5.2 is here. It costs 1/100 of that! Really? 다섯 명입니다. 끝."
    assert sentences(text) == [
        "GPT 5.2 is here.",
        "It costs 1/100 of that!",
        "Really?",
        "다섯 명입니다.",
        "끝.",
    ]


def test_excerpt_is_the_sentences_that_answer() -> None:
    filler = " ".join(f"Filler sentence number {i} about nothing." for i in range(40))
    section = _section(filler, "Hiring will slow down. Interviews will change.", filler)
    excerpt = best_excerpt(section, _weigh("hiring"))
    assert excerpt.startswith("Hiring will slow down.")
    assert len(excerpt) <= EXCERPT_CHARS


def test_excerpt_never_exceeds_the_budget_and_keeps_whole_sentences() -> None:
    paragraph = " ".join(f"Hiring sentence {i} goes on for a while here." for i in range(100))
    excerpt = best_excerpt(_section(paragraph), _weigh("hiring"))
    assert len(excerpt) <= EXCERPT_CHARS
    assert excerpt.endswith(".")
    assert all(s in paragraph for s in sentences(excerpt))


def test_one_enormous_sentence_is_cut_at_a_word_with_an_ellipsis() -> None:
    sentence = "Hiring " + " ".join(f"word{i}" for i in range(500)) + "."
    excerpt = best_excerpt(_section(sentence), _weigh("hiring"))
    assert len(excerpt) <= EXCERPT_CHARS
    assert excerpt.endswith("…")
    last_word = excerpt[:-1].split()[-1]
    assert re.fullmatch(r"word\d+", last_word)
    assert last_word in sentence.split()


def test_shorten_leaves_short_text_alone() -> None:
    assert shorten("short text", 100) == "short text"


def test_shipped_excerpts_stay_within_budget(engine: AnswerEngine) -> None:
    for question in ("AI와 과학 연구의 미래", "image generation and human creativity", "채용"):
        for hit in engine.ask(question).hits:
            assert 0 < len(hit.excerpt) <= EXCERPT_CHARS
            assert hit.excerpt[-1] in ".?!…다요\"'”"


def test_closing_quote_stays_with_its_sentence() -> None:
    text = 'He said "this is a memory." Then he left. (It was late.) 끝났습니다." 다음'
    assert sentences(text) == [
        'He said "this is a memory."',
        "Then he left.",
        "(It was late.)",
        '끝났습니다."',
        "다음",
    ]


def test_numbers_with_dots_are_not_sentence_ends() -> None:
    assert sentences("GPT 5.2 is out. It costs 1/100 less.") == [
        "GPT 5.2 is out.",
        "It costs 1/100 less.",
    ]
