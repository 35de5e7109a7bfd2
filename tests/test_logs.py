"""Logs are one JSON object per line, and no token or configured secret ever appears."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator

import pytest

from bot.logs import (
    REDACTED,
    JsonFormatter,
    RedactingFilter,
    Redactor,
    log_format,
    setup_logging,
)

SLACK_BOT = "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_APP = "xapp-1-A0123ABCD-1234567890123-0123456789abcdef0123456789abcdef"
DISCORD = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = setup_logging(["my-signing-secret-value"], stream=stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_json_line_per_event_with_extra_fields(output: io.StringIO) -> None:
    logging.getLogger("bot.test").info(
        "insight posted", extra={"platform": "slack", "channel": "C1", "attempt": 2}
    )
    [line] = lines(output)
    assert line["event"] == "insight posted"
    assert (line["level"], line["logger"]) == ("info", "bot.test")
    assert (line["platform"], line["channel"], line["attempt"]) == ("slack", "C1", 2)
    assert str(line["ts"]).endswith("+00:00")


@pytest.mark.parametrize("token", [SLACK_BOT, SLACK_APP, DISCORD, "my-signing-secret-value"])
def test_tokens_never_reach_the_output(output: io.StringIO, token: str) -> None:
    log = logging.getLogger("slack_sdk.web")  # a library's logger, not ours
    log.warning("calling with %s", token, extra={"headers": {"Authorization": f"Bearer {token}"}})
    log.error("token=" + token, extra={"token": token})
    try:
        raise RuntimeError(f"login failed for {token}")
    except RuntimeError:
        log.exception("failed")
    text = output.getvalue()
    assert token not in text
    assert text.count(REDACTED) >= 5
    assert len(lines(output)) == 3


INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTQwMDAwMDAwMDAwMDAwMDAwMDpUNFZ2SjNhT0FyY3k3a1Zx"


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            f"POST https://discord.com/api/v10/interactions/1400/{INTERACTION_TOKEN}/callback",
            "POST https://discord.com/api/v10/interactions/1400/[redacted]/callback",
        ),
        (
            f"PATCH /api/v10/webhooks/1300/{INTERACTION_TOKEN}/messages/@original 200",
            "PATCH /api/v10/webhooks/1300/[redacted]/messages/@original 200",
        ),
        (
            f'"POST /api/v10/interactions/1400/{INTERACTION_TOKEN}/callback?with_response=1 HTTP"',
            '"POST /api/v10/interactions/1400/[redacted]/callback?with_response=1 HTTP"',
        ),
    ],
)
def test_an_interaction_token_in_a_rest_path_is_redacted_keeping_the_route(
    line: str, kept: str
) -> None:
    assert Redactor()(line) == kept


@pytest.mark.parametrize(
    "payload",
    [
        {"op": 0, "t": "INTERACTION_CREATE", "d": {"id": "1400", "token": INTERACTION_TOKEN}},
        {"token": "a-short-token"},
    ],
)
def test_a_token_field_is_redacted_in_json_and_in_a_printed_dict(payload: object) -> None:
    for shown in (json.dumps(payload), str(payload)):
        redacted = Redactor()(shown)

        assert INTERACTION_TOKEN not in redacted
        assert "a-short-token" not in redacted
        assert REDACTED in redacted


def test_short_configured_values_are_not_redacted() -> None:
    redactor = Redactor(["abc", "long-enough-secret"])
    assert redactor("abc long-enough-secret") == f"abc {REDACTED}"


def test_filter_redacts_for_any_formatter() -> None:
    record = logging.LogRecord("x", logging.INFO, "f", 1, "token %s", (SLACK_BOT,), None)
    assert RedactingFilter(Redactor()).filter(record)
    assert logging.Formatter().format(record) == f"token {REDACTED}"
    assert json.loads(JsonFormatter().format(record))["event"] == f"token {REDACTED}"


def test_a_second_setup_replaces_the_first_handler(output: io.StringIO) -> None:
    again = io.StringIO()
    handler = setup_logging(stream=again)
    try:
        logging.getLogger("bot.test").info("once")
    finally:
        logging.getLogger().removeHandler(handler)
    assert output.getvalue() == ""
    assert [line["event"] for line in lines(again)] == ["once"]


@pytest.mark.parametrize("token", [SLACK_BOT, DISCORD, "my-signing-secret-value"])
def test_text_logs_are_one_readable_line_and_redacted_too(token: str) -> None:
    stream = io.StringIO()
    handler = setup_logging(["my-signing-secret-value"], stream=stream, form="text")
    try:
        logging.getLogger("bot.test").warning(
            "insight post failed", extra={"channel": "C1", "error": f"bad token {token}"}
        )
    finally:
        logging.getLogger().removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    assert token not in line
    assert line.split(" ", 2)[2] == (
        f'warning bot.test: insight post failed channel=C1 error="bad token {REDACTED}"'
    )


def test_auto_format_is_text_on_a_terminal_and_json_otherwise() -> None:
    reader, writer = os.openpty()
    try:
        with os.fdopen(writer, "w", closefd=False) as terminal:
            assert log_format("auto", terminal) == "text"
    finally:
        os.close(reader)
        os.close(writer)
    assert log_format("auto", io.StringIO()) == "json"
    assert log_format("json", io.StringIO()) == "json"
    assert log_format("text", io.StringIO()) == "text"
