"""A TOWNHALL_DB that can only be read by guessing is refused in one line naming it, before
anything is opened or created, and no part of its password is ever printed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.cli import main
from tests.fakes.clock import ManualClock

# 10:00 in Seoul, an hour after the 09:00 post: `insight --retry` goes on to the store.
NOW = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
# Nothing listens on port 1: a command that went on to connect would fail there.
PASSWORD_WITH_AT = "postgresql://townhall:P@ssw0rdTail@127.0.0.1:1/townhall"
QUERY_PASSWORD_WITH_AT = "postgresql://127.0.0.1:1/townhall?password=P@ssw0rdTail"
LIBPQ_KEYWORDS = "host=127.0.0.1 port=1 password=S3cr3tPw dbname=townhall"
COMMANDS = [["doctor"], ["insight", "--status"], ["stats"], ["insight", "--retry"]]


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting from the machine; a channel, so `insight --retry` has a post to retry."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "INSIGHT_", "TOWNHALL_", "STATS_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INSIGHT_DISCORD_CHANNELS", "123")


def printed(capsys: pytest.CaptureFixture[str], command: list[str]) -> tuple[int, str]:
    """The exit status of `townhall COMMAND` and all it printed, stdout and stderr."""
    try:
        status = main(command, clock=ManualClock(NOW))
    except SystemExit as exited:
        status = int(exited.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.out + captured.err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("target", [PASSWORD_WITH_AT, QUERY_PASSWORD_WITH_AT])
def test_an_unencoded_at_in_a_password_is_refused_without_showing_any_of_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    target: str,
    command: list[str],
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", target)

    status, output = printed(capsys, command)

    assert status == 1
    [line] = [line for line in output.splitlines() if "TOWNHALL_DB" in line]
    assert line.endswith(
        "TOWNHALL_DB: an unencoded '@' in the password or after it leaves unclear where the "
        "password ends: percent-encode each such '@' as %40, "
        "e.g. postgresql://user:p%40ss@host:5432/database"
    )
    for part in ("P@ss", "ssw0rd", "Tail"):
        assert part not in output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["doctor"], ["insight", "--status"], ["stats"]])
def test_the_percent_encoded_password_is_taken_and_never_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", PASSWORD_WITH_AT.replace("P@ss", "P%40ss"))

    status, output = printed(capsys, command)

    assert status == 1  # refused by the server (nothing listens), not by the settings
    assert "TOWNHALL_DB (postgresql://townhall:***@127.0.0.1:1/townhall): " in output
    for part in ("P@ss", "P%40ss", "ssw0rd", "Tail"):
        assert part not in output


@pytest.mark.parametrize("command", COMMANDS)
def test_a_libpq_keyword_string_is_refused_unechoed_and_creates_no_file(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: list[str],
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", LIBPQ_KEYWORDS)

    status, output = printed(capsys, command)

    assert status == 1
    [line] = [line for line in output.splitlines() if "TOWNHALL_DB" in line]
    assert line.endswith(
        "TOWNHALL_DB: a libpq key=value connection string is not read here: give a SQLite "
        "file path or a PostgreSQL URL (postgresql://user:password@host:5432/database)"
    )
    assert "S3cr3tPw" not in output
    assert "host=127.0.0.1" not in output
    assert list(tmp_path.iterdir()) == []  # not taken for a SQLite file's name


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("mysql://townhall:hunter2@db/townhall", "unsupported scheme 'mysql'; give a SQLite"),
        ("postgresql+psycopg2://townhall:hunter2@db/townhall", "unsupported scheme 'postgresql+"),
        ("sqlite:///state/townhall.db", "a SQLite database is given by its file path (such as"),
    ],
)
def test_a_url_of_another_kind_is_refused_with_the_settings(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    target: str,
    reason: str,
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", target)

    status, output = printed(capsys, ["insight", "--status"])

    assert (status, output.startswith(f"townhall: settings: TOWNHALL_DB: {reason}")) == (1, True)
    assert "hunter2" not in output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("postgresql:/admin:S3cr3tPass@db.internal/townhall", "looks like a URL without its '//'"),
        ("postgresql//admin:S3cr3tPass@db.internal/townhall", "looks like a URL without its '//'"),
        ("jdbc:postgresql://admin:S3cr3tPass@db:5432/townhall", "(or a JDBC URL)"),
        ("admin:S3cr3tPass@db.internal/townhall", "looks like a URL without its '//'"),
        (" postgresql://admin:S3cr3tPass@db.internal/townhall", "starts or ends with a space"),
        (
            "postgresql://admin@db.internal/townhall?password=S3cr3t&Pass=1",
            "an unencoded '&' or '=' in a password given in the query",
        ),
    ],
)
def test_a_mistyped_target_is_refused_unechoed_and_creates_nothing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    target: str,
    problem: str,
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", target)

    status, output = printed(capsys, ["doctor"])

    assert status == 1
    [line] = [line for line in output.splitlines() if "TOWNHALL_DB" in line]
    assert problem in line
    assert "S3cr3t" not in output
    assert "Pass" not in output.replace("password", "")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_target_with_a_nul_from_a_settings_file_is_refused_for_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "settings.env").write_bytes(b"TOWNHALL_DB=/tmp/townhall.db\x00S3cr3tPass\n")

    status, output = printed(capsys, [*command, "--env-file", str(tmp_path / "settings.env")])

    assert status == 1
    assert "TOWNHALL_DB: holds a control character" in output
    assert "S3cr3t" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.env"]


def test_a_short_password_is_not_spelled_out_by_masking_it_inside_other_words(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", "postgresql://townhall:on@127.0.0.1:1/townhall")

    status, output = printed(capsys, ["insight", "--status"])

    assert status == 1
    assert "connection" in output.lower()
    assert "***necti" not in output
    assert "townhall:***@127.0.0.1" in output
