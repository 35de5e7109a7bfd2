"""`townhall stats`: exact counts after a known sequence of questions and votes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import sqlite3
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.engine import Answer, Verdict
from bot.knowledge import Knowledge
from bot.store import AsyncStore, open_store
from bot.store.usage import QuestionRow, VoteRow
from bot.usage import Asked, Ballot, ChannelKind, UsageRecorder, Vote
from bot.usage.recorder import kept_text
from tests.adapters.verdicts import constructed
from tests.fakes.clock import ManualClock
from tests.usage.conftest import VOTE_KEYS

SEOUL = ZoneInfo("Asia/Seoul")
TODAY = dt.date(2026, 2, 3)
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)> 채용?'
# As the recorder keeps it (mentions, links and markup removed); still hostile to a page.
KEPT = kept_text(HOSTILE)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "townhall.db"))
    for name in ("INSIGHT_TIMEZONE", "KNOWLEDGE_DIR", "STATS_RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    # As the admin who recorded the texts below has it (stats shows no text without it).
    monkeypatch.setenv("STATS_KEEP_QUESTIONS", "true")


@pytest.fixture
def seoul(monkeypatch: pytest.MonkeyPatch) -> None:
    """Days in Seoul (UTC+9), set explicitly."""
    monkeypatch.setenv("INSIGHT_TIMEZONE", "Asia/Seoul")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=SEOUL)


def answer(
    knowledge: Knowledge, text: str, lang: str, verdict: Verdict, topics: list[int]
) -> Answer:
    built = constructed(knowledge, verdict, topics, lang=lang)
    return Answer(text, lang, verdict, built.hits)


def record_sequence(path: Path, knowledge: Knowledge) -> None:
    """Seven questions over 40 days, and votes (one changed), as `serve` would record them."""
    store = open_store(path)
    store.upgrade()
    clock = ManualClock(at(TODAY - dt.timedelta(days=40)), jump=False)
    day1, day2 = TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)
    events = [
        (
            at(TODAY - dt.timedelta(days=40)),
            "a0",
            "discord",
            answer(knowledge, "old one", "en", Verdict.ANSWER, [19]),
        ),
        (at(day1), "a1", "discord", answer(knowledge, "hiring?", "en", Verdict.ANSWER, [19, 3])),
        (at(day1), "a2", "slack", answer(knowledge, HOSTILE, "ko", Verdict.CLOSEST, [3, 8])),
        (at(day2), "a3", "slack", answer(knowledge, "weather?", "en", Verdict.NONE, [4])),
        (at(day2), "a4", "discord", answer(knowledge, "hire less?", "en", Verdict.ANSWER, [19])),
        (at(day2), "a5", "discord", Answer("pizza?", "en", Verdict.NONE, ())),
        (at(TODAY), "a6", "slack", answer(knowledge, "college?", "en", Verdict.ANSWER, [3])),
    ]
    ballots = [
        ("a1", "m1", Vote.UP),
        ("a1", "m2", Vote.DOWN),
        ("a1", "m2", Vote.UP),  # changed: a1 ends with two 👍
        ("a4", "m1", Vote.DOWN),
        ("a2", "m1", Vote.DOWN),
        ("a2", "m3", Vote.DOWN),
    ]

    async def happen() -> None:
        recorder = UsageRecorder(AsyncStore(store), clock, keep_questions=True, vote_keys=VOTE_KEYS)
        for moment, answer_id, platform, given in events:
            clock.set(moment)
            recorder.record(Asked(answer_id, platform, "c1", ChannelKind.CHANNEL, given))
            await recorder.settle()
        for answer_id, member, vote in ballots:
            await recorder.vote(Ballot(answer_id, "discord", member, vote))

    asyncio.run(happen())
    store.close()


def stats(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    clock = ManualClock(at(TODAY), jump=False)
    try:
        status = main(["stats", *args], clock=clock)
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_json_after_a_known_sequence_gives_exactly_the_expected_counts(
    tmp_path: Path, knowledge: Knowledge, capsys: pytest.CaptureFixture[str]
) -> None:
    record_sequence(tmp_path / "townhall.db", knowledge)

    status, out, _ = stats(capsys, "--json", "--days", "7")

    assert status == 0
    report = json.loads(out)
    talk = knowledge.default_talk

    def title(number: int) -> str:
        section = knowledge.section(talk, number, "en")
        assert section is not None
        return section.title

    questions = report["questions"]
    assert (report["version"], report["first_day"], report["last_day"]) == (
        1,
        "2026-01-28",
        "2026-02-03",
    )
    assert questions["total"] == 6
    assert questions["per_platform"] == {"discord": 3, "slack": 3}
    assert questions["per_verdict"] == {"answer": 3, "closest": 1, "none": 2}
    assert [(d["day"], d["discord"], d["slack"], d["total"]) for d in questions["per_day"]] == [
        ("2026-01-28", 0, 0, 0),
        ("2026-01-29", 0, 0, 0),
        ("2026-01-30", 0, 0, 0),
        ("2026-01-31", 0, 0, 0),
        ("2026-02-01", 1, 1, 2),
        ("2026-02-02", 2, 1, 3),
        ("2026-02-03", 0, 1, 1),
    ]
    assert questions["per_language"] == {
        "en": {"answer": 3, "closest": 0, "none": 2},
        "ko": {"answer": 0, "closest": 1, "none": 0},
    }
    assert report["topics"] == [
        {"topic": f"{talk}:19", "number": 19, "title": title(19), "asked": 2, "up": 2, "down": 1},
        {"topic": f"{talk}:3", "number": 3, "title": title(3), "asked": 1, "up": 0, "down": 2},
    ]
    assert [(g["topic"], g["questions"], g["by_verdict"], g["texts"]) for g in report["gaps"]] == [
        (None, 1, {"closest": 0, "none": 1}, ["pizza?"]),
        (f"{talk}:3", 1, {"closest": 1, "none": 0}, [KEPT]),
        (f"{talk}:4", 1, {"closest": 0, "none": 1}, ["weather?"]),
    ]
    assert [(a["answer_id"], a["down"], a["up"]) for a in report["most_disliked"]] == [
        ("a2", 2, 0),
        ("a4", 1, 0),
    ]


def test_text_report_names_the_topics_and_the_gaps(
    tmp_path: Path, knowledge: Knowledge, capsys: pytest.CaptureFixture[str]
) -> None:
    record_sequence(tmp_path / "townhall.db", knowledge)

    status, out, _ = stats(capsys, "--days", "7")

    assert status == 0
    assert out.startswith("Questions 2026-01-28 .. 2026-02-03: 6\n")
    assert "  by platform: discord 3, slack 3\n" in out
    assert "“weather?”" in out


def test_a_missing_database_is_reported_and_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = stats(capsys, "--json")

    assert status == 1
    assert out == ""
    assert "does not exist" in err
    assert list(tmp_path.iterdir()) == []


def test_html_page_has_every_chart_with_its_numbers_no_script_and_escaped_text(
    tmp_path: Path, knowledge: Knowledge, capsys: pytest.CaptureFixture[str]
) -> None:
    record_sequence(tmp_path / "townhall.db", knowledge)
    page = tmp_path / "report.html"

    status, _, _ = stats(capsys, "--html", str(page), "--days", "7")

    assert status == 0
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 4
    for label in (
        "questions per day",
        "topics asked most",
        "verdict mix per language",
        "feedback per topic",
    ):
        assert f'aria-label="{label}"' in html
    assert "<title>2026-02-02 discord: 2</title>" in html
    assert "<title>2026-02-02 slack: 1</title>" in html
    hiring = knowledge.section(knowledge.default_talk, 19, "en")
    assert hiring is not None
    assert f"<title>19. {escape(hiring.title)} answer: 2</title>" in html
    assert re.search(r"fill=\"#d93025\"><title>3\. [^<]* down: 2</title>", html)
    assert "<script" not in html
    assert KEPT is not None
    assert "<script" in KEPT
    assert escape(KEPT, quote=True) in html
    assert "<img" not in html
    # Nothing to fetch: the only URL is the SVG namespace, which is never loaded.
    assert set(re.findall(r"(?:https?:)?//[^\s\"'<>)]+", html)) == {"http://www.w3.org/2000/svg"}


def test_reading_commands_leave_a_database_file_not_in_wal_mode_as_it_is(
    tmp_path: Path, knowledge: Knowledge, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "townhall.db"
    record_sequence(path, knowledge)
    with sqlite3.connect(path) as connection:  # a restored copy, in the default journal mode
        connection.execute("PRAGMA journal_mode=DELETE")
    before = path.read_bytes()

    for command in (["stats"], ["insight", "--status"], ["insight", "--preview"], ["doctor"]):
        main(command, clock=ManualClock(at(TODAY)))
    capsys.readouterr()

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["townhall.db"]


def test_a_damaged_record_is_skipped_and_the_rest_reported(
    tmp_path: Path,
    knowledge: Knowledge,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    record_sequence(tmp_path / "townhall.db", knowledge)
    with sqlite3.connect(tmp_path / "townhall.db") as connection:  # edited by hand
        connection.execute("UPDATE questions SET asked = 1e300 WHERE answer_id = 'a3'")
        connection.execute("UPDATE questions SET asked = 'abc' WHERE answer_id = 'a5'")

    with caplog.at_level(logging.WARNING):
        status, out, _ = stats(capsys, "--json", "--days", "7")

    assert status == 0
    assert json.loads(out)["questions"]["total"] == 4
    assert caplog.text.count("a stored usage record could not be read; skipped") == 2


def record_unanswered(path: Path, knowledge: Knowledge, texts: dict[int, str]) -> None:
    """Questions the talk left unanswered, kept with their text, asked days before today."""
    store = open_store(path)
    store.upgrade()
    clock = ManualClock(at(TODAY - dt.timedelta(days=max(texts))), jump=False)

    async def happen() -> None:
        recorder = UsageRecorder(AsyncStore(store), clock, keep_questions=True, vote_keys=VOTE_KEYS)
        for days, text in sorted(texts.items(), reverse=True):
            clock.set(at(TODAY - dt.timedelta(days=days)))
            given = answer(knowledge, text, "en", Verdict.NONE, [4])
            recorder.record(Asked(f"d{days}", "slack", "c1", ChannelKind.CHANNEL, given))
            await recorder.settle()

    asyncio.run(happen())
    store.close()


@pytest.mark.parametrize("keep", [True, False])
def test_stats_shows_no_text_past_the_retention_nor_any_once_keeping_is_off(
    tmp_path: Path,
    knowledge: Knowledge,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    keep: bool,
) -> None:
    # As when `serve` has not run since (its sweep would have cleared the old text).
    record_unanswered(
        tmp_path / "townhall.db", knowledge, {60: "sixty days ago", 10: "ten days ago"}
    )
    monkeypatch.setenv("STATS_KEEP_QUESTIONS", str(keep).lower())
    monkeypatch.setenv("STATS_RETENTION_DAYS", "30")
    shown = ["ten days ago"] if keep else []

    status, out, _ = stats(capsys, "--json", "--days", "90")
    _, text, _ = stats(capsys, "--days", "90")

    assert status == 0
    report = json.loads(out)
    assert report["questions"]["total"] == 2
    assert [t for gap in report["gaps"] for t in gap["texts"]] == shown
    assert "sixty" not in text
    assert ("ten days ago" in text) == keep


@pytest.mark.parametrize(
    "damage",
    [
        # The last second of year 9999: in Seoul it is past the calendar's end.
        "asked = 253402297000",
        # Not topic numbers int() can read: a superscript digit, and 5,000 digits.
        "sections = 'openai-town-hall-2026-01:²'",
        "sections = 'openai-town-hall-2026-01:' || replace(hex(zeroblob(2500)), '0', '9')",
        # Text that is not UTF-8 (written by hand or by another tool).
        "question = CAST(X'736563726574FF2071756573' AS TEXT)",
    ],
)
@pytest.mark.usefixtures("seoul")
def test_one_damaged_record_never_stops_the_report_nor_shows_its_text_in_an_error(
    tmp_path: Path,
    knowledge: Knowledge,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    damage: str,
) -> None:
    record_unanswered(tmp_path / "townhall.db", knowledge, {2: "secret one", 1: "fine one"})
    with sqlite3.connect(tmp_path / "townhall.db") as connection:  # edited by hand
        connection.execute(f"UPDATE questions SET {damage} WHERE answer_id = 'd2'")

    with caplog.at_level(logging.WARNING):
        status, out, err = stats(capsys, "--json", "--days", "7")
        text_status, text, _ = stats(capsys, "--days", "7")

    assert (status, text_status, err) == (0, 0, "")
    report = json.loads(out)
    texts = [t for gap in report["gaps"] for t in gap["texts"]]
    assert "fine one" in texts
    assert "fine one" in text
    assert "secret" not in caplog.text
    if "sections" in damage:  # the record counts, under a topic the talk no longer has
        assert report["questions"]["total"] == 2
        assert "secret one" in texts
    else:
        assert report["questions"]["total"] == 1
        assert caplog.text.count("a stored usage record could not be read; skipped") == 2


def test_a_topic_no_longer_in_the_knowledge_is_named_removed_in_text_and_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(tmp_path / "townhall.db")
    store.upgrade()
    gone = "openai-town-hall-2026-01:99"
    for answer_id, verdict in (("a1", "answer"), ("a2", "none")):
        store.usage.record(
            QuestionRow(answer_id, at(TODAY), "slack", "T1", "dm", "en", verdict, (gone,), None)
        )
    store.usage.vote(VoteRow("a1", "hash", "down", at(TODAY)))
    store.close()

    _, text, _ = stats(capsys, "--days", "7")
    _, _, _ = stats(capsys, "--html", "page.html")
    page = (tmp_path / "page.html").read_text(encoding="utf-8")

    removed = f"(removed topic {gone})"
    assert f"     1  👍 0   👎 1   {removed}\n" in text
    assert f"     1  {removed}  closest 0, none 1\n" in text
    assert "None." not in text
    assert "None." not in page
    # The chart labels (topics asked most, feedback) and the gap table.
    assert page.count(escape(removed)) >= 3


@pytest.mark.parametrize("days", ["0", "36501", "3650000", "x"])
def test_days_out_of_range_are_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], days: str
) -> None:
    status, _, err = stats(capsys, "--days", days)

    assert status == 2
    assert "--days" in err
    assert "Traceback" not in err


def test_a_folder_as_the_database_is_named_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "state").mkdir()
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "state"))

    status, _, err = stats(capsys)

    assert status == 1
    assert "is a folder" in err
