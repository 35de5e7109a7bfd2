"""`townhall doctor` against the local Discord and Slack: each problem named with its fix."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
from pydantic import SecretStr

from bot.adapters.discord.doctor import channel_permissions
from bot.adapters.slack.doctor import check_slack
from bot.checks import Finding
from bot.cli import main
from bot.engine.meaning import spare_vectors
from bot.settings import BUNDLED_KNOWLEDGE, HttpMode, SlackApp
from bot.store import open_store
from bot.store.migrate import head_revision
from bot.store.watch import PROBE_KEY
from tests.fakes.discord_api import (
    BOT_ID,
    CHANNEL_ID,
    GUILD_ID,
    TOKEN,
    FakeDiscord,
    redirect_discord,
)
from tests.fakes.slack_api import FakeSlack
from tests.permissions import without_write_permission
from tests.postgres import PostgresCluster

BOT_TOKEN = "xoxb-1-doctor-secret-value"
APP_TOKEN = "xapp-1-A1-doctor-app-secret"
EMBED = discord.Permissions(embed_links=True).value
SEND = discord.Permissions(send_messages=True).value
IN_THREADS = discord.Permissions(send_messages_in_threads=True).value
THREAD = 1_300_000_000_000_000_099
ROLE = 1_300_000_000_000_000_077


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No platform variable and no .env from the machine; a database in the test's folder."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "INSIGHT_", "TOWNHALL_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "townhall.db"))


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """The local Discord, with the bot's token and one insight channel configured."""
    async with FakeDiscord() as fake:
        monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
        monkeypatch.setenv("INSIGHT_DISCORD_CHANNELS", str(CHANNEL_ID))
        yield fake


@pytest.fixture
async def fake_slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    """The local Slack, with Socket Mode tokens and one insight channel configured."""
    async with FakeSlack() as fake:
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
        monkeypatch.setenv("INSIGHT_SLACK_CHANNELS", "C0GENERAL:en")
        yield fake


