"""The Discord bot as a `townhall serve` service."""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

import aiohttp
import discord

from bot.adapters.discord.client import TownhallClient
from bot.adapters.discord.commands import TownhallCommands
from bot.adapters.discord.leader import GatewayLease
from bot.adapters.discord.publish import TOKEN_REFUSED, DiscordPublisher
from bot.adapters.discord.sync import SyncMemory
from bot.answers import Answers
from bot.clock import Clock
from bot.insight.daily import DailyInsights
from bot.pace import Pace
from bot.runtime import InFlight, StartError
from bot.settings import DiscordBot
from bot.usage import UsageRecorder

log = logging.getLogger(__name__)


class DiscordLoginError(StartError):
    """Discord refused the token; the message names DISCORD_TOKEN (never its value)."""


class DiscordService:
    """Runs the Discord client until cancelled."""

    name = "discord"

    def __init__(
        self,
        bot: DiscordBot,
        client: TownhallClient,
        clock: Clock,
        gateway_lease: GatewayLease | None = None,
    ) -> None:
        self._token = bot.token
        self.client = client
        self.clock = clock
        # None: this process connects at once (tests of the client alone); else only the
        # lease holder among the replicas connects.
        self.gateway_lease = gateway_lease

    @classmethod
    def from_settings(
        cls,
        bot: DiscordBot,
        *,
        answers: Answers,
        daily: DailyInsights,
        sync_memory: SyncMemory,
        clock: Clock,
        in_flight: InFlight | None = None,
        usage: UsageRecorder | None = None,
        gateway_lease: GatewayLease | None = None,
        **client_options: Any,
    ) -> DiscordService:
        """The service for the configured bot, over the process's answers and insights.

        `in_flight` counts the answers under way, for a shutdown to wait for.
        """
        commands = TownhallCommands(
            answers,
            daily,
            clock,
            in_flight=in_flight or InFlight(),
            usage=usage,
            pace=Pace(clock, bot.ask_cooldown),
        )
        client = TownhallClient(commands, sync_memory, guild_id=bot.guild_id, **client_options)
        return cls(bot, client, clock, gateway_lease)

    async def run(self) -> None:
        """Log in, connect and answer until cancelled; the client is closed on the way out."""
        token = self._token.get_secret_value()
        try:
            async with self.client:
                if self.gateway_lease is None:
                    await self.client.start(token)
                else:
                    await self._run_as_replica(self.gateway_lease, token)
        except discord.LoginFailure:
            raise DiscordLoginError(TOKEN_REFUSED) from None
        except (aiohttp.ClientError, OSError, TimeoutError, discord.GatewayNotFound) as exc:
            # Only reached at start: once connected, discord.py reconnects on its own.
            raise ConnectionError(
                f"could not reach Discord at {discord.http.Route.BASE} ({type(exc).__name__})"
            ) from exc

    async def _run_as_replica(self, gateway_lease: GatewayLease, token: str) -> None:
        """Logged in always; connected to the gateway only while holding its lease."""
        await self.client.login(token)
        try:
            while True:
                lease = await gateway_lease.take()
                gateway = asyncio.create_task(self.client.connect(), name="discord-gateway")
                ended_by_itself = False
                try:
                    await gateway_lease.keep(lease, gateway)
                    ended_by_itself = gateway.done()
                finally:
                    if not gateway.done():
                        await self._disconnect(gateway)
                    await asyncio.gather(gateway, return_exceptions=True)
                if ended_by_itself:
                    gateway.result()  # a fatal gateway error ends the service, as alone
                log.info("disconnected from the Discord gateway; standing by")
                if self.client.is_closed():
                    # The gateway closed the client as it ended, HTTP session and connector
                    # too: start afresh, logged in, as a standby (login makes a new
                    # connector when there is none).
                    self.client.clear()
                    self.client.http.connector = discord.utils.MISSING
                    await self.client.login(token)
        finally:
            if not self.client.is_closed():
                await self.client.close()
            await gateway_lease.release()

    async def _disconnect(self, gateway: asyncio.Task[None]) -> None:
        """Close the gateway connection alone, keeping the client and its HTTP session.

        Answers under way reply over HTTP (an interaction's token is valid for 15 minutes,
        gateway or not): closing the client would close the session they send on, and the
        members would be left with "thinking..." forever. Cancelling the connect loop first
        keeps it from reconnecting, and no new interaction arrives once the socket closes.
        """
        gateway.cancel()
        await asyncio.gather(gateway, return_exceptions=True)
        socket = self.client.ws
        if socket is not None and socket.open:
            await socket.close(code=1000)
        self.client.forget_ready()

    def health(self) -> dict[str, object]:
        """Leader or standby; connected or not, gateway latency and the number of servers."""
        if self.gateway_lease is not None and self.gateway_lease.role == "standby":
            # Not connected by design: a standby is healthy, ready to take over.
            return {"role": "standby", "logged_in": self.client.user is not None}
        latency = self.client.latency
        return {
            **({"role": "leader"} if self.gateway_lease is not None else {}),
            "connected": self.client.is_ready() and not self.client.is_closed(),
            "latency_ms": round(latency * 1000) if math.isfinite(latency) else None,
            "guilds": len(self.client.guilds),
        }

    async def stop_accepting(self) -> None:
        """New /ask questions get a "restarting" notice; the gateway stays up so the
        answers in flight can still be sent.
        """

    def publisher(self) -> DiscordPublisher:
        """The insight publisher over this service's client."""
        return DiscordPublisher(self.client, self.clock)
