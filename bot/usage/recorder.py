"""The recorder: usage written through the store's lane without ever holding up an answer."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.engine.question import kept_words
from bot.knowledge.topics import topic_id
from bot.store.errors import StoreUnavailableError
from bot.store.usage import QuestionRow, VoteRow
from bot.usage.records import Asked, Ballot, Vote

if TYPE_CHECKING:
    from bot.store.lane import AsyncStore

log = logging.getLogger(__name__)

# What a platform's vote key is derived from its bot token with (see vote_keys).
VOTE_KEY_LABEL = b"townhall: the key that hashes members' votes, v1"
# What new_answer_id makes (16 hex digits); a button carrying anything else is refused.
ANSWER_ID = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True)
class VoteOutcome:
    """What a vote did: the member's vote before it, and the answer's record (if kept)."""

    previous: Vote | None
    question: QuestionRow | None


class UsageRecorder:
    """Records questions in the background and votes on request, on the store's lane."""

    def __init__(
        self,
        store: AsyncStore,
        clock: Clock,
        *,
        keep_questions: bool,
        vote_keys: Mapping[str, bytes],
    ) -> None:
        self.store = store
        self._clock = clock
        self.keep_questions = keep_questions
        self._pending: set[asyncio.Task[None]] = set()
        self._vote_keys = dict(vote_keys)

    def new_answer_id(self) -> str:
        """A fresh id for an answer about to be sent (its feedback buttons carry it)."""
        return secrets.token_hex(8)

    def record(self, asked: Asked) -> None:
        """Write `asked` in the background; a failure is logged and never reaches the member."""
        task = asyncio.create_task(self._write(asked), name=f"usage-{asked.answer_id}")
        self._pending.add(task)
        task.add_done_callback(self._finished)

    async def settle(self) -> None:
        """Wait for the records still being written (tests, and a clean stop)."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        # _write logs an unavailable database itself; anything else (a conflict the store
        # re-raises, a bug) would otherwise surface only as "exception never retrieved".
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error(
                "could not record a question",
                exc_info=(type(error), error, error.__traceback__),
                extra={"task": task.get_name()},
            )

    async def vote(self, ballot: Ballot) -> VoteOutcome:
        """Store the member's vote (replacing theirs); raises StoreUnavailableError."""
        member = self.member_hash(ballot.platform, ballot.member, ballot.answer_id)
        row = VoteRow(ballot.answer_id, member, ballot.vote.value, self._clock.now())
        previous = await self.store.usage.vote(row)
        question = await self.store.usage.question(ballot.answer_id)
        return VoteOutcome(None if previous is None else Vote(previous), question)

    def member_hash(self, platform: str, member: str, answer_id: str) -> str:
        """The keyed hash standing for a member's vote on one answer, alike on every replica.

        The key is not in the database, so a copy of it (a backup) cannot be matched against
        a member list; and the answer is in the hash, so one member's votes on different
        answers cannot be linked to each other.
        """
        message = f"{member}:{answer_id}".encode()
        return hmac.new(self._vote_keys[platform], message, hashlib.sha256).hexdigest()

    async def _write(self, asked: Asked) -> None:
        answer = asked.answer
        row = QuestionRow(
            answer_id=asked.answer_id,
            asked=self._clock.now(),
            platform=asked.platform,
            community=asked.community,
            channel_kind=asked.channel_kind.value,
            lang=answer.lang,
            verdict=answer.verdict.value,
            sections=tuple(topic_id(hit.section) for hit in answer.hits),
            question=kept_text(answer.question) if self.keep_questions else None,
        )
        try:
            await self.store.usage.record(row)
        except StoreUnavailableError as error:
            log.warning(
                "could not record a question: %s",
                error,
                extra={"answer_id": asked.answer_id, "platform": asked.platform},
            )


def vote_keys(bot_tokens: Mapping[str, str]) -> dict[str, bytes]:
    """Each platform's vote key, derived from its bot token (which every replica has).

    A new token means a new key: a member who voted before it may vote once more on
    an answer from before it.
    """
    return {
        platform: hmac.new(token.encode(), VOTE_KEY_LABEL, hashlib.sha256).digest()
        for platform, token in bot_tokens.items()
    }


def kept_text(question: str) -> str | None:
    """The words of a question as kept: no mentions (member ids), links, addresses or markup."""
    return kept_words(question) or None