async def doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `townhall doctor` (in a thread: the fakes serve on this loop); status and output."""
    status = await asyncio.to_thread(main, ["doctor"])
    out = capsys.readouterr().out
    for secret in (TOKEN, BOT_TOKEN, APP_TOKEN):
        assert secret not in out
    return status, out


def fixes(out: str) -> list[str]:
    """The `fix:` lines, in order."""
    return [line.strip().removeprefix("fix: ") for line in out.splitlines() if "fix:" in line]


async def test_everything_working_exits_0_and_shows_what_was_read(
    fake_discord: FakeDiscord,
    fake_slack: FakeSlack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / ".env").write_text("DISCORD_ASK_COOLDOWN=3\n")
    # A state file from before the schema was versioned (as bot/state.py made it).
    with sqlite3.connect(tmp_path / "townhall.db") as made:
        made.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    status, out = await doctor(capsys)
    assert status == 0, out
    lines = out.splitlines()
    assert f"ok   settings file: {tmp_path / '.env'} (and the environment, which wins)" in lines
    assert "ok   DISCORD_TOKEN: set" in lines
    assert "ok   DISCORD_ASK_COOLDOWN: 3.0" in lines
    assert "ok   SLACK_SIGNING_SECRET: unset" in lines
    assert "ok   Slack: would run in Socket Mode (SLACK_APP_TOKEN)" in lines
    assert "ok   DISCORD_TOKEN: logs in as townhall (1300000000000000002)" in lines
    assert "ok   SLACK_APP_TOKEN: accepted: Socket Mode can connect" in lines
    assert "ok   Slack channel C0GENERAL: #channel-c0general: the bot is a member" in lines
    assert any(line.startswith(f"ok   Discord channel {CHANNEL_ID}: #") for line in lines)
    assert (
        f"ok   TOWNHALL_DB: {tmp_path / 'townhall.db'}, schema revision none: older than "
        f"this townhall's {head_revision()}, which upgrades it keeping every row"
    ) in lines
    assert lines[-1] == "Everything would work."


async def test_refused_discord_token_is_named_with_its_fix(
    fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.wrong-token-value.abcdef")
    status, out = await doctor(capsys)
    assert status == 1
    assert "FIX  DISCORD_TOKEN: refused by Discord" in out.splitlines()
    assert fixes(out) == ["copy the bot token again from the Developer Portal (Bot > Reset Token)"]
    assert "wrong-token-value" not in out


async def test_unknown_discord_channel_points_at_the_setting(
    fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INSIGHT_DISCORD_CHANNELS", "42")
    status, out = await doctor(capsys)
    assert status == 1
    assert fixes(out)[0].startswith("check INSIGHT_DISCORD_CHANNELS")


async def test_discord_channel_the_bot_cannot_see_asks_for_view_channel(
    fake_discord: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_discord.forbidden_channels.add(CHANNEL_ID)
    status, out = await doctor(capsys)
    assert status == 1
    assert fixes(out) == [
        "give the bot's role View Channel in the channel's settings (Permissions)"
    ]


async def test_overwrite_denying_embeds_names_the_missing_permission(
    fake_discord: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_discord.overwrites[CHANNEL_ID] = [{"id": GUILD_ID, "type": 0, "allow": 0, "deny": EMBED}]
    status, out = await doctor(capsys)
    assert status == 1
    [fix] = fixes(out)
    assert fix.startswith("allow Embed Links for the bot's role in #channel-")


async def test_the_bots_role_allowed_back_in_the_channel_is_fine(
    fake_discord: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_discord.roles[ROLE] = 0
    fake_discord.bot_roles = [ROLE]
    fake_discord.overwrites[CHANNEL_ID] = [
        {"id": GUILD_ID, "type": 0, "allow": 0, "deny": EMBED | SEND},
        {"id": ROLE, "type": 0, "allow": EMBED | SEND, "deny": 0},
    ]
    status, out = await doctor(capsys)
    assert status == 0, out


@pytest.mark.parametrize(("kind", "what"), [(4, "a category"), (15, "a forum")])
async def test_a_discord_channel_that_holds_no_messages_is_refused(
    fake_discord: FakeDiscord, capsys: pytest.CaptureFixture[str], kind: int, what: str
) -> None:
    fake_discord.channel_types[CHANNEL_ID] = kind
    status, out = await doctor(capsys)
    assert status == 1
    assert (
        f"FIX  Discord channel {CHANNEL_ID}: #channel-{str(CHANNEL_ID)[-4:]} is {what}, "
        "where the bot cannot post a message"
    ) in out.splitlines()
    assert fixes(out) == [
        "use a text or announcement channel (or a thread) in INSIGHT_DISCORD_CHANNELS"
    ]


@pytest.fixture
def thread(fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> int:
    """A thread under the insight channel, configured as the insight channel instead."""
    fake_discord.channels[THREAD] = []
    fake_discord.channel_types[THREAD] = 11
    fake_discord.parents[THREAD] = CHANNEL_ID
    fake_discord.roles[GUILD_ID] |= IN_THREADS
    monkeypatch.setenv("INSIGHT_DISCORD_CHANNELS", str(THREAD))
    return THREAD


async def test_a_discord_thread_needs_send_messages_in_threads_in_its_parent(
    fake_discord: FakeDiscord, thread: int, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_discord.overwrites[CHANNEL_ID] = [
        {"id": GUILD_ID, "type": 0, "allow": 0, "deny": IN_THREADS}
    ]
    status, out = await doctor(capsys)
    assert status == 1
    parent = f"#channel-{str(CHANNEL_ID)[-4:]}"
    assert fixes(out) == [
        f"allow Send Messages in Threads for the bot's role in {parent} "
        "(Edit Channel > Permissions)"
    ]


async def test_a_discord_thread_is_judged_by_its_parents_overwrites(
    fake_discord: FakeDiscord, thread: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # Send Messages denied: a thread needs only Send Messages in Threads; Embed Links denied
    # in the parent is denied in its threads too.
    fake_discord.overwrites[CHANNEL_ID] = [
        {"id": GUILD_ID, "type": 0, "allow": 0, "deny": SEND | EMBED}
    ]
    status, out = await doctor(capsys)
    assert status == 1
    [fix] = fixes(out)
    assert fix.startswith("allow Embed Links for the bot's role in #channel-")


async def test_a_discord_thread_the_bot_may_post_in_is_fine(
    fake_discord: FakeDiscord, thread: int, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_discord.overwrites[CHANNEL_ID] = [{"id": GUILD_ID, "type": 0, "allow": 0, "deny": SEND}]
    status, out = await doctor(capsys)
    assert status == 0, out
    assert (
        f"ok   Discord channel {THREAD}: #channel-{str(THREAD)[-4:]}: the bot may view, "
        "send in threads, embed links and read history"
    ) in out.splitlines()


async def test_a_discord_server_error_on_a_channel_is_a_finding_and_the_rest_are_kept(
    fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_discord.channels[THREAD] = []
    monkeypatch.setenv("INSIGHT_DISCORD_CHANNELS", f"{CHANNEL_ID},{THREAD}")
    fake_discord.fail_next("GET", rf"/channels/{CHANNEL_ID}", 503, times=20)
    status, out = await doctor(capsys)
    assert status == 1
    lines = out.splitlines()
    assert f"FIX  Discord channel {CHANNEL_ID}: not checked: Discord answered 503" in lines
    assert any(line.startswith(f"ok   Discord channel {THREAD}: #") for line in lines)
    assert "ok   DISCORD_TOKEN: logs in as townhall (1300000000000000002)" in lines
    assert fixes(out) == ["try again later: Discord could not answer now"]


async def test_a_discord_server_error_on_the_login_does_not_blame_the_token(
    fake_discord: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_discord.fail_next("GET", r"/users/@me", 503, times=20)
    status, out = await doctor(capsys)
    assert status == 1
    assert (
        "FIX  Discord: answered 503 to the login, so DISCORD_TOKEN was not checked"
        in out.splitlines()
    )
    assert fixes(out) == ["try again later: Discord could not answer now (not a token problem)"]


def permissions(
    everyone: int, role: int, overwrites: list[dict[str, int]], owner: int = 1
) -> discord.Permissions:
    guild = {
        "id": str(GUILD_ID),
        "owner_id": str(owner),
        "roles": [
            {"id": str(GUILD_ID), "permissions": str(everyone)},
            {"id": str(ROLE), "permissions": str(role)},
        ],
    }
    member = {"roles": [str(ROLE)]}
    channel = {"permission_overwrites": overwrites}
    return channel_permissions(guild, member, channel, BOT_ID)


def test_member_overwrite_wins_over_role_overwrites() -> None:
    allowed = permissions(
        SEND,
        0,
        [
            {"id": ROLE, "type": 0, "allow": 0, "deny": SEND},
            {"id": BOT_ID, "type": 1, "allow": SEND, "deny": 0},
        ],
    )
    assert allowed.send_messages


def test_role_overwrite_deny_removes_what_everyone_grants() -> None:
    allowed = permissions(SEND | EMBED, 0, [{"id": ROLE, "type": 0, "allow": 0, "deny": EMBED}])
    assert (allowed.send_messages, allowed.embed_links) == (True, False)


def test_administrator_ignores_overwrites_and_the_owner_has_everything() -> None:
    admin = discord.Permissions(administrator=True).value
    assert permissions(
        0, admin, [{"id": GUILD_ID, "type": 0, "allow": 0, "deny": SEND}]
    ).send_messages
    assert permissions(0, 0, [], owner=BOT_ID).embed_links


async def test_slack_channel_without_the_bot_says_how_to_invite_it(
    fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_slack.outside_channels.add("C0GENERAL")
    status, out = await doctor(capsys)
    assert status == 1
    assert fixes(out) == ["invite the bot: /invite @townhall in #channel-c0general"]


async def test_unknown_slack_channel_points_at_the_setting(
    fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_slack.missing_channels.add("C0GENERAL")
    status, out = await doctor(capsys)
    assert status == 1
    assert fixes(out)[0].startswith("check INSIGHT_SLACK_CHANNELS")


async def test_refused_slack_tokens_are_each_named(
    fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_slack.refused_tokens.add(APP_TOKEN)
    status, out = await doctor(capsys)
    assert status == 1
    assert "FIX  SLACK_APP_TOKEN: refused by Slack (invalid_auth)" in out.splitlines()
    fake_slack.refused_tokens.add(BOT_TOKEN)
    status, out = await doctor(capsys)
    assert "FIX  SLACK_BOT_TOKEN: refused by Slack (invalid_auth)" in out.splitlines()


@pytest.mark.parametrize(
    ("failure", "answered"),
    [
        ({"status": 500, "error": "internal_error"}, "HTTP 500 (internal_error)"),
        # A proxy's page, not Slack's JSON: slack_sdk hands over its text, with no code.
        ({"status": 503, "error": "", "body": "upstream connect error"}, "HTTP 503"),
        (
            {"status": 429, "error": "ratelimited", "headers": {"Retry-After": "30"}},
            "HTTP 429 (ratelimited)",
        ),
    ],
)
async def test_slack_failing_auth_test_for_its_own_trouble_is_not_blamed_on_the_token(
    fake_slack: FakeSlack,
    capsys: pytest.CaptureFixture[str],
    failure: dict[str, Any],
    answered: str,
) -> None:
    fake_slack.fail("auth.test", **failure)
    status, out = await doctor(capsys)
    assert status == 1
    assert (
        f"FIX  Slack: answered {answered} to auth.test, so SLACK_BOT_TOKEN was not checked"
    ) in out.splitlines()
    assert fixes(out) == ["try again later: Slack could not answer now (not a token problem)"]


async def test_slack_failing_to_open_a_socket_for_its_own_trouble_is_not_blamed_on_the_token(
    fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_slack.fail("apps.connections.open", status=502, error="", body="Bad Gateway")
    status, out = await doctor(capsys)
    assert status == 1
    lines = out.splitlines()
    assert "ok   SLACK_BOT_TOKEN: accepted: @townhall in Town Hall Test" in lines
    assert (
        "FIX  Slack: answered HTTP 502 to apps.connections.open, so SLACK_APP_TOKEN was not checked"
    ) in lines
    assert fixes(out) == ["try again later: Slack could not answer now (not a token problem)"]


@pytest.mark.parametrize(
    ("failure", "line", "fix"),
    [
        (
            {"status": 404, "error": "", "body": "Not Found"},
            "FIX  SLACK_BOT_TOKEN: not checked: {url} answered HTTP 404 to auth.test",
            "check SLACK_API_URL: it should be Slack's Web API root (https://slack.com/api/)",
        ),
        (
            {"status": 200, "error": "team_access_not_granted"},
            "FIX  SLACK_BOT_TOKEN: not checked: Slack answered team_access_not_granted to "
            "auth.test",
            "see api.slack.com/methods/auth.test (team_access_not_granted)",
        ),
    ],
)
async def test_a_slack_answer_that_is_no_refusal_does_not_blame_the_token(
    fake_slack: FakeSlack,
    capsys: pytest.CaptureFixture[str],
    failure: dict[str, Any],
    line: str,
    fix: str,
) -> None:
    fake_slack.fail("auth.test", **failure)
    status, out = await doctor(capsys)
    assert status == 1
    assert line.format(url=fake_slack.api_url) in out.splitlines()
    assert fixes(out) == [fix]


async def test_an_expired_slack_token_is_named_with_its_fix(
    fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_slack.fail("auth.test", status=200, error="token_expired")
    status, out = await doctor(capsys)
    assert status == 1
    assert "FIX  SLACK_BOT_TOKEN: refused by Slack (token_expired)" in out.splitlines()
    assert fixes(out) == ["copy the Bot User OAuth Token (xoxb-) again from OAuth & Permissions"]


async def test_unreachable_discord_is_a_problem_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        saved = redirect_discord(probe.getsockname()[1])  # nothing listens there
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    try:
        status, out = await doctor(capsys)
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
    assert status == 1
    assert fixes(out) == ["check this host's network access to discord.com"]


async def test_nothing_configured_is_a_problem(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = await doctor(capsys)
    assert status == 1
    assert fixes(out)[0].startswith("set DISCORD_TOKEN for Discord")


async def test_database_states(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "townhall.db"
    _, out = await doctor(capsys)
    assert f"ok   TOWNHALL_DB: {db} does not exist yet; `townhall serve` creates it" in out
    store = open_store(db)
    store.upgrade()
    _, out = await doctor(capsys)
    assert f"ok   TOWNHALL_DB: {db}, schema revision {head_revision()} (current)" in out
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    _, out = await doctor(capsys)
    assert "upgrade townhall to the version that wrote this database" in fixes(out)
    store.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"garbage " * 1000)
    monkeypatch.setenv("TOWNHALL_DB", str(garbage))
    _, out = await doctor(capsys)
    assert f"TOWNHALL_DB ({garbage}) is not a usable SQLite database" in out


@pytest.mark.parametrize("where", ["current.db", "locked-folder/new.db", "locked-folder/a/new.db"])
def test_a_database_this_user_cannot_write_or_create_is_a_problem(
    tmp_path: Path, where: str
) -> None:
    current = tmp_path / "current.db"
    store = open_store(current)
    store.upgrade()
    store.close()
    current.chmod(0o444)
    (tmp_path / "locked-folder").mkdir(mode=0o555)
    done = subprocess.run(
        without_write_permission([sys.executable, "-m", "bot.cli", "doctor"]),
        cwd=tmp_path,
        env={**os.environ, "TOWNHALL_DB": where},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert f"FIX  TOWNHALL_DB: {where}" in done.stdout.splitlines()
    assert (
        f"     fix: TOWNHALL_DB ({where}) is read-only for this user: let the user running "
        "townhall write to the file and its folder"
    ) in done.stdout.splitlines()


def upgraded_database(postgres: PostgresCluster) -> str:
    """A new PostgreSQL database at this code's schema, made by the superuser; its name."""
    database = postgres.create_database()
    owner = open_store(postgres.url(database))
    owner.upgrade()  # at this code's schema: no upgrade is due to try a write
    owner.close()
    return database


