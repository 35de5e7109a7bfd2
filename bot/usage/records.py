"""The platform-neutral usage values an adapter hands to the recorder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.engine import Answer
from bot.knowledge import Knowledge, Section


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


def section_key(section: Section) -> str:
    """How a section is named in the usage records: "talk:number"."""
    return f"{section.talk}:{section.number}"


def sections_named(knowledge: Knowledge, keys: Sequence[str], lang: str) -> list[Section]:
    """The sections the usage records name ("talk:number"), in `lang`; unknown ones left out."""
    found = []
    for key in keys:
        talk, _, number = key.rpartition(":")
        section = knowledge.section(talk, int(number), lang) if number.isdigit() else None
        if section is not None:
            found.append(section)
    return found
