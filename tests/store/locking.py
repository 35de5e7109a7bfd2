"""Another connection holding the database's write lock, for as long as a test needs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg


@contextmanager
def write_lock_held(db_target: str) -> Iterator[None]:
    """Another connection's open transaction holding the write lock (SQLite) or kv's rows."""
    if db_target.startswith("postgresql://"):
        with psycopg.connect(db_target) as other:
            other.execute("SELECT value FROM kv FOR UPDATE")
            yield
            other.rollback()
        return
    other = sqlite3.connect(db_target, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield
    other.rollback()
    other.close()
