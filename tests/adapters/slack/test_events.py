"""Remembering event ids so a re-delivered Slack event is answered once."""

from __future__ import annotations

import datetime as dt

from bot.adapters.slack.events import Deliveries, RecentEvents
from tests.fakes.clock import ManualClock

START = dt.datetime(2026, 2, 3, 9, 0, tzinfo=dt.UTC)


async def test_an_event_id_is_new_only_the_first_time() -> None:
    recent: Deliveries = RecentEvents(ManualClock(START))
    firsts = [await recent.first_delivery(e) for e in ("Ev1", "Ev2", "Ev1", "Ev2")]
    assert firsts == [True, True, False, False]


async def test_an_event_id_is_forgotten_after_the_retry_window() -> None:
    clock = ManualClock(START, jump=False)
    recent = RecentEvents(clock, seconds=3600)
    assert await recent.first_delivery("Ev1") is True
    clock.advance(3599)
    assert await recent.first_delivery("Ev1") is False
    clock.advance(3600)
    assert await recent.first_delivery("Ev1") is True


async def test_memory_is_bounded_by_dropping_the_oldest_ids() -> None:
    recent = RecentEvents(ManualClock(START), count=2)
    for event_id in ("Ev1", "Ev2", "Ev3"):
        assert await recent.first_delivery(event_id) is True
    assert await recent.first_delivery("Ev3") is False
    assert await recent.first_delivery("Ev1") is True  # the oldest was dropped to make room
