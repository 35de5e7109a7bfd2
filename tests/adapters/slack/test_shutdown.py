"""SIGTERM: no new events, the answers in flight finish within the grace period or are
logged as abandoned. The Web API is slow here: it holds chat.postMessage until released.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from bot.adapters.slack.client import RetryPolicy
from bot.adapters.slack.service import SlackService
from bot.answers import Answers
from bot.runtime import GRACE_SECONDS, run_services
from tests.adapters.slack.conftest import HttpBot, event_callback, mention, slack_service
from tests.fakes.clock import ManualClock
from tests.fakes.slack_api import FakeSlack


@dataclass
class Serving:
    """A Slack service under run_services, with its stop switch and the shutdown's clock."""

    service: SlackService
    stop: asyncio.Event
    clock: ManualClock
    task: asyncio.Task[None]


@contextlib.asynccontextmanager
async def serving(service: SlackService) -> AsyncIterator[Serving]:
    stop = asyncio.Event()
    clock = ManualClock(dt.datetime.now(dt.UTC), jump=False)  # the grace period's clock
    task = asyncio.create_task(
        run_services([service], stop, in_flight=service.in_flight, clock=clock)
    )
    await asyncio.wait_for(service.ready.wait(), 5)
    try:
        yield Serving(service, stop, clock, task)
    finally:
        stop.set()
        clock.advance(GRACE_SECONDS)
        await asyncio.wait_for(task, 5)


async def test_sigterm_finishes_an_answer_waiting_on_a_slow_api_and_refuses_new_events(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    release = slack.hold("chat.postMessage")
    service = slack_service(slack, answers, policy, socket=False)
    async with serving(service) as run, aiohttp.ClientSession() as session:
        bot = HttpBot(slack, service, session)
        assert (
            await bot.send_event(mention("Is college still worth it?", ts="1.1"), "EvSlow") == 200
        )
        await slack.wait_until(lambda: slack.held == ["chat.postMessage"])

        run.stop.set()  # what SIGTERM does
        await run.clock.wait_for_sleepers()  # the grace period has started
        refused = await bot.send_event(mention("What skills matter?", ts="2.2"), "EvLate")
        release.set()
        await asyncio.wait_for(run.task, 5)

    assert refused == 503
    [post] = slack.calls_to("chat.postMessage")
    assert (post.status, post.params["thread_ts"]) == (200, "1.1")
    assert not [r for r in caplog.records if r.message.startswith("grace period over")]
    assert caplog.records[-1].message == "all services stopped"


async def test_sigterm_abandons_an_answer_still_waiting_when_the_grace_period_ends(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    slack.hold("chat.postMessage")  # never released
    service = slack_service(slack, answers, policy, socket=False)
    async with serving(service) as run, aiohttp.ClientSession() as session:
        bot = HttpBot(slack, service, session)
        await bot.send_event(mention("Is college still worth it?"), "EvStuck")
        await slack.wait_until(lambda: slack.held == ["chat.postMessage"])

        run.stop.set()
        await run.clock.wait_for_sleepers()
        run.clock.advance(GRACE_SECONDS - 1)
        await asyncio.sleep(0.05)
        assert not run.task.done()  # still within the grace period
        run.clock.advance(1)
        await asyncio.wait_for(run.task, 5)

    [abandoned] = [r for r in caplog.records if r.message == "grace period over; answer abandoned"]
    assert abandoned.levelno == logging.ERROR
    assert abandoned.work == "slack event EvStuck"  # type: ignore[attr-defined]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == []


async def test_an_abandoned_command_is_logged_by_its_trigger_not_its_member(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    slack.hold("response:cmd")  # never released
    service = slack_service(slack, answers, policy, socket=False)
    async with serving(service) as run, aiohttp.ClientSession() as session:
        bot = HttpBot(slack, service, session)
        status, _ = await bot.send_command("Is college still worth it?")
        assert status == 200
        await slack.wait_until(lambda: slack.held == ["response:cmd"])

        run.stop.set()
        await run.clock.wait_for_sleepers()
        run.clock.advance(GRACE_SECONDS)
        await asyncio.wait_for(run.task, 5)

    [abandoned] = [r for r in caplog.records if r.message == "grace period over; answer abandoned"]
    # The member's id (U1) stays out of the logs; the trigger id names the request.
    assert abandoned.work == "slack command 1.2.3"  # type: ignore[attr-defined]


async def test_sigterm_closes_the_socket_and_still_sends_the_answer_in_flight(
    slack: FakeSlack, answers: Answers, policy: RetryPolicy
) -> None:
    release = slack.hold("chat.postMessage")
    service = slack_service(slack, answers, policy, socket=True)
    async with serving(service) as run:
        await slack.wait_connected()
        envelope = await slack.send_envelope(
            event_callback(mention("Is college still worth it?", ts="1.1"), "EvSocket")
        )
        await slack.wait_for_ack(envelope)
        await slack.wait_until(lambda: slack.held == ["chat.postMessage"])

        run.stop.set()
        await run.clock.wait_for_sleepers()
        await slack.wait_until(lambda: not slack.connected)  # no new envelopes can come
        release.set()
        await asyncio.wait_for(run.task, 5)

    [post] = slack.calls_to("chat.postMessage")
    assert (post.status, post.params["thread_ts"]) == (200, "1.1")
