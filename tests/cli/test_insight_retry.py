"""`townhall insight --retry` and recovery: a fixed channel gets today's post, never twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channel import Channel
from bot.cli import main
from bot.insight.ledger import ROTATION_START
from bot.store import InsightPost, InsightSlot, open_store
from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import CHANNEL_ID, TOKEN, FakeDiscord
from tests.fakes.slack_api import FakeSlack

# 10:00 in Seoul, an hour after the 09:00 post was due.
NOW = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)
GENERAL, RANDOM = Channel("slack", "C0GENERAL"), Channel("slack", "C0RANDOM")


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No platform variable and no .env from the machine; a database in the test's folder."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "INSIGHT_", "TOWNHALL_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "townhall.db"))


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    """The local Slack with two insight channels configured."""
    async with FakeSlack(now=lambda: NOW) as fake:
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-retry")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
        monkeypatch.setenv("INSIGHT_SLACK_CHANNELS", "C0GENERAL,C0RANDOM")
        fake.open_channel("C0GENERAL", "C0RANDOM")
        yield fake


def failed_today(tmp_path: Path, channel: Channel, error: str, key: str = "k") -> None:
    """Leave today's record of `channel` failed for good, as the scheduler does."""
    store = open_store(tmp_path / "townhall.db")
    store.upgrade()
    store.values.add(ROTATION_START, TODAY.isoformat())
    slot = InsightSlot(channel, TODAY)
    store.insight.open_day(slot, key, NOW)
    assert store.insight.claim(slot, "serve", NOW, dt.timedelta(minutes=10)) is not None
    store.insight.record_failed(slot, "serve", error, NOW)
    store.close()


def records(tmp_path: Path) -> dict[Channel, InsightPost]:
    store = open_store(tmp_path / "townhall.db")
    try:
        return {r.channel: r for r in store.insight.day(TODAY)}
    finally:
        store.close()


async def townhall(
    capsys: pytest.CaptureFixture[str], *args: str, now: dt.datetime = NOW
) -> tuple[int, str]:
    """Run `townhall ARGS` at `now` in a thread (the fakes serve on this loop)."""
    status = await asyncio.to_thread(main, list(args), clock=ManualClock(now))
    return status, capsys.readouterr().out


