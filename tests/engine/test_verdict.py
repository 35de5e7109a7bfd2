"""The verdict: ANSWER when the talk answers, CLOSEST when it may not, NONE when nothing relates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine import AnswerEngine, Verdict
from bot.engine.engine import analyzers_for
from bot.engine.index import Coverage, RankedSection
from bot.engine.meaning import Meaning
from bot.engine.verdict import CONFIRMED_LEAD, confirmed, decide, margin
from bot.knowledge import Knowledge, Section, load_knowledge
from tests.adapters.verdicts import constructed
from tests.engine.test_ranking import TINY_EN, TINY_KO


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, meaning: Meaning) -> AnswerEngine:
    """An engine over a three-section talk in two languages."""
    folder: Path = tmp_path_factory.mktemp("tiny")
    (folder / "tiny.ko.md").write_text(TINY_KO, encoding="utf-8")
    (folder / "tiny.en.md").write_text(TINY_EN, encoding="utf-8")
    return AnswerEngine(load_knowledge(folder), analyzers_for("mecab-ko"), meaning)


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("how often do cats eat?", 1),
        ("noisy bicycle chain", 3),
        ("고양이 밥은 하루에 몇 번 주나요?", 1),
        ("자전거 체인 소리", 3),
    ],
)
def test_clear_question_is_answered(tiny: AnswerEngine, question: str, section: int) -> None:
    answer = tiny.ask(question)
    assert answer.verdict is Verdict.ANSWER
    assert answer.best is not None
    assert answer.best.number == section


@pytest.mark.parametrize(
    "question",
    [
        "litter of puppies for sale near me",
        "day trading tips",
        "tomato soup recipe",
        "the garden of eden",
        "주식 투자 잘하는 법",
    ],
)
def test_one_shared_everyday_word_is_never_answered(tiny: AnswerEngine, question: str) -> None:
    assert tiny.ask(question).verdict in (Verdict.NONE, Verdict.CLOSEST)


STORY_EN = (
    "I adopted a rescue kitten from a shelter last spring. She hides under the sofa all evening."
)
STORY_KO = "지난봄에 보호소에서 새끼 고양이를 입양했어요. 저녁 내내 소파 밑에 숨어 있네요."


@pytest.mark.parametrize(
    ("question", "story"),
    [("How often do cats eat?", STORY_EN), ("고양이 밥은 하루에 몇 번 주나요?", STORY_KO)],
)
def test_story_before_a_clear_question_does_not_drown_it(
    tiny: AnswerEngine, question: str, story: str
) -> None:
    # The story's words are not the talk's: judged as a whole, the question is half unknown.
    answer = tiny.ask(f"{story} {question}")
    assert answer.verdict is Verdict.ANSWER
    assert answer.best is not None
    assert answer.best.number == 1


def test_story_before_an_unrelated_question_is_not_answered(tiny: AnswerEngine) -> None:
    answer = tiny.ask(f"{STORY_EN} What is a good tomato soup recipe?")
    assert answer.verdict is not Verdict.ANSWER


def test_question_matching_two_sections_alike_is_closest(tiny: AnswerEngine) -> None:
    answer = tiny.ask("cats and gardens")
    assert answer.verdict is Verdict.CLOSEST
    assert {h.number for h in answer.hits[:2]} == {1, 2}


def test_nothing_matched_offers_no_topics(tiny: AnswerEngine) -> None:
    answer = tiny.ask("How do I bake bread?")
    assert answer.verdict is Verdict.NONE
    assert answer.hits == ()


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("when is gpt-6 coming out", 12),
        ("GPT-6 출시일 언제라고 함?", 12),
        ("does lovable have a free plan", 2),
    ],
)
def test_question_naming_what_the_talk_mentions_is_not_answered_confidently(
    engine: AnswerEngine, question: str, section: int
) -> None:
    answer = engine.ask(question)
    assert answer.verdict is not Verdict.ANSWER
    assert section in [h.number for h in answer.hits]


def test_introduction_is_offered_among_the_nearest(engine: AnswerEngine) -> None:
    answer = engine.ask("who was the town hall for, and did Sam show up in person?")
    assert 0 in [h.number for h in answer.hits]


def _ranked(section: Section, score: float, share: float, matched: int) -> RankedSection:
    coverage = Coverage(share, matched)
    return RankedSection(section, score, coverage, coverage)


def test_confidence_needs_a_lead_over_the_next_section(knowledge: Knowledge) -> None:
    first, second = knowledge.sections("en")[1:3]
    assert decide([_ranked(first, 10, 0.5, 2), _ranked(second, 5, 0.5, 2)]) is Verdict.ANSWER
    assert decide([_ranked(first, 10, 0.5, 2), _ranked(second, 9, 0.5, 2)]) is Verdict.CLOSEST


def test_margin_is_the_best_sections_lead_over_the_next(knowledge: Knowledge) -> None:
    first, second = knowledge.sections("en")[1:3]
    assert margin([_ranked(first, 10, 0.5, 2), _ranked(second, 4, 0.5, 2)]) == pytest.approx(0.6)
    assert margin([_ranked(first, 10, 0.5, 2)]) == 1.0  # nothing else relates
    assert margin([]) == 0.0
    assert margin([_ranked(first, 0, 0.0, 0)]) == 0.0


def test_confidence_needs_two_keywords_in_one_passage(knowledge: Knowledge) -> None:
    first = knowledge.sections("en")[1]
    assert decide([_ranked(first, 10, 0.8, 1)]) is Verdict.CLOSEST
    assert decide([_ranked(first, 10, 0.8, 2)]) is Verdict.ANSWER


def test_one_keyword_is_confident_when_it_names_the_topic_or_the_meaning_confirms_it(
    knowledge: Knowledge,
) -> None:
    first = knowledge.sections("en")[1]
    one_word = _ranked(first, 10, 1.0, 1)  # a one-word question one passage wholly covers
    assert decide([one_word]) is Verdict.CLOSEST
    assert decide([replace(one_word, title=Coverage(1.0, 1))]) is Verdict.ANSWER
    assert confirmed(one_word, first.number, CONFIRMED_LEAD)
    assert not confirmed(one_word, first.number + 1, CONFIRMED_LEAD)


@pytest.mark.parametrize(
    "question",
    ["help", "thanks!", "love", "commands", "도움말", "x", "answer", "advice", "답변", "조언"],
)
def test_one_everyday_word_the_talk_happens_to_use_is_not_answered(
    engine: AnswerEngine, question: str
) -> None:
    assert engine.ask(question).verdict is not Verdict.ANSWER


def test_unrelated_best_section_is_none(knowledge: Knowledge) -> None:
    first = knowledge.sections("en")[1]
    assert decide([_ranked(first, 10, 0.2, 1)]) is Verdict.NONE
    assert decide([]) is Verdict.NONE


@pytest.mark.parametrize("question", ["what is the meaning of life", "인생의 의미가 뭐야"])
def test_everyday_question_around_one_word_of_the_talk_is_not_answered(
    engine: AnswerEngine, question: str
) -> None:
    # "life" and "인생" are the talk's words; "meaning" and "의미" are not, and they are
    # what the question asks about: treated as mere question frames, these were answered.
    assert engine.ask(question).verdict is not Verdict.ANSWER


def test_meaning_confirms_the_words_only_for_the_same_section_with_a_lead(
    knowledge: Knowledge,
) -> None:
    first = knowledge.sections("en")[1]
    best = _ranked(first, 10, 0.4, 2)
    assert confirmed(best, first.number, 0.01)
    assert not confirmed(best, first.number + 1, 0.05)  # the meaning's nearest is another
    assert not confirmed(best, first.number, 0.005)  # nearest, but by a hair
    assert not confirmed(_ranked(first, 10, 0.39, 2), first.number, 0.05)  # words too thin
    assert not confirmed(_ranked(first, 10, 0.8, 1), first.number, 0.05)  # one keyword


@pytest.mark.parametrize(
    ("verdict", "numbers", "rateable"),
    [
        (Verdict.ANSWER, [19], True),
        (Verdict.CLOSEST, [19, 3], True),
        (Verdict.NONE, [19, 3], False),  # nearest topics to try are no answer to rate
        (Verdict.NONE, [], False),
    ],
)
def test_members_rate_answers_and_closest_replies_only(
    knowledge: Knowledge, verdict: Verdict, numbers: list[int], rateable: bool
) -> None:
    assert constructed(knowledge, verdict, numbers).rateable is rateable
