"""The real slack-bolt AsyncApp served over HTTP through our adapter, against a fake Slack."""

from __future__ import annotations

import json
import logging
import time

import pytest

from bot.adapters.slack.client import MAX_QUOTED, RetryPolicy
from bot.adapters.slack.render import WATCH_ACTION, escape
from bot.answers import Answers
from bot.engine import AnswerEngine, Verdict
from bot.phrases import phrase
from bot.runner import Runner
from tests.adapters.slack.conftest import (
    HttpBot,
    all_text,
    button_press,
    direct_message,
    eventually,
    mention,
    serving_http,
    topic_buttons,
)
from tests.adapters.verdicts import FixedAnswers, constructed, pick_question
from tests.fakes.clock import ManualClock
from tests.fakes.slack_api import FakeSlack


def section_number(params: dict[str, object]) -> str:
    """The "Topic N" line of a posted answer."""
    blocks = params["blocks"]
    assert isinstance(blocks, list)
    return str(blocks[2]["elements"][0]["text"])


async def test_english_mention_is_answered_in_english_in_the_thread_of_the_mention(
    http_bot: HttpBot,
) -> None:
    status = await http_bot.send_event(
        mention("Is OpenAI going to hire fewer people?", ts="1769000000.000100"), "Ev1"
    )
    assert status == 200
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "C1"
    assert post.params["thread_ts"] == "1769000000.000100"
    assert post.params["blocks"][0]["text"]["text"] == "Changes in Software Engineer Hiring"
    assert section_number(post.params) == "Topic 19"
    assert post.token == "xoxb-test-bot-token"


async def test_korean_mention_is_answered_in_korean(http_bot: HttpBot) -> None:
    await http_bot.send_event(mention("OpenAI는 앞으로 채용 속도를 어떻게 하나요?"), "Ev1")
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    assert post.params["blocks"][0]["text"]["text"] == "소프트웨어 엔지니어 채용의 변화"
    assert section_number(post.params) == "19번 주제"
    assert "채용" in post.params["blocks"][1]["text"]["text"]


async def test_mention_inside_a_thread_answers_in_that_thread(http_bot: HttpBot) -> None:
    event = mention("Is college still worth it?", ts="1769000050.000300", thread_ts="1769000000.1")
    await http_bot.send_event(event, "Ev1")
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1769000000.1"
    assert section_number(post.params) == "Topic 18"


