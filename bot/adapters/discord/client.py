"""The Discord client: non-privileged intents, the command tree, and syncing on start."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.adapters.discord.commands import KoreanTranslator, TownhallCommands, build_tree
from bot.adapters.discord.render import NO_MENTIONS
from bot.adapters.discord.sync import SyncMemory, sync_commands
from bot.adapters.discord.views import TopicButton, VoteButton
from bot.usage import Vote

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Only `guilds`: slash commands and buttons arrive as interactions whatever the intents."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


class TownhallClient(discord.Client):
    """The Town Hall bot on Discord."""

    def __init__(
        self,
        commands: TownhallCommands,
        sync_memory: SyncMemory,
        *,
        guild_id: int | None = None,
        **options: Any,
    ) -> None:
        # The bot never joins voice: discord.py's start-up warning that voice is not
        # supported (no PyNaCl, no davey) is nothing an admin can or should act on.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            intents=intents(), allowed_mentions=NO_MENTIONS, max_messages=None, **options
        )
        self.commands = commands
        self.sync_memory = sync_memory
        self.guild_id = guild_id
        self.tree = build_tree(self, commands)

    async def setup_hook(self) -> None:
        """Register the topic and vote buttons and sync the commands if they changed."""
        self.add_dynamic_items(TopicButton, VoteButton)
        await self.tree.set_translator(KoreanTranslator())
        await sync_commands(self.tree, self.sync_memory, self.guild_id)

    async def close(self) -> None:
        """Close the client, with no `ready` left pending (see forget_ready)."""
        self.forget_ready()
        await super().close()

    def forget_ready(self) -> None:
        """Drop the `ready` discord.py still holds back after READY (until the servers
        are listed), once the gateway is closed.

        Dispatched later, it would announce a connection that is gone; and on a closed
        client (its loop unset) it fails as "Task exception was never retrieved". The
        last session's ready flag goes too: until the next READY, is_ready() says no.
        """
        waiting = self._connection._ready_task
        if waiting is not None:
            waiting.cancel()
        if self._ready is not discord.utils.MISSING:
            self._ready.clear()

    async def on_ready(self) -> None:
        """Log who we are once connected."""
        user = self.user
        log.info("connected to Discord as %s (%s)", user, user.id if user else "?")

    async def show_topic(
        self,
        interaction: discord.Interaction[Any],
        talk: str,
        number: int,
        lang: str,
        *,
        public: bool,
        mark: str | None = None,
    ) -> None:
        """A topic button was clicked."""
        await self.commands.show_topic(interaction, talk, number, lang, public=public, mark=mark)

    async def take_vote(
        self, interaction: discord.Interaction[Any], answer_id: str, vote: Vote
    ) -> None:
        """A 👍 / 👎 button was clicked."""
        await self.commands.vote(interaction, answer_id, vote)
