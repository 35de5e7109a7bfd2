"""Finding a topic from what a member types: numbers, and titles in either language."""

from __future__ import annotations

from bot.engine import AnswerEngine
from bot.topics import find_topic, matching_topics, topic_id

TALK = "openai-town-hall-2026-01"


def test_korean_text_matches_english_titles_shown_in_english(engine: AnswerEngine) -> None:
    found = matching_topics(engine, "채용", "en")

    assert [(s.number, s.title) for s in found] == [(19, "Changes in Software Engineer Hiring")]


def test_matching_ignores_case_and_extra_spaces(engine: AnswerEngine) -> None:
    assert [s.number for s in matching_topics(engine, "  COLLEGE   education ", "ko")] == [18]


def test_nothing_typed_matches_every_topic(engine: AnswerEngine) -> None:
    assert len(matching_topics(engine, "", "en")) == 23


def test_picker_value_and_plain_number_find_the_topic_in_the_member_language(
    engine: AnswerEngine,
) -> None:
    by_id = find_topic(engine, f"{TALK}:19", "ko")
    by_number = find_topic(engine, "19", "en")

    assert by_id is not None
    assert (by_id.lang, by_id.number) == ("ko", 19)
    assert by_number is not None
    assert (by_number.lang, by_number.number) == ("en", 19)
    assert topic_id(by_id) == f"{TALK}:19"


def test_title_finds_the_topic_in_the_language_of_the_title(engine: AnswerEngine) -> None:
    found = find_topic(engine, "대학 교육의 가치", "en")

    assert found is not None
    assert (found.lang, found.number) == ("ko", 18)


def test_introduction_unknown_numbers_and_unknown_titles_find_nothing(
    engine: AnswerEngine,
) -> None:
    assert find_topic(engine, "0", "en") is None
    assert find_topic(engine, "99", "en") is None
    assert find_topic(engine, "other-talk:1", "en") is None
    assert find_topic(engine, "quantum gravity", "en") is None
    assert find_topic(engine, "   ", "en") is None
