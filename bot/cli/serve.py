"""`townhall serve`: run every configured platform until SIGTERM or Ctrl-C."""

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
from bot.settings import Settings
from bot.state import StateDB

# What an admin can set to have something served, for the "nothing to serve" message.
SERVABLE = (("DISCORD_TOKEN", "the Discord bot"),)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def register(commands: Any) -> None:
    """Add the `serve` subcommand."""
    parser = commands.add_parser(
        "serve",
        help="run the bot on every configured platform",
        description="Run the Discord bot (when DISCORD_TOKEN is set) until SIGTERM or Ctrl-C.",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="how much to log (default INFO)",
    )
    add_korean_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Build settings and the engine once, then run the services until stopped."""
    logging.basicConfig(level=args.log_level, format=LOG_FORMAT)
    settings = settings_or_exit()
    if not configured(settings):
        wanted = ", ".join(f"{name} ({what})" for name, what in SERVABLE)
        fail(f"nothing to serve: set {wanted}")
    today = clock(settings)
    engine = engine_or_exit(settings, args.korean_analyzer)
    # Imported here so that `townhall ask` does not load discord.py.
    from bot.adapters.discord import DiscordLoginError  # noqa: PLC0415

    state = StateDB(settings.core.townhall_db)
    try:
        asyncio.run(run_services(services_for(settings, engine, state, today)))
    except DiscordLoginError as exc:
        fail(str(exc))
    finally:
        state.close()
    return 0


def configured(settings: Settings) -> bool:
    """Whether any platform has what it needs to run."""
    return settings.discord.token is not None


def clock(settings: Settings) -> Callable[[], date]:
    """Today's date where the community lives (INSIGHT_TIMEZONE), for /insight."""
    try:
        zone = ZoneInfo(settings.insight.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"settings: INSIGHT_TIMEZONE: unknown time zone {settings.insight.timezone!r}")
    return lambda: datetime.now(zone).date()


def services_for(
    settings: Settings, engine: AnswerEngine, state: StateDB, today: Callable[[], date]
) -> list[Service]:
    """Every service the settings configure (Discord now; Slack and the insight join here)."""
    services: list[Service] = []
    if settings.discord.token is not None:
        from bot.adapters.discord import DiscordService  # noqa: PLC0415

        services.append(DiscordService(settings.discord, engine, state, today=today))
    return services
