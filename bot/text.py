"""Plain-text helpers shared by the engine, the insight and the renderers.

Splitting into sentences, shortening at a word boundary with one ellipsis, making a
member's text safe to encode, and reading a file that must be UTF-8 (a talk, the settings).
Nothing here knows about a platform.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

ELLIPSIS = "…"

# A sentence ends at . ! ? (or the Korean/CJK full stops) followed by white space;
# "GPT 5.2" and "1/100" have no space after the dot and stay whole.
# Closing quotes and brackets stay with their sentence: 'He said "yes." Then' splits after
# the quote (lookbehinds are fixed-width, hence one per length).
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?。！？])|(?<=[.!?。！？][\"')\]”’])|(?<=[.!?。！？][\"')\]”’]{2}))\s+"
)
# Trailing characters that read badly right before an ellipsis.
_DANGLING = " ,;:"


class NotUtf8Error(ValueError):
    """A text file holding bytes that are not UTF-8, with the line of the first one."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: not UTF-8 text ({reason})")
        self.path = path
        self.line = line
        self.reason = reason


def utf8_text(path: Path) -> str:
    """The text of the file at `path`; NotUtf8Error names the line of a byte that is not UTF-8.

    OSError (missing, unreadable, a folder) is the caller's to word.
    """
    return utf8_decoded(path, path.read_bytes())


def utf8_decoded(path: Path, data: bytes) -> str:
    """`data`, read from `path`, as text; NotUtf8Error names the line of a byte not UTF-8."""
    try:
        # "-sig": a byte order mark (Windows editors write one) is not part of the text.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The reason ("invalid start byte") never quotes the file: a settings file holds secrets.
        line = data.count(b"\n", 0, exc.start) + 1
        raise NotUtf8Error(path, line, exc.reason) from None


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, keeping each sentence's own punctuation."""
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


def shorten(text: str, limit: int, *, measure: Callable[[str], int] = len) -> str:
    """`text` cut to at most `limit` (as `measure` counts) at a word boundary, with an ellipsis.

    `measure` lets a renderer count what the text becomes (Slack counts it escaped); it must
    never count less than the number of characters, so the first `limit` characters bound
    the cut. The cut falls at the last space when that keeps more than half of it.
    """
    if measure(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ELLIPSIS))]
    while cut and measure(cut) + len(ELLIPSIS) > limit:
        cut = cut[: len(cut) - (measure(cut) + len(ELLIPSIS) - limit)]
    space = cut.rfind(" ")
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(_DANGLING) + ELLIPSIS


def one_line(text: str) -> str:
    """`text` with every run of white space (newlines too) made one space."""
    return " ".join(text.split())


def encodable(text: str) -> str:
    """`text` with lone surrogates (from invalid bytes or a `\\udcxx` escape) made U+FFFD.

    Such a string cannot be encoded as UTF-8, so every library that sends it would raise.
    """
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
