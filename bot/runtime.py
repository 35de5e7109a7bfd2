"""Running the bot's long-lived parts together in one process, and stopping them cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from typing import Protocol

log = logging.getLogger(__name__)


class Service(Protocol):
    """A long-lived part of `townhall serve`: the Discord bot, the Slack app, the scheduler."""

    name: str

    async def run(self) -> None:
        """Run until cancelled; raise only for a failure that should stop the process."""
        ...

    def health(self) -> dict[str, object]:
        """A small JSON-able state for /healthz (for example {"connected": true})."""
        ...


async def run_services(services: Sequence[Service], stop: asyncio.Event | None = None) -> None:
    """Run every service until `stop` is set, SIGTERM or SIGINT arrives, or one fails."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Not possible outside the main thread or off POSIX; Ctrl-C still ends asyncio.run.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(s.run(), name=s.name) for s in services]
    stopper = asyncio.create_task(stop.wait(), name="stop")
    try:
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopper and not task.cancelled() and task.exception() is not None:
                log.error("service stopped with an error", extra={"service": task.get_name()})
                raise task.exception()  # type: ignore[misc]
    finally:
        for task in [*tasks, stopper]:
            task.cancel()
        await asyncio.gather(*tasks, stopper, return_exceptions=True)
        log.info("all services stopped")
