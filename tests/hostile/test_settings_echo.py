"""A token pasted into a non-secret setting never comes back on stderr."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main

# A signing secret has no token's shape: only knowing it as a secret can hide it.
SIGNING = "0123456789abcdef0123456789abcdef"
SLACK_BOT = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_APP = "xapp-1-A0TOWNHALL-1234567890-abcdef0123456789abcdef0123456789"
DISCORD = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "INSIGHT_", "TOWNHALL_", "KNOWLEDGE_")):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("variable", "token"),
    [
        ("DISCORD_GUILD_ID", DISCORD),
        ("DISCORD_ASK_COOLDOWN", SLACK_BOT),
        ("INSIGHT_TIME", SLACK_APP),
        ("INSIGHT_TIMEZONE", DISCORD),
        ("INSIGHT_SLACK_CHANNELS", SLACK_BOT),
        ("INSIGHT_DISCORD_CHANNELS", f"123,{DISCORD}"),
    ],
)
@pytest.mark.parametrize("command", [["serve"], ["insight", "--status"], ["knowledge", "check"]])
def test_a_token_in_the_wrong_variable_is_named_but_never_echoed(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    token: str,
    command: list[str],
) -> None:
    monkeypatch.setenv(variable, token)

    with pytest.raises(SystemExit) as exited:
        main(command)

    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"townhall: settings: {variable}: ")
    assert "[redacted]" in err
    for secret_part in (token, token.rsplit(",", 1)[-1], token[:20], token[-20:]):
        assert secret_part not in err


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KNOWLEDGE_DIR", f"/nonexistent/{SLACK_BOT}"),
        ("TOWNHALL_DB", f"/nonexistent/{DISCORD}.db"),
        ("TOWNHALL_CACHE_DIR", f"/nonexistent/{SLACK_APP}"),
        ("SLACK_API_URL", f"https://example.invalid/{SLACK_BOT}/"),
    ],
)
def test_doctor_never_echoes_a_token_pasted_into_a_path_or_url(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "townhall.db"))
    monkeypatch.setenv(variable, value)

    main(["doctor"])

    out = capsys.readouterr().out
    assert variable in out  # the finding still names the setting
    assert "[redacted]" in out
    for token in (SLACK_BOT, SLACK_APP, DISCORD):
        assert token not in out
        assert token[:20] not in out


def test_a_signing_secret_pasted_into_another_variable_is_never_echoed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING)
    monkeypatch.setenv("DISCORD_ASK_COOLDOWN", SIGNING)

    with pytest.raises(SystemExit):
        main(["knowledge", "check"])

    err = capsys.readouterr().err
    assert err.startswith("townhall: settings: DISCORD_ASK_COOLDOWN: ")
    assert SIGNING not in err


def test_a_secret_in_a_path_is_never_echoed_by_a_failing_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "townhall.db"))
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_BOT)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING)
    monkeypatch.setenv("KNOWLEDGE_DIR", f"/nonexistent/{SIGNING}")

    with pytest.raises(SystemExit) as exited:
        main(["knowledge", "check"])

    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("townhall: knowledge: ")
    assert "[redacted]" in err
    assert SIGNING not in err


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bob:hunter2@127.0.0.1:1/townhall",  # shorter than a redacted secret
        "postgresql://bob@127.0.0.1:1/townhall?password=hunter2&sslmode=disable",
        "postgresql://bob:hunter2/with?slash#and@127.0.0.1:1/townhall",  # as SQLAlchemy reads it
        "postgresql://bob@azure-server:hunter2@127.0.0.1:1/townhall",  # a user name with "@"
    ],
)
def test_doctor_never_shows_a_database_password_however_short(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", url)  # nothing listens on port 1

    main(["doctor"])

    out = capsys.readouterr().out
    assert "TOWNHALL_DB: postgresql://bob" in out
    assert "hunter2" not in out
    assert "slash" not in out
