"""CLI tests run commands in-process; put back what a command changes for the process."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.cli.serve import CHATTY_LIBRARIES


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """`serve` configures logging for the process; put the test runner's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    libraries = {name: logging.getLogger(name).level for name in CHATTY_LIBRARIES}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, library_level in libraries.items():
        logging.getLogger(name).setLevel(library_level)
