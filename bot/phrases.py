"""The bot's own words in each language; platform renderers pick from here."""

from __future__ import annotations

from typing import Final

PHRASES: Final[dict[str, dict[str, str]]] = {
    "not_found": {
        "ko": "Town Hall에서 그 내용을 찾지 못했어요.",
        "en": "I couldn't find that in the Town Hall.",
    },
    "not_sure": {
        "ko": "Town Hall이 정확히 이 질문에 답하는지는 확실하지 않아요. 가장 가까운 주제:",
        "en": "I'm not sure the Town Hall answers exactly this. The closest topics:",
    },
    "try_topics": {
        "ko": "이런 주제로 물어보세요:",
        "en": "Try asking about one of these topics:",
    },
    "closest_title": {
        "ko": "Town Hall이 이 질문에 정확히 답하는지는 확실하지 않아요 — 가장 가까운 주제예요",
        "en": "Not sure the Town Hall answers exactly this — the closest topics",
    },
    # After "couldn't find" when not even a near topic came up.
    "all_topics_hint": {
        "ko": "/topics 로 전체 주제를 볼 수 있어요.",
        "en": "/topics lists every topic.",
    },
    "slack_examples_hint": {
        "ko": "`/townhall` 만 입력하면 예시 질문을 볼 수 있어요.",
        "en": "Type `/townhall` alone to see example questions.",
    },
    "related": {"ko": "관련 주제", "en": "Related topics"},
    "watch": {"ko": "영상 보기", "en": "Watch the video"},
    "section": {"ko": "{number}번 주제", "en": "Topic {number}"},
    "topics_heading": {"ko": "Town Hall 주제", "en": "Town Hall topics"},
    "insight_unavailable": {
        "ko": "오늘의 인사이트를 지금은 불러올 수 없어요. 잠시 후 다시 시도해 주세요. "
        "질문에는 계속 답할 수 있어요.",
        "en": "Today's insight can't be loaded right now; please try again shortly. "
        "Questions are still answered.",
    },
    "insight_title": {"ko": "Town Hall 인사이트 #{number}", "en": "Town Hall insight #{number}"},
    "empty_question": {
        "ko": "질문을 입력해 주세요. 예: {example}",
        "en": "Please type a question, for example: {example}",
    },
    "example_question": {
        "ko": "OpenAI는 채용을 어떻게 바꾸나요?",
        "en": "What did Sam Altman say about hiring?",
    },
    "example_questions": {
        # One question a line; each is checked to find its topic (tests/adapters/slack).
        "ko": "OpenAI는 채용을 어떻게 바꾸나요?\n"
        "대학 교육은 여전히 가치가 있나요?\n"
        "에이전트를 프로덕션에 쓰면 어떤 위험이 있나요?",
        "en": "How will OpenAI change its hiring?\n"
        "Is a college education still worth it?\n"
        "What are the risks of agents in production?",
    },
    "examples_heading": {"ko": "예시 질문", "en": "Example questions"},
    "help_title": {"ko": "Town Hall 봇", "en": "Town Hall bot"},
    "slack_help": {
        "ko": "OpenAI Town Hall(2026년 1월, Sam Altman)에 대해 물어보세요. "
        "저를 멘션하거나 DM을 보내거나 `/townhall 질문`을 입력하면 요약에서 답을 찾아 드려요.",
        "en": "Ask me about the OpenAI Town Hall (January 2026, Sam Altman). "
        "Mention me, send me a direct message, or type `/townhall your question` "
        "and I'll answer from the summary.",
    },
    "you_asked": {"ko": "질문: {question}", "en": "You asked: {question}"},
    "cooldown": {
        "ko": "잠시 후 다시 물어봐 주세요 ({seconds:.0f}초).",
        "en": "Please wait a moment before asking again ({seconds:.0f}s).",
    },
    "restarting": {
        "ko": "봇이 잠시 다시 시작하는 중이에요. 1분 뒤에 다시 물어봐 주세요.",
        "en": "The bot is restarting. Please ask again in a minute.",
    },
    "error": {
        "ko": "죄송해요, 답변하는 중에 문제가 생겼어요. 잠시 후 다시 시도해 주세요.",
        "en": "Sorry, something went wrong while answering. Please try again shortly.",
    },
    # Private acknowledgements of a 👍 / 👎 on an answer.
    "vote_thanks": {
        "ko": "피드백 고마워요! 답변 개선에 참고할게요.",
        "en": "Thanks for the feedback! It helps improve the answers.",
    },
    "vote_changed": {
        "ko": "피드백을 바꿨어요. 고마워요!",
        "en": "Your feedback is updated. Thanks!",
    },
    "vote_other_topics": {
        "ko": "이 주제들이 도움이 될 수도 있어요:",
        "en": "One of these topics may help:",
    },
    "vote_unavailable": {
        "ko": "지금은 피드백을 저장할 수 없어요. 잠시 후 다시 눌러 주세요.",
        "en": "Your feedback could not be saved right now. Please try again shortly.",
    },
    "topic_gone": {
        "ko": "이 버튼의 주제는 이제 요약에 없어요. /topics 로 전체 주제를 볼 수 있어요.",
        "en": "This button's topic is no longer in the summary. /topics lists them all.",
    },
    "topic_not_found": {
        "ko": "“{name}”에 해당하는 주제가 없어요. /topics 로 전체 주제를 볼 수 있어요.",
        "en": "No topic matches “{name}”. /topics lists them all.",
    },
    "read_topic": {"ko": "주제 전체 보기", "en": "Read the whole topic"},
    # Slash command and option descriptions (Discord allows 100 characters each).
    "command_ask": {
        "ko": "OpenAI Town Hall(2026년 1월)에 대해 질문하기",
        "en": "Ask about the OpenAI Town Hall (January 2026)",
    },
    "option_question": {
        "ko": "질문 (한국어 또는 영어)",
        "en": "Your question, in English or Korean",
    },
    "option_private": {"ko": "나에게만 답변 보이기", "en": "Show the answer only to you"},
    "command_topics": {"ko": "Town Hall 주제 목록 보기", "en": "List the Town Hall topics"},
    "command_topic": {"ko": "Town Hall 주제 하나 보기", "en": "Show one Town Hall topic"},
    "option_topic": {"ko": "주제 제목 또는 번호", "en": "Topic title or number"},
    "command_insight": {"ko": "오늘의 Town Hall 인사이트", "en": "Today's Town Hall insight"},
}


def phrase(key: str, lang: str, **values: object) -> str:
    """The phrase `key` in `lang` (English when the language has none), filled in."""
    options = PHRASES[key]
    text = options.get(lang) or options["en"]
    return text.format(**values) if values else text
