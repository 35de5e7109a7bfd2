"""Settings from the environment and `.env`, built once at start and passed in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    return f"{(prefix + field).upper()}: {error['msg']}"
