"""The scheduler posts each day's insight once per channel, at the local time, whatever happens."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import psycopg
import pytest

from bot.channel import Channel
from bot.insight import Insight, PublishError
from bot.insight.daily import DailyInsights
from bot.insight.ledger import Ledger, newest_deck
from bot.insight.pick import insight_for
from bot.insight.schedule import Backoff, post_time
from bot.knowledge import Knowledge
from bot.runner import Runner
from bot.store import AsyncStore, open_store
from tests.fakes.clock import ManualClock, run_until
from tests.insight.conftest import SchedulerFactory, target
from tests.insight.publishers import RecordingPublisher

UTC = dt.UTC
SEOUL = ZoneInfo("Asia/Seoul")


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_post_time_is_local_wall_clock_across_dst() -> None:
    new_york = ZoneInfo("America/New_York")
    nine = dt.time(9, 0)
    assert post_time(dt.date(2026, 3, 7), nine, new_york) == utc(2026, 3, 7, 14, 0)
    assert post_time(dt.date(2026, 3, 8), nine, new_york) == utc(2026, 3, 8, 13, 0)
    assert post_time(dt.date(2026, 11, 1), nine, new_york) == utc(2026, 11, 1, 14, 0)


def test_post_time_in_skipped_hour_is_an_hour_later_never_missing() -> None:
    # 02:30 does not exist on the spring-forward day: the post happens at 03:30 local.
    assert post_time(dt.date(2026, 3, 8), dt.time(2, 30), ZoneInfo("America/New_York")) == utc(
        2026, 3, 8, 7, 30
    )
    assert post_time(dt.date(2026, 3, 29), dt.time(2, 30), ZoneInfo("Europe/Berlin")) == utc(
        2026, 3, 29, 1, 30
    )


def test_post_time_in_repeated_hour_is_its_first_occurrence() -> None:
    # 01:30 happens twice on the fall-back day; the first one (EDT, UTC-4) is used.
    assert post_time(dt.date(2026, 11, 1), dt.time(1, 30), ZoneInfo("America/New_York")) == utc(
        2026, 11, 1, 5, 30
    )


def test_backoff_doubles_up_to_its_ceiling() -> None:
    backoff = Backoff(first=dt.timedelta(seconds=30), most=dt.timedelta(minutes=3))
    assert [backoff.delay(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 180, 180]


async def test_posts_at_configured_local_time_in_every_channel(
    make_scheduler: SchedulerFactory, knowledge: Knowledge
) -> None:
    clock = ManualClock(utc(2026, 2, 1, 20, 0))  # 05:00 in Seoul on 2 February
    discord, slack = RecordingPublisher("discord", clock), RecordingPublisher("slack", clock)
    targets = [target("discord", "111"), target("discord", "222", "en"), target("slack", "C1")]
    scheduler = make_scheduler(clock, [discord, slack], targets)

    await run_until(clock, scheduler.run(), utc(2026, 2, 2, 14, 0))

    day = dt.date(2026, 2, 2)
    key = insight_for(knowledge, day, "ko", day).key  # the first day the scheduler posts on
    assert discord.posts("111") == [key]
    assert discord.posts("222") == [key]
    assert slack.posts("C1") == [key]
    assert {t for _, t in discord.post_times + slack.post_times} == {utc(2026, 2, 2, 0, 0)}
    assert [lang for _, _, lang in discord.channels["222"]] == ["en"]
    assert scheduler.next_post == utc(2026, 2, 3, 0, 0)


async def test_first_day_posted_is_insight_1_and_starts_the_stored_rotation(
    make_scheduler: SchedulerFactory, ledger: Ledger, knowledge: Knowledge
) -> None:
    clock = ManualClock(utc(2026, 5, 10, 20, 0))  # 05:00 in Seoul on 11 May
    slack = RecordingPublisher("slack", clock)
    assert await ledger.rotation_start() is None

    await run_until(
        clock,
        make_scheduler(clock, [slack], [target("slack", "C1")]).run(),
        utc(2026, 5, 12, 14, 0),
    )

    first = dt.date(2026, 5, 11)
    assert await ledger.rotation_start() == first
    assert [i.number for i in slack.insights["C1"]] == [1, 2]
    assert slack.insights["C1"] == [
        insight_for(knowledge, first + dt.timedelta(days=n), "ko", first) for n in range(2)
    ]


async def test_a_stored_rotation_start_is_kept(
    make_scheduler: SchedulerFactory, ledger: Ledger, knowledge: Knowledge
) -> None:
    start = dt.date(2026, 1, 28)
    assert await ledger.start_rotation(start) == start
    clock = ManualClock(utc(2026, 2, 2, 20, 0))  # 05:00 in Seoul on 3 February
    discord = RecordingPublisher("discord", clock)

    await run_until(
        clock,
        make_scheduler(clock, [discord], [target("discord", "1", "en")]).run(),
        utc(2026, 2, 3, 14, 0),
    )

    assert discord.insights["1"] == [insight_for(knowledge, dt.date(2026, 2, 3), "en", start)]
    assert discord.insights["1"][0].number == 7
    assert await ledger.rotation_start() == start


async def test_a_day_before_the_stored_start_posts_nothing(
    make_scheduler: SchedulerFactory, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    # Another process, its clock a day ahead, started the rotation "tomorrow".
    await ledger.start_rotation(dt.date(2026, 2, 3))
    clock = ManualClock(utc(2026, 2, 1, 23, 0))
    slack = RecordingPublisher("slack", clock)

    await run_until(
        clock,
        make_scheduler(clock, [slack], [target("slack", "C1")]).run(),
        utc(2026, 2, 3, 14, 0),
    )

    assert [i.day for i in slack.insights["C1"]] == [dt.date(2026, 2, 3)]
    assert slack.insights["C1"][0].number == 1
    assert "today is before the rotation's first day; nothing posted" in caplog.messages


async def test_posts_at_local_time_on_both_sides_of_dst_changes(
    make_scheduler: SchedulerFactory,
) -> None:
    clock = ManualClock(utc(2026, 3, 7, 5, 0))  # midnight in New York
    discord = RecordingPublisher("discord", clock)
    scheduler = make_scheduler(clock, [discord], [target("discord", "1")], zone="America/New_York")

    await run_until(clock, scheduler.run(), utc(2026, 3, 9, 23, 0))
    clock.current = utc(2026, 10, 31, 4, 0)
    await run_until(clock, scheduler.run(), utc(2026, 11, 2, 23, 0))

    local = [t.astimezone(ZoneInfo("America/New_York")) for _, t in discord.post_times]
    assert [t.strftime("%Y-%m-%d %H:%M %Z") for t in local] == [
        "2026-03-07 09:00 EST",
        "2026-03-08 09:00 EDT",
        "2026-03-09 09:00 EDT",
        "2026-10-31 09:00 EDT",
        "2026-11-01 09:00 EST",
        "2026-11-02 09:00 EST",
    ]


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("America/New_York", dt.date(2026, 3, 8), utc(2026, 3, 8, 7, 30)),
        ("Europe/Berlin", dt.date(2026, 3, 29), utc(2026, 3, 29, 1, 30)),
    ],
)
async def test_post_time_in_skipped_hour_posts_once_that_day(
    make_scheduler: SchedulerFactory, zone: str, day: dt.date, expected: dt.datetime
) -> None:
    start = dt.datetime.combine(day, dt.time(0, 30), tzinfo=ZoneInfo(zone))
    clock = ManualClock(start.astimezone(UTC))
    discord = RecordingPublisher("discord", clock)
    scheduler = make_scheduler(clock, [discord], [target("discord", "1")], at="02:30", zone=zone)

    await run_until(clock, scheduler.run(), expected + dt.timedelta(hours=12))

    assert [t for _, t in discord.post_times] == [expected]
    assert [key.split("/")[0] for key in discord.posts("1")] == [day.isoformat()]


async def test_restart_the_same_day_posts_nothing_new(make_scheduler: SchedulerFactory) -> None:
    clock = ManualClock(utc(2026, 2, 1, 23, 0))
    discord = RecordingPublisher("discord", clock)
    targets = [target("discord", "1"), target("discord", "2")]
    await run_until(clock, make_scheduler(clock, [discord], targets).run(), utc(2026, 2, 2, 3, 0))
    assert len(discord.post_times) == 2

    clock.current = utc(2026, 2, 2, 6, 0)  # restarted at 15:00 in Seoul, a new process
    await run_until(clock, make_scheduler(clock, [discord], targets).run(), utc(2026, 2, 2, 12, 0))

    assert len(discord.post_times) == 2
    assert discord.posts("1") == discord.posts("2")


async def test_start_after_post_time_posts_once_right_away(
    make_scheduler: SchedulerFactory, ledger: Ledger
) -> None:
    clock = ManualClock(utc(2026, 2, 2, 6, 0))  # 15:00 in Seoul, six hours late
    slack = RecordingPublisher("slack", clock)
    scheduler = make_scheduler(clock, [slack], [target("slack", "C1")])

    await run_until(clock, scheduler.run(), utc(2026, 2, 2, 14, 59))

    assert slack.post_times == [("C1", utc(2026, 2, 2, 6, 0))]
    record = await ledger.get(Channel("slack", "C1"), dt.date(2026, 2, 2))
    assert record is not None
    assert (record.status, record.message_id, record.attempts) == ("posted", "slack-C1-1", 1)


async def test_start_the_next_day_does_not_back_fill(
    make_scheduler: SchedulerFactory, ledger: Ledger
) -> None:
    clock = ManualClock(utc(2026, 2, 1, 23, 0))
    slack = RecordingPublisher("slack", clock)
    targets = [target("slack", "C1")]
    await run_until(clock, make_scheduler(clock, [slack], targets).run(), utc(2026, 2, 2, 1, 0))

    # Down from 2 February until 3 February 08:00 in Seoul; runs until the 3rd's post time.
    clock.current = utc(2026, 2, 2, 23, 0)
    scheduler = make_scheduler(clock, [slack], targets)
    await run_until(clock, scheduler.run(), utc(2026, 2, 2, 23, 59))
    assert len(slack.post_times) == 1

    # Down again all of 4 February; started on the 5th after post time: only the 5th.
    clock.current = utc(2026, 2, 5, 5, 0)
    await run_until(clock, make_scheduler(clock, [slack], targets).run(), utc(2026, 2, 5, 14, 0))

    assert [key[:10] for key in slack.posts("C1")] == ["2026-02-02", "2026-02-05"]
    assert await ledger.get(Channel("slack", "C1"), dt.date(2026, 2, 4)) is None


async def test_failing_channel_does_not_block_others_and_is_retried_with_backoff(
    make_scheduler: SchedulerFactory, ledger: Ledger
) -> None:
    clock = ManualClock(utc(2026, 2, 1, 23, 0))
    discord, slack = RecordingPublisher("discord", clock), RecordingPublisher("slack", clock)
    discord.fail("1", PublishError("rate limited", retry=True), PublishError("503", retry=True))
    targets = [target("discord", "1"), target("discord", "2"), target("slack", "C1")]
    scheduler = make_scheduler(clock, [discord, slack], targets)

    await run_until(clock, scheduler.run(), utc(2026, 2, 2, 14, 0))

    at = utc(2026, 2, 2, 0, 0)
    assert sorted(discord.post_times + slack.post_times) == [
        ("1", at + dt.timedelta(seconds=90)),  # failed at +0 and +30s, then posted
        ("2", at),
        ("C1", at),
    ]
    assert discord.attempt_times["1"] == [
        at,
        at + dt.timedelta(seconds=30),
        at + dt.timedelta(seconds=90),
    ]
    record = await ledger.get(Channel("discord", "1"), dt.date(2026, 2, 2))
    assert record is not None
    assert (record.status, record.attempts, record.last_error) == ("posted", 3, None)


class StuckFirstPost(RecordingPublisher):
    """A platform that holds the first send and never answers (a rate limit of any length)."""

    def __init__(self, platform: str, clock: ManualClock) -> None:
        super().__init__(platform, clock)
        self.stuck = asyncio.Event()
        self.given_up = asyncio.Event()

    async def post(self, channel: str, insight: Insight) -> str:
        if not self.stuck.is_set():
            self.stuck.set()
            try:
                await asyncio.Event().wait()
            finally:
                self.given_up.set()
        return await super().post(channel, insight)


async def test_a_send_outlasting_half_the_claim_is_given_up_then_retried_once(
    make_scheduler: SchedulerFactory, ledger: Ledger
) -> None:
    # Half a 0.2 s lease: the bound is on the event loop's time, as a send's own wait is.
    clock = ManualClock(utc(2026, 2, 2, 0, 0))  # 09:00 in Seoul
    slack = StuckFirstPost("slack", clock)
    scheduler = make_scheduler(
        clock, [slack], [target("slack", "C1")], claim_lease=dt.timedelta(seconds=0.2)
    )

    async with asyncio.timeout(30):  # a guard against the hang this is about
        await scheduler.run_day(dt.date(2026, 2, 2), once=True)

    assert slack.given_up.is_set()
    record = await ledger.get(Channel("slack", "C1"), dt.date(2026, 2, 2))
    assert record is not None
    # The claim is released with the error, for a retry: no other process waits it out.
    assert (record.status, record.lease_until) == ("pending", None)
    assert record.last_error == "the platform did not answer within 0.1 s of the claim"
    await run_until(clock, scheduler.run(), utc(2026, 2, 2, 14, 0))
    assert len(slack.posts("C1")) == 1


class SlowPlatform(RecordingPublisher):
    """A platform that takes `seconds` (the event loop's time) over every check and send."""

    def __init__(self, platform: str, clock: ManualClock, seconds: float) -> None:
        super().__init__(platform, clock)
        self.seconds = seconds

    async def find_posted(self, channel: str, insight: Insight) -> str | None:
        await asyncio.sleep(self.seconds)
        return await super().find_posted(channel, insight)

    async def post(self, channel: str, insight: Insight) -> str:
        await asyncio.sleep(self.seconds)
        return await super().post(channel, insight)


async def test_a_slow_check_and_a_slow_send_share_half_the_claim(
    make_scheduler: SchedulerFactory, ledger: Ledger
) -> None:
    # Each call takes 0.7 s, under half the 2 s lease; together 1.4 s, past it: had the
    # send gone on, a claim counted on a slower clock could lapse while it is under way.
    clock = ManualClock(utc(2026, 2, 2, 0, 0))  # 09:00 in Seoul
    slack = SlowPlatform("slack", clock, 0.7)
    scheduler = make_scheduler(
        clock, [slack], [target("slack", "C1")], claim_lease=dt.timedelta(seconds=2)
    )

    async with asyncio.timeout(30):  # a guard against a hang
        await scheduler.run_day(dt.date(2026, 2, 2), once=True)

    assert slack.posts("C1") == []
    record = await ledger.get(Channel("slack", "C1"), dt.date(2026, 2, 2))
    assert record is not None
    assert (record.status, record.lease_until) == ("pending", None)
    assert record.last_error == "the platform did not answer within 1 s of the claim"


@pytest.mark.postgres
@pytest.mark.parametrize("db_target", ["postgresql"], indirect=True)  # holds a row lock
async def test_a_claim_the_database_wrote_late_leaves_the_send_only_the_rest_of_the_lease(
    make_scheduler: SchedulerFactory, ledger: Ledger, db_target: str
) -> None:
    clock = ManualClock(utc(2026, 2, 2, 0, 0))  # 09:00 in Seoul
    slack = SlowPlatform("slack", clock, 0.4)
    slack.fail("C1", PublishError("try later", retry=True))  # leaves the record pending
    scheduler = make_scheduler(
        clock, [slack], [target("slack", "C1")], claim_lease=dt.timedelta(seconds=2)
    )
    day = dt.date(2026, 2, 2)
    await scheduler.run_day(day, once=True)
    clock.advance(60)  # past the retry's backoff

    with psycopg.connect(db_target) as busy:
        # Another session holds the record: the claim waits 1.2 s before it is written, and
        # its lease counts from the time it was asked for.
        busy.execute("SELECT * FROM insight_posts FOR UPDATE")
        attempt = asyncio.create_task(scheduler.run_day(day, once=True))
        async with asyncio.timeout(30):  # a guard against a hang
            while not await asyncio.to_thread(claim_waits_for_a_lock, db_target):
                await asyncio.sleep(0.01)
            await asyncio.sleep(1.2)
            busy.rollback()
            await attempt

    # A 0.4 s check and send fit half the lease, but not what the late write left of it.
    assert slack.posts("C1") == []
    record = await ledger.get(Channel("slack", "C1"), day)
    assert record is not None
    assert (record.status, record.attempts) == ("pending", 2)
    assert record.last_error == "the platform did not answer within 1 s of the claim"


def claim_waits_for_a_lock(db_target: str) -> bool:
    """Whether a townhall session is waiting for a lock on PostgreSQL."""
    with psycopg.connect(db_target) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = 'townhall' AND wait_event_type = 'Lock'"
        ).fetchone()
    return row is not None and row[0] > 0


