"""/ask end to end: the real discord.py client answers interactions from the fake Discord."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.adapters.discord import TownhallClient
from bot.answers import Answers
from bot.engine import AnswerEngine, Verdict
from bot.knowledge import Knowledge, Section
from bot.phrases import phrase
from bot.runner import Runner
from bot.runtime import GRACE_SECONDS, InFlight
from tests.adapters.discord.conftest import BotFactory, running
from tests.adapters.verdicts import FixedAnswers, constructed, pick_question
from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import APP_ID, MEMBER_ID, FakeDiscord

EPHEMERAL = 64
LOADING = 128  # the message flag of Discord's "thinking..." placeholder
TALK = "openai-town-hall-2026-01"
KOREAN_HIRING = "소프트웨어 엔지니어 채용의 변화"
ENGLISH_HIRING = "Changes in Software Engineer Hiring"


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button of a message payload, in order."""
    return [button for row in message.get("components", []) for button in row["components"]]


async def ask(fake: FakeDiscord, question: str, **options: Any) -> dict[str, Any]:
    """Send /ask and return the callback body the bot answered with."""
    locale = options.pop("locale", "en-US")
    member = options.pop("member", MEMBER_ID)
    interaction = fake.slash("ask", {"question": question, **options}, locale=locale, member=member)
    await fake.interact(interaction)
    return await fake.response_to(interaction)


