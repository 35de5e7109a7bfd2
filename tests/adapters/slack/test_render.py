"""Block Kit rendering: escaping, Slack's limits, and what each kind of message shows."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.adapters.slack.render import (
    BUTTON_TEXT,
    BUTTON_URL,
    CLOSEST_EXCERPT,
    FALLBACK_TEXT,
    HEADER_TEXT,
    MAX_BLOCKS,
    SECTION_TEXT,
    TOPIC_ACTION,
    TOPIC_ACTIONS,
    TOPIC_BUTTONS,
    WATCH_ACTION,
    answer_message,
    escape,
    fit,
    help_message,
    insight_message,
    topic_from_value,
    topic_message,
    topic_value,
)
from bot.engine import Answer, AnswerEngine, Hit, Verdict
from bot.insight import Insight
from bot.knowledge import Passage, Section
from bot.phrases import phrase

URL = "https://youtu.be/Wpxv-8nG8ec?t=120"


def hit(
    section: int = 19, *, title: str = "Hiring", excerpt: str = "Hire slowly.", url: str = URL
) -> Hit:
    topic = Section("talk", "en", section, title, (), (Passage(section, 0, excerpt),), url)
    return Hit(topic, 5.0, excerpt)


def topic(number: int, title: str) -> Section:
    return Section("talk", "en", number, title, (), (), "https://youtu.be/x", 60)


def offered(topics: tuple[Section, ...]) -> tuple[Hit, ...]:
    return tuple(Hit(t, 1.0, "") for t in topics)


def texts(blocks: tuple[dict[str, object], ...]) -> list[str]:
    """Every text string inside the blocks, in order."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "text" and isinstance(inner, str):
                    found.append(inner)
                else:
                    walk(inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner)

    walk(blocks)
    return found


