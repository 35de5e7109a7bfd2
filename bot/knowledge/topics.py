"""Finding a topic from what a member types or picks: its number, or part of its title.

Discord's /topic and its autocomplete and Slack's topic buttons go through here, so a
title in either language finds the same topic everywhere. A topic is stored as its
`topic_id` ("talk:number": in button values and the usage records) and read back with
`find_topic` or `topic_named`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from bot.knowledge.model import Knowledge, Section

# The most digits a topic number has (a stored one with more is damaged, and int() refuses
# more than 4,300 digits anyway).
TOPIC_DIGITS = 4
# What a picker or a button sends back: "talk:number" (unambiguous with several talks) or
# a bare number, which means a topic of the default talk.
_TOPIC_ID = re.compile(rf"(?:(?P<talk>[\w.-]+):)?(?P<number>\d{{1,{TOPIC_DIGITS}}})")


def topic_id(section: Section) -> str:
    """The value a picker or button stores for a topic, read back by `find_topic`."""
    return f"{section.talk}:{section.number}"


def topic_named(knowledge: Knowledge, topic: str, lang: str) -> Section | None:
    """The section a stored `topic_id` ("talk:number") names, in `lang`; None if gone."""
    talk, _, number = topic.rpartition(":")
    # isdigit alone takes "²", which int() refuses.
    readable = number.isascii() and number.isdigit() and len(number) <= TOPIC_DIGITS
    return knowledge.section(talk, int(number), lang) if readable else None


def topic_label(number: object, title: object) -> str:
    """A stored topic as `townhall stats` and its page name it: "19. Title", or removed."""
    # The report gives a topic the knowledge no longer has no number, and its stored
    # topic_id as the title.
    return f"{number}. {title}" if number is not None else f"(removed topic {title})"


# Hex digits of a title's mark: enough to tell a talk's few dozen titles apart, short enough
# for a Discord custom id (100 characters).
TITLE_MARK_CHARS = 8


def title_mark(section: Section) -> str:
    """A short hash of the section's title, stored with its number on a button."""
    digest = hashlib.sha256(_fold(section.title).encode()).hexdigest()
    return digest[:TITLE_MARK_CHARS]


def marked_topic(
    knowledge: Knowledge, talk: str, number: int, lang: str, mark: str | None
) -> Section | None:
    """The section a button names: `talk`'s section `number` in `lang` while its title still
    has `mark` (or the button has none), else the section of `talk` whose title has it.

    After an edit renumbers the topics, a number alone would show another topic than the
    button's label; None when no section has the title any more.
    """
    numbered = knowledge.section(talk, number, lang)
    if mark is None or (numbered is not None and title_mark(numbered) == mark):
        return numbered
    return next(
        (
            s
            for s in knowledge.sections(knowledge.language(lang))
            if s.talk == talk and title_mark(s) == mark
        ),
        None,
    )


def matching_topics(knowledge: Knowledge, typed: str, lang: str) -> tuple[Section, ...]:
    """Topics (shown in `lang`) whose number, or title in any language, contains `typed`."""
    topics = knowledge.topics(lang)
    wanted = _fold(typed)
    if not wanted:
        return topics
    keys = {
        (s.talk, s.number)
        for language in knowledge.languages
        for s in knowledge.topics(language)
        if wanted in _fold(s.title) or wanted == str(s.number)
    }
    return tuple(s for s in topics if (s.talk, s.number) in keys)


def find_topic(knowledge: Knowledge, typed: str, lang: str) -> Section | None:
    """The topic a picker value or typed text names, or None.

    A number (or `talk:number`) gives that topic in `lang`; a title gives the topic in the
    language of the title that matched (exactly first, then as a part), trying `lang` first.
    """
    number = _TOPIC_ID.fullmatch(typed.strip())
    if number:
        talk = number["talk"] or knowledge.default_talk
        return next(
            (
                s
                # Every section, the introduction too: the engine may offer it as the
                # nearest topic to a question about the talk itself.
                for s in knowledge.sections(knowledge.language(lang))
                if s.talk == talk and s.number == int(number["number"])
            ),
            None,
        )
    wanted = _fold(typed)
    if not wanted:
        return None
    languages = [lang, *(x for x in knowledge.languages if x != lang)]
    candidates = [s for language in languages for s in knowledge.topics(language)]
    exact = next((s for s in candidates if _fold(s.title) == wanted), None)
    return exact or next((s for s in candidates if wanted in _fold(s.title)), None)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
