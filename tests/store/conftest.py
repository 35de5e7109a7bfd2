"""Every store test runs on both backends: a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import Limits, open_store
from bot.store.store import Store
from tests.postgres import PostgresCluster

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """TOWNHALL_DB for a new, empty store: a file path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "state" / "townhall.db")
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    database = request.getfixturevalue("postgres_store_database")
    schema = cluster.create_schema(database)
    yield cluster.url(database, schema)
    cluster.drop_schema(database, schema)


@pytest.fixture(scope="session")
def postgres_store_database(postgres: PostgresCluster) -> str:
    """One database for the store tests; each test gets a schema of its own in it."""
    return postgres.create_database()


@pytest.fixture
def store(db_target: str) -> Iterator[Store]:
    """An upgraded store on the test's database."""
    opened = open_store(db_target, Limits(busy_timeout=10, statement_timeout=10))
    opened.upgrade()
    yield opened
    opened.close()
