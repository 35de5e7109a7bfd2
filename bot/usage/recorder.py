"""The recorder: usage written through the store's lane without ever holding up an answer."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.engine import QuestionError, clean_question
from bot.knowledge.topics import topic_id
from bot.store.errors import StoreUnavailableError
from bot.store.usage import QuestionRow, VoteRow
from bot.usage.records import Asked, Ballot, Vote

if TYPE_CHECKING:
    from bot.store.lane import AsyncStore

log = logging.getLogger(__name__)

# The HMAC key for member ids, in the store's named values: created once by whichever
# process needs it first (add-if-absent), so every replica hashes a member alike.
MEMBER_KEY = "usage_member_key"
# What new_answer_id makes (16 hex digits); a button carrying anything else is refused.
ANSWER_ID = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True)
class VoteOutcome:
    """What a vote did: the member's vote before it, and the answer's record (if kept)."""

    previous: Vote | None
    question: QuestionRow | None


class UsageRecorder:
    """Records questions in the background and votes on request, on the store's lane."""

    def __init__(self, store: AsyncStore, clock: Clock, *, keep_questions: bool) -> None:
        self.store = store
        self._clock = clock
        self.keep_questions = keep_questions
        self._pending: set[asyncio.Task[None]] = set()
        self._key: bytes | None = None

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
        member = await self.member_hash(ballot.platform, ballot.member)
        row = VoteRow(ballot.answer_id, member, ballot.vote.value, self._clock.now())
        previous = await self.store.usage.vote(row)
        question = await self.store.usage.question(ballot.answer_id)
        return VoteOutcome(None if previous is None else Vote(previous), question)

    async def member_hash(self, platform: str, member: str) -> str:
        """The keyed hash standing for a member: the same on every replica, not reversible."""
        if self._key is None:
            stored = await self.store.values.add(MEMBER_KEY, secrets.token_hex(32))
            self._key = bytes.fromhex(stored)
        message = f"{platform}:{member}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

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


def kept_text(question: str) -> str | None:
    """The words of a question as kept: no mentions (member ids), links or markup."""
    try:
        return clean_question(question).words or None
    except QuestionError:
        return None
