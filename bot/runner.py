"""Blocking work off the event loop: one lane, one worker thread, jobs in arrival order.

The answer engine is synchronous (and its analyzers are not shared between threads), so
every platform hands its questions to the same engine lane instead of calling it on the
event loop. Other blocking work gets a lane of its own (the store's, the usage records',
the leases'), so that a slow lock there never delays an answer here.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Runner:
    """A lane for blocking calls: one thread, so the calls never overlap."""

    def __init__(self, name: str, *, finish_queued: bool = False) -> None:
        # Questions not yet started when the engine's lane closes have nobody waiting for
        # them any more; a store's lane finishes the writes queued on it.
        self._finish_queued = finish_queued
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"townhall-{name}")

    async def run(self, work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(*args, **kwargs)` on this lane's thread; the event loop runs meanwhile."""
        call = functools.partial(work, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def close(self) -> None:
        """Stop the thread after the running call: queued work is finished or dropped."""
        if self._finish_queued:
            self._executor.shutdown(wait=True)
        else:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
