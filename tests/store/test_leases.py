"""Leases for leadership: one holder at a time, renewed only by it, a growing epoch."""

from __future__ import annotations

import datetime as dt

from bot.store import Lease
from bot.store.store import Store
from tests.store.racer import NOW as RACE_TIME
from tests.store.racing import race_threads

T0 = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
TTL = dt.timedelta(seconds=30)
SECOND = dt.timedelta(seconds=1)


def test_a_free_lease_is_taken_with_the_first_epoch(store: Store) -> None:
    lease = store.leases.acquire("gateway", "a", T0, TTL)

    assert lease is not None
    assert (lease.name, lease.holder, lease.epoch, lease.expires) == ("gateway", "a", 1, T0 + TTL)
    assert store.leases.holder("gateway", T0) == lease


def test_a_live_lease_cannot_be_taken_by_another(store: Store) -> None:
    store.leases.acquire("gateway", "a", T0, TTL)

    assert store.leases.acquire("gateway", "b", T0 + TTL - SECOND, TTL) is None
    holder = store.leases.holder("gateway", T0 + TTL - SECOND)
    assert holder is not None
    assert holder.holder == "a"


def test_an_expired_lease_is_taken_over_with_a_new_epoch(store: Store) -> None:
    store.leases.acquire("gateway", "a", T0, TTL)

    taken = store.leases.acquire("gateway", "b", T0 + TTL, TTL)

    assert taken is not None
    assert (taken.holder, taken.epoch, taken.expires) == ("b", 2, T0 + 2 * TTL)


def test_the_holder_taking_its_live_lease_again_extends_it_and_keeps_the_epoch(
    store: Store,
) -> None:
    store.leases.acquire("gateway", "a", T0, TTL)

    again = store.leases.acquire("gateway", "a", T0 + 10 * SECOND, TTL)

    assert again is not None
    assert (again.epoch, again.expires) == (1, T0 + 10 * SECOND + TTL)


def test_the_holder_taking_its_lapsed_lease_again_gets_a_new_epoch(store: Store) -> None:
    store.leases.acquire("gateway", "a", T0, TTL)

    again = store.leases.acquire("gateway", "a", T0 + TTL + SECOND, TTL)

    assert again is not None
    assert again.epoch == 2


def test_renewing_extends_a_live_lease(store: Store) -> None:
    lease = store.leases.acquire("gateway", "a", T0, TTL)
    assert lease is not None

    renewed = store.leases.renew(lease, T0 + 10 * SECOND, TTL)

    assert renewed is not None
    assert (renewed.epoch, renewed.expires) == (1, T0 + 10 * SECOND + TTL)
    assert store.leases.acquire("gateway", "b", T0 + TTL + SECOND, TTL) is None


def test_a_lapsed_lease_cannot_be_renewed(store: Store) -> None:
    lease = store.leases.acquire("gateway", "a", T0, TTL)
    assert lease is not None

    assert store.leases.renew(lease, T0 + TTL, TTL) is None
    assert store.leases.holder("gateway", T0 + TTL) is None


def test_the_old_holder_cannot_renew_after_a_takeover(store: Store) -> None:
    old = store.leases.acquire("gateway", "a", T0, TTL)
    assert old is not None
    new = store.leases.acquire("gateway", "b", T0 + TTL, TTL)
    assert new is not None

    assert store.leases.renew(old, T0 + TTL + SECOND, TTL) is None
    assert not store.leases.release(old)
    assert store.leases.holder("gateway", T0 + TTL + SECOND) == new


def test_the_holder_of_an_earlier_epoch_cannot_renew_its_old_holding(store: Store) -> None:
    first = store.leases.acquire("gateway", "a", T0, TTL)
    assert first is not None
    second = store.leases.acquire("gateway", "a", T0 + 2 * TTL, TTL)  # lapsed, then re-taken
    assert second is not None

    assert store.leases.renew(first, T0 + 2 * TTL + SECOND, TTL) is None
    assert store.leases.renew(second, T0 + 2 * TTL + SECOND, TTL) is not None


def test_a_released_lease_is_free_at_once_and_the_next_holding_has_a_new_epoch(
    store: Store,
) -> None:
    lease = store.leases.acquire("gateway", "a", T0, TTL)
    assert lease is not None

    assert store.leases.release(lease)

    assert store.leases.holder("gateway", T0 + SECOND) is None
    assert store.leases.renew(lease, T0 + SECOND, TTL) is None
    taken = store.leases.acquire("gateway", "b", T0 + SECOND, TTL)
    assert taken is not None
    assert taken.epoch == 2


def test_leases_of_different_names_are_independent(store: Store) -> None:
    assert store.leases.acquire("discord.gateway", "a", T0, TTL) is not None
    assert store.leases.acquire("stats.digest", "b", T0, TTL) is not None
    assert store.leases.holder("nothing", T0) is None


def test_replicas_taking_over_from_crashed_holders_never_overlap(store: Store) -> None:
    # Three replicas, every 10 s: the holder renews, the others try to acquire. Every 90 s
    # the holder crashes for 50 s (forgetting its lease); another takes over once the
    # lease lapses, within the lease's length plus one round.
    held: dict[str, Lease | None] = {}
    down_until: dict[str, int] = {}
    epochs: list[int] = []
    crashed_at = None
    for tick in range(60):
        now = T0 + tick * 10 * SECOND
        up = [r for r in ("a", "b", "c") if down_until.get(r, -1) <= tick]
        for replica in up:
            lease = held.get(replica)
            if lease is not None:
                held[replica] = store.leases.renew(lease, now, TTL)
            else:
                taken = held[replica] = store.leases.acquire("gateway", replica, now, TTL)
                if taken is not None:
                    epochs.append(taken.epoch)
        leaders = [r for r in up if (lease := held.get(r)) is not None and lease.live(now)]
        assert len(leaders) <= 1, (now, held)
        if leaders and crashed_at is not None:
            assert tick - crashed_at <= 4  # 30 s lease + one 10 s round after the crash
            crashed_at = None
        if leaders and tick % 9 == 8:
            down_until[leaders[0]] = tick + 5
            held[leaders[0]] = None
            crashed_at = tick
    assert epochs == list(range(1, len(epochs) + 1))
    assert len(epochs) >= 5


def test_threads_acquiring_one_lease_at_once_have_one_winner(db_target: str, store: Store) -> None:
    outcomes = race_threads(db_target, "acquire", 8)

    assert sorted(outcomes) == ["lost"] * 7 + ["won"]
    holder = store.leases.holder("gateway", RACE_TIME)
    assert holder is not None
    assert (holder.holder, holder.epoch) == (f"racer{outcomes.index('won')}", 1)
