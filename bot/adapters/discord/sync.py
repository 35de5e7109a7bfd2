"""Syncing the slash commands to Discord only when they changed since the last sync.

Discord rate-limits command registration and a global sync takes a while to reach every
client, so the bot remembers a hash of what it last synced in the store (TOWNHALL_DB).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Protocol

import discord
from discord import app_commands

from bot.store import StoreUnavailableError

log = logging.getLogger(__name__)


class SyncMemory(Protocol):
    """Where the hash of the last sync is kept (the store's named values, on its lane)."""

    async def get(self, key: str) -> str | None:
        """The value stored under `key`, if any."""
        ...

    async def set(self, key: str, value: str) -> None:
        """Store `value` under `key`."""
        ...


def sync_key(application_id: int | None, guild_id: int | None) -> str:
    """The store key holding the hash of the last sync to this scope."""
    return f"discord.commands.{application_id}.{guild_id or 'global'}"


async def command_payload(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None
) -> list[dict[str, Any]]:
    """The commands exactly as `tree.sync` sends them (translations included)."""
    commands = tree.get_commands(guild=guild)
    translator = tree.translator
    if translator is None:
        return [command.to_dict(tree) for command in commands]
    return [await command.get_translated_payload(tree, translator) for command in commands]


async def sync_commands(
    tree: app_commands.CommandTree[Any], memory: SyncMemory, guild_id: int | None
) -> bool:
    """Sync to the guild `guild_id` (or globally) unless unchanged; True when it synced.

    A failed sync is logged and not remembered: the bot still answers with the commands
    Discord already has, and the next start tries again.
    """
    guild = discord.Object(id=guild_id) if guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    payload = await command_payload(tree, guild)
    digest = hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    key = sync_key(tree.client.application_id, guild_id)
    scope = f"guild {guild_id}" if guild_id else "all servers"
    try:
        synced = await memory.get(key)
    except StoreUnavailableError as exc:
        # The commands matter more than saving one registration: sync without the memory.
        log.warning("database unavailable; syncing slash commands without the last hash: %s", exc)
        synced = None
    if synced == digest:
        log.info("slash commands unchanged since the last sync to %s", scope)
        return False
    try:
        await tree.sync(guild=guild)
    except discord.Forbidden:
        log.error(
            "cannot sync slash commands to %s: invite the bot with the applications.commands "
            "scope (see deploy/discord.md)",
            scope,
        )
        return False
    except discord.HTTPException as exc:
        log.error("syncing slash commands to %s failed: %s", scope, exc)
        return False
    try:
        await memory.set(key, digest)
    except StoreUnavailableError as exc:
        log.warning("database unavailable; the sync is not remembered: %s", exc)
    log.info("synced %d slash commands to %s", len(payload), scope)
    return True
