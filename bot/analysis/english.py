"""English analysis: lower case, Snowball stop words, Snowball (Porter 2) stemming."""

from __future__ import annotations

import re
from itertools import pairwise

import Stemmer

# The Snowball project's English stop word list (snowballstem.org/algorithms/english/stop.txt),
# plus words that only frame a question about a talk ("what did he say about ...") and
# words of "when" that name no topic ("today", "now", "last").
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing would should could ought i'm you're he's she's it's we're they're i've you've we've
    they've i'd you'd he'd she'd we'd they'd i'll you'll he'll she'll we'll they'll isn't
    aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't won't wouldn't shan't
    shouldn't can't cannot couldn't mustn't let's that's who's what's here's there's when's
    where's why's how's a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on off
    over under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very will can just
    say says said tell told talk talked think thinks thought mention mentioned sam altman
    today tonight tomorrow yesterday now currently lately latest last next ago
    """.split()
)

# Words, numbers with a decimal point ("5.2"), and words joined by apostrophes.
_TOKEN = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*")
_LATIN_OR_DIGIT = re.compile(r"[a-z0-9]")
# "100x", "gpt5", "5.2x": a number written against a word is a number and a word.
_NUMBER_EDGE = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
# Numbers spelled out are the same numbers as digits ("two years ago" / "2 yrs ago").
_NUMBERS = {
    word: str(value)
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}


class EnglishAnalyzer:
    """Stemmed, stop-word-free English terms; also used for Latin words inside Korean text."""

    name = "snowball-en"
    lang = "en"

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")

    def terms(self, text: str) -> list[str]:
        """The keywords, then each pair of neighbouring keywords."""
        words = self.keywords(text)
        return words + self.extras(text, words)

    def extras(self, text: str, keywords: list[str]) -> list[str]:
        """Each pair of neighbouring keywords ("human_connect").

        Pairs reward passages that use the question's words together, the way a phrase
        query would, without needing positions in the index.
        """
        return [f"{a}_{b}" for a, b in pairwise(keywords)]

    def keywords(self, text: str) -> list[str]:
        """The stems of the non-stop words of `text`."""
        words = [
            part
            for w in _TOKEN.findall(text.lower())
            for part in _NUMBER_EDGE.split(w.replace("’", "'"))
            if part
        ]
        words = [_NUMBERS.get(w, w) for w in words]
        # Possessives stand for the owner: "Altman's" -> "altman".
        words = [w[:-2] if w.endswith("'s") else w for w in words]
        kept = [w for w in words if w not in STOP_WORDS and _LATIN_OR_DIGIT.search(w)]
        # A stop word in another form is still one: "whats" and "saying" stem to "what"
        # and "say". Only stems that are stop words as written ("currently" is one,
        # "current" is not).
        return [s for s in self._stemmer.stemWords(kept) if s not in STOP_WORDS]
