"""Named values: get, set, and add-if-absent that hands every caller the one winner."""

from __future__ import annotations

from bot.store.store import Store
from tests.store.racing import race_threads


def test_a_missing_value_is_none(store: Store) -> None:
    assert store.values.get("insight.rotation_start") is None


def test_set_replaces_the_value(store: Store) -> None:
    store.values.set("discord.commands.1.global", "aaa")
    store.values.set("discord.commands.1.global", "bbb")

    assert store.values.get("discord.commands.1.global") == "bbb"


def test_add_keeps_the_first_value_and_returns_it(store: Store) -> None:
    assert store.values.add("insight.rotation_start", "2026-03-02") == "2026-03-02"
    assert store.values.add("insight.rotation_start", "2026-03-09") == "2026-03-02"

    assert store.values.get("insight.rotation_start") == "2026-03-02"


def test_values_keep_text_exactly(store: Store) -> None:
    text = "채용 ✓ 'quoted' \"double\" \\ back; DROP TABLE kv; --"
    store.values.set("odd", text)

    assert store.values.get("odd") == text


def test_threads_adding_at_once_all_get_the_one_winner(db_target: str, store: Store) -> None:
    outcomes = race_threads(db_target, "add", 8)

    assert store.values.get("rotation") in {f"racer{n}" for n in range(8)}
    assert outcomes == [store.values.get("rotation")] * 8
