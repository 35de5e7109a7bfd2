"""Posting the daily insight to Discord channels, and finding a post already made."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import discord

from bot.adapters.discord.render import NO_MENTIONS, insight_mark, insight_reply, marked_day
from bot.adapters.discord.views import view_for
from bot.clock import Clock
from bot.insight import Insight, InsightMark, PublishError
from bot.runtime import StartError
from bot.settings import DiscordBot

# How far back `find_posted` looks: a day's post is among the channel's latest messages
# unless the channel is very busy, and then posting twice is the lesser harm.
HISTORY = 50
# At start the scheduler may be due before the gateway is ready; waiting this long for the
# login under way beats a failed attempt and a retry half a minute later.
READY_WAIT = dt.timedelta(seconds=30)
LOGIN_POLL = 0.2


TOKEN_REFUSED = (
    "DISCORD_TOKEN was rejected by Discord: copy the bot token again from the "
    "Developer Portal (Bot > Reset Token)"
)


@asynccontextmanager
async def rest_publisher(bot: DiscordBot, clock: Clock) -> AsyncIterator[DiscordPublisher]:
    """A publisher logged in over REST only (no gateway): for `townhall insight --retry`."""
    client = discord.Client(intents=discord.Intents.none(), allowed_mentions=NO_MENTIONS)
    async with client:
        try:
            await client.login(bot.token.get_secret_value())
        except discord.LoginFailure:
            raise StartError(TOKEN_REFUSED) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise ConnectionError(
                f"could not reach Discord at {discord.http.Route.BASE} ({type(exc).__name__})"
            ) from exc
        yield DiscordPublisher(client, clock)


class DiscordPublisher:
    """Posts insights with a logged-in client's REST API (the gateway is not needed)."""

    platform = "discord"

    def __init__(
        self,
        client: discord.Client,
        clock: Clock,
        *,
        history: int = HISTORY,
        ready_wait: dt.timedelta = READY_WAIT,
    ) -> None:
        self.client = client
        self.clock = clock
        self.history = history
        self.ready_wait = ready_wait

    async def post(self, channel: str, insight: Insight) -> str:
        """Post `insight` to `channel`, marked with `insight.key`; the message id."""
        target = self._channel(channel)
        await self._me()
        reply = insight_reply(insight, marked=True)
        # Nobody asked for the daily post: its button answers whoever clicks, privately.
        view = view_for(reply, public=False)
        async with _publishing(channel):
            if view is None:
                message = await target.send(embed=reply.embed, allowed_mentions=NO_MENTIONS)
            else:
                message = await target.send(
                    embed=reply.embed, view=view, allowed_mentions=NO_MENTIONS
                )
                view.stop()
        return str(message.id)

    async def find_posted(self, channel: str, insight: Insight) -> str | None:
        """The id of this bot's recent insight post in `channel` for `insight.day`, whatever its
        topic: the day's topic may have been dealt again since a send whose record was lost."""
        target = self._channel(channel)
        me = await self._me()
        async with _publishing(channel):
            async for message in target.history(limit=self.history):
                if message.author.id == me.id and any(
                    marked_day(embed) == insight.day for embed in message.embeds
                ):
                    return str(message.id)
        return None

    async def latest_mark(self, channel: str) -> InsightMark | None:
        """The day and number of this bot's newest marked insight post in `channel`."""
        target = self._channel(channel)
        me = await self._me()
        async with _publishing(channel):
            async for message in target.history(limit=self.history):
                if message.author.id != me.id:
                    continue
                for embed in message.embeds:
                    mark = insight_mark(embed)
                    if mark is not None:
                        return mark
        return None

    async def _me(self) -> discord.ClientUser:
        """The bot's own user, once the client has logged in (waiting for one under way)."""
        deadline = self.clock.now() + self.ready_wait
        # Polled: the login sets the user without an event to wait on (the gateway's ready
        # event comes later, and not at all for a REST-only client).
        while self.client.user is None and self.clock.now() < deadline:
            await self.clock.sleep(LOGIN_POLL)
        if self.client.user is None:
            raise PublishError("the Discord client is not logged in yet", retry=True)
        return self.client.user

    def _channel(self, channel: str) -> discord.PartialMessageable:
        try:
            channel_id = int(channel)
        except ValueError:
            raise PublishError(f"{channel!r} is not a Discord channel id", retry=False) from None
        return self.client.get_partial_messageable(channel_id)


@asynccontextmanager
async def _publishing(channel: str) -> AsyncIterator[None]:
    """Discord's failures as PublishError: retry unless the channel is gone or forbidden."""
    try:
        yield
    except discord.Forbidden as exc:
        raise PublishError(f"channel {channel}: missing access ({exc.text})", retry=False) from exc
    except discord.NotFound as exc:
        raise PublishError(f"channel {channel}: not found ({exc.text})", retry=False) from exc
    except discord.HTTPException as exc:
        # discord.py already retried 429s and most 5xx; 400s will not get better.
        retry = exc.status == 429 or exc.status >= 500
        raise PublishError(f"channel {channel}: HTTP {exc.status} {exc.text}", retry=retry) from exc
    except discord.RateLimited as exc:
        raise PublishError(f"channel {channel}: rate limited", retry=True) from exc
    except (TimeoutError, OSError, aiohttp.ClientError) as exc:
        raise PublishError(f"channel {channel}: network error ({exc})", retry=True) from exc
