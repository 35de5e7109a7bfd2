"""Test doubles of our own protocols: a clock tests drive, and publishers that record posts."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable
from pathlib import Path

from bot.insight import Insight, PublishError


class ManualClock:
    """A clock that jumps to each wake-up time at once, and parks at `stop_at`."""

    def __init__(self, start: dt.datetime, stop_at: dt.datetime | None = None) -> None:
        self.current = start
        self.stop_at = stop_at
        self.parked = asyncio.Event()
        self.sleeps: list[dt.datetime] = []

    def now(self) -> dt.datetime:
        return self.current

    async def sleep_until(self, when: dt.datetime) -> None:
        self.sleeps.append(when)
        if self.stop_at is not None and when > self.stop_at:
            self.current = max(self.current, self.stop_at)
            self.parked.set()
            await asyncio.Event().wait()  # until the test cancels the sleeper
        self.current = max(self.current, when)
        await asyncio.sleep(0)


async def run_until(clock: ManualClock, job: Awaitable[None], until: dt.datetime) -> None:
    """Run `job` (a scheduler's run()) on `clock` until it waits for a time after `until`."""
    clock.stop_at = until
    clock.parked.clear()
    task = asyncio.ensure_future(job)
    parked = asyncio.ensure_future(clock.parked.wait())
    await asyncio.wait([task, parked], return_when=asyncio.FIRST_COMPLETED)
    parked.cancel()
    if task.done():
        task.result()  # raises what the job raised
        raise AssertionError("the job returned instead of waiting for the next day")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


class RecordingPublisher:
    """A platform in memory: channels hold the posts, each marked with its insight key."""

    def __init__(self, platform: str, clock: ManualClock | None = None) -> None:
        self.platform = platform
        self.clock = clock
        self.channels: dict[str, list[tuple[str, str, str]]] = {}  # id, key, lang
        self.insights: dict[str, list[Insight]] = {}  # what was posted, per channel
        self.post_times: list[tuple[str, dt.datetime]] = []
        self.failures: dict[str, list[Exception]] = {}
        self.attempt_times: dict[str, list[dt.datetime]] = {}

    def fail(self, channel: str, *errors: Exception) -> None:
        """Make the next posts to `channel` raise these errors, in order."""
        self.failures.setdefault(channel, []).extend(errors)

    def posts(self, channel: str) -> list[str]:
        """The insight keys posted to `channel`, oldest first."""
        return [key for _, key, _ in self.channels.get(channel, [])]

    async def find_posted(self, channel: str, insight: Insight) -> str | None:
        return next((i for i, key, _ in self.channels.get(channel, []) if key == insight.key), None)

    async def post(self, channel: str, insight: Insight) -> str:
        if self.clock is not None:
            self.attempt_times.setdefault(channel, []).append(self.clock.now())
        pending = self.failures.get(channel)
        if pending:
            raise pending.pop(0)
        posts = self.channels.setdefault(channel, [])
        message_id = f"{self.platform}-{channel}-{len(posts) + 1}"
        posts.append((message_id, insight.key, insight.lang))
        self.insights.setdefault(channel, []).append(insight)
        if self.clock is not None:
            self.post_times.append((channel, self.clock.now()))
        return message_id


class FileChannelPublisher:
    """A platform on disk, shared by processes: one JSON line per post in `folder/channel`."""

    def __init__(
        self, platform: str, folder: Path, hang_after_post: bool = False, latency: float = 0
    ) -> None:
        self.platform = platform
        self.folder = folder
        self.hang_after_post = hang_after_post
        self.latency = latency

    def _file(self, channel: str) -> Path:
        return self.folder / f"{self.platform}-{channel}.jsonl"

    def read(self, channel: str) -> list[dict[str, str]]:
        path = self._file(channel)
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    async def find_posted(self, channel: str, insight: Insight) -> str | None:
        return next((p["id"] for p in self.read(channel) if p["key"] == insight.key), None)

    async def post(self, channel: str, insight: Insight) -> str:
        if channel.startswith("broken"):
            raise PublishError("missing permission", retry=False)
        if self.latency:
            # The request in flight (real seconds, in a worker process only): long enough for
            # another process to look at the same record meanwhile.
            await asyncio.sleep(self.latency)
        message_id = f"{self.platform}-{channel}-{len(self.read(channel)) + 1}"
        with self._file(channel).open("a") as out:
            out.write(json.dumps({"id": message_id, "key": insight.key}) + "\n")
        if self.hang_after_post:
            print(f"SENT {message_id}", flush=True)
            await asyncio.Event().wait()  # the test kills the process here, before recording
        return message_id
