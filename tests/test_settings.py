"""Settings are validated at start; a bad value names the variable and the value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.channel import Channel
from bot.insight.channel import InsightChannel
from bot.settings import SettingsError, load_settings, secret_values, unknown_variables


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in (
        "INSIGHT_TIME",
        "INSIGHT_TIMEZONE",
        "INSIGHT_DISCORD_CHANNELS",
        "INSIGHT_SLACK_CHANNELS",
        "DISCORD_TOKEN",
        "DISCORD_GUILD_ID",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "DISCORD_ASK_COOLDOWN",
        "SLACK_ASK_COOLDOWN",
        "DISCORD_LEADER_LEASE",
        "INSIGHT_CLAIM_LEASE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_insight_defaults_are_nine_in_seoul_and_no_channels() -> None:
    insight = load_settings().insight
    assert (insight.time, insight.timezone) == (dt.time(9, 0), ZoneInfo("Asia/Seoul"))
    assert insight.channels() == {}


def test_insight_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSIGHT_TIME", "7:05")
    monkeypatch.setenv("INSIGHT_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("INSIGHT_DISCORD_CHANNELS", "1234567890, 987:en ,")
    monkeypatch.setenv("INSIGHT_SLACK_CHANNELS", "C0123ABCD:ko")
    insight = load_settings().insight
    assert (insight.time, insight.timezone.key) == (dt.time(7, 5), "Europe/Berlin")
    assert insight.channels() == {
        "discord": (
            InsightChannel(Channel("discord", "1234567890"), "ko"),
            InsightChannel(Channel("discord", "987"), "en"),
        ),
        "slack": (InsightChannel(Channel("slack", "C0123ABCD"), "ko"),),
    }


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("INSIGHT_SLACK_CHANNELS=C1:en\n")
    assert load_settings().insight.slack_channels == (InsightChannel(Channel("slack", "C1"), "en"),)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("INSIGHT_TIME", "9am", "INSIGHT_TIME: '9am' is not a time of day"),
        ("INSIGHT_TIME", "24:00", "INSIGHT_TIME: '24:00' is not a time of day"),
        ("INSIGHT_TIMEZONE", "Mars/Base", "INSIGHT_TIMEZONE: 'Mars/Base' is not an IANA time zone"),
        ("INSIGHT_TIMEZONE", "KST", "INSIGHT_TIMEZONE: 'KST' is not an IANA time zone"),
        ("INSIGHT_DISCORD_CHANNELS", "123,#general", "INSIGHT_DISCORD_CHANNELS: '#general' is not"),
        ("INSIGHT_DISCORD_CHANNELS", "123:fr", "INSIGHT_DISCORD_CHANNELS: '123:fr': the language"),
        ("INSIGHT_DISCORD_CHANNELS", "1,1:en", "INSIGHT_DISCORD_CHANNELS: '1:en': channel 1 is"),
        ("INSIGHT_SLACK_CHANNELS", "C1, C1", "INSIGHT_SLACK_CHANNELS: 'C1': channel C1 is listed"),
        ("INSIGHT_SLACK_CHANNELS", "general", "INSIGHT_SLACK_CHANNELS: 'general' is not a channel"),
        ("DISCORD_GUILD_ID", "abc", "DISCORD_GUILD_ID: Input should be a valid integer"),
    ],
)
def test_bad_value_names_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(message)
    assert repr(value.rsplit(",", maxsplit=1)[-1].strip()) in str(error.value)


def test_secret_values_lists_every_configured_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "discord-secret-value")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-3")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-2-3")
    assert sorted(secret_values(load_settings())) == [
        "discord-secret-value",
        "xapp-1-2-3",
        "xoxb-1-2-3",
    ]


def test_the_password_in_a_postgresql_townhall_db_is_a_secret_to_redact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", "postgresql://townhall:p%40ss-w0rd@db.internal:5432/bot")
    assert sorted(secret_values(load_settings())) == ["p%40ss-w0rd", "p@ss-w0rd"]


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgresql://townhall:pa/ss?w#rd@db.internal/bot", "pa/ss?w#rd"),
        ("postgresql://townhall@db.internal/bot?password=Qu3ry-s3cret", "Qu3ry-s3cret"),
    ],
)
def test_a_password_the_connection_reads_past_a_slash_or_from_the_query_is_redacted(
    monkeypatch: pytest.MonkeyPatch, url: str, password: str
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", url)
    assert password in secret_values(load_settings())


def test_incomplete_slack_settings_are_refused_once_at_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "a-signing-secret")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value) == (
        "SLACK_BOT_TOKEN: missing (the xoxb- token from OAuth & Permissions)"
    )


def test_complete_slack_settings_say_how_slack_reaches_the_bot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-3")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "a-signing-secret")
    app = load_settings().slack.app()
    assert app is not None
    assert (app.mode, app.api_url) == ("http", "https://slack.com/api/")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-2-3")
    socket = load_settings().slack.app()
    assert socket is not None
    assert socket.mode == "socket"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        # urllib and then aiohttp raised ValueError for these in `townhall doctor` and at start.
        ("http://[bad/", "is not a URL the bot can call; use one such as https://slack.com/api/"),
        ("https://user:pw-sEcret@slack.example/api/", "must not hold a user name or password"),
        ("https://:pw-sEcret@slack.example/api/", "must not hold a user name or password"),
        ("https://slack.example:99999/api/", "has a port that is not a number from 0 to 65535"),
        ("https://slack.example:api/", "has a port that is not a number from 0 to 65535"),
        ("https:///api/", "names no host; use a URL such as https://slack.com/api/"),
        ("ftp://slack.example/api/", "must be an http(s) URL such as https://slack.com/api/"),
        ("slack.com/api/", "must be an http(s) URL such as https://slack.com/api/"),
        ("https://slack.example/api?x=1", "must not hold a query or fragment (? or #)"),
        ("https://slack.example/api/#top", "must not hold a query or fragment (? or #)"),
        # The resolver's IDNA codec raised UnicodeError for these in `doctor` and at start.
        ("http://a..b/api/", "names a host that is no domain name"),
        ("http://.example.com/api/", "names a host that is no domain name"),
        (f"http://{'a' * 70}.example/api/", "names a host that is no domain name"),
        ("http://slack.example../api/", "names a host that is no domain name"),
        ("http://exa mple.com/api/", "must not hold spaces or control characters"),
        ("https://slack.com/api/ ", "must not hold spaces or control characters"),
        ("https://slack.com/a\x07pi/", "must not hold spaces or control characters"),
        ("https://slack.com/api/\n", "must not hold spaces or control characters"),
        ("http://[::1]x/api/", "has a host in [] that is not an IPv6 address"),
        ("http://a[::1]/api/", "has a host in [] that is not an IPv6 address"),
        ("http://[v1.x]/api/", "has a host in [] that is not an IPv6 address"),
    ],
)
def test_a_slack_api_url_the_client_cannot_call_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, url: str, problem: str
) -> None:
    monkeypatch.setenv("SLACK_API_URL", url)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(f"SLACK_API_URL: {problem}")
    assert "sEcret" not in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://slack-gov.com/api", "https://slack-gov.com/api/"),
        ("http://[::1]:8080/api/", "http://[::1]:8080/api/"),
        ("HTTPS://Slack.com/api/", "HTTPS://Slack.com/api/"),
        ("http://127.0.0.1:8080/api/", "http://127.0.0.1:8080/api/"),
        ("http://[fe80::1%25eth0]/api/", "http://[fe80::1%25eth0]/api/"),
        ("https://slack.example./api/", "https://slack.example./api/"),
        ("https://bücher.example/api/", "https://bücher.example/api/"),
        (f"https://{'a' * 63}.example/api/", f"https://{'a' * 63}.example/api/"),
    ],
)
def test_a_slack_api_url_the_client_can_call_is_kept_with_a_closing_slash(
    monkeypatch: pytest.MonkeyPatch, url: str, root: str
) -> None:
    monkeypatch.setenv("SLACK_API_URL", url)
    assert load_settings().slack.api_url == root


def test_usage_records_are_on_without_question_text_kept_for_30_days_by_default() -> None:
    stats = load_settings().stats

    assert (stats.record, stats.keep_questions, stats.retention) == (
        True,
        False,
        dt.timedelta(days=30),
    )


def test_a_retention_of_zero_days_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STATS_RETENTION_DAYS", "0")

    with pytest.raises(SettingsError, match=r"^STATS_RETENTION_DAYS: "):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # Each passed before and crashed `serve` later with an OverflowError traceback.
        ("DISCORD_ASK_COOLDOWN", "inf"),
        ("DISCORD_ASK_COOLDOWN", "1e15"),
        ("DISCORD_ASK_COOLDOWN", "86401"),
        ("SLACK_ASK_COOLDOWN", "inf"),
        ("SLACK_ASK_COOLDOWN", "1e15"),
        ("SLACK_ASK_COOLDOWN", "nan"),
        ("DISCORD_LEADER_LEASE", "inf"),
        ("DISCORD_LEADER_LEASE", "1e300"),
        ("INSIGHT_CLAIM_LEASE", "infinity"),
        ("INSIGHT_CLAIM_LEASE", "1e300"),
        ("DISCORD_GUILD_ID", "-5"),
        ("DISCORD_GUILD_ID", str(2**64)),
    ],
)
def test_an_endless_or_huge_number_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError, match=rf"^{name}: .*\(got '{value}'\)$"):
        load_settings()


def test_the_longest_cooldowns_and_leases_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (
        ("DISCORD_ASK_COOLDOWN", "86400"),
        ("SLACK_ASK_COOLDOWN", "86400"),
        ("DISCORD_LEADER_LEASE", "3600"),
        ("INSIGHT_CLAIM_LEASE", "86400"),
        ("DISCORD_GUILD_ID", str(2**64 - 1)),
    ):
        monkeypatch.setenv(name, value)

    settings = load_settings()

    assert (settings.discord.ask_cooldown, settings.slack.ask_cooldown) == (86400, 86400)
    assert (settings.discord.leader_lease, settings.insight.claim_lease) == (3600, 86400)


def test_unknown_variables_name_the_nearest_setting_and_skip_other_tools() -> None:
    environ = {
        "SLACK_SIGNING_SECRT": "x",
        "KNOWLEDGE_DIRR": "/srv/talks",
        "TOWNHALL_REQUIRE_POSTGRES": "1",
        "TOWNHALL_ENV_FILE": "/etc/townhall/townhall.env",
        "STATS_ZZZ_QQQ": "1",
        "PATH": "/usr/bin",
    }
    assert unknown_variables(None, environ) == [
        "KNOWLEDGE_DIRR (in the environment) is ignored: did you mean KNOWLEDGE_DIR?",
        "SLACK_SIGNING_SECRT (in the environment) is ignored: did you mean SLACK_SIGNING_SECRET?",
        "STATS_ZZZ_QQQ (in the environment) is ignored: it is not a townhall setting",
    ]


def test_the_cache_folder_is_the_xdg_one_else_the_homes_unless_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TOWNHALL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert load_settings().core.townhall_cache_dir == tmp_path / "xdg" / "townhall"
    # A relative XDG_CACHE_HOME is to be ignored (XDG Base Directory specification).
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert load_settings().core.townhall_cache_dir == tmp_path / "home" / ".cache" / "townhall"
    monkeypatch.setenv("TOWNHALL_CACHE_DIR", str(tmp_path / "mine"))
    assert load_settings().core.townhall_cache_dir == tmp_path / "mine"
