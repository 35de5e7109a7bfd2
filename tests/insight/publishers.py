"""Insight publishers for the scheduler tests: in memory, or in files shared by processes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

from bot.insight import Insight, InsightMark, PublishError
from tests.fakes.clock import ManualClock


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
        day = f"{insight.day.isoformat()}/"  # any topic of the day, as the platforms look
        return next(
            (i for i, key, _ in self.channels.get(channel, []) if key.startswith(day)), None
        )

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

    async def latest_mark(self, channel: str) -> InsightMark | None:
        posted = self.insights.get(channel)
        return InsightMark.read(posted[-1].key, posted[-1].number) if posted else None


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
        day = f"{insight.day.isoformat()}/"  # any topic of the day, as the platforms look
        return next((p["id"] for p in self.read(channel) if p["key"].startswith(day)), None)

    async def latest_mark(self, channel: str) -> InsightMark | None:
        return None  # these tests never lose the database

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
