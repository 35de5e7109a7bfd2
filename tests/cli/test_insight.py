"""`townhall insight --preview/--status`: exact output, and exit 2 with one line on bad input.

Unless a test says otherwise, the rotation's first day stored in the database is 28 January
2026, so 3 February is insight #7.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.channel import Channel
from bot.cli import main
from bot.cli.insight import status
from bot.insight.daily import DailyInsights
from bot.insight.ledger import ROTATION_START, Ledger
from bot.knowledge import Knowledge, load_knowledge
from bot.runner import Runner
from bot.settings import BUNDLED_KNOWLEDGE, load_settings
from bot.store import AsyncStore, InsightSlot, open_store
from bot.store.migrate import head_revision
from bot.store.store import Store
from tests.fakes.clock import ManualClock


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "townhall.db"))
    monkeypatch.setenv("INSIGHT_DISCORD_CHANNELS", "111,222:en")
    monkeypatch.setenv("INSIGHT_SLACK_CHANNELS", "C1")
    for name in ("INSIGHT_TIME", "INSIGHT_TIMEZONE", "KNOWLEDGE_DIR"):
        monkeypatch.delenv(name, raising=False)


START = dt.date(2026, 1, 28)
SEOUL = ZoneInfo("Asia/Seoul")
# 23:30 on 9 March in UTC is already 10 March in Seoul (INSIGHT_TIMEZONE).
NOW = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)


@contextmanager
def served(tmp_path: Path) -> Iterator[Store]:
    """The database as `townhall serve` leaves it: made and upgraded."""
    store = open_store(tmp_path / "townhall.db")
    store.upgrade()
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def started(tmp_path: Path) -> dt.date:
    """The rotation started on START (the database the daily post keeps)."""
    with served(tmp_path) as store:
        store.values.add(ROTATION_START, START.isoformat())
    return START


def stored_start(tmp_path: Path) -> str | None:
    with served(tmp_path) as store:
        return store.values.get(ROTATION_START)


@pytest.mark.usefixtures("started")
def test_preview_of_a_date_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["insight", "--preview", "--date", "2026-02-03", "--lang", "en"]) == 0
    assert capsys.readouterr().out == (
        "Town Hall insight #7 · 2026-02-03 (en)\n"
        "Tools That Raise the Quality of Ideas\n"
        "\n"
        "Altman believes AI can become a tool for coming up with good ideas. One can imagine a "
        "system that analyzes a user's past work and code and continuously suggests things that "
        "might be useful or interesting.\n"
        "\n"
        "Watch the video: https://youtu.be/Wpxv-8nG8ec\n"
        "key: 2026-02-03/openai-town-hall-2026-01/10\n"
    )


@pytest.mark.usefixtures("started")
def test_preview_defaults_to_korean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["insight", "--preview", "--date", "2026-02-03"]) == 0
    assert capsys.readouterr().out.startswith(
        "Town Hall 인사이트 #7 · 2026-02-03 (ko)\n아이디어의 품질을 높이는 도구\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--date", "2026-02-30"], "townhall: --date must be YYYY-MM-DD, not '2026-02-30'"),
        (["--date", "tomorrow"], "townhall: --date must be YYYY-MM-DD, not 'tomorrow'"),
        (["--lang", "fr"], "townhall: --lang must be ko or en, not 'fr'"),
        (
            ["--date", "2026-01-27"],
            "townhall: 2026-01-27 is before the first insight day 2026-01-28",
        ),
    ],
)
@pytest.mark.usefixtures("started")
def test_bad_date_or_language_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["insight", "--preview", *arguments])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == message + "\n"


@pytest.mark.parametrize(
    "arguments",
    [["--status", "--date", "2026-02-03"], ["--retry", "--lang", "en"]],
)
def test_date_and_language_without_preview_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["insight", *arguments], clock=ManualClock(NOW))
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "townhall: --date and --lang go with --preview\n"


def test_an_empty_language_is_refused_not_taken_for_korean(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["insight", "--preview", "--lang", ""], clock=ManualClock(NOW))
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "townhall: --lang must be ko or en, not ''\n"


@pytest.mark.parametrize("stored", ["not-a-date", "0001-01-01", "9999-12-31"])
def test_a_damaged_rotation_start_is_one_line_naming_the_value(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, stored: str
) -> None:
    with served(tmp_path) as store:
        store.values.add(ROTATION_START, stored)

    for command in (["insight", "--status"], ["insight", "--preview"]):
        with pytest.raises(SystemExit) as exit_:
            main(command, clock=ManualClock(NOW))
        err = capsys.readouterr().err
        assert exit_.value.code in (1, 2), err
        assert err.count("\n") == 1
        assert stored in err or "before the first insight day" in err


def test_status_with_a_start_stored_by_a_clock_ahead_says_nothing_comes_before_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with served(tmp_path) as store:
        store.values.add(ROTATION_START, "2026-03-20")

    assert main(["insight", "--status"], clock=ManualClock(NOW)) == 0

    out = capsys.readouterr().out
    assert "Rotation: started 2026-03-20 (insight #1)" in out
    assert out.endswith("  nothing until the rotation's first day, 2026-03-20\n")


def test_preview_before_any_post_counts_today_as_the_first_day_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["insight", "--preview"], clock=ManualClock(NOW)) == 0
    assert capsys.readouterr().out.startswith("Town Hall 인사이트 #1 · 2026-03-10 (ko)\n")
    assert not (tmp_path / "townhall.db").exists()

    with served(tmp_path):
        pass  # the bot ran, but never posted an insight
    clock = ManualClock(NOW)
    assert main(["insight", "--preview", "--date", "2026-03-12", "--lang", "en"], clock=clock) == 0
    assert capsys.readouterr().out.startswith("Town Hall insight #3 · 2026-03-12 (en)\n")
    assert stored_start(tmp_path) is None


def test_preview_before_today_without_a_start_exits_2_saying_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["insight", "--preview", "--date", "2026-03-09"], clock=ManualClock(NOW))
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        "townhall: 2026-03-09 is before the first insight day 2026-03-10 "
        "(the rotation has not started: today counts as its first day)\n"
    )
    assert not (tmp_path / "townhall.db").exists()


def test_preview_uses_the_stored_start_and_leaves_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, started: dt.date
) -> None:
    assert main(["insight", "--preview", "--date", "2026-01-28"]) == 0
    assert capsys.readouterr().out.startswith("Town Hall 인사이트 #1 · 2026-01-28 (ko)\n")
    assert stored_start(tmp_path) == started.isoformat()


def test_bad_setting_exits_1_naming_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSIGHT_TIMEZONE", "Seoul")
    with pytest.raises(SystemExit) as exit_:
        main(["insight", "--status"])
    assert exit_.value.code == 1
    assert capsys.readouterr().err.startswith("townhall: settings: INSIGHT_TIMEZONE: 'Seoul'")


def test_the_installed_command_exits_2_for_a_bad_date(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "townhall"), "insight", "--preview", "--date", "3 Feb"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "townhall: --date must be YYYY-MM-DD, not '3 Feb'\n"


@pytest.mark.usefixtures("started")
def test_status_shows_last_posts_per_channel_and_what_is_next(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    noon = dt.datetime(2026, 2, 2, 3, 0, tzinfo=dt.UTC)  # 12:00 in Seoul
    with served(tmp_path) as store:
        posts = store.insight
        for day in (dt.date(2026, 2, 1), dt.date(2026, 2, 2)):
            posted = InsightSlot(Channel("discord", "111"), day)
            posts.open_day(posted, f"{day}/t/1", noon)
            posts.claim(posted, "me", noon, dt.timedelta(minutes=10))
            posts.record_posted(posted, f"m-{day.day}", noon)
        failing = InsightSlot(Channel("slack", "C1"), dt.date(2026, 2, 2))
        posts.open_day(failing, "2026-02-02/t/1", noon)
        posts.claim(failing, "me", noon, dt.timedelta(minutes=10))
        posts.record_failed(failing, "me", "not_in_channel", noon)

    text = status(load_settings(), knowledge, noon)

    assert text.splitlines()[:9] == [
        "Daily insight at 09:00 Asia/Seoul",
        "Rotation: started 2026-01-28 (insight #1)",
        "discord 111 (ko)",
        "  2026-02-02  posted   1 attempt  message m-2",
        "  2026-02-01  posted   1 attempt  message m-1",
        "discord 222 (en): no posts yet",
        "slack C1 (ko)",
        "  2026-02-02  failed   1 attempt  (not_in_channel)",
        "    fix: invite the bot to the channel (/invite @townhall in it), or check "
        "INSIGHT_SLACK_CHANNELS; then `townhall insight --retry`",
    ]
    assert text.splitlines()[9] == (
        "Next: today's insight, due since 09:00, is not yet posted in 1 channel(s); "
        "`townhall serve` posts it"
    )
    assert text.splitlines()[10].startswith("  #6 ")


@pytest.mark.usefixtures("started")
def test_status_of_a_record_being_posted_names_the_claim_not_a_retry_time(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    noon = dt.datetime(2026, 2, 2, 3, 0, tzinfo=dt.UTC)  # 12:00 in Seoul
    with served(tmp_path) as store:
        posting = InsightSlot(Channel("discord", "111"), dt.date(2026, 2, 2))
        store.insight.open_day(posting, "2026-02-02/t/1", noon)
        store.insight.claim(posting, "replica-2", noon, dt.timedelta(minutes=10))

    during = status(load_settings(), knowledge, noon + dt.timedelta(minutes=1)).splitlines()
    after = status(load_settings(), knowledge, noon + dt.timedelta(minutes=11)).splitlines()

    assert during[3] == (
        "  2026-02-02  pending  1 attempt  being posted by replica-2 (claimed until 12:10)"
    )
    # A claim that ran out is a crash: the record is due at once, for whoever takes it.
    assert after[3] == (
        "  2026-02-02  pending  1 attempt  due again now (the claim of replica-2 ran out at 12:10)"
    )


@pytest.mark.usefixtures("started")
def test_status_after_every_channel_is_done_names_tomorrow(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    noon = dt.datetime(2026, 2, 2, 3, 0, tzinfo=dt.UTC)
    with served(tmp_path) as store:
        for platform, channel in (("discord", "111"), ("discord", "222"), ("slack", "C1")):
            done = InsightSlot(Channel(platform, channel), dt.date(2026, 2, 2))
            store.insight.open_day(done, "k", noon)
            store.insight.claim(done, "me", noon, dt.timedelta(minutes=10))
            store.insight.record_posted(done, "m", noon)

    lines = status(load_settings(), knowledge, noon).splitlines()

    assert lines[-2] == "Next: 2026-02-03 09:00 KST (UTC+0900)"
    assert lines[-1].startswith("  #7 아이디어의 품질을 높이는 도구 [2026-02-03/")


def test_status_before_any_post_says_the_next_post_is_insight_1(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    lines = status(load_settings(), knowledge, NOW).splitlines()

    assert lines[0].startswith("Warning: TOWNHALL_DB (")  # no database: nothing posted yet
    assert lines[2] == "Rotation: not started; the first post (or /insight) is insight #1"
    assert lines[-2] == "Next: 2026-03-10 09:00 KST (UTC+0900)"
    assert lines[-1].startswith("  #1 ")
    assert not (tmp_path / "townhall.db").exists()


def with_a_second_talk(folder: Path) -> Path:
    """A knowledge folder: the shipped talk and a copy of it under another id."""
    folder.mkdir()
    for source in BUNDLED_KNOWLEDGE.glob("*.md"):
        text = source.read_text(encoding="utf-8")
        (folder / source.name).write_text(text, encoding="utf-8")
        second = text.replace("talk: openai-town-hall-2026-01", "talk: second-talk", 1)
        (folder / f"second-{source.name}").write_text(second, encoding="utf-8")
    return folder


async def test_status_after_a_talk_is_added_names_what_serve_posts_tomorrow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, knowledge: Knowledge, engine_lane: Runner
) -> None:
    noon = dt.datetime(2026, 2, 6, 3, 0, tzinfo=dt.UTC)  # 12:00 in Seoul, today posted
    today = dt.date(2026, 2, 6)
    with served(tmp_path) as store:
        ledger = Ledger(AsyncStore(store))
        daily = DailyInsights(knowledge, ledger, ManualClock(noon), SEOUL, engine_lane)
        for day in range((today - START).days + 1):
            await daily.of_day(START + dt.timedelta(days=day), ["ko"])
        for channel in (
            Channel("discord", "111"),
            Channel("discord", "222"),
            Channel("slack", "C1"),
        ):
            slot = InsightSlot(channel, today)
            store.insight.open_day(slot, "k", noon)
            store.insight.claim(slot, "me", noon, dt.timedelta(minutes=10))
            store.insight.record_posted(slot, "m", noon)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(with_a_second_talk(tmp_path / "talks")))
    settings = load_settings()
    bigger = load_knowledge(settings.core.knowledge_dir)

    upcoming = (await asyncio.to_thread(status, settings, bigger, noon)).splitlines()[-1]
    with served(tmp_path) as store:
        ledger = Ledger(AsyncStore(store))
        serve = DailyInsights(bigger, ledger, ManualClock(noon), SEOUL, engine_lane)
        await serve.of_day(today, ["ko"])  # a restart after post time runs today first
        tomorrow = (await serve.of_day(today + dt.timedelta(days=1), ["ko"]))["ko"]

    assert upcoming.endswith(f"[{tomorrow.key}]")


async def test_preview_of_a_later_day_after_two_changes_names_what_serve_posts(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    knowledge: Knowledge,
    engine_lane: Runner,
    capsys: pytest.CaptureFixture[str],
) -> None:
    noon = dt.datetime(2026, 2, 6, 3, 0, tzinfo=dt.UTC)  # 12:00 in Seoul
    today = dt.date(2026, 2, 6)
    fewer = Knowledge(
        tuple(
            dataclasses.replace(d, sections=tuple(s for s in d.sections if s.number != 5))
            for d in knowledge.documents
        )
    )
    with served(tmp_path) as store:
        ledger = Ledger(AsyncStore(store))
        await DailyInsights(knowledge, ledger, ManualClock(noon), SEOUL, engine_lane).of_day(
            START, ["ko"]
        )
        # A first change (topic 5 taken out) seen today; the second is on disk now.
        await DailyInsights(fewer, ledger, ManualClock(noon), SEOUL, engine_lane).of_day(
            today, ["ko"]
        )
    monkeypatch.setenv("KNOWLEDGE_DIR", str(with_a_second_talk(tmp_path / "talks")))
    bigger = load_knowledge(load_settings().core.knowledge_dir)
    later = today + dt.timedelta(days=3)

    assert main(["insight", "--preview", "--date", later.isoformat()], clock=ManualClock(noon)) == 0
    previewed = capsys.readouterr().out
    with served(tmp_path) as store:
        serve = DailyInsights(
            bigger, Ledger(AsyncStore(store)), ManualClock(noon), SEOUL, engine_lane
        )
        for n in range(4):  # serve runs each day from today on
            posted = (await serve.of_day(today + dt.timedelta(days=n), ["ko"]))["ko"]

    assert f"key: {posted.key}\n" in previewed


# A state file as townhall wrote it before its schema had revisions (tests/store/data).
STATE_BEFORE_VERSIONING = (
    Path(__file__).parents[1] / "store" / "data" / "state-before-versioning.sqlite"
)


def test_a_state_file_from_before_versioning_asks_for_an_upgrade_not_a_new_rotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "old.db"
    shutil.copyfile(STATE_BEFORE_VERSIONING, db)
    monkeypatch.setenv("TOWNHALL_DB", str(db))

    for command in (["insight", "--status"], ["insight", "--preview"]):
        with pytest.raises(SystemExit) as exited:
            main(command, clock=ManualClock(NOW))
        assert exited.value.code == 1
        assert capsys.readouterr().err == (
            f"townhall: TOWNHALL_DB ({db}) is at schema revision none, this townhall reads "
            f"{head_revision()}: start `townhall serve` once to upgrade it\n"
        )


def test_status_and_preview_on_a_new_database_create_nothing_on_either_backend(
    db_target: str, monkeypatch: pytest.MonkeyPatch, knowledge: Knowledge
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", db_target)

    lines = status(load_settings(), knowledge, NOW).splitlines()
    assert main(["insight", "--preview"], clock=ManualClock(NOW)) == 0

    # A missing SQLite file is warned about first; the status itself follows.
    assert "Rotation: not started; the first post (or /insight) is insight #1" in lines
    assert lines[0].startswith("Warning: TOWNHALL_DB") == ("://" not in db_target)
    if "://" in db_target:
        store = open_store(db_target)
        assert store.revision() is None  # no tables were made
        store.close()
    else:
        assert not Path(db_target).exists()


def test_status_reads_a_served_database_on_either_backend(
    db_target: str, store: Store, monkeypatch: pytest.MonkeyPatch, knowledge: Knowledge
) -> None:
    monkeypatch.setenv("TOWNHALL_DB", db_target)
    store.values.add(ROTATION_START, START.isoformat())
    noon = dt.datetime(2026, 2, 2, 3, 0, tzinfo=dt.UTC)
    slot = InsightSlot(Channel("discord", "111"), dt.date(2026, 2, 2))
    store.insight.open_day(slot, "k", noon)
    store.insight.claim(slot, "me", noon, dt.timedelta(minutes=10))
    store.insight.record_posted(slot, "m-2", noon)

    lines = status(load_settings(), knowledge, noon).splitlines()

    assert lines[1:4] == [
        "Rotation: started 2026-01-28 (insight #1)",
        "discord 111 (ko)",
        "  2026-02-02  posted   1 attempt  message m-2",
    ]


def test_a_database_on_a_read_only_mount_is_one_line_saying_what_to_do(tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    folder.mkdir()
    store = open_store(folder / "townhall.db")
    store.upgrade()
    store.values.add(ROTATION_START, START.isoformat())
    store.close()
    # A read-only bind mount of the folder in a mount namespace of the command's own.
    command = [sys.executable, "-m", "bot.cli", "insight", "--status"]
    script = f'mount --bind -o ro "{folder}" "{folder}" && exec "$@"'
    done = subprocess.run(
        ["unshare", "--mount", "sh", "-c", script, "sh", *command],
        cwd=tmp_path,
        env={**os.environ, "TOWNHALL_DB": str(folder / "townhall.db")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if "unshare" in done.stderr and "Operation not permitted" in done.stderr:
        pytest.skip(f"no mount namespace here: {done.stderr.strip()}")

    assert done.returncode == 1
    assert done.stderr == (
        f"townhall: TOWNHALL_DB ({folder / 'townhall.db'}) cannot be read from a folder this "
        "user may not write (a read-only mount or backup?): copy it to a folder this user "
        "may write, or let it write there\n"
    )