async def test_retry_posts_where_the_bot_was_invited_since(
    slack: FakeSlack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failed_today(
        tmp_path, GENERAL, "Slack refused the call for channel C0GENERAL: channel_not_found"
    )
    status, out = await townhall(capsys, "insight", "--retry")
    assert status == 0, out
    assert len(slack.messages["C0GENERAL"]) == 1
    assert len(slack.messages["C0RANDOM"]) == 1  # missing today: posted too
    assert {r.status for r in records(tmp_path).values()} == {"posted"}
    # A second retry finds nothing to do and posts nothing.
    status, _ = await townhall(capsys, "insight", "--retry")
    assert status == 0
    assert [len(slack.messages[c]) for c in ("C0GENERAL", "C0RANDOM")] == [1, 1]


async def test_retry_finds_a_post_made_before_a_crash_and_does_not_post_again(
    slack: FakeSlack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await townhall(capsys, "insight", "--retry", "--channel", "C0GENERAL")
    [posted] = slack.messages["C0GENERAL"]
    # The process was killed after sending, before recording: the record says failed.
    with sqlite3.connect(tmp_path / "townhall.db") as connection:
        connection.execute("UPDATE insight_posts SET status = 'failed', message_id = NULL")
    status, _ = await townhall(capsys, "insight", "--retry", "--channel", "C0GENERAL")
    assert status == 0
    assert slack.messages["C0GENERAL"] == [posted]
    record = records(tmp_path)[GENERAL]
    assert (record.status, record.message_id) == ("posted", posted["ts"])


async def test_retry_of_one_channel_leaves_the_others(
    slack: FakeSlack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failed_today(tmp_path, GENERAL, "x")
    failed_today(tmp_path, RANDOM, "x")
    status, out = await townhall(capsys, "insight", "--retry", "--channel", "C0RANDOM")
    assert status == 0, out
    assert "C0GENERAL" not in slack.messages or not slack.messages["C0GENERAL"]
    assert records(tmp_path)[GENERAL].status == "failed"
    assert records(tmp_path)[RANDOM].status == "posted"


async def test_retry_that_fails_again_exits_1_with_the_fix(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    slack.missing_channels.add("C0GENERAL")
    status, out = await townhall(capsys, "insight", "--retry")
    assert status == 1
    assert f"{GENERAL} 2026-03-10  failed" in out
    assert "fix: invite the bot to the channel (/invite @townhall in it)" in out
    assert len(slack.messages["C0RANDOM"]) == 1


async def test_retry_before_the_post_time_posts_nothing(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    early = dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.UTC)  # 08:00 in Seoul
    status, out = await townhall(capsys, "insight", "--retry", now=early)
    assert status == 0
    assert out.startswith("Today's insight is due at 09:00 Asia/Seoul; nothing to retry yet")
    assert not any(slack.messages.values())


class TickingClock(ManualClock):
    """Wall time that moves on by a second at each reading, as it does while a retry logs in."""

    def now(self) -> dt.datetime:
        moment = self.current
        self.current += dt.timedelta(seconds=1)
        return moment


async def test_retry_started_before_midnight_never_posts_the_next_days_insight(
    slack: FakeSlack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 23:59:58 in Seoul: today's post is due, and the day ends while the retry logs in.
    late = dt.datetime(2026, 3, 10, 14, 59, 58, tzinfo=dt.UTC)
    status = await asyncio.to_thread(
        main, ["insight", "--retry", "--channel", "C0GENERAL"], clock=TickingClock(late)
    )
    out = capsys.readouterr().out
    store = open_store(tmp_path / "townhall.db")
    try:
        days = [(r.day, r.status) for d in (10, 11) for r in store.insight.day(dt.date(2026, 3, d))]
    finally:
        store.close()
    # The day retried is the one checked against its post time; it ended unposted. The
    # next day's insight is not posted nine hours before its time.
    assert (status, days) == (1, [(TODAY, "pending")]), out
    assert not slack.messages.get("C0GENERAL")


async def test_retry_posts_to_discord_over_rest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeDiscord(now=lambda: NOW) as fake:
        monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
        monkeypatch.setenv("INSIGHT_DISCORD_CHANNELS", str(CHANNEL_ID))
        status, out = await townhall(capsys, "insight", "--retry")
        assert status == 0, out
        assert len(fake.channels[CHANNEL_ID]) == 1
        assert not fake.connections  # REST only: no gateway session


async def test_unknown_channel_for_retry_is_a_usage_error(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        await townhall(capsys, "insight", "--retry", "--channel", "C0NOPE")
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "townhall: --channel C0NOPE is not in INSIGHT_DISCORD_CHANNELS or INSIGHT_SLACK_CHANNELS\n"
    )


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        ("Slack refused the call for channel C0GENERAL: channel_not_found", "invite the bot"),
        ("Slack refused the call for channel C0GENERAL: missing_scope", "add the missing scope"),
        ("channel 1: missing access (Missing Access)", "let the bot's role view the channel"),
        ("channel 1: not found (Unknown Channel)", "check the channel id"),
        ("Slack refused the call for channel C0GENERAL: ratelimited", "the platform rate-limited"),
    ],
)
def test_status_shows_the_fix_for_each_failure_kind(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: str,
    hint: str,
) -> None:
    monkeypatch.setenv("INSIGHT_SLACK_CHANNELS", "C0GENERAL")
    failed_today(tmp_path, GENERAL, error)
    assert main(["insight", "--status"], clock=ManualClock(NOW)) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if error in line)
    assert lines[at + 1].strip().startswith(f"fix: {hint}")


def test_status_warns_when_the_database_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["insight", "--status"], clock=ManualClock(NOW)) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"Warning: TOWNHALL_DB ({tmp_path / 'townhall.db'}) does not exist")
    assert not (tmp_path / "townhall.db").exists()


async def test_retry_waits_out_a_slack_rate_limit_and_posts(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    slack.fail("chat.postMessage", status=429, error="ratelimited", headers={"Retry-After": "7"})
    clock = ManualClock(NOW)
    status = await asyncio.to_thread(main, ["insight", "--retry"], clock=clock)
    out = capsys.readouterr().out
    assert status == 0, out
    assert len(slack.messages["C0GENERAL"]) == len(slack.messages["C0RANDOM"]) == 1
    # It waited as Slack asked (plus the client's jitter), on the command's clock.
    assert [nap for nap in clock.naps if nap >= 7] != []


async def test_retry_claims_each_channel_for_insight_claim_lease(
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INSIGHT_CLAIM_LEASE", "90")
    release = slack.hold("chat.postMessage")
    retry = asyncio.create_task(townhall(capsys, "insight", "--retry", "--channel", "C0GENERAL"))
    await slack.wait_until(lambda: "chat.postMessage" in slack.held)
    # While the post is under way, the record is claimed for the configured lease.
    claimed = records(tmp_path)[GENERAL]
    assert claimed.lease_until == NOW + dt.timedelta(seconds=90)
    release.set()
    status, _ = await retry
    assert status == 0
