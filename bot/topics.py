"""Finding a topic from what a member types into a picker: its number or part of its title.

Shared by the platform adapters (Discord autocomplete, a Slack picker) so that a title in
either language finds the same topic everywhere.
"""

from __future__ import annotations

import re
import unicodedata

from bot.engine import AnswerEngine
from bot.knowledge import Section

# What a picker sends back: "talk:number" (unambiguous with several talks) or a number.
_TOPIC_ID = re.compile(r"(?:(?P<talk>[\w.-]+):)?(?P<number>\d{1,4})")


def topic_id(section: Section) -> str:
    """The value a picker stores for a topic, read back by `find_topic`."""
    return f"{section.talk}:{section.number}"


def matching_topics(engine: AnswerEngine, typed: str, lang: str) -> tuple[Section, ...]:
    """Topics (shown in `lang`) whose number, or title in any language, contains `typed`."""
    topics = engine.topics(lang)
    wanted = _fold(typed)
    if not wanted:
        return topics
    keys = {
        (s.talk, s.number)
        for language in engine.knowledge.languages
        for s in engine.topics(language)
        if wanted in _fold(s.title) or wanted == str(s.number)
    }
    return tuple(s for s in topics if (s.talk, s.number) in keys)


def find_topic(engine: AnswerEngine, typed: str, lang: str) -> Section | None:
    """The topic a picker value or typed text names, or None.

    A number (or `talk:number`) gives that topic in `lang`; a title gives the topic in the
    language of the title that matched (exactly first, then as a part), trying `lang` first.
    """
    number = _TOPIC_ID.fullmatch(typed.strip())
    if number:
        talks = engine.knowledge.talks
        talk = number["talk"] or (talks[0] if talks else "")
        return next(
            (
                s
                for s in engine.topics(lang)
                if s.talk == talk and s.number == int(number["number"])
            ),
            None,
        )
    wanted = _fold(typed)
    if not wanted:
        return None
    languages = [lang, *(x for x in engine.knowledge.languages if x != lang)]
    candidates = [s for language in languages for s in engine.topics(language)]
    exact = next((s for s in candidates if _fold(s.title) == wanted), None)
    return exact or next((s for s in candidates if wanted in _fold(s.title)), None)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
