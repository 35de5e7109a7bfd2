"""The Discord service under `townhall serve`: runs until cancelled, names a bad token."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

import pytest
from pydantic import SecretStr

from bot.adapters.discord import DiscordLoginError, DiscordService
from bot.adapters.discord.leader import GatewayLease
from bot.answers import Answers
from bot.engine import Answer
from bot.insight.daily import DailyInsights
from bot.insight.ledger import Ledger
from bot.runner import Runner
from bot.settings import DiscordBot
from bot.store import AsyncStore, Lease
from bot.store.store import Store
from tests.adapters.discord.conftest import SEOUL, START_TIMEOUT, TODAY
from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import TOKEN, FakeDiscord

WRONG_TOKEN = "MTIzNDU2.wrong-token-value.abcdef"
LEASE = dt.timedelta(seconds=20)


def service(
    answers: Answers, lane: Runner, state: AsyncStore, token: str, *, ready_after: float = 0.05
) -> DiscordService:
    bot = DiscordBot(token=SecretStr(token), guild_id=None, ask_cooldown=5.0)
    clock = ManualClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=SEOUL), jump=False)
    daily = DailyInsights(answers.knowledge, Ledger(state), clock, SEOUL, lane)
    return DiscordService.from_settings(
        bot,
        answers=answers,
        daily=daily,
        sync_memory=state.values,
        clock=clock,
        guild_ready_timeout=ready_after,
    )


async def test_service_answers_until_cancelled_and_reports_its_health(
    fake: FakeDiscord, answers: Answers, engine_lane: Runner, state: Store, store_lane: Runner
) -> None:
    discord_service = service(answers, engine_lane, AsyncStore(state, store_lane), TOKEN)
    task = asyncio.create_task(discord_service.run())
    await asyncio.wait_for(discord_service.client.wait_until_ready(), START_TIMEOUT)
    running = discord_service.health()
    interaction = fake.slash("ask", {"question": "What about hiring?"})
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)

    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert running["connected"] is True
    assert running["guilds"] == 0
    assert reply["data"]["embeds"][0]["title"] == "Changes in Software Engineer Hiring"
    assert discord_service.client.is_closed()
    assert discord_service.health()["connected"] is False


async def test_wrong_token_is_reported_naming_the_variable_and_never_logged(
    fake: FakeDiscord,
    answers: Answers,
    engine_lane: Runner,
    *,
    state: Store,
    store_lane: Runner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    with pytest.raises(DiscordLoginError) as raised:
        await service(answers, engine_lane, AsyncStore(state, store_lane), WRONG_TOKEN).run()

    assert str(raised.value).startswith("DISCORD_TOKEN was rejected by Discord")
    assert WRONG_TOKEN not in str(raised.value)
    assert WRONG_TOKEN not in caplog.text


class OneReplicaLeases:
    """The gateway lease as the store keeps it, with another replica that may take it."""

    def __init__(self) -> None:
        self.taken_over = False

    async def acquire(
        self, name: str, owner: str, now: dt.datetime, length: dt.timedelta
    ) -> Lease | None:
        return None if self.taken_over else Lease(name, owner, 1, now + length)

    async def renew(self, lease: Lease, now: dt.datetime, length: dt.timedelta) -> Lease | None:
        return None if self.taken_over else Lease(lease.name, lease.holder, 1, now + length)

    async def release(self, lease: Lease) -> None:
        return None


class GatedAnswers(Answers):
    """Answers that wait for the test to open `gate`."""

    def __init__(self, answers: Answers, gate: asyncio.Event) -> None:
        super().__init__(answers.engine, answers.runner)
        self.gate = gate

    async def ask(self, question: str, lang: str | None = None) -> Answer:
        await self.gate.wait()
        return await super().ask(question, lang)


def replica(
    answers: Answers,
    lane: Runner,
    store: AsyncStore,
    leases: OneReplicaLeases,
    clock: ManualClock,
    *,
    ready_after: float = 0.05,
) -> DiscordService:
    """A replica's service: connected only while it holds the lease (on `clock`)."""
    bot_clock = ManualClock(dt.datetime.combine(TODAY, dt.time(12), tzinfo=SEOUL), jump=False)
    return DiscordService.from_settings(
        DiscordBot(token=SecretStr(TOKEN), guild_id=None, ask_cooldown=0),
        answers=answers,
        daily=DailyInsights(answers.knowledge, Ledger(store), bot_clock, SEOUL, lane),
        sync_memory=store.values,
        clock=bot_clock,
        gateway_lease=GatewayLease(leases, clock, "a", LEASE),  # type: ignore[arg-type]
        guild_ready_timeout=ready_after,
    )


async def lose_the_lease(fake: FakeDiscord, leases: OneReplicaLeases, clock: ManualClock) -> None:
    """Another replica takes the lease; wait until this one has closed the gateway."""
    leases.taken_over = True
    await clock.wait_for_sleepers()
    clock.advance((LEASE / 4).total_seconds())  # the next renewal finds it taken
    await fake.wait_until(lambda: fake.connection.closed, "the gateway to close")


