"""A store on a SQLite file as `townhall serve` builds it, for tests that need one backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.runner import Runner
from bot.store import AsyncStore, Limits, open_store


@contextmanager
def file_store(path: Path, limits: Limits | None = None) -> Iterator[AsyncStore]:
    """An upgraded store on the file `path`, on its own lane; closed afterwards."""
    store = open_store(path, limits)
    store.upgrade()
    lane = Runner("store", finish_queued=True)
    try:
        yield AsyncStore(store, lane)
    finally:
        lane.close()
        store.close()
