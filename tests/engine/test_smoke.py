"""The engine answers the shipped knowledge in the asker's language."""

from bot.engine import AnswerEngine


def test_korean_question_gets_korean_section(engine: AnswerEngine) -> None:
    answer = engine.ask("OpenAI는 앞으로 채용 속도를 어떻게 하나요?")
    assert answer.lang == "ko"
    assert answer.best is not None
    assert answer.best.number == 19
    assert "채용" in answer.best.excerpt


def test_english_question_gets_english_section(engine: AnswerEngine) -> None:
    answer = engine.ask("Is OpenAI going to hire fewer people?")
    assert answer.lang == "en"
    assert answer.best is not None
    assert answer.best.number == 19
