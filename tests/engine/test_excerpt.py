"""Sentence splitting keeps each sentence's own punctuation, closing quotes included."""

from bot.engine.excerpt import sentences


def test_closing_quote_stays_with_its_sentence() -> None:
    text = 'He said "this is a memory." Then he left. (It was late.) 끝났습니다." 다음'
    assert sentences(text) == [
        'He said "this is a memory."',
        "Then he left.",
        "(It was late.)",
        '끝났습니다."',
        "다음",
    ]


def test_numbers_with_dots_are_not_sentence_ends() -> None:
    assert sentences("GPT 5.2 is out. It costs 1/100 less.") == [
        "GPT 5.2 is out.",
        "It costs 1/100 less.",
    ]
