"""Running the bot's long-lived parts together in one process, and stopping them cleanly.

On SIGTERM (or Ctrl-C) the process stops taking new events, lets the answers in flight
finish within a grace period, logs each one it had to abandon, then stops every service.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, Protocol

from bot.clock import Clock

log = logging.getLogger(__name__)

# How long a shutdown waits for answers in flight (a slow or rate-limited platform API).
# The container's and systemd's stop timeouts (30 s) are above it, so the wait can end.
GRACE_SECONDS = 20.0
# Seconds the writes queued after the answers (their usage records) get at least: those of
# answers sent at the grace's very end are queued then, and a database that answers
# writes them at once.
LAST_WRITES = 1.0


class StartError(Exception):
    """A service cannot start; the message is one line naming what an admin has to fix."""


def port_in_use(what: str, host: str, port: int, option: str, exc: OSError) -> StartError:
    """The one-line error for a port `serve` cannot listen on (busy, or not allowed)."""
    reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be opened ({exc})"
    return StartError(
        f"{what} port {host}:{port} {reason}: stop the other process or choose another {option}"
    )


class Service(Protocol):
    """A long-lived part of `townhall serve`: the Discord bot, the Slack app, the scheduler."""

    name: str

    async def run(self) -> None:
        """Run until cancelled; raise only for a failure that should stop the process."""
        ...

    def health(self) -> dict[str, object]:
        """A small JSON-able state for /healthz (for example {"connected": true})."""
        ...

    async def stop_accepting(self) -> None:
        """Take no new events from now on (work already taken on goes on)."""
        ...


class InFlight:
    """The member requests being answered right now, so a shutdown can let them finish."""

    def __init__(self) -> None:
        self.accepting = True
        self._jobs: dict[asyncio.Task[Any], str] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def job(self, what: str) -> Iterator[None]:
        """Count the current task as an answer in flight (`what` names it in the logs)."""
        task = asyncio.current_task()
        if task is None:  # only outside an event loop, where nothing is in flight anyway
            yield
            return
        self._jobs[task] = what
        self._idle.clear()
        try:
            yield
        finally:
            self._jobs.pop(task, None)
            if not self._jobs:
                self._idle.set()

    @property
    def count(self) -> int:
        """How many answers are in flight."""
        return len(self._jobs)

    async def drain(self, grace: float, clock: Clock) -> list[str]:
        """Stop accepting; wait up to `grace` seconds for the answers in flight; abandon
        (cancel and log) the rest. Returns what was abandoned.
        """
        self.accepting = False
        if self._jobs:
            log.info(
                "finishing the answers in flight before stopping",
                extra={"in_flight": len(self._jobs), "grace_seconds": grace},
            )
            idle = asyncio.ensure_future(self._idle.wait())
            timer = asyncio.ensure_future(clock.sleep(grace))
            await asyncio.wait([idle, timer], return_when=asyncio.FIRST_COMPLETED)
            idle.cancel()
            timer.cancel()
        abandoned = list(self._jobs.items())
        for task, what in abandoned:
            log.error("grace period over; answer abandoned", extra={"work": what})
            task.cancel()
        await asyncio.gather(*(task for task, _ in abandoned), return_exceptions=True)
        return [what for _, what in abandoned]


async def run_services(
    services: Sequence[Service],
    stop: asyncio.Event | None = None,
    *,
    clock: Clock,
    in_flight: InFlight | None = None,
    grace: float = GRACE_SECONDS,
    settle: Callable[[], Awaitable[None]] | None = None,
) -> float:
    """Run every service until `stop` is set, SIGTERM or SIGINT arrives, or one fails.

    On a stop, the services take no new events and the answers `in_flight` get up to
    `grace` seconds (on `clock`) to finish; then `settle` (the writes the answers left,
    such as their usage records) gets what is left of it (LAST_WRITES at least) before
    everything is cancelled. Returns the seconds of `grace` left once every service has
    stopped, for the work after them.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Not possible outside the main thread or off POSIX; Ctrl-C still ends asyncio.run.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(s.run(), name=s.name) for s in services]
    stopper = asyncio.create_task(stop.wait(), name="stop")
    stopping: dt.datetime | None = None  # when the stop came, if one did
    try:
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopper and not task.cancelled() and task.exception() is not None:
                log.error("service stopped with an error", extra={"service": task.get_name()})
                raise task.exception()  # type: ignore[misc]
        if stopper in done:
            stopping = clock.now()
            await _wind_down(services, in_flight or InFlight(), clock, grace)
            if settle is not None:
                left = grace - (clock.now() - stopping).total_seconds()
                try:
                    await asyncio.wait_for(settle(), max(left, LAST_WRITES))
                except TimeoutError:
                    log.warning("writes left by the answers abandoned at the grace's end")
    finally:
        for task in [*tasks, stopper]:
            task.cancel()
        await asyncio.gather(*tasks, stopper, return_exceptions=True)
        log.info("all services stopped")
    if stopping is None:
        return grace
    return max(grace - (clock.now() - stopping).total_seconds(), 0.0)


async def _wind_down(
    services: Sequence[Service], in_flight: InFlight, clock: Clock, grace: float
) -> None:
    log.info("stopping: no new events from now on", extra={"in_flight": in_flight.count})
    in_flight.accepting = False
    for service in services:
        try:
            await service.stop_accepting()
        except Exception:
            log.exception("could not stop taking events", extra={"service": service.name})
    await in_flight.drain(grace, clock)
