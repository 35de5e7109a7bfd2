"""One replica holds the Discord gateway: a lease in the store, renewed while connected.

Every replica logs in (REST: the insight can post from any of them), but only the holder
of the "discord.gateway" lease connects to the gateway, so an interaction is answered by
one replica. The holder renews the lease every quarter of its length; when it cannot be
sure of renewing it (the lease taken over, or the database not answering) it disconnects
a quarter before the lease can expire, so the next holder, which takes the lease only once
it has expired, never overlaps it. A standby tries to take the lease every quarter of its
length, so it takes over at most 1.25 leases after the holder died. The replicas' clocks
must agree to well within a quarter of the lease (NTP).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING, Literal

from bot.clock import Clock
from bot.store import Lease, StoreUnavailableError

if TYPE_CHECKING:
    from bot.store.lane import AsyncLeases

log = logging.getLogger(__name__)

LEASE_NAME = "discord.gateway"
# Seconds a release on stop may wait at most (less for a short lease): a long lease's
# quarter would hold the stop well past its grace and the service manager's stop timeout.
RELEASE_PATIENCE = 5.0
Role = Literal["standby", "leader"]


class GatewayLease:
    """This replica's side of the gateway lease: wait for it, then keep it or let go."""

    def __init__(self, leases: AsyncLeases, clock: Clock, owner: str, length: dt.timedelta) -> None:
        self.leases = leases
        self.clock = clock
        self.owner = owner
        self.length = length
        self.quarter = length / 4
        self.role: Role = "standby"
        self.lease: Lease | None = None

    async def take(self) -> Lease:
        """Wait as a standby until this replica holds the lease; the lease."""
        self.role, self.lease = "standby", None
        warned = False
        while True:
            try:
                # A database that hangs never fails the call: after a quarter it counts as
                # unavailable (a late success re-takes our own lease on the next try).
                async with asyncio.timeout(self.quarter.total_seconds()):
                    lease = await self.leases.acquire(
                        LEASE_NAME, self.owner, self.clock.now(), self.length
                    )
            except (TimeoutError, StoreUnavailableError) as exc:
                if not warned:
                    log.warning(
                        "database unavailable; a standby cannot take the Discord gateway",
                        extra={"error": _why(exc, self.quarter.total_seconds())},
                    )
                    warned = True
                lease = None
            if lease is not None:
                log.info("this replica holds the Discord gateway", extra={"epoch": lease.epoch})
                self.role, self.lease = "leader", lease
                return lease
            await self.clock.sleep(self.quarter.total_seconds())

    async def keep(self, lease: Lease, gateway: asyncio.Task[None]) -> None:
        """Renew `lease` while `gateway` runs; return when the gateway must be disconnected.

        Returns as soon as the gateway task ends, when the lease was taken over, or once no
        renewal has succeeded by a quarter before the lease expires.
        """
        while True:
            nap = asyncio.ensure_future(self.clock.sleep(self.quarter.total_seconds()))
            await asyncio.wait([gateway, nap], return_when=asyncio.FIRST_COMPLETED)
            nap.cancel()
            if gateway.done():
                return
            now = self.clock.now()
            deadline = lease.expires - self.quarter
            try:
                async with asyncio.timeout(max((deadline - now).total_seconds(), 0.0)):
                    renewed = await self.leases.renew(lease, now, self.length)
            except (TimeoutError, StoreUnavailableError) as exc:
                if self.clock.now() >= deadline - self.quarter:
                    log.error(
                        "cannot renew the Discord gateway lease; disconnecting before it "
                        "can expire",
                        extra={"error": str(exc) or type(exc).__name__},
                    )
                    return
                log.warning(
                    "could not renew the Discord gateway lease; trying again",
                    extra={"error": str(exc) or type(exc).__name__},
                )
                continue
            if renewed is None:
                log.warning("the Discord gateway lease was taken over; disconnecting")
                return
            lease = self.lease = renewed

    async def release(self) -> None:
        """Give the lease up (when stopping), so a standby takes over at once.

        A database that does not answer within a quarter of the lease (RELEASE_PATIENCE
        at most) is left behind: the lease lapses by itself, and the stop goes on.
        """
        lease, self.role, self.lease = self.lease, "standby", None
        if lease is None:
            return
        patience = min(self.quarter.total_seconds(), RELEASE_PATIENCE)
        try:
            # Bounded: a database that hangs would otherwise hold the stop past its grace.
            async with asyncio.timeout(patience):
                await self.leases.release(lease)
        except (TimeoutError, StoreUnavailableError) as exc:
            log.warning(
                "database unavailable; the Discord gateway lease lapses by itself",
                extra={"error": _why(exc, patience)},
            )


def _why(error: Exception, waited: float) -> str:
    """The error for a log line; a timeout says how long the database was given."""
    if isinstance(error, TimeoutError):
        return f"no answer within {waited:g} s"
    return str(error)
