"""Real `townhall serve` processes as replicas on one PostgreSQL, against the local fakes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fakes.discord_api import TOKEN, FakeDiscord
from tests.postgres import PostgresCluster

ROOT = Path(__file__).resolve().parents[2]
# Seconds; a guard against a hang, not a timing assertion. One run in about forty of this
# folder failed at 30 s while a whole test suite ran beside it (not reproduced since).
PATIENCE = 60.0
# Short, so a takeover test takes seconds; production's default is 20 s.
LEASE_SECONDS = "2"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Replica:
    """One `townhall serve` process, its /healthz port, and its log lines."""

    process: asyncio.subprocess.Process
    health_port: int
    lines: list[dict[str, Any]] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    async def read_logs(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            try:
                self.lines.append(json.loads(raw))
            except ValueError:
                self.lines.append({"event": raw.decode(errors="replace").strip()})

    async def health(self) -> dict[str, Any] | None:
        """The /healthz body, or None while the replica is not serving it yet."""
        url = f"http://127.0.0.1:{self.health_port}/healthz"
        try:
            async with aiohttp.ClientSession() as session, session.get(url) as response:
                body: dict[str, Any] = await response.json()
                return body
        except aiohttp.ClientError:
            return None

    def events(self) -> list[str]:
        """The log lines' events so far."""
        return [str(line.get("event")) for line in self.lines]

    async def role(self) -> str | None:
        health = await self.health()
        if health is None:
            return None
        return str(health["services"]["discord"].get("role"))

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), PATIENCE)
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        return code


async def until(check: Callable[[], Any], what: str, replicas: Sequence[Replica] = ()) -> None:
    """Wait (a bounded while) until the coroutine function `check` returns something true.

    On timeout the failure says what was awaited and, for each of `replicas`, whether it
    still runs and its last log lines: a rare failure must explain itself from CI's log.
    """
    try:
        async with asyncio.timeout(PATIENCE):
            while not await check():
                await asyncio.sleep(0.05)
    except TimeoutError:
        told = [
            f"replica pid {r.process.pid} (exit {r.process.returncode}): {r.events()[-15:]}"
            for r in replicas
        ]
        pytest.fail(f"not within {PATIENCE} s: {what}\n" + "\n".join(told))


@pytest.fixture
def replica_database(postgres: PostgresCluster) -> str:
    """TOWNHALL_DB for the replicas: a fresh database on the session's PostgreSQL server."""
    return postgres.url(postgres.create_database())


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
async def start_replica(
    replica_database: str, fake_discord: FakeDiscord, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    """Start a `townhall serve` replica with Discord on the fake and the shared database."""
    started: list[Replica] = []

    async def start(*serve_options: str, **env_extra: str) -> Replica:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DISCORD_", "SLACK_", "INSIGHT_", "TOWNHALL_", "KNOWLEDGE_"))
        }
        env |= {
            "DISCORD_TOKEN": TOKEN,
            "DISCORD_LEADER_LEASE": LEASE_SECONDS,
            "TOWNHALL_DB": replica_database,
            # One test member sends every event: paced, most would get "wait a moment".
            "SLACK_ASK_COOLDOWN": "0",
            **env_extra,
        }
        port = free_port()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.fakes.townhall_serve",
            str(fake_discord.port),
            *("--health-port", str(port), *serve_options),
            cwd=tmp_path,  # no .env from the checkout
            env={**env, "PYTHONPATH": str(ROOT)},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        replica = Replica(process, port)
        replica._reader = asyncio.create_task(replica.read_logs())
        started.append(replica)
        return replica

    yield start
    for replica in started:
        if replica.process.returncode is None:
            replica.kill()
        await asyncio.gather(replica.process.wait(), return_exceptions=True)
        if replica._reader is not None:
            await asyncio.gather(replica._reader, return_exceptions=True)