@pytest.mark.parametrize("text", ["", "<https://evil.example/x>", "<https://x.example|> <@U2>"])
async def test_bare_mention_shows_help_only_to_the_member(http_bot: HttpBot, text: str) -> None:
    # A link as Slack sends it, or another member's mention, is no question either.
    await http_bot.send_event(mention(text), "Ev1")
    [help_post] = await http_bot.slack.wait_for("chat.postEphemeral")
    assert help_post.params["channel"] == "C1"
    assert help_post.params["user"] == "U1"
    assert help_post.params["blocks"][0]["text"]["text"] == "Town Hall 봇 / Town Hall bot"
    assert http_bot.slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    "poster",
    [{"bot_id": "BOTHER", "subtype": "bot_message"}, {"subtype": "webhook"}],
    ids=["bot", "no-user"],
)
@pytest.mark.parametrize("text", ["", "hiring?"], ids=["bare", "question"])
async def test_mentions_by_bots_and_webhooks_are_ignored_without_a_traceback(
    http_bot: HttpBot, poster: dict[str, str], text: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Another app's post can mention the bot; it carries no member to answer or pace.
    by_app = {k: v for k, v in mention(text, ts="1769.1").items() if k != "user"}
    assert await http_bot.send_event(by_app | poster, "EvApp") == 200
    # A later mention is answered; had the first been, its reply would have come first.
    await http_bot.send_event(mention("Is college still worth it?", ts="1769.2"), "EvMember")
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1769.2"
    assert http_bot.slack.calls_to("chat.postEphemeral") == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_direct_message_is_answered_in_the_dm(http_bot: HttpBot) -> None:
    await http_bot.send_event(direct_message("What skills matter most in the AI era?"), "Ev1")
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "D1"
    assert "thread_ts" not in post.params
    assert section_number(post.params) == "Topic 22"


async def test_edits_and_bot_messages_in_the_dm_are_not_answered(http_bot: HttpBot) -> None:
    edited = direct_message("hiring?", subtype="message_changed")
    from_bot = direct_message("hiring?", bot_id="BOTHER")
    assert await http_bot.send_event(edited, "Ev1") == 200
    assert await http_bot.send_event(from_bot, "Ev2") == 200
    # A later question is answered; had the first two been, they would have come first.
    await http_bot.send_event(direct_message("Is college still worth it?"), "Ev3")
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    assert section_number(post.params) == "Topic 18"


async def test_a_dm_question_with_a_screenshot_attached_is_answered(http_bot: HttpBot) -> None:
    with_file = direct_message(
        "Is college still worth it?",
        subtype="file_share",
        files=[{"id": "F1", "name": "screenshot.png", "mimetype": "image/png"}],
    )
    await http_bot.send_event(with_file, "Ev1")
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "D1"
    assert section_number(post.params) == "Topic 18"


async def test_off_topic_question_gets_not_found_and_the_nearest_topics_as_buttons(
    http_bot: HttpBot, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.NONE, lang="en")
    assert question is not None, "no candidate question gets NONE with nearest topics"
    await http_bot.send_event(mention(question), "Ev1")
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    blocks = post.params["blocks"]
    assert blocks[0]["text"]["text"] == phrase("not_found", "en")
    assert blocks[1]["text"]["text"] == phrase("try_topics", "en")
    nearest = [h.section.numbered_title for h in engine.ask(question).hits]
    assert [b["text"]["text"] for b in topic_buttons(blocks)] == nearest


async def test_question_near_the_talk_gets_the_closest_topics_as_buttons(
    http_bot: HttpBot, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.CLOSEST)
    if question is None:
        pytest.skip("the engine gives no candidate the CLOSEST verdict")
    answer = engine.ask(question)
    await http_bot.send_event(mention(question), "Ev1")
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    blocks = post.params["blocks"]
    assert blocks[0]["text"]["text"] == escape(phrase("closest_title", answer.lang))
    assert [b["text"]["text"] for b in topic_buttons(blocks)] == [
        escape(h.section.numbered_title) for h in answer.hits
    ]


async def test_topic_button_under_a_mention_answer_shows_the_topic_in_its_thread(
    http_bot: HttpBot, engine: AnswerEngine
) -> None:
    question = pick_question(engine, Verdict.NONE, lang="en")
    assert question is not None
    await http_bot.send_event(mention(question, ts="1769000000.000100"), "Ev1")
    [answer] = await http_bot.slack.wait_for("chat.postMessage")
    posted = http_bot.slack.messages["C1"][-1]
    button = topic_buttons(answer.params["blocks"])[0]

    assert await http_bot.press(button_press(button, message=posted)) == 200

    [_, shown] = await http_bot.slack.wait_for("chat.postMessage", count=2)
    assert shown.params["channel"] == "C1"
    assert shown.params["thread_ts"] == "1769000000.000100"  # the mention's thread
    assert shown.params["blocks"][0]["text"]["text"] == button["text"]["text"]
    assert (shown.params["unfurl_links"], shown.params["unfurl_media"]) == (False, False)


async def test_a_member_flooding_a_channel_gets_one_reply_of_each_kind_per_cooldown(
    slack: FakeSlack, answers: Answers, engine: AnswerEngine, policy: RetryPolicy
) -> None:
    question = pick_question(engine, Verdict.NONE, lang="en")
    assert question is not None
    async with serving_http(slack, answers, policy, ask_cooldown=30) as bot:
        await bot.send_event(mention(question, ts="1769000000.000100"), "Ev1")
        [answer] = await bot.slack.wait_for("chat.postMessage")
        posted = bot.slack.messages["C1"][-1]
        button = topic_buttons(answer.params["blocks"])[0]
        # Right after the answer, one of its topics: what the buttons are for.
        for press in range(3):
            payload = button_press(button, message=posted) | {"trigger_id": f"1.2.{press}"}
            assert await bot.press(payload) == 200
        await bot.send_event(mention(question, ts="1769000000.000200"), "Ev2")
        told = await bot.slack.wait_for("chat.postEphemeral", count=3)

    assert len(bot.slack.calls_to("chat.postMessage")) == 2  # the answer and one topic
    for call in told:
        assert (call.params["channel"], call.params["user"]) == ("C1", "U1")
        assert call.params["text"].splitlines() == [
            phrase("cooldown", "ko", seconds=30),
            phrase("cooldown", "en", seconds=30),
        ]


async def test_topic_buttons_in_the_bots_dm_are_not_paced(
    slack: FakeSlack, answers: Answers, engine_lane: Runner, policy: RetryPolicy
) -> None:
    # Only the member reads the bot's DM, as DM questions (never paced) show.
    closest = constructed(answers.knowledge, Verdict.CLOSEST, [18, 19], lang="en")
    fixed = FixedAnswers(answers.engine, engine_lane, closest)
    async with serving_http(slack, fixed, policy, ask_cooldown=30) as bot:
        await bot.send_event(direct_message("college?"), "Ev1")
        [answer] = await slack.wait_for("chat.postMessage")
        posted = slack.messages["D1"][-1]
        for press, button in enumerate(topic_buttons(answer.params["blocks"])):
            payload = button_press(button, channel="D1", message=posted)
            assert await bot.press(payload | {"trigger_id": f"1.2.{press}"}) == 200
        replies = ("chat.postMessage", "chat.postEphemeral")
        await slack.wait_until(lambda: sum(len(slack.calls_to(m)) for m in replies) == 3)

    assert slack.calls_to("chat.postEphemeral") == []  # no "please wait"
    [_, *shown] = slack.calls_to("chat.postMessage")
    assert {c.params["channel"] for c in shown} == {"D1"}
    assert sorted(c.params["blocks"][0]["text"]["text"] for c in shown) == [
        "18. The Value of a College Education",
        "19. Changes in Software Engineer Hiring",
    ]


async def test_a_mention_whose_answer_could_not_be_posted_does_not_use_up_the_cooldown(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy
) -> None:
    async with serving_http(slack, answers, policy, ask_cooldown=30) as bot:
        bot.slack.fail("chat.postMessage", status=200, error="channel_not_found")
        await bot.send_event(mention("Is college still worth it?", ts="1769000000.000100"), "Ev1")
        await bot.slack.wait_for("chat.postMessage")
        await bot.send_event(mention("Is college still worth it?", ts="1769000000.000200"), "Ev2")
        await bot.slack.wait_for("chat.postMessage", count=2)

    assert [c.status for c in bot.slack.calls_to("chat.postMessage")][-1] == 200
    assert not bot.slack.calls_to("chat.postEphemeral")


async def test_topic_button_under_a_direct_message_answer_replies_in_its_thread(
    http_bot: HttpBot,
    slack: FakeSlack,
    answers: Answers,
    engine_lane: Runner,
    policy: RetryPolicy,
) -> None:
    closest = constructed(answers.knowledge, Verdict.CLOSEST, [18, 19], lang="ko")
    fixed = FixedAnswers(answers.engine, engine_lane, closest)
    async with serving_http(slack, fixed, policy) as bot:
        await bot.send_event(direct_message("대학 가야 해?"), "Ev1")
        [answer] = await slack.wait_for("chat.postMessage")
        posted = slack.messages["D1"][-1]
        buttons = topic_buttons(answer.params["blocks"])
        assert await bot.press(button_press(buttons[1], channel="D1", message=posted)) == 200
        [_, shown] = await slack.wait_for("chat.postMessage", count=2)

    assert answer.params["blocks"][0]["text"]["text"] == escape(phrase("closest_title", "ko"))
    assert [b["text"]["text"] for b in buttons] == [
        "18. 대학 교육의 가치",
        "19. 소프트웨어 엔지니어 채용의 변화",
    ]
    assert (shown.params["channel"], shown.params["thread_ts"]) == ("D1", posted["ts"])
    assert shown.params["blocks"][0]["text"]["text"] == "19. 소프트웨어 엔지니어 채용의 변화"


async def test_topic_button_under_a_slash_command_answer_shows_the_topic_to_the_member_only(
    slack: FakeSlack, answers: Answers, engine_lane: Runner, policy: RetryPolicy
) -> None:
    nothing = constructed(answers.knowledge, Verdict.NONE, [22, 18])
    fixed = FixedAnswers(answers.engine, engine_lane, nothing)
    async with serving_http(slack, fixed, policy) as bot:
        await bot.send_command("what about pizza?")
        [reply] = await slack.wait_for("response:cmd")
        button = topic_buttons(reply.params["blocks"])[0]
        press = button_press(button, response_url=slack.response_url("press"))
        assert await bot.press(press) == 200
        [shown] = await slack.wait_for("response:press")

    assert shown.params["response_type"] == "ephemeral"
    assert shown.params["replace_original"] is False
    assert (
        shown.params["blocks"][0]["text"]["text"] == "22. The Most Important Skills in the AI Era"
    )
    assert slack.calls_to("chat.postMessage") == []  # nothing in the channel for others


async def test_redelivered_event_is_answered_once(http_bot: HttpBot) -> None:
    event = mention("Is OpenAI going to hire fewer people?")
    assert await http_bot.send_event(event, "EvSame") == 200
    assert await http_bot.send_event(event, "EvSame", retry_num=1) == 200
    assert await http_bot.send_event(event, "EvSame", retry_num=2) == 200
    # A different event afterwards is answered; the retries, had they been, came before it.
    await http_bot.send_event(direct_message("Is college still worth it?"), "EvOther")
    posts = await http_bot.slack.wait_for("chat.postMessage", count=2)
    assert [p.params["channel"] for p in posts] == ["C1", "D1"]


async def test_mentions_in_the_question_never_go_out_live(http_bot: HttpBot) -> None:
    await http_bot.send_command("<!channel> <!everyone> <!here> <@U123> hiring & firing?")
    [reply] = await http_bot.slack.wait_for("response:cmd")
    posted = all_text(reply.params)
    assert "&lt;!channel&gt; &lt;!everyone&gt; &lt;!here&gt; &lt;@U123&gt;" in posted
    assert "<!" not in posted
    assert "<@" not in posted


async def test_what_slack_escapes_is_read_as_typed_and_echoed_escaped_once(
    http_bot: HttpBot,
) -> None:
    # Slack sends &, < and > typed by the member as &amp;, &lt; and &gt;.
    await http_bot.send_command("R&amp;D hiring &lt;3 college?")
    [reply] = await http_bot.slack.wait_for("response:cmd")
    assert reply.params["blocks"][0]["elements"][0]["text"] == (
        "You asked: R&amp;D hiring &lt;3 college?"
    )


async def test_slash_command_is_acked_then_answered_ephemerally(http_bot: HttpBot) -> None:
    status, body = await http_bot.send_command("Is college still worth it?")
    assert (status, body) == (200, "")
    [reply] = await http_bot.slack.wait_for("response:cmd")
    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["blocks"][0]["elements"][0]["text"] == (
        "You asked: Is college still worth it?"
    )
    assert reply.params["blocks"][1]["text"]["text"] == "The Value of a College Education"


async def test_slash_command_without_text_shows_help_in_the_ack(http_bot: HttpBot) -> None:
    status, body = await http_bot.send_command("  ")
    assert status == 200
    ack = json.loads(body)
    assert ack["response_type"] == "ephemeral"
    assert ack["blocks"][0]["text"]["text"] == "Town Hall 봇 / Town Hall bot"
    examples = [b["text"]["text"] for b in ack["blocks"] if b["type"] == "section"]
    assert "• Is a college education still worth it?" in examples[-1]


async def test_video_button_click_is_acked(http_bot: HttpBot) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0TEAM"},
        "user": {"id": "U1"},
        "api_app_id": "A0TOWNHALL",
        "container": {"type": "message", "channel_id": "C1", "message_ts": "1.2"},
        "channel": {"id": "C1"},
        "trigger_id": "1.2.3",
        "response_url": http_bot.slack.response_url("click"),
        "actions": [{"action_id": WATCH_ACTION, "block_id": "b", "type": "button"}],
    }
    body = ("payload=" + json.dumps(payload)).encode()
    status, _ = await http_bot.post(body, "application/x-www-form-urlencoded")
    assert status == 200


