"""Remembering event ids so a re-delivered Slack event is answered once."""

from __future__ import annotations

from bot.adapters.slack.events import RecentEvents


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_event_id_is_new_only_the_first_time() -> None:
    recent = RecentEvents()
    assert [recent.first_time(e) for e in ("Ev1", "Ev2", "Ev1", "Ev2")] == [
        True,
        True,
        False,
        False,
    ]


def test_an_event_id_is_forgotten_after_the_retry_window() -> None:
    clock = Clock()
    recent = RecentEvents(seconds=3600, clock=clock)
    assert recent.first_time("Ev1") is True
    clock.now = 3599
    assert recent.first_time("Ev1") is False
    clock.now = 3599 + 3600
    assert recent.first_time("Ev1") is True


def test_memory_is_bounded_by_dropping_the_oldest_ids() -> None:
    recent = RecentEvents(count=2)
    for event_id in ("Ev1", "Ev2", "Ev3"):
        assert recent.first_time(event_id) is True
    assert recent.first_time("Ev3") is False
    assert recent.first_time("Ev1") is True  # the oldest was dropped to make room
