"""Hangul spellings of Latin terms: 코덱스 / Codex, 딥블루 / Deep Blue, 타운홀 / Town Hall.

Korean writes foreign names by sound, so a member may type 카스파로프 where the summary
keeps "Kasparov". Both spellings are reduced to one sound key: consonants in a few classes
that Korean loanword spelling keeps apart (K, T, P, S, L, M, N, H), vowels as one mark.
The Hangul side is romanized syllable by syllable with hangul-romanize's Revised
Romanization tables; the Latin side follows English spelling. The Korean vowel ㅡ that
loanword spelling inserts between consonants ("스" for "s") is no vowel in the key.

Keys are matched exactly, and only long ones: a key is short enough to be a native word
by chance (가치 and "cursor" are both K-V-S-V) below five marks or three consonants.
docs/retrieval.md gives the false matches measured over the whole Korean summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from hangul_romanize.core import Syllable
from hangul_romanize.rule import REVISED_FINALS, REVISED_INITIALS, REVISED_VOWELS

VOWEL = "V"
MIN_KEY = 5
MIN_CONSONANTS = 3
# A Hangul part written onto Latin letters ("오픈AI") needs two marks, and the Latin part
# two letters, to name a word of the knowledge (see LatinTerms._with_latin_end).
MIXED_MARKS = 2
MIXED_LATIN = 2
_MIXED = re.compile(r"([\uac00-\ud7a3]+)([A-Za-z][A-Za-z0-9]*)")

_CONSONANTS = {
    "g": "K",
    "kk": "K",
    "k": "K",
    "n": "N",
    "d": "T",
    "tt": "T",
    "t": "T",
    "l": "L",
    "r": "L",
    "m": "M",
    "b": "P",
    "pp": "P",
    "p": "P",
    "s": "S",
    "ss": "S",
    "j": "S",
    "jj": "S",
    "ch": "S",
    "h": "H",
    "ng": "N",
}
# A final ㅅ is how Korean writes a final t ("챗" for "chat", "마켓" for "market").
_FINALS = {**_CONSONANTS, "s": "T", "ss": "T"}
# Korean inserts ㅡ to pronounce English consonant clusters; it is not a vowel of the word.
_EPENTHETIC = "eu"
_LATIN_VOWELS = frozenset("aeiouwy")
_HANGUL_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")


def hangul_key(word: str) -> str:
    """The sound key of a Hangul word, which may carry Latin letters ("챗GPT")."""
    marks: list[str] = []
    latin: list[str] = []
    for char in word:
        if "\uac00" <= char <= "\ud7a3":
            if latin:
                marks += _latin_marks("".join(latin))
                latin = []
            marks += _char_marks(char)
        elif char.isascii() and char.isalpha():
            latin.append(char.lower())
    if latin:
        marks += _latin_marks("".join(latin))
    return _collapse(marks)


def latin_key(phrase: str) -> str:
    """The sound key of a Latin word or phrase, as Korean would spell it."""
    return _collapse(
        [m for word in re.findall(r"[a-z]+", phrase.lower()) for m in _latin_marks(word)]
    )


def long_enough(key: str) -> bool:
    """Whether a key is specific enough to stand for one term."""
    return len(key) >= MIN_KEY and sum(m != VOWEL for m in key) >= MIN_CONSONANTS


@cache
def _char_marks(char: str) -> tuple[str, ...]:
    # A question's words are keyed again for every span and cut tried (spell_in_latin).
    return tuple(_syllable_marks(Syllable(char=char)))


def _syllable_marks(syllable: Syllable) -> list[str]:
    onset = REVISED_INITIALS[syllable.initial]
    vowel = REVISED_VOWELS[syllable.vowel]
    coda = REVISED_FINALS[syllable.final]
    marks = [_CONSONANTS[onset]] if onset else []
    if vowel != _EPENTHETIC:
        marks.append(VOWEL)
    if coda:
        marks += [_FINALS[coda]] if coda in _FINALS else [_FINALS[c] for c in coda if c in _FINALS]
    return marks


@lru_cache(maxsize=4096)
def _latin_marks(word: str) -> tuple[str, ...]:
    # Cached: a question's Latin words are keyed again for every span tried.
    if word.startswith("wr"):
        word = word[1:]
    # A final e after a consonant is silent ("google", "resilience"), yet softens c and g.
    silent_e = len(word) > 3 and word.endswith("e") and word[-2] not in _LATIN_VOWELS
    end = len(word) - 1 if silent_e else len(word)
    marks: list[str] = []
    i = 0
    while i < end:
        char, rest = word[i], word[i:]
        following = word[i + 1] if i + 1 < len(word) else ""
        step = 1
        if rest.startswith("igh"):
            marks.append(VOWEL)
            step = 3
        elif re.match("[ts]i[oa]", rest):  # "-tion", "-sion": Korean 션
            marks.append("S")
        elif rest.startswith(("ch", "sh", "th")):
            marks.append("S")
            step = 2
        elif rest.startswith("ph"):
            marks.append("P")
            step = 2
        elif rest.startswith("ck"):
            marks.append("K")
            step = 2
        elif rest.startswith("ng") and not (len(rest) > 2 and rest[2] in "aeiou"):
            marks.append("N")
            step = 2
        elif char in _LATIN_VOWELS:
            marks.append(VOWEL)
        elif char == "x":
            marks += ["K", "S"]
        elif char in "cg":
            marks.append("S" if following in ("e", "i", "y") else "K")
        elif char in "kq":
            marks.append("K")
        elif char in "bpfv":
            marks.append("P")
        elif char in "dt":
            marks.append("T")
        elif char in "szj":
            marks.append("S")
        elif char == "r":
            # Korean drops an r that no vowel follows ("builder" 빌더, "overhang" 오버행).
            if following in ("a", "e", "i", "o", "u", "y"):
                marks.append("L")
        elif char in "lmnh":
            marks.append(char.upper())
        i += step
    return tuple(marks)


def _collapse(marks: list[str]) -> str:
    # Doubled letters and vowel runs are spelled one way in one language, another in the other.
    out: list[str] = []
    for mark in marks:
        if not out or out[-1] != mark:
            out.append(mark)
    return "".join(out)


@dataclass(frozen=True)
class LatinTerm:
    """A Latin word or phrase the knowledge uses, and how many words it has."""

    text: str
    words: int


class LatinTerms:
    """The Latin terms of a text, found again from their Hangul spellings."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_key: dict[str, LatinTerm] = {}
        self._words: set[str] = set()
        ambiguous: set[str] = set()
        for phrase in phrases:
            words = re.findall(r"[A-Za-z][A-Za-z0-9]*", phrase)
            if not words:
                continue
            self._words.update(words)
            term = LatinTerm(" ".join(words), len(words))
            for key in _keys(words):
                if not long_enough(key):
                    continue
                known = self._by_key.get(key)
                if known is not None and known.text.lower() != term.text.lower():
                    ambiguous.add(key)
                self._by_key.setdefault(key, term)
        # A key two different terms share cannot tell which one the member meant.
        for key in ambiguous:
            del self._by_key[key]
        self._beginnings = {key[:end] for key in self._by_key for end in range(1, len(key) + 1)}

    def __len__(self) -> int:
        return len(self._by_key)

    def may_begin(self, words: str) -> bool:
        """Whether a spelling of several words that begins with `words` may be a term's.

        A key grows word by word (what follows a Hangul letter only adds marks), so words
        whose key begins no term's key begin no spelling. Latin letters at the end may
        join the next word's into one run: those may begin anything.
        """
        if not _HANGUL_SYLLABLE.fullmatch(words[-1:]):
            return True
        key = hangul_key(words)
        return not key or key in self._beginnings  # "으" has no marks: it begins anything

    def find(self, hangul: str) -> LatinTerm | None:
        """The Latin term whose sound key `hangul` has, if there is one."""
        key = hangul_key(hangul)
        found = self._by_key.get(key) if long_enough(key) else None
        mixed = _MIXED.fullmatch(hangul)
        if found is None and mixed is not None:
            return self._with_latin_end(*mixed.groups())
        return found

    def _with_latin_end(self, hangul: str, latin: str) -> LatinTerm | None:
        """The one word of the terms that ends in `latin` and begins as `hangul` sounds.

        "오픈AI" is "OpenAI" and "챗GPT" "ChatGPT": the Latin letters must end the word as
        typed, so the Hangul part may have a shorter key than a whole spelling; it must
        match the rest of the word by its first mark and its consonants, because English
        vowels that Korean writes ㅡ ("Open", 오픈) have no mark on the Hangul side.
        """
        wanted = _first_and_consonants(hangul_key(hangul))
        if len(wanted) < MIXED_MARKS or len(latin) < MIXED_LATIN:
            return None
        tail = latin.lower()
        found = {
            word
            for word in self._words
            if len(word) > len(tail)
            and word.lower().endswith(tail)
            and _first_and_consonants(latin_key(word[: -len(tail)])) == wanted
        }
        return LatinTerm(found.pop(), 1) if len(found) == 1 else None


