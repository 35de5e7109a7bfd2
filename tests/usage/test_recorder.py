"""Recording questions and votes: what is stored, what never is, and failures that stay quiet."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import threading
from pathlib import Path

import pytest

from bot.engine import Verdict
from bot.knowledge import Knowledge
from bot.runner import Runner
from bot.store import AsyncStore, Limits, open_store
from bot.store.store import Store
from bot.store.usage import QuestionRow
from bot.usage import (
    Asked,
    Ballot,
    ChannelKind,
    QuestionRetention,
    UsageRecorder,
    Vote,
    vote_keys,
)
from bot.usage.recorder import kept_text
from bot.usage.report import build_report
from tests.adapters.verdicts import constructed
from tests.fakes.clock import ManualClock
from tests.store.locking import write_lock_held
from tests.usage.conftest import NOON, VOTE_KEYS, reopen

TALK = "openai-town-hall-2026-01"


def asked(knowledge: Knowledge, answer_id: str, verdict: Verdict = Verdict.ANSWER) -> Asked:
    """A question answered in a Discord channel, offering topics 19 then 3."""
    answer = constructed(knowledge, verdict, [19, 3])
    return Asked(answer_id, "discord", "guild-1", ChannelKind.CHANNEL, answer)


async def test_a_question_is_recorded_with_its_verdict_and_sections_and_no_text(
    knowledge: Knowledge, async_store: AsyncStore, clock: ManualClock
) -> None:
    recorder = UsageRecorder(async_store, clock, keep_questions=False, vote_keys=VOTE_KEYS)

    recorder.record(asked(knowledge, "a1", Verdict.CLOSEST))
    await recorder.settle()

    row = await async_store.usage.question("a1")
    assert row is not None
    assert (row.platform, row.community, row.channel_kind) == ("discord", "guild-1", "channel")
    assert (row.lang, row.verdict, row.asked) == ("en", "closest", clock.now())
    assert row.sections == (f"{TALK}:19", f"{TALK}:3")
    assert row.question is None


async def test_the_text_is_kept_only_when_the_admin_keeps_questions(
    knowledge: Knowledge, async_store: AsyncStore, clock: ManualClock
) -> None:
    recorder = UsageRecorder(async_store, clock, keep_questions=True, vote_keys=VOTE_KEYS)

    recorder.record(asked(knowledge, "a1"))
    await recorder.settle()

    row = await async_store.usage.question("a1")
    assert row is not None
    assert row.question == "a question"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("<@U024BE7LH|Kim Minsu> what about hiring?", "what about hiring?"),
        ("<#C024BE7LR|general> hiring?", "hiring?"),
        ("<mailto:minsu@corp.example|minsu@corp.example> hiring?", "hiring?"),
        ("<tel:+821012345678|010-1234-5678> hiring?", "hiring?"),
        ("mail minsu.kim+bot@corp.example about hiring", "mail about hiring"),
        ("www.corp.example/careers hiring?", "hiring?"),
        ("<https://corp.example/jobs|our careers page> hiring?", "our careers page hiring?"),
        ("My email is bob@example.com. Hiring?", "My email is . Hiring?"),
        ("제 메일 bob@gmail.com으로 채용 질문", "제 메일 으로 채용 질문"),
        # Not addresses: words written around "@" stay.
        ("채용@OpenAI.속도 어떻게 되나요?", "채용@OpenAI.속도 어떻게 되나요?"),
        ("대학 교육@가치.변화", "대학 교육@가치.변화"),
        # Slack sends a typed bare domain as a link whose label is the link itself.
        (
            "see <http://acme.io/jobs?ref=kim.minsu|acme.io/jobs?ref=kim.minsu> hiring?",
            "see hiring?",
        ),
        ("<http://10.1.2.3:8080/x|10.1.2.3:8080/x> hiring?", "hiring?"),
        ("see acme.io/jobs or ChatGPT.com about hiring", "see or about hiring"),
        # Full-width (a Korean or Japanese IME) is a link, an address or a mention all the same.
        (
            "채용은? ｈｔｔｐｓ：／／evil.example/x 메일 ｋｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ",
            "채용은? 메일",
        ),
        ("＠everyone ＜@U024BE7LH＞ 채용 속도는?", "채용 속도는?"),
        ("ｗｗｗ．evil.example 채용", "채용"),
        ("민수@corp.example 로 채용 질문", "로 채용 질문"),
        # A run no member types as a word (a token, a pasted blob) goes whole.
        ("hiring? " + "a." * 40 + "b" + " speed?", "hiring? speed?"),
        ("hiring? " + "x" * 65, "hiring?"),
        ("hiring? " + "x" * 64, "hiring? " + "x" * 64),
    ],
)
def test_kept_text_holds_no_member_address_mention_or_link(typed: str, kept: str) -> None:
    assert kept_text(typed) == kept


async def test_a_second_vote_replaces_the_first_and_says_what_it_was(
    knowledge: Knowledge, async_store: AsyncStore, clock: ManualClock
) -> None:
    recorder = UsageRecorder(async_store, clock, keep_questions=False, vote_keys=VOTE_KEYS)
    recorder.record(asked(knowledge, "a1"))
    await recorder.settle()

    first = await recorder.vote(Ballot("a1", "discord", "member-7", Vote.UP))
    second = await recorder.vote(Ballot("a1", "discord", "member-7", Vote.DOWN))
    other = await recorder.vote(Ballot("a1", "discord", "member-8", Vote.UP))

    assert (first.previous, second.previous, other.previous) == (None, Vote.UP, None)
    assert second.question is not None
    assert second.question.sections[0] == f"{TALK}:19"
    votes = async_store.store.usage.votes_since(clock.now() - dt.timedelta(days=1))
    assert sorted(v.vote for v in votes) == ["down", "up"]
    assert all("member-" not in v.member for v in votes)


async def test_replicas_hash_a_member_alike_per_answer_with_no_key_in_the_database(
    db_target: str, knowledge: Knowledge, async_store: AsyncStore, clock: ManualClock
) -> None:
    other = reopen(db_target)
    try:
        mine = UsageRecorder(async_store, clock, keep_questions=False, vote_keys=VOTE_KEYS)
        theirs = UsageRecorder(AsyncStore(other), clock, keep_questions=False, vote_keys=VOTE_KEYS)
        mine.record(asked(knowledge, "a" * 16))
        await mine.settle()
        await mine.vote(Ballot("a" * 16, "slack", "U1", Vote.UP))

        hashed = mine.member_hash("slack", "U1", "a" * 16)
        assert hashed == theirs.member_hash("slack", "U1", "a" * 16)
        assert hashed != mine.member_hash("discord", "U1", "a" * 16)
        # One member's votes on two answers cannot be linked to each other.
        assert hashed != mine.member_hash("slack", "U1", "b" * 16)
        # Another bot token, another key: what the database holds cannot rebuild it.
        moved = vote_keys({"slack": "xoxb-another-token"})
        assert hashed != UsageRecorder(
            async_store, clock, keep_questions=False, vote_keys=moved
        ).member_hash("slack", "U1", "a" * 16)
        stored = {v.member for v in async_store.store.usage.votes_since(NOON)}
        assert stored == {hashed}
        assert other.values.get("usage_member_key") is None
    finally:
        other.close()


async def test_a_locked_database_loses_the_record_and_logs_it_without_raising(
    db_target: str, knowledge: Knowledge, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    impatient = open_store(db_target, Limits(busy_timeout=0.2, statement_timeout=0.3))
    try:
        impatient.upgrade()
        recorder = UsageRecorder(
            AsyncStore(impatient), clock, keep_questions=False, vote_keys=VOTE_KEYS
        )
        with write_lock_held(db_target, table="questions"), caplog.at_level(logging.WARNING):
            recorder.record(asked(knowledge, "lost"))
            await recorder.settle()
        assert impatient.usage.question("lost") is None
        assert "could not record a question" in caplog.text
        assert "TOWNHALL_DB" in caplog.text
    finally:
        impatient.close()


async def test_a_record_the_store_refuses_otherwise_is_logged_as_an_error_not_lost(
    knowledge: Knowledge,
    async_store: AsyncStore,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = UsageRecorder(async_store, clock, keep_questions=False, vote_keys=VOTE_KEYS)
    # A bug in the values sent (no platform): the store re-raises the constraint error
    # rather than calling the database unavailable.
    broken = dataclasses.replace(asked(knowledge, "bug"), platform=None)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="bot.usage.recorder"):
        recorder.record(broken)
        await recorder.settle()
    [record] = caplog.records
    assert record.getMessage() == "could not record a question"
    assert record.exc_info is not None
    assert record.exc_info[0].__name__ == "IntegrityError"
    assert getattr(record, "task", None) == "usage-bug"
    assert await async_store.usage.question("bug") is None


async def test_retention_clears_old_text_on_the_manual_clock_and_keeps_the_rest(
    knowledge: Knowledge, async_store: AsyncStore, clock: ManualClock
) -> None:
    recorder = UsageRecorder(async_store, clock, keep_questions=True, vote_keys=VOTE_KEYS)
    recorder.record(asked(knowledge, "old"))
    await recorder.settle()
    clock.advance(dt.timedelta(days=29).total_seconds())
    recorder.record(asked(knowledge, "new"))
    await recorder.settle()
    retention = QuestionRetention(
        async_store, clock, dt.timedelta(days=30), keep_questions=True, recorder=recorder
    )

    assert await retention.sweep() == 0
    clock.advance(dt.timedelta(days=1, seconds=1).total_seconds())
    assert await retention.sweep() == 1

    old, new = await async_store.usage.question("old"), await async_store.usage.question("new")
    assert old is not None
    assert old.question is None
    assert old.verdict == "answer"
    assert new is not None
    assert new.question == "a question"


async def test_with_keeping_turned_off_the_sweep_clears_every_kept_text_at_once(
    knowledge: Knowledge, async_store: AsyncStore, clock: ManualClock
) -> None:
    kept = UsageRecorder(async_store, clock, keep_questions=True, vote_keys=VOTE_KEYS)
    kept.record(asked(knowledge, "yesterday"))
    await kept.settle()
    clock.advance(dt.timedelta(days=1).total_seconds())
    # The admin turns STATS_KEEP_QUESTIONS off and starts serve again a day later.
    off = QuestionRetention(async_store, clock, dt.timedelta(days=30), keep_questions=False)

    assert await off.sweep() == 1

    row = await async_store.usage.question("yesterday")
    assert row is not None
    assert row.question is None
    assert row.verdict == "answer"


def test_with_keeping_off_no_question_text_reaches_the_sqlite_files(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    path = tmp_path / "townhall.db"
    store: Store = open_store(path)
    store.upgrade()
    secret = "zebra-orchid-77 몰래한질문"
    clock = ManualClock(dt.datetime(2026, 2, 3, 12, tzinfo=dt.UTC), jump=False)

    async def ask_and_vote() -> None:
        recorder = UsageRecorder(
            AsyncStore(store), clock, keep_questions=False, vote_keys=VOTE_KEYS
        )
        answer = constructed(knowledge, Verdict.NONE, [4])
        recorder.record(
            Asked(
                "a1",
                "slack",
                "T1",
                ChannelKind.DM,
                type(answer)(secret, "ko", answer.verdict, answer.hits),
            )
        )
        await recorder.settle()
        await recorder.vote(Ballot("a1", "slack", "U-member-secret", Vote.DOWN))

    asyncio.run(ask_and_vote())
    files = [p for p in tmp_path.iterdir() if p.name.startswith("townhall.db")]
    assert {p.name for p in files} >= {"townhall.db", "townhall.db-wal"}
    contents = b"".join(p.read_bytes() for p in files)
    store.close()  # checkpoints the WAL into the file: look at the file again after
    contents += b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for needle in (secret, "zebra-orchid", "몰래한질문", "U-member-secret"):
        assert needle.encode() not in contents
    assert b"a1" in contents  # the record itself is there


def test_text_past_its_retention_is_gone_from_the_sqlite_file_not_only_from_the_table(
    tmp_path: Path,
) -> None:
    path = tmp_path / "townhall.db"
    store: Store = open_store(path)
    store.upgrade()
    secret = "zebra-orchid-77 몰래한질문"
    asked_at = dt.datetime(2026, 2, 3, 12, tzinfo=dt.UTC)
    for n in range(20):
        store.usage.record(
            QuestionRow(f"id{n:02d}", asked_at, "slack", "T1", "dm", "en", "none", (), secret)
        )
    store.close()  # into the file itself, out of the WAL
    store = open_store(path)
    clock = ManualClock(asked_at + dt.timedelta(days=40), jump=False)

    async def sweep() -> int:
        retention = QuestionRetention(
            AsyncStore(store), clock, dt.timedelta(days=30), keep_questions=True
        )
        return await retention.sweep()

    assert asyncio.run(sweep()) == 20
    # While serve runs: nor in the write-ahead log, which held the rows as written.
    beside = [p for p in tmp_path.iterdir() if p.name.startswith("townhall.db")]
    assert all(secret.encode() not in p.read_bytes() for p in beside)
    store.close()
    # Cleared pages are overwritten (secure_delete), not left readable in the free list.
    assert secret.encode() not in path.read_bytes()


async def test_the_report_counts_the_same_on_either_backend(
    knowledge: Knowledge, async_store: AsyncStore, clock: ManualClock
) -> None:
    recorder = UsageRecorder(async_store, clock, keep_questions=False, vote_keys=VOTE_KEYS)
    recorder.record(asked(knowledge, "a1", Verdict.ANSWER))
    recorder.record(asked(knowledge, "a2", Verdict.CLOSEST))
    await recorder.settle()
    await recorder.vote(Ballot("a1", "slack", "U1", Vote.DOWN))
    since = clock.now() - dt.timedelta(days=1)
    store = async_store.store

    report = build_report(
        store.usage.questions_since(since),
        store.usage.votes_since(since),
        knowledge,
        first_day=clock.now().date(),
        last_day=clock.now().date(),
        zone=dt.UTC,
        text_since=None,
    )

    assert (report.total, report.by_verdict()) == (2, {"answer": 1, "closest": 1, "none": 0})
    assert [(t.number, t.asked, t.up, t.down) for t in report.topics] == [(19, 1, 0, 1)]
    assert [(g.number, g.questions, g.texts) for g in report.gaps] == [(19, 1, ())]


async def test_serve_s_retention_job_clears_text_once_its_days_pass_on_the_manual_clock(
    knowledge: Knowledge, async_store: AsyncStore, clock: ManualClock
) -> None:
    recorder = UsageRecorder(async_store, clock, keep_questions=True, vote_keys=VOTE_KEYS)
    recorder.record(asked(knowledge, "a1"))
    await recorder.settle()
    retention = QuestionRetention(
        async_store, clock, dt.timedelta(days=30), keep_questions=True, recorder=recorder
    )
    job = asyncio.create_task(retention.run())
    try:
        await clock.wait_for_sleepers()
        kept = await async_store.usage.question("a1")
        assert kept is not None
        assert kept.question == "a question"
        for _ in range(30 * 24 + 1):  # hour by hour, as the job wakes
            clock.advance(retention.every.total_seconds())
            await clock.wait_for_sleepers()
        cleared = await async_store.usage.question("a1")
        assert cleared is not None
        assert cleared.question is None
        assert retention.health()["last_sweep"] == clock.now().isoformat()
    finally:
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)


async def test_stopping_serve_finishes_the_records_still_being_written(
    knowledge: Knowledge, store: Store, clock: ManualClock
) -> None:
    lane = Runner("test-usage", finish_queued=True)
    recorder = UsageRecorder(
        AsyncStore(store, lane), clock, keep_questions=False, vote_keys=VOTE_KEYS
    )
    retention = QuestionRetention(
        recorder.store, clock, dt.timedelta(days=30), keep_questions=False, recorder=recorder
    )
    job = asyncio.create_task(retention.run())
    await clock.wait_for_sleepers()
    gate = threading.Event()
    blocked = asyncio.ensure_future(lane.run(gate.wait))  # the lane is busy for now
    recorder.record(asked(knowledge, "in-flight"))

    job.cancel()
    asyncio.get_running_loop().call_later(0.05, gate.set)
    await asyncio.gather(job, blocked, return_exceptions=True)

    assert store.usage.question("in-flight") is not None
    lane.close()
