"""The bot's shared state on TOWNHALL_DB (a SQLite file or PostgreSQL), in four parts."""

from __future__ import annotations

from bot.store import migrate
from bot.store.database import Backend, Database
from bot.store.events import EventClaims
from bot.store.insight import InsightPosts
from bot.store.leases import Leases
from bot.store.usage import UsageRecords
from bot.store.values import NamedValues


class Store:
    """Named values, insight posts, delivered event ids, leases and usage on one database.

    Every operation is one statement or one short transaction, atomic across processes and
    replicas, and raises StoreUnavailableError when the database cannot serve it. The calls
    block: from async code use AsyncStore, which runs them off the event loop.
    """

    def __init__(self, database: Database) -> None:
        self._db = database
        self.values = NamedValues(database)
        self.insight = InsightPosts(database)
        self.events = EventClaims(database)
        self.leases = Leases(database)
        self.usage = UsageRecords(database)

    @property
    def backend(self) -> Backend:
        """Which kind of database: sqlite or postgresql."""
        return self._db.backend

    @property
    def shown(self) -> str:
        """TOWNHALL_DB as it may be shown: the file path, or the URL without its password."""
        return self._db.shown

    def upgrade(self, *, keep: bool = True) -> str:
        """Bring the schema to this code's head revision (keeping the data); that revision.

        Without `keep` it is a trial, rolled back (see migrate.upgrade).
        """
        return migrate.upgrade(self._db, keep=keep)

    def revision(self) -> str | None:
        """The schema revision of the database; None before the first upgrade."""
        return migrate.current_revision(self._db)

    def holds_state(self) -> bool:
        """Whether the database has townhall's tables, at any revision or none."""
        return migrate.holds_state(self._db)

    def close(self) -> None:
        """Close the connections."""
        self._db.close()
