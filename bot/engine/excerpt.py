"""Pick the sentences of a section that answer a question, within a length budget."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from bot.knowledge import Section
from bot.text import sentences, shorten

EXCERPT_CHARS = 700


def best_excerpt(
    section: Section, weight: Callable[[str], float], limit: int = EXCERPT_CHARS
) -> str:
    """The run of whole sentences, within one paragraph or across neighbours, that weighs most."""
    units = [(p, s) for p, passage in enumerate(section.passages) for s in _sentences(passage.text)]
    if not units:
        return ""
    scores = [weight(text) for _, text in units]
    start, end = _best_window(units, scores, limit)
    if scores[start] == 0 and sum(scores) == 0:
        start, end = 0, 1
    start, end = _fill(units, start, end, limit)
    return _join(units[start:end], limit)


@lru_cache(maxsize=4096)
def _sentences(paragraph: str) -> tuple[str, ...]:
    # The same few hundred paragraphs are split for every answer.
    return tuple(sentences(paragraph))


def _length(units: Sequence[tuple[int, str]], start: int, end: int) -> int:
    return sum(len(text) + 1 for _, text in units[start:end]) + 1


def _best_window(
    units: Sequence[tuple[int, str]], scores: list[float], limit: int
) -> tuple[int, int]:
    best = (0, 1)
    best_key = (scores[0], 0)
    for start in range(len(units)):
        total = 0.0
        length = 1  # as _length counts: each sentence and a space, and one more
        for end in range(start + 1, len(units) + 1):
            length += len(units[end - 1][1]) + 1
            if end - start > 1 and length > limit:
                break
            total += scores[end - 1]
            # Prefer the heavier window; among equals, the shorter one (it is more to the point).
            key = (total, -(end - start))
            if key > best_key:
                best, best_key = (start, end), key
    return best


def _fill(units: Sequence[tuple[int, str]], start: int, end: int, limit: int) -> tuple[int, int]:
    """Grow the window with the rest of its paragraph(s), so the excerpt reads as prose."""
    first, last = units[start][0], units[end - 1][0]
    while end < len(units) and units[end][0] == last and _length(units, start, end + 1) <= limit:
        end += 1
    while start > 0 and units[start - 1][0] == first and _length(units, start - 1, end) <= limit:
        start -= 1
    return start, end


def _join(units: Sequence[tuple[int, str]], limit: int) -> str:
    parts: list[str] = []
    previous = None
    for paragraph, text in units:
        if previous is not None:
            parts.append("\n\n" if paragraph != previous else " ")
        parts.append(text)
        previous = paragraph
    return shorten("".join(parts), limit)
