"""The insight post records: one per platform, channel and day, claimed under a lease.

Every change is one conditional statement, so it is atomic across processes and replicas:
a claim is an UPDATE that only one claimer can win (PostgreSQL re-checks the condition
after waiting for a concurrent claimer's row lock; SQLite lets one writer in at a time),
and its lease expires so a crashed claimer's record is taken over later that day. A posted
record is never changed again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, or_, select, update

from bot.channel import Channel
from bot.store.database import Database
from bot.store.records import InsightPost, InsightSlot
from bot.store.schema import insight_posts
from bot.store.stamps import moment, stamp

_t = insight_posts.c


class InsightPosts:
    """The daily insight's records, shared by every process and replica on the database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def open_day(self, slot: InsightSlot, insight_key: str, now: dt.datetime) -> InsightPost:
        """The record for `slot`, created pending (due at once) if there is none."""
        insert = self._db.insert(insight_posts).values(
            platform=slot.channel.platform,
            channel=slot.channel.id,
            day=slot.day.isoformat(),
            insight_key=insight_key,
            status="pending",
            updated=stamp(now),
        )
        with self._db.write() as connection:
            connection.execute(insert.on_conflict_do_nothing())
            row = connection.execute(select(insight_posts).where(_is(slot))).one()
        return _post(row)

    def claim(
        self, slot: InsightSlot, owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> InsightPost | None:
        """Take the lease on a due, pending, unleased record; None if it is not ours to take."""
        claim = (
            update(insight_posts)
            .where(
                _is(slot),
                _t.status == "pending",
                _t.next_attempt <= stamp(now),
                or_(_t.lease_until.is_(None), _t.lease_until <= stamp(now)),
            )
            .values(
                lease_owner=owner,
                lease_until=stamp(now + lease),
                attempts=_t.attempts + 1,
                updated=stamp(now),
            )
        )
        with self._db.write() as connection:
            if connection.execute(claim).rowcount != 1:
                return None
            row = connection.execute(select(insight_posts).where(_is(slot))).one()
        return _post(row)

    def record_posted(
        self, slot: InsightSlot, message_id: str, now: dt.datetime, note: str | None = None
    ) -> bool:
        """Mark the record posted with the message id; False if it was posted already.

        Whoever holds the lease, a message that went out is recorded: a posted record is the
        one thing that must never be lost, and a posted record is never overwritten.
        """
        return self._change(
            slot,
            _t.status != "posted",
            status="posted",
            message_id=message_id,
            lease_owner=None,
            lease_until=None,
            last_error=note,
            updated=stamp(now),
        )

    def record_retry(
        self, slot: InsightSlot, owner: str, error: str, retry_at: dt.datetime, now: dt.datetime
    ) -> bool:
        """Release `owner`'s lease and make the record due again at `retry_at`."""
        return self._change(
            slot,
            and_(_t.status == "pending", _t.lease_owner == owner),
            next_attempt=stamp(retry_at),
            lease_owner=None,
            lease_until=None,
            last_error=error,
            updated=stamp(now),
        )

    def record_failed(self, slot: InsightSlot, owner: str, error: str, now: dt.datetime) -> bool:
        """Give up on `owner`'s record for the day, keeping the error for `--status`."""
        return self._change(
            slot,
            and_(_t.status == "pending", _t.lease_owner == owner),
            status="failed",
            lease_owner=None,
            lease_until=None,
            last_error=error,
            updated=stamp(now),
        )

    def reopen(self, slot: InsightSlot, now: dt.datetime, *, waiting_too: bool = False) -> bool:
        """Make a failed record (with `waiting_too`, also one waiting for a retry and not
        under a live lease) pending and due at once, with a fresh count of attempts.

        For an admin's retry after fixing the cause; the last error stays until the next
        attempt replaces it. False otherwise (never reopens a posted one), so exactly-once
        holds: the next claimer still asks the platform before posting.
        """
        waiting = (_t.status == "pending") & (
            _t.lease_until.is_(None) | (_t.lease_until <= stamp(now))
        )
        return self._change(
            slot,
            (_t.status == "failed") | waiting if waiting_too else _t.status == "failed",
            status="pending",
            attempts=0,
            next_attempt=stamp(now),
            lease_owner=None,
            lease_until=None,
            updated=stamp(now),
        )

    def get(self, slot: InsightSlot) -> InsightPost | None:
        """The record for `slot`, if any."""
        with self._db.read() as connection:
            row = connection.execute(select(insight_posts).where(_is(slot))).one_or_none()
        return None if row is None else _post(row)

    def day(self, day: dt.date) -> list[InsightPost]:
        """Every record of `day`, by platform and channel."""
        query = (
            select(insight_posts).where(_t.day == day.isoformat()).order_by(_t.platform, _t.channel)
        )
        with self._db.read() as connection:
            return [_post(row) for row in connection.execute(query)]

    def recent(self, platform: str, channel: str, count: int = 3) -> list[InsightPost]:
        """The latest `count` records of one channel, newest first."""
        query = (
            select(insight_posts)
            .where(_t.platform == platform, _t.channel == channel)
            .order_by(_t.day.desc())
            .limit(count)
        )
        with self._db.read() as connection:
            return [_post(row) for row in connection.execute(query)]

    def channels(self) -> list[tuple[str, str]]:
        """Every (platform, channel) that has a record, sorted."""
        query = select(_t.platform, _t.channel).distinct().order_by(_t.platform, _t.channel)
        with self._db.read() as connection:
            return [
                (str(platform), str(channel)) for platform, channel in connection.execute(query)
            ]

    def _change(self, slot: InsightSlot, condition: ColumnElement[bool], **values: Any) -> bool:
        statement = update(insight_posts).where(_is(slot), condition).values(**values)
        with self._db.write() as connection:
            return bool(connection.execute(statement).rowcount == 1)


def _is(slot: InsightSlot) -> ColumnElement[bool]:
    return and_(
        _t.platform == slot.channel.platform,
        _t.channel == slot.channel.id,
        _t.day == slot.day.isoformat(),
    )


def _post(row: Row[Any]) -> InsightPost:
    return InsightPost(
        channel=Channel(row.platform, row.channel),
        day=dt.date.fromisoformat(row.day),
        insight_key=row.insight_key,
        status=row.status,
        message_id=row.message_id,
        attempts=row.attempts,
        next_attempt=moment(row.next_attempt),
        lease_owner=row.lease_owner,
        lease_until=None if row.lease_until is None else moment(row.lease_until),
        last_error=row.last_error,
        updated=moment(row.updated),
    )
