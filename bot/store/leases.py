"""Named leases for leadership (e.g. the one replica holding the Discord gateway).

A lease is free when it has no row, was released, or expired; taking a free lease bumps
its epoch (a fencing token), renewing or re-taking one's own live lease keeps it. Each
change is one conditional statement, so two replicas can never both hold a lease at the
same moment of the callers' clock. The callers' clocks must agree to well within the
lease's length (NTP), since each replica judges expiry by the `now` it passes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Row, case, select, update

from bot.store.database import Database
from bot.store.records import Lease
from bot.store.schema import leases
from bot.store.stamps import moment, stamp

_t = leases.c


class Leases:
    """Leases by name, shared by every replica on the database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def acquire(self, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> Lease | None:
        """Take `name` for `holder` until `now + ttl` if it is free or already `holder`'s.

        None when another holder's lease is live. A new holding gets the next epoch; the
        holder re-taking its own live lease extends it and keeps the epoch.
        """
        insert = self._db.insert(leases).values(
            name=name, holder=holder, epoch=1, expires=stamp(now + ttl)
        )
        own_live = (_t.holder == insert.excluded.holder) & (_t.expires > stamp(now))
        upsert = insert.on_conflict_do_update(
            index_elements=[_t.name],
            set_={
                "holder": insert.excluded.holder,
                "epoch": case((own_live, _t.epoch), else_=_t.epoch + 1),
                "expires": insert.excluded.expires,
            },
            where=_t.holder.is_(None)
            | (_t.expires <= stamp(now))
            | (_t.holder == insert.excluded.holder),
        )
        with self._db.write() as connection:
            connection.execute(upsert)
            row = connection.execute(select(leases).where(_t.name == name)).one()
        lease = _lease(row)
        return lease if lease is not None and lease.holder == holder else None

    def renew(self, lease: Lease, now: dt.datetime, ttl: dt.timedelta) -> Lease | None:
        """Extend a live lease to `now + ttl`; None if it expired or has another holding."""
        renew = (
            update(leases)
            .where(
                _t.name == lease.name,
                _t.holder == lease.holder,
                _t.epoch == lease.epoch,
                _t.expires > stamp(now),
            )
            .values(expires=stamp(now + ttl))
        )
        with self._db.write() as connection:
            if connection.execute(renew).rowcount != 1:
                return None
        return Lease(lease.name, lease.holder, lease.epoch, moment(stamp(now + ttl)))

    def release(self, lease: Lease) -> bool:
        """Give the lease up at once (if this holding still has it); the epoch stays."""
        release = (
            update(leases)
            .where(_t.name == lease.name, _t.holder == lease.holder, _t.epoch == lease.epoch)
            # Expired since 1970: free for every replica whatever its clock says.
            .values(holder=None, expires=0.0)
        )
        with self._db.write() as connection:
            return bool(connection.execute(release).rowcount == 1)

    def holder(self, name: str, now: dt.datetime) -> Lease | None:
        """The live lease on `name` at `now`, if anyone holds it."""
        with self._db.read() as connection:
            row = connection.execute(select(leases).where(_t.name == name)).one_or_none()
        lease = None if row is None else _lease(row)
        return lease if lease is not None and lease.live(now) else None


def _lease(row: Row[Any]) -> Lease | None:
    if row.holder is None:
        return None
    return Lease(row.name, row.holder, int(row.epoch), moment(row.expires))
