"""TOWNHALL_DB picks the backend: a PostgreSQL URL, else a SQLite file path."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from bot.store import Limits, StoreUnavailableError, open_store
from bot.store.target import shown_target, target_passwords, target_problem
from tests.postgres import PostgresCluster

UNCLEAR_AT = "percent-encode each such '@' as %40"


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


@pytest.mark.postgres
def test_every_postgresql_connection_bounds_its_waits_on_the_client_keeping_the_urls_own(
    postgres: PostgresCluster,
) -> None:
    # statement_timeout is the server's; a server that hangs (stopped, or behind a
    # partition) is noticed only by the client's connect timeout and TCP keepalives.
    store = open_store(postgres.url() + "?keepalives_idle=7&connect_timeout=9", Limits())
    with store._db.read() as connection:
        driver = connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        given = driver.info.get_parameters()
    store.close()

    assert {name: given.get(name) for name in LIBPQ_BOUNDS} == {
        "connect_timeout": "9",
        "keepalives": "1",
        "keepalives_idle": "7",
        "keepalives_interval": "5",
        "keepalives_count": "3",
        "tcp_user_timeout": "30000",
    }


LIBPQ_BOUNDS = (
    "connect_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
)


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        # SQLAlchemy ends the password at the first "@": masked to the last, none of it shows.
        ("postgresql://townhall:P@ssw0rdTail@db:5432/bot", "postgresql://townhall:***@db:5432/bot"),
        ("postgresql://townhall:P@ss/word@db/bot", "postgresql://townhall:***@db/bot"),
        ("postgresql://db:5432/bot?password=P@ssw0rdTail", "postgresql://..."),
        ("postgresql://bob@azure:pw/with?slash#x@db/bot", "postgresql://bob@azure:***@db/bot"),
        (
            "postgres://db/bot#x?password=pw&sslpassword=pw",
            "postgres://db/bot#x?password=***&sslpassword=***",
        ),
        ("host=db port=1 password=pw dbname=bot", "host=db port=1 password=*** dbname=bot"),
        ("host=db password = 'p w\\' x' dbname=bot", "host=db password = *** dbname=bot"),
        ("/var/lib/townhall/townhall.db", "/var/lib/townhall/townhall.db"),
    ],
)
def test_no_part_of_a_password_is_ever_shown(target: str, shown: str) -> None:
    assert shown_target(target) == shown


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("postgresql://townhall:P@ssw0rdTail@127.0.0.1:1/bot", UNCLEAR_AT),
        ("postgresql://townhall:P@ss/word@db/bot", UNCLEAR_AT),
        ("postgresql://db:5432/bot?password=P@ssw0rdTail", UNCLEAR_AT),
        ("postgresql://townhall:pw@db/bot?application_name=a@b", UNCLEAR_AT),
        ("host=db port=5432 password=pw dbname=bot", "a libpq key=value connection string"),
        ("dbname=bot user=townhall", "a libpq key=value connection string"),
        ("./password=pw", "a libpq key=value connection string"),
        ("sqlite:///state/townhall.db", "a SQLite database is given by its file path"),
        ("mysql://townhall:pw@db/bot", "unsupported scheme 'mysql'"),
        ("postgresql+psycopg2://townhall:pw@db/bot", "unsupported scheme 'postgresql+psycopg2'"),
    ],
)
def test_a_target_read_only_by_guessing_is_refused_without_quoting_it(
    target: str, reason: str
) -> None:
    problem = target_problem(target)

    assert problem is not None
    assert reason in problem
    for secret in ("P@ss", "ssw0rd", "pw@", ":pw", "=pw"):
        assert secret not in problem


@pytest.mark.parametrize(
    "target",
    [
        "townhall.db",
        "/var/lib/townhall/townhall.db",
        "postgresql://townhall:p%40ss@db:5432/bot",
        "postgres://townhall:pw@db/bot",
        "postgresql+psycopg://townhall:pw@db/bot",
        "POSTGRESQL://townhall:pw@db/bot",
        "postgresql://townhall:ab/cd+ef?gh#ij@db/bot",  # as SQLAlchemy reads it
        "postgresql://bob@azure-server:pw@db/bot",  # a user name with "@"
        "postgresql://townhall@db:5432/bot?password=pw&sslmode=require",
        "postgresql://db/bot?password=pw&sslnegotiation=direct&prepare_threshold=0",
        "townhall:dev.db",  # a path may hold ":" and "@"
        "/backups/2026-01-28T10:00:00@nightly.db",
        "data:2026/townhall.db",
    ],
)
def test_a_target_that_reads_one_way_is_taken(target: str) -> None:
    assert target_problem(target) is None


def test_a_libpq_keyword_string_handed_to_the_store_creates_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    with pytest.raises(StoreUnavailableError) as refused:
        open_store("host=127.0.0.1 port=1 password=S3cr3tPw dbname=bot")

    assert str(refused.value).startswith("TOWNHALL_DB: a libpq key=value connection string")
    assert "S3cr3tPw" not in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_an_unencoded_at_handed_to_the_store_is_refused_before_connecting() -> None:
    with pytest.raises(StoreUnavailableError) as refused:
        open_store("postgresql://townhall:P@ssw0rdTail@127.0.0.1:1/bot")

    assert str(refused.value).startswith("TOWNHALL_DB: an unencoded '@' in the password")
    assert "ssw0rd" not in str(refused.value)


@pytest.mark.parametrize(
    ("target", "secret"),
    [
        (
            "postgresql://u@db/bot?oauth_client_secret=T0pS3cretValue&oauth_client_id=x",
            "T0pS3cretValue",
        ),
        ("postgresql://u@db/bot?scram_client_key=AAAAb2tleXNlY3JldA", "AAAAb2tleXNlY3JldA"),
    ],
)
def test_a_secret_of_libpq_18_in_the_query_is_masked_and_redacted(target: str, secret: str) -> None:
    assert secret not in shown_target(target)
    assert secret in target_passwords(target)
