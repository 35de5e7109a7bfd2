"""The scheduler alone in a process, for the multi-process tests.

    python -m tests.insight.scheduler_process --db F --channels D --targets P:C,... ...

It runs the real scheduler and ledger on the store at --db (a file or PostgreSQL), with
file-backed channels and a ManualClock from --start until it waits past --until, then exits 0.
With --serve it runs under run_services and waits for SIGTERM once the clock has parked.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.channel import Channel
from bot.insight.channel import InsightChannel
from bot.insight.daily import DailyInsights
from bot.insight.ledger import Ledger
from bot.insight.schedule import InsightScheduler
from bot.knowledge import load_knowledge
from bot.logs import setup_logging
from bot.runner import Runner
from bot.runtime import run_services
from bot.settings import BUNDLED_KNOWLEDGE
from bot.store import AsyncStore, open_store
from tests.fakes.clock import ManualClock, run_until
from tests.insight.publishers import FileChannelPublisher


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="TOWNHALL_DB: a file path or a URL")
    parser.add_argument("--channels", type=Path, required=True)
    parser.add_argument("--targets", required=True, help="platform:channel,...")
    parser.add_argument("--start", type=dt.datetime.fromisoformat, required=True)
    parser.add_argument("--until", type=dt.datetime.fromisoformat, required=True)
    parser.add_argument("--time", default="09:00")
    parser.add_argument("--zone", default="Asia/Seoul")
    parser.add_argument("--lease-minutes", type=float, default=10)
    parser.add_argument("--latency", type=float, default=0)
    parser.add_argument("--hang-after-post", action="store_true")
    parser.add_argument("--wait-go", action="store_true", help="start when stdin says go")
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    setup_logging(stream=sys.stderr)
    targets = [InsightChannel(Channel(*item.split(":", 1))) for item in args.targets.split(",")]
    publishers = {
        p: FileChannelPublisher(p, args.channels, args.hang_after_post, args.latency)
        for p in {t.channel.platform for t in targets}
    }
    clock = ManualClock(args.start)
    store = open_store(args.db)
    store.upgrade()
    ledger = Ledger(AsyncStore(store, Runner("store", finish_queued=True)))
    knowledge = load_knowledge(BUNDLED_KNOWLEDGE)
    lane = Runner("engine")
    scheduler = InsightScheduler(
        DailyInsights(knowledge, ledger, clock, ZoneInfo(args.zone), lane),
        ledger,
        publishers,
        targets,
        at=dt.time.fromisoformat(args.time),
        claim_lease=dt.timedelta(minutes=args.lease_minutes),
    )
    if args.wait_go:
        print("READY", flush=True)
        sys.stdin.readline()
    if args.serve:
        asyncio.run(_serve(scheduler, clock, args.until))
    else:
        asyncio.run(run_until(clock, scheduler.run(), args.until))
    print("DONE", flush=True)


async def _serve(scheduler: InsightScheduler, clock: ManualClock, until: dt.datetime) -> None:
    clock.stop_at = until

    async def announce() -> None:
        await clock.parked.wait()
        print("PARKED", flush=True)

    announcer = asyncio.create_task(announce())
    try:
        await run_services([scheduler], clock=clock)
    finally:
        announcer.cancel()


if __name__ == "__main__":
    main()
