"""`townhall serve`: run the bot on every platform whose tokens are set, until stopped."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from bot.adapters.slack import SlackService
from bot.cli.common import add_korean_option, engine_or_exit, fail, settings_or_exit
from bot.engine import AnswerEngine
from bot.runtime import Service, run_services
from bot.settings import Settings, SettingsError

NOTHING_TO_SERVE = (
    "nothing to serve: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) "
    "or SLACK_SIGNING_SECRET (HTTP mode)"
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
        description="Answer questions on Slack (Socket Mode with SLACK_APP_TOKEN, "
        "else HTTP mode with SLACK_SIGNING_SECRET) until SIGTERM or Ctrl-C.",
    )
    parser.add_argument(
        "--host",
        default="0.0.0.0",  # Slack has to reach it; narrow it behind a proxy
        help="HTTP mode: address to listen on (default: 0.0.0.0)",
    )
    parser.add_argument(
        "--port", type=int, default=3000, help="HTTP mode: port to listen on (default: 3000)"
    )
    parser.add_argument(
        "--log-level", default="info", choices=LOG_LEVELS, help="log detail (default: info)"
    )
    add_korean_option(parser)
    parser.set_defaults(run=run)


def services_for(
    settings: Settings, engine: AnswerEngine, *, host: str, port: int
) -> list[Service]:
    """The services whose tokens are set; raises SettingsError naming a missing variable."""
    services: list[Service] = []
    if settings.slack.configured:
        services.append(SlackService.from_settings(settings.slack, engine, host=host, port=port))
    return services


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Start every configured service and run them until stopped."""
    configure_logging(args.log_level)
    settings = settings_or_exit()
    engine = engine_or_exit(settings, args.korean_analyzer)
    try:
        services = services_for(settings, engine, host=args.host, port=args.port)
        if not services:
            fail(NOTHING_TO_SERVE)
        asyncio.run(run_services(services))
    except SettingsError as exc:
        # Also raised at start, when Slack refuses a token.
        fail(f"settings: {exc}")
    except ConnectionError as exc:
        fail(f"could not start: {exc}")
    return 0


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
