"""A database that is locked, read-only, corrupted, unreachable or gone: one exception, one line.

Every failure is StoreUnavailableError with a message naming TOWNHALL_DB and never a
password; the store works again once the database does, without reopening it.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.channel import Channel
from bot.store import InsightSlot, Limits, StoreUnavailableError, open_store
from bot.store.store import Store
from tests.permissions import without_write_permission as unprivileged
from tests.postgres import PostgresCluster
from tests.store.locking import write_lock_held

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # a guard against a hang, not a timing assertion
NOW = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
SLOT = InsightSlot(Channel("slack", "C1"), dt.date(2026, 2, 2))
# Short waits, so a lock held past them fails the operation quickly.
IMPATIENT = Limits(busy_timeout=0.2, connect_timeout=2, statement_timeout=0.3)
# Each child opens TOWNHALL_DB, reads and writes once, and prints what happened.
READ_AND_WRITE = """
import sys
from bot.store import StoreUnavailableError, open_store
try:
    store = open_store(sys.argv[1])
except StoreUnavailableError as exc:
    print("open|" + str(exc))
    raise SystemExit
for name, operation in (("read", lambda: store.values.get("kept")),
                        ("write", lambda: store.values.set("kept", "changed"))):
    try:
        print(f"{name}|ok {operation()}")
    except StoreUnavailableError as exc:
        print(f"{name}|" + str(exc))
"""


def assert_one_line_naming_townhall_db(error: StoreUnavailableError, *hidden: str) -> None:
    """The message an admin sees: one line, naming TOWNHALL_DB, hiding every secret."""
    message = str(error)
    assert message.startswith("TOWNHALL_DB")
    assert "\n" not in message
    for secret in hidden:
        assert secret not in message


def every_operation(store: Store) -> list[Callable[[], object]]:
    """One call of each kind the store offers."""
    lease = dt.timedelta(minutes=10)
    return [
        lambda: store.values.get("kept"),
        lambda: store.values.add("kept", "x"),
        lambda: store.insight.open_day(SLOT, "k", NOW),
        lambda: store.insight.claim(SLOT, "p1", NOW, lease),
        lambda: store.insight.day(SLOT.day),
        lambda: store.events.claim("Ev1", "p1", NOW),
        lambda: store.leases.acquire("gateway", "p1", NOW, lease),
        store.revision,
    ]


def without_write_permission(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run Python `code` in a child that file permissions apply to, even when we are root."""
    command = unprivileged([sys.executable, "-c", code, *args])
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def outcomes(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return dict(line.split("|", 1) for line in done.stdout.splitlines())


def test_a_write_blocked_past_the_bounded_wait_is_unavailable_and_reads_go_on(
    db_target: str,
) -> None:
    store = open_store(db_target, IMPATIENT)
    store.upgrade()
    store.values.set("kept", "before")
    try:
        with write_lock_held(db_target):
            with pytest.raises(StoreUnavailableError) as caught:
                store.values.set("kept", "after")
            assert_one_line_naming_townhall_db(caught.value)
            assert store.values.get("kept") == "before"

        store.values.set("kept", "after")
        assert store.values.get("kept") == "after"
    finally:
        store.close()


def test_a_folder_as_townhall_db_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError) as caught:
        open_store(tmp_path)

    assert_one_line_naming_townhall_db(caught.value)
    assert "folder" in str(caught.value)


def test_a_file_that_is_not_a_database_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "townhall.db"
    path.write_bytes(b"these are not the droids\n" * 400)

    with pytest.raises(StoreUnavailableError) as caught:
        open_store(path)

    assert_one_line_naming_townhall_db(caught.value)
    assert str(path) in str(caught.value)


def test_every_operation_on_a_corrupted_file_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "townhall.db"
    store = open_store(path)
    store.upgrade()
    store.values.set("kept", "yes")
    store.close()
    with path.open("r+b") as file:  # keep page 1 (header, schema); garble the tables' pages
        page = int.from_bytes(file.read(18)[16:18], "big")
        file.seek(page)
        file.write(os.urandom(path.stat().st_size - page))

    store = open_store(path)
    try:
        for operation in every_operation(store)[:-1]:  # the revision table may have survived
            with pytest.raises(StoreUnavailableError) as caught:
                operation()
            assert_one_line_naming_townhall_db(caught.value)
    finally:
        store.close()


