"""The state database opens safely when several processes open a new file at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.state import StateDB

ROOT = Path(__file__).resolve().parents[1]
OPEN = (
    "import sys; from pathlib import Path; from bot.state import StateDB; "
    "print('READY', flush=True); sys.stdin.readline(); "
    "db = StateDB(Path(sys.argv[1])); db.set_value(sys.argv[2], 'x')"
)


def test_processes_opening_a_new_file_at_once_all_succeed(tmp_path: Path) -> None:
    for attempt in range(4):
        path = tmp_path / f"round{attempt}.db"
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN, str(path), f"p{n}"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(6)
        ]
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "READY"
        for process in processes:  # all imported; now all open the new file together
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in processes:
            _, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
        db = StateDB(path)
        assert [db.get_value(f"p{n}") for n in range(6)] == ["x"] * 6
        assert db.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.close()
