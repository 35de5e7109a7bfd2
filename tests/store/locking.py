"""Another connection holding the database's write lock, for as long as a test needs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg


@contextmanager
def write_lock_held(db_target: str, table: str | None = None) -> Iterator[None]:
    """Another connection's open transaction holding the write lock (SQLite); on PostgreSQL
    kv's rows, or with `table` that whole table against writes."""
    if db_target.startswith("postgresql://"):
        with psycopg.connect(db_target) as other:
            if table is None:
                other.execute("SELECT value FROM kv FOR UPDATE")
            else:
                other.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            yield
            other.rollback()
        return
    other = sqlite3.connect(db_target, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield
    other.rollback()
    other.close()


# A process that takes the file's write lock, says so, and keeps it until its stdin closes.
_HOLD = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
    "c.execute('BEGIN IMMEDIATE'); print('LOCKED', flush=True); sys.stdin.read()"
)


@contextmanager
def write_lock_held_by_another_process(path: str) -> Iterator[None]:
    """Another process holding the SQLite file's write lock until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
