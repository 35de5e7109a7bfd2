"""What TOWNHALL_DB names: a server by URL (postgresql://...) or a SQLite file path."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# A scheme: what tells a URL from a file path (sqlite3 itself takes any path).
URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_url(target: str | os.PathLike[str]) -> bool:
    """Whether TOWNHALL_DB is a URL (a database server) rather than a SQLite file path."""
    return URL_SCHEME.match(os.fspath(target)) is not None


def not_created(target: str | os.PathLike[str]) -> bool:
    """Whether TOWNHALL_DB is a SQLite file that does not exist yet (`serve` creates it)."""
    return not is_url(target) and not Path(target).exists()


def shown_target(target: str | os.PathLike[str]) -> str:
    """TOWNHALL_DB as it may be printed: a URL's password, in its user part or its query
    (libpq takes both), replaced by ***; a path as it is."""
    text = os.fspath(target)
    scheme = URL_SCHEME.match(text)
    if scheme is None:
        return text
    # The password may hold "/", "?" or "#", which would end it for urlsplit.
    text = _PASSWORD.sub(r"\g<user>:***@", text, count=1)
    try:
        parts = urlsplit(text)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:  # not a URL it can read: nothing of it is shown
        return f"{scheme.group(1)}://..."
    if not any(key == "password" for key, _ in pairs):
        return text
    masked = [(key, "***" if key == "password" else value) for key, value in pairs]
    return urlunsplit(parts._replace(query=urlencode(masked, safe="*")))


# As SQLAlchemy reads the user part: the user name runs to ":" or "/" ("user@server" on
# Azure holds an "@"), the password from there to the next "@".
_PASSWORD = re.compile(r"^(?P<user>[A-Za-z][A-Za-z0-9+.-]*://[^:/]*):[^@]*@")
