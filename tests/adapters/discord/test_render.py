"""The renderer keeps every message within Discord's limits, whatever the text."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import discord
import pytest

from bot.adapters.discord import render
from bot.adapters.discord.render import (
    BUTTON_LABEL,
    CHOICE,
    CHOICES,
    CLOSEST_EXCERPT,
    CONTENT,
    DESCRIPTION,
    EMBED_TOTAL,
    FIELD_VALUE,
    FOOTER,
    TITLE,
    Reply,
    answer_reply,
    insight_reply,
    marked_day,
    topic_choices,
    topic_reply,
    topics_reply,
)
from bot.adapters.discord.views import TOPIC_BUTTON, view_for
from bot.engine import Answer, AnswerEngine, Hit, Verdict
from bot.insight import Insight
from bot.knowledge import Passage, Section
from bot.knowledge.topics import title_mark
from bot.phrases import phrase

TALK = "openai-town-hall-2026-01"
URL = "https://youtu.be/Wpxv-8nG8ec?t=120"
LONG_WORDS = "lorem ipsum dolor sit amet " * 1000  # 27,000 characters


def hit(number: int, *, title: str = "Hiring", excerpt: str = "We will hire slowly.") -> Hit:
    topic = Section(
        TALK,
        "en",
        number,
        title,
        (),
        (Passage(number, 0, excerpt),),
        "https://youtu.be/Wpxv-8nG8ec",
        120,
    )
    return Hit(topic, 3.0, excerpt)


def section(number: int, *, title: str, text: str, lang: str = "en") -> Section:
    passages = tuple(
        Passage(number, i, text, heading=f"Heading {i} " + "h" * 300) for i in range(4)
    )
    return Section(TALK, lang, number, title, (), passages, URL)


def assert_within_limits(reply: Reply) -> None:
    embed = reply.embed
    assert len(reply.content or "") <= CONTENT
    assert len(embed.title or "") <= TITLE
    assert len(embed.description or "") <= DESCRIPTION
    assert len(embed.footer.text or "") <= FOOTER
    assert all(len(f.value or "") <= FIELD_VALUE for f in embed.fields)
    assert len(embed) <= EMBED_TOTAL
    assert all(len(b.label) <= BUTTON_LABEL for b in (*reply.links, *reply.topics))
    assert len(reply.links) + len(reply.topics) <= 5  # one row of buttons


def test_answer_with_huge_texts_stays_within_every_limit() -> None:
    answer = Answer(
        question=LONG_WORDS,
        lang="en",
        verdict=Verdict.ANSWER,
        hits=(
            hit(1, title=LONG_WORDS, excerpt=LONG_WORDS),
            *(hit(n, title=LONG_WORDS) for n in range(2, 12)),
        ),
    )

    reply = answer_reply(answer, document=LONG_WORDS)

    assert_within_limits(reply)
    assert reply.embed.title is not None
    assert reply.embed.title.endswith("…")
    assert reply.content is not None
    assert reply.content.startswith("> lorem ipsum")


def test_description_is_cut_at_exactly_the_limit() -> None:
    excerpt = "a" * DESCRIPTION + "b" * 10
    reply = answer_reply(
        Answer("q", "en", Verdict.ANSWER, (hit(1, excerpt=excerpt),)), document="Town Hall"
    )

    assert reply.embed.description == "a" * (DESCRIPTION - 1) + "…"


def test_embed_total_is_kept_under_6000_by_shortening_the_description() -> None:
    reply = answer_reply(
        Answer(
            "q",
            "en",
            Verdict.ANSWER,
            (hit(1, title="t" * 400, excerpt=LONG_WORDS), hit(2, title=LONG_WORDS)),
        ),
        document="d" * 3000,
    )

    assert len(reply.embed.footer.text or "") == FOOTER
    assert FIELD_VALUE - 10 < len(reply.embed.fields[0].value or "") <= FIELD_VALUE
    assert len(reply.embed.description or "") < DESCRIPTION - 1000
    assert EMBED_TOTAL - 10 < len(reply.embed) <= EMBED_TOTAL


def test_text_at_the_limits_is_not_cut() -> None:
    reply = answer_reply(
        Answer("q" * 200, "en", Verdict.ANSWER, (hit(1, title="t" * TITLE, excerpt="e" * 2000),)),
        document="d",
    )

    assert reply.embed.title == "t" * TITLE
    assert reply.embed.description == "e" * 2000
    assert reply.content == "> " + "q" * 200


def test_off_topic_answer_is_a_message_not_an_empty_embed() -> None:
    answer = Answer("What is the weather?", "en", Verdict.NONE, (hit(4), hit(9), hit(2)))

    reply = answer_reply(answer, "Town Hall")

    assert reply.embed.title == "I couldn't find that in the Town Hall."
    assert reply.embed.description is not None
    assert len(reply.embed.description.split("\n")) == 1 + 3
    assert [t.section.number for t in reply.topics] == [4, 9, 2]
    assert reply.links == ()


def test_long_topic_stays_within_limits() -> None:
    reply = topic_reply(section(7, title=LONG_WORDS, text=LONG_WORDS), document=LONG_WORDS)

    assert_within_limits(reply)


def test_topic_list_of_every_shipped_topic_fits_one_embed(engine: AnswerEngine) -> None:
    for lang in ("ko", "en"):
        reply = topics_reply(engine.knowledge.topics(lang), lang, "Town Hall")
        assert_within_limits(reply)
        assert reply.embed.description is not None
        assert reply.embed.description.count("\n") == 22


def test_topic_list_of_many_long_titles_stays_within_limits() -> None:
    topics = [section(n, title=LONG_WORDS[:300], text="x") for n in range(1, 60)]

    assert_within_limits(topics_reply(topics, "en", "Town Hall"))


def test_insight_with_long_passage_stays_within_limits() -> None:
    insight = Insight(9, date(2026, 2, 3), section(5, title=LONG_WORDS, text="x"), LONG_WORDS)

    reply = insight_reply(insight, marked=True)

    assert_within_limits(reply)
    assert marked_day(reply.embed) == insight.day


def test_only_the_marked_insight_carries_its_key() -> None:
    insight = Insight(9, date(2026, 2, 3), section(5, title="Title", text="x", lang="ko"), "P.")
    other_day = replace(insight, day=date(2026, 2, 4))

    marked = insight_reply(insight, marked=True).embed
    unmarked = insight_reply(insight).embed

    assert marked.footer.text == f"5번 주제 · {insight.key}"
    assert unmarked.footer.text == "5번 주제 · 2026-02-03"
    assert (marked_day(marked), marked_day(unmarked)) == (insight.day, None)
    assert marked_day(insight_reply(other_day, marked=True).embed) == other_day.day


def test_autocomplete_choices_stay_within_limits() -> None:
    topics = [section(n, title=LONG_WORDS[:500], text="x") for n in range(1, 40)]

    choices = topic_choices(topics)

    assert len(choices) == CHOICES
    assert all(len(name) <= CHOICE and len(value) <= CHOICE for name, value in choices)
    assert choices[0][1] == f"{TALK}:1"


def test_button_custom_ids_fit_and_links_come_first() -> None:
    reply = answer_reply(
        Answer("q", "en", Verdict.ANSWER, (hit(1), hit(22), hit(23))), document="d"
    )

    view = view_for(reply, public=True)

    assert view is not None
    items = view.children
    assert isinstance(items[0], discord.ui.Button)
    assert items[0].url == URL
    ids = [c["custom_id"] for row in view.to_components() for c in row["components"][1:]]
    mark = title_mark(hit(22).section)  # of its title, "Hiring"
    assert ids == [
        f"townhall:topic:{TALK}:22:en:public:{mark}",
        f"townhall:topic:{TALK}:23:en:public:{mark}",
    ]
    assert all(len(i) <= 100 for i in ids)


def test_a_private_reply_gets_buttons_that_answer_privately() -> None:
    reply = answer_reply(Answer("q", "en", Verdict.NONE, (hit(4),)), document="d")

    view = view_for(reply, public=False)

    assert view is not None
    [row] = view.to_components()
    mark = title_mark(hit(4).section)
    assert [c["custom_id"] for c in row["components"]] == [
        f"townhall:topic:{TALK}:4:en:private:{mark}"
    ]


def test_the_longest_talk_id_still_fits_a_custom_id() -> None:
    long_talk = Section("t" * 60, "en", 9999, "Title", (), (), URL)
    reply = answer_reply(Answer("q", "en", Verdict.NONE, (Hit(long_talk, 1.0, "x"),)), document="d")

    view = view_for(reply, public=False)  # "private" is the longer

    assert view is not None
    [row] = view.to_components()
    custom_id = row["components"][0]["custom_id"]
    assert len(custom_id) <= 100
    assert TOPIC_BUTTON.fullmatch(custom_id)  # with its title's mark
    assert custom_id.endswith(f":{title_mark(long_talk)}")


def test_closest_is_a_glimpse_of_the_best_topic_and_a_button_per_nearest_topic() -> None:
    answer = Answer(
        "q",
        "en",
        Verdict.CLOSEST,
        (hit(19, title="Hiring", excerpt=LONG_WORDS), hit(18, title="College"), hit(3)),
    )

    reply = answer_reply(answer, "Town Hall")

    assert reply.embed.title == phrase("closest_title", "en")
    description = reply.embed.description or ""
    assert description.startswith("**19. Hiring**\nlorem ipsum")
    assert description.endswith("…")
    assert len(description) <= len("**19. Hiring**\n") + CLOSEST_EXCERPT
    assert [t.label for t in reply.topics] == ["19. Hiring", "18. College", "3. Hiring"]
    assert reply.links == ()
    assert reply.content == "> q"
    assert_within_limits(reply)


def test_closest_in_korean_uses_korean_words() -> None:
    answer = Answer("q", "ko", Verdict.CLOSEST, (hit(19),))

    assert answer_reply(answer, "d").embed.title == phrase("closest_title", "ko")


def test_none_without_any_nearest_topic_points_to_the_topic_list() -> None:
    reply = answer_reply(Answer("q", "ko", Verdict.NONE, ()), "d")

    assert reply.embed.title == phrase("not_found", "ko")
    assert reply.embed.description == phrase("all_topics_hint", "ko")
    assert reply.topics == ()


def test_every_message_allows_no_mentions() -> None:
    assert render.NO_MENTIONS.to_dict() == {"parse": []}


@pytest.mark.parametrize("question", ["@everyone", "<@123>", "<@&456>", "@here hi"])
def test_question_quote_keeps_mentions_as_text_for_allowed_mentions_to_silence(
    question: str,
) -> None:
    assert render.question_quote(question) == f"> {question}"
