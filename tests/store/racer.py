"""One racing process: opens the store, says READY, waits for "go", does its operations.

`python -m tests.store.racer TOWNHALL_DB NAME OPERATION[,OPERATION...]` does each in turn
and prints their outcomes on one line, separated by spaces:
  add          add the named value "rotation" = NAME; prints the stored value
  claim-post   claim the 2026-02-02 record of slack/C1 as NAME; prints "won" or "lost"
  claim-event  claim event id "Ev1" as NAME; prints "won" or "lost"
  acquire      acquire lease "gateway" as NAME; prints "won" or "lost"
  upgrade      opens after "go" (a new database at once) and upgrades; prints the revision
"""

from __future__ import annotations

import datetime as dt
import sys

from bot.channel import Channel
from bot.store import InsightSlot, Limits, open_store
from bot.store.store import Store

NOW = dt.datetime(2026, 2, 2, 0, 0, tzinfo=dt.UTC)
SLOT = InsightSlot(Channel("slack", "C1"), dt.date(2026, 2, 2))
PATIENT = Limits(busy_timeout=30, connect_timeout=10, statement_timeout=30)


def _won(result: object) -> str:
    return "won" if result else "lost"


def operate(store: Store, name: str, operation: str) -> str:
    """Do `operation` as `name`; its outcome as one word."""
    if operation == "add":
        return store.values.add("rotation", name)
    if operation == "claim-post":
        return _won(store.insight.claim(SLOT, name, NOW, dt.timedelta(minutes=10)))
    if operation == "claim-event":
        return _won(store.events.claim("Ev1", name, NOW))
    if operation == "acquire":
        return _won(store.leases.acquire("gateway", name, NOW, dt.timedelta(seconds=30)))
    if operation == "upgrade":
        return store.upgrade()
    raise ValueError(operation)


def main(target: str, name: str, operations: str) -> None:
    """Open, wait for the start signal, race."""
    store = None if operations == "upgrade" else open_store(target, PATIENT)
    print("READY", flush=True)
    sys.stdin.readline()
    if store is None:
        store = open_store(target, PATIENT)
    print(" ".join(operate(store, name, op) for op in operations.split(",")), flush=True)
    store.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
