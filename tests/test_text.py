"""The shared text helpers: sentences, shortening at a word, text safe to encode, UTF-8 files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.text import ELLIPSIS, NotUtf8Error, encodable, one_line, sentences, shorten, utf8_text


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


def test_utf8_text_names_the_line_of_the_first_byte_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.env"
    path.write_bytes(b"A=1\r\nB=\xc3\xa9\nC=caf\xe9\nD=\xff\n")
    with pytest.raises(NotUtf8Error) as caught:
        utf8_text(path)
    assert (caught.value.line, caught.value.reason) == (3, "invalid continuation byte")
    assert str(caught.value) == f"{path}:3: not UTF-8 text (invalid continuation byte)"
    path.write_bytes(b"A=1\r\nB=\xc3\xa9\n")
    assert utf8_text(path) == "A=1\r\nB=\u00e9\n"
    path.write_bytes(b"\xef\xbb\xbf---\n")  # a byte order mark, as Windows editors write
    assert utf8_text(path) == "---\n"
