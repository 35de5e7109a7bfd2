"""The usage report behind `townhall stats`: counts from the records, and the gap report.

Built from the rows alone (no SQL aggregates), so it is the same on SQLite and PostgreSQL.
`as_json` is the stable shape README documents; `version` changes if it ever must.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.knowledge import Knowledge
from bot.knowledge.topics import topic_named
from bot.store.usage import QuestionRow, VoteRow

JSON_VERSION = 1
PLATFORMS = ("discord", "slack")
VERDICTS = ("answer", "closest", "none")
# How many answers the "most 👎" list and each gap's example texts show.
MOST_DISLIKED = 10
GAP_TEXTS = 20


@dataclass(frozen=True)
class TopicCount:
    """One topic's figures: asked (offered first), 👍 and 👎 on answers that offered it first."""

    topic: str  # "talk:number"
    number: int | None
    title: str
    asked: int
    up: int
    down: int


@dataclass(frozen=True)
class Gap:
    """Questions the talk did not answer (verdict none or closest), by their nearest topic."""

    topic: str | None  # None: no topic came near
    number: int | None
    title: str
    questions: int
    by_verdict: dict[str, int]
    texts: tuple[str, ...]  # only when STATS_KEEP_QUESTIONS kept them


@dataclass(frozen=True)
class Disliked:
    """An answer with 👎 votes."""

    answer_id: str
    asked: dt.datetime
    topic: str | None
    title: str
    verdict: str
    up: int
    down: int
    question: str | None


@dataclass(frozen=True)
class UsageReport:
    """Everything `townhall stats` shows for a span of days."""

    first_day: dt.date
    last_day: dt.date
    per_day: dict[dt.date, dict[str, int]]  # day -> platform -> questions
    by_language: dict[str, dict[str, int]]  # lang -> verdict -> questions
    topics: tuple[TopicCount, ...]  # most asked first
    gaps: tuple[Gap, ...]  # most questions first
    most_disliked: tuple[Disliked, ...]

    @property
    def total(self) -> int:
        """How many questions in the span."""
        return sum(sum(day.values()) for day in self.per_day.values())

    def per_platform(self) -> dict[str, int]:
        """Questions per platform over the span."""
        return {p: sum(day.get(p, 0) for day in self.per_day.values()) for p in PLATFORMS}

    def by_verdict(self) -> dict[str, int]:
        """Questions per verdict over the span."""
        return {v: sum(lang.get(v, 0) for lang in self.by_language.values()) for v in VERDICTS}

    def as_json(self) -> dict[str, Any]:
        """The report in the stable shape of `townhall stats --json` (see README)."""
        return {
            "version": JSON_VERSION,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "questions": {
                "total": self.total,
                "per_platform": self.per_platform(),
                "per_verdict": self.by_verdict(),
                "per_day": [
                    {"day": day.isoformat(), **counts, "total": sum(counts.values())}
                    for day, counts in self.per_day.items()
                ],
                "per_language": self.by_language,
            },
            "topics": [vars(topic) for topic in self.topics],
            "gaps": [{**vars(gap), "texts": list(gap.texts)} for gap in self.gaps],
            "most_disliked": [
                {**vars(answer), "asked": answer.asked.isoformat()} for answer in self.most_disliked
            ],
        }


def build_report(
    questions: Sequence[QuestionRow],
    votes: Sequence[VoteRow],
    knowledge: Knowledge,
    *,
    first_day: dt.date,
    last_day: dt.date,
    zone: dt.tzinfo,
    text_since: dt.datetime | None,
    lang: str = "en",
) -> UsageReport:
    """The report over `questions` asked from `first_day` to `last_day` (days in `zone`),
    quoting the text only of those asked at or after `text_since` (None: no text)."""
    span = (last_day - first_day).days + 1
    days = [first_day + dt.timedelta(days=n) for n in range(span)]
    per_day: dict[dt.date, dict[str, int]] = {d: dict.fromkeys(PLATFORMS, 0) for d in days}
    by_language: dict[str, dict[str, int]] = {}
    # The database may still hold text the settings no longer allow (serve has not swept
    # since keeping was turned off or the retention ran out): never show it.
    kept = [
        q if text_since is not None and q.asked >= text_since else replace(q, question=None)
        for q in questions
        if first_day <= q.asked.astimezone(zone).date() <= last_day
    ]
    for q in kept:
        counts = per_day[q.asked.astimezone(zone).date()]
        counts[q.platform] = counts.get(q.platform, 0) + 1
        verdicts = by_language.setdefault(q.lang, dict.fromkeys(VERDICTS, 0))
        verdicts[q.verdict] = verdicts.get(q.verdict, 0) + 1
    answers = {q.answer_id: q for q in kept}
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    for vote in votes:
        if vote.answer_id in answers:
            tally[vote.answer_id][vote.vote] += 1

    def title(topic: str | None) -> tuple[int | None, str]:
        if topic is None:
            return None, ""
        section = topic_named(knowledge, topic, lang)
        return (section.number, section.title) if section else (None, topic)

    asked: Counter[str] = Counter()
    liked: dict[str, Counter[str]] = defaultdict(Counter)
    gap_rows: dict[str | None, list[QuestionRow]] = defaultdict(list)
    for q in kept:
        best = q.sections[0] if q.sections else None
        if q.verdict == "answer" and best is not None:
            asked[best] += 1
        elif q.verdict in ("closest", "none"):
            gap_rows[best].append(q)
        if best is not None and q.answer_id in tally:
            liked[best].update(tally[q.answer_id])
    for best in liked:
        asked.setdefault(best, 0)
    topics = tuple(
        TopicCount(topic, *title(topic), count, liked[topic]["up"], liked[topic]["down"])
        for topic, count in sorted(asked.items(), key=lambda item: (-item[1], item[0]))
    )
    gaps = tuple(
        Gap(
            topic,
            *title(topic),
            len(rows),
            {v: sum(1 for r in rows if r.verdict == v) for v in ("closest", "none")},
            tuple(r.question for r in rows if r.question)[:GAP_TEXTS],
        )
        for topic, rows in sorted(gap_rows.items(), key=lambda item: (-len(item[1]), item[0] or ""))
    )
    disliked = sorted(
        (answers[a] for a, c in tally.items() if c["down"]),
        key=lambda q: (-tally[q.answer_id]["down"], q.asked, q.answer_id),
    )[:MOST_DISLIKED]
    most_disliked = tuple(
        Disliked(
            q.answer_id,
            q.asked,
            q.sections[0] if q.sections else None,
            title(q.sections[0] if q.sections else None)[1],
            q.verdict,
            tally[q.answer_id]["up"],
            tally[q.answer_id]["down"],
            q.question,
        )
        for q in disliked
    )
    return UsageReport(first_day, last_day, per_day, by_language, topics, gaps, most_disliked)
