"""The rotation's first day is stored once in the database and every process agrees on it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from bot.insight.ledger import Ledger
from bot.runner import Runner
from bot.store import AsyncStore, open_store
from bot.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60  # a guard against a hang, not a timing assertion
# Each process opens the shared store, waits for "go", then stores its own day as the start.
STORE = (
    "import asyncio, sys, datetime as dt; "
    "from bot.insight.ledger import Ledger; from bot.store import AsyncStore, open_store; "
    "ledger = Ledger(AsyncStore(open_store(sys.argv[1]))); print('READY', flush=True); "
    "sys.stdin.readline(); day = dt.date.fromisoformat(sys.argv[2]); "
    "print(asyncio.run(ledger.start_rotation(day)).isoformat(), flush=True)"
)


async def test_no_start_is_stored_until_one_is_asked_for(ledger: Ledger) -> None:
    assert await ledger.rotation_start() is None

    assert await ledger.start_rotation(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)
    assert await ledger.rotation_start() == dt.date(2026, 3, 2)


async def test_two_ledgers_on_one_database_keep_the_first_start(
    db_target: str, store: Store
) -> None:
    lane = Runner("second", finish_queued=True)
    other = open_store(db_target)
    first, second = Ledger(AsyncStore(store, lane)), Ledger(AsyncStore(other, lane))

    assert await first.start_rotation(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)
    assert await second.start_rotation(dt.date(2026, 3, 9)) == dt.date(2026, 3, 2)
    assert await first.start_rotation(dt.date(2026, 2, 1)) == dt.date(2026, 3, 2)
    lane.close()
    other.close()


def test_processes_storing_the_start_at_once_agree_on_one(db_target: str, store: Store) -> None:
    days = [f"2026-03-0{n}" for n in range(1, 5)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", STORE, db_target, day],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for day in days
    ]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "READY"
    for process in processes:  # every ledger is open; now all store at once
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    answers = []
    for process in processes:
        out, err = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0, err
        answers.append(out.strip())

    stored = store.values.get("insight.rotation_start")
    assert stored in days
    assert answers == [stored] * len(days)
