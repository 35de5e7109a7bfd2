"""Which language a question is in."""

from __future__ import annotations

import re

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, fallback: str | None = None) -> str | None:
    """'ko' or 'en' from the letters of `text`; `fallback` when it has no letters."""
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    if hangul == 0 and latin == 0:
        return fallback
    # A Hangul syllable carries about as much as two or three Latin letters, and Korean
    # questions often quote English product names ("Codex를 쓰면서").
    return "ko" if hangul * 3 >= latin else "en"
