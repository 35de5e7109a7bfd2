"""The Discord bot as a `townhall serve` service."""

from __future__ import annotations

import logging
import math
from datetime import tzinfo
from typing import Any

import discord

from bot.adapters.discord.client import TownhallClient
from bot.adapters.discord.commands import TownhallCommands
from bot.adapters.discord.publish import DiscordPublisher
from bot.clock import Clock
from bot.engine import AnswerEngine
from bot.insight.ledger import Ledger
from bot.settings import DiscordSettings, SettingsError
from bot.state import StateDB

log = logging.getLogger(__name__)


class DiscordLoginError(Exception):
    """Discord refused the token; the message names DISCORD_TOKEN (never its value)."""


class DiscordService:
    """Runs the Discord client until cancelled."""

    name = "discord"

    def __init__(
        self,
        settings: DiscordSettings,
        engine: AnswerEngine,
        state: StateDB,
        *,
        clock: Clock,
        zone: tzinfo,
        **client_options: Any,
    ) -> None:
        if settings.token is None:
            raise SettingsError("DISCORD_TOKEN: not set")
        self._token = settings.token
        self.clock = clock
        self.client = TownhallClient(
            TownhallCommands(
                engine,
                today=lambda: clock.today(zone),
                rotation_start=Ledger(state).start_rotation,
            ),
            state,
            guild_id=settings.guild_id,
            ask_cooldown=settings.ask_cooldown,
            **client_options,
        )

    async def run(self) -> None:
        """Log in, connect and answer until cancelled; the client is closed on the way out."""
        try:
            async with self.client:
                await self.client.start(self._token.get_secret_value())
        except discord.LoginFailure:
            raise DiscordLoginError(
                "DISCORD_TOKEN was rejected by Discord: copy the bot token again from the "
                "Developer Portal (Bot > Reset Token)"
            ) from None

    def health(self) -> dict[str, object]:
        """Connected or not, gateway latency and the number of servers."""
        latency = self.client.latency
        return {
            "connected": self.client.is_ready() and not self.client.is_closed(),
            "latency_ms": round(latency * 1000) if math.isfinite(latency) else None,
            "guilds": len(self.client.guilds),
        }

    def publisher(self) -> DiscordPublisher:
        """The insight publisher over this service's client."""
        return DiscordPublisher(self.client, self.clock)
