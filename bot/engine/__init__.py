"""The answer engine: analysis, BM25 ranking, excerpts, and the answer it returns."""

from bot.engine.answer import Answer, Hit, Verdict
from bot.engine.engine import AnswerEngine
from bot.engine.question import Question, QuestionError, clean_question

__all__ = [
    "Answer",
    "AnswerEngine",
    "Hit",
    "Question",
    "QuestionError",
    "Verdict",
    "clean_question",
]