async def test_forged_signature_is_refused(http_bot: HttpBot) -> None:
    body = json.dumps({"type": "event_callback", "event": mention("hiring")}).encode()
    status, _ = await http_bot.post(body, "application/json", secret="not-the-secret")
    assert status == 401
    assert http_bot.slack.calls_to("chat.postMessage") == []


async def test_stale_timestamp_is_refused(http_bot: HttpBot) -> None:
    body = json.dumps({"type": "event_callback", "event": mention("hiring")}).encode()
    status, _ = await http_bot.post(body, "application/json", timestamp=int(time.time()) - 600)
    assert status == 401


async def test_url_verification_returns_the_challenge(http_bot: HttpBot) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"}).encode()
    status, text = await http_bot.post(body, "application/json")
    assert status == 200
    assert json.loads(text) == {"challenge": "c-123"}


async def test_healthz_on_the_slack_port_is_the_slack_services_own_state(
    http_bot: HttpBot,
) -> None:
    async with http_bot.session.get(f"{http_bot.url}/healthz") as response:
        assert response.status == 200
        assert response.headers["Server"] == "townhall"
        assert await response.json() == {
            "ok": True,
            "services": {"slack": {"mode": "http", "connected": True}},
        }


async def test_rate_limited_post_is_retried_after_retry_after(
    http_bot: HttpBot, clock: ManualClock
) -> None:
    http_bot.slack.fail(
        "chat.postMessage", status=429, error="ratelimited", headers={"Retry-After": "7"}
    )
    await http_bot.send_event(mention("Is college still worth it?"), "Ev1")
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    assert [c.status for c in http_bot.slack.calls_to("chat.postMessage")] == [429, 200]
    assert clock.naps == [7.0]
    assert section_number(post.params) == "Topic 18"


