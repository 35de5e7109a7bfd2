"""What every analyzer offers the index."""

from __future__ import annotations

from typing import Protocol


class Analyzer(Protocol):
    """Turns text of one language into index terms."""

    name: str
    lang: str

    def keywords(self, text: str) -> list[str]:
        """The words of `text` as index terms (stems, morphemes), in order, repeats kept."""
        ...

    def extras(self, text: str, keywords: list[str]) -> list[str]:
        """The pairs or n-grams indexed beside the keywords of `text` (`keywords(text)`)."""
        ...

    def terms(self, text: str) -> list[str]:
        """Everything indexed for `text`: its keywords, then its extras."""
        ...
