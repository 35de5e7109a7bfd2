"""`townhall serve`: run every configured part of the bot in one process."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from bot.cli.common import engine_or_exit, fail, settings_or_exit
from bot.engine import AnswerEngine
from bot.health import HealthServer
from bot.insight.clock import Clock, SystemClock
from bot.insight.ledger import Ledger
from bot.insight.publisher import InsightPublisher
from bot.insight.schedule import InsightScheduler, Target
from bot.logs import setup_logging
from bot.runtime import Service, run_services
from bot.settings import Settings, secret_values
from bot.state import StateDB

log = logging.getLogger(__name__)

NOTHING_TO_RUN = (
    "nothing to run: set DISCORD_TOKEN for Discord; SLACK_BOT_TOKEN with SLACK_APP_TOKEN "
    "(Socket Mode) or SLACK_SIGNING_SECRET (HTTP) for Slack; and INSIGHT_DISCORD_CHANNELS "
    "and/or INSIGHT_SLACK_CHANNELS for the daily insight"
)


def register(commands: Any) -> None:
    """Add the `serve` subcommand."""
    parser = commands.add_parser(
        "serve",
        help="run the bot: Discord, Slack and the daily insight, as configured",
        description="Run every configured part of the bot until SIGTERM or Ctrl-C.",
    )
    parser.add_argument(
        "--health-port", type=int, help="answer GET /healthz on this port (0 picks a free one)"
    )
    parser.set_defaults(run=run)


def services_for(
    settings: Settings,
    engine: AnswerEngine,
    *,
    publishers: Mapping[str, InsightPublisher] | None = None,
    state: StateDB | None = None,
    clock: Clock | None = None,
) -> list[Service]:
    """The services the settings ask for; the scheduler only for platforms that can post."""
    services: list[Service] = []
    channels = settings.insight.channels()
    if channels:
        usable = {p: pub for p, pub in (publishers or {}).items() if p in channels}
        missing = sorted(channels.keys() - usable.keys())
        if missing:
            log.warning(
                "insight channels are set for a platform that cannot post in this process",
                extra={"platforms": ",".join(missing)},
            )
        if usable:
            targets = [
                Target(platform, channel.id, channel.lang)
                for platform, configured in channels.items()
                for channel in configured
            ]
            services.append(
                InsightScheduler(
                    engine.knowledge,
                    Ledger(state or StateDB(settings.core.townhall_db)),
                    usable,
                    targets,
                    at=settings.insight.time,
                    zone=settings.insight.timezone,
                    clock=clock or SystemClock(),
                )
            )
    return services


def _configured(settings: Settings) -> bool:
    slack = settings.slack
    return bool(
        settings.discord.token
        or (slack.bot_token and (slack.app_token or slack.signing_secret))
        or settings.insight.channels()
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run the services until a signal stops them."""
    settings = settings_or_exit()
    setup_logging(secret_values(settings))
    if not _configured(settings):
        fail(NOTHING_TO_RUN)
    services = services_for(settings, engine_or_exit(settings))
    if not services:
        fail("nothing this build can run with these settings (see the log line above)")
    if args.health_port is not None:
        services.append(HealthServer(services, args.health_port))
    asyncio.run(run_services(services))
    return 0
