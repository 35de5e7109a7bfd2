"""`townhall serve`: one-line errors an admin can act on, and never the token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.serve import NOTHING_TO_RUN
from tests.fakes.discord_api import FakeDiscord

WRONG_TOKEN = "MTIzNDU2.wrong-token-value.abcdef"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """The fake Discord, installed into discord.py for this test only."""
    async with FakeDiscord() as server:
        yield server


def test_serve_with_nothing_configured_exits_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)

    with pytest.raises(SystemExit) as exited:
        main(["serve"])

    assert exited.value.code == 1
    assert capsys.readouterr().err == f"townhall: {NOTHING_TO_RUN}\n"


async def test_serve_with_a_wrong_token_exits_with_one_line_naming_DISCORD_TOKEN(  # noqa: N802
    fake: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", WRONG_TOKEN)
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "townhall.db"))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(SystemExit) as exited:
        # `main` runs its own event loop, so it gets a thread; the fake keeps serving here.
        await asyncio.to_thread(main, ["serve", "--log-level", "debug"])

    assert exited.value.code == 1
    # stderr carries the log lines too (the fake server's as well); one line is the error.
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("townhall: ")]
    assert len(errors) == 1
    assert errors[0].startswith("townhall: DISCORD_TOKEN was rejected by Discord")
    assert WRONG_TOKEN not in err
    assert WRONG_TOKEN not in caplog.text
    assert fake.find_calls("GET", "/users/@me", status=401)


def test_serve_with_a_blank_token_counts_as_nothing_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DISCORD_TOKEN=\nDISCORD_GUILD_ID=\n")
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("DISCORD_GUILD_ID", raising=False)

    with pytest.raises(SystemExit) as exited:
        main(["serve"])

    assert exited.value.code == 1
    assert capsys.readouterr().err.startswith("townhall: nothing to run: set DISCORD_TOKEN")


def test_serve_with_a_negative_cooldown_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_ASK_COOLDOWN", "-1")

    with pytest.raises(SystemExit) as exited:
        main(["serve"])

    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("townhall: settings: DISCORD_ASK_COOLDOWN: ")
    assert err.count("\n") == 1


async def test_serve_at_debug_keeps_discords_payload_loggers_at_info(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", WRONG_TOKEN)  # serve sets up its logs, then exits
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "townhall.db"))

    with pytest.raises(SystemExit):
        await asyncio.to_thread(main, ["serve", "--log-level", "debug"])

    assert logging.getLogger().level == logging.DEBUG
    for name in ("discord.gateway", "discord.http", "discord.webhook.async_"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.INFO, name
