"""Ranking on a tiny corpus with known answers, and on the shipped knowledge."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import AnswerEngine, QuestionError, Verdict
from bot.engine.engine import analyzers_for
from bot.engine.meaning import Meaning
from bot.knowledge import load_knowledge

TINY_KO = """---
title: "작은 토크"
talk: tiny
lang: ko
video: "https://youtu.be/tiny"
---
## 1. 고양이 돌보기

고양이는 하루에 두 번 밥을 먹습니다. 고양이 화장실은 매일 치워야 합니다.

## 2. 정원 가꾸기

토마토는 햇빛을 좋아합니다. 정원에 물을 아침마다 줍니다.

## 3. 자전거 수리

자전거 체인에 기름을 칠하면 소리가 줄어듭니다.
"""

TINY_EN = """---
title: "A tiny talk"
talk: tiny
lang: en
video: "https://youtu.be/tiny"
---
## 1. Caring for cats

Cats eat twice a day.

The litter box must be cleaned every day.

## 2. Gardening

Tomatoes love sunlight. The garden is watered every morning.

## 3. Bicycle repair

Oiling the bicycle chain makes it quieter.
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, meaning: Meaning) -> AnswerEngine:
    """An engine over a three-section talk in two languages."""
    folder: Path = tmp_path_factory.mktemp("tiny")
    (folder / "tiny.ko.md").write_text(TINY_KO, encoding="utf-8")
    (folder / "tiny.en.md").write_text(TINY_EN, encoding="utf-8")
    return AnswerEngine(load_knowledge(folder), analyzers_for("mecab-ko"), meaning)


@pytest.mark.parametrize(
    ("question", "section", "lang"),
    [
        ("고양이 밥은 하루에 몇 번 주나요?", 1, "ko"),
        ("토마토에 물은 언제 주나요", 2, "ko"),
        ("자전거 체인 소리", 3, "ko"),
        ("how often do cats eat?", 1, "en"),
        ("watering the garden", 2, "en"),
        ("noisy bicycle chain", 3, "en"),
    ],
)
def test_tiny_corpus_ranks_the_known_answer_first(
    tiny: AnswerEngine, question: str, section: int, lang: str
) -> None:
    answer = tiny.ask(question)
    assert answer.lang == lang
    assert answer.best is not None
    assert answer.best.number == section
    assert answer.best.lang == lang
    assert answer.best.url == "https://youtu.be/tiny"


@pytest.mark.parametrize("question", ["주식 투자 잘하는 법", "How do I bake sourdough bread?"])
def test_off_topic_question_gets_no_result(tiny: AnswerEngine, question: str) -> None:
    assert tiny.ask(question).verdict is Verdict.NONE


def test_keywords_spread_over_one_sections_paragraphs_count_as_on_topic(
    tiny: AnswerEngine,
) -> None:
    # "twice" and "litter" are in different paragraphs of section 1; "kittens" in none.
    best = tiny.ask("twice litter kittens").best
    assert best is not None
    assert best.number == 1


def test_one_shared_word_among_unknown_ones_is_off_topic(tiny: AnswerEngine) -> None:
    assert tiny.ask("litter of puppies for sale near me").verdict is Verdict.NONE


def test_related_sections_follow_the_best_one(engine: AnswerEngine) -> None:
    answer = engine.ask("agent security infrastructure and full access risks")
    assert answer.best is not None
    assert answer.best.number == 15
    assert 1 <= len(answer.related) <= 2
    numbers = [h.number for h in answer.hits]
    assert len(set(numbers)) == len(numbers)
    assert [h.score for h in answer.hits] == sorted((h.score for h in answer.hits), reverse=True)


def test_same_question_in_two_languages_points_to_one_section(engine: AnswerEngine) -> None:
    korean = engine.ask("유치원생은 컴퓨터를 멀리해야 하나요?")
    english = engine.ask("Should kindergartners stay away from computers?")
    assert korean.best is not None
    assert english.best is not None
    assert korean.best.number == english.best.number == 16
    assert korean.lang == "ko"
    assert english.lang == "en"
    assert "유치원" in korean.best.excerpt
    assert "kindergarten" in english.best.excerpt.lower()


@pytest.mark.parametrize(
    "question",
    [
        "What's the weather in Seoul tomorrow?",
        "Bitcoin price today",
        "Who won the Champions League final last year?",
        "주식 투자 잘하는 법 알려줘",
        "내일 서울 날씨 어때요?",
        "김치찌개 끓이는 법",
        "Recommend a good pizza place nearby",
    ],
)
def test_off_topic_questions_are_rejected_on_the_shipped_knowledge(
    engine: AnswerEngine, question: str
) -> None:
    assert engine.ask(question).verdict is Verdict.NONE


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("hiring?", 19),
        ("채용", 19),
        ("Jevons Paradox", 1),
        ("YOLO", 15),
    ],
)
def test_one_word_on_topic_questions_are_answered(
    engine: AnswerEngine, question: str, section: int
) -> None:
    best = engine.ask(question).best
    assert best is not None
    assert best.number == section


def test_mentions_and_markup_are_not_words(engine: AnswerEngine) -> None:
    answer = engine.ask("@everyone <@123456> <!channel> **will OpenAI slow down hiring?** `now`")
    assert answer.best is not None
    assert answer.best.number == 19
    assert answer.lang == "en"


@pytest.mark.parametrize("question", ["🙂🙂🙂", "\x00\x07\x1b[31m", "...?!"])
def test_questions_without_words_get_no_result(engine: AnswerEngine, question: str) -> None:
    assert engine.ask(question).verdict is Verdict.NONE


@pytest.mark.parametrize(
    "question",
    ["<@123> <!here>", "@everyone", "https://x.example/a", "**", "<https://x.example/a>"],
)
def test_a_question_of_only_mentions_links_or_markup_is_refused(
    engine: AnswerEngine, question: str
) -> None:
    with pytest.raises(QuestionError, match="no words"):
        engine.ask(question)


def test_huge_question_is_answered_from_its_beginning(engine: AnswerEngine) -> None:
    question = "Will OpenAI slow down hiring? " + "blah " * 2000
    assert len(question) > 10_000
    answer = engine.ask(question)
    assert answer.best is not None
    assert answer.best.number == 19


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_refused(engine: AnswerEngine, question: str) -> None:
    with pytest.raises(QuestionError, match="empty"):
        engine.ask(question)


def test_letterless_question_uses_the_fallback_language(tiny: AnswerEngine) -> None:
    assert tiny.ask("🙂", lang="en").lang == "en"
    assert tiny.ask("🙂", lang="ko").lang == "ko"
    assert tiny.ask("🙂").lang == "ko"


def test_off_topic_answer_offers_the_nearest_sections_the_engine_ranked(
    tiny: AnswerEngine,
) -> None:
    answer = tiny.ask("litter of puppies for sale near me")
    assert answer.verdict is Verdict.NONE
    # The section that shares a word first; the others follow by meaning alone.
    assert answer.best is not None
    assert answer.best.number == 1


def test_a_slack_link_label_keeps_its_words(engine: AnswerEngine) -> None:
    # Slack sends every link as <url|label>: the label is the member's words, the url is not.
    answer = engine.ask("what about <https://evil.example/x|hiring> at OpenAI?")
    assert answer.best is not None
    assert answer.best.number == 19
