"""Each bridge between a member's words and the talk's, on its own, with its false matches."""

from __future__ import annotations

import re

import pytest

from bot.analysis import EnglishAnalyzer, MecabKoreanAnalyzer
from bot.analysis.spelling import Speller
from bot.analysis.synonyms import wordnet_synonyms
from bot.analysis.transliteration import (
    LatinTerms,
    hangul_key,
    latin_key,
    latin_phrases,
    spell_in_latin,
)
from bot.engine.reading import section_texts
from bot.knowledge import Knowledge

TERMS_TEXT = (
    "OpenAI의 Codex와 Cursor, Lovable. Deep Blue가 Kasparov를 이겼다. ChatGPT, Micro-Apps, "
    "Town Hall, Overhang, High Agency, Jevons Paradox, Intelligence Too Cheap to Meter."
)


@pytest.fixture(scope="module")
def mecab() -> MecabKoreanAnalyzer:
    """The default Korean analyzer, which tells particles from words."""
    return MecabKoreanAnalyzer()


@pytest.fixture(scope="module")
def terms() -> LatinTerms:
    """The Latin terms of a short Korean text that keeps them in Latin letters."""
    return LatinTerms(latin_phrases(TERMS_TEXT))


@pytest.mark.parametrize(
    ("hangul", "latin"),
    [
        ("코덱스", "Codex"),
        ("카스파로프", "Kasparov"),
        ("딥블루", "Deep Blue"),
        ("딥 블루", "Deep Blue"),
        ("챗GPT", "ChatGPT"),
        ("마이크로 앱", "Micro Apps"),
        ("마이크로앱", "Micro Apps"),
        ("타운홀", "Town Hall"),
        ("오버행", "Overhang"),
        ("하이 에이전시", "High Agency"),
        ("제번스", "Jevons"),
        ("러버블", "Lovable"),
        ("인텔리전스 투 칩 투 미터", "Intelligence Too Cheap to Meter"),
    ],
)
def test_hangul_spelling_is_written_as_the_knowledges_latin_term(
    terms: LatinTerms, mecab: MecabKoreanAnalyzer, hangul: str, latin: str
) -> None:
    assert spell_in_latin(f"{hangul} 얘기", terms, mecab.suffix_lengths).split() == [
        *latin.split(),
        "얘기",
    ]


def test_only_words_that_begin_a_terms_spelling_reach_the_next_word(terms: LatinTerms) -> None:
    # The longest spellings are tried only as far as the words so far sound like a term's
    # beginning: "인텔리전스" and then "인텔리전스투칩" do, "얘기" does not.
    assert terms.may_begin("인텔리전스")
    assert terms.may_begin("인텔리전스투칩")
    assert terms.may_begin("마이크로")
    assert not terms.may_begin("얘기")
    assert not terms.may_begin("인텔리전스얘기")
    # Latin letters at the end may join the next word's into one run: anything may follow.
    assert terms.may_begin("얘기GPT")
    # "으" has no sound marks of its own (Korean writes it for a vowel English lacks).
    assert terms.may_begin("으")


def test_particle_after_a_spelling_stays(terms: LatinTerms, mecab: MecabKoreanAnalyzer) -> None:
    respelled = spell_in_latin("코덱스를 쓰면서 딥블루가 이긴 얘기", terms, mecab.suffix_lengths)
    assert respelled.split() == ["Codex", "를", "쓰면서", "Deep", "Blue", "가", "이긴", "얘기"]


@pytest.mark.parametrize(
    "native",
    [
        "지방 사는 사람",
        "소방 시설",
        "사용자 가치",
        "커서 뭐 할래",
        "테이블에 앉아",
        "디플레이션 압력",
    ],
)
def test_native_words_are_not_taken_for_latin_terms(
    terms: LatinTerms, mecab: MecabKoreanAnalyzer, native: str
) -> None:
    assert spell_in_latin(native, terms, mecab.suffix_lengths) == native


@pytest.mark.parametrize(
    ("typed", "latin"),
    [("오픈AI", "OpenAI"), ("오픈ai", "OpenAI"), ("오픈AI는", "OpenAI"), ("챗GPT를", "ChatGPT")],
)
def test_hangul_written_onto_the_end_of_a_latin_word_is_the_word(
    terms: LatinTerms, mecab: MecabKoreanAnalyzer, typed: str, latin: str
) -> None:
    # "오픈" alone is too short a key to name "Open..." anywhere; with the Latin end of
    # the word typed as it is, it only has to sound like the rest ("Open": 오픈).
    assert latin in spell_in_latin(f"{typed} 채용", terms, mecab.suffix_lengths).split()


