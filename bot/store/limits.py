"""How long the store waits for the database, and how long it keeps what it keeps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Slack retries a delivery after about 1 minute, 5 minutes and 30 minutes: an hour covers all.
EVENT_RETRY_WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Limits:
    """Bounded waits (seconds): a slow or locked database fails an operation, never hangs it."""

    # SQLite: how long a write waits for another process's write lock.
    busy_timeout: float = 5.0
    # PostgreSQL: how long connecting may take, and how long one statement may run or wait.
    connect_timeout: float = 5.0
    statement_timeout: float = 5.0