def _first_and_consonants(key: str) -> str:
    return key[:1] + key[1:].replace(VOWEL, "")


def _keys(words: list[str]) -> list[str]:
    key = latin_key(" ".join(words))
    keys = [key]
    # Korean drops the plural of a compound ("마이크로 앱" for "Micro-Apps"); one word keeps
    # its s, or "Jevons" would be 지방.
    if len(words) > 1 and words[-1].lower().endswith("s") and key.endswith("S"):
        keys.append(key[:-1])
    return keys


def latin_phrases(text: str) -> list[str]:
    """Each run of Latin words in `text` ("Intelligence Too Cheap to Meter"), and each word."""
    phrases: list[str] = []
    text = re.sub(r"https?://\S+", " ", text)
    for run in _LATIN_RUN.findall(text):
        words = run.replace("-", " ").split()
        phrases.append(" ".join(words))
        if len(words) > 1:
            phrases += words
    return phrases


_WORD = re.compile(r"[\uac00-\ud7a3A-Za-z0-9]+")
# Latin words joined by spaces or hyphens; a sentence's full stop ends the run.
_LATIN_RUN = re.compile(
    r"[A-Za-z][A-Za-z0-9']*(?:\.\d+)?(?:[ -][A-Za-z0-9][A-Za-z0-9']*(?:\.\d+)?)*"
)
# How far a Hangul spelling may reach: "인텔리전스 투 칩 투 미터" is five words.
MAX_WORDS = 5

