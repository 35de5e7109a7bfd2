"""`townhall doctor` for Discord: the token logs in, and the bot may post in each channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
import discord

from bot.checks import Finding
from bot.insight.channel import InsightChannel
from bot.settings import DiscordBot

# What posting the daily insight (and finding an earlier one after a restart) needs.
NEEDED = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
}
# In a thread, posting is allowed by Send Messages in Threads instead of Send Messages.
NEEDED_IN_THREADS = {
    **{flag: label for flag, label in NEEDED.items() if flag != "send_messages"},
    "send_messages_in_threads": "Send Messages in Threads",
}
# Channel types (Discord's numbers) that hold messages, so a post can go there.
POSTABLE = {0: "text", 2: "voice", 5: "announcement", 13: "stage"}
THREADS = {10: "announcement thread", 11: "thread", 12: "private thread"}
# The rest hold channels or posts, not messages: named for the admin.
NOT_POSTABLE = {4: "a category", 14: "a server directory", 15: "a forum", 16: "a media channel"}
TRY_LATER = "try again later: Discord could not answer now"


async def check_discord(bot: DiscordBot, channels: Sequence[InsightChannel]) -> list[Finding]:
    """Log in with DISCORD_TOKEN (REST only, no gateway) and check each insight channel."""
    client = discord.Client(intents=discord.Intents.none())
    try:
        async with client:
            try:
                await client.login(bot.token.get_secret_value())
            except discord.LoginFailure:
                fix = "copy the bot token again from the Developer Portal (Bot > Reset Token)"
                return [Finding("DISCORD_TOKEN", "refused by Discord", fix)]
            except discord.HTTPException as exc:
                return [
                    Finding(
                        "Discord",
                        f"answered {_answer(exc)} to the login, so DISCORD_TOKEN was not checked",
                        f"{TRY_LATER} (not a token problem)",
                    )
                ]
            assert client.user is not None  # set by login
            me = client.user
            found = [Finding("DISCORD_TOKEN", f"logs in as {me.name} ({me.id})")]
            for target in channels:
                found.append(await _check_channel(client.http, me.id, int(target.channel.id)))
            return found
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return [
            Finding(
                "Discord",
                f"could not reach {discord.http.Route.BASE} ({type(exc).__name__})",
                "check this host's network access to discord.com",
            )
        ]


async def _check_channel(http: discord.http.HTTPClient, bot_id: int, channel_id: int) -> Finding:
    subject = f"Discord channel {channel_id}"
    try:
        return await _channel_finding(http, bot_id, channel_id, subject)
    except discord.HTTPException as exc:
        # A server error (or a rate limit outlasting discord.py's retries) says nothing
        # about the channel: the other channels' findings still count.
        return Finding(subject, f"not checked: Discord answered {_answer(exc)}", TRY_LATER)


async def _channel_finding(
    http: discord.http.HTTPClient, bot_id: int, channel_id: int, subject: str
) -> Finding:
    try:
        channel = await http.get_channel(channel_id)
    except discord.NotFound:
        return Finding(
            subject,
            "does not exist, or is in a server the bot has not joined",
            "check INSIGHT_DISCORD_CHANNELS (right-click the channel > Copy Channel ID) and "
            "that the bot was added to its server",
        )
    except discord.Forbidden:
        return Finding(
            subject,
            "the bot cannot see it",
            "give the bot's role View Channel in the channel's settings (Permissions)",
        )
    name = f"#{channel.get('name', channel_id)}"
    guild_id = str(channel.get("guild_id") or "")
    if not guild_id:
        return Finding(subject, f"{name} is not a server channel", "use a server text channel")
    kind = int(channel.get("type", 0))
    if kind not in POSTABLE and kind not in THREADS:
        what = NOT_POSTABLE.get(kind, f"a channel of type {kind}")
        return Finding(
            subject,
            f"{name} is {what}, where the bot cannot post a message",
            "use a text or announcement channel (or a thread) in INSIGHT_DISCORD_CHANNELS",
        )
    guild = await http.get_guild(int(guild_id))
    member = await http.get_member(int(guild_id), bot_id)
    needed, where, parent = NEEDED, channel, name
    if kind in THREADS:
        # A thread has no overwrites of its own: its parent channel's apply.
        parent_id = str(channel.get("parent_id") or "")
        where = await http.get_channel(int(parent_id))
        needed, parent = NEEDED_IN_THREADS, f"#{where.get('name', parent_id)}"
    allowed = channel_permissions(guild, member, where, bot_id)
    missing = [label for flag, label in needed.items() if not getattr(allowed, flag)]
    if missing:
        return Finding(
            subject,
            f"{name}: the bot may not {', '.join(missing)}",
            f"allow {', '.join(missing)} for the bot's role in {parent} "
            "(Edit Channel > Permissions)",
        )
    send = "send in threads" if kind in THREADS else "send"
    return Finding(subject, f"{name}: the bot may view, {send}, embed links and read history")


def _answer(exc: discord.HTTPException) -> str:
    """What Discord answered: its HTTP status and, when it gave one, its error code."""
    return f"{exc.status} (error code {exc.code})" if exc.code else str(exc.status)


def channel_permissions(
    guild: Mapping[str, Any], member: Mapping[str, Any], channel: Mapping[str, Any], user_id: int
) -> discord.Permissions:
    """The member's permissions in the channel, as Discord computes them.

    The guild's @everyone role and the member's roles, then the channel's overwrites in
    Discord's order: @everyone, the member's roles together, the member.
    """
    if int(guild["owner_id"]) == user_id:
        return discord.Permissions.all()
    roles = {int(role["id"]): int(role["permissions"]) for role in guild["roles"]}
    everyone = int(guild["id"])
    member_roles = [int(role) for role in member.get("roles", [])]
    allowed = discord.Permissions(roles.get(everyone, 0))
    for role in member_roles:
        allowed.value |= roles.get(role, 0)
    if allowed.administrator:
        return discord.Permissions.all()
    overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
    if everyone in overwrites:
        allowed.handle_overwrite(
            int(overwrites[everyone]["allow"]), int(overwrites[everyone]["deny"])
        )
    allow = deny = 0
    for role in member_roles:
        if role in overwrites:
            allow |= int(overwrites[role]["allow"])
            deny |= int(overwrites[role]["deny"])
    allowed.handle_overwrite(allow, deny)
    if user_id in overwrites:
        allowed.handle_overwrite(
            int(overwrites[user_id]["allow"]), int(overwrites[user_id]["deny"])
        )
    return allowed
