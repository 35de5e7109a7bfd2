"""Questions in members' words find the section through each bridge."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import AnswerEngine, Verdict
from bot.engine.engine import analyzers_for
from bot.engine.meaning import Meaning
from bot.knowledge import load_knowledge
from tests.engine.test_ranking import TINY_EN, TINY_KO


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, meaning: Meaning) -> AnswerEngine:
    """An engine over a three-section talk in two languages."""
    folder: Path = tmp_path_factory.mktemp("tiny-bridges")
    (folder / "tiny.ko.md").write_text(TINY_KO, encoding="utf-8")
    (folder / "tiny.en.md").write_text(TINY_EN, encoding="utf-8")
    return AnswerEngine(load_knowledge(folder), analyzers_for("mecab-ko"), meaning)


def test_korean_question_with_english_words_uses_the_english_version(tiny: AnswerEngine) -> None:
    # The Korean version says 화장실; only the English one says "litter box".
    answer = tiny.ask("litter box 청소는 얼마나 자주?")
    assert answer.lang == "ko"
    assert answer.best is not None
    assert answer.best.number == 1
    assert answer.best.lang == "ko"


@pytest.mark.parametrize("question", ["sunlight는 얼마나 필요해?", "tomatoes가 좋아하는 건?"])
def test_an_english_word_carrying_a_korean_particle_is_read_in_the_english_version(
    tiny: AnswerEngine, question: str
) -> None:
    # The Korean version writes 햇빛 and 토마토; the particle is no part of the English word.
    answer = tiny.ask(question)
    assert answer.lang == "ko"
    assert answer.best is not None
    assert answer.best.number == 2


def test_misspelled_english_word_finds_its_section(tiny: AnswerEngine) -> None:
    answer = tiny.ask("bicylce chain oil")
    assert answer.best is not None
    assert answer.best.number == 3


@pytest.mark.parametrize("question", ["자전거체인 기름", "자전거 체인 기름"])
def test_korean_words_written_together_or_apart_match(tiny: AnswerEngine, question: str) -> None:
    answer = tiny.ask(question)
    assert answer.verdict is Verdict.ANSWER
    assert answer.best is not None
    assert answer.best.number == 3


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("딥블루 카스파로프 비유 왜 나온 거야", 12),
        ("코덱스 풀권한 준 얘기", 15),
        ("마이크로 앱이 뭐임", 7),
        ("제번스 역설", 1),
        ("open-ended problem은 왜 검증이 어려워?", 9),
        ("AI for preschoolers", 16),
        ("young kids using AI", 16),
        ("blocking vs resiliance", 13),
        ("models using tech from two yrs ago", 11),
    ],
)
def test_everyday_wording_finds_the_section(
    engine: AnswerEngine, question: str, section: int
) -> None:
    answer = engine.ask(question)
    assert answer.best is not None
    assert answer.best.number == section


def test_lone_surrogate_is_answered_and_printable(engine: AnswerEngine) -> None:
    answer = engine.ask("hiring \udceb\udcb3 plans?")
    assert answer.question == "hiring \ufffd\ufffd plans?"
    answer.question.encode("utf-8")
    assert answer.best is not None
    assert answer.best.number == 19


@pytest.mark.parametrize("question", ["{} 채용 속도 줄인다며?", "{}가 만드는 에이전트 보안"])
def test_hangul_written_onto_latin_letters_ranks_as_the_latin_word(
    engine: AnswerEngine, question: str
) -> None:
    typed, latin = engine.ask(question.format("오픈AI")), engine.ask(question.format("OpenAI"))
    assert typed.verdict is latin.verdict
    assert [h.number for h in typed.hits] == [h.number for h in latin.hits]