def test_escape_turns_control_characters_into_entities() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here>", "&lt;!here&gt;"),
        ("<!everyone>", "&lt;!everyone&gt;"),
        ("<@U123>", "&lt;@U123&gt;"),
        ("<!subteam^S1>", "&lt;!subteam^S1&gt;"),
        ("@channel", "@\u2060channel"),
        ("@Here", "@\u2060Here"),
    ],
)
def test_mention_syntax_cannot_ping(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


def test_fit_keeps_text_exactly_at_the_limit_whole() -> None:
    assert fit("a" * SECTION_TEXT, SECTION_TEXT) == "a" * SECTION_TEXT


def test_fit_cuts_one_past_the_limit_with_an_ellipsis() -> None:
    assert fit("a" * (SECTION_TEXT + 1), SECTION_TEXT) == "a" * (SECTION_TEXT - 1) + "…"


def test_fit_counts_escaped_length_and_never_splits_an_entity() -> None:
    cut = fit("&" * SECTION_TEXT, SECTION_TEXT)
    assert len(cut) <= SECTION_TEXT
    assert cut.endswith("…")
    assert cut.removesuffix("…").replace("&amp;", "") == ""


def test_fit_cuts_at_a_word_boundary() -> None:
    assert fit("alpha beta gamma", 12) == "alpha beta…"


def test_answer_shows_title_excerpt_topic_video_button_and_related() -> None:
    answer = Answer(
        "hiring?", "en", Verdict.ANSWER, (hit(), hit(3, title="Agents"), hit(1, title="Jevons"))
    )
    message = answer_message(answer)
    kinds = [b["type"] for b in message.blocks]
    assert kinds == ["header", "section", "context", "actions", "context"]
    assert texts(message.blocks) == [
        "Hiring",
        "Hire slowly.",
        "Topic 19",
        "Watch the video",
        "Related topics: 3. Agents, 1. Jevons",
    ]
    button = message.blocks[3]["elements"][0]
    assert button["url"] == URL
    assert button["action_id"] == WATCH_ACTION
    assert message.text == f"Hiring\n\nHire slowly.\n\n{URL}"


def test_question_echo_escapes_every_mention() -> None:
    question = "<!channel> <!here> <!everyone> <@U123> & hiring?"
    message = answer_message(Answer(question, "en", Verdict.ANSWER, (hit(),)), echo_question=True)
    assert texts(message.blocks)[0] == (
        "You asked: &lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U123&gt; &amp; hiring?"
    )
    assert "<!" not in json.dumps(message.as_arguments())
    assert "<@" not in json.dumps(message.as_arguments())


def test_knowledge_text_is_escaped_too() -> None:
    message = answer_message(
        Answer("q", "en", Verdict.ANSWER, (hit(title="R&D <beta>", excerpt="<!here> a>b"),))
    )
    assert texts(message.blocks)[:2] == ["R&amp;D &lt;beta&gt;", "&lt;!here&gt; a&gt;b"]


def test_long_fields_are_cut_to_slack_limits() -> None:
    long_hit = hit(title="T" * 400, excerpt="word " * 2000)
    related = tuple(hit(n, title="R" * 200) for n in range(60))
    message = answer_message(Answer("q", "en", Verdict.ANSWER, (long_hit, *related)))
    header, section = message.blocks[0], message.blocks[1]
    assert len(header["text"]["text"]) == HEADER_TEXT
    assert len(section["text"]["text"]) <= SECTION_TEXT
    assert section["text"]["text"].endswith("word…")
    assert all(len(t) <= SECTION_TEXT for t in texts(message.blocks))
    assert len(message.text) <= FALLBACK_TEXT
    assert len(message.blocks) <= MAX_BLOCKS


def test_video_button_is_left_out_when_the_url_is_too_long_for_slack() -> None:
    message = answer_message(
        Answer("q", "en", Verdict.ANSWER, (hit(url="https://x/" + "a" * BUTTON_URL),))
    )
    assert [b["type"] for b in message.blocks] == ["header", "section", "context"]


def test_off_topic_says_not_found_and_offers_the_nearest_topics_as_buttons() -> None:
    suggestions = (topic(3, "Agents"), topic(8, "Startups & <money>"), topic(19, "Hiring"))
    message = answer_message(Answer("pizza?", "en", Verdict.NONE, offered(suggestions)))
    assert [b["type"] for b in message.blocks] == ["section", "section", "actions"]
    assert texts(message.blocks) == [
        "I couldn't find that in the Town Hall.",
        "Try asking about one of these topics:",
        "3. Agents",
        "8. Startups &amp; &lt;money&gt;",
        "19. Hiring",
    ]
    buttons = message.blocks[2]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (f"{TOPIC_ACTION}_0", "talk:3:en"),
        (f"{TOPIC_ACTION}_1", "talk:8:en"),
        (f"{TOPIC_ACTION}_2", "talk:19:en"),
    ]
    assert all(TOPIC_ACTIONS.fullmatch(b["action_id"]) for b in buttons)
    assert message.text == (
        "I couldn't find that in the Town Hall. Try asking about one of these topics: "
        "3. Agents, 8. Startups &amp; &lt;money&gt;, 19. Hiring"
    )


def test_off_topic_without_any_nearest_topic_says_how_to_see_examples() -> None:
    message = answer_message(Answer("우주?", "ko", Verdict.NONE, ()))
    assert texts(message.blocks) == [
        phrase("not_found", "ko"),
        escape(phrase("slack_examples_hint", "ko")),
    ]


def test_closest_is_a_glimpse_of_the_best_topic_and_a_button_per_nearest_topic() -> None:
    answer = Answer(
        "hiring juniors?",
        "en",
        Verdict.CLOSEST,
        (hit(19, excerpt="word " * 200), hit(3, title="Agents"), hit(1, title="Jevons")),
    )
    message = answer_message(answer, echo_question=True)
    assert [b["type"] for b in message.blocks] == ["context", "section", "section", "actions"]
    found = texts(message.blocks)
    assert found[:2] == ["You asked: hiring juniors?", phrase("closest_title", "en")]
    assert found[2].startswith("*19. Hiring*\nword word")
    assert found[2].endswith("word…")
    assert len(found[2]) <= len("*19. Hiring*\n") + CLOSEST_EXCERPT
    assert found[3:] == ["19. Hiring", "3. Agents", "1. Jevons"]
    assert message.text == f"{phrase('closest_title', 'en')}: 19. Hiring, 3. Agents, 1. Jevons"


