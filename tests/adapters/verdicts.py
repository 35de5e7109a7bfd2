"""Answers with a chosen verdict, for the adapters' end-to-end tests of each layout.

`pick_question` finds, by asking the engine, a question that gets a verdict (the engine
decides; no test says which verdict a real question gets). `FixedAnswers` answers every
question with one constructed Answer, so a layout can be tested through the real client
even when no real question gets that verdict today.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.answers import Answers
from bot.engine import Answer, AnswerEngine, Hit, Verdict
from bot.knowledge import Knowledge
from bot.runner import Runner

# Everyday questions of every kind: on-topic, near the talk, and far from it.
CANDIDATES = (
    "What is the weather like in Paris tomorrow?",
    "What is the best pizza in Naples?",
    "오늘 서울 날씨 어때?",
    "Does GPT-5.2 accept image input?",
    "What is GPT-5.2's release date?",
    "오픈AI 본사는 어디에 있어요?",
    "did he say anyting about teh chess thing",
    "코덱스 전체 권한 켠 얘기",
    "Will robots do my laundry?",
    "How much does ChatGPT cost per month?",
    "Is OpenAI going to hire fewer people?",
    "OpenAI는 앞으로 채용 속도를 어떻게 하나요?",
)


def pick_question(
    engine: AnswerEngine, verdict: Verdict, *, lang: str | None = None, with_hits: bool = True
) -> str | None:
    """The first candidate the engine gives `verdict` (with at least one hit), if any."""
    for question in CANDIDATES:
        answer = engine.ask(question)
        if answer.verdict is not verdict or (with_hits and not answer.hits):
            continue
        if lang is None or answer.lang == lang:
            return question
    return None


def constructed(
    knowledge: Knowledge, verdict: Verdict, numbers: Sequence[int], *, lang: str = "en"
) -> Answer:
    """An answer offering these topics of the shipped talk, best first, with `verdict`."""
    talk = knowledge.default_talk
    hits = []
    for number in numbers:
        section = knowledge.section(talk, number, lang)
        assert section is not None
        hits.append(Hit(section, 1.0, section.passages[0].text))
    return Answer("a question", lang, verdict, tuple(hits))


class FixedAnswers(Answers):
    """Answers every question with `answer`, keeping the member's question text."""

    def __init__(self, engine: AnswerEngine, runner: Runner, answer: Answer) -> None:
        super().__init__(engine, runner)
        self.answer = answer

    async def ask(self, question: str, lang: str | None = None) -> Answer:
        return Answer(question, self.answer.lang, self.answer.verdict, self.answer.hits)
