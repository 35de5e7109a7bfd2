"""Delivered event ids: exactly one claimer per event id, kept for the retry window, purged."""

from __future__ import annotations

import datetime as dt

from bot.store import EVENT_RETRY_WINDOW
from bot.store.store import Store
from tests.store.racing import race_threads

T0 = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


def test_the_first_claim_of_an_event_wins_and_a_redelivery_loses(store: Store) -> None:
    assert store.events.claim("Ev1", "replica-a", T0)
    assert not store.events.claim("Ev1", "replica-b", T0 + dt.timedelta(minutes=1))
    assert not store.events.claim("Ev1", "replica-a", T0 + dt.timedelta(minutes=30))
    assert store.events.claim("Ev2", "replica-b", T0)


def test_a_claim_is_kept_for_the_whole_retry_window(store: Store) -> None:
    store.events.claim("Ev1", "replica-a", T0)

    assert store.events.purge(T0 + EVENT_RETRY_WINDOW - dt.timedelta(seconds=1)) == 0
    assert not store.events.claim("Ev1", "replica-b", T0 + EVENT_RETRY_WINDOW / 2)


def test_purge_deletes_only_claims_past_their_window(store: Store) -> None:
    store.events.claim("old", "a", T0)
    store.events.claim("new", "a", T0 + dt.timedelta(minutes=30))

    assert store.events.purge(T0 + EVENT_RETRY_WINDOW) == 1

    assert not store.events.claim("new", "b", T0 + EVENT_RETRY_WINDOW)
    assert store.events.claim("old", "b", T0 + EVENT_RETRY_WINDOW)


def test_a_claim_past_its_window_but_not_yet_purged_can_be_taken_again(store: Store) -> None:
    store.events.claim("Ev1", "replica-a", T0, keep=dt.timedelta(minutes=5))

    assert store.events.claim("Ev1", "replica-b", T0 + dt.timedelta(minutes=5))
    assert not store.events.claim("Ev1", "replica-c", T0 + dt.timedelta(minutes=6))


def test_threads_claiming_one_event_at_once_have_one_winner(db_target: str, store: Store) -> None:
    outcomes = race_threads(db_target, "claim-event", 8)

    assert sorted(outcomes) == ["lost"] * 7 + ["won"]
