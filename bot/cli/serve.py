"""`townhall serve`: run the bot on every platform whose tokens are set, until stopped."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cli.common import add_korean_option, engine_or_exit, fail, settings_or_exit
from bot.engine import AnswerEngine
from bot.runtime import Service, run_services
from bot.settings import Settings, SettingsError
from bot.state import StateDB

NOTHING_TO_SERVE = (
    "nothing to serve: set DISCORD_TOKEN (the Discord bot), or SLACK_BOT_TOKEN with "
    "SLACK_APP_TOKEN (Slack, Socket Mode) or SLACK_SIGNING_SECRET (Slack, HTTP mode)"
)
LOG_LEVELS = ("debug", "info", "warning", "error")
# Their debug output carries whole request payloads (members' messages); INFO is enough.
# slack_sdk.web.async_base_client logs retries at INFO unless its own level is set.
CHATTY_LIBRARIES = ("slack_sdk", "slack_sdk.web.async_base_client", "slack_bolt", "aiohttp.access")


def register(commands: Any) -> None:
    """Add the `serve` subcommand."""
    parser = commands.add_parser(
        "serve",
        help="run the bot on every configured platform",
        description="Run the Discord bot (DISCORD_TOKEN) and the Slack app (SLACK_BOT_TOKEN "
        "with SLACK_APP_TOKEN for Socket Mode, else SLACK_SIGNING_SECRET for HTTP mode) "
        "until SIGTERM or Ctrl-C.",
    )
    parser.add_argument(
        "--host",
        default="0.0.0.0",  # Slack has to reach it; narrow it behind a proxy
        help="Slack HTTP mode: address to listen on (default: 0.0.0.0)",
    )
    parser.add_argument(
        "--port", type=int, default=3000, help="Slack HTTP mode: port to listen on (default: 3000)"
    )
    parser.add_argument(
        "--log-level",
        default="info",
        type=str.lower,
        choices=LOG_LEVELS,
        help="log detail (default: info)",
    )
    add_korean_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Build settings and the engine once, then run every configured service until stopped."""
    configure_logging(args.log_level)
    settings = settings_or_exit()
    if settings.discord.token is None and not settings.slack.configured:
        fail(NOTHING_TO_SERVE)
    today = clock(settings)
    engine = engine_or_exit(settings, args.korean_analyzer)
    # Imported here so that `townhall ask` does not load discord.py.
    from bot.adapters.discord import DiscordLoginError  # noqa: PLC0415

    state = StateDB(settings.core.townhall_db)
    try:
        services = services_for(
            settings, engine, state=state, today=today, host=args.host, port=args.port
        )
        asyncio.run(run_services(services))
    except SettingsError as exc:
        # Also raised at start, when Slack refuses a token.
        fail(f"settings: {exc}")
    except ConnectionError as exc:
        fail(f"could not start: {exc}")
    except DiscordLoginError as exc:
        fail(str(exc))
    finally:
        state.close()
    return 0


def clock(settings: Settings) -> Callable[[], date]:
    """Today's date where the community lives (INSIGHT_TIMEZONE), for /insight."""
    try:
        zone = ZoneInfo(settings.insight.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"settings: INSIGHT_TIMEZONE: unknown time zone {settings.insight.timezone!r}")
    return lambda: datetime.now(zone).date()


def services_for(
    settings: Settings,
    engine: AnswerEngine,
    *,
    state: StateDB,
    today: Callable[[], date],
    host: str,
    port: int,
) -> list[Service]:
    """Every service the settings configure; raises SettingsError naming a missing variable."""
    services: list[Service] = []
    if settings.discord.token is not None:
        from bot.adapters.discord import DiscordService  # noqa: PLC0415

        services.append(DiscordService(settings.discord, engine, state, today=today))
    if settings.slack.configured:
        from bot.adapters.slack import SlackService  # noqa: PLC0415

        services.append(SlackService.from_settings(settings.slack, engine, host=host, port=port))
    return services


def configure_logging(level: str) -> None:
    """One line a record on stderr, with the record's `extra` fields as key=value."""
    handler = logging.StreamHandler()
    handler.setFormatter(FieldsFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(max(root.level, logging.INFO))


_STANDARD_FIELDS = frozenset(
    [*logging.LogRecord("", 0, "", 0, "", None, None).__dict__, "message", "asctime"]
)


class FieldsFormatter(logging.Formatter):
    """Appends the fields a call passed with `extra={...}` (channel, event_id, ...)."""

    def format(self, record: logging.LogRecord) -> str:
        """The standard line followed by ` key=value` for each extra field."""
        line = super().format(record)
        fields = {k: v for k, v in record.__dict__.items() if k not in _STANDARD_FIELDS}
        return line + "".join(f" {key}={value}" for key, value in fields.items())