async def test_server_error_is_looked_for_then_retried_a_bounded_number_of_times_then_logged(
    http_bot: HttpBot, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.adapters.slack")
    http_bot.slack.fail("chat.postMessage", status=500, error="internal_error", times=3)
    await http_bot.send_event(mention("Is college still worth it?"), "EvFails")
    await http_bot.slack.wait_for("chat.postMessage", count=3, status=500)
    await eventually(
        lambda: any(r.message.startswith("Slack reply failed") for r in caplog.records)
    )
    # The next event is answered: one failing reply does not stop the app.
    await http_bot.send_event(direct_message("What skills matter most in the AI era?"), "EvOk")
    [post] = await http_bot.slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "D1"
    statuses = [c.status for c in http_bot.slack.calls_to("chat.postMessage")]
    assert statuses == [500, 500, 500, 200]  # the first try, two retries, then the next event
    assert clock.naps == [0.5, 1.0]
    # Slack may have posted behind a 5xx: the reply is looked for before each retry.
    assert len(http_bot.slack.calls_to("conversations.replies")) == 2
    retries = [r for r in caplog.records if r.message.startswith("a reply may not have been")]
    assert [r.status for r in retries] == [500, 500]  # type: ignore[attr-defined]
    [failure] = [r for r in caplog.records if r.message.startswith("Slack reply failed")]
    assert failure.levelno == logging.ERROR
    assert failure.channel == "C1"  # type: ignore[attr-defined]
    assert failure.event_id == "EvFails"  # type: ignore[attr-defined]
    assert "HTTP 500, internal_error" in failure.message
    assert all("xoxb-" not in r.getMessage() for r in caplog.records)


async def test_refused_response_url_is_logged_with_channel_and_command(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.adapters.slack")
    http_bot.slack.fail("response:cmd", status=404, error="expired_url")
    status, _ = await http_bot.send_command("Is college still worth it?")
    assert status == 200
    await eventually(
        lambda: any(r.message.startswith("Slack reply failed") for r in caplog.records)
    )
    [failure] = [r for r in caplog.records if r.message.startswith("Slack reply failed")]
    assert failure.channel == "C1"  # type: ignore[attr-defined]
    assert failure.command == "/townhall"  # type: ignore[attr-defined]
    assert "response_url answered 404" in failure.message
    # Nothing else is sent to a response_url that is gone.
    assert [c.status for c in http_bot.slack.calls_to("response:cmd")] == [404]


async def test_a_refused_response_urls_answer_is_logged_cut_and_printable(
    http_bot: HttpBot, caplog: pytest.LogCaptureFixture
) -> None:
    # Whatever answers a response_url (a proxy's error page) may be huge or hold escapes.
    page = "<html>" + "A" * 200_000 + "\x1b[31mred</html>"
    http_bot.slack.fail("response:cmd", status=404, error=page)
    await http_bot.send_command("Is college still worth it?")
    await eventually(
        lambda: any(r.message.startswith("Slack reply failed") for r in caplog.records)
    )
    [failure] = [r for r in caplog.records if r.message.startswith("Slack reply failed")]
    assert failure.message == (
        "Slack reply failed: ResponseUrlError: response_url answered 404: "
        f"<html>{'A' * (MAX_QUOTED - 9)}..."
    )
