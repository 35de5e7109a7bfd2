"""The insight ledger: the rotation's first day, and one record per platform, channel and day.

Every change is one SQL statement on an autocommit connection, so it is atomic across
processes sharing the file: a claim is a conditional UPDATE that only one process can win,
and its lease expires so a crashed claimer's record is taken over later that day. The
rotation's first day is stored once (INSERT that ignores a conflict) and never changes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Literal

from bot.insight.channel import Channel
from bot.state import StateDB

Status = Literal["pending", "posted", "failed"]

# The state database key of the rotation's first day (YYYY-MM-DD in INSIGHT_TIMEZONE).
ROTATION_START = "insight.rotation_start"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS insight_posts (
    platform     TEXT NOT NULL,
    channel      TEXT NOT NULL,
    day          TEXT NOT NULL,  -- the local date in INSIGHT_TIMEZONE, YYYY-MM-DD
    insight_key  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'failed')),
    message_id   TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,  -- unix seconds; when a pending record is due
    lease_owner  TEXT,
    lease_until  REAL,  -- unix seconds; the claimer's lease, NULL when free
    last_error   TEXT,
    updated      REAL NOT NULL,
    PRIMARY KEY (platform, channel, day)
);
"""

_COLUMNS = (
    "platform, channel, day, insight_key, status, message_id, attempts, next_attempt, "
    "lease_owner, lease_until, last_error, updated"
)
_KEY = "platform = ? AND channel = ? AND day = ?"


@dataclass(frozen=True)
class PostRecord:
    """The state of one day's insight in one channel."""

    channel: Channel
    day: dt.date
    insight_key: str
    status: Status
    message_id: str | None
    attempts: int
    next_attempt: dt.datetime
    lease_owner: str | None
    lease_until: dt.datetime | None
    last_error: str | None
    updated: dt.datetime

    def leased(self, now: dt.datetime) -> bool:
        """Whether a claimer holds this record at `now`."""
        return self.lease_until is not None and self.lease_until > now


def stored_rotation_start(db: StateDB) -> dt.date | None:
    """The rotation's first day if one is stored; only reads (for `--preview`)."""
    value = db.get_value(ROTATION_START)
    return None if value is None else dt.date.fromisoformat(value)


