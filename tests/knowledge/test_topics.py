"""Finding a topic from what a member types: numbers, and titles in either language."""

from __future__ import annotations

import dataclasses

from bot.knowledge import Knowledge
from bot.knowledge.topics import find_topic, marked_topic, matching_topics, title_mark, topic_id

TALK = "openai-town-hall-2026-01"


def test_korean_text_matches_english_titles_shown_in_english(knowledge: Knowledge) -> None:
    found = matching_topics(knowledge, "채용", "en")

    assert [(s.number, s.title) for s in found] == [(19, "Changes in Software Engineer Hiring")]


def test_matching_ignores_case_and_extra_spaces(knowledge: Knowledge) -> None:
    assert [s.number for s in matching_topics(knowledge, "  COLLEGE   education ", "ko")] == [18]


def test_nothing_typed_matches_every_topic(knowledge: Knowledge) -> None:
    assert len(matching_topics(knowledge, "", "en")) == 23


def test_picker_value_and_plain_number_find_the_topic_in_the_member_language(
    knowledge: Knowledge,
) -> None:
    by_id = find_topic(knowledge, f"{TALK}:19", "ko")
    by_number = find_topic(knowledge, "19", "en")

    assert by_id is not None
    assert (by_id.lang, by_id.number) == ("ko", 19)
    assert by_number is not None
    assert (by_number.lang, by_number.number) == ("en", 19)
    assert topic_id(by_id) == f"{TALK}:19"


def test_title_finds_the_topic_in_the_language_of_the_title(knowledge: Knowledge) -> None:
    found = find_topic(knowledge, "대학 교육의 가치", "en")

    assert found is not None
    assert (found.lang, found.number) == ("ko", 18)


def test_introduction_is_found_by_number_for_the_topic_buttons(knowledge: Knowledge) -> None:
    # The engine may offer the introduction as the nearest topic; its button names it.
    found = find_topic(knowledge, f"{TALK}:0", "en")
    assert found is not None
    assert (found.lang, found.number) == ("en", 0)


def test_unknown_numbers_and_unknown_titles_find_nothing(knowledge: Knowledge) -> None:
    assert find_topic(knowledge, "99", "en") is None
    assert find_topic(knowledge, "other-talk:1", "en") is None
    assert find_topic(knowledge, "quantum gravity", "en") is None
    assert find_topic(knowledge, "   ", "en") is None


def test_knowledge_answers_the_document_title_and_the_default_talk(knowledge: Knowledge) -> None:
    assert knowledge.default_talk == TALK
    assert knowledge.document_title(TALK, "en").startswith("[OpenAI] Town Hall")
    assert knowledge.document_title("no-such-talk", "en") == "no-such-talk"


def test_topics_leave_out_the_introduction_and_fall_back_to_a_known_language(
    knowledge: Knowledge,
) -> None:
    assert [s.number for s in knowledge.topics("en")] == list(range(1, 24))
    assert knowledge.topics("fr") == knowledge.topics(knowledge.languages[0])


def test_a_topic_is_shown_as_its_number_and_title(knowledge: Knowledge) -> None:
    found = find_topic(knowledge, "19", "en")

    assert found is not None
    assert found.numbered_title == "19. Changes in Software Engineer Hiring"


def moved_up(knowledge: Knowledge) -> Knowledge:
    """`knowledge` after a topic was inserted first: every topic's number one higher."""
    return Knowledge(
        tuple(
            dataclasses.replace(
                d,
                sections=tuple(
                    dataclasses.replace(s, number=s.number + 1 if s.number else 0)
                    for s in d.sections
                ),
            )
            for d in knowledge.documents
        )
    )


def test_a_marked_button_finds_its_topic_by_title_once_the_number_names_another(
    knowledge: Knowledge,
) -> None:
    college = knowledge.section(TALK, 18, "en")
    assert college is not None

    found = marked_topic(moved_up(knowledge), TALK, 18, "en", title_mark(college))

    assert found is not None
    assert (found.number, found.title) == (19, college.title)


def test_a_button_without_a_mark_finds_the_topic_its_number_names(knowledge: Knowledge) -> None:
    found = marked_topic(moved_up(knowledge), TALK, 18, "en", None)

    assert found is not None
    assert found.number == 18


def test_a_marked_button_whose_title_is_gone_finds_nothing(knowledge: Knowledge) -> None:
    assert marked_topic(knowledge, TALK, 18, "en", "0" * 8) is None