@pytest.mark.postgres
async def test_a_postgresql_role_that_may_only_read_is_a_problem_naming_the_grant(
    postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = upgraded_database(postgres)
    role = f"reader_{database}"
    postgres.admin(f'CREATE ROLE "{role}" LOGIN')
    postgres.admin(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"', database)
    # The server trusts 127.0.0.1, so the password is never checked, only never shown.
    reader = postgres.url(database).replace("postgres@", f"{role}:hunter2@", 1)
    shown = reader.replace("hunter2", "***")
    monkeypatch.setenv("TOWNHALL_DB", reader)

    status, out = await doctor(capsys)

    assert status == 1
    assert "hunter2" not in out
    assert f"FIX  TOWNHALL_DB: {shown}" in out.splitlines()
    assert (
        f"TOWNHALL_DB ({shown}): permission denied for table kv; let the role in TOWNHALL_DB "
        "write townhall's tables: GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
        "public (or the one its search_path names) TO <that role>, or connect as the role that "
        "owns them (a schema upgrade needs the owner)"
    ) in fixes(out)

    postgres.admin(
        f'GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"', database
    )
    _, out = await doctor(capsys)
    assert f"ok   TOWNHALL_DB: {shown}, schema revision {head_revision()} (current)" in out
    owner = open_store(postgres.url(database), reading=True)
    assert owner.values.get(PROBE_KEY) is None  # the write doctor tried was rolled back
    owner.close()
    postgres.drop_database(database)


@pytest.mark.postgres
async def test_a_postgresql_role_that_may_not_create_the_schema_is_a_problem_naming_the_grant(
    postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = postgres.create_database()  # empty: serve would create the tables
    role = f"app_{database}"
    postgres.admin(f'CREATE ROLE "{role}" LOGIN')
    # PostgreSQL 15 grants nobody CREATE on public: this role may connect, not make tables.
    app = postgres.url(database).replace("postgres@", f"{role}@", 1)
    monkeypatch.setenv("TOWNHALL_DB", app)

    status, out = await doctor(capsys)

    assert status == 1
    assert "Everything would work." not in out
    assert f"FIX  TOWNHALL_DB: {app}" in out.splitlines()
    assert (
        f"TOWNHALL_DB ({app}): permission denied for schema public; let the role in "
        "TOWNHALL_DB create townhall's tables: GRANT CREATE ON SCHEMA public (or the one its "
        "search_path names) TO <that role>, or connect as the database's owner"
    ) in fixes(out)

    postgres.admin(f'GRANT CREATE ON SCHEMA public TO "{role}"', database)
    _, out = await doctor(capsys)
    assert (
        f"ok   TOWNHALL_DB: {app}, schema revision none: older than this townhall's "
        f"{head_revision()}, which upgrades it keeping every row"
    ) in out
    owner = open_store(postgres.url(database), reading=True)
    assert owner.revision() is None  # the upgrade doctor tried was rolled back
    assert not owner.holds_state()
    owner.close()
    postgres.drop_database(database)


@pytest.mark.postgres
async def test_a_postgresql_search_path_naming_no_schema_is_a_problem(
    postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = postgres.create_database()
    target = postgres.url(database, "nope")
    monkeypatch.setenv("TOWNHALL_DB", target)

    status, out = await doctor(capsys)

    assert status == 1
    assert (
        f"TOWNHALL_DB ({target}): no schema has been selected to create in; the search_path "
        "names no schema that exists: create it (CREATE SCHEMA <name> AUTHORIZATION <the role "
        "in TOWNHALL_DB>), or correct the URL's options=-csearch_path"
    ) in fixes(out)
    postgres.drop_database(database)


async def test_a_database_path_that_is_no_regular_file_is_a_problem(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", os.devnull)

    status, out = await doctor(capsys)

    assert status == 1
    assert f"FIX  TOWNHALL_DB: {os.devnull}" in out.splitlines()
    assert (
        f"TOWNHALL_DB ({os.devnull}) is not a regular file (a device or a pipe): set "
        "TOWNHALL_DB to a file path, e.g. /var/lib/townhall/townhall.db"
    ) in fixes(out)


@pytest.mark.postgres
async def test_a_postgresql_database_that_takes_no_writes_is_a_problem(
    postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = upgraded_database(postgres)
    postgres.admin(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
    monkeypatch.setenv("TOWNHALL_DB", postgres.url(database))

    status, out = await doctor(capsys)

    assert status == 1
    assert f"FIX  TOWNHALL_DB: {postgres.url(database)}" in out.splitlines()
    assert (
        f"TOWNHALL_DB ({postgres.url(database)}): cannot execute INSERT in a read-only "
        "transaction; the server or database takes no writes (a standby, or "
        "default_transaction_read_only on): point TOWNHALL_DB at the primary, or turn that "
        "setting off"
    ) in fixes(out)
    postgres.drop_database(database)


async def test_unreachable_slack_is_a_problem_naming_the_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/api/"  # nothing listens there
    monkeypatch.setenv("SLACK_API_URL", url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
    status, out = await doctor(capsys)
    assert status == 1
    assert f"FIX  Slack: could not reach {url} (ClientConnectorError)" in out.splitlines()
    assert "ok   Slack: would run in HTTP mode: events on port 3000 at /slack/events" in out


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[bad/", "is not a URL the bot can call; use one such as https://slack.com/api/"),
        ("https://townhall:pw-sEcret@slack.example/api/", "must not hold a user name or password"),
        # These crashed doctor with the resolver's UnicodeError (IDNA), or an InvalidURL.
        ("http://a..b/api/", "names a host that is no domain name"),
        (f"http://{'a' * 70}.example/api/", "names a host that is no domain name"),
        ("http://exa mple.com/api/", "must not hold spaces or control characters"),
        ("http://[::1]x/api/", "has a host in [] that is not an IPv6 address"),
    ],
)
async def test_a_slack_api_url_the_client_cannot_call_is_a_settings_problem(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, problem: str
) -> None:
    monkeypatch.setenv("SLACK_API_URL", url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
    status, out = await doctor(capsys)
    assert status == 1
    assert out.splitlines()[0].startswith(f"FIX  settings: SLACK_API_URL: {problem}")
    assert "sEcret" not in out


async def test_a_slack_api_url_the_resolver_cannot_encode_is_a_finding_not_a_crash() -> None:
    # Settings refuse such a URL; the check still must not crash if one gets through.
    app = SlackApp(SecretStr(BOT_TOKEN), HttpMode(SecretStr("signing-secret")), "http://a..b/api/")
    assert await check_slack(app, ()) == [
        Finding(
            "SLACK_API_URL",
            "the HTTP client cannot call it (UnicodeError)",
            "use Slack's Web API root, such as https://slack.com/api/",
        )
    ]


@pytest.mark.parametrize("body", ["[1, 2]", '"oops"', "7"])
@pytest.mark.parametrize("method", ["auth.test", "apps.connections.open", "conversations.info"])
async def test_a_slack_api_url_answering_json_that_is_no_object_is_named(
    fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str], method: str, body: str
) -> None:
    fake_slack.fail(method, status=200, error="", body=body, content_type="application/json")
    status, out = await doctor(capsys)
    assert status == 1
    assert (
        f"FIX  SLACK_API_URL: answered something that is not Slack's Web API (HTTP 200) to {method}"
    ) in out.splitlines()
    assert fixes(out) == [
        "check SLACK_API_URL: it should be Slack's Web API root (https://slack.com/api/)"
    ]


async def test_a_huge_slack_error_code_is_cut_and_shown_without_control_characters(
    fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_slack.fail("auth.test", status=200, error="\x1b[2J" + "e" * 2_000_000)
    status, out = await doctor(capsys)
    assert status == 1
    code = "[2J" + "e" * 94 + "..."
    assert (
        f"FIX  SLACK_BOT_TOKEN: not checked: Slack answered {code} to auth.test"
    ) in out.splitlines()
    assert fixes(out) == [f"see api.slack.com/methods/auth.test ({code})"]
    assert "\x1b" not in out
    assert len(out) < 10_000


async def test_the_meaning_is_checked_against_the_knowledges_vectors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = await doctor(capsys)
    assert "ok   meaning: multilingual-e5-small; vectors.npz holds all 202 passages" in out
    folder = tmp_path / "talks"
    folder.mkdir()
    for talk in BUNDLED_KNOWLEDGE.glob("*.md"):
        shutil.copy(talk, folder / talk.name)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(folder))
    _, out = await doctor(capsys)
    assert f"{folder / 'vectors.npz'} lacks 202 of 202 passages" in out
    assert (
        f"run `townhall knowledge check` as a user who can write {folder}, or as the service's user"
    ) in fixes(out)
    assert not (folder / "vectors.npz").exists()  # doctor looks; it embeds nothing

    # Vectors kept in this user's cache, as a service whose folder is read-only keeps them.
    kept = spare_vectors(folder, tmp_path / "cache")
    monkeypatch.setenv("TOWNHALL_CACHE_DIR", str(kept.parent))
    kept.parent.mkdir()
    shutil.copyfile(BUNDLED_KNOWLEDGE / "vectors.npz", kept)
    _, out = await doctor(capsys)
    assert (
        f"ok   meaning: multilingual-e5-small; vectors.npz lacks 202 of 202 passages, "
        f"kept in {kept} (TOWNHALL_CACHE_DIR)"
    ) in out.splitlines()