Suffixes = Callable[[str], Sequence[int]]


def spell_in_latin(text: str, terms: LatinTerms, suffixes: Suffixes) -> str:
    """`text` with every Hangul spelling of one of `terms` written as the term itself.

    A word may carry a particle or ending after the spelling ("코덱스를"); `suffixes`
    says how many syllables at the end of a word may be one. Korean may write a term's
    words together ("딥블루") but never splits one word in two, so a spelling has at most
    as many words as its term.
    """
    words = list(_WORD.finditer(text))
    # Every span that ends in a word asks how it may end; ask the analyzer once per word.
    suffixes = cache(suffixes)
    pieces: list[str] = []
    done = 0
    i = 0
    while i < len(words):
        found = _longest_spelling(words, i, terms, suffixes)
        if found is None:
            i += 1
            continue
        last, stem_end, term = found
        pieces += [text[done : words[i].start()], f" {term.text} "]
        done = stem_end
        i = last + 1
    pieces.append(text[done:])
    return "".join(pieces)


def _longest_spelling(
    words: list[re.Match[str]], first: int, terms: LatinTerms, suffixes: Suffixes
) -> tuple[int, int, LatinTerm] | None:
    # Only as far as the words so far may begin a term's spelling (most begin none).
    reach, limit = first, min(len(words), first + MAX_WORDS) - 1
    while reach < limit and terms.may_begin("".join(w.group() for w in words[first : reach + 1])):
        reach += 1
    for last in range(reach, first - 1, -1):
        span = [w.group() for w in words[first : last + 1]]
        whole, tail = "".join(span[:-1]), span[-1]
        if not _HANGUL_SYLLABLE.search(whole + tail):
            continue
        for cut in suffixes(tail):
            stem = tail[: len(tail) - cut]
            term = terms.find(whole + stem)
            if term is not None and term.words >= len(span):
                return last, words[last].start() + len(stem), term
    return None
