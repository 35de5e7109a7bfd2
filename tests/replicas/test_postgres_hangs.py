"""PostgreSQL hanging under a replica (its processes stopped, as behind a network partition
where the kernel still acknowledges): SIGTERM still stops the replica, saying what it left.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.postgres import PostgresCluster
from tests.replicas.conftest import Replica, until

pytestmark = pytest.mark.postgres

GRACE = 2.0  # --shutdown-grace, seconds
# Seconds; a guard against a hang, not a timing assertion.
STOP_PATIENCE = GRACE + 30


def server_processes(postgres: PostgresCluster) -> list[int]:
    """The postmaster's pid and its children's (backends, background workers)."""
    postmaster = int((postgres.folder / "data" / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(
        ["pgrep", "-P", str(postmaster)], capture_output=True, text=True, check=False
    ).stdout.split()
    return [postmaster, *map(int, children)]


@contextlib.contextmanager
def hanging(postgres: PostgresCluster) -> Iterator[None]:
    """Every server process stopped: connections stay open, and nothing answers."""
    pids = server_processes(postgres)
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


async def test_sigterm_stops_a_replica_whose_database_hangs(
    start_replica: Callable[..., Any], postgres: PostgresCluster
) -> None:
    # A lease long enough that the replica still leads at the SIGTERM: it has one to release.
    replica: Replica = await start_replica("--shutdown-grace", str(GRACE), DISCORD_LEADER_LEASE="8")

    async def leading() -> bool:
        return await replica.role() == "leader"

    await until(leading, "the replica leading Discord", [replica])
    with hanging(postgres):
        replica.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(replica.process.wait(), STOP_PATIENCE)
        except TimeoutError:
            pytest.fail(f"still running {STOP_PATIENCE} s after SIGTERM: {replica.events()[-15:]}")
    await replica.stop()  # the rest of its log

    assert code == 0
    events = replica.events()
    assert "database unavailable; the Discord gateway lease lapses by itself" in events
    abandoned = [
        line
        for line in replica.lines
        if line["event"]
        == "lane still busy when closing; its running call and queued work are abandoned"
    ]
    # The release was the leases lane's last call, and it never returned.
    assert "leases" in {line["lane"] for line in abandoned}
    assert events.index("all services stopped") < events.index(abandoned[0]["event"])
    assert not [event for event in events if "never retrieved" in event]
