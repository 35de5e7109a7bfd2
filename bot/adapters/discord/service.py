"""The Discord bot as a `townhall serve` service."""

from __future__ import annotations

import logging
import math
from typing import Any

import aiohttp
import discord

from bot.adapters.discord.client import TownhallClient
from bot.adapters.discord.commands import TownhallCommands
from bot.adapters.discord.publish import TOKEN_REFUSED, DiscordPublisher
from bot.adapters.discord.sync import SyncMemory
from bot.answers import Answers
from bot.clock import Clock
from bot.insight.daily import DailyInsights
from bot.runtime import InFlight, StartError
from bot.settings import DiscordBot
from bot.usage import UsageRecorder

log = logging.getLogger(__name__)


class DiscordLoginError(StartError):
    """Discord refused the token; the message names DISCORD_TOKEN (never its value)."""


class DiscordService:
    """Runs the Discord client until cancelled."""

    name = "discord"

    def __init__(self, bot: DiscordBot, client: TownhallClient, clock: Clock) -> None:
        self._token = bot.token
        self.client = client
        self.clock = clock

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
        **client_options: Any,
    ) -> DiscordService:
        """The service for the configured bot, over the process's answers and insights.

        `in_flight` counts the answers under way, for a shutdown to wait for.
        """
        client = TownhallClient(
            TownhallCommands(answers, daily, clock, in_flight=in_flight or InFlight(), usage=usage),
            sync_memory,
            guild_id=bot.guild_id,
            ask_cooldown=bot.ask_cooldown,
            **client_options,
        )
        return cls(bot, client, clock)

    async def run(self) -> None:
        """Log in, connect and answer until cancelled; the client is closed on the way out."""
        try:
            async with self.client:
                await self.client.start(self._token.get_secret_value())
        except discord.LoginFailure:
            raise DiscordLoginError(TOKEN_REFUSED) from None
        except (aiohttp.ClientError, OSError, TimeoutError, discord.GatewayNotFound) as exc:
            # Only reached at start: once connected, discord.py reconnects on its own.
            raise ConnectionError(
                f"could not reach Discord at {discord.http.Route.BASE} ({type(exc).__name__})"
            ) from exc

    def health(self) -> dict[str, object]:
        """Connected or not, gateway latency and the number of servers."""
        latency = self.client.latency
        return {
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
