"""`townhall serve`: run Discord, Slack and the daily insight, as configured, until stopped."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.cli.common import (
    add_korean_option,
    engine_or_exit,
    fail,
    settings_or_exit,
    store_or_exit,
)
from bot.logs import LOG_FORMATS
from bot.runner import Runner
from bot.runtime import GRACE_SECONDS, LAST_WRITES
from bot.settings import Settings, SettingsError, secret_values
from bot.store import AsyncStore, Lane
from bot.store.watch import StoreWatch

# What only `serve` needs (aiohttp servers, the platform clients, the scheduler) is imported
# where it is used, so that `townhall ask` starts without loading it.
if TYPE_CHECKING:
    from bot.answers import Answers
    from bot.clock import Clock
    from bot.engine import AnswerEngine
    from bot.insight.daily import DailyInsights
    from bot.insight.ledger import Ledger
    from bot.insight.publisher import InsightPublisher
    from bot.insight.schedule import InsightScheduler
    from bot.runner import Runner
    from bot.runtime import InFlight, Service
    from bot.store.lane import AsyncLeases
    from bot.store.store import Store
    from bot.usage import UsageRecorder

log = logging.getLogger(__name__)

NOTHING_TO_RUN = (
    "nothing to run: set DISCORD_TOKEN for Discord; SLACK_BOT_TOKEN with SLACK_APP_TOKEN "
    "(Socket Mode) or SLACK_SIGNING_SECRET (HTTP) for Slack; and INSIGHT_DISCORD_CHANNELS "
    "and/or INSIGHT_SLACK_CHANNELS for the daily insight"
)
# How often `serve` checks that the database takes a write (for /healthz and the logs).
STORE_CHECK = dt.timedelta(seconds=15)
LOG_LEVELS = ("debug", "info", "warning", "error")
# Their debug output carries whole request payloads (members' messages); INFO is enough.
# slack_sdk.web.async_base_client logs retries at INFO unless its own level is set.
# discord.gateway's debug dumps every event, an INTERACTION_CREATE with the member's id,
# their question and the interaction's token (good for replies for 15 minutes); discord.http
# and discord.webhook log each request's route, which holds that token, and its payload.
# So even --log-level debug keeps them at INFO: redaction is the second line, not the first.
CHATTY_LIBRARIES = (
    "slack_sdk",
    "slack_sdk.web.async_base_client",
    "slack_bolt",
    "aiohttp.access",
    "discord.gateway",
    "discord.http",
    "discord.webhook",
)


def register(commands: Any) -> None:
    """Add the `serve` subcommand."""
    parser = commands.add_parser(
        "serve",
        help="run the bot: Discord, Slack and the daily insight, as configured",
        description="Run the Discord bot (DISCORD_TOKEN), the Slack app (SLACK_BOT_TOKEN with "
        "SLACK_APP_TOKEN for Socket Mode, else SLACK_SIGNING_SECRET for HTTP mode) and the "
        "daily insight (INSIGHT_*_CHANNELS) in one process, until SIGTERM or Ctrl-C.",
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
        "--health-port", type=int, help="answer GET /healthz on this port (0 picks a free one)"
    )
    parser.add_argument(
        "--health-host",
        default="127.0.0.1",  # loopback: a container passes 0.0.0.0 for its orchestrator
        help="address of the health port (default: 127.0.0.1)",
    )
    parser.add_argument(
        "--shutdown-grace",
        type=float,
        default=GRACE_SECONDS,
        metavar="SECONDS",
        help="on SIGTERM, how long answers in flight may take to finish "
        f"(default: {GRACE_SECONDS:.0f}; keep the service manager's stop timeout above it)",
    )
    parser.add_argument(
        "--log-level", default="info", type=str.lower, choices=LOG_LEVELS, help="default: info"
    )
    parser.add_argument(
        "--log-format",
        default="auto",
        choices=LOG_FORMATS,
        help="text (readable) or json (one object per line); auto: text on a terminal, "
        "else json (default)",
    )
    add_korean_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """The composition root: build every part once, hand each service what it uses, run."""
    from bot.health import Health, HealthServer  # noqa: PLC0415 - see the imports above
    from bot.logs import log_format, setup_logging  # noqa: PLC0415
    from bot.runner import Runner  # noqa: PLC0415
    from bot.runtime import StartError, run_services  # noqa: PLC0415

    settings = settings_or_exit(args.env_file)
    setup_logging(
        secret_values(settings),
        level=logging.getLevelName(args.log_level.upper()),
        form=log_format(args.log_format, sys.stderr),
    )
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.getLogger().level, logging.INFO))
    if not configured(settings):
        fail(NOTHING_TO_RUN)
    engine = engine_or_exit(settings, args.korean_analyzer)
    # The store first: a TOWNHALL_DB that cannot be used is named with what to do.
    store = store_or_exit(settings)
    # The store's own lane: a slow or locked database delays only other store calls.
    store_lane = Runner("store", finish_queued=True)
    usage_lane, usage = (
        open_usage(settings, store, args.clock) if settings.stats.record else (None, None)
    )
    # The Discord gateway lease is renewed on a lane of its own: never queued behind the
    # insight's calls, so a renewal waits only for the database itself.
    lease_lane = Runner("leases", finish_queued=True)
    engine_lane = Runner("engine")
    # Until a stop says how much of the grace is left: a failed start has it all.
    left = args.shutdown_grace
    try:
        core = build_core(
            settings,
            engine,
            store=AsyncStore(store, store_lane),
            runner=engine_lane,
            clock=args.clock,
            usage=usage,
            lease_lane=lease_lane,
        )
        health = Health()
        services = services_for(settings, core, host=args.host, port=args.port)
        if not services:
            fail("nothing this process can run with these settings (see the log line above)")
        services.append(StoreWatch(core.store, core.clock, every=STORE_CHECK))
        if args.health_port is not None:
            services.append(HealthServer(health, args.health_port, host=args.health_host))
        health.watch(services)
        left = asyncio.run(
            run_services(
                services,
                in_flight=core.in_flight,
                clock=core.clock,
                grace=args.shutdown_grace,
                settle=core.usage.settle if core.usage is not None else None,
            )
        )
    except SettingsError as exc:
        # Raised at start when Slack refuses a token.
        fail(f"settings: {exc}")
    except ConnectionError as exc:
        fail(f"could not start: {exc}")
    except StartError as exc:
        fail(str(exc))
    finally:
        close_lanes([engine_lane, store_lane, usage_lane, lease_lane], left)
        store.close()
    return 0


def close_lanes(lanes: Sequence[Runner | None], seconds: float) -> None:
    """Close the lanes, their queued writes given `seconds` in all (LAST_WRITES at least).

    A database that hangs never answers the call a lane is in: past the bound the lane
    is abandoned (and logged), so a stop ends within the service manager's timeout.
    """
    deadline = time.monotonic() + max(seconds, LAST_WRITES)
    for lane in lanes:
        if lane is not None:
            lane.close(wait_at_most=max(deadline - time.monotonic(), 0.0))


def open_usage(settings: Settings, store: Store, clock: Clock) -> tuple[Runner, UsageRecorder]:
    """The usage recorder on the store, on a store lane of its own."""
    from bot.usage import UsageRecorder, vote_keys  # noqa: PLC0415

    lane = Runner("usage", finish_queued=True)
    keep = settings.stats.keep_questions
    tokens = {"discord": settings.discord.token, "slack": settings.slack.bot_token}
    keys = vote_keys({name: t.get_secret_value() for name, t in tokens.items() if t is not None})
    return lane, UsageRecorder(AsyncStore(store, lane), clock, keep_questions=keep, vote_keys=keys)


def configured(settings: Settings) -> bool:
    """Whether the settings ask for anything to run at all."""
    return bool(settings.discord.token or settings.slack.configured or settings.insight.channels())


@dataclass(frozen=True)
class Core:
    """The parts `townhall serve` builds once; each service is handed the ones it uses."""

    clock: Clock
    store: AsyncStore
    ledger: Ledger
    owner: str  # this process's name on its claims and leases in the store
    leases: AsyncLeases  # on a lane of their own when `serve` gives one
    answers: Answers
    daily: DailyInsights
    in_flight: InFlight
    usage: UsageRecorder | None = None


def build_core(
    settings: Settings,
    engine: AnswerEngine,
    *,
    store: AsyncStore,
    runner: Runner,
    clock: Clock,
    usage: UsageRecorder | None = None,
    lease_lane: Lane | None = None,
) -> Core:
    """The shared parts over one engine, one store (on its lane), one engine lane, one clock."""
    from bot.answers import Answers  # noqa: PLC0415 - see the imports above
    from bot.insight.daily import DailyInsights  # noqa: PLC0415
    from bot.insight.ledger import Ledger  # noqa: PLC0415
    from bot.insight.schedule import process_owner  # noqa: PLC0415
    from bot.runtime import InFlight  # noqa: PLC0415

    ledger = Ledger(store)
    running = {"discord": settings.discord.token is not None, "slack": settings.slack.configured}
    # Where the daily post runs, only it stores the rotation's first day (bot/insight/daily.py).
    posting = any(running[platform] for platform in settings.insight.channels())
    return Core(
        clock=clock,
        store=store,
        ledger=ledger,
        owner=process_owner(),
        leases=AsyncStore(store.store, lease_lane or store.lane).leases,
        answers=Answers(engine, runner),
        daily=DailyInsights(
            engine.knowledge, ledger, clock, settings.insight.timezone, runner, scheduled=posting
        ),
        in_flight=InFlight(),
        usage=usage,
    )


def services_for(
    settings: Settings,
    core: Core,
    *,
    host: str = "0.0.0.0",
    port: int = 3000,
    publishers: Mapping[str, InsightPublisher] | None = None,
) -> list[Service]:
    """Every service the settings configure, built from the shared parts.

    The daily insight posts through the platforms running here, and through `publishers`
    (tests hand in their own).
    """
    services: list[Service] = []
    posting: dict[str, InsightPublisher] = {}
    bot = settings.discord.bot()
    if bot is not None:
        from bot.adapters.discord import DiscordService  # noqa: PLC0415 - see the imports above
        from bot.adapters.discord.leader import GatewayLease  # noqa: PLC0415
        from bot.clock import SystemClock  # noqa: PLC0415

        # Replicas share PostgreSQL; on a SQLite file (one host) the bot connects at once as
        # it always has, so a locked file never takes Discord's answers away.
        gateway_lease = None
        if core.store.store.backend == "postgresql":
            length = dt.timedelta(seconds=bot.leader_lease)
            # Wall-clock time, whatever the process's clock: the other replicas judge the
            # lease's expiry by theirs (a test's virtual clock must not move it either).
            gateway_lease = GatewayLease(core.leases, SystemClock(), core.owner, length)
        discord = DiscordService.from_settings(
            bot,
            answers=core.answers,
            daily=core.daily,
            sync_memory=core.store.values,
            clock=core.clock,
            in_flight=core.in_flight,
            usage=core.usage,
            gateway_lease=gateway_lease,
        )
        services.append(discord)
        posting["discord"] = discord.publisher()
    app = settings.slack.app()
    if app is not None:
        from bot.adapters.slack import SlackService  # noqa: PLC0415
        from bot.adapters.slack.events import SharedEvents  # noqa: PLC0415

        slack = SlackService.from_settings(
            app,
            answers=core.answers,
            clock=core.clock,
            deliveries=SharedEvents(core.store.events, core.clock, core.owner),
            host=host,
            port=port,
            in_flight=core.in_flight,
            usage=core.usage,
        )
        services.append(slack)
        posting["slack"] = slack.publisher()
    posting.update(publishers or {})
    scheduler = insight_scheduler(settings, core, posting)
    if scheduler is not None:
        services.append(scheduler)
    if services:
        from bot.usage import QuestionRetention  # noqa: PLC0415

        # Whatever runs (a platform, or only the insight), and also with recording off: every
        # start clears text past its retention, and all of it once keeping is turned off.
        store = core.usage.store if core.usage is not None else core.store
        services.append(
            QuestionRetention(
                store,
                core.clock,
                settings.stats.retention,
                keep_questions=settings.stats.keep_questions,
                recorder=core.usage,
            )
        )
    return services


def insight_scheduler(
    settings: Settings, core: Core, publishers: Mapping[str, InsightPublisher]
) -> InsightScheduler | None:
    """The daily insight for every configured channel whose platform can post here."""
    from bot.insight.schedule import InsightScheduler  # noqa: PLC0415 - see the imports above

    channels = settings.insight.channels()
    usable = {p: pub for p, pub in publishers.items() if p in channels}
    missing = sorted(channels.keys() - usable.keys())
    if missing:
        log.warning(
            "insight channels are set for a platform that is not configured",
            extra={"platforms": ",".join(missing)},
        )
    if not usable:
        return None
    targets = [target for platform in usable for target in channels[platform]]
    return InsightScheduler(
        core.daily,
        core.ledger,
        usable,
        targets,
        at=settings.insight.time,
        owner=core.owner,
        claim_lease=dt.timedelta(seconds=settings.insight.claim_lease),
    )
