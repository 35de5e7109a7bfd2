"""Connecting to TOWNHALL_DB: a SQLite file or a PostgreSQL server, with bounded waits.

Every failure of the database comes out of here as StoreUnavailableError, with a one-line
message naming TOWNHALL_DB and never a password, so callers handle one exception type.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, Table, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url

from bot.logs import MIN_SECRET
from bot.store.errors import StoreUnavailableError
from bot.store.limits import Limits
from bot.store.target import POSTGRES_EXAMPLE, is_url, shown_target, target_problem

Backend = Literal["sqlite", "postgresql"]


class Database:
    """An engine on TOWNHALL_DB with short transactions that raise only StoreUnavailableError."""

    def __init__(self, engine: Engine, backend: Backend, shown: str, secret: str | None) -> None:
        self.engine = engine
        self.backend: Backend = backend
        self.shown = shown
        self._secret = secret

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction (SQLite: readers never wait for a writer)."""
        with self.guarded(), self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def write(self, *, keep: bool = True) -> Iterator[Connection]:
        """A connection in a write transaction, committed when the block ends (rolled back
        without `keep`: a trial that the database takes the writes, leaving nothing).

        On SQLite the transaction takes the file's write lock at its start (BEGIN IMMEDIATE),
        so a read followed by a write in one transaction can never be overtaken by another
        process: it waits for the lock (up to the busy timeout) instead.
        """
        with self.guarded(), self.engine.connect() as connection:
            connection.execution_options(townhall_write=True)
            with connection.begin() as transaction:
                yield connection
                if not keep:
                    transaction.rollback()

    @contextmanager
    def guarded(self) -> Iterator[None]:
        """Turn any database failure inside the block into StoreUnavailableError."""
        try:
            yield
        except (exc.IntegrityError, exc.DataError):
            raise  # a bug in the values we send, not the database failing
        except (exc.DBAPIError, exc.TimeoutError) as error:
            raise self.unavailable(error) from error

    def flush_journal(self) -> None:
        """SQLite: copy the write-ahead log into the file and empty it, so rows just
        overwritten (deleted question text) are not left readable in the log.
        PostgreSQL keeps no such file of ours: nothing to do."""
        if self.backend != "sqlite":
            return
        with self.guarded(), self.engine.connect() as connection:
            # On the driver's connection: a checkpoint cannot run inside a transaction.
            driver = connection.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            # Not waiting: with another process reading the file the checkpoint cannot
            # finish, and it would hold this lane for the whole busy timeout. The text then
            # leaves the log at the next checkpoint (SQLite makes one every 1,000 pages).
            (timeout,) = driver.execute("PRAGMA busy_timeout").fetchone()
            driver.execute("PRAGMA busy_timeout=0")
            try:
                driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            finally:
                driver.execute(f"PRAGMA busy_timeout={int(timeout)}")

    def unavailable(self, error: BaseException) -> StoreUnavailableError:
        """A StoreUnavailableError for `error`: its first line, naming TOWNHALL_DB, no password."""
        cause = getattr(error, "orig", None) or error
        reason = " ".join(str(cause).split("\n", 1)[0].split()) or type(cause).__name__
        if self._secret and len(self._secret) >= MIN_SECRET:
            # A shorter one would be replaced inside other words ("c***necti***" for "on"),
            # spelling it out; the driver's messages never quote the password anyway.
            reason = reason.replace(self._secret, "***")
        return StoreUnavailableError(f"TOWNHALL_DB ({self.shown}): {reason}")

    def insert(self, table: Table) -> Any:
        """An INSERT for `table` with this dialect's ON CONFLICT clauses."""
        if self.backend == "sqlite":
            return sqlite.insert(table)
        return postgresql.insert(table)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def connect(target: str | os.PathLike[str], limits: Limits, *, reading: bool = False) -> Database:
    """Open TOWNHALL_DB: a PostgreSQL URL, or else a SQLite file path; check it answers.

    With `reading` (only reads follow) a SQLite file is left as it is: not switched to WAL.
    """
    text = os.fspath(target)
    # Settings refuse these first; a caller handing in its own value is refused here too.
    problem = target_problem(text)
    if problem is not None:
        raise StoreUnavailableError(f"TOWNHALL_DB: {problem}")
    if is_url(text):
        database = _postgresql(text, limits)
    else:
        database = _sqlite(Path(text), limits, reading=reading)
    try:
        with database.read() as connection:
            connection.exec_driver_sql("SELECT 1")
    except StoreUnavailableError:
        database.close()
        raise
    return database


