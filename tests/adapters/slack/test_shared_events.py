"""Slack deliveries claimed in the shared store: one answer across replicas and restarts."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import psycopg
import pytest

from bot.adapters.slack.client import RetryPolicy
from bot.adapters.slack.events import FALLBACK_SECONDS, SharedEvents
from bot.adapters.slack.service import SlackService
from bot.answers import Answers
from bot.runner import Runner
from bot.store import AsyncStore, Limits, open_store
from bot.store.store import Store
from tests.adapters.slack.conftest import HttpBot, mention, running, slack_settings
from tests.fakes.clock import ManualClock
from tests.fakes.slack_api import FakeSlack
from tests.postgres import PostgresCluster
from tests.store.locking import write_lock_held_by_another_process
from tests.stores import file_store


@contextlib.contextmanager
def replica_store(db_target: str, limits: Limits | None = None) -> Iterator[AsyncStore]:
    """A replica's own connection to the shared database, on its own lane."""
    store = open_store(db_target, limits)
    lane = Runner("store", finish_queued=True)
    try:
        yield AsyncStore(store, lane)
    finally:
        lane.close()
        store.close()


@contextlib.asynccontextmanager
async def replica(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy, db_target: str, name: str
) -> AsyncIterator[HttpBot]:
    """One `townhall serve` replica's Slack app in HTTP mode, on the shared database."""
    with replica_store(db_target) as store:
        service = SlackService.from_settings(
            slack_settings(slack, socket=False),
            answers=answers,
            clock=policy.clock,
            deliveries=SharedEvents(store.events, policy.clock, name),
            host="127.0.0.1",
            port=0,
            policy=policy,
        )
        async with running(service), aiohttp.ClientSession() as session:
            yield HttpBot(slack, service, session)


async def test_an_event_and_its_retry_on_two_replicas_are_answered_once(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy, db_target: str, store: Store
) -> None:
    event = mention("Is OpenAI going to hire fewer people?")
    async with (
        replica(slack, answers, policy, db_target, "a") as first,
        replica(slack, answers, policy, db_target, "b") as second,
    ):
        assert await first.send_event(event, "EvShared") == 200
        await slack.wait_for("chat.postMessage", count=1)
        assert await second.send_event(event, "EvShared", retry_num=1) == 200
        # A later event on the second replica is answered: the retry, had it been, came first.
        assert await second.send_event(mention("Is college still worth it?"), "EvNext") == 200
        posts = await slack.wait_for("chat.postMessage", count=2)

    assert [p.params["text"] != "" for p in posts] == [True, True]
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_a_retry_after_a_restart_is_not_answered_again(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy, db_target: str, store: Store
) -> None:
    event = mention("Is OpenAI going to hire fewer people?")
    async with replica(slack, answers, policy, db_target, "before") as before:
        assert await before.send_event(event, "EvOnce") == 200
        await slack.wait_for("chat.postMessage", count=1)
    # A new process: nothing in memory, only the shared database remembers.
    async with replica(slack, answers, policy, db_target, "after") as after:
        assert await after.send_event(event, "EvOnce", retry_num=2) == 200
        assert await after.send_event(mention("Is college still worth it?"), "EvNew") == 200
        await slack.wait_for("chat.postMessage", count=2)

    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_without_the_database_this_process_still_answers_each_event_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "townhall.db"
    clock = ManualClock(dt.datetime(2026, 2, 3, 3, 0, tzinfo=dt.UTC), jump=False)
    caplog.set_level(logging.INFO, logger="bot.adapters.slack.events")
    with file_store(path, Limits(busy_timeout=0.05)) as store:
        events = SharedEvents(store.events, clock, "me")
        with write_lock_held_by_another_process(str(path)):
            locked = [
                await events.first_delivery("Ev1"),
                await events.first_delivery("Ev1"),
                await events.first_delivery("Ev2"),
            ]
        clock.advance(FALLBACK_SECONDS + 1)
        back = [await events.first_delivery("Ev3"), await events.first_delivery("Ev3")]
        # Ev1 never reached the database: another replica could still take it, which is
        # the fallback's limit; Ev3 did, so another replica would not.
        other = SharedEvents(store.events, clock, "other")
        elsewhere = [await other.first_delivery("Ev1"), await other.first_delivery("Ev3")]

    assert locked == [True, False, True]
    assert back == [True, False]
    assert elsewhere == [True, False]
    assert [r.getMessage() for r in caplog.records] == [
        "database unavailable; Slack re-deliveries are recognised by this process's memory only",
        "database available again; Slack deliveries are claimed in it",
    ]


async def test_claims_past_the_retry_window_are_purged(store: Store) -> None:
    clock = ManualClock(dt.datetime(2026, 2, 3, 3, 0, tzinfo=dt.UTC), jump=False)
    lane = Runner("store", finish_queued=True)
    events = SharedEvents(AsyncStore(store, lane).events, clock, "me")
    assert await events.first_delivery("EvOld")
    clock.advance(2 * 3600)
    assert await events.first_delivery("EvNew")  # due to purge: EvOld's window is over
    assert events.purging is not None
    await events.purging
    lane.close()

    # Purged, not merely expired: past every window, only EvNew is left to delete.
    assert store.events.purge(clock.now() + dt.timedelta(hours=2)) == 1


@pytest.mark.postgres
async def test_a_retry_is_not_answered_again_when_the_purge_after_its_claim_fails(
    postgres: PostgresCluster, postgres_store_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    schema = postgres.create_schema(postgres_store_database)
    target = postgres.url(postgres_store_database, schema)
    clock = ManualClock(dt.datetime(2026, 2, 3, 3, 0, tzinfo=dt.UTC), jump=False)
    limits = Limits(statement_timeout=0.2)
    try:
        with (
            replica_store(target, limits) as first,
            replica_store(target, limits) as second,
            psycopg.connect(target) as locker,
        ):
            await first.upgrade()
            await first.events.claim("EvOld", "someone", clock.now() - dt.timedelta(hours=2))
            # Another session holds the expired claim's row (a long transaction elsewhere):
            # the purge that is due waits for it until statement_timeout fails it.
            locker.execute("SELECT * FROM event_claims WHERE event_id = 'EvOld' FOR UPDATE")
            replica_a = SharedEvents(first.events, clock, "a")
            replica_b = SharedEvents(second.events, clock, "b")
            answered = [
                await replica_a.first_delivery("EvRetried"),
                await replica_b.first_delivery("EvRetried"),
            ]
            assert replica_b.purging is not None
            await replica_b.purging  # it failed on the locked row, and said so
            locker.rollback()
    finally:
        postgres.drop_schema(postgres_store_database, schema)

    assert answered == [True, False]
    # Each replica's first claim made it due to purge; both purges waited on the row.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "could not purge old Slack event claims"
    ] * 2
