"""One public reply of a kind per member per cooldown, on the clock."""

from __future__ import annotations

import datetime as dt

from bot.pace import ANSWER, SHOWN, Pace
from tests.fakes.clock import ManualClock


def test_a_second_reply_of_a_kind_waits_out_the_cooldown_and_kinds_and_members_are_apart() -> None:
    clock = ManualClock(dt.datetime(2026, 2, 3, 12, tzinfo=dt.UTC), jump=False)
    pace = Pace(clock, 30)

    assert pace.wait("U1", ANSWER) == 0
    assert pace.wait("U1", SHOWN) == 0  # a topic button right after the answer
    assert pace.wait("U2", ANSWER) == 0
    clock.advance(10)
    assert pace.wait("U1", ANSWER) == 20
    clock.advance(20)
    assert pace.wait("U1", ANSWER) == 0


def test_no_cooldown_paces_nothing() -> None:
    pace = Pace(ManualClock(dt.datetime(2026, 2, 3, 12, tzinfo=dt.UTC), jump=False), 0)
    assert [pace.wait("U1", ANSWER) for _ in range(5)] == [0] * 5


def test_members_whose_cooldown_is_over_are_forgotten_as_more_come() -> None:
    clock = ManualClock(dt.datetime(2026, 2, 3, 12, tzinfo=dt.UTC), jump=False)
    pace = Pace(clock, 5)
    for n in range(1000):
        pace.wait(f"U{n}", ANSWER)
    clock.advance(6)
    pace.wait("U-new", ANSWER)
    assert len(pace._last) == 1  # the memory this bounds
