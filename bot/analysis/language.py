"""Which language a question is in."""

from __future__ import annotations

import re

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z]")
_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")


def detect_language(text: str, fallback: str | None = None) -> str | None:
    """'ko' or 'en' from the letters of `text`; `fallback` when it has no letters."""
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    if hangul == 0 and latin == 0:
        return fallback
    # Korean questions quote English terms at any length ("Codex full access mode 켜도
    # 돼?"); a Hangul syllable means a Korean sentence, and its member reads Korean. Jamo
    # alone ("ㅋㅋ") are laughter, not a sentence: then the letters are weighed, a jamo
    # carrying about as much as two or three Latin letters.
    if _SYLLABLE.search(text):
        return "ko"
    return "ko" if hangul * 3 >= latin else "en"
