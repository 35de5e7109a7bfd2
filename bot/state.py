"""The bot's state in one SQLite file: small named values now, the insight ledger later."""

from __future__ import annotations

import sqlite3
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
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA busy_timeout=30000")
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

    def close(self) -> None:
        """Close the connection; the file stays consistent (WAL)."""
        self.connection.close()
