"""Korean analysis: morphemes from a real analyzer, so particles and endings are not terms."""

from __future__ import annotations

import re
from typing import Any

from bot.analysis.english import EnglishAnalyzer

# Content morphemes (Sejong tags, shared by mecab-ko-dic and Kiwi): common and proper
# nouns, verb and adjective stems, roots, and Chinese characters. Particles (J*),
# endings (E*), suffixes (XS*) and bound nouns (NNB) are grammar, not topic.
CONTENT_TAGS = frozenset({"NNG", "NNP", "VV", "VA", "XR", "SH"})

# Stems that only frame a question or carry no topic: light verbs ("하다", "되다", "쓰다",
# "보다"), "what did he say about" words, words of "when" ("오늘", "요즘"), and the
# speaker, whom every question is about.
STOP_STEMS = frozenset(
    """
    하 되 있 없 같 않 말 말하 얘기 이야기 대하 관하 어떻 보 쓰 주 좋 알 나오 생각 요즘 이번
    오늘 내일 어제 지금
    샘 알트먼 올트먼
    """.split()
)

# Particles (J*), endings (E*) and the copula (VCP): what may follow a noun in one word.
_GRAMMAR_TAGS = ("J", "E", "VCP")
# Nouns ending in a consonant and in a vowel, since particles differ after each (을/를).
_PROBE_NOUNS = ("사람", "사과")
# The longest particle-and-ending run looked for after a noun ("에서는", "이라는").
MAX_SUFFIX = 3

_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]{2,}")
_SYLLABLES = re.compile(r"[\uac00-\ud7a3]+")
# Suffixes whose reading is remembered: the particles and endings members write are a few
# hundred; the rest are the ends of words a member made up, and must not grow memory.
GRAMMAR_REMEMBERED = 4096
_NON_HANGUL_RUN = re.compile(r"[^\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\s]+")


class _KoreanBase:
    lang = "ko"

    def __init__(self) -> None:
        self._english = EnglishAnalyzer()
        self._grammar: dict[str, bool] = {}

    def terms(self, text: str) -> list[str]:
        """The keywords, then the Hangul syllable bigrams of each word."""
        words = self.keywords(text)
        return words + self.extras(text, words)

    def extras(self, text: str, keywords: list[str]) -> list[str]:
        """The Hangul syllable bigrams of each word of `text` ("~바이", "~이오", ...).

        Bigrams catch what the morpheme split misses: compounds written together or apart
        ("바이오보안" / "바이오 보안") and words the dictionary does not know.
        """
        return [
            "~" + word[i : i + 2]
            for word in _HANGUL_WORD.findall(text)
            for i in range(len(word) - 1)
        ]

    def keywords(self, text: str) -> list[str]:
        """Content morphemes of the Hangul, plus English terms for Latin words and numbers."""
        morphemes = [
            form
            for form, tag in self._morphemes(text)
            if tag in CONTENT_TAGS and form not in STOP_STEMS
        ]
        # Latin words and numbers go through the English analyzer so that "Agents" in a
        # Korean sentence and "agent" in a question meet, and "5.2" stays one term.
        foreign = self._english.keywords(" ".join(_NON_HANGUL_RUN.findall(text)))
        return morphemes + foreign

    def suffix_lengths(self, word: str) -> tuple[int, ...]:
        """How many syllables at the end of `word` may be grammar after a noun ("코덱스를": 1).

        The analyzer's own reading decides when it has one: a trailing particle or ending,
        or none at all when it reads the word as one morpheme (a known "디플레이션" is not
        "디플레" + "이션"). A word it splits into pieces of nouns ("러버블로") may end in
        up to three syllables of grammar, each checked after a noun (`is_grammar`).
        """
        parts = self._surfaces(word)
        tail = 0
        for surface, tag in reversed(parts):
            if not tag.startswith(_GRAMMAR_TAGS):
                break
            tail += len(surface)
        if tail:
            return (tail,) if tail < len(word) else ()
        if len(parts) <= 1:
            return (0,)
        return tuple(
            cut for cut in range(MAX_SUFFIX + 1) if not cut or self.is_grammar(word[-cut:])
        )

    def is_grammar(self, suffix: str) -> bool:
        """Whether `suffix`, after a noun, is only particles, endings or the copula ("를")."""
        if not _SYLLABLES.fullmatch(suffix):
            return False  # Korean grammar is Hangul syllables only
        cached = self._grammar.get(suffix)
        if cached is None:
            if len(self._grammar) >= GRAMMAR_REMEMBERED:
                del self._grammar[next(iter(self._grammar))]  # the first remembered goes
            cached = self._grammar[suffix] = any(
                self._follows_noun(noun, suffix) for noun in _PROBE_NOUNS
            )
        return cached

    def _follows_noun(self, noun: str, suffix: str) -> bool:
        # A suffix read alone is often taken for a word ("도" a noun); after a noun the
        # analyzer sees it as the grammar it is.
        morphemes = self._morphemes(noun + suffix)
        return (
            len(morphemes) > 1
            and morphemes[0][0] == noun
            and all(tag.startswith(_GRAMMAR_TAGS) for _, tag in morphemes[1:])
        )

    def _morphemes(self, text: str) -> list[tuple[str, str]]:
        raise NotImplementedError

    def _surfaces(self, text: str) -> list[tuple[str, str]]:
        """The analyzer's tokens as they are written in `text`, with their tags."""
        raise NotImplementedError


class MecabKoreanAnalyzer(_KoreanBase):
    """mecab-ko with the mecab-ko-dic dictionary that the `mecab-ko` package ships."""

    name = "mecab-ko"

    def __init__(self) -> None:
        import mecab_ko  # noqa: PLC0415 - loaded only when this analyzer is chosen

        super().__init__()
        self._tagger: Any = mecab_ko.Tagger()

    def _surfaces(self, text: str) -> list[tuple[str, str]]:
        lines = (line.partition("\t") for line in self._tagger.parse(text).splitlines())
        return [(surface, features.split(",")[0]) for surface, _, features in lines if features]

    def _morphemes(self, text: str) -> list[tuple[str, str]]:
        result: list[tuple[str, str]] = []
        for line in self._tagger.parse(text).splitlines():
            surface, _, features = line.partition("\t")
            if not features:
                continue
            fields = features.split(",")
            tag = fields[0]
            if "+" in tag and len(fields) > 7 and fields[7] != "*":
                # An inflected or compound token: its parts are in the expression field,
                # e.g. "하/XSA/*+ᆫ/ETM/*".
                for part in fields[7].split("+"):
                    form, _, rest = part.partition("/")
                    result.append((form, rest.partition("/")[0]))
            else:
                result.append((surface, tag))
        return result


class KiwiKoreanAnalyzer(_KoreanBase):
    """Kiwi (kiwipiepy); measured against mecab-ko, see docs/retrieval.md."""

    name = "kiwi"

    def __init__(self) -> None:
        from kiwipiepy import Kiwi  # noqa: PLC0415 - optional, installed with the bench extra

        super().__init__()
        self._kiwi: Any = Kiwi()

    def _surfaces(self, text: str) -> list[tuple[str, str]]:
        return [(text[t.start : t.start + t.len], t.tag) for t in self._kiwi.tokenize(text)]

    def _morphemes(self, text: str) -> list[tuple[str, str]]:
        # Kiwi tags irregular stems with a suffix ("VA-I"); the base tag is what matters.
        return [(t.form, t.tag.split("-")[0]) for t in self._kiwi.tokenize(text)]