class Ledger:
    """The rotation's first day and the insight post records, in the shared state database."""

    def __init__(self, db: StateDB) -> None:
        self.db = db
        db.connection.executescript(_SCHEMA)

    def rotation_start(self) -> dt.date | None:
        """The rotation's first day, if the rotation has started."""
        return stored_rotation_start(self.db)

    def start_rotation(self, day: dt.date) -> dt.date:
        """The rotation's first day; `day` becomes it if none is stored yet.

        Every process that asks at once gets the same answer: the first stored value wins.
        """
        return dt.date.fromisoformat(self.db.add_value(ROTATION_START, day.isoformat()))

    def open_day(self, channel: Channel, day: dt.date, key: str, now: dt.datetime) -> PostRecord:
        """The record of `day` in `channel`, created pending if there is none."""
        self.db.connection.execute(
            "INSERT INTO insight_posts (platform, channel, day, insight_key, status, updated) "
            "VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING",
            (*_key(channel, day), key, _stamp(now)),
        )
        record = self.get(channel, day)
        assert record is not None  # just inserted, and records are never deleted
        return record

    def claim(
        self, channel: Channel, day: dt.date, owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> PostRecord | None:
        """Take the lease on a due, pending, unleased record; None if it is not ours to take."""
        cursor = self.db.connection.execute(
            "UPDATE insight_posts "
            "SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated = ? "
            f"WHERE {_KEY} AND status = 'pending' "
            "AND next_attempt <= ? AND (lease_until IS NULL OR lease_until <= ?)",
            (
                owner,
                _stamp(now + lease),
                _stamp(now),
                *_key(channel, day),
                _stamp(now),
                _stamp(now),
            ),
        )
        return self.get(channel, day) if cursor.rowcount == 1 else None

    def record_posted(
        self,
        channel: Channel,
        day: dt.date,
        message_id: str,
        now: dt.datetime,
        note: str | None = None,
    ) -> None:
        """Mark the record posted with the message id (a posted record is never changed)."""
        self.db.connection.execute(
            "UPDATE insight_posts SET status = 'posted', message_id = ?, lease_owner = NULL, "
            "lease_until = NULL, last_error = ?, updated = ? "
            f"WHERE {_KEY} AND status != 'posted'",
            (message_id, note, _stamp(now), *_key(channel, day)),
        )

    def record_retry(
        self,
        channel: Channel,
        day: dt.date,
        owner: str,
        error: str,
        *,
        retry_at: dt.datetime,
        now: dt.datetime,
    ) -> None:
        """Release `owner`'s lease and make the record due again at `retry_at`."""
        self.db.connection.execute(
            "UPDATE insight_posts SET next_attempt = ?, lease_owner = NULL, lease_until = NULL, "
            "last_error = ?, updated = ? "
            f"WHERE {_KEY} AND status = 'pending' AND lease_owner = ?",
            (_stamp(retry_at), error, _stamp(now), *_key(channel, day), owner),
        )

    def record_failed(
        self, channel: Channel, day: dt.date, owner: str, error: str, now: dt.datetime
    ) -> None:
        """Give up on `owner`'s record for the day, keeping the error for `--status`."""
        self.db.connection.execute(
            "UPDATE insight_posts SET status = 'failed', lease_owner = NULL, lease_until = NULL, "
            "last_error = ?, updated = ? "
            f"WHERE {_KEY} AND status = 'pending' AND lease_owner = ?",
            (error, _stamp(now), *_key(channel, day), owner),
        )

    def reopen(
        self, channel: Channel, day: dt.date, now: dt.datetime, *, waiting_too: bool = False
    ) -> bool:
        """Make a failed record (and with `waiting_too` one waiting for a retry) due now.

        A posted record and one under another claimer's lease are left alone, so reopening
        keeps exactly-once: the next claimer still asks the platform before posting.
        """
        waiting = (
            "OR (status = 'pending' AND (lease_until IS NULL OR lease_until <= ?))"
            if waiting_too
            else ""
        )
        cursor = self.db.connection.execute(
            "UPDATE insight_posts SET status = 'pending', attempts = 0, next_attempt = ?, "
            "lease_owner = NULL, lease_until = NULL, updated = ? "
            f"WHERE {_KEY} AND (status = 'failed' {waiting})",
            (
                _stamp(now),
                _stamp(now),
                *_key(channel, day),
                *([_stamp(now)] if waiting_too else []),
            ),
        )
        return cursor.rowcount == 1

    def get(self, channel: Channel, day: dt.date) -> PostRecord | None:
        """The record of `day` in `channel`, if any."""
        rows = self._records(
            f"SELECT {_COLUMNS} FROM insight_posts WHERE {_KEY}", _key(channel, day)
        )
        return rows[0] if rows else None

    def day(self, day: dt.date) -> list[PostRecord]:
        """Every record of `day`, by platform and channel."""
        return self._records(
            f"SELECT {_COLUMNS} FROM insight_posts WHERE day = ? ORDER BY platform, channel",
            (day.isoformat(),),
        )

    def recent(self, channel: Channel, count: int = 3) -> list[PostRecord]:
        """The latest `count` records of one channel, newest first."""
        return self._records(
            f"SELECT {_COLUMNS} FROM insight_posts "
            "WHERE platform = ? AND channel = ? ORDER BY day DESC LIMIT ?",
            (channel.platform, channel.id, count),
        )

    def channels(self) -> list[Channel]:
        """Every channel that has a record, sorted by platform and id."""
        rows = self.db.connection.execute(
            "SELECT DISTINCT platform, channel FROM insight_posts ORDER BY platform, channel"
        ).fetchall()
        return [Channel(str(platform), str(channel)) for platform, channel in rows]

    def _records(self, query: str, params: tuple[object, ...]) -> list[PostRecord]:
        cursor = self.db.connection.execute(query, params)
        cursor.row_factory = sqlite3.Row  # columns by name, on this cursor only
        return [_record(row) for row in cursor.fetchall()]


def _key(channel: Channel, day: dt.date) -> tuple[str, str, str]:
    return (channel.platform, channel.id, day.isoformat())


def _stamp(moment: dt.datetime) -> float:
    if moment.tzinfo is None:
        raise ValueError("the ledger needs timezone-aware times")
    return moment.timestamp()


def _moment(stamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(stamp, dt.UTC)


def _record(row: sqlite3.Row) -> PostRecord:
    lease_until = row["lease_until"]
    return PostRecord(
        channel=Channel(row["platform"], row["channel"]),
        day=dt.date.fromisoformat(row["day"]),
        insight_key=row["insight_key"],
        status=row["status"],
        message_id=row["message_id"],
        attempts=row["attempts"],
        next_attempt=_moment(row["next_attempt"]),
        lease_owner=row["lease_owner"],
        lease_until=None if lease_until is None else _moment(lease_until),
        last_error=row["last_error"],
        updated=_moment(row["updated"]),
    )
