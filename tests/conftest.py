"""Fixtures shared by every test: the bundled knowledge, one engine over it, its lane, and
the store on both backends (a real SQLite file, a real PostgreSQL server)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.answers import Answers
from bot.engine import AnswerEngine
from bot.engine.meaning import VECTORS_FILE, Meaning
from bot.knowledge import Knowledge, load_knowledge
from bot.runner import Runner
from bot.settings import BUNDLED_KNOWLEDGE
from bot.store import AsyncStore, Limits, open_store
from bot.store.store import Store
from tests.postgres import PostgresCluster, PostgresStartError

# slack_sdk and aiohttp honour proxy variables even for 127.0.0.1; tests use loopback only.
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def knowledge_dir() -> Path:
    """The knowledge folder that ships with the bot."""
    return BUNDLED_KNOWLEDGE


@pytest.fixture(scope="session")
def knowledge(knowledge_dir: Path) -> Knowledge:
    """The shipped knowledge, loaded once."""
    return load_knowledge(knowledge_dir)


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """TOWNHALL_CACHE_DIR for every test and the commands they run: never the real home's.

    $XDG_CACHE_HOME too, for the tests that clear the bot's variables and so use the default.
    """
    folder = tmp_path_factory.mktemp("cache")
    names = {"TOWNHALL_CACHE_DIR": folder / "townhall", "XDG_CACHE_HOME": folder}
    before = {name: os.environ.get(name) for name in names}
    os.environ.update({name: str(path) for name, path in names.items()})
    yield folder / "townhall"
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session", autouse=True)
def shipped_vectors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """knowledge/vectors.npz as it was before any test ran.

    A command a test runs on the shipped knowledge rewrites that file when it lacks a
    passage; the test that the committed file is complete reads this copy.
    """
    copy = tmp_path_factory.mktemp("shipped") / VECTORS_FILE
    shutil.copyfile(BUNDLED_KNOWLEDGE / VECTORS_FILE, copy)
    return copy


@pytest.fixture(scope="session")
def meaning() -> Meaning:
    """One sentence encoder for the session, with the shipped passages' vectors (never saved)."""
    return Meaning(BUNDLED_KNOWLEDGE / VECTORS_FILE)


@pytest.fixture(scope="session")
def engine(knowledge: Knowledge, meaning: Meaning) -> AnswerEngine:
    """One answer engine over the shipped knowledge (mecab-ko for Korean)."""
    from bot.engine.engine import analyzers_for

    return AnswerEngine(knowledge, analyzers_for("mecab-ko"), meaning)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL server for the session, started on first use.

    Where PostgreSQL cannot start, its tests fail when TOWNHALL_REQUIRE_POSTGRES is set (CI
    sets it) and are skipped with the reason otherwise.
    """
    try:
        cluster = PostgresCluster.create()
    except PostgresStartError as exc:
        if os.environ.get("TOWNHALL_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required (TOWNHALL_REQUIRE_POSTGRES) but: {exc}")
        pytest.skip(f"PostgreSQL cannot start here: {exc}")
    yield cluster
    cluster.destroy()


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
    """One database for the tests; each test gets a schema of its own in it."""
    return postgres.create_database()


@pytest.fixture
def store(db_target: str) -> Iterator[Store]:
    """An upgraded store on the test's database (sync: for setting up and checking state)."""
    opened = open_store(db_target, Limits(busy_timeout=10, statement_timeout=10))
    opened.upgrade()
    yield opened
    opened.close()


@pytest.fixture
async def async_db(store: Store) -> AsyncIterator[AsyncStore]:
    """The test's store as `townhall serve` uses it: every call on the store's own lane."""
    lane = Runner("store", finish_queued=True)
    yield AsyncStore(store, lane)
    lane.close()


@pytest.fixture
def engine_lane() -> Iterator[Runner]:
    """The engine's lane, as `townhall serve` builds it, stopped after the test."""
    with Runner("engine") as lane:
        yield lane


@pytest.fixture
def answers(engine: AnswerEngine, engine_lane: Runner) -> Answers:
    """The shipped engine's answers, computed on the engine lane."""
    return Answers(engine, engine_lane)