def test_closest_in_korean_uses_korean_words() -> None:
    message = answer_message(Answer("q", "ko", Verdict.CLOSEST, (hit(19),)))
    assert texts(message.blocks)[0] == escape(phrase("closest_title", "ko"))


def test_off_topic_in_korean_uses_korean_words() -> None:
    message = answer_message(Answer("피자?", "ko", Verdict.NONE, offered((topic(19, "채용"),))))
    assert texts(message.blocks)[:2] == [phrase("not_found", "ko"), phrase("try_topics", "ko")]


def test_many_suggestions_are_a_few_buttons_within_slack_limits() -> None:
    suggestions = tuple(topic(n, "S" * 250) for n in range(100))
    message = answer_message(Answer("q", "en", Verdict.NONE, offered(suggestions)))
    buttons = message.blocks[2]["elements"]
    assert len(buttons) == TOPIC_BUTTONS
    assert all(len(b["text"]["text"]) <= BUTTON_TEXT for b in buttons)
    assert len(message.text) <= FALLBACK_TEXT


def test_a_whole_topic_shows_its_sub_headings_and_stays_within_limits() -> None:
    passages = tuple(
        Passage(5, i, "<!here> " + "text " * 900, heading=f"Part {i // 2}") for i in range(80)
    )
    section = Section("talk", "en", 5, "T" * 400, ("Part 0",), passages, URL)
    message = topic_message(section, "Town Hall")
    assert len(message.blocks) <= MAX_BLOCKS
    assert message.blocks[0]["text"]["text"].startswith("5. TTT")
    assert all(len(t) <= SECTION_TEXT for t in texts(message.blocks))
    first, second = message.blocks[1]["text"]["text"], message.blocks[2]["text"]["text"]
    assert first.startswith("*Part 0*\n&lt;!here&gt; text")
    assert not second.startswith("*")  # the same sub-heading is not repeated
    assert [b["type"] for b in message.blocks[-2:]] == ["context", "actions"]
    assert "<!" not in json.dumps(message.as_arguments())


def test_topic_button_value_names_the_topic_and_its_language() -> None:
    section = topic(19, "Hiring")
    assert topic_from_value(topic_value(section)) == ("talk:19", "en")


def test_help_is_in_korean_and_english_with_example_questions() -> None:
    message = help_message()
    assert texts(message.blocks) == [
        "Town Hall 봇 / Town Hall bot",
        escape(phrase("slack_help", "ko")),
        "*예시 질문*\n"
        + "\n".join(f"• {q}" for q in phrase("example_questions", "ko").split("\n")),
        escape(phrase("slack_help", "en")),
        "*Example questions*\n"
        + "\n".join(f"• {q}" for q in phrase("example_questions", "en").split("\n")),
    ]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_help_example_finds_a_topic(engine: AnswerEngine, lang: str) -> None:
    for question in phrase("example_questions", lang).split("\n"):
        answer = engine.ask(question)
        assert answer.lang == lang
        assert answer.best is not None, question


def test_a_message_never_has_more_than_fifty_blocks() -> None:
    message = help_message(["en"] * 40)
    assert len(message.blocks) == MAX_BLOCKS


def test_insight_shows_number_title_passage_topic_and_video() -> None:
    topic = Section("talk", "en", 19, "Hiring <fast>", (), (), "https://youtu.be/Wpxv-8nG8ec", 120)
    insight = Insight(7, date(2026, 2, 3), topic, "Hire slowly.")
    message = insight_message(insight)
    assert texts(message.blocks) == [
        "Town Hall insight #7",
        "*Hiring &lt;fast&gt;*",
        "Hire slowly.",
        "Topic 19",
        "Watch the video",
    ]
    assert message.text == "Town Hall insight #7: Hiring &lt;fast&gt;"
