"""A store on a SQLite file as `townhall serve` builds it, for tests that need one backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.store import AsyncStore, Limits, ThreadLane, open_store


@contextmanager
def file_store(path: Path, limits: Limits | None = None) -> Iterator[AsyncStore]:
    """An upgraded store on the file `path`, on its own lane; closed afterwards."""
    store = open_store(path, limits)
    store.upgrade()
    lane = ThreadLane("store")
    try:
        yield AsyncStore(store, lane)
    finally:
        lane.close()
        store.close()
