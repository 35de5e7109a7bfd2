"""The one exception every store operation raises when the database cannot serve it."""

from __future__ import annotations


class StoreUnavailableError(Exception):
    """The database at TOWNHALL_DB is locked, read-only, corrupted, unreachable or gone.

    The message is one line naming TOWNHALL_DB (never with a password), fit to show an admin.
    """
