"""The rotation goes through every topic before repeating; passages are short whole sentences."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.insight.pick import INSIGHT_CHARS, insight_for, insight_passage, topics_of
from bot.insight.rotation import Topic, round_order
from bot.knowledge import Knowledge, Passage, Section
from bot.knowledge.model import INTRODUCTION
from bot.text import sentences

START = dt.date(2026, 1, 28)  # the rotation's first day, as the ledger would store it


def rotation(knowledge: Knowledge, cycle: int) -> list[Topic]:
    """Round `cycle`'s order of the knowledge's topics."""
    return round_order(cycle, topics_of(knowledge))


def topics(knowledge: Knowledge) -> set[tuple[str, int]]:
    return {
        (s.talk, s.number)
        for s in knowledge.sections(knowledge.languages[0])
        if s.number != INTRODUCTION
    }


def test_rotation_covers_every_topic_before_repeating_across_cycles(knowledge: Knowledge) -> None:
    every = topics(knowledge)
    count = len(every)
    days = [START + dt.timedelta(days=n) for n in range(3 * count)]
    picked = [
        (i.section.talk, i.section.number)
        for i in (insight_for(knowledge, d, "ko", START) for d in days)
    ]

    for cycle in range(3):
        block = picked[cycle * count : (cycle + 1) * count]
        assert set(block) == every
        assert len(block) == count
    assert picked[:count] != picked[count : 2 * count]  # each cycle has its own order
    numbers = [insight_for(knowledge, d, "ko", START).number for d in days[:3]]
    assert numbers == [1, 2, 3]


def test_the_first_day_of_the_rotation_is_insight_1_whatever_the_date(
    knowledge: Knowledge,
) -> None:
    for start in (dt.date(2026, 1, 28), dt.date(2026, 11, 26), dt.date(2031, 2, 28)):
        first = insight_for(knowledge, start, "en", start)
        assert first.number == 1
        assert (first.section.talk, first.section.number) == rotation(knowledge, 0)[0]
        assert insight_for(knowledge, start + dt.timedelta(days=1), "en", start).number == 2


def test_the_rotation_follows_its_start_not_the_calendar(knowledge: Knowledge) -> None:
    later = dt.date(2026, 3, 1)
    shift = (later - START).days
    for offset in range(5):
        day = later + dt.timedelta(days=offset)
        moved = insight_for(knowledge, day, "ko", later)
        original = insight_for(knowledge, START + dt.timedelta(days=offset), "ko", START)
        assert (moved.number, moved.section) == (
            original.number,
            original.section,
        )
        assert insight_for(knowledge, day, "ko", START).number == offset + shift + 1


def test_insight_of_a_date_is_stable_and_the_same_in_every_language(knowledge: Knowledge) -> None:
    day = dt.date(2026, 2, 3)
    korean, english = (
        insight_for(knowledge, day, "ko", START),
        insight_for(knowledge, day, "en", START),
    )
    assert korean.key == english.key == "2026-02-03/openai-town-hall-2026-01/10"
    assert (korean.number, korean.section.title) == (7, "아이디어의 품질을 높이는 도구")
    assert english.section.title == "Tools That Raise the Quality of Ideas"
    assert insight_for(knowledge, day, "ko", START) == korean


def test_editing_the_knowledge_moves_only_the_edited_topic(knowledge: Knowledge) -> None:
    removed = rotation(knowledge, 4)[5]
    smaller = Knowledge(
        tuple(
            dataclasses.replace(d, sections=tuple(s for s in d.sections if s.number != removed[1]))
            for d in knowledge.documents
        )
    )
    assert rotation(smaller, 4) == [t for t in rotation(knowledge, 4) if t != removed]


def test_a_date_before_the_first_insight_day_is_refused(knowledge: Knowledge) -> None:
    with pytest.raises(ValueError, match="2026-01-27 is before the first insight day 2026-01-28"):
        insight_for(knowledge, START - dt.timedelta(days=1), "ko", START)


def test_unknown_language_falls_back_to_the_first_language(knowledge: Knowledge) -> None:
    assert insight_for(knowledge, START, "fr", START).lang == knowledge.languages[0]


def test_every_passage_is_whole_sentences_of_the_section_within_400_chars(
    knowledge: Knowledge,
) -> None:
    for lang in knowledge.languages:
        for section in knowledge.sections(lang):
            passage = insight_passage(section)
            assert 0 < len(passage) <= INSIGHT_CHARS, (lang, section.number)
            source = {s for p in section.passages for s in sentences(p.text)}
            assert set(sentences(passage)) <= source, (lang, section.number)


def section(*paragraphs: tuple[str | None, str], pinned: str | None = None) -> Section:
    headings = tuple(dict.fromkeys(h for h, _ in paragraphs if h))
    return Section(
        talk="t",
        lang="en",
        number=1,
        title="T",
        headings=headings,
        passages=tuple(Passage(1, i, text, h) for i, (h, text) in enumerate(paragraphs)),
        video_url="https://youtu.be/x",
        pinned_insight=pinned,
    )


def test_passage_is_the_answer_under_the_second_heading() -> None:
    long_answer = "The answer is long enough to stand on its own as the main point. " * 3
    s = section(
        ("Question", "What is asked?"), ("Answer", long_answer.strip()), ("Answer", "More.")
    )
    assert insight_passage(s) == long_answer.strip()


def test_short_passage_continues_with_the_next_paragraph_of_its_heading() -> None:
    s = section(
        ("Question", "Q?"),
        ("Answer", "A lead-in."),
        ("Answer", "The point itself is here."),
        ("Other", "Not this."),
    )
    assert insight_passage(s) == "A lead-in. The point itself is here."


def test_pinned_passage_wins_and_is_cut_to_whole_sentences() -> None:
    pinned = " ".join(f"Sentence number {n} of the pinned passage is here." for n in range(20))
    s = section(("Question", "Q?"), ("Answer", "The derived answer."), pinned=pinned)
    passage = insight_passage(s)
    assert passage.startswith("Sentence number 0 of the pinned passage is here.")
    assert passage.endswith("is here.")
    assert len(passage) <= INSIGHT_CHARS < len(passage) + len(" Sentence number 10 of the…")


def test_one_sentence_longer_than_the_limit_is_cut_at_a_word() -> None:
    s = section((None, "word " * 200 + "end."))
    passage = insight_passage(s)
    assert len(passage) <= INSIGHT_CHARS
    assert passage.endswith("…")
