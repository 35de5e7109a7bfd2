"""Analyzers turn words into the same terms whatever particles, endings or inflections follow."""

from __future__ import annotations

import pytest

import bot.analysis.korean as korean_module
from bot.analysis import (
    Analyzer,
    EnglishAnalyzer,
    KiwiKoreanAnalyzer,
    MecabKoreanAnalyzer,
    detect_language,
)


@pytest.fixture(scope="module", params=["mecab-ko", "kiwi"])
def korean(request: pytest.FixtureRequest) -> Analyzer:
    """Each Korean analyzer the engine can use."""
    return MecabKoreanAnalyzer() if request.param == "mecab-ko" else KiwiKoreanAnalyzer()


@pytest.mark.parametrize("word", ["채용을", "채용이", "채용에서", "채용은", "채용"])
def test_particles_do_not_split_a_korean_word(korean: Analyzer, word: str) -> None:
    assert korean.keywords(word) == ["채용"]


def test_verb_endings_reduce_to_one_stem(korean: Analyzer) -> None:
    stems = {tuple(korean.keywords(w)) for w in ("바뀌나요", "바뀌었나", "바뀌어야", "바뀌는")}
    assert stems == {("바뀌",)}


def test_question_frame_words_are_not_keywords(korean: Analyzer) -> None:
    assert korean.keywords("샘이 채용에 대해 뭐라고 말했나요?") == ["채용"]


def test_latin_words_in_korean_go_through_the_english_analyzer(korean: Analyzer) -> None:
    assert korean.keywords("Agent Builder는 GPT 5.2에서") == ["agent", "builder", "gpt", "5.2"]


def test_korean_terms_add_hangul_bigrams(korean: Analyzer) -> None:
    terms = korean.terms("바이오보안")
    assert {"~바이", "~이오", "~오보", "~보안"} <= set(terms)
    assert korean.keywords("바이오보안") == [t for t in terms if not t.startswith("~")]


def test_english_drops_stop_words_and_stems() -> None:
    english = EnglishAnalyzer()
    assert english.keywords("What did Sam say about hiring the Engineers?") == ["hire", "engin"]
    assert english.keywords("Altman's agents") == ["agent"]
    assert english.keywords("GPT-5.2 and GPT 5.2") == ["gpt", "5.2", "gpt", "5.2"]


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("whats the plan for agents", ["plan", "agent"]),
        ("what was he saying about hiring", ["hire"]),
        ("others are thinking about it mostly", []),
        ("current models", ["current", "model"]),  # "currently" is a stop word, not "current"
    ],
)
def test_a_stop_word_in_another_form_is_still_one(text: str, keywords: list[str]) -> None:
    assert EnglishAnalyzer().keywords(text) == keywords


def test_english_terms_pair_neighbouring_keywords() -> None:
    english = EnglishAnalyzer()
    assert english.terms("value of human connection") == [
        "valu",
        "human",
        "connect",
        "valu_human",
        "human_connect",
    ]


def test_nothing_but_symbols_gives_no_terms(korean: Analyzer) -> None:
    assert korean.terms("🙂🙂 ... ???") == []
    assert EnglishAnalyzer().terms("🙂 --- !!!") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("소프트웨어 엔지니어의 역할은?", "ko"),
        ("Codex를 쓰면서 바뀐 점", "ko"),
        ("Agent Builder는 앞으로 어떻게 발전하나", "ko"),
        ("What did he say about hiring?", "en"),
        ("GPT 5.2 focus on reasoning", "en"),
        # An English question with a Korean thank-you is English: any Hangul syllable
        # making a question Korean lost its answer.
        ("What did Altman say about hiring? 감사합니다", "en"),
        ("What does 채용 mean in the talk?", "en"),
    ],
)
def test_language_follows_the_letters(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_no_letters_falls_back() -> None:
    assert detect_language("🙂 123 ?!", fallback="en") == "en"
    assert detect_language("🙂") is None


def test_suffixes_remembered_stay_bounded_whatever_members_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each made-up word brings a new ending to look up; memory must not follow them.
    monkeypatch.setattr(korean_module, "GRAMMAR_REMEMBERED", 50)
    korean = MecabKoreanAnalyzer()
    for i in range(120):
        korean.is_grammar(chr(0xAC00 + 97 * i) + "나")
    assert len(korean._grammar) == 50  # the memory itself
    assert korean.is_grammar("에서")  # a particle is still read as grammar


def test_a_suffix_of_latin_letters_is_never_grammar_nor_remembered() -> None:
    korean = MecabKoreanAnalyzer()
    assert not korean.is_grammar("ab나")
    assert "ab나" not in korean._grammar