def _sqlite(path: Path, limits: Limits, *, reading: bool) -> Database:
    shown = str(path)
    if path.is_dir():
        raise StoreUnavailableError(
            f"TOWNHALL_DB ({shown}) is a folder; give a file path such as {path / 'townhall.db'}"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreUnavailableError(
            f"TOWNHALL_DB ({shown}): cannot create its folder: {error.strerror}"
        ) from error
    engine = create_engine(
        URL.create("sqlite+pysqlite", database=str(path)),
        connect_args={"timeout": limits.busy_timeout},
    )
    busy_ms = int(limits.busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Autocommit at the driver: the transactions are the ones begun below, including DDL
        # (the driver's own implicit BEGIN would leave DDL outside any transaction).
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout={busy_ms}")
        # Deleted question text is overwritten in the file, not left in its free pages
        # (builds differ in the default).
        dbapi_connection.execute("PRAGMA secure_delete=ON")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("townhall_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    database = Database(engine, "sqlite", shown, None)
    if not reading:
        _use_wal(database, patience=max(limits.busy_timeout, 1.0))
    return database


def _use_wal(database: Database, patience: float) -> None:
    """Switch the file to WAL (once per file; it persists), waiting out other processes.

    WAL lets readers go on while another process writes. The switch needs the file to
    itself and SQLite does not run its busy handler for it, so several processes opening a
    new file at once get "database is locked" at once: retry within `patience`.
    """
    deadline = time.monotonic() + patience
    pause = 0.005
    while True:
        try:
            with database.guarded(), database.engine.connect() as connection:
                # On the driver's connection: SQLAlchemy would begin a transaction first,
                # and the journal mode cannot change inside one.
                driver = connection.connection.driver_connection
                assert isinstance(driver, sqlite3.Connection)
                if _journal_mode(driver, "PRAGMA journal_mode") == "wal":
                    return
                if _journal_mode(driver, "PRAGMA journal_mode=WAL") == "wal":
                    return
        except (StoreUnavailableError, sqlite3.Error) as error:
            if time.monotonic() > deadline or "locked" not in str(error):
                database.close()
                if isinstance(error, StoreUnavailableError):
                    raise
                raise database.unavailable(error) from error
        if time.monotonic() > deadline:
            database.close()
            raise StoreUnavailableError(
                f"TOWNHALL_DB ({database.shown}): could not switch to WAL mode"
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _journal_mode(driver: sqlite3.Connection, pragma: str) -> str:
    row = driver.execute(pragma).fetchone()
    return "" if row is None else str(row[0]).lower()


def _postgresql(text: str, limits: Limits) -> Database:
    try:
        url = make_url(text).set(drivername="postgresql+psycopg")
    except (exc.ArgumentError, ValueError) as error:
        # Not echoed: a URL that does not parse may still hold a password.
        raise StoreUnavailableError(
            f"TOWNHALL_DB is not a valid PostgreSQL URL (expected {POSTGRES_EXAMPLE})"
        ) from error
    statement_ms = int(limits.statement_timeout * 1000)
    # A statement (or its wait for a row lock) never runs past the bound, and a session
    # that died inside a transaction does not hold its locks for long. Server options the
    # URL carries (`?options=-csearch_path%3Dtownhall`, a schema of its own) are kept.
    options = [
        f"-c statement_timeout={statement_ms}",
        "-c idle_in_transaction_session_timeout=60000",
    ]
    given = url.query.get("options", ())
    options[:0] = [given] if isinstance(given, str) else list(given)
    # statement_timeout is the server's: a server that hangs (stopped, or cut off by a
    # partition) never applies it. The client's own bounds: connecting gives up after
    # connect_timeout, and a connection whose peer stops answering TCP is dropped by the
    # kernel (keepalives while idle, tcp_user_timeout while data waits for an ack).
    # What the admin put in the URL wins.
    libpq = {
        "connect_timeout": max(1, round(limits.connect_timeout)),
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": 30_000,  # ms
        "application_name": "townhall",
    }
    engine = create_engine(
        url.difference_update_query(["options"]),
        # A connection dropped by a server restart is found and replaced before it is used.
        pool_pre_ping=True,
        pool_size=2,
        max_overflow=8,
        pool_timeout=limits.connect_timeout,
        connect_args={
            **{name: value for name, value in libpq.items() if name not in url.query},
            "options": " ".join(options),
        },
    )
    # libpq takes the password in the user part or in the query (?password=): both hidden.
    shown = shown_target(url.set(drivername="postgresql").render_as_string(hide_password=False))
    given_password = url.query.get("password")
    secret = url.password or (given_password if isinstance(given_password, str) else None)
    return Database(engine, "postgresql", shown, secret and str(secret))
