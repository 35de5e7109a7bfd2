"""Blocking work off the event loop: one lane, one worker thread, jobs in arrival order.

The answer engine is synchronous (and its analyzers are not shared between threads), so
every platform hands its questions to the same engine lane instead of calling it on the
event loop. Other blocking work gets a lane of its own (the store's, the usage records',
the leases'), so that a slow lock there never delays an answer here.

A lane's thread is a daemon: a call that never returns (a database that hangs, its
server stopped or cut off by a partition) is abandoned when the process exits, instead
of holding the exit forever as a ThreadPoolExecutor's worker would.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

# What the lane's thread takes from its queue: a call and where its result goes, or None
# (closed: stop once here).
_Job = tuple[Callable[[], Any], "Future[Any]"] | None


class Runner:
    """A lane for blocking calls: one thread, so the calls never overlap."""

    def __init__(self, name: str, *, finish_queued: bool = False) -> None:
        self.name = name
        # Questions not yet started when the engine's lane closes have nobody waiting for
        # them any more; a store's lane finishes the writes queued on it.
        self._finish_queued = finish_queued
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()  # run() against close(): nothing queued after None
        self._closed = False
        self._thread: threading.Thread | None = None  # started by the first call
        self._busy = False  # a call is running on the thread

    async def run(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(*args, **kwargs)` on this lane's thread; the event loop runs meanwhile.

        Cancelling the caller drops the call if it has not started yet; a started call
        runs to its end on the lane.
        """
        done: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the {self.name} lane is closed")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name=f"townhall-{self.name}", daemon=True
                )
                self._thread.start()
            self._jobs.put((functools.partial(work, *args, **kwargs), done))
        return await asyncio.wrap_future(done)

    def close(self, wait_at_most: float | None = None) -> None:
        """Stop the thread after the running call: queued work is finished or dropped.

        A lane that finishes its queue waits for it, up to `wait_at_most` seconds (None:
        as long as it takes); past that it logs what it abandons and returns.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if not self._finish_queued:
                self._drop_queued()
            self._jobs.put(None)
        thread = self._thread
        if not self._finish_queued or thread is None:
            return
        thread.join(wait_at_most)
        queued = max(self._jobs.qsize() - 1, 0)  # the None is not work
        # An idle thread given no time may not have taken its None yet: nothing is lost.
        if thread.is_alive() and (self._busy or queued):
            log.warning(
                "lane still busy when closing; its running call and queued work are abandoned",
                extra={
                    "lane": self.name,
                    "waited_seconds": wait_at_most,
                    "queued": queued,
                },
            )

    def _drop_queued(self) -> None:
        """Cancel every call not started yet (their callers see CancelledError)."""
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job[1].cancel()

    def _work(self) -> None:
        """The lane's thread: the queued calls one at a time, until the None."""
        while (job := self._jobs.get()) is not None:
            call, done = job
            # False when the caller was cancelled before the call started: skip it.
            if not done.set_running_or_notify_cancel():
                continue
            self._busy = True
            try:
                result = call()
            except BaseException as exc:  # noqa: BLE001 - the caller gets it, as from an executor
                done.set_exception(exc)
            else:
                done.set_result(result)
            finally:
                self._busy = False
            del job, call, done  # no reference to the last result while waiting

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
