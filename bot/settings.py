"""Settings from the environment and `.env`, built once at start and passed in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


class SettingsError(ValueError):
    """Settings that cannot be used, naming the variable an admin has to fix."""


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )


class CoreSettings(BaseSettings):
    """Where the knowledge and the state database live."""

    model_config = _config("")

    knowledge_dir: Path = Field(default=BUNDLED_KNOWLEDGE)
    townhall_db: Path = Field(default=Path("townhall.db"))


class DiscordSettings(BaseSettings):
    """DISCORD_*: the bot token, one guild to sync commands to (testing), the /ask cooldown."""

    model_config = _config("DISCORD_")

    token: SecretStr | None = None
    guild_id: int | None = None
    # Seconds a member waits between two /ask; 0 turns the cooldown off.
    ask_cooldown: float = Field(default=5.0, ge=0)

    @field_validator("token", "guild_id", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `DISCORD_TOKEN=` copied from .env.example means "not set", not an empty token.
        return None if isinstance(value, str) and not value.strip() else value


class SlackSettings(BaseSettings):
    """SLACK_*: bot token, and an app token (Socket Mode) or a signing secret (HTTP)."""

    model_config = _config("SLACK_")

    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    # GovSlack and test servers use another Web API root; the bot never guesses it.
    api_url: str = "https://slack.com/api/"

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
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @property
    def configured(self) -> bool:
        """Whether any Slack credential is set, so `townhall serve` should run Slack."""
        return any(v is not None for v in (self.bot_token, self.app_token, self.signing_secret))

    def mode(self) -> Literal["socket", "http"]:
        """Socket Mode with an app token, else HTTP mode with a signing secret.

        Raises SettingsError naming the variable that is missing.
        """
        if self.bot_token is None:
            raise SettingsError(
                "SLACK_BOT_TOKEN: missing (the xoxb- token from OAuth & Permissions)"
            )
        if self.app_token is not None:
            return "socket"
        if self.signing_secret is not None:
            return "http"
        raise SettingsError(
            "SLACK_APP_TOKEN: missing (set it for Socket Mode, "
            "or SLACK_SIGNING_SECRET for HTTP mode)"
        )


def _token_with_prefix(value: SecretStr | None, prefix: str, kind: str) -> SecretStr | None:
    if value is None:
        return None
    token = value.get_secret_value().strip()
    if not token.startswith(prefix) or len(token) <= len(prefix) or any(c.isspace() for c in token):
        # The value is never echoed: it is a secret.
        raise ValueError(f"must be {kind} starting with {prefix}")
    return SecretStr(token)


class InsightSettings(BaseSettings):
    """INSIGHT_*: when and where the daily insight is posted."""

    model_config = _config("INSIGHT_")

    time: str = "09:00"
    timezone: str = "Asia/Seoul"
    discord_channels: str = ""
    slack_channels: str = ""


@dataclass(frozen=True)
class Settings:
    """Every section of the settings, read once."""

    core: CoreSettings
    discord: DiscordSettings
    slack: SlackSettings
    insight: InsightSettings


_SECTIONS: tuple[type[BaseSettings], ...] = (
    CoreSettings,
    DiscordSettings,
    SlackSettings,
    InsightSettings,
)


def load_settings() -> Settings:
    """Read every settings section from the environment and `./.env` (the environment wins)."""
    try:
        return Settings(
            core=CoreSettings(),
            discord=DiscordSettings(),
            slack=SlackSettings(),
            insight=InsightSettings(),
        )
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    prefix = next(
        (str(c.model_config.get("env_prefix", "")) for c in _SECTIONS if c.__name__ == exc.title),
        "",
    )
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else "?"
    # The value is not echoed: it may be a token.
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{(prefix + field).upper()}: {message}"