async def test_korean_question_gets_the_korean_section(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    reply = await ask(fake, "OpenAI는 앞으로 채용 속도를 어떻게 하나요?")

    assert reply["type"] == 4
    message = reply["data"]
    (embed,) = message["embeds"]
    assert embed["title"] == KOREAN_HIRING
    assert "채용" in embed["description"]
    assert embed["footer"]["text"].startswith("19번 주제 · ")
    assert message["content"] == "> OpenAI는 앞으로 채용 속도를 어떻게 하나요?"
    watch = buttons(message)[0]
    assert (watch["label"], watch["url"]) == ("영상 보기", "https://youtu.be/Wpxv-8nG8ec")
    assert message.get("flags", 0) & EPHEMERAL == 0


async def test_english_question_gets_the_english_section_whatever_the_locale(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    reply = await ask(fake, "Is OpenAI going to hire fewer people?", locale="ko")

    (embed,) = reply["data"]["embeds"]
    assert embed["title"] == ENGLISH_HIRING
    assert embed["footer"]["text"].startswith("Topic 19 · ")
    assert buttons(reply["data"])[0]["label"] == "Watch the video"


async def test_related_topics_are_buttons_in_the_answer_language(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    reply = await ask(fake, "Is OpenAI going to hire fewer people?")

    related = [b for b in buttons(reply["data"]) if "custom_id" in b]
    assert related
    assert all(
        re.fullmatch(r"townhall:topic:[\w-]+:\d+:en:public:[0-9a-f]{8}", b["custom_id"])
        for b in related
    )
    (embed,) = reply["data"]["embeds"]
    assert embed["fields"][0]["name"] == "Related topics"


async def test_question_without_letters_follows_the_member_locale(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    reply = await ask(fake, "???", locale="ko")

    (embed,) = reply["data"]["embeds"]
    assert embed["title"] == "Town Hall에서 그 내용을 찾지 못했어요."


async def test_question_the_talk_does_not_answer_gets_the_nearest_topics_as_buttons(
    fake: FakeDiscord, bot: TownhallClient, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.NONE, lang="en")
    assert question is not None, "no candidate question gets NONE with nearest topics"
    nearest = [h.section.numbered_title for h in engine.ask(question).hits]

    reply = await ask(fake, question)

    (embed,) = reply["data"]["embeds"]
    assert embed["title"] == "I couldn't find that in the Town Hall."
    lines = embed["description"].split("\n")
    assert lines == ["Try asking about one of these topics:", *(f"• {t}" for t in nearest)]
    assert [b["label"] for b in buttons(reply["data"])] == nearest
    assert all(":public:" in b["custom_id"] for b in buttons(reply["data"]))


async def test_question_near_the_talk_gets_a_glimpse_and_the_closest_topics(
    fake: FakeDiscord, bot: TownhallClient, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.CLOSEST)
    if question is None:
        pytest.skip("the engine gives no candidate the CLOSEST verdict")
    answer = engine.ask(question)

    reply = await ask(fake, question)

    (embed,) = reply["data"]["embeds"]
    assert embed["title"] == phrase("closest_title", answer.lang)
    best = answer.hits[0]
    assert embed["description"].startswith(f"**{best.section.numbered_title}**\n")
    assert [b["label"] for b in buttons(reply["data"])] == [
        h.section.numbered_title for h in answer.hits
    ]


async def test_private_answer_is_ephemeral(fake: FakeDiscord, bot: TownhallClient) -> None:
    reply = await ask(fake, "What did Altman say about hiring?", private=True)

    assert reply["type"] == 4
    assert reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["embeds"][0]["title"] == ENGLISH_HIRING


async def test_mentions_in_question_cannot_ping(fake: FakeDiscord, bot: TownhallClient) -> None:
    reply = await ask(fake, "@everyone <@1234567890> @here what did Altman say about hiring?")

    message = reply["data"]
    assert message["allowed_mentions"] == {"parse": []}
    assert message["content"] == "> @everyone <@1234567890> @here what did Altman say about hiring?"
    assert message["embeds"][0]["title"] == ENGLISH_HIRING


async def test_markdown_in_question_is_quoted_as_typed(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    reply = await ask(fake, "**hiring**\n# at OpenAI?")

    assert reply["data"]["content"] == r"> \*\*hiring\*\* # at OpenAI?"


async def test_second_question_within_the_cooldown_gets_a_private_notice(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot(ask_cooldown=30)):
        first = await ask(fake, "What did Altman say about hiring?")
        second = await ask(fake, "What about college education?")
        other_member = await ask(fake, "What about college education?", member=MEMBER_ID + 1)

    assert first["data"]["embeds"][0]["title"] == ENGLISH_HIRING
    assert second["data"]["flags"] == EPHEMERAL
    assert "embeds" not in second["data"] or second["data"]["embeds"] == []
    assert re.fullmatch(
        r"Please wait a moment before asking again \(\d+s\)\.", second["data"]["content"]
    )
    assert second["data"]["allowed_mentions"] == {"parse": []}
    assert other_member["data"]["embeds"][0]["title"] == "The Value of a College Education"


async def test_cooldown_notice_is_in_the_member_language(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot(ask_cooldown=30)):
        await ask(fake, "채용은 어떻게 되나요?", locale="ko")
        second = await ask(fake, "채용은 어떻게 되나요?", locale="ko")

    assert re.fullmatch(r"잠시 후 다시 물어봐 주세요 \(\d+초\)\.", second["data"]["content"])


async def test_slow_answer_is_deferred_then_filled_in(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot(answer_budget=0)):
        interaction = fake.slash("ask", {"question": "What about hiring?", "private": True})
        await fake.interact(interaction)
        deferred = await fake.response_to(interaction)
        edit = await fake.wait_for_call(
            "PATCH", rf"/webhooks/{APP_ID}/{interaction['token']}/messages/@original"
        )

    assert deferred == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert edit.body["embeds"][0]["title"] == ENGLISH_HIRING
    assert edit.body["allowed_mentions"] == {"parse": []}


async def test_rate_limited_reply_is_retried(fake: FakeDiscord, bot: TownhallClient) -> None:
    fake.fail_next("POST", r"/interactions/\d+/[^/]+/callback", 429, retry_after=0.05)

    reply = await ask(fake, "What did Altman say about hiring?")

    attempts = fake.find_calls("POST", r"/interactions/\d+/[^/]+/callback")
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].body == attempts[1].body == reply
    assert reply["data"]["embeds"][0]["title"] == ENGLISH_HIRING


async def test_bot_resumes_after_the_gateway_closes_and_answers_the_next_question(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    await fake.close_gateway(code=4000)

    resume = await fake.wait_for_op(6)
    reply = await ask(fake, "What did Altman say about hiring?")

    assert len(fake.connections) == 2
    assert resume["d"]["session_id"] == fake.session_id
    assert resume["d"]["token"] == fake.token
    assert reply["data"]["embeds"][0]["title"] == ENGLISH_HIRING


async def test_blank_question_gets_a_private_example(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    reply = await ask(fake, "   ", locale="ko")

    assert reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["content"] == "질문을 입력해 주세요. 예: OpenAI는 채용을 어떻게 바꾸나요?"


@pytest.mark.parametrize("question", ["@everyone", "<@123> <@&456>", "https://evil.example/x"])
async def test_a_question_of_only_mentions_or_a_link_gets_the_private_example(
    fake: FakeDiscord, bot: TownhallClient, question: str
) -> None:
    # It asks nothing: "not in the talk" would be wrong, and the answer public.
    reply = await ask(fake, question, locale="en-US")

    assert reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["content"].startswith("Please type a question, for example: ")
    assert reply["data"]["allowed_mentions"] == {"parse": []}


async def click_first_topic(
    fake: FakeDiscord, message: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Click the first topic button of `message`; the button and the bot's reply to it."""
    button = next(b for b in buttons(message) if "custom_id" in b)
    click = fake.click(button["custom_id"], fake.message_from(message))
    await fake.interact(click)
    return button, await fake.response_to(click)


async def test_topic_button_under_a_public_answer_shows_the_topic_publicly(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    answer = await ask(fake, "Is OpenAI going to hire fewer people?")

    button, reply = await click_first_topic(fake, answer["data"])

    number = int(button["custom_id"].split(":")[3])
    assert reply["type"] == 4
    assert reply["data"].get("flags", 0) & EPHEMERAL == 0
    assert reply["data"]["allowed_mentions"] == {"parse": []}
    assert reply["data"]["embeds"][0]["title"] == button["label"]
    assert reply["data"]["embeds"][0]["footer"]["text"].startswith(f"Topic {number} · ")


async def test_public_topic_buttons_pressed_again_and_again_post_once_per_cooldown(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot(ask_cooldown=30)):
        answer = await ask(fake, "Is OpenAI going to hire fewer people?")
        # Right after the answer: what its buttons are for.
        _, first = await click_first_topic(fake, answer["data"])
        presses = [(await click_first_topic(fake, answer["data"]))[1] for _ in range(7)]
        private_answer = await ask(fake, "Is OpenAI going to hire fewer people?", private=True)
        _, private_press = await click_first_topic(fake, private_answer["data"])

    assert first["data"].get("flags", 0) & EPHEMERAL == 0
    assert all(p["data"]["flags"] == EPHEMERAL for p in presses)
    assert all(
        re.fullmatch(r"Please wait a moment before asking again \(\d+s\)\.", p["data"]["content"])
        for p in presses
    )
    # Only the member sees a private reply: those are not paced.
    assert private_press["data"]["embeds"]


async def test_a_private_notice_never_uses_up_the_cooldown(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot(ask_cooldown=30)):
        empty = await ask(fake, "<@1234567890> <https://example.com>")
        answered = await ask(fake, "What did Altman say about hiring?")

    assert empty["data"]["content"].startswith("Please type a question")
    assert answered["data"]["embeds"][0]["title"] == ENGLISH_HIRING


async def test_a_public_answer_that_could_not_be_sent_does_not_use_up_the_cooldown(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot(ask_cooldown=30)):
        fake.fail_next("POST", r"/interactions/\d+/[^/]+/callback", 400)
        await ask(fake, "What did Altman say about hiring?")
        again = await ask(fake, "What did Altman say about hiring?")

    assert again["data"]["embeds"][0]["title"] == ENGLISH_HIRING


async def test_topic_button_under_a_private_answer_shows_the_topic_privately(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    answer = await ask(fake, "Is OpenAI going to hire fewer people?", private=True)

    button, reply = await click_first_topic(fake, answer["data"])

    assert ":private:" in button["custom_id"]
    assert reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["embeds"][0]["title"] == button["label"]


async def test_topic_button_sent_before_a_restart_still_shows_its_topic(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot()):
        answer = await ask(fake, "Is OpenAI going to hire fewer people?", private=True)
    async with running(make_bot()):  # a new process: nothing of the first one remains
        button, reply = await click_first_topic(fake, answer["data"])

    assert reply["data"]["embeds"][0]["title"] == button["label"]


async def test_topic_button_of_an_older_release_shows_its_topic_privately(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    # Before the visibility was part of the custom id, every topic button was private.
    old = {
        "type": 1,
        "components": [
            {"type": 2, "style": 2, "label": "18. Old", "custom_id": f"townhall:topic:{TALK}:18:en"}
        ],
    }
    message = {"content": "", "embeds": [], "components": [old]}

    _, reply = await click_first_topic(fake, message)

    assert reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["embeds"][0]["title"] == "18. The Value of a College Education"


class EditedAnswers(Answers):
    """The same engine's answers, with the topics (buttons, titles) of edited knowledge."""

    def __init__(self, engine: AnswerEngine, runner: Runner, knowledge: Knowledge) -> None:
        super().__init__(engine, runner)
        self.edited = knowledge

    @property
    def knowledge(self) -> Knowledge:
        return self.edited


def edited(knowledge: Knowledge, number: Callable[[Section], int | None]) -> Knowledge:
    """`knowledge` with each section renumbered to `number(section)`, or taken out (None)."""
    return Knowledge(
        tuple(
            dataclasses.replace(
                d,
                sections=tuple(
                    dataclasses.replace(s, number=n)
                    for s in d.sections
                    if (n := number(s)) is not None
                ),
            )
            for d in knowledge.documents
        )
    )


async def test_topic_button_sent_before_an_edit_renumbered_the_topics_shows_its_labels_topic(
    fake: FakeDiscord, make_bot: BotFactory, answers: Answers, engine_lane: Runner
) -> None:
    # A new topic 1 goes in: every topic after the introduction moves up by one.
    moved = edited(answers.knowledge, lambda s: s.number + 1 if s.number else 0)
    async with running(make_bot()):
        answer = await ask(fake, "Is OpenAI going to hire fewer people?", private=True)
    async with running(make_bot(answers=EditedAnswers(answers.engine, engine_lane, moved))):
        button, reply = await click_first_topic(fake, answer["data"])

    number, _, title = button["label"].partition(". ")
    assert reply["data"]["embeds"][0]["title"] == f"{int(number) + 1}. {title}"


async def test_topic_button_whose_topic_was_taken_out_gets_a_private_notice(
    fake: FakeDiscord, make_bot: BotFactory, answers: Answers, engine_lane: Runner
) -> None:
    async with running(make_bot()):
        answer = await ask(fake, "Is OpenAI going to hire fewer people?", private=True)
    button = next(b for b in buttons(answer["data"]) if "custom_id" in b)
    gone = int(button["label"].partition(".")[0])
    # Taken out, and the next topic moved up into its number.
    shifted = edited(
        answers.knowledge, lambda s: None if s.number == gone else s.number - (s.number > gone)
    )
    async with running(make_bot(answers=EditedAnswers(answers.engine, engine_lane, shifted))):
        _, reply = await click_first_topic(fake, answer["data"])

    assert reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["content"] == phrase("topic_gone", "en")


async def test_topic_button_without_a_title_mark_shows_the_topic_its_number_names(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    # Sent by the release before the title's mark was part of the custom id.
    old = {
        "type": 1,
        "components": [
            {
                "type": 2,
                "style": 2,
                "label": "18. Old",
                "custom_id": f"townhall:topic:{TALK}:18:en:public",
            }
        ],
    }
    message = {"content": "", "embeds": [], "components": [old]}

    _, reply = await click_first_topic(fake, message)

    assert reply["data"].get("flags", 0) & EPHEMERAL == 0
    assert reply["data"]["embeds"][0]["title"] == "18. The Value of a College Education"


async def test_closest_answer_shows_each_nearest_topic_as_a_button_that_works(
    fake: FakeDiscord, make_bot: BotFactory, answers: Answers, engine_lane: Runner
) -> None:
    closest = constructed(answers.knowledge, Verdict.CLOSEST, [19, 18, 22])
    fixed = FixedAnswers(answers.engine, engine_lane, closest)

    async with running(make_bot(answers=fixed)):
        reply = await ask(fake, "hiring juniors?")
        button, shown = await click_first_topic(fake, reply["data"])

    (embed,) = reply["data"]["embeds"]
    assert embed["title"] == phrase("closest_title", "en")
    assert embed["description"].startswith("**19. Changes in Software Engineer Hiring**\n")
    assert len(embed["description"]) < 400  # a glimpse, not the whole excerpt
    assert [b["label"] for b in buttons(reply["data"])] == [
        "19. Changes in Software Engineer Hiring",
        "18. The Value of a College Education",
        "22. The Most Important Skills in the AI Era",
    ]
    assert reply["data"]["content"] == "> hiring juniors?"
    assert shown["data"]["embeds"][0]["title"] == button["label"]


async def test_nothing_near_the_question_points_to_the_topic_list(
    fake: FakeDiscord, make_bot: BotFactory, answers: Answers, engine_lane: Runner
) -> None:
    nothing = constructed(answers.knowledge, Verdict.NONE, [], lang="ko")
    async with running(make_bot(answers=FixedAnswers(answers.engine, engine_lane, nothing))):
        reply = await ask(fake, "우주 여행은 언제?")

    (embed,) = reply["data"]["embeds"]
    assert embed["title"] == phrase("not_found", "ko")
    assert embed["description"] == phrase("all_topics_hint", "ko")
    assert buttons(reply["data"]) == []


async def test_a_reset_after_the_answer_was_delivered_never_replaces_it_with_an_apology(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot(answer_budget=0)):  # deferred, then filled in
        interaction = fake.slash("ask", {"question": "What did Altman say about hiring?"})
        token = interaction["token"]
        fake.reset_after_next("PATCH", rf"/webhooks/\d+/{token}/messages/@original")
        await fake.interact(interaction)
        await fake.wait_for_call("PATCH", rf"/webhooks/\d+/{token}/messages/@original", status=0)
        await fake.wait_for_call("GET", rf"/webhooks/\d+/{token}/messages/@original")
        await asyncio.sleep(0.1)  # an apology would follow the check at once

    shown = fake.originals[token]
    assert shown["embeds"][0]["title"] == "Changes in Software Engineer Hiring"
    assert fake.find_calls("DELETE", rf"/webhooks/\d+/{token}/messages/@original") == []
    assert fake.find_calls("POST", rf"/webhooks/\d+/{token}") == []


async def test_a_reset_on_the_reply_itself_is_not_followed_by_a_second_reply(
    fake: FakeDiscord, bot: TownhallClient
) -> None:
    interaction = fake.slash("ask", {"question": "What did Altman say about hiring?"})
    fake.reset_after_next("POST", rf"/interactions/{interaction['id']}/[^/]+/callback")
    await fake.interact(interaction)
    await fake.wait_for_call("GET", rf"/webhooks/\d+/{interaction['token']}/messages/@original")
    await asyncio.sleep(0.1)

    callbacks = fake.find_calls("POST", rf"/interactions/{interaction['id']}/[^/]+/callback")
    assert [c.status for c in callbacks] == [0]  # delivered once; no apology tried after
    assert fake.originals[interaction["token"]]["embeds"][0]["title"] == ENGLISH_HIRING


async def test_a_reset_on_the_deferral_still_fills_in_the_thinking_message(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot(answer_budget=0)):
        interaction = fake.slash("ask", {"question": "What did Altman say about hiring?"})
        token = interaction["token"]
        callback = rf"/interactions/{interaction['id']}/[^/]+/callback"
        fake.reset_after_next("POST", callback)  # Discord shows "thinking...", we never hear
        await fake.interact(interaction)
        await fake.wait_for_call("PATCH", rf"/webhooks/\d+/{token}/messages/@original")

    shown = fake.originals[token]
    assert shown["embeds"][0]["title"] == ENGLISH_HIRING
    assert not shown["flags"] & LOADING
    assert [c.status for c in fake.find_calls("POST", callback)] == [0]  # no second response
    assert fake.find_calls("POST", rf"/webhooks/\d+/{token}") == []  # nor an apology


async def test_a_deferral_refused_as_already_acknowledged_still_fills_in_the_thinking_message(
    fake: FakeDiscord, make_bot: BotFactory
) -> None:
    async with running(make_bot(answer_budget=0)):
        interaction = fake.slash("ask", {"question": "What did Altman say about hiring?"})
        token = interaction["token"]
        # A retry of a deferral whose reply was lost: Discord has it, and refuses the retry.
        fake.acknowledge(interaction)
        await fake.interact(interaction)
        await fake.wait_for_call("PATCH", rf"/webhooks/\d+/{token}/messages/@original")

    assert fake.originals[token]["embeds"][0]["title"] == ENGLISH_HIRING


async def test_while_stopping_an_answer_under_way_is_sent_and_a_new_question_is_told_to_wait(
    fake: FakeDiscord, make_bot: BotFactory, bot_clock: ManualClock
) -> None:
    in_flight = InFlight()
    release = fake.hold("POST", r"/interactions/\d+/[^/]+/callback")
    async with running(make_bot(in_flight=in_flight)):
        first = fake.slash("ask", {"question": "What did Altman say about hiring?"})
        await fake.interact(first)
        async with asyncio.timeout(5):
            while in_flight.count < 1:  # the answer is under way (its reply held)
                await asyncio.sleep(0.01)

        draining = asyncio.create_task(in_flight.drain(GRACE_SECONDS, bot_clock))
        await bot_clock.wait_for_sleepers()  # the grace period has started
        release.set()
        second = fake.slash("ask", {"question": "What about college?"})
        await fake.interact(second)
        answered = await fake.response_to(first)
        told = await fake.response_to(second)
        assert await asyncio.wait_for(draining, 5) == []  # nothing abandoned

    assert answered["data"]["embeds"][0]["title"] == ENGLISH_HIRING
    assert told["data"]["flags"] == EPHEMERAL
    assert told["data"]["content"] == "The bot is restarting. Please ask again in a minute."
