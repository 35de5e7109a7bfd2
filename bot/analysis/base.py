"""What every analyzer offers the index."""

from __future__ import annotations

from typing import Protocol


class Analyzer(Protocol):
    """Turns text of one language into index terms."""

    name: str
    lang: str

    def terms(self, text: str) -> list[str]:
        """The index terms of `text`, in order, repeats kept (BM25 counts them)."""
        ...
