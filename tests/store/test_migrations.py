"""The schema is versioned: a database of any age upgrades in place to this code's head."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.channel import Channel
from bot.store import InsightSlot, StoreUnavailableError, open_store
from bot.store.migrate import MIGRATIONS, head_revision
from bot.store.schema import metadata
from bot.store.store import Store
from tests.store.racing import race_processes

# Made by the code before the store existed (commit c0939bf: bot/state.py StateDB and
# bot/insight/ledger.py Ledger): the rotation start, a command-sync hash, and one posted,
# one failed and one pending insight record.
STATE_BEFORE_VERSIONING = Path(__file__).parent / "data" / "state-before-versioning.sqlite"


def _differences(store: Store) -> list[object]:
    with store._db.read() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))


def test_the_migrations_form_one_line_of_revisions() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)

    assert script.get_heads() == [head_revision()]
    assert [r.revision for r in script.walk_revisions()][-1] == "0001"


def test_a_new_database_has_no_revision_until_upgraded(db_target: str) -> None:
    store = open_store(db_target)
    try:
        assert store.revision() is None
        assert store.upgrade() == head_revision()
        assert store.revision() == head_revision()
    finally:
        store.close()


def test_the_upgraded_schema_is_exactly_the_tables_the_code_uses(store: Store) -> None:
    assert _differences(store) == []


def test_upgrading_an_upgraded_database_changes_nothing(store: Store) -> None:
    store.values.set("kept", "yes")

    assert store.upgrade() == head_revision()

    assert store.values.get("kept") == "yes"
    assert _differences(store) == []


def test_upgrading_from_0003_deletes_the_vote_key_the_database_held(tmp_path: Path) -> None:
    path = tmp_path / "townhall.db"
    store = open_store(path)
    store.upgrade()
    store.values.set("usage_member_key", "ab" * 32)
    store.values.set("kept", "yes")
    store.close()
    with sqlite3.connect(path) as connection:  # as a database left at revision 0003
        connection.execute("UPDATE alembic_version SET version_num = '0003'")
    store = open_store(path)
    try:
        assert store.upgrade() == head_revision()
        assert store.values.get("usage_member_key") is None
        assert store.values.get("kept") == "yes"
    finally:
        store.close()


def test_upgrading_from_0004_deletes_the_topic_sets_no_longer_read(tmp_path: Path) -> None:
    path = tmp_path / "townhall.db"
    store = open_store(path)
    store.upgrade()
    store.values.set("insight.topics.2026-03-02", '["talk:1"]')
    store.values.set("insight.deck.2026-03-02", "{}")
    store.values.set("insight.rotation_start", "2026-03-02")
    store.close()
    with sqlite3.connect(path) as connection:  # as a database left at revision 0004
        connection.execute("UPDATE alembic_version SET version_num = '0004'")
    store = open_store(path)
    try:
        assert store.upgrade() == head_revision()
        assert store.values.get("insight.topics.2026-03-02") is None
        assert store.values.get("insight.deck.2026-03-02") == "{}"
        assert store.values.get("insight.rotation_start") == "2026-03-02"
    finally:
        store.close()


def test_a_state_file_from_before_versioning_upgrades_in_place_with_its_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "townhall.db"
    shutil.copyfile(STATE_BEFORE_VERSIONING, path)
    store = open_store(path)
    try:
        assert store.revision() is None

        assert store.upgrade() == head_revision()

        assert store.values.get("insight.rotation_start") == "2026-02-02"
        assert store.values.get("discord.commands.1234.global") == "9f" * 32
        day = dt.date(2026, 2, 3)
        posts = {(p.channel.platform, p.channel.id): p for p in store.insight.day(day)}
        assert (posts["discord", "111"].status, posts["discord", "111"].message_id) == (
            "posted",
            "999000111",
        )
        assert (posts["slack", "C0123ABCD"].status, posts["slack", "C0123ABCD"].last_error) == (
            "failed",
            "not_in_channel",
        )
        pending = store.insight.get(InsightSlot(Channel("slack", "C0123ABCD"), dt.date(2026, 2, 4)))
        assert pending is not None
        assert (pending.status, pending.attempts, pending.last_error) == (
            "pending",
            1,
            "ratelimited",
        )
        assert store.insight.reopen(
            InsightSlot(Channel("slack", "C0123ABCD"), day), pending.updated
        )
        assert _differences(store) == []
    finally:
        store.close()
    with sqlite3.connect(path) as raw:  # still WAL, as the old code left it
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_processes_upgrading_a_new_database_at_once_all_succeed(db_target: str) -> None:
    outcomes = race_processes(db_target, ["upgrade"], 4)

    assert outcomes == [[head_revision()]] * 4


def test_a_database_from_a_newer_townhall_is_refused_in_one_line(store: Store) -> None:
    with store._db.write() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")

    with pytest.raises(StoreUnavailableError) as caught:
        store.upgrade()

    message = str(caught.value)
    assert message.startswith("TOWNHALL_DB (")
    assert "9999" in message
    assert "\n" not in message
