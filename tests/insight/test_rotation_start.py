"""The rotation's first day is stored once in the database and every process agrees on it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from bot.insight.ledger import Ledger
from bot.state import StateDB

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60  # a guard against a hang, not a timing assertion
# Each process opens the shared file, waits for "go", then stores its own day as the start.
STORE = (
    "import sys, datetime as dt; from pathlib import Path; "
    "from bot.insight.ledger import Ledger; from bot.state import StateDB; "
    "ledger = Ledger(StateDB(Path(sys.argv[1]))); print('READY', flush=True); "
    "sys.stdin.readline(); "
    "print(ledger.start_rotation(dt.date.fromisoformat(sys.argv[2])).isoformat(), flush=True)"
)


def test_no_start_is_stored_until_one_is_asked_for(tmp_path: Path) -> None:
    db = StateDB(tmp_path / "townhall.db")
    ledger = Ledger(db)
    assert ledger.rotation_start() is None

    assert ledger.start_rotation(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)
    assert ledger.rotation_start() == dt.date(2026, 3, 2)
    db.close()


def test_two_ledgers_on_one_file_keep_the_first_start(tmp_path: Path) -> None:
    first, second = StateDB(tmp_path / "townhall.db"), StateDB(tmp_path / "townhall.db")

    assert Ledger(first).start_rotation(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)
    assert Ledger(second).start_rotation(dt.date(2026, 3, 9)) == dt.date(2026, 3, 2)
    assert Ledger(first).start_rotation(dt.date(2026, 2, 1)) == dt.date(2026, 3, 2)
    first.close()
    second.close()


def test_processes_storing_the_start_at_once_agree_on_one(tmp_path: Path) -> None:
    path = tmp_path / "townhall.db"
    StateDB(path).close()  # the file exists; opening a new file at once is test_state's case
    days = [f"2026-03-0{n}" for n in range(1, 5)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", STORE, str(path), day],
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

    db = StateDB(path)
    stored = Ledger(db).rotation_start()
    db.close()
    assert stored is not None
    assert stored.isoformat() in days
    assert answers == [stored.isoformat()] * len(days)
