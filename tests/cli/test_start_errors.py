"""Start-up and CLI failures: one line on stderr naming what to fix, never a traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest

from bot.cli import EXIT_BROKEN_PIPE, main
from bot.cli.common import database_problem, store_or_exit
from bot.console import EXIT_INTERRUPTED
from bot.settings import load_settings
from bot.store import open_store
from tests.fakes.discord_api import redirect_discord
from tests.fakes.slack_api import FakeSlack
from tests.permissions import without_write_permission
from tests.postgres import PostgresCluster

TOWNHALL = (sys.executable, "-m", "bot.cli")


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No platform variable and no .env from the machine; a database in the test's folder."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "INSIGHT_", "TOWNHALL_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "townhall.db"))


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another process is listening on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def error_lines(err: str) -> list[str]:
    """The `townhall: ` lines of stderr (the rest are JSON log lines)."""
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("townhall: ")]


async def serve_fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `townhall serve ARGS` in a thread (fakes keep serving here); its one error line."""
    with pytest.raises(SystemExit) as exited:
        await asyncio.to_thread(main, ["serve", *args])
    assert exited.value.code == 1
    [line] = error_lines(capsys.readouterr().err)
    return line


async def test_unreachable_discord_is_one_line_naming_where(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = closed_port()
    saved = redirect_discord(port)
    monkeypatch.setenv("DISCORD_TOKEN", "any-token")
    try:
        line = await serve_fails(capsys)
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
    assert line == (
        f"townhall: could not start: could not reach Discord at http://127.0.0.1:{port}/api/v10 "
        "(ClientConnectorError)"
    )


async def test_busy_slack_http_port_names_the_port_and_the_option(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], busy_port: int
) -> None:
    async with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
        line = await serve_fails(capsys, "--host", "127.0.0.1", "--port", str(busy_port))
    assert line == (
        f"townhall: Slack HTTP port 127.0.0.1:{busy_port} is already in use: "
        "stop the other process or choose another --port"
    )


async def test_busy_health_port_names_the_port_and_the_option(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], busy_port: int
) -> None:
    async with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
        args = ("--host", "127.0.0.1", "--port", "0", "--health-port", str(busy_port))
        line = await serve_fails(capsys, *args)
    assert line == (
        f"townhall: health port 127.0.0.1:{busy_port} is already in use: "
        "stop the other process or choose another --health-port"
    )


async def test_a_slack_api_url_answering_json_that_is_no_object_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
        slack.fail("auth.test", status=200, error="", body="[1]", content_type="application/json")
        line = await serve_fails(capsys, "--host", "127.0.0.1", "--port", "0")
    assert line == (
        "townhall: could not start: SLACK_API_URL answered something that is not Slack's "
        "Web API (HTTP 200) to auth.test"
    )


def test_a_slack_api_url_the_resolver_cannot_encode_is_one_settings_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_API_URL", "http://a..b/api/")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
    line = run_fails(capsys, "serve", "--host", "127.0.0.1", "--port", "0")
    assert line.startswith("townhall: settings: SLACK_API_URL: names a host that is no domain name")


@pytest.mark.parametrize("name", ["DISCORD_ASK_COOLDOWN", "SLACK_ASK_COOLDOWN"])
def test_an_endless_cooldown_is_one_settings_line_not_a_traceback_at_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "any-token")
    monkeypatch.setenv(name, "inf")
    line = run_fails(capsys, "serve")
    assert line == f"townhall: settings: {name}: Input should be a finite number (got 'inf')"


def test_doctor_names_an_endless_cooldown_as_the_problem_to_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "any-token")
    monkeypatch.setenv("DISCORD_ASK_COOLDOWN", "1e15")
    main(["doctor"])
    out = capsys.readouterr().out
    assert "FIX  settings: DISCORD_ASK_COOLDOWN: Input should be less than or equal to 86400" in out


