"""The daily insight schedule: when each day's post is due, and posting it exactly once.

The first day the scheduler posts on becomes the rotation's first day (insight #1) unless
the ledger already has one. For each configured channel: claim the day's record in the
ledger, ask the platform whether our message for this insight is already there (a crash
between sending and recording), post only if it is not, then record the message id.
Channels are independent: one failing channel is retried with backoff that day while the
others are done.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.channel import Channel
from bot.insight.channel import InsightChannel
from bot.insight.daily import BeforeRotationError, DailyInsights
from bot.insight.ledger import Ledger
from bot.insight.pick import Insight
from bot.insight.publisher import InsightMark, InsightPublisher, PublishError
from bot.store import InsightPost, StoreUnavailableError

log = logging.getLogger(__name__)

MIDNIGHT = dt.time(0, 0)
# The share of the claim lease an attempt's platform calls may take, together, before
# they are given up (and retried): the claim is released long before another process may
# take the record over. The rest is the margin for the record's writes and clock skew.
CLAIM_SHARE_FOR_SENDING = 0.5

_T = TypeVar("_T")
# How long the insight waits before trying again when the database cannot be used.
STORE_RETRY = dt.timedelta(seconds=30)


def post_time(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """When `day`'s insight is due (UTC) for local time `at` in `zone`.

    Wall-clock arithmetic with zoneinfo (fold=0): a time in the hour skipped when clocks go
    forward is read with the offset from before the change, so 02:30 becomes 03:30 that day
    (the post is late, never missing); a time in the hour repeated when clocks go back is its
    first occurrence (the post happens once).
    """
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)


@dataclass(frozen=True)
class Backoff:
    """Exponential retry delays for one channel within one day."""

    first: dt.timedelta = dt.timedelta(seconds=30)
    most: dt.timedelta = dt.timedelta(hours=1)
    attempts: int = 8

    def delay(self, attempts: int) -> dt.timedelta:
        """The wait after the `attempts`-th failed attempt (1-based)."""
        factor: int = 2 ** max(0, attempts - 1)
        return min(self.first * factor, self.most)


def process_owner() -> str:
    """A name for this process's leases: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class InsightScheduler:
    """The "insight" service of `townhall serve`: posts each day's insight to every target."""

    name = "insight"

    def __init__(
        self,
        daily: DailyInsights,
        ledger: Ledger,
        publishers: Mapping[str, InsightPublisher],
        targets: Sequence[InsightChannel],
        *,
        at: dt.time,
        claim_lease: dt.timedelta,
        owner: str | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.daily = daily
        self.ledger = ledger
        self.publishers = dict(publishers)
        self.targets = [t for t in targets if t.channel.platform in self.publishers]
        for skipped in (t.channel for t in targets if t.channel.platform not in self.publishers):
            log.warning(
                "no publisher for this platform; channel skipped",
                extra={"platform": skipped.platform, "channel": skipped.id},
            )
        self.at = at
        self.zone = daily.zone
        self.clock = daily.clock
        self.owner = owner or process_owner()
        self.claim_lease = claim_lease
        self.backoff = backoff or Backoff()
        self.next_post: dt.datetime | None = None
        self._seen: tuple[dt.date | None, Counter[str]] = (None, Counter())

    def local_day(self, moment: dt.datetime) -> dt.date:
        """The date in the insight time zone at `moment`."""
        return moment.astimezone(self.zone).date()

    def due(self, day: dt.date) -> dt.datetime:
        """When `day`'s insight is due."""
        return post_time(day, self.at, self.zone)

    async def run(self) -> None:
        """Post every day at the configured time; on start, post today's if it is overdue."""
        log.info(
            "insight schedule started",
            extra={
                "time": self.at.strftime("%H:%M"),
                "timezone": self.zone.key,
                "channels": len(self.targets),
            },
        )
        await self._reopen_failed_today()
        while True:
            now = self.clock.now()
            today = self.local_day(now)
            if now >= self.due(today):
                # Overdue today (start after post time, or just woke): finish today only;
                # days that are over are never back-filled.
                try:
                    await self.run_day(today)
                except StoreUnavailableError as exc:
                    # Nothing is posted without its record, so the post waits for the
                    # database; answers need none and go on meanwhile.
                    self.next_post = now + STORE_RETRY
                    log.warning(
                        "database unavailable; the insight waits and retries",
                        extra={"error": str(exc), "retry_at": self.next_post.isoformat()},
                    )
                    await self.clock.sleep_until(self.next_post)
                    continue
                self.next_post = self.due(today + dt.timedelta(days=1))
            else:
                self.next_post = self.due(today)
            log.info("next insight", extra={"at": self.next_post.isoformat()})
            await self.clock.sleep_until(self.next_post)

    async def _reopen_failed_today(self) -> None:
        """Give a channel that failed for good earlier today one more try (the admin may
        have fixed it and restarted)."""
        now = self.clock.now()
        try:
            for record in await self._records(self.local_day(now)):
                if record.status == "failed" and await self.ledger.reopen(
                    record.channel, record.day, now
                ):
                    log.info(
                        "retrying a channel that failed earlier today",
                        extra=_fields(record) | {"error": record.last_error},
                    )
        except StoreUnavailableError as exc:
            # The day's run waits for the database anyway; the retry can wait with it.
            log.warning(
                "database unavailable; failed channels not reopened", extra={"error": str(exc)}
            )

    async def retry_day(self, day: dt.date) -> list[InsightPost]:
        """Re-attempt `day`'s failed, waiting or missing posts now, once each; the records."""
        now = self.clock.now()
        for record in await self._records(day):
            await self.ledger.reopen(record.channel, day, now, waiting_too=True)
        await self.run_day(day, once=True)
        return await self._records(day)

    async def run_day(self, day: dt.date, *, once: bool = False) -> None:
        """Post `day`'s insight to every target; return when all are done or the day is over
        (with `once`, after one attempt at each channel that is due)."""
        if await self.ledger.rotation_start() is None:
            await self._recover_rotation(day)
        try:
            insights = await self.daily.of_day(day, (t.lang for t in self.targets))
        except BeforeRotationError as exc:
            # Only when another process, with a clock ahead of ours, started the rotation.
            log.error(
                "today is before the rotation's first day; nothing posted",
                extra={"day": day.isoformat(), "rotation_start": exc.start.isoformat()},
            )
            return
        end = post_time(day + dt.timedelta(days=1), MIDNIGHT, self.zone)
        for target in self.targets:
            key = insights[target.lang].key
            await self.ledger.open_day(target.channel, day, key, self.clock.now())
        while True:
            now = self.clock.now()
            pending = [r for r in await self._records(day) if r.status == "pending"]
            if not pending:
                return
            if now >= end:
                for record in pending:
                    log.error(
                        "day over; insight not posted",
                        extra=_fields(record) | {"error": record.last_error},
                    )
                return
            wanted = {r.channel for r in pending}
            attempts = [
                self._attempt(t.channel, day, insights[t.lang], end)
                for t in self.targets
                if t.channel in wanted
            ]
            # Every attempt finishes (each frees or records its own claim) before a database
            # failure in one of them is raised.
            outcomes = await asyncio.gather(*attempts, return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
            if once:
                return
            if any(outcomes):
                continue
            # Nothing was ours to do now: wait for the next retry, or for another process's
            # lease to end (then it has posted, or it crashed and the record is ours to take).
            wake = min(
                r.lease_until if r.lease_until and r.leased(now) else r.next_attempt
                for r in pending
            )
            await self.clock.sleep_until(min(max(wake, now + dt.timedelta(seconds=1)), end))

    async def _recover_rotation(self, day: dt.date) -> None:
        """Store the rotation's first day from our newest insight post in the channels, if any.

        No stored first day but an earlier post in a channel means the database was lost
        (or replaced): counting from today would start the rotation over, and post a second,
        different insight on a day one may already have gone out.
        """
        marks: list[InsightMark] = []
        for target in self.targets:
            publisher = self.publishers[target.channel.platform]
            try:
                mark = await publisher.latest_mark(target.channel.id)
            except PublishError as exc:
                log.warning(
                    "could not read the channel for an earlier insight post",
                    extra={"channel": target.channel.id, "error": str(exc)},
                )
                continue
            except Exception:
                # An adapter bug must not stop the posts: without a mark, today counts.
                log.exception(
                    "insight publisher failed unexpectedly", extra={"channel": target.channel.id}
                )
                continue
            if mark is not None:
                marks.append(mark)
        if not marks:
            return  # a first post: the rotation starts today
        newest = max(marks, key=lambda mark: mark.day)
        if newest.rotation_start > day:
            return  # a post from a clock ahead of ours: of_day reports it
        start = await self.ledger.start_rotation(newest.rotation_start)
        if newest.topic is not None and newest.day >= start:
            await self.daily.recover(start, newest.day, newest.topic)
        log.warning(
            "no rotation stored; recovered it from an earlier insight post",
            extra={
                "rotation_start": start.isoformat(),
                "from_day": newest.day.isoformat(),
                "number": newest.number,
            },
        )

    async def _records(self, day: dt.date) -> list[InsightPost]:
        mine = {t.channel for t in self.targets}
        records = [r for r in await self.ledger.day(day) if r.channel in mine]
        # /healthz is synchronous and must not touch the database: it shows the last read.
        self._seen = (day, Counter(r.status for r in records))
        return records

    async def _attempt(
        self, channel: Channel, day: dt.date, insight: Insight, end: dt.datetime
    ) -> bool:
        """Claim, check, post and record one channel; False if the record was not ours to take."""
        # The lease runs from the `now` the claim is written with, not from when a busy
        # database lets the write return: the attempt's deadline counts from before it.
        started = asyncio.get_running_loop().time()
        record = await self.ledger.claim(
            channel, day, self.owner, self.clock.now(), self.claim_lease
        )
        if record is None:
            return False
        fields = _fields(record) | {"attempt": record.attempts}
        publisher = self.publishers[channel.platform]
        deadline = started + self.claim_lease.total_seconds() * CLAIM_SHARE_FOR_SENDING
        try:
            found = await self._within_claim(
                partial(publisher.find_posted, channel.id, insight), deadline
            )
            if found is not None:
                note = "found our earlier post in the channel; not posted again"
                await self.ledger.record_posted(channel, day, found, self.clock.now(), note)
                log.warning(
                    "insight already in the channel; recorded it",
                    extra=fields | {"message_id": found},
                )
                return True
            message_id = await self._within_claim(
                partial(publisher.post, channel.id, insight), deadline
            )
        except PublishError as exc:
            await self._failed(record, str(exc), exc.retry, end)
        except asyncio.CancelledError:
            # Shutting down: free the record now. Whether or not the post went out, the next
            # claimer asks the platform first, so it never posts twice. Without a database
            # the claim lapses with its lease instead.
            now = self.clock.now()
            with contextlib.suppress(StoreUnavailableError):
                await self.ledger.record_retry(
                    channel, day, self.owner, "interrupted by shutdown", retry_at=now, now=now
                )
            raise
        except StoreUnavailableError:
            raise  # the whole day waits for the database (run), not this channel
        except Exception as exc:
            # An adapter bug in one channel must not stop the others: log it, retry later.
            log.exception("insight publisher failed unexpectedly", extra=fields)
            await self._failed(record, f"{type(exc).__name__}: {exc}", True, end)
        else:
            await self.ledger.record_posted(channel, day, message_id, self.clock.now())
            log.info("insight posted", extra=fields | {"message_id": message_id})
        return True

    async def _within_claim(self, call: Callable[[], Awaitable[_T]], deadline: float) -> _T:
        """`call`'s result, or a PublishError to retry if it runs past the attempt's
        `deadline` (the event loop's time), half the claim lease after the claim.

        A platform may hold a send for long (discord.py waits out a rate limit of any
        length). Past the lease another process takes the record over, finds no post yet,
        and posts: the claim must be released, the send given up, well before. The calls
        of one attempt share the deadline, so a slow check and a slow send cannot add up
        to the lease. Whether it went out or not, the next claimer asks the platform
        before posting. Measured on the event loop's time, like the lease renewals: the
        test clock is virtual, and a platform call is not.
        """
        limit = self.claim_lease.total_seconds() * CLAIM_SHARE_FOR_SENDING
        message = f"the platform did not answer within {limit:g} s of the claim"
        if asyncio.get_running_loop().time() >= deadline:
            # Not started at all: a send begun now could still go out after the lease.
            raise PublishError(message, retry=True)
        bound = asyncio.timeout_at(deadline)
        try:
            async with bound:
                return await call()
        except TimeoutError:
            if not bound.expired():
                raise  # the call's own timeout, not the bound
            raise PublishError(message, retry=True) from None

    async def _failed(self, record: InsightPost, error: str, retry: bool, end: dt.datetime) -> None:
        now = self.clock.now()
        retry_at = now + self.backoff.delay(record.attempts)
        fields = _fields(record) | {"attempt": record.attempts, "error": error}
        if retry and record.attempts < self.backoff.attempts and retry_at < end:
            await self.ledger.record_retry(
                record.channel, record.day, self.owner, error, retry_at=retry_at, now=now
            )
            log.warning(
                "insight post failed; will retry", extra=fields | {"retry_at": retry_at.isoformat()}
            )
        else:
            await self.ledger.record_failed(record.channel, record.day, self.owner, error, now)
            log.error("insight post failed; giving up for today", extra=fields)

    async def stop_accepting(self) -> None:
        """Nothing to stop: a post under way is cancelled with the service and its record
        freed for the next claimer, who looks for the post before posting.
        """

    def health(self) -> dict[str, object]:
        """Today's counts by status and the next post time, for /healthz."""
        today = self.local_day(self.clock.now())
        day, seen = self._seen
        counts = seen if day == today else Counter[str]()
        return {
            "channels": len(self.targets),
            "today": {status: counts.get(status, 0) for status in ("posted", "pending", "failed")},
            "next_post": None if self.next_post is None else self.next_post.isoformat(),
        }


def _fields(record: InsightPost) -> dict[str, object]:
    return {
        "platform": record.channel.platform,
        "channel": record.channel.id,
        "day": record.day.isoformat(),
        "insight": record.insight_key,
    }
