"""Which insight a day gets: one answer for the daily post and for /insight alike.

The rotation counts from its first day, stored once in the shared database by the first
daily post (or, where no daily post is configured, a member's first /insight), and each
day's deck is stored there the first time the day is dealt (bot/insight/rotation.py):
every process and platform then agrees on the insight of any day, and a day's insight
never changes once told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.insight.pick import Insight, insight_for, topics_of
from bot.insight.rotation import Deck, Topic
from bot.knowledge import Knowledge
from bot.runner import Runner
from bot.store import StoreUnavailableError


class RotationState(Protocol):
    """Where the rotation's first day and each day's deck are kept (the insight ledger)."""

    async def rotation_start(self) -> dt.date | None:
        """The stored first day, if one is stored."""
        ...

    async def start_rotation(self, day: dt.date) -> dt.date:
        """Store `day` as the first day unless one is stored; return the stored first day."""
        ...

    async def deck_of(self, start: dt.date, day: dt.date, topics: tuple[Topic, ...]) -> Deck:
        """`day`'s deck, dealt with `topics` and stored unless one is stored for the day."""
        ...

    async def recover(
        self, start: dt.date, day: dt.date, told: Topic, topics: tuple[Topic, ...]
    ) -> None:
        """Store `day`'s deck as a post the database lost tells it, unless one is stored."""
        ...


class InsightUnavailableError(Exception):
    """Today's insight cannot be told: the database with the rotation's first day is down."""


class BeforeRotationError(LookupError):
    """A day before the stored first day: another process's clock is ahead of ours."""

    def __init__(self, day: dt.date, start: dt.date) -> None:
        super().__init__(f"{day.isoformat()} is before the rotation's first day {start}")
        self.day = day
        self.start = start


class DailyInsights:
    """The insight of a day in the community's time zone, in any language of the knowledge."""

    def __init__(
        self,
        knowledge: Knowledge,
        rotation: RotationState,
        clock: Clock,
        zone: ZoneInfo,
        runner: Runner,
        *,
        scheduled: bool = False,
    ) -> None:
        self.knowledge = knowledge
        self.rotation = rotation
        self.clock = clock
        self.zone = zone
        self.runner = runner
        # A daily post is configured: only it stores the first day, since it first looks
        # for an earlier post in its channels (a lost database) and counts from that one.
        self.scheduled = scheduled

    def today(self) -> dt.date:
        """Today's date in the community's time zone (INSIGHT_TIMEZONE)."""
        return self.clock.today(self.zone)

    async def of_day(self, day: dt.date, langs: Iterable[str]) -> dict[str, Insight]:
        """`day`'s insight in each of `langs`; `day` becomes the first day if none is stored.

        Raises BeforeRotationError when the stored first day is later than `day`.
        """
        start = await self.rotation.start_rotation(day)
        if day < start:
            raise BeforeRotationError(day, start)
        deck = await self.rotation.deck_of(start, day, topics_of(self.knowledge))
        wanted = list(dict.fromkeys(langs))
        return await self.runner.run(self._pick, day, wanted, start, deck)

    async def recover(self, start: dt.date, day: dt.date, told: Topic) -> None:
        """Count `told` as `day`'s topic: a post from before the database was lost shows it.

        The rounds then go on without it, rather than dealt anew from the first day, which
        could show it again the next day.
        """
        await self.rotation.recover(start, day, told, topics_of(self.knowledge))

    async def today_in(self, lang: str) -> Insight:
        """Today's insight in `lang`: the one today's daily post shows.

        Raises InsightUnavailableError while the database is unavailable: the number and
        topic depend on the stored first day, and a guess could contradict today's post.
        Before the daily post has stored a first day, today counts as it and nothing is
        stored: a first day stored here would stop the post from recovering the rotation
        from its earlier posts after a database loss, and it would start over at #1.
        """
        day = self.today()
        try:
            if self.scheduled and await self.rotation.rotation_start() is None:
                return await self.runner.run(self._pick_first, day, lang)
            return (await self.of_day(day, [lang]))[lang]
        except StoreUnavailableError as exc:
            raise InsightUnavailableError(str(exc)) from exc

    def _pick_first(self, day: dt.date, lang: str) -> Insight:
        # As `townhall insight --preview` reads a rotation not started: today is day one.
        return insight_for(self.knowledge, day, lang, day)

    def _pick(
        self, day: dt.date, langs: list[str], start: dt.date, deck: Deck
    ) -> dict[str, Insight]:
        return {lang: insight_for(self.knowledge, day, lang, start, deck) for lang in langs}