async def test_an_answer_under_way_when_the_lease_is_lost_still_replaces_thinking(
    fake: FakeDiscord, answers: Answers, engine_lane: Runner, state: Store, store_lane: Runner
) -> None:
    gate = asyncio.Event()
    leases = OneReplicaLeases()
    clock = ManualClock(dt.datetime(2026, 2, 3, 3, 0, tzinfo=dt.UTC), jump=False)
    gated = GatedAnswers(answers, gate)
    discord_service = replica(gated, engine_lane, AsyncStore(state, store_lane), leases, clock)
    discord_service.client.commands.answer_budget = 0  # deferred at once
    task = asyncio.create_task(discord_service.run())
    await asyncio.wait_for(discord_service.client.wait_until_ready(), START_TIMEOUT)
    interaction = fake.slash("ask", {"question": "What about hiring?"})
    token = interaction["token"]
    await fake.interact(interaction)
    await fake.response_to(interaction)  # "thinking..."

    await lose_the_lease(fake, leases, clock)
    standby = discord_service.health()
    gate.set()
    await fake.wait_for_call("PATCH", rf"/webhooks/\d+/{token}/messages/@original")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert standby["role"] == "standby"
    assert fake.originals[token]["embeds"][0]["title"] == "Changes in Software Engineer Hiring"
    assert fake.most_open == 1


async def test_a_replica_that_lost_the_lease_connects_again_once_it_takes_it_back(
    fake: FakeDiscord, answers: Answers, engine_lane: Runner, state: Store, store_lane: Runner
) -> None:
    leases = OneReplicaLeases()
    clock = ManualClock(dt.datetime(2026, 2, 3, 3, 0, tzinfo=dt.UTC), jump=False)
    discord_service = replica(answers, engine_lane, AsyncStore(state, store_lane), leases, clock)
    task = asyncio.create_task(discord_service.run())
    await asyncio.wait_for(discord_service.client.wait_until_ready(), START_TIMEOUT)
    await lose_the_lease(fake, leases, clock)
    # The last session's READY no longer counts: a gateway that never answered again
    # must not leave /healthz saying "connected".
    ready_after_losing = discord_service.client.is_ready()

    leases.taken_over = False  # the other replica let go
    await clock.wait_for_sleepers()
    clock.advance((LEASE / 4).total_seconds())  # the standby's next try takes it
    await fake.wait_until(
        lambda: len(fake.connections) == 2 and not fake.connection.closed, "a new connection"
    )
    interaction = fake.slash("ask", {"question": "What about hiring?"})
    await fake.interact(interaction)
    reply = await fake.response_to(interaction)
    leading = discord_service.health()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert ready_after_losing is False
    assert leading["role"] == "leader"
    assert reply["data"]["embeds"][0]["title"] == "Changes in Software Engineer Hiring"
    assert fake.most_open == 1


def pending_ready() -> list[asyncio.Task[Any]]:
    """discord.py's wait, after READY, for the servers' list before it dispatches `ready`."""
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done() and task.get_coro().__qualname__.endswith("._delay_ready")
    ]


async def until_ready(pending: bool) -> None:
    """Wait (a bounded while) until a `ready` is held back, or until none is."""
    async with asyncio.timeout(START_TIMEOUT):
        while bool(pending_ready()) is not pending:
            await asyncio.sleep(0.01)


async def test_a_service_stopped_before_its_ready_event_leaves_none_pending(
    fake: FakeDiscord, answers: Answers, engine_lane: Runner, state: Store, store_lane: Runner
) -> None:
    # Held back for a minute: the stop comes while discord.py still waits to send `ready`.
    store = AsyncStore(state, store_lane)
    discord_service = service(answers, engine_lane, store, TOKEN, ready_after=60)
    task = asyncio.create_task(discord_service.run())
    await until_ready(pending=True)

    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    # Left pending, it would fail on the closed client: "Task exception was never retrieved".
    assert discord_service.client.is_closed()
    assert pending_ready() == []


async def test_a_replica_that_lost_the_lease_before_its_ready_event_never_announces_it(
    fake: FakeDiscord, answers: Answers, engine_lane: Runner, state: Store, store_lane: Runner
) -> None:
    leases = OneReplicaLeases()
    clock = ManualClock(dt.datetime(2026, 2, 3, 3, 0, tzinfo=dt.UTC), jump=False)
    store = AsyncStore(state, store_lane)
    discord_service = replica(answers, engine_lane, store, leases, clock, ready_after=60)
    task = asyncio.create_task(discord_service.run())
    await until_ready(pending=True)

    await lose_the_lease(fake, leases, clock)
    await until_ready(pending=False)  # dropped with the gateway, not sent a minute later
    standby = discord_service.health()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert standby["role"] == "standby"
