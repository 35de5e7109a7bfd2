"""Processes racing each atomic operation at once: exactly one winner every time."""

from __future__ import annotations

from bot.store.store import Store
from tests.store.racer import NOW, SLOT
from tests.store.racing import race_processes

RACERS = 4


def test_processes_racing_each_operation_at_once_have_one_winner_each(
    db_target: str, store: Store
) -> None:
    store.insight.open_day(SLOT, "openai-town-hall-2026-01#19", NOW)

    outcomes = race_processes(db_target, ["add", "claim-post", "claim-event", "acquire"], RACERS)

    added, claimed_post, claimed_event, acquired = zip(*outcomes, strict=True)
    names = {f"racer{n}" for n in range(RACERS)}
    assert store.values.get("rotation") in names
    assert added == (store.values.get("rotation"),) * RACERS
    for won in (claimed_post, claimed_event, acquired):
        assert sorted(won) == ["lost"] * (RACERS - 1) + ["won"]
    post = store.insight.get(SLOT)
    assert post is not None
    assert (post.attempts, post.lease_owner) == (1, f"racer{claimed_post.index('won')}")
    holder = store.leases.holder("gateway", NOW)
    assert holder is not None
    assert (holder.holder, holder.epoch) == (f"racer{acquired.index('won')}", 1)