def test_a_read_only_location_is_refused_at_open_in_one_line() -> None:
    folder = Path(tempfile.mkdtemp(prefix="townhall-ro-"))
    folder.chmod(0o555)
    try:
        result = outcomes(without_write_permission(READ_AND_WRITE, str(folder / "townhall.db")))
    finally:
        folder.chmod(0o755)
        folder.rmdir()

    assert list(result) == ["open"]
    assert result["open"].startswith(f"TOWNHALL_DB ({folder / 'townhall.db'})")


def test_a_read_only_file_keeps_reads_and_fails_writes_in_one_line() -> None:
    folder = Path(tempfile.mkdtemp(prefix="townhall-ro-"))
    path = folder / "townhall.db"
    store = open_store(path)
    store.upgrade()
    store.values.set("kept", "yes")
    store.close()
    folder.chmod(0o755)
    path.chmod(0o444)
    try:
        result = outcomes(without_write_permission(READ_AND_WRITE, str(path)))
    finally:
        path.chmod(0o644)
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()

    assert result["read"] == "ok yes"
    assert result["write"].startswith(f"TOWNHALL_DB ({path}): ")
    assert "readonly" in result["write"]


def test_an_unsupported_url_is_refused_in_one_line() -> None:
    with pytest.raises(StoreUnavailableError) as caught:
        open_store("mysql://bot:hunter2@db/townhall")

    assert_one_line_naming_townhall_db(caught.value, "hunter2")
    assert "postgresql://" in str(caught.value)


def test_a_malformed_postgresql_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(StoreUnavailableError) as caught:
        open_store("postgresql://bot:hunter2@db:notaport/townhall")

    assert_one_line_naming_townhall_db(caught.value, "hunter2")


def test_a_refused_connection_is_refused_at_open_in_one_line_without_the_password() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(StoreUnavailableError) as caught:
        open_store(f"postgresql://bot:hunter2@127.0.0.1:{port}/townhall", IMPATIENT)

    assert_one_line_naming_townhall_db(caught.value, "hunter2")
    assert f"postgresql://bot:***@127.0.0.1:{port}/townhall" in str(caught.value)
    assert "refused" in str(caught.value).lower()


@pytest.mark.postgres
def test_a_read_only_postgresql_database_keeps_reads_and_fails_writes(
    postgres: PostgresCluster,
) -> None:
    name = postgres.create_database()
    store = open_store(postgres.url(name), IMPATIENT)
    store.upgrade()
    store.values.set("kept", "yes")
    store.close()
    postgres.admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    store = open_store(postgres.url(name), IMPATIENT)
    try:
        assert store.values.get("kept") == "yes"
        with pytest.raises(StoreUnavailableError) as caught:
            store.values.set("kept", "changed")
        assert_one_line_naming_townhall_db(caught.value)
        assert "read-only" in str(caught.value)
    finally:
        store.close()
        postgres.drop_database(name)


@pytest.mark.postgres
def test_postgresql_stopped_is_unavailable_and_restarted_works_again_in_the_same_process(
    postgres: PostgresCluster,
) -> None:
    name = postgres.create_database()
    store = open_store(postgres.url(name), IMPATIENT)
    store.upgrade()
    store.values.set("kept", "yes")
    try:
        postgres.stop()
        try:
            for operation in every_operation(store):
                with pytest.raises(StoreUnavailableError) as caught:
                    operation()
                assert_one_line_naming_townhall_db(caught.value)
        finally:
            postgres.start()

        assert store.values.get("kept") == "yes"
        assert store.events.claim("Ev1", "p1", NOW)
        assert store.insight.open_day(SLOT, "k", NOW).status == "pending"
    finally:
        store.close()
        postgres.drop_database(name)


@pytest.mark.postgres
def test_a_dropped_postgresql_database_is_unavailable(postgres: PostgresCluster) -> None:
    name = postgres.create_database()
    store = open_store(postgres.url(name), IMPATIENT)
    store.upgrade()
    store.values.set("kept", "yes")
    try:
        postgres.drop_database(name)

        for operation in every_operation(store):
            with pytest.raises(StoreUnavailableError) as caught:
                operation()
            assert_one_line_naming_townhall_db(caught.value)
        assert "does not exist" in str(caught.value)
    finally:
        store.close()
