"""The settings file: --env-file or TOWNHALL_ENV_FILE everywhere; typos and bad lines said once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.fakes.clock import ManualClock
from tests.permissions import without_write_permission

NOW = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No bot variable from the machine; the command runs in an empty folder."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "INSIGHT_", "TOWNHALL_", "STATS_")):
            monkeypatch.delenv(name)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")


@pytest.fixture
def service_file(tmp_path: Path) -> Path:
    """The service's settings file, in another folder than the one commands run in."""
    path = tmp_path / "townhall.env"
    path.write_text(f"INSIGHT_TIME=07:15\nTOWNHALL_DB={tmp_path / 'service.db'}\n")
    return path


def status(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    assert main([*args], clock=ManualClock(NOW)) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


@pytest.mark.parametrize(
    "args",
    [
        ("--env-file", "{file}", "insight", "--status"),
        ("insight", "--status", "--env-file", "{file}"),
    ],
)
def test_env_file_before_or_after_the_command_is_read(
    service_file: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    out, err = status(capsys, *(a.format(file=service_file) for a in args))
    assert out.splitlines()[1] == "Daily insight at 07:15 Asia/Seoul"
    assert str(service_file.parent / "service.db") in out.splitlines()[0]  # the warning names it
    assert err == ""


def test_townhall_env_file_names_the_file_for_admin_commands(
    service_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOWNHALL_ENV_FILE", str(service_file))
    out, _ = status(capsys, "insight", "--status")
    assert "Daily insight at 07:15 Asia/Seoul" in out


def test_env_file_option_wins_over_townhall_env_file(
    service_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = tmp_path / "other.env"
    other.write_text("INSIGHT_TIME=18:00\n")
    monkeypatch.setenv("TOWNHALL_ENV_FILE", str(service_file))
    out, _ = status(capsys, "--env-file", str(other), "insight", "--status")
    assert "Daily insight at 18:00 Asia/Seoul" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [(("--env-file", "missing.env"), "--env-file missing.env"), ((), "TOWNHALL_ENV_FILE gone.env")],
)
def test_a_settings_file_that_does_not_exist_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    named: str,
) -> None:
    monkeypatch.setenv("TOWNHALL_ENV_FILE", "gone.env")
    with pytest.raises(SystemExit) as exited:
        main([*args, "knowledge", "check"])
    assert exited.value.code == 1
    assert capsys.readouterr().err == f"townhall: settings: {named}: no such file\n"


def test_a_folder_given_as_the_settings_file_is_named_as_a_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--env-file", str(tmp_path), "knowledge", "check"])
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        f"townhall: settings: --env-file {tmp_path}: a folder, not a settings file\n"
    )


def test_misspelt_variables_are_named_with_the_nearest_setting(
    service_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with service_file.open("a") as file:
        file.write("DISCORD_TOKN=abc\n")
    monkeypatch.setenv("INSIGHT_TIMEZON", "Europe/Berlin")
    _, err = status(capsys, "--env-file", str(service_file), "insight", "--status")
    assert err.splitlines() == [
        "townhall: warning: DISCORD_TOKN (in "
        f"{service_file}) is ignored: did you mean DISCORD_TOKEN?",
        "townhall: warning: INSIGHT_TIMEZON (in the environment) is ignored: "
        "did you mean INSIGHT_TIMEZONE?",
    ]


def test_a_bad_line_is_reported_once_with_file_and_line(
    service_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service_file.write_text("INSIGHT_TIME=07:15\nthis is not a setting\nINSIGHT_TIMEZONE=UTC\n")
    out, err = status(capsys, "--env-file", str(service_file), "insight", "--status")
    assert err == f"townhall: warning: {service_file}:2: line not read (expected NAME=value)\n"
    assert "Daily insight at 07:15 UTC" in out  # the lines around it are read


def test_doctor_shows_the_file_read_and_counts_a_typo_as_a_problem(
    service_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with service_file.open("a") as file:
        file.write("SLACK_BOT_TOKN=xoxb-1-abc\n")
    assert main(["doctor", "--env-file", str(service_file)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"ok   settings file: {service_file} (and the environment, which wins)" in lines
    at = lines.index(
        f"FIX  settings: SLACK_BOT_TOKN (in {service_file}) is ignored: "
        "did you mean SLACK_BOT_TOKEN?"
    )
    assert lines[at + 1] == "     fix: correct or remove it"


def test_knowledge_check_reads_the_env_file_given_after_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "broken.env"
    settings.write_text(f"KNOWLEDGE_DIR={tmp_path / 'no-such-folder'}\n")
    with pytest.raises(SystemExit) as exited:
        main(["knowledge", "check", "--env-file", str(settings)])
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        f"townhall: knowledge: KNOWLEDGE_DIR ({tmp_path / 'no-such-folder'}): no such folder\n"
    )


@pytest.mark.parametrize("named_by", ["--env-file", "TOWNHALL_ENV_FILE", "./.env"])
def test_a_settings_file_that_is_not_utf8_is_one_line_naming_file_and_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    named_by: str,
) -> None:
    path = tmp_path / "elsewhere" / ".env" if named_by == "./.env" else tmp_path / "latin1.env"
    path.write_bytes(b"INSIGHT_TIME=07:15\nSLACK_SIGNING_SECRET=caf\xe9-secret\n")
    args = ["--env-file", str(path)] if named_by == "--env-file" else []
    if named_by == "TOWNHALL_ENV_FILE":
        monkeypatch.setenv("TOWNHALL_ENV_FILE", str(path))
    with pytest.raises(SystemExit) as exited:
        main([*args, "insight", "--status"])
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        f"townhall: settings: {path}:2: not UTF-8 text (invalid continuation byte): "
        "save it as UTF-8\n"
    )


def test_doctor_names_a_settings_file_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.env"
    path.write_bytes(b"SLACK_SIGNING_SECRET=caf\xe9-secret\n")
    assert main(["doctor", "--env-file", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        f"FIX  settings: {path}:1: not UTF-8 text (invalid continuation byte): save it as UTF-8",
        "     fix: fix what it names, then run doctor again",
    ]


def test_a_settings_file_this_user_cannot_read_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "townhall.env"
    path.write_text("INSIGHT_TIME=07:15\n")
    path.chmod(0o000)  # as /etc/townhall/townhall.env is to a user outside its group
    done = subprocess.run(
        without_write_permission(
            [sys.executable, "-m", "bot.cli", "--env-file", str(path), "insight", "--status"]
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (
        1,
        f"townhall: settings: {path}: cannot be read (Permission denied)\n",
    )


def test_a_bad_line_beside_a_bad_value_is_said_once_before_the_error(tmp_path: Path) -> None:
    # In a process of its own: python-dotenv's own warning, if let through, goes to stderr
    # by logging's last resort (under pytest it would go to pytest's log capture instead).
    path = tmp_path / "townhall.env"
    path.write_text("this is not a setting\nSLACK_SIGNING_SECRET=a-signing-secret\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--env-file", str(path), "insight", "--status"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr.splitlines()) == (
        1,
        [
            f"townhall: warning: {path}:1: line not read (expected NAME=value)",
            "townhall: settings: SLACK_BOT_TOKEN: missing (the xoxb- token from OAuth & "
            "Permissions)",
        ],
    )


def test_doctor_shows_a_bad_line_beside_a_bad_value_before_the_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "townhall.env"
    path.write_text("this is not a setting\nSLACK_BOT_TOKN=xoxb-1-2\nSLACK_SIGNING_SECRET=s\n")
    assert main(["doctor", "--env-file", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"FIX  settings: {path}:1: line not read (expected NAME=value)",
        "     fix: correct or remove it",
        f"FIX  settings: SLACK_BOT_TOKN (in {path}) is ignored: did you mean SLACK_BOT_TOKEN?",
        "     fix: correct or remove it",
        "FIX  settings: SLACK_BOT_TOKEN: missing (the xoxb- token from OAuth & Permissions)",
        "     fix: fix what it names, then run doctor again",
        "3 problem(s): fix them, then run `townhall doctor` again",
    ]
