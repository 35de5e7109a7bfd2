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

from sqlalchemy import LargeBinary, Row, RowMapping, cast, select, update

from bot.store.database import Database
from bot.store.schema import questions, votes
from bot.store.stamps import moment, stamp

log = logging.getLogger(__name__)
T = TypeVar("T")
# A stored time any time zone can show: within two days of the calendar's ends, turning it
# into a local day (the report does) overflows.
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC) + dt.timedelta(days=2)
LATEST = dt.datetime.max.replace(tzinfo=dt.UTC) - dt.timedelta(days=2)


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
                self._questions().where(questions.c.answer_id == answer_id)
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
                self._questions()
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
        return _readable(rows, lambda r: VoteRow(r.answer_id, r.member, r.vote, _moment(r.voted)))

    def _questions(self) -> Any:
        """SELECT of the questions table, the text as bytes on SQLite.

        SQLite keeps whatever bytes a hand or another tool wrote; decoded by the driver, one
        text that is not UTF-8 fails the whole query, with the text quoted in the error.
        Decoded per row instead, such a row is skipped like any other damaged one.
        """
        if self._db.backend != "sqlite":
            return select(questions)  # PostgreSQL holds valid UTF-8 only
        columns = [c for c in questions.c if c.name != "question"]
        text = cast(questions.c.question, LargeBinary).label("question")
        return select(*columns, text)


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
    if isinstance(question, bytes):
        try:
            question = question.decode()
        except UnicodeDecodeError:
            # The message never quotes the text: it is the member's words.
            raise ValueError("the question text is not UTF-8") from None
    community = get("community")
    return QuestionRow(
        answer_id=str(get("answer_id")),
        asked=_moment(float(get("asked"))),
        platform=str(get("platform")),
        community=None if community is None else str(community),
        channel_kind=str(get("channel_kind")),
        lang=str(get("lang")),
        verdict=str(get("verdict")),
        sections=tuple(sections.split(",")) if sections else (),
        question=None if question is None else str(question),
    )


def _moment(seconds: float) -> dt.datetime:
    """`moment`, refusing a time no time zone can show as a day (a damaged row)."""
    shown = moment(seconds)
    if not EARLIEST <= shown <= LATEST:
        raise ValueError("a time out of range")
    return shown
