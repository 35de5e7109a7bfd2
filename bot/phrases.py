"""The bot's own words in each language; platform renderers pick from here."""

from __future__ import annotations

from typing import Final

PHRASES: Final[dict[str, dict[str, str]]] = {
    "not_found": {
        "ko": "Town Hall에서 그 내용을 찾지 못했어요.",
        "en": "I couldn't find that in the Town Hall.",
    },
    "try_topics": {
        "ko": "이런 주제로 물어보세요:",
        "en": "Try asking about one of these topics:",
    },
    "related": {"ko": "관련 주제", "en": "Related topics"},
    "watch": {"ko": "영상 보기", "en": "Watch the video"},
    "section": {"ko": "{number}번 주제", "en": "Topic {number}"},
    "topics_heading": {"ko": "Town Hall 주제", "en": "Town Hall topics"},
    "insight_title": {"ko": "Town Hall 인사이트 #{number}", "en": "Town Hall insight #{number}"},
    "empty_question": {
        "ko": "질문을 입력해 주세요. 예: {example}",
        "en": "Please type a question, for example: {example}",
    },
    "example_question": {
        "ko": "OpenAI는 채용을 어떻게 바꾸나요?",
        "en": "What did Sam Altman say about hiring?",
    },
    "cooldown": {
        "ko": "잠시 후 다시 물어봐 주세요 ({seconds:.0f}초).",
        "en": "Please wait a moment before asking again ({seconds:.0f}s).",
    },
    "error": {
        "ko": "죄송해요, 답변하는 중에 문제가 생겼어요. 잠시 후 다시 시도해 주세요.",
        "en": "Sorry, something went wrong while answering. Please try again shortly.",
    },
}


def phrase(key: str, lang: str, **values: object) -> str:
    """The phrase `key` in `lang` (English when the language has none), filled in."""
    options = PHRASES[key]
    text = options.get(lang) or options["en"]
    return text.format(**values) if values else text
