"""`townhall serve`: which services start, and one-line errors for missing or bad settings."""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

import pytest

from bot.adapters.slack import SlackService
from bot.cli import main
from bot.cli.serve import NOTHING_TO_RUN, build_core, services_for
from bot.engine import AnswerEngine
from bot.runner import Runner
from bot.runtime import Service
from bot.settings import SettingsError, load_settings
from bot.usage import QuestionRetention
from tests.fakes.clock import ManualClock
from tests.stores import file_store


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SLACK_*/DISCORD_*/INSIGHT_* variable and no .env from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "INSIGHT_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def serve_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `townhall serve`, expect exit status 1, return the one stderr line."""
    with pytest.raises(SystemExit) as exited:
        main(["serve", *args])
    assert exited.value.code == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_nothing_configured_says_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_error(capsys) == f"townhall: {NOTHING_TO_RUN}"


def test_malformed_bot_token_names_the_variable_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token-secret")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A-1-abc")
    line = serve_error(capsys)
    assert line == "townhall: settings: SLACK_BOT_TOKEN: must be a bot token starting with xoxb-"


def test_malformed_app_token_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-1-abc")
    line = serve_error(capsys)
    assert line == (
        "townhall: settings: SLACK_APP_TOKEN: must be an app-level token starting with xapp-"
    )


def test_bot_token_alone_asks_for_an_app_token_or_signing_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
    line = serve_error(capsys)
    assert line == (
        "townhall: settings: SLACK_APP_TOKEN: missing "
        "(set it for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode)"
    )


def test_app_token_without_bot_token_names_slack_bot_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A-1-abc")
    line = serve_error(capsys)
    assert line == (
        "townhall: settings: SLACK_BOT_TOKEN: missing (the xoxb- token from OAuth & Permissions)"
    )


def test_unreachable_slack_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{port}/api")
    # The same retries as in production, waited out on a manual clock.
    clock = ManualClock(dt.datetime.now(dt.UTC))
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--host", "127.0.0.1", "--port", "0"], clock=clock)
    assert exited.value.code == 1
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == (
        f"townhall: could not start: could not reach Slack at http://127.0.0.1:{port}/api/ "
        "(ClientConnectorError)"
    )


def slack_services(
    engine: AnswerEngine, lane: Runner, tmp_path: Path, host: str, port: int
) -> list[Service]:
    """The services `serve` would start with the current environment, but the upkeep of
    the usage records (which comes with any of them)."""
    settings = load_settings()
    clock = ManualClock(dt.datetime.now(dt.UTC))
    with file_store(tmp_path / "state.db") as store:
        core = build_core(settings, engine, store=store, runner=lane, clock=clock)
        services = services_for(settings, core, host=host, port=port)
        return [s for s in services if not isinstance(s, QuestionRetention)]


def test_blank_slack_variables_count_as_unset(
    monkeypatch: pytest.MonkeyPatch, engine: AnswerEngine, engine_lane: Runner, tmp_path: Path
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    monkeypatch.setenv("SLACK_APP_TOKEN", " ")
    assert slack_services(engine, engine_lane, tmp_path, "127.0.0.1", 3000) == []


def test_socket_mode_service_when_bot_and_app_tokens_are_set(
    monkeypatch: pytest.MonkeyPatch, engine: AnswerEngine, engine_lane: Runner, tmp_path: Path
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A-1-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "also-set")
    [service] = slack_services(engine, engine_lane, tmp_path, "127.0.0.1", 3000)
    assert isinstance(service, SlackService)
    assert service.health() == {"mode": "socket", "connected": False}


def test_http_mode_service_listens_where_asked(
    monkeypatch: pytest.MonkeyPatch, engine: AnswerEngine, engine_lane: Runner, tmp_path: Path
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret")
    [service] = slack_services(engine, engine_lane, tmp_path, "127.0.0.2", 8123)
    assert isinstance(service, SlackService)
    assert (service.mode, service.host, service.port) == ("http", "127.0.0.2", 8123)


def test_bad_api_url_names_slack_api_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_API_URL", "slack.com/api")
    with pytest.raises(SettingsError, match=r"^SLACK_API_URL: must be an http\(s\) URL"):
        load_settings()


@pytest.mark.parametrize(
    "problem",
    ["a folder", "not a database", "unsupported scheme", "refused connection", "'@' in password"],
)
def test_a_townhall_db_that_cannot_be_used_stops_the_start_in_one_line_naming_it(
    problem: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    folder = Path.cwd() / "state"
    folder.mkdir()
    (folder / "garbage.db").write_bytes(b"not a database, just bytes " * 100)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    target = {
        "a folder": str(folder),
        "not a database": str(folder / "garbage.db"),
        "unsupported scheme": "mysql://townhall:hunter2@db/townhall",
        "refused connection": f"postgresql://townhall:hunter2@127.0.0.1:{free_port}/townhall",
        "'@' in password": f"postgresql://townhall:hunter2@Zq9@127.0.0.1:{free_port}/townhall",
    }[problem]
    monkeypatch.setenv("TOWNHALL_DB", target)

    line = serve_error(capsys, "--host", "127.0.0.1", "--port", "0")

    # A scheme it cannot open is refused with the settings, before anything is opened.
    assert line.startswith(("townhall: TOWNHALL_DB", "townhall: settings: TOWNHALL_DB: "))
    assert "hunter2" not in line
    assert "Zq9" not in line  # nor the tail of a password holding an "@"
    assert "Traceback" not in line
