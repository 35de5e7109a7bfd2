"""The platform-neutral usage values an adapter hands to the recorder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.engine import Answer
from bot.knowledge import Knowledge, Section
from bot.knowledge.topics import topic_named


class ChannelKind(StrEnum):
    """Where a question was asked."""

    CHANNEL = "channel"
    THREAD = "thread"
    DM = "dm"
    # A reply only the asker sees (Discord `private:true`, Slack `/townhall`).
    PRIVATE = "private"


class Vote(StrEnum):
    """A member's rating of an answer."""

    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class Asked:
    """One question answered on a platform: where, and the engine's answer.

    Carries no member id: a question is never tied to who asked it.
    """

    answer_id: str
    platform: str
    community: str | None  # the guild or team id
    channel_kind: ChannelKind
    answer: Answer


@dataclass(frozen=True)
class Ballot:
    """A member's 👍 or 👎 on an answer; `member` is the platform's id, hashed before storing."""

    answer_id: str
    platform: str
    member: str
    vote: Vote


def sections_named(knowledge: Knowledge, topics: Sequence[str], lang: str) -> list[Section]:
    """The sections the usage records name (each a `topic_id`), in `lang`; gone ones left out."""
    found = (topic_named(knowledge, topic, lang) for topic in topics)
    return [section for section in found if section is not None]
