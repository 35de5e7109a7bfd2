"""The insight post records keep the ledger's rules on both backends.

One record per platform, channel and day; a claim is won by one claimer only and lapses
with its lease; a posted record is never changed; failed records can be re-opened.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.channel import Channel
from bot.store import InsightSlot
from bot.store.store import Store
from tests.store.racer import SLOT
from tests.store.racing import race_threads

UTC = dt.UTC
T0 = dt.datetime(2026, 2, 2, 0, 0, tzinfo=UTC)
LEASE = dt.timedelta(minutes=10)
KEY = "openai-town-hall-2026-01#19"


def test_opening_a_day_creates_one_pending_record_due_at_once(store: Store) -> None:
    first = store.insight.open_day(SLOT, KEY, T0)
    again = store.insight.open_day(SLOT, "another-key", T0 + dt.timedelta(hours=1))

    assert first == again
    assert (first.status, first.insight_key, first.attempts) == ("pending", KEY, 0)
    assert first.next_attempt <= T0
    assert first.message_id is None
    assert not first.leased(T0)


def test_a_claim_takes_the_lease_and_counts_the_attempt(store: Store) -> None:
    store.insight.open_day(SLOT, KEY, T0)

    record = store.insight.claim(SLOT, "p1", T0, LEASE)

    assert record is not None
    assert (record.lease_owner, record.lease_until, record.attempts) == ("p1", T0 + LEASE, 1)
    assert record.leased(T0)


def test_a_leased_record_cannot_be_claimed_until_the_lease_lapses(store: Store) -> None:
    store.insight.open_day(SLOT, KEY, T0)
    assert store.insight.claim(SLOT, "dead", T0, LEASE) is not None

    assert store.insight.claim(SLOT, "p2", T0 + LEASE - dt.timedelta(seconds=1), LEASE) is None
    taken = store.insight.claim(SLOT, "p2", T0 + LEASE, LEASE)

    assert taken is not None
    assert (taken.lease_owner, taken.attempts) == ("p2", 2)


def test_a_missing_record_cannot_be_claimed(store: Store) -> None:
    assert store.insight.claim(SLOT, "p1", T0, LEASE) is None
    assert store.insight.get(SLOT) is None


def test_posted_frees_the_lease_and_is_never_overwritten(store: Store) -> None:
    store.insight.open_day(SLOT, KEY, T0)
    store.insight.claim(SLOT, "p1", T0, LEASE)

    assert store.insight.record_posted(SLOT, "m1", T0, note="found in the channel")
    assert not store.insight.record_posted(SLOT, "m2", T0 + dt.timedelta(minutes=1))

    record = store.insight.get(SLOT)
    assert record is not None
    assert (record.status, record.message_id, record.last_error) == (
        "posted",
        "m1",
        "found in the channel",
    )
    assert (record.lease_owner, record.lease_until) == (None, None)
    assert store.insight.claim(SLOT, "p2", T0 + dt.timedelta(days=1), LEASE) is None


def test_a_retry_makes_the_record_due_later_and_only_its_owner_can_set_it(store: Store) -> None:
    store.insight.open_day(SLOT, KEY, T0)
    store.insight.claim(SLOT, "p1", T0, LEASE)
    later = T0 + dt.timedelta(seconds=30)

    assert not store.insight.record_retry(SLOT, "p2", "not mine", later, T0)
    assert store.insight.record_retry(SLOT, "p1", "ratelimited", later, T0)

    record = store.insight.get(SLOT)
    assert record is not None
    assert (record.status, record.next_attempt, record.last_error) == (
        "pending",
        later,
        "ratelimited",
    )
    assert record.lease_owner is None
    assert store.insight.claim(SLOT, "p2", later - dt.timedelta(seconds=1), LEASE) is None
    assert store.insight.claim(SLOT, "p2", later, LEASE) is not None


def test_failed_is_recorded_only_by_the_owner_and_ends_the_day(store: Store) -> None:
    store.insight.open_day(SLOT, KEY, T0)
    store.insight.claim(SLOT, "p1", T0, LEASE)

    assert not store.insight.record_failed(SLOT, "p2", "missing access", T0)
    assert store.insight.record_failed(SLOT, "p1", "missing access", T0)

    record = store.insight.get(SLOT)
    assert record is not None
    assert (record.status, record.last_error, record.lease_owner) == (
        "failed",
        "missing access",
        None,
    )
    assert store.insight.claim(SLOT, "p2", T0 + LEASE, LEASE) is None


def test_a_failed_record_reopens_due_at_once_with_fresh_attempts(store: Store) -> None:
    store.insight.open_day(SLOT, KEY, T0)
    store.insight.claim(SLOT, "p1", T0, LEASE)
    store.insight.record_failed(SLOT, "p1", "missing access", T0)
    later = T0 + dt.timedelta(hours=2)

    assert store.insight.reopen(SLOT, later)

    record = store.insight.get(SLOT)
    assert record is not None
    assert (record.status, record.attempts, record.next_attempt) == ("pending", 0, later)
    assert record.last_error == "missing access"
    claimed = store.insight.claim(SLOT, "p2", later, LEASE)
    assert claimed is not None
    assert claimed.attempts == 1


def test_only_failed_records_reopen(store: Store) -> None:
    store.insight.open_day(SLOT, KEY, T0)
    assert not store.insight.reopen(SLOT, T0)  # pending
    store.insight.claim(SLOT, "p1", T0, LEASE)
    store.insight.record_posted(SLOT, "m1", T0)

    assert not store.insight.reopen(SLOT, T0)

    record = store.insight.get(SLOT)
    assert record is not None
    assert (record.status, record.message_id) == ("posted", "m1")


def test_a_day_lists_its_records_by_platform_and_channel(store: Store) -> None:
    day = dt.date(2026, 2, 2)
    for platform, channel in [("slack", "C2"), ("discord", "9"), ("slack", "C1")]:
        store.insight.open_day(InsightSlot(Channel(platform, channel), day), KEY, T0)
    store.insight.open_day(InsightSlot(Channel("slack", "C1"), dt.date(2026, 2, 3)), KEY, T0)

    records = store.insight.day(day)

    assert [(r.channel.platform, r.channel.id, r.day) for r in records] == [
        ("discord", "9", day),
        ("slack", "C1", day),
        ("slack", "C2", day),
    ]
    assert store.insight.day(dt.date(2026, 2, 1)) == []


def test_recent_gives_a_channels_latest_records_newest_first(store: Store) -> None:
    for offset in range(5):
        day = dt.date(2026, 2, 2) + dt.timedelta(days=offset)
        store.insight.open_day(InsightSlot(Channel("slack", "C1"), day), KEY, T0)
    store.insight.open_day(InsightSlot(Channel("slack", "C2"), dt.date(2026, 3, 1)), KEY, T0)

    recent = store.insight.recent("slack", "C1", 3)

    assert [r.day.isoformat() for r in recent] == ["2026-02-06", "2026-02-05", "2026-02-04"]


def test_channels_lists_each_platform_and_channel_once(store: Store) -> None:
    for day in (dt.date(2026, 2, 2), dt.date(2026, 2, 3)):
        for platform, channel in [("slack", "C1"), ("discord", "9")]:
            store.insight.open_day(InsightSlot(Channel(platform, channel), day), KEY, T0)

    assert store.insight.channels() == [("discord", "9"), ("slack", "C1")]


def test_times_without_a_timezone_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.insight.open_day(SLOT, KEY, dt.datetime(2026, 2, 2, 9, 0))


def test_threads_claiming_one_record_at_once_have_one_winner(db_target: str, store: Store) -> None:
    store.insight.open_day(SLOT, KEY, T0)

    outcomes = race_threads(db_target, "claim-post", 8)

    assert sorted(outcomes) == ["lost"] * 7 + ["won"]
    record = store.insight.get(SLOT)
    assert record is not None
    assert record.attempts == 1
    assert record.lease_owner == f"racer{outcomes.index('won')}"