def run_fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `townhall ARGS` in-process, expect exit 1; the one stderr line."""
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.rstrip("\n")


def test_database_path_that_is_a_folder_says_to_name_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path))
    monkeypatch.setenv("INSIGHT_SLACK_CHANNELS", "C1")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
    expected = (
        f"townhall: TOWNHALL_DB ({tmp_path}) is a folder: set TOWNHALL_DB to a file in it, "
        f"e.g. {tmp_path / 'townhall.db'}"
    )
    assert run_fails(capsys, "serve") == expected
    assert run_fails(capsys, "insight", "--status") == expected


def test_corrupted_database_says_it_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "townhall.db").write_bytes(b"not sqlite at all " * 400)
    line = run_fails(capsys, "insight", "--status")
    assert line.startswith(f"townhall: TOWNHALL_DB ({tmp_path / 'townhall.db'}) is not a usable")


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("attempt to write a readonly database"),
        PermissionError(13, "Permission denied"),
    ],
)
def test_read_only_database_asks_for_write_access(tmp_path: Path, error: Exception) -> None:
    # Tests run as root here, where no file is read-only; the mapping is checked directly.
    assert isinstance(error, sqlite3.Error | OSError)
    assert database_problem(tmp_path / "t.db", error) == (
        f"TOWNHALL_DB ({tmp_path / 't.db'}) is read-only for this user: let the user running "
        "townhall write to the file and its folder"
    )


def test_serve_stops_at_start_on_a_read_only_database_already_at_this_schema(
    tmp_path: Path,
) -> None:
    db = tmp_path / "townhall.db"
    store = open_store(db)
    store.upgrade()  # current: serve has no upgrade to write, which used to let it start
    store.close()
    db.chmod(0o444)
    environment = {
        **os.environ,
        "TOWNHALL_DB": str(db),
        "SLACK_BOT_TOKEN": "xoxb-1-abc",
        "SLACK_SIGNING_SECRET": "signing-secret",
    }
    done = subprocess.run(
        without_write_permission([*TOWNHALL, "serve", "--port", "0", "--health-port", "0"]),
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert error_lines(done.stderr) == [
        f"townhall: TOWNHALL_DB ({db}) is read-only for this user: let the user running "
        "townhall write to the file and its folder"
    ]


@pytest.mark.postgres
def test_serve_stops_at_start_when_the_postgresql_role_may_only_read(
    postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = postgres.create_database()
    owner = open_store(postgres.url(database))
    owner.upgrade()
    owner.close()
    role = f"reader_{database}"
    postgres.admin(f'CREATE ROLE "{role}" LOGIN')
    postgres.admin(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"', database)
    reader = postgres.url(database).replace("postgres@", f"{role}@", 1)
    monkeypatch.setenv("TOWNHALL_DB", reader)

    with pytest.raises(SystemExit) as exited:
        store_or_exit(load_settings())

    assert exited.value.code == 1
    line = capsys.readouterr().err
    assert line.startswith(f"townhall: TOWNHALL_DB ({reader}): ")
    assert "permission denied for table" in line
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public" in line
    postgres.drop_database(database)


@pytest.mark.postgres
def test_serve_stops_at_start_naming_grant_create_when_the_role_may_not_create_tables(
    postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = postgres.create_database()
    role = f"app_{database}"
    postgres.admin(f'CREATE ROLE "{role}" LOGIN')
    app = postgres.url(database).replace("postgres@", f"{role}@", 1)
    monkeypatch.setenv("TOWNHALL_DB", app)

    with pytest.raises(SystemExit) as exited:
        store_or_exit(load_settings())

    assert exited.value.code == 1
    line = capsys.readouterr().err
    assert line.startswith(f"townhall: TOWNHALL_DB ({app}): permission denied for schema public")
    assert "GRANT CREATE ON SCHEMA public" in line
    assert "GRANT SELECT" not in line
    postgres.drop_database(database)


def test_reader_closing_the_pipe_ends_insight_status_quietly() -> None:
    process = subprocess.Popen(
        [*TOWNHALL, "insight", "--status"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    process.stdout.close()  # like `| head -1` exiting before the status is written
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (EXIT_BROKEN_PIPE, b"")


def test_reader_closing_the_pipe_ends_an_ask_batch_quietly(tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text("what did he say about hiring\n" * 2000)
    with questions.open("rb") as stdin:
        process = subprocess.Popen(
            [*TOWNHALL, "ask", "-"], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert process.stdout is not None
        first = process.stdout.readline()
        process.stdout.close()  # `| head -1`
        _, err = process.communicate(timeout=60)
    assert first.startswith(b"Topic")
    assert (process.returncode, err) == (EXIT_BROKEN_PIPE, b"")


def test_ctrl_c_in_an_ask_batch_is_one_line() -> None:
    process = subprocess.Popen(
        [*TOWNHALL, "ask", "-", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(b"hiring\n")
    process.stdin.flush()
    assert b'"question": "hiring"' in process.stdout.readline()  # now waiting for the next
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (EXIT_INTERRUPTED, b"townhall: interrupted\n")


# A finder that interrupts the import of the command, as Ctrl-C during its first half
# second would (the engine's libraries loading): deterministic where a signal is not.
INTERRUPTED_WHILE_LOADING = """
import sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "bot.cli":
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupt())
from bot.console import run
run()
"""


def test_ctrl_c_while_the_command_loads_is_one_line() -> None:
    result = subprocess.run(  # noqa: PLW1510 - the status is what is tested
        [sys.executable, "-c", INTERRUPTED_WHILE_LOADING], capture_output=True, timeout=60
    )
    assert (result.returncode, result.stderr) == (EXIT_INTERRUPTED, b"townhall: interrupted\n")


def test_the_console_script_is_the_command() -> None:
    # What `townhall` runs (pyproject's [project.scripts]) answers like `python -m bot.cli`.
    result = subprocess.run(  # noqa: PLW1510 - the status is what is tested
        [sys.executable, "-c", "from bot.console import run; run()", "ask", "--json", "hiring"],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert b'"verdict"' in result.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["ask", "hiring"], ["ask", "--json", "-"]])
def test_a_full_disk_under_the_output_is_one_line(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(  # noqa: PLW1510 - the status is what is tested
            [*TOWNHALL, *args], input=b"hiring\n", stdout=full, stderr=subprocess.PIPE, timeout=60
        )
    assert result.returncode == 1
    assert result.stderr == b"townhall: cannot write the output: No space left on device\n"


@pytest.mark.parametrize(
    "args", [["ask", "hiring"], ["knowledge", "check"], ["insight", "--preview"], ["doctor"]]
)
def test_every_command_says_when_stdout_is_closed(args: list[str]) -> None:
    result = subprocess.run(  # noqa: PLW1510 - the status is what is tested
        [*TOWNHALL, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=60,
        preexec_fn=lambda: os.close(1),  # the child's own descriptor
    )
    assert result.returncode == 1
    assert result.stderr == b"townhall: standard output is closed: nowhere to write the result\n"


def test_an_unreadable_stdin_is_one_line(tmp_path: Path) -> None:
    with (tmp_path / "out.txt").open("wb") as write_only:
        result = subprocess.run(  # noqa: PLW1510 - the status is what is tested
            [*TOWNHALL, "ask", "-"], stdin=write_only, capture_output=True, timeout=60
        )
    assert result.returncode == 1
    assert result.stderr == b"townhall: cannot read standard input: Bad file descriptor\n"


def test_a_closed_stdin_is_one_line() -> None:
    result = subprocess.run(  # noqa: PLW1510 - the status is what is tested
        [*TOWNHALL, "ask", "-"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        preexec_fn=lambda: os.close(0),  # the child's own descriptor
    )
    assert result.returncode == 1
    assert result.stderr == b"townhall: standard input is closed: no questions to read\n"


def test_a_blank_line_of_a_readable_batch_is_said_on_stderr() -> None:
    result = subprocess.run(  # noqa: PLW1510 - the status is what is tested
        [*TOWNHALL, "ask", "-"], input=b"hiring\n\n@everyone\n", capture_output=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stderr.decode().splitlines() == [
        "townhall: line 2 skipped: the question is empty",
        "townhall: line 3 skipped: the question has no words, only mentions, links or markup",
    ]
    assert result.stdout.decode().startswith("Topic")


async def test_ctrl_c_stops_serve_cleanly(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        env = {
            **os.environ,
            "SLACK_API_URL": slack.api_url,
            "SLACK_BOT_TOKEN": "xoxb-1-abc",
            "SLACK_SIGNING_SECRET": "signing-secret",
        }
        process = await asyncio.create_subprocess_exec(
            *TOWNHALL,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        seen = b""
        while b"Slack events served over HTTP" not in seen:
            line = await asyncio.wait_for(process.stderr.readline(), 60)
            assert line, seen
            seen += line
        process.send_signal(signal.SIGINT)
        rest = await asyncio.wait_for(process.stderr.read(), 60)
        status = await process.wait()
    assert status == 0
    assert b"Traceback" not in rest
    assert b'"event": "all services stopped"' in rest


def test_serve_logs_no_warning_an_admin_cannot_act_on() -> None:
    # Discord and Slack (HTTP mode) both built, then stopped by unreachable APIs: every
    # start-up log line up to there is in stderr.
    port = closed_port()
    script = (
        "import sys; from tests.fakes.discord_api import redirect_discord; "
        f"redirect_discord({port}); from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {
        **os.environ,
        "DISCORD_TOKEN": "any-token",
        "SLACK_BOT_TOKEN": "xoxb-1-abc",
        "SLACK_SIGNING_SECRET": "signing-secret",
        "SLACK_API_URL": f"http://127.0.0.1:{port}/api/",
    }
    done = subprocess.run(
        [sys.executable, "-c", script, "serve", "--port", "0", "--log-format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],  # where `tests` imports from
    )
    assert done.returncode == 1, done.stderr
    warnings = [line for line in done.stderr.splitlines() if '"level": "warning"' in line]
    assert not [w for w in warnings if "voice" in w or "unused" in w], warnings
    assert len(error_lines(done.stderr)) == 1
