"""Moments as the tables keep them: unix seconds, from timezone-aware datetimes only."""

from __future__ import annotations

import datetime as dt


def stamp(moment: dt.datetime) -> float:
    """Unix seconds of `moment`, which must be timezone-aware (a naive time is ambiguous)."""
    if moment.tzinfo is None:
        raise ValueError("the store needs timezone-aware times")
    return moment.timestamp()


def moment(seconds: float) -> dt.datetime:
    """The UTC datetime of unix `seconds`."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC)
