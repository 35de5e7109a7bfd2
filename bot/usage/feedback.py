"""What a member is told after pressing 👍 or 👎: decided once, rendered by each platform."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.knowledge import Knowledge, Section
from bot.phrases import phrase
from bot.store import StoreUnavailableError
from bot.usage.recorder import UsageRecorder
from bot.usage.records import Ballot, Vote, sections_named

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Acknowledgement:
    """The private reply to a vote: its text, the other topics a 👎 offers, whether it was kept."""

    text: str
    others: tuple[Section, ...] = ()
    kept: bool = True


async def acknowledge(
    usage: UsageRecorder | None, knowledge: Knowledge, ballot: Ballot, lang: str
) -> Acknowledgement:
    """Store `ballot` and say so in the answer's language (`lang` when it is not known).

    A 👎 also offers the answer's other nearest topics. With recording off or the database
    unavailable, the member is told the vote could not be kept; nothing raises.
    """
    if usage is None:
        return Acknowledgement(phrase("vote_unavailable", lang), kept=False)
    try:
        outcome = await usage.vote(ballot)
    except StoreUnavailableError as error:
        log.warning("vote not stored: %s", error, extra={"platform": ballot.platform})
        return Acknowledgement(phrase("vote_unavailable", lang), kept=False)
    question = outcome.question
    if question is not None:
        lang = question.lang
    changed = outcome.previous is not None and outcome.previous is not ballot.vote
    text = phrase("vote_changed" if changed else "vote_thanks", lang)
    if ballot.vote is not Vote.DOWN or question is None:
        return Acknowledgement(text)
    return Acknowledgement(text, tuple(sections_named(knowledge, question.sections[1:], lang)))
