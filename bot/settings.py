"""Settings from the environment and `.env`, built once at start and passed in."""

from __future__ import annotations

import datetime as dt
import difflib
import ipaddress
import logging
import os
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from dotenv.parser import parse_stream
from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.channel import Channel
from bot.insight.channel import InsightChannel
from bot.knowledge.bundled import bundled_knowledge
from bot.logs import Redactor
from bot.store.target import target_passwords, target_problem
from bot.text import NotUtf8Error, utf8_text

BUNDLED_KNOWLEDGE = bundled_knowledge()


# Upper bounds of the seconds settings. Past them a value is a mistake, and one past what a
# timedelta holds (inf, 1e15) passed the settings and crashed `serve` with a traceback.
MOST_COOLDOWN = 86400  # a day: one public reply per member per day
MOST_LEADER_LEASE = 3600  # an hour without Discord after the holder dies is already too long
MOST_CLAIM_LEASE = 86400  # the insight is daily: a longer claim would outlast its day


class SettingsError(ValueError):
    """Settings that cannot be used, naming the variable an admin has to fix.

    `warnings` are the settings file's other problems (a bad line, a likely typo), to be
    said before the error: they may be its cause.
    """

    def __init__(self, message: str, warnings: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.warnings = warnings


# Where the settings file is named when --env-file is not given (then ./.env, if any).
ENV_FILE_VARIABLE = "TOWNHALL_ENV_FILE"
# Variables with these prefixes are meant for the bot: an unknown one is likely a typo.
PREFIXES = ("DISCORD_", "SLACK_", "INSIGHT_", "TOWNHALL_", "STATS_", "KNOWLEDGE_")
# Read by something else than the settings classes: the CLI, the test suite (PostgreSQL
# required in CI), deploy/verify-image.sh (its image cache).
OTHER_VARIABLES = frozenset(
    {ENV_FILE_VARIABLE, "TOWNHALL_REQUIRE_POSTGRES", "TOWNHALL_IMAGE_CACHE"}
)


def _config(prefix: str) -> SettingsConfigDict:
    # The file is chosen by load_settings and handed to each section (`_env_file`).
    return SettingsConfigDict(
        env_prefix=prefix, env_file=None, env_file_encoding="utf-8", extra="ignore"
    )


def user_cache_dir() -> Path | None:
    """This user's cache folder for the bot: $XDG_CACHE_HOME/townhall, else ~/.cache/townhall.

    None when the user has no home folder to name. Under the image and the systemd unit
    the home folder is the state folder (/data, /var/lib/townhall), which the bot may write.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    if base and Path(base).is_absolute():
        return Path(base) / "townhall"
    try:
        return Path.home() / ".cache" / "townhall"
    except RuntimeError:  # no home folder known for this user
        return None


class CoreSettings(BaseSettings):
    """Where the knowledge, the state database and the cache live."""

    model_config = _config("")

    knowledge_dir: Path = Field(default=BUNDLED_KNOWLEDGE)
    # A SQLite file path, or a PostgreSQL URL (postgresql://user:password@host/db) that
    # replicas share; bot/store opens either.
    townhall_db: str = Field(default="townhall.db", min_length=1)
    # Where the passage vectors of a knowledge folder the bot cannot write are kept.
    townhall_cache_dir: Path | None = Field(default_factory=user_cache_dir)

    @field_validator("townhall_db")
    @classmethod
    def _db_shape(cls, value: str) -> str:
        # Here, so every command refuses it alike; the message never quotes the value,
        # which may hold a password.
        problem = target_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


@dataclass(frozen=True)
class DiscordBot:
    """The Discord bot as configured: everything it needs is set and valid."""

    token: SecretStr
    guild_id: int | None
    ask_cooldown: float
    leader_lease: float = 20.0


@dataclass(frozen=True)
class SocketMode:
    """Slack reaches the bot over a websocket the bot opens (no public URL)."""

    app_token: SecretStr


@dataclass(frozen=True)
class HttpMode:
    """Slack posts to the bot's HTTP endpoint; the signing secret proves it is Slack."""

    signing_secret: SecretStr


@dataclass(frozen=True)
class SlackApp:
    """The Slack app as configured: a bot token and one way for Slack to reach the bot."""

    bot_token: SecretStr
    connection: SocketMode | HttpMode
    api_url: str
    # Seconds between two public replies of a kind for one member (0: no limit).
    ask_cooldown: float = 0.0

    @property
    def mode(self) -> Literal["socket", "http"]:
        """Socket Mode or HTTP mode."""
        return "socket" if isinstance(self.connection, SocketMode) else "http"


class DiscordSettings(BaseSettings):
    """DISCORD_*: the bot token, one guild to sync commands to (testing), the /ask cooldown."""

    model_config = _config("DISCORD_")

    token: SecretStr | None = None
    # A Discord snowflake: an unsigned 64-bit number.
    guild_id: int | None = Field(default=None, ge=1, lt=2**64)
    # Seconds a member waits between two /ask; 0 turns the cooldown off.
    ask_cooldown: float = Field(default=5.0, ge=0, le=MOST_COOLDOWN, allow_inf_nan=False)
    # Seconds the gateway lease lasts (several replicas): a replica takes over this long
    # after the holder dies, at most a quarter more.
    leader_lease: float = Field(default=20.0, ge=2, le=MOST_LEADER_LEASE, allow_inf_nan=False)

    @field_validator("token", "guild_id", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `DISCORD_TOKEN=` copied from .env.example means "not set", not an empty token.
        return None if isinstance(value, str) and not value.strip() else value

    def bot(self) -> DiscordBot | None:
        """The bot to run, or None when DISCORD_TOKEN is not set."""
        if self.token is None:
            return None
        return DiscordBot(self.token, self.guild_id, self.ask_cooldown, self.leader_lease)


class SlackSettings(BaseSettings):
    """SLACK_*: bot token, and an app token (Socket Mode) or a signing secret (HTTP)."""

    model_config = _config("SLACK_")

    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    # GovSlack and test servers use another Web API root; the bot never guesses it.
    api_url: str = "https://slack.com/api/"
    ask_cooldown: float = Field(default=5.0, ge=0, le=MOST_COOLDOWN, allow_inf_nan=False)

    @field_validator("bot_token", "app_token", "signing_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `SLACK_APP_TOKEN=` in a .env file means "not set", not an empty token.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _token_with_prefix(value, "xoxb-", "a bot token")

    @field_validator("app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _token_with_prefix(value, "xapp-", "an app-level token")

    @field_validator("api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        return _web_api_root(value, "https://slack.com/api/")

    @model_validator(mode="after")
    def _complete(self) -> SlackSettings:
        # Checked once, here: any credential set means Slack is wanted, so it must be whole.
        # The message starts with the variable's name (see _error_line).
        if not self.configured:
            return self
        if self.bot_token is None:
            raise ValueError("SLACK_BOT_TOKEN: missing (the xoxb- token from OAuth & Permissions)")
        if self.app_token is None and self.signing_secret is None:
            raise ValueError(
                "SLACK_APP_TOKEN: missing (set it for Socket Mode, "
                "or SLACK_SIGNING_SECRET for HTTP mode)"
            )
        return self

    @property
    def configured(self) -> bool:
        """Whether any Slack credential is set, so `townhall serve` should run Slack."""
        return any(v is not None for v in (self.bot_token, self.app_token, self.signing_secret))

    def app(self) -> SlackApp | None:
        """The app to run (Socket Mode when the app token is set), or None without Slack."""
        if self.bot_token is None:
            return None  # validation guarantees no other credential is set either
        connection: SocketMode | HttpMode
        if self.app_token is not None:
            connection = SocketMode(self.app_token)
        else:
            assert self.signing_secret is not None  # guaranteed by _complete
            connection = HttpMode(self.signing_secret)
        return SlackApp(self.bot_token, connection, self.api_url, self.ask_cooldown)


def _web_api_root(value: str, example: str) -> str:
    """`value` as a Web API root ending in "/", if the HTTP client can call it.

    Checked here, as the client would: a URL it cannot call raised ValueError (not a
    connection error) in `townhall doctor` and at start instead. No message quotes the URL,
    nor urllib's error (which may): the URL may hold a password.
    """
    if any(c.isspace() or not c.isprintable() for c in value):
        # urllib strips some at the ends and keeps the rest; aiohttp then fails on them.
        raise ValueError("must not hold spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:  # an unclosed "[" (IPv6), characters NFKC turns into "/", "?", "@"...
        raise ValueError(f"is not a URL the bot can call; use one such as {example}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"must be an http(s) URL such as {example}")
    if parts.username is not None or parts.password is not None:
        # The client sends the token in its own Authorization header, and refuses both.
        raise ValueError("must not hold a user name or password (user:password@)")
    if not parts.hostname:
        raise ValueError(f"names no host; use a URL such as {example}")
    if parts.query or parts.fragment:
        # The client appends the method's name to the root: a "?" or "#" would swallow it.
        raise ValueError(f"must not hold a query or fragment (? or #); use one such as {example}")
    try:
        # Reading it is the check: it raises for a port that is no number from 0 to 65535.
        parts.port  # noqa: B018
    except ValueError:
        raise ValueError("has a port that is not a number from 0 to 65535") from None
    _check_host(parts.netloc.rpartition("@")[2], parts.hostname, example)
    return value if value.endswith("/") else value + "/"


_BRACKETED_HOST = re.compile(r"\[([^\[\]]*)\](:\d*)?")


def _check_host(host_and_port: str, hostname: str, example: str) -> None:
    """Raise ValueError unless the host is an IP address or a name IDNA can encode.

    The resolver encodes a name with IDNA: an empty label ("a..b", ".example.com") or one
    over 63 characters raised UnicodeError there, as a crash of `townhall doctor` or serve.
    """
    if "[" in host_and_port or "]" in host_and_port:
        # urllib reads "[::1]x" and "a[::1]" as the host ::1; the client refuses both.
        bracketed = _BRACKETED_HOST.fullmatch(host_and_port)
        if bracketed is None or not _is_ip_address(bracketed.group(1), version=6):
            raise ValueError(f"has a host in [] that is not an IPv6 address; use {example}")
        return
    if _is_ip_address(hostname):
        return
    try:
        hostname.encode("idna")
    except UnicodeError:
        raise ValueError(
            "names a host that is no domain name (an empty part between dots, or a part over "
            f"63 characters); use one such as {example}"
        ) from None


def _is_ip_address(text: str, version: int | None = None) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return version is None or address.version == version


def _token_with_prefix(value: SecretStr | None, prefix: str, kind: str) -> SecretStr | None:
    if value is None:
        return None
    token = value.get_secret_value().strip()
    if not token.startswith(prefix) or len(token) <= len(prefix) or any(c.isspace() for c in token):
        # The value is never echoed: it is a secret.
        raise ValueError(f"must be {kind} starting with {prefix}")
    return SecretStr(token)


INSIGHT_LANGUAGES = ("ko", "en")
_CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_DISCORD_ID = re.compile(r"^\d{1,25}$")
_SLACK_ID = re.compile(r"^[A-Z][A-Z0-9]{1,30}$")


def _clock_time(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    match = _CLOCK_TIME.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time of day (use 24-hour HH:MM, e.g. 09:00)")
    return dt.time(int(match.group(1)), int(match.group(2)))


def _time_zone(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        # ZoneInfoNotFoundError is a KeyError; pydantic only reports ValueErrors.
        raise ValueError(
            f"{value!r} is not an IANA time zone (e.g. Asia/Seoul, America/New_York)"
        ) from None


def _channel_list(platform: str, pattern: re.Pattern[str], example: str) -> Any:
    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        channels: list[InsightChannel] = []
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            channel, _, lang = item.partition(":")
            lang = lang or "ko"
            if not pattern.match(channel):
                raise ValueError(f"{item!r} is not a channel id (use the id, e.g. {example})")
            if lang not in INSIGHT_LANGUAGES:
                raise ValueError(f"{item!r}: the language suffix must be :ko or :en")
            if any(c.channel.id == channel for c in channels):
                raise ValueError(f"{item!r}: channel {channel} is listed twice")
            channels.append(InsightChannel(Channel(platform, channel), lang))
        return tuple(channels)

    return parse


class InsightSettings(BaseSettings):
    """INSIGHT_*: when and where the daily insight is posted."""

    model_config = _config("INSIGHT_")

    time: Annotated[dt.time, BeforeValidator(_clock_time)] = dt.time(9, 0)
    timezone: Annotated[ZoneInfo, BeforeValidator(_time_zone)] = ZoneInfo("Asia/Seoul")
    # NoDecode: the value is "id[:lang],...", not the JSON pydantic-settings expects for tuples.
    discord_channels: Annotated[
        tuple[InsightChannel, ...],
        NoDecode,
        BeforeValidator(_channel_list("discord", _DISCORD_ID, "1234567890123456789")),
    ] = ()
    slack_channels: Annotated[
        tuple[InsightChannel, ...],
        NoDecode,
        BeforeValidator(_channel_list("slack", _SLACK_ID, "C0123ABCD")),
    ] = ()
    # Seconds a process's claim on a channel's post lasts: after a crash between sending
    # and recording, another process checks the channel (and records the post) this late.
    claim_lease: float = Field(default=600.0, ge=1, le=MOST_CLAIM_LEASE, allow_inf_nan=False)

    def channels(self) -> dict[str, tuple[InsightChannel, ...]]:
        """The configured channels by platform ("discord", "slack"), empty platforms left out."""
        by_platform = {"discord": self.discord_channels, "slack": self.slack_channels}
        return {platform: found for platform, found in by_platform.items() if found}


class StatsSettings(BaseSettings):
    """STATS_*: what the usage records keep (see README, "What is recorded")."""

    model_config = _config("STATS_")

    # STATS_RECORD=false: no usage records at all (and no 👍 / 👎 buttons).
    record: bool = True
    # Members did not agree to have their words stored: off unless the admin turns it on.
    keep_questions: bool = False
    retention_days: int = Field(default=30, ge=1, le=3650)

    @property
    def retention(self) -> dt.timedelta:
        """How long a question's text is kept when keep_questions is on."""
        return dt.timedelta(days=self.retention_days)


@dataclass(frozen=True)
class Settings:
    """Every section of the settings, read once, with the file they came from."""

    core: CoreSettings
    discord: DiscordSettings
    slack: SlackSettings
    insight: InsightSettings
    stats: StatsSettings = field(default_factory=StatsSettings)
    env_file: Path | None = None
    # Lines of the file that could not be read, variables that look like typos.
    warnings: tuple[str, ...] = ()


_SECTIONS: tuple[type[BaseSettings], ...] = (
    CoreSettings,
    DiscordSettings,
    SlackSettings,
    InsightSettings,
    StatsSettings,
)


def load_settings(env_file: Path | None = None) -> Settings:
    """Read every section from the environment and a settings file (the environment wins).

    The file is `env_file` (--env-file), else TOWNHALL_ENV_FILE, else ./.env if there is one.
    """
    path = settings_file(env_file, os.environ)
    if path is not None:
        _check_readable(path)
    try:
        with _quiet_dotenv():
            sections = (
                CoreSettings(_env_file=path),  # type: ignore[call-arg]
                DiscordSettings(_env_file=path),  # type: ignore[call-arg]
                SlackSettings(_env_file=path),  # type: ignore[call-arg]
                InsightSettings(_env_file=path),  # type: ignore[call-arg]
                StatsSettings(_env_file=path),  # type: ignore[call-arg]
            )
    except ValidationError as exc:
        # Redacted here too, so no caller can print a token pasted into the wrong variable,
        # nor a secret of no token's shape (a signing secret) pasted into another one.
        message = Redactor(_given_secrets(path))(_error_line(exc))
        raise SettingsError(message, warnings=_warnings(path)) from None
    return Settings(*sections, env_file=path, warnings=_warnings(path))


def _warnings(path: Path | None) -> tuple[str, ...]:
    return (*file_problems(path), *unknown_variables(path, os.environ))


def _check_readable(path: Path) -> None:
    # python-dotenv would raise mid-load, with a traceback: UnicodeDecodeError for bytes
    # that are not UTF-8, PermissionError for a file this user may not read.
    try:
        utf8_text(path)
    except NotUtf8Error as exc:
        raise SettingsError(f"{exc}: save it as UTF-8") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror})") from None


def settings_file(env_file: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The settings file to read: `env_file`, TOWNHALL_ENV_FILE, or ./.env when it exists."""
    named = env_file or (
        Path(environ[ENV_FILE_VARIABLE]) if environ.get(ENV_FILE_VARIABLE) else None
    )
    if named is None:
        default = Path(".env")
        return default.resolve() if default.is_file() else None
    if not named.is_file():
        source = "--env-file" if env_file else ENV_FILE_VARIABLE
        what = "a folder, not a settings file" if named.is_dir() else "no such file"
        raise SettingsError(f"{source} {named}: {what}")
    return named.resolve()


def file_problems(path: Path | None) -> list[str]:
    """Each line of the settings file that is not NAME=value, by file and line."""
    if path is None:
        return []
    with path.open(encoding="utf-8", errors="replace") as stream:
        # The line itself is not shown: it may hold a secret.
        return [
            f"{path}:{binding.original.line}: line not read (expected NAME=value)"
            for binding in parse_stream(stream)
            if binding.error
        ]


def unknown_variables(path: Path | None, environ: Mapping[str, str]) -> list[str]:
    """Variables named like the bot's settings that no setting reads, with the nearest name."""
    known = sorted(_known_variables())
    found = {name.upper(): "the environment" for name in environ}
    if path is not None:
        with _quiet_dotenv():
            found |= {name.upper(): str(path) for name in dotenv_values(path)}
    problems = []
    for name, source in sorted(found.items()):
        if name.startswith(PREFIXES) and name not in known:
            nearest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"did you mean {nearest[0]}?" if nearest else "it is not a townhall setting"
            problems.append(f"{name} (in {source}) is ignored: {hint}")
    return problems


def _given_secrets(path: Path | None) -> list[str]:
    """The values given to the secret variables, as typed, before any was validated."""
    in_file: dict[str, str] = {}
    if path is not None:
        with _quiet_dotenv():  # a bad line is said once, by file_problems
            in_file = {k: v for k, v in dotenv_values(path).items() if v}
    names = [
        (str(section.model_config.get("env_prefix", "")) + field).upper()
        for section in _SECTIONS
        for field, info in section.model_fields.items()
        if "SecretStr" in str(info.annotation)
    ]
    return [value for name in names if (value := os.environ.get(name) or in_file.get(name))]


def _known_variables() -> set[str]:
    names = set(OTHER_VARIABLES)
    for section in _SECTIONS:
        prefix = str(section.model_config.get("env_prefix", ""))
        names |= {(prefix + field).upper() for field in section.model_fields}
    return names


@contextmanager
def _quiet_dotenv() -> Iterator[None]:
    """python-dotenv warns about a bad line once per section read; file_problems says it once."""
    logger = logging.getLogger("dotenv.main")
    disabled = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = disabled


def secret_values(settings: Settings) -> list[str]:
    """Every configured secret (tokens, signing secret), so logs can redact them."""
    values = []
    for section in (
        settings.core,
        settings.discord,
        settings.slack,
        settings.insight,
        settings.stats,
    ):
        for name in type(section).model_fields:
            value = getattr(section, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                values.append(value.get_secret_value())
    # A password in TOWNHALL_DB is as secret as a token (found as the connection reads it).
    for password in target_passwords(settings.core.townhall_db):
        values.extend(
            {password, urllib.parse.quote(password, safe=""), urllib.parse.unquote(password)}
        )
    return values


def _error_line(exc: ValidationError) -> str:
    section = next((c for c in _SECTIONS if c.__name__ == exc.title), None)
    prefix = str(section.model_config.get("env_prefix", "")) if section else ""
    error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:
        return message  # a check of the whole section names its variable itself
    field = str(error["loc"][0])
    annotation = section.model_fields[field].annotation if section else None
    secret = annotation is None or "SecretStr" in str(annotation)
    if error["type"] != "value_error" and not secret:
        # Our own validators quote the value; for the rest, show it unless it may be a token.
        message += f" (got {error['input']!r})"
    return f"{(prefix + field).upper()}: {message}"
