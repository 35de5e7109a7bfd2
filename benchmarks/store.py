#!/usr/bin/env python3
"""Benchmark the store on SQLite and PostgreSQL and print its figures.

What the test session pays for PostgreSQL (a throwaway cluster: initdb and start; a
schema or a database per test), and per operation p50/p95 on each backend: the calls the
bot makes per answer (an event-id claim) and per post (open, claim, record), a lease
renewal, and the first deal of a day's insight (its deck dealt on from the day before's
and stored).

Usage: .venv/bin/python benchmarks/store.py [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.channel import Channel  # noqa: E402
from bot.insight.ledger import Ledger  # noqa: E402
from bot.store import AsyncStore, InsightSlot, open_store  # noqa: E402
from bot.store.store import Store  # noqa: E402
from tests.postgres import PostgresCluster  # noqa: E402

NOW = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=10)
TOPICS = tuple(("talk", n) for n in range(1, 24))  # as many as the shipped talk has


def main() -> None:
    """Start a cluster, then time each operation on both backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs

    started = time.perf_counter()
    cluster = PostgresCluster.create()
    print(f"PostgreSQL cluster initdb + start: {time.perf_counter() - started:.2f} s")
    try:
        database = _timed("CREATE DATABASE", cluster.create_database)
        _timed("CREATE SCHEMA", lambda: cluster.create_schema(database))
        with tempfile.TemporaryDirectory() as folder:
            targets = {
                "sqlite": str(Path(folder) / "townhall.db"),
                "postgresql": cluster.url(database, cluster.create_schema(database)),
            }
            for backend, target in targets.items():
                store = open_store(target)
                _timed(f"{backend}: upgrade a new store", store.upgrade)
                _operations(backend, store, runs)
                store.close()
    finally:
        cluster.destroy()


def _operations(backend: str, store: Store, runs: int) -> None:
    counter = iter(range(10**9))
    lease = store.leases.acquire("gateway", "bench", NOW, LEASE)
    assert lease is not None

    def post() -> None:
        slot = InsightSlot(Channel("slack", f"C{next(counter)}"), NOW.date())
        store.insight.open_day(slot, "k", NOW)
        store.insight.claim(slot, "bench", NOW, LEASE)
        store.insight.record_posted(slot, "m", NOW)

    ledger = Ledger(AsyncStore(store, _Inline()))
    loop = asyncio.new_event_loop()
    days = (NOW.date() + dt.timedelta(days=n) for n in range(10**6))

    def deal() -> None:
        loop.run_until_complete(ledger.deck_of(NOW.date(), next(days), TOPICS))

    cases: dict[str, Callable[[], object]] = {
        "event-id claim": lambda: store.events.claim(f"Ev{next(counter)}", "bench", NOW),
        "named value get": lambda: store.values.get("insight.rotation_start"),
        "insight post (open, claim, record)": post,
        "lease renewal": lambda: store.leases.renew(lease, NOW, LEASE),
        "a day's first insight deal (read, deal, store)": deal,
    }
    for name, call in cases.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"{backend}: {name}: p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")
    loop.close()


class _Inline:
    """Runs the store's calls in place: the figures are the database's, not a lane's."""

    async def run(self, call: Callable[[], object], /) -> object:
        return call()


def _timed(label: str, call: Callable[[], str]) -> str:
    started = time.perf_counter()
    result = call()
    print(f"{label}: {(time.perf_counter() - started) * 1000:.0f} ms")
    return result


if __name__ == "__main__":
    main()
