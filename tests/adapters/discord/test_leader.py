"""The gateway lease on its own: taken only when free, kept while renewed, let go in time."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.adapters.discord.leader import GatewayLease
from bot.store import AsyncStore, Limits
from tests.fakes.clock import ManualClock
from tests.store.locking import write_lock_held_by_another_process
from tests.stores import file_store

LENGTH = dt.timedelta(seconds=20)
START = dt.datetime(2026, 2, 3, 3, 0, tzinfo=dt.UTC)


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
