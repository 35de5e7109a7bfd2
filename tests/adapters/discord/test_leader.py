"""The gateway lease on its own: taken only when free, kept while renewed, let go in time."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.adapters.discord import leader as leader_module
from bot.adapters.discord.leader import GatewayLease
from bot.store import AsyncStore, Limits
from tests.fakes.clock import ManualClock
from tests.store.locking import write_lock_held_by_another_process
from tests.stores import file_store

LENGTH = dt.timedelta(seconds=20)
START = dt.datetime(2026, 2, 3, 3, 0, tzinfo=dt.UTC)
# Short, as the bounds on a database that hangs are real seconds: a quarter of it.
SHORT = dt.timedelta(seconds=0.4)
# Seconds; a guard against a hang, not a timing assertion.
PATIENCE = 30.0


def lease_for(store: AsyncStore, owner: str, clock: ManualClock) -> GatewayLease:
    return GatewayLease(store.leases, clock, owner, LENGTH)


async def gateway_forever() -> None:
    await asyncio.Event().wait()


async def test_a_standby_takes_the_lease_only_once_the_holders_lease_has_expired(
    async_db: AsyncStore,
) -> None:
    holder = lease_for(async_db, "a", ManualClock(START))
    held = await holder.take()
    standby_clock = ManualClock(START)  # jumps through its naps: a standby polling
    standby = lease_for(async_db, "b", standby_clock)

    taken = await standby.take()

    assert (holder.role, standby.role) == ("leader", "leader")  # a never renewed: it lapsed
    assert standby_clock.now() >= held.expires
    assert standby_clock.now() <= held.expires + LENGTH / 4  # the next poll after expiry
    assert taken.epoch == held.epoch + 1


async def test_a_leader_whose_lease_was_taken_over_lets_go(async_db: AsyncStore) -> None:
    clock = ManualClock(START, jump=False)
    leader = lease_for(async_db, "a", clock)
    held = await leader.take()
    # Another replica took it after it lapsed (this one was stalled past its lease).
    assert await async_db.leases.acquire("discord.gateway", "b", held.expires, LENGTH)
    gateway = asyncio.create_task(gateway_forever())
    keeping = asyncio.create_task(leader.keep(held, gateway))
    await clock.wait_for_sleepers()
    clock.advance((LENGTH / 4).total_seconds())

    await asyncio.wait_for(keeping, 10)

    assert not gateway.done()  # the caller disconnects it
    gateway.cancel()


async def test_a_leader_that_cannot_renew_lets_go_a_quarter_before_its_lease_expires(
    tmp_path: Path,
) -> None:
    path = tmp_path / "townhall.db"
    clock = ManualClock(START)  # jumps through the naps between renewals
    with file_store(path, Limits(busy_timeout=0.05)) as store:
        leader = lease_for(store, "a", clock)
        held = await leader.take()
        gateway = asyncio.create_task(gateway_forever())
        with write_lock_held_by_another_process(str(path)):
            await asyncio.wait_for(leader.keep(held, gateway), 30)
        gateway.cancel()

    assert clock.now() <= held.expires - LENGTH / 4


@contextmanager
def hanging(store: AsyncStore) -> Iterator[None]:
    """The store's lane held by a call that does not return, as a database that hangs."""
    answer = threading.Event()
    held = asyncio.ensure_future(store.lane.run(answer.wait))
    try:
        yield
    finally:
        answer.set()
        held.cancel()


async def until_logged(caplog: pytest.LogCaptureFixture, message: str) -> None:
    async with asyncio.timeout(PATIENCE):
        while message not in caplog.messages:
            await asyncio.sleep(0.01)


async def test_a_leader_stopping_while_the_database_hangs_lets_its_lease_lapse(
    async_db: AsyncStore, caplog: pytest.LogCaptureFixture
) -> None:
    leader = GatewayLease(async_db.leases, ManualClock(START), "a", SHORT)
    held = await leader.take()

    with hanging(async_db), caplog.at_level(logging.WARNING):
        await asyncio.wait_for(leader.release(), PATIENCE)

    assert leader.role == "standby"
    assert "database unavailable; the Discord gateway lease lapses by itself" in caplog.messages
    # Given up before it ran: the lease is still held, until it expires.
    assert await async_db.leases.holder("discord.gateway", START) == held


async def test_a_standby_whose_database_hangs_stays_standby_and_tries_again(
    async_db: AsyncStore, caplog: pytest.LogCaptureFixture
) -> None:
    standby = GatewayLease(async_db.leases, ManualClock(START), "b", SHORT)
    with hanging(async_db), caplog.at_level(logging.WARNING):
        taking = asyncio.create_task(standby.take())
        await until_logged(
            caplog, "database unavailable; a standby cannot take the Discord gateway"
        )
        assert (standby.role, taking.done()) == ("standby", False)

    taken = await asyncio.wait_for(taking, PATIENCE)

    assert (standby.role, taken.holder) == ("leader", "b")


async def test_a_long_lease_still_gives_up_its_release_within_the_release_patience(
    async_db: AsyncStore, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(leader_module, "RELEASE_PATIENCE", 0.1)
    # A quarter of an hour: the stop must not wait for that, whatever the lease.
    leader = GatewayLease(async_db.leases, ManualClock(START), "a", dt.timedelta(hours=1))
    await leader.take()

    with hanging(async_db), caplog.at_level(logging.WARNING):
        await asyncio.wait_for(leader.release(), PATIENCE)

    [warning] = [r for r in caplog.records if r.name == "bot.adapters.discord.leader"]
    assert warning.error == "no answer within 0.1 s"