async def test_permanent_failure_is_recorded_and_not_retried(
    make_scheduler: SchedulerFactory, ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(utc(2026, 2, 1, 23, 0))
    discord = RecordingPublisher("discord", clock)
    discord.fail("1", PublishError("Missing Access", retry=False))
    scheduler = make_scheduler(clock, [discord], [target("discord", "1"), target("discord", "2")])

    await run_until(clock, scheduler.run(), utc(2026, 2, 2, 14, 0))

    assert discord.posts("1") == []
    assert len(discord.attempt_times["1"]) == 1
    assert len(discord.posts("2")) == 1
    record = await ledger.get(Channel("discord", "1"), dt.date(2026, 2, 2))
    assert record is not None
    assert (record.status, record.last_error) == ("failed", "Missing Access")
    failure = next(r for r in caplog.records if r.getMessage().startswith("insight post failed"))
    assert (failure.levelname, failure.channel, failure.error) == ("ERROR", "1", "Missing Access")  # type: ignore[attr-defined]


async def test_retries_stop_within_the_day(
    make_scheduler: SchedulerFactory, ledger: Ledger
) -> None:
    clock = ManualClock(utc(2026, 2, 2, 14, 0))  # 23:00 in Seoul: one hour of the day left
    discord = RecordingPublisher("discord", clock)
    discord.fail("1", *[PublishError("unavailable", retry=True) for _ in range(20)])
    backoff = Backoff(first=dt.timedelta(minutes=10), most=dt.timedelta(minutes=20), attempts=8)
    scheduler = make_scheduler(clock, [discord], [target("discord", "1")], backoff=backoff)

    await run_until(clock, scheduler.run(), utc(2026, 2, 3, 3, 0))

    day_end = utc(2026, 2, 2, 15, 0)
    attempts = [t for t in discord.attempt_times["1"] if t < day_end]
    assert attempts == [utc(2026, 2, 2, 14, m) for m in (0, 10, 30, 50)]
    record = await ledger.get(Channel("discord", "1"), dt.date(2026, 2, 2))
    assert record is not None
    assert (record.status, record.attempts) == ("failed", 4)
    # The next day starts fresh at its post time.
    assert discord.attempt_times["1"][4] == utc(2026, 2, 3, 0, 0)


async def test_unexpected_publisher_error_is_retried_without_stopping_others(
    make_scheduler: SchedulerFactory,
) -> None:
    clock = ManualClock(utc(2026, 2, 1, 23, 0))
    discord = RecordingPublisher("discord", clock)
    discord.fail("1", RuntimeError("adapter bug"))
    scheduler = make_scheduler(clock, [discord], [target("discord", "1"), target("discord", "2")])

    await run_until(clock, scheduler.run(), utc(2026, 2, 2, 14, 0))

    assert len(discord.posts("1")) == len(discord.posts("2")) == 1


async def test_earlier_post_found_on_the_platform_is_recorded_not_reposted(
    make_scheduler: SchedulerFactory, ledger: Ledger, knowledge: Knowledge
) -> None:
    clock = ManualClock(utc(2026, 2, 2, 1, 0))
    slack = RecordingPublisher("slack", clock)
    day = dt.date(2026, 2, 2)
    key = insight_for(knowledge, day, "ko", day).key
    slack.channels["C1"] = [("1700000000.000100", key, "ko")]  # sent before a crash
    scheduler = make_scheduler(clock, [slack], [target("slack", "C1")])

    await run_until(clock, scheduler.run(), utc(2026, 2, 2, 14, 0))

    assert slack.post_times == []
    record = await ledger.get(Channel("slack", "C1"), dt.date(2026, 2, 2))
    assert record is not None
    assert (record.status, record.message_id) == ("posted", "1700000000.000100")


async def test_lease_of_a_vanished_claimer_is_taken_over_later_that_day(
    make_scheduler: SchedulerFactory, ledger: Ledger, knowledge: Knowledge
) -> None:
    day = dt.date(2026, 2, 2)
    channel = Channel("discord", "1")
    key = insight_for(knowledge, day, "ko", day).key
    await ledger.open_day(channel, day, key, utc(2026, 2, 2, 0, 0))
    lease = dt.timedelta(minutes=10)
    assert await ledger.claim(channel, day, "dead-process", utc(2026, 2, 2, 0, 0), lease)
    clock = ManualClock(utc(2026, 2, 2, 0, 1))
    discord = RecordingPublisher("discord", clock)

    await run_until(
        clock,
        make_scheduler(clock, [discord], [target("discord", "1")]).run(),
        utc(2026, 2, 2, 14, 0),
    )

    assert discord.post_times == [("1", utc(2026, 2, 2, 0, 10))]
    record = await ledger.get(channel, day)
    assert record is not None
    assert (record.status, record.attempts) == ("posted", 2)


async def test_channels_of_a_platform_without_publisher_are_skipped(
    make_scheduler: SchedulerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(utc(2026, 2, 1, 23, 0))
    discord = RecordingPublisher("discord", clock)
    scheduler = make_scheduler(clock, [discord], [target("discord", "1"), target("slack", "C1")])

    await run_until(clock, scheduler.run(), utc(2026, 2, 2, 14, 0))

    assert len(discord.posts("1")) == 1
    assert scheduler.health() == {
        "channels": 1,
        "today": {"posted": 1, "pending": 0, "failed": 0},
        "next_post": "2026-02-03T00:00:00+00:00",
    }
    assert any(getattr(r, "platform", None) == "slack" for r in caplog.records)


async def test_restart_the_same_day_retries_a_permanently_failed_channel_once(
    make_scheduler: SchedulerFactory, ledger: Ledger
) -> None:
    clock = ManualClock(utc(2026, 2, 1, 23, 0))
    discord = RecordingPublisher("discord", clock)
    discord.fail("1", PublishError("Missing Access", retry=False))
    targets = [target("discord", "1"), target("discord", "2")]
    await run_until(clock, make_scheduler(clock, [discord], targets).run(), utc(2026, 2, 2, 3, 0))
    assert discord.posts("1") == []

    # The admin fixes the channel's permissions and restarts at 15:00 in Seoul.
    clock.current = utc(2026, 2, 2, 6, 0)
    await run_until(clock, make_scheduler(clock, [discord], targets).run(), utc(2026, 2, 2, 12, 0))

    assert len(discord.posts("1")) == 1
    assert len(discord.posts("2")) == 1
    record = await ledger.get(Channel("discord", "1"), dt.date(2026, 2, 2))
    assert record is not None
    assert record.status == "posted"


async def test_restart_retries_a_failed_channel_once_and_gives_up_again(
    make_scheduler: SchedulerFactory, ledger: Ledger
) -> None:
    clock = ManualClock(utc(2026, 2, 1, 23, 0))
    discord = RecordingPublisher("discord", clock)
    discord.fail("1", *[PublishError("Missing Access", retry=False)] * 2)
    targets = [target("discord", "1")]
    await run_until(clock, make_scheduler(clock, [discord], targets).run(), utc(2026, 2, 2, 3, 0))
    clock.current = utc(2026, 2, 2, 6, 0)
    await run_until(clock, make_scheduler(clock, [discord], targets).run(), utc(2026, 2, 2, 12, 0))

    assert len(discord.attempt_times["1"]) == 2
    record = await ledger.get(Channel("discord", "1"), dt.date(2026, 2, 2))
    assert record is not None
    assert record.status == "failed"


async def test_a_lost_database_recovers_the_rotation_from_the_channels_earlier_post(
    make_scheduler: SchedulerFactory,
    knowledge: Knowledge,
    db_target: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(utc(2026, 2, 1, 20, 0))  # 05:00 in Seoul on 2 February
    slack = RecordingPublisher("slack", clock)
    await run_until(
        clock,
        make_scheduler(clock, [slack], [target("slack", "C1")]).run(),
        utc(2026, 2, 4, 14, 0),
    )
    assert [i.number for i in slack.insights["C1"]] == [1, 2, 3]
    # The database is lost: a new, empty one in its place (the channel keeps its posts).
    lost = open_store(db_target)
    with lost._db.write() as connection:
        for table in ("kv", "insight_posts"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
    lost.close()

    await run_until(
        clock,
        make_scheduler(clock, [slack], [target("slack", "C1")]).run(),
        utc(2026, 2, 5, 14, 0),
    )

    first = dt.date(2026, 2, 2)
    assert [i.number for i in slack.insights["C1"]] == [1, 2, 3, 4]
    assert slack.insights["C1"][-1] == insight_for(knowledge, dt.date(2026, 2, 5), "ko", first)
    assert "no rotation stored; recovered it from an earlier insight post" in caplog.text
    # The day of that post keeps its topic in the new database: the rounds go on from it.
    store = open_store(db_target)
    try:
        recovered = newest_deck(store.values, dt.date(2026, 2, 4), first)
    finally:
        store.close()
    shown = slack.insights["C1"][2].section
    assert recovered is not None
    assert recovered.day == dt.date(2026, 2, 4)
    assert recovered.last == (shown.talk, shown.number)


async def test_an_insight_asked_after_a_lost_database_leaves_the_recovery_to_the_post(
    make_scheduler: SchedulerFactory, knowledge: Knowledge, db_target: str, engine_lane: Runner
) -> None:
    clock = ManualClock(utc(2026, 2, 1, 20, 0))  # 05:00 in Seoul on 2 February
    discord = RecordingPublisher("discord", clock)
    targets = [target("discord", "1")]
    await run_until(clock, make_scheduler(clock, [discord], targets).run(), utc(2026, 2, 4, 14, 0))
    lost = open_store(db_target)
    with lost._db.write() as connection:
        for table in ("kv", "insight_posts"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
    lost.close()

    # 08:00 in Seoul on 5 February, before the post: a member asks for today's insight.
    clock.current = utc(2026, 2, 4, 23, 0)
    own = open_store(db_target)
    lane = Runner("store", finish_queued=True)
    try:
        ledger = Ledger(AsyncStore(own, lane))
        daily = DailyInsights(knowledge, ledger, clock, SEOUL, engine_lane, scheduled=True)
        told = await daily.today_in("ko")
        stored = await ledger.rotation_start()
    finally:
        lane.close()
        own.close()
    await run_until(clock, make_scheduler(clock, [discord], targets).run(), utc(2026, 2, 5, 14, 0))

    assert told.number == 1  # no first day stored yet: today counts as it, as in a preview
    assert stored is None
    assert [i.number for i in discord.insights["1"]] == [1, 2, 3, 4]
    first = dt.date(2026, 2, 2)
    assert discord.insights["1"][-1] == insight_for(knowledge, dt.date(2026, 2, 5), "ko", first)


class LostReply(RecordingPublisher):
    """A platform whose reply to the first post is lost: the message went out all the same."""

    def __init__(self, platform: str) -> None:
        super().__init__(platform)
        self.lose = True

    async def post(self, channel: str, insight: Insight) -> str:
        message_id = await super().post(channel, insight)
        if self.lose:
            self.lose = False
            raise PublishError("network error", retry=True)
        return message_id


async def test_a_post_whose_reply_was_lost_is_found_even_after_its_topic_was_taken_out(
    make_scheduler: SchedulerFactory, knowledge: Knowledge
) -> None:
    clock = ManualClock(utc(2026, 3, 5, 0, 30))  # 09:30 in Seoul, the post due at 09:00
    day = dt.date(2026, 3, 5)
    discord = LostReply("discord")
    targets = [target("discord", "c1")]
    await make_scheduler(clock, [discord], targets).retry_day(day)
    [sent] = discord.insights["c1"]
    # Restarted on a knowledge without that topic: the day is dealt again, its key changes.
    fewer = Knowledge(
        tuple(
            dataclasses.replace(
                d, sections=tuple(s for s in d.sections if s.number != sent.section.number)
            )
            for d in knowledge.documents
        )
    )
    clock.current += dt.timedelta(minutes=5)

    records = await make_scheduler(clock, [discord], targets, knowledge=fewer).retry_day(day)

    assert discord.posts("c1") == [sent.key]  # found, not posted a second time
    assert [(r.status, r.message_id) for r in records] == [("posted", "discord-c1-1")]
