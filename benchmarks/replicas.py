"""Several replicas, measured: the Discord takeover, and Slack answers/s through 1 or 2.

    .venv/bin/python benchmarks/replicas.py [--lease 20] [--events 200]

Real `townhall serve` processes (tests/fakes/townhall_serve.py) on a throwaway PostgreSQL,
against the local fake Discord and fake Slack in this process. Prints figures; asserts
nothing (the tests in tests/replicas/ pin the behaviour).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.adapters.slack.conftest import SIGNING_SECRET, event_callback, mention  # noqa: E402
from tests.fakes.discord_api import TOKEN, FakeDiscord  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.postgres import PostgresCluster  # noqa: E402

QUESTIONS = [
    "Is OpenAI going to hire fewer people?",
    "OpenAI는 앞으로 채용 속도를 어떻게 하나요?",
    "Is college still worth it?",
    "AI 시대에 가장 중요한 스킬은 무엇인가요?",
    "What did he say about agents in production?",
    "바이오 보안은 어떻게 해야 하나요?",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def replica(
    database: str, discord_port: int, folder: Path, health: int, *options: str, **env: str
) -> asyncio.subprocess.Process:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "SLACK_", "INSIGHT_", "TOWNHALL_", "KNOWLEDGE_"))
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.townhall_serve",
        str(discord_port),
        *("--health-port", str(health), *options),
        cwd=folder,
        # One bench member sends every event: not paced, or most would be "wait a moment".
        env={
            **base,
            "TOWNHALL_DB": database,
            "SLACK_ASK_COOLDOWN": "0",
            "PYTHONPATH": str(ROOT),
            **env,
        },
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def healthz(port: int) -> dict[str, object] | None:
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            body: dict[str, object] = await response.json()
            return body
    except aiohttp.ClientError:
        return None


async def role(port: int) -> str | None:
    body = await healthz(port)
    if body is None:
        return None
    services = body["services"]
    assert isinstance(services, dict)
    return str(services["discord"].get("role"))


async def wait(check: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("gave up waiting")
        await asyncio.sleep(0.02)


def open_connections(fake: FakeDiscord) -> int:
    return sum(not c.closed and 2 in c.ops() for c in fake.connections)


async def takeover(database: str, folder: Path, lease: str) -> None:
    async with FakeDiscord() as fake:
        env = {"DISCORD_TOKEN": TOKEN, "DISCORD_LEADER_LEASE": lease}
        ports = [free_port(), free_port()]
        first = await replica(database, fake.port, folder, ports[0], **env)
        await wait(lambda: _is(ports[0], "leader"))
        second = await replica(database, fake.port, folder, ports[1], **env)
        await wait(lambda: _is(ports[1], "standby"))
        killed = time.monotonic()
        first.send_signal(signal.SIGKILL)
        await first.wait()
        await wait(lambda: _connected(fake))
        connected = time.monotonic() - killed
        interaction = fake.slash("ask", {"question": "What about hiring?"})
        await fake.interact(interaction)
        await fake.response_to(interaction)
        answered = time.monotonic() - killed
        second.send_signal(signal.SIGTERM)
        await second.wait()
        print(
            f"Discord takeover, lease {lease} s: SIGKILL -> the standby connected in "
            f"{connected:.1f} s, answered the next interaction {answered:.1f} s after the kill; "
            f"most gateway connections open at once: {fake.most_open}"
        )


async def _is(port: int, wanted: str) -> bool:
    return await role(port) == wanted


async def _connected(fake: FakeDiscord) -> bool:
    return open_connections(fake) == 1 and len(fake.connections) == 2


async def throughput(database: str, folder: Path, count: int, events: int) -> None:
    async with FakeSlack() as slack:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-bench-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
        }
        ports = [free_port() for _ in range(count)]
        processes = [
            await replica(
                database, 1, folder, free_port(), "--host", "127.0.0.1", "--port", str(p), **env
            )
            for p in ports
        ]
        for port in ports:
            await wait(lambda port=port: _listening(port))
        async with aiohttp.ClientSession() as session:
            started = time.monotonic()
            await asyncio.gather(
                *(
                    _deliver(session, ports[n % count], n, f"EvBench{count}-{n}")
                    for n in range(events)
                )
            )
            await slack.wait_for("chat.postMessage", count=events, timeout=600)
            took = time.monotonic() - started
        for process in processes:
            process.send_signal(signal.SIGTERM)
            await process.wait()
        print(
            f"Slack mentions through {count} replica(s): {events} answered in {took:.1f} s, "
            f"{events / took:.1f} answers/s"
        )


async def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


async def _deliver(session: aiohttp.ClientSession, port: int, n: int, event_id: str) -> None:
    event = mention(QUESTIONS[n % len(QUESTIONS)], ts=f"1769000000.{n:06d}")
    raw = json.dumps(event_callback(event, event_id)).encode()
    ts = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=raw)
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    url = f"http://127.0.0.1:{port}/slack/events"
    async with session.post(url, data=raw, headers=headers) as response:
        assert response.status == 200, response.status


async def run(lease: str, events: int) -> None:
    cluster = PostgresCluster.create()
    try:
        with tempfile.TemporaryDirectory() as folder:
            await takeover(cluster.url(cluster.create_database()), Path(folder), lease)
            for count in (1, 2):
                database = cluster.url(cluster.create_database())
                await throughput(database, Path(folder), count, events)
    finally:
        cluster.destroy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lease", default="20", help="DISCORD_LEADER_LEASE (seconds)")
    parser.add_argument("--events", type=int, default=200, help="Slack mentions per run")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPU(s); PostgreSQL fsync off (as the tests run it)")
    asyncio.run(run(args.lease, args.events))


if __name__ == "__main__":
    main()
