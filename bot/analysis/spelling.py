"""Misspelled English words put right against the knowledge's own vocabulary.

"hirring", "securty", "resiliance", "kindergardeners": a word that is neither in the
knowledge nor an English word (symspellpy's 82,765-word frequency dictionary) is replaced
by the knowledge word closest to it in Damerau-Levenshtein distance (symspellpy's
SymSpell), one edit for words of five to seven letters, two from eight. A real English
word the talk does not use ("teamwork") is left alone: it is not a typo, and the nearest
knowledge word would be a different word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources

from symspellpy import SymSpell, Verbosity

# Shorter words are too often one edit from an unrelated word ("devs" / "dues").
MIN_LENGTH = 5
# From this length two edits still leave most of the word ("kindergardeners").
TWO_EDITS_FROM = 8

# A word with its apostrophe parts: "doesn't" is one word, not a misspelled "doesn".
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


@cache
def english_words() -> frozenset[str]:
    """The words of symspellpy's English frequency dictionary, lower case."""
    path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    with path.open(encoding="utf-8") as lines:
        return frozenset(line.split(" ", 1)[0] for line in lines)


class Speller:
    """Corrects misspelled words of a text to the words of one vocabulary."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        counts = Counter(w.lower() for w in vocabulary if len(w) >= MIN_LENGTH - 2)
        self._known = frozenset(counts)
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in counts.items():
            self._symspell.create_dictionary_entry(word, count)

    def correct(self, text: str) -> str:
        """`text` with each misspelled word replaced by the vocabulary word it stands for."""
        return _WORD.sub(lambda m: self.word(m.group()), text)

    def word(self, word: str) -> str:
        """The vocabulary word `word` is a misspelling of, or `word` itself."""
        lower = word.lower()
        if "'" in lower or "’" in lower:
            # Contractions and possessives are not typos of a knowledge word.
            return word
        if len(lower) < MIN_LENGTH or lower in self._known or lower in english_words():
            return word
        distance = 2 if len(lower) >= TWO_EDITS_FROM else 1
        found = self._symspell.lookup(lower, Verbosity.CLOSEST, max_edit_distance=distance)
        # Several words at the same distance: the one the knowledge uses most, as SymSpell
        # orders them; a tie between equally used words cannot be decided, so none is taken.
        if not found or (len(found) > 1 and found[0].count == found[1].count):
            return word
        return str(found[0].term)
