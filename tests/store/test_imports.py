"""The store's database libraries load only when a store is opened: `townhall ask` stays fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASK_THEN_LIST = """
import contextlib, io, sys
import bot.store
from bot.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    status = main(["ask", "--json", "hiring?"])
assert status == 0 and '"results"' in out.getvalue(), out.getvalue()
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_asking_a_question_loads_no_database_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", ASK_THEN_LIST],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "bot" in loaded
    assert loaded.isdisjoint({"sqlalchemy", "alembic", "psycopg", "psycopg_binary"})
