"""The Discord adapter: slash commands over the answer engine, and the insight publisher."""

from bot.adapters.discord.client import TownhallClient
from bot.adapters.discord.commands import TownhallCommands, build_tree
from bot.adapters.discord.publish import DiscordPublisher
from bot.adapters.discord.service import DiscordLoginError, DiscordService

__all__ = [
    "DiscordLoginError",
    "DiscordPublisher",
    "DiscordService",
    "TownhallClient",
    "TownhallCommands",
    "build_tree",
]
