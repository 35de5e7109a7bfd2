"""A member's question as typed, cleaned of what is not words about the talk."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Long enough for any real question; a pasted essay is cut here before analysis so
# one huge message costs no more than a normal one.
MAX_ANALYZED_CHARS = 1000

_MENTION = re.compile(
    r"<[@#!][^<>]{0,100}>"  # Discord <@123>, <#chan>, Slack <!channel>, <@U123|Kim Minsu>
    r"|<:[\w~]+:\d+>"  # Discord custom emoji
    r"|@(?:everyone|here|channel)\b",
    re.IGNORECASE,
)
# A link as Slack sends every one (<https://x> or <https://x|label>, <mailto:a@b|a@b>,
# <tel:...>) and as Discord members write one to suppress its preview (<https://x>), or
# bare. A web link's label keeps its words; an address's label is the address itself.
_BRACKETED_LINK = re.compile(r"<([A-Za-z][\w+.-]*):[^|<>\s]*(?:\|([^<>]*))?>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# An e-mail address: a member's, never words about the talk (and not to be kept). ASCII
# only, ending in a domain of letters ("bob@gmail.com으로" loses the address, not 으로);
# "채용@OpenAI.속도" is words.
# The look-behinds start a match only where a run of its characters starts: a later start
# in the same run can match only where the first did, and trying each one made a long run
# of letters (thousands, in one message) cost time quadratic in its length.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_MARKUP = re.compile(r"[*_`~|>#\[\]()]+")
# What kept text loses besides (see kept_words): an address whatever its local part
# ("민수@corp.example"), and a bare domain with or without a path ("acme.io/jobs",
# "ChatGPT.com"). Too eager for the engine's words ("Node.js" goes), right for stored text.
_ANY_ADDRESS = re.compile(r"(?<![^\s@<>])[^\s@<>]*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")
# A run of over 64 characters without a space is no word a member typed but a link, a
# token or junk: kept text drops it whole, and the patterns then only see short runs.
_LONG_RUN = re.compile(r"\S{65,}")
_BARE_DOMAIN = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?(?:/\S*)?")
# Half of a UTF-16 pair on its own: what undecodable bytes become in a str
# ("surrogateescape", a "\udceb" escape in JSON). It cannot be encoded or printed.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


class QuestionError(ValueError):
    """A question that cannot be asked: empty, or nothing left once mentions, links and
    markup are removed."""


@dataclass(frozen=True)
class Question:
    """The text as the member typed it (printable) and the words the engine analyzes."""

    raw: str
    words: str


def clean_question(raw: str) -> Question:
    """Strip mentions, links, markup and control characters; refuse a question of none else.

    Lone surrogates become U+FFFD in both texts, so the question can be printed and
    encoded anywhere it is shown again.
    """
    raw = _LONE_SURROGATE.sub(REPLACEMENT, raw)
    if not raw or not raw.strip():
        raise QuestionError("the question is empty")
    text = raw[: MAX_ANALYZED_CHARS * 4]
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    text = _MENTION.sub(" ", text)
    text = _BRACKETED_LINK.sub(_link_label, text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    words = " ".join(text.split())[:MAX_ANALYZED_CHARS]
    if not words:
        # "@everyone" or a bare link asks nothing: say so rather than "not in the talk".
        raise QuestionError("the question has no words, only mentions, links or markup")
    return Question(raw=raw, words=words)


def _link_label(link: re.Match[str]) -> str:
    """What is left of a bracketed link: a web link's label, else nothing."""
    scheme, label = link.group(1).lower(), link.group(2)
    return f" {label} " if label and scheme in ("http", "https") else " "


def kept_words(raw: str) -> str:
    """The words of a question fit to store: no mention, link, link label or address.

    Not the engine's words (clean_question): changing those would change the answers.
    """
    text = _LONE_SURROGATE.sub(REPLACEMENT, raw)[: MAX_ANALYZED_CHARS * 4]
    # NFKC first: full-width "ｈｔｔｐｓ：／／", "ｋｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ" and
    # "＠everyone" become what the patterns below find only once normalized.
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    text = _MENTION.sub(" ", text)
    text = _BRACKETED_LINK.sub(_kept_label, text)
    for pattern in (_LONG_RUN, _URL, _ANY_ADDRESS, _EMAIL, _BARE_DOMAIN, _MARKUP):
        text = pattern.sub(" ", text)
    return " ".join(text.split())[:MAX_ANALYZED_CHARS]


def _kept_label(link: re.Match[str]) -> str:
    """A web link's label when it is words; nothing when it is (part of) the link itself."""
    label = _link_label(link).strip()
    # Slack sends a typed "acme.io/x" as <http://acme.io/x|acme.io/x>: the label is the link.
    return " " if not label or label in link.group(0)[: -len(label) - 2] else f" {label} "
