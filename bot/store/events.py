"""Delivered events (Slack's event ids): claimed once across replicas, kept, then purged.

Slack re-delivers an event when an ack was slow, and the re-delivery may land on another
replica. Whoever inserts the event id's row first answers; the row is kept for the retry
window (Slack retries after about 1 minute, 5 minutes and 30 minutes) and then purged.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from bot.store.database import Database
from bot.store.limits import EVENT_RETRY_WINDOW
from bot.store.schema import event_claims
from bot.store.stamps import stamp


class EventClaims:
    """Event ids already taken by some process, shared by every replica on the database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def claim(
        self, event_id: str, owner: str, now: dt.datetime, keep: dt.timedelta = EVENT_RETRY_WINDOW
    ) -> bool:
        """True for exactly one claimer of `event_id` within `keep`; False for every other.

        One INSERT: a concurrent claimer's insert conflicts and changes nothing, unless the
        row it meets is past its window (not yet purged), which the new claim takes over.
        """
        insert = self._db.insert(event_claims).values(
            event_id=event_id, owner=owner, claimed=stamp(now), keep_until=stamp(now + keep)
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[event_claims.c.event_id],
            set_={
                "owner": insert.excluded.owner,
                "claimed": insert.excluded.claimed,
                "keep_until": insert.excluded.keep_until,
            },
            where=event_claims.c.keep_until <= stamp(now),
        )
        # For an INSERT the driver's row count is kept only when asked for.
        upsert = upsert.execution_options(preserve_rowcount=True)
        with self._db.write() as connection:
            return bool(connection.execute(upsert).rowcount == 1)

    def purge(self, now: dt.datetime) -> int:
        """Delete the claims whose window is over; the number deleted."""
        with self._db.write() as connection:
            result = connection.execute(
                delete(event_claims).where(event_claims.c.keep_until <= stamp(now))
            )
            return int(result.rowcount)
