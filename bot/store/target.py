"""What TOWNHALL_DB names: a server by URL (postgresql://...) or a SQLite file path."""

from __future__ import annotations

import os
import re
from pathlib import Path

# A scheme: what tells a URL from a file path (sqlite3 itself takes any path).
URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_url(target: str | os.PathLike[str]) -> bool:
    """Whether TOWNHALL_DB is a URL (a database server) rather than a SQLite file path."""
    return URL_SCHEME.match(os.fspath(target)) is not None


def not_created(target: str | os.PathLike[str]) -> bool:
    """Whether TOWNHALL_DB is a SQLite file that does not exist yet (`serve` creates it)."""
    return not is_url(target) and not Path(target).exists()
