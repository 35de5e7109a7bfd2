"""The recorder over a real store: a SQLite file, or a PostgreSQL schema of its own.

`db_target` and `store` come from tests/conftest.py (both backends).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.store import AsyncStore, Limits, open_store
from bot.store.store import Store
from bot.usage import vote_keys
from tests.fakes.clock import ManualClock

NOON = dt.datetime(2026, 2, 3, 12, tzinfo=dt.UTC)
# Both platforms' vote keys, as serve derives them from the bot tokens.
VOTE_KEYS = vote_keys({"discord": "discord-test-token", "slack": "xoxb-test-bot-token"})


@pytest.fixture
def clock() -> ManualClock:
    """Time moves only when a test moves it."""
    return ManualClock(NOON, jump=False)


@pytest.fixture
async def async_store(store: Store) -> AsyncIterator[AsyncStore]:
    """The upgraded store on a lane of its own."""
    return AsyncStore(store)
    # The store fixture closes the store itself.


def reopen(db_target: str) -> Store:
    """Another connection to the same database, as another process would have."""
    return open_store(db_target, Limits(busy_timeout=10, statement_timeout=10))
