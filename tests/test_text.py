"""The shared text helpers: sentences, shortening at a word, text safe to encode."""

from __future__ import annotations

import pytest

from bot.text import ELLIPSIS, encodable, one_line, sentences, shorten


def test_shorten_cuts_at_the_last_word_boundary_and_marks_the_cut() -> None:
    assert shorten("alpha beta gamma", 12) == "alpha beta" + ELLIPSIS


def test_shorten_keeps_text_exactly_at_the_limit() -> None:
    assert shorten("a" * 20, 20) == "a" * 20


def test_shorten_cuts_a_long_word_when_no_space_is_near_the_end() -> None:
    assert shorten("a" * 21, 20) == "a" * 19 + ELLIPSIS


def test_shorten_drops_dangling_punctuation_before_the_ellipsis() -> None:
    assert shorten("first part, second part", 13) == "first part" + ELLIPSIS


@pytest.mark.parametrize("limit", [1, 2, 5, 17, 40])
def test_shorten_counts_what_the_measure_counts(limit: int) -> None:
    doubled = lambda text: 2 * len(text)  # noqa: E731 - e.g. every character escaped as two
    cut = shorten("word " * 20, limit, measure=doubled)
    assert doubled(cut.removesuffix(ELLIPSIS)) + len(ELLIPSIS) <= limit


def test_sentences_are_shared_with_the_engine() -> None:
    from bot.engine import excerpt

    assert excerpt.sentences is sentences
    assert sentences("One. Two!") == ["One.", "Two!"]


def test_one_line_joins_every_kind_of_white_space() -> None:
    assert one_line(" a\n\tb  c\r\n") == "a b c"


def test_encodable_replaces_lone_surrogates_and_keeps_everything_else() -> None:
    text = "채용 \udceb hiring 🙂"
    assert encodable(text) == "채용 \ufffd hiring 🙂"
    assert encodable(text).encode("utf-8")
