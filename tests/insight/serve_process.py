"""`townhall serve`'s daily insight in its own process, against fakes in the test process.

    python -m tests.insight.serve_process --db F --knowledge D --discord-port P \
        --slack-url U --start T --until T [--wait-go] [--lease-minutes M] [--kill-after-posts N]

Builds the services with `services_for` (real discord.py client, real slack_sdk client,
real scheduler and ledger on the database file) and runs the scheduler on a ManualClock
from --start until it waits past --until, then prints DONE. With --kill-after-posts N, the
process SIGKILLs itself once N posts were accepted by the platforms and before any of them
is recorded: the first N-1 posts hold, the N-th kills.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import sys
from pathlib import Path

from bot.cli.common import engine_or_exit
from bot.insight import Insight, InsightMark, InsightPublisher
from bot.logs import setup_logging
from tests.fakes.clock import ManualClock, run_until
from tests.fakes.discord_api import redirect_discord
from tests.insight.serve_with_fakes import serving, settings_for


class KilledAfterPosts:
    """A publisher that lets the real one post, then holds, and kills the process at `count`."""

    def __init__(self, publisher: InsightPublisher, posted: list[str], count: int) -> None:
        self.platform = publisher.platform
        self.publisher = publisher
        self.posted = posted  # shared by every platform's wrapper
        self.count = count

    async def find_posted(self, channel: str, insight: Insight) -> str | None:
        return await self.publisher.find_posted(channel, insight)

    async def latest_mark(self, channel: str) -> InsightMark | None:
        return await self.publisher.latest_mark(channel)

    async def post(self, channel: str, insight: Insight) -> str:
        message_id = await self.publisher.post(channel, insight)
        self.posted.append(message_id)
        if len(self.posted) >= self.count:
            print(f"SENT {len(self.posted)}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)  # the platform has it; the ledger never will
        await asyncio.Event().wait()  # never returns: this post stays unrecorded too
        return message_id


async def main(args: argparse.Namespace) -> None:
    redirect_discord(args.discord_port)
    settings = settings_for(
        db=args.db,
        knowledge=args.knowledge,
        discord_port=args.discord_port,
        slack_api_url=args.slack_url,
        at=args.time,
        zone=args.zone,
    )
    engine = engine_or_exit(settings)
    clock = ManualClock(args.start)
    lease = dt.timedelta(minutes=args.lease_minutes)
    async with serving(settings, engine, clock, lease=lease) as bot:
        if args.kill_after_posts:
            posted: list[str] = []
            bot.scheduler.publishers = {
                platform: KilledAfterPosts(publisher, posted, args.kill_after_posts)
                for platform, publisher in bot.scheduler.publishers.items()
            }
        if args.wait_go:
            print("READY", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await run_until(clock, bot.scheduler.run(), args.until)
    print("DONE", flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--knowledge", type=Path, required=True)
    parser.add_argument("--discord-port", type=int, required=True)
    parser.add_argument("--slack-url", required=True)
    parser.add_argument("--start", type=dt.datetime.fromisoformat, required=True)
    parser.add_argument("--until", type=dt.datetime.fromisoformat, required=True)
    parser.add_argument("--time", default="09:00")
    parser.add_argument("--zone", default="Asia/Seoul")
    parser.add_argument("--lease-minutes", type=float, default=10)
    parser.add_argument("--kill-after-posts", type=int, default=0)
    parser.add_argument("--wait-go", action="store_true", help="start when stdin says go")
    return parser.parse_args()


if __name__ == "__main__":
    setup_logging(stream=sys.stderr)
    asyncio.run(main(arguments()))
