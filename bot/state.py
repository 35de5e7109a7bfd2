"""The bot's state in one SQLite file: small named values, and the insight ledger's tables."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class StateDB:
    """A SQLite database file shared by every part of the bot (and by several processes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit (isolation_level=None): each statement or explicit BEGIN is its own
        # transaction, so two processes sharing the file never hold a lock by accident.
        self.connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.connection.execute("PRAGMA busy_timeout=30000")
        _use_wal(self.connection)
        self.connection.executescript(_SCHEMA)

    def get_value(self, key: str) -> str | None:
        """The value stored under `key`, if any."""
        row = self.connection.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_value(self, key: str, value: str) -> None:
        """Store `value` under `key`, replacing what was there."""
        self.connection.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def add_value(self, key: str, value: str) -> str:
        """Store `value` under `key` unless a value is there; return the stored value.

        One INSERT that ignores a conflict, so when several processes add a value for the
        same key at once, the first one wins and every process gets the winner back.
        """
        self.connection.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING", (key, value)
        )
        stored = self.get_value(key)
        assert stored is not None  # values are never deleted
        return stored

    def close(self) -> None:
        """Close the connection; the file stays consistent (WAL)."""
        self.connection.close()


def _use_wal(connection: sqlite3.Connection, patience: float = 30.0) -> None:
    """Switch the file to WAL (once per file; it persists), waiting out other processes.

    The switch needs the file to itself and SQLite does not run the busy handler for it, so
    two processes opening a new file at once get "database is locked" at once: retry.
    """
    deadline = time.monotonic() + patience
    pause = 0.005
    while True:
        try:
            if str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("could not switch the database to WAL mode")
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
