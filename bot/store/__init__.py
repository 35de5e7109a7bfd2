"""The bot's shared state: one store API on a SQLite file or a PostgreSQL server.

`open_store(TOWNHALL_DB)` picks the backend from the value (a PostgreSQL URL, else a file
path). SQLAlchemy is imported only when a store is opened, so commands that need no state
(`townhall ask`) start without it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from bot.store.errors import StoreUnavailableError
from bot.store.lane import AsyncStore, Lane
from bot.store.limits import EVENT_RETRY_WINDOW, Limits
from bot.store.records import InsightPost, InsightSlot, Lease, PostStatus
from bot.store.target import is_url, not_created

if TYPE_CHECKING:
    from bot.store.store import Store

__all__ = [
    "EVENT_RETRY_WINDOW",
    "AsyncStore",
    "InsightPost",
    "InsightSlot",
    "Lane",
    "Lease",
    "Limits",
    "PostStatus",
    "StoreUnavailableError",
    "is_url",
    "not_created",
    "open_store",
]


def open_store(
    target: str | os.PathLike[str], limits: Limits | None = None, *, reading: bool = False
) -> Store:
    """Open TOWNHALL_DB and check that it answers; StoreUnavailableError (one line) if not.

    Does not change the schema: `serve` calls `Store.upgrade()` once at start. `reading`:
    only reads follow, so the file is left as it is (not switched to WAL).
    """
    from bot.store.database import connect  # noqa: PLC0415 - keeps SQLAlchemy out of `ask`
    from bot.store.store import Store  # noqa: PLC0415

    return Store(connect(target, limits or Limits(), reading=reading))
