"""Upgrading the schema to this code's head revision, and reading the revision a database has.

Alembic runs the scripts in bot/store/migrations/versions inside one write transaction:
on SQLite that holds the file's write lock, on PostgreSQL an advisory lock is taken first,
so replicas starting at once upgrade one after another and the later ones find nothing to do.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect

from bot.store.database import Database
from bot.store.errors import StoreUnavailableError

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number, shared by every replica: "townhall" in ASCII, as a 64-bit key.
_UPGRADE_LOCK = int.from_bytes(b"townhall", "big") >> 1
_UPGRADE_BOUND = "10min"


def upgrade(database: Database, *, keep: bool = True) -> str:
    """Bring the schema to the head revision, keeping every row; the revision reached.

    Without `keep` the upgrade is rolled back: a trial that this role may make the schema
    (PostgreSQL's DDL is transactional, so it leaves nothing behind).
    """
    config = _config()
    with database.write(keep=keep) as connection:
        if database.backend == "postgresql":
            # A migration (an index on a large table, say) may outlast the bound that keeps
            # everyday statements short; a replica waiting for another's upgrade waits too.
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = '{_UPGRADE_BOUND}'")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_UPGRADE_LOCK})")
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except CommandError as error:
            # e.g. a database upgraded by a newer townhall than this one.
            raise StoreUnavailableError(
                f"TOWNHALL_DB ({database.shown}): cannot upgrade its schema to "
                f"{head_revision()}: {error}"
            ) from error
        reached = MigrationContext.configure(connection).get_current_revision()
    return str(reached)


def current_revision(database: Database) -> str | None:
    """The schema revision the database is at; None before the first upgrade."""
    with database.read() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def holds_state(database: Database) -> bool:
    """Whether the database has townhall's tables (a state file from before versioning has
    them with no revision)."""
    with database.read() as connection:
        return inspect(connection).has_table("kv")


def head_revision() -> str:
    """The newest schema revision this code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None  # the versions folder ships with the code
    return head


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
