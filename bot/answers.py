"""What every platform asks of the core: answers on the engine's lane, and the knowledge."""

from __future__ import annotations

from bot.engine import Answer, AnswerEngine
from bot.knowledge import Knowledge
from bot.runner import Runner


class Answers:
    """The answer engine behind its runner: questions are answered off the event loop.

    One instance serves every platform in the process, so Discord and Slack questions
    queue on the same engine thread and get exactly the answers they would get alone.
    """

    def __init__(self, engine: AnswerEngine, runner: Runner) -> None:
        self.engine = engine
        self.runner = runner

    @property
    def knowledge(self) -> Knowledge:
        """The knowledge the answers come from (topics, titles, sections)."""
        return self.engine.knowledge

    async def ask(self, question: str, lang: str | None = None) -> Answer:
        """The engine's answer; `lang` is used only when the question has no letters.

        Raises QuestionError for an empty question, as the engine does.
        """
        return await self.runner.run(self.engine.ask, question, lang)
