"""TOWNHALL_DB picks the backend: a PostgreSQL URL, else a SQLite file path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store import Limits, open_store
from tests.postgres import PostgresCluster


def test_a_path_is_a_sqlite_file_created_with_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state" / "townhall.db"
    store = open_store(path)
    store.upgrade()
    store.close()

    assert (store.backend, store.shown) == ("sqlite", str(path))
    assert path.is_file()


@pytest.mark.postgres
def test_a_postgres_url_in_either_spelling_is_the_same_server(postgres: PostgresCluster) -> None:
    name = postgres.create_database()
    try:
        first = open_store(postgres.url(name))
        first.upgrade()
        first.values.set("kept", "yes")
        second = open_store(postgres.url(name).replace("postgresql://", "postgres://", 1))

        assert (first.backend, second.backend) == ("postgresql", "postgresql")
        assert second.values.get("kept") == "yes"
        first.close()
        second.close()
    finally:
        postgres.drop_database(name)


@pytest.mark.postgres
def test_a_urls_own_server_options_are_kept_beside_the_stores_bounds(
    postgres: PostgresCluster,
) -> None:
    name = postgres.create_database()
    one, other = postgres.create_schema(name), postgres.create_schema(name)
    try:
        first = open_store(postgres.url(name, one), Limits(statement_timeout=1.5))
        second = open_store(postgres.url(name, other))
        for store in (first, second):
            store.upgrade()
        first.values.set("kept", "in the first schema")

        assert second.values.get("kept") is None
        with first._db.read() as connection:
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
            bound = connection.exec_driver_sql("SHOW statement_timeout").scalar()
        assert (schema, bound) == (one, "1500ms")
        first.close()
        second.close()
    finally:
        postgres.drop_database(name)