@pytest.mark.parametrize(
    "typed",
    [
        "펀AI",  # "fun" is not "Open": the first sound differs
        "오픈API",  # no word of the talk ends in "API" after more letters
        "에이전트AI",  # the rest does not sound like "Open"
        "오AI",  # one mark of Hangul is no word
        "오픈I",  # one Latin letter could end too many words
        "오픈",  # the Hangul alone stays Hangul
    ],
)
def test_hangul_onto_latin_letters_that_end_no_word_of_the_talk_stays(
    terms: LatinTerms, mecab: MecabKoreanAnalyzer, typed: str
) -> None:
    assert spell_in_latin(f"{typed} 채용", terms, mecab.suffix_lengths) == f"{typed} 채용"


def test_short_keys_match_nothing(terms: LatinTerms) -> None:
    # "Cursor" (커서) and "가치" share the key K-V-S-V: too short to tell apart.
    assert hangul_key("커서") == latin_key("cursor")
    assert terms.find("커서") is None


def test_only_loanwords_of_its_own_latin_terms_change_in_the_korean_summary(
    knowledge: Knowledge, mecab: MecabKoreanAnalyzer
) -> None:
    texts = section_texts(knowledge.sections("ko"))
    terms = LatinTerms(latin_phrases("\n".join(texts)))
    changed = set()
    for text in texts:
        kept = set(re.findall(r"[가-힣]+", spell_in_latin(text, terms, mecab.suffix_lengths)))
        changed |= {w for w in re.findall(r"[가-힣]+", text) if w not in kept}
    assert changed == {"멀티", "빌더", "빌더라면", "에이전트", "에이전트가", "에이전트를"}


@pytest.fixture(scope="module")
def speller() -> Speller:
    """A speller over a few of the talk's words."""
    return Speller(
        "hiring security education resilience kindergartners bioterrorism paradox memory "
        "personalization market".split()
    )


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("hirring", "hiring"),
        ("securty", "security"),
        ("educaton", "education"),
        ("resiliance", "resilience"),
        ("kindergardeners", "kindergartners"),
        ("bioterorism", "bioterrorism"),
        ("paradx", "paradox"),
        ("memroy", "memory"),
        ("markt", "market"),
    ],
)
def test_misspelled_words_are_put_right(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(f"what about {typed}?") == f"what about {meant}?"


@pytest.mark.parametrize("word", ["teamwork", "bread", "devs", "lol", "securities"])
def test_real_or_short_words_are_left_alone(speller: Speller, word: str) -> None:
    assert speller.word(word) == word


@pytest.mark.parametrize("text", ["he doesn't think so", "he doesn’t think so"])
def test_contractions_are_not_taken_for_misspellings(text: str) -> None:
    speller = Speller(["does", "think"])
    # "doesn" alone is one edit from "does"; inside "doesn't" it is no typo.
    assert speller.word("doesn") == "does"
    assert speller.correct(text) == text


def test_korean_text_is_left_alone_by_the_speller(speller: Speller) -> None:
    assert speller.correct("채용 securty 얘기") == "채용 security 얘기"


def test_wordnet_relates_members_words_to_the_talks() -> None:
    synonyms = wordnet_synonyms()
    assert "children" in synonyms.of("kid")
    assert "kindergartn" in synonyms.of("preschool")
    assert synonyms.of("zzyzx") == ()


def test_wordnet_table_bridges_only_to_words_the_talk_uses(knowledge: Knowledge) -> None:
    english = EnglishAnalyzer()
    talk = set(english.keywords(" ".join(section_texts(knowledge.sections("en")))))
    synonyms = wordnet_synonyms()
    for word in ("kid", "preschool", "brainstorm", "school", "teamwork"):
        assert set(synonyms.of(word)) <= talk
    # A word the talk uses is never a key: it needs no bridge.
    assert synonyms.of("hire") == ()


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("two years ago", ["2", "year"]),
        ("2 yrs", ["2", "yrs"]),
        ("the 100x model", ["100", "x", "model"]),
        ("gpt5 writing", ["gpt", "5", "write"]),
        ("GPT 5.2", ["gpt", "5.2"]),
    ],
)
def test_numbers_are_digits_and_split_from_words(text: str, terms: list[str]) -> None:
    assert EnglishAnalyzer().keywords(text) == terms
