"""Exactly once across real processes: a crash between send and record, and two schedulers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.store.store import Store
from tests.insight.publishers import FileChannelPublisher

ROOT = Path(__file__).resolve().parents[2]
DAY_START = "2026-02-01T23:00:00+00:00"  # 08:00 in Seoul; the post is due at 09:00
DAY_LATE = "2026-02-02T14:00:00+00:00"  # 23:00 in Seoul
TIMEOUT = 60  # a guard against a hang, not a timing assertion


def worker(tmp_path: Path, db: str, targets: str, *flags: str) -> subprocess.Popen[str]:
    """Start a worker on the shared database and channels, from 08:00 to 23:00 in Seoul."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INSIGHT_", "TOWNHALL_"))}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.insight.scheduler_process",
            "--db",
            db,
            "--channels",
            str(tmp_path),
            *("--targets", targets, "--start", DAY_START, "--until", DAY_LATE),
            *flags,
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    return out


def records(store: Store) -> dict[tuple[str, str], tuple[str, str | None, int]]:
    return {
        (platform, channel): (r.status, r.message_id, r.attempts)
        for platform, channel in store.insight.channels()
        for r in store.insight.recent(platform, channel, 1)
    }


def test_crash_between_send_and_record_leads_to_exactly_one_post(
    tmp_path: Path, db_target: str, store: Store
) -> None:
    first = worker(tmp_path, db_target, "slack:C1", "--hang-after-post")
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "SENT slack-C1-1"
    first.send_signal(signal.SIGKILL)  # sent, but never recorded
    first.communicate(timeout=TIMEOUT)
    assert first.returncode == -signal.SIGKILL
    assert records(store)[("slack", "C1")] == ("pending", None, 1)

    # Restarted the same day: the dead process's lease runs out, then the post is found.
    finish(worker(tmp_path, db_target, "slack:C1"))

    channel = FileChannelPublisher("slack", tmp_path).read("C1")
    assert [post["id"] for post in channel] == ["slack-C1-1"]
    assert records(store)[("slack", "C1")] == ("posted", "slack-C1-1", 2)


def test_two_processes_on_one_database_post_once(
    tmp_path: Path, db_target: str, store: Store
) -> None:
    # Each process has its own virtual clock; a day-long lease keeps the waiting one from
    # jumping past the working one's lease (real processes share one wall clock).
    targets = ",".join([f"discord:{n}" for n in range(1, 6)] + ["slack:C1", "slack:C2"])
    processes = [
        worker(
            tmp_path, db_target, targets, "--wait-go", "--lease-minutes", "1440", "--latency", "0.2"
        )
        for _ in range(2)
    ]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "READY"
    for process in processes:  # both start their day at the same moment
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in processes:
        finish(process)

    for platform, channel in [
        *[("discord", str(n)) for n in range(1, 6)],
        ("slack", "C1"),
        ("slack", "C2"),
    ]:
        posts = FileChannelPublisher(platform, tmp_path).read(channel)
        assert len(posts) == 1, (platform, channel, posts)
        # One claim in all: the other process never even asked the platform.
        assert records(store)[(platform, channel)] == ("posted", posts[0]["id"], 1)


def test_sigterm_stops_the_scheduler_cleanly(tmp_path: Path, db_target: str, store: Store) -> None:
    process = worker(tmp_path, db_target, "discord:1,discord:broken", "--serve")
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "PARKED"
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=TIMEOUT)

    assert process.returncode == 0, err
    assert out.strip() == "DONE"
    events = [json.loads(line) for line in err.splitlines()]
    assert events[-1]["event"] == "all services stopped"
    failed = next(e for e in events if e["event"] == "insight post failed; giving up for today")
    assert (failed["level"], failed["channel"], failed["error"]) == (
        "error",
        "broken",
        "missing permission",
    )
    assert records(store) == {
        ("discord", "1"): ("posted", "discord-1-1", 1),
        ("discord", "broken"): ("failed", None, 1),
    }
