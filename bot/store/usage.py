"""Usage records: one row per question answered on a platform, and the members' votes.

The rows carry no member id (votes carry a keyed hash made by bot/usage) and the question's
text only when the admin keeps it; `forget_questions` clears the text past the retention
(or all of it once the admin stops keeping it).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Row, RowMapping, select, update

from bot.store.database import Database
from bot.store.schema import questions, votes
from bot.store.stamps import moment, stamp

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class QuestionRow:
    """One answered question as stored."""

    answer_id: str
    asked: dt.datetime
    platform: str
    community: str | None
    channel_kind: str
    lang: str
    verdict: str
    sections: tuple[str, ...]  # "talk:number", best first
    question: str | None


@dataclass(frozen=True)
class VoteRow:
    """One member's vote on one answer; `member` is the keyed hash."""

    answer_id: str
    member: str
    vote: str
    voted: dt.datetime


class UsageRecords:
    """Questions and votes, shared by every process and replica on the database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def record(self, row: QuestionRow) -> None:
        """Store one answered question (a repeated answer id changes nothing)."""
        insert = self._db.insert(questions).values(
            answer_id=row.answer_id,
            asked=stamp(row.asked),
            platform=row.platform,
            community=row.community,
            channel_kind=row.channel_kind,
            lang=row.lang,
            verdict=row.verdict,
            sections=",".join(row.sections),
            question=row.question,
        )
        with self._db.write() as connection:
            connection.execute(insert.on_conflict_do_nothing(index_elements=["answer_id"]))

    def question(self, answer_id: str) -> QuestionRow | None:
        """The question answered under `answer_id`, if it was recorded."""
        with self._db.read() as connection:
            row = connection.execute(
                select(questions).where(questions.c.answer_id == answer_id)
            ).first()
        found = _readable([row] if row else [], lambda row: _question(row._mapping))
        return found[0] if found else None

    def vote(self, vote: VoteRow) -> str | None:
        """Store a member's vote on an answer, replacing theirs; their previous vote, if any."""
        insert = self._db.insert(votes).values(
            answer_id=vote.answer_id, member=vote.member, vote=vote.vote, voted=stamp(vote.voted)
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[votes.c.answer_id, votes.c.member],
            set_={"vote": insert.excluded.vote, "voted": insert.excluded.voted},
        )
        mine = (votes.c.answer_id == vote.answer_id) & (votes.c.member == vote.member)
        with self._db.write() as connection:
            previous = connection.scalar(select(votes.c.vote).where(mine))
            connection.execute(upsert)
        return None if previous is None else str(previous)

    def forget_questions(self, before: dt.datetime | None) -> int:
        """Clear the text of questions asked before `before` (None: of all); how many."""
        forget = update(questions).where(questions.c.question.is_not(None))
        if before is not None:
            forget = forget.where(questions.c.asked < stamp(before))
        with self._db.write() as connection:
            result = connection.execute(forget.values(question=None))
            cleared = int(result.rowcount)
        if cleared:
            self._db.flush_journal()
        return cleared

    def questions_since(self, since: dt.datetime) -> list[QuestionRow]:
        """Every question asked at or after `since`, oldest first."""
        with self._db.read() as connection:
            rows = connection.execute(
                select(questions)
                .where(questions.c.asked >= stamp(since))
                .order_by(questions.c.asked, questions.c.answer_id)
            ).all()
        return _readable(rows, lambda row: _question(row._mapping))

    def votes_since(self, since: dt.datetime) -> list[VoteRow]:
        """Every vote on an answer asked at or after `since`."""
        recent = select(questions.c.answer_id).where(questions.c.asked >= stamp(since))
        with self._db.read() as connection:
            rows = connection.execute(
                select(votes)
                .where(votes.c.answer_id.in_(recent))
                .order_by(votes.c.answer_id, votes.c.member)
            ).all()
        return _readable(rows, lambda r: VoteRow(r.answer_id, r.member, r.vote, moment(r.voted)))


def _readable(rows: Sequence[Row[Any]], read: Callable[[Row[Any]], T]) -> list[T]:
    """`read` of each row; a damaged one (a time out of range, text in a number) is skipped,
    with a warning, so one bad record does not hide the rest of a report."""
    kept = []
    for row in rows:
        try:
            kept.append(read(row))
        except (ValueError, TypeError, OverflowError, OSError) as error:
            log.warning(
                "a stored usage record could not be read; skipped", extra={"error": str(error)}
            )
    return kept


def _question(row: RowMapping) -> QuestionRow:
    get = row.__getitem__
    sections = str(get("sections"))
    question = get("question")
    community = get("community")
    return QuestionRow(
        answer_id=str(get("answer_id")),
        asked=moment(float(get("asked"))),
        platform=str(get("platform")),
        community=None if community is None else str(community),
        channel_kind=str(get("channel_kind")),
        lang=str(get("lang")),
        verdict=str(get("verdict")),
        sections=tuple(sections.split(",")) if sections else (),
        question=None if question is None else str(question),
    )
