"""`townhall serve`: which services run, the nothing-configured exit, and /healthz."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from bot.cli.serve import NOTHING_TO_RUN, build_core, services_for
from bot.engine import AnswerEngine
from bot.health import Health, HealthServer
from bot.runner import Runner
from bot.settings import load_settings
from bot.store.usage import QuestionRow
from tests.fakes.clock import ManualClock
from tests.insight.publishers import RecordingPublisher
from tests.stores import file_store


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOWNHALL_DB", str(tmp_path / "townhall.db"))
    for name in (
        "DISCORD_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "INSIGHT_DISCORD_CHANNELS",
        "INSIGHT_SLACK_CHANNELS",
    ):
        monkeypatch.delenv(name, raising=False)


def test_nothing_configured_exits_1_listing_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert f"townhall: {NOTHING_TO_RUN}\n" == err
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "INSIGHT_SLACK_CHANNELS"):
        assert name in err


def test_scheduler_runs_only_for_platforms_with_a_publisher(
    monkeypatch: pytest.MonkeyPatch,
    engine: AnswerEngine,
    engine_lane: Runner,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("INSIGHT_DISCORD_CHANNELS", "111")
    monkeypatch.setenv("INSIGHT_SLACK_CHANNELS", "C1:en")
    settings = load_settings()
    clock = ManualClock(dt.datetime(2026, 2, 3, tzinfo=dt.UTC))
    with file_store(tmp_path / "townhall.db") as store:
        core = build_core(settings, engine, store=store, runner=engine_lane, clock=clock)

    assert services_for(settings, core) == []
    assert "insight channels are set for a platform that is not configured" in caplog.text

    service, upkeep = services_for(
        settings, core, publishers={"slack": RecordingPublisher("slack")}
    )
    assert (service.name, upkeep.name) == ("insight", "usage")
    targets = service.targets  # type: ignore[attr-defined]
    assert [(t.channel.platform, t.channel.id, t.lang) for t in targets] == [("slack", "C1", "en")]


@pytest.mark.parametrize("keep", [True, False])
async def test_serve_with_only_the_insight_still_clears_text_it_may_no_longer_keep(
    monkeypatch: pytest.MonkeyPatch,
    engine: AnswerEngine,
    engine_lane: Runner,
    tmp_path: Path,
    keep: bool,
) -> None:
    monkeypatch.setenv("INSIGHT_SLACK_CHANNELS", "C1:en")
    monkeypatch.setenv("STATS_KEEP_QUESTIONS", str(keep).lower())
    monkeypatch.setenv("STATS_RETENTION_DAYS", "30")
    settings = load_settings()
    now = dt.datetime(2026, 2, 3, tzinfo=dt.UTC)
    with file_store(tmp_path / "townhall.db") as store:
        for answer_id, days in (("old", 60), ("new", 1)):
            asked = now - dt.timedelta(days=days)
            row = QuestionRow(answer_id, asked, "slack", "T1", "dm", "en", "none", (), "kept")
            await store.usage.record(row)
        core = build_core(settings, engine, store=store, runner=engine_lane, clock=ManualClock(now))
        services = services_for(settings, core, publishers={"slack": RecordingPublisher("slack")})
        [upkeep] = [s for s in services if s.name == "usage"]

        await upkeep.sweep()  # type: ignore[attr-defined]

        old, new = await store.usage.question("old"), await store.usage.question("new")
    assert old is not None
    assert new is not None
    assert (old.question, new.question) == (None, "kept" if keep else None)


@pytest.mark.parametrize(
    ("channels", "scheduled"),
    [
        ({"INSIGHT_DISCORD_CHANNELS": "111"}, True),
        ({}, False),
        ({"INSIGHT_SLACK_CHANNELS": "C1"}, False),  # Slack is not configured: no post runs
    ],
)
def test_insight_leaves_the_first_day_to_the_daily_post_where_one_runs(
    monkeypatch: pytest.MonkeyPatch,
    *,
    engine: AnswerEngine,
    engine_lane: Runner,
    tmp_path: Path,
    channels: dict[str, str],
    scheduled: bool,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "a-discord-token")
    for name, value in channels.items():
        monkeypatch.setenv(name, value)
    clock = ManualClock(dt.datetime(2026, 2, 3, tzinfo=dt.UTC))
    with file_store(tmp_path / "townhall.db") as store:
        core = build_core(load_settings(), engine, store=store, runner=engine_lane, clock=clock)

    assert core.daily.scheduled is scheduled


class Fixed:
    def __init__(self, name: str, state: dict[str, object]) -> None:
        self.name = name
        self.state = state

    async def run(self) -> None:
        await asyncio.Event().wait()

    def health(self) -> dict[str, object]:
        return self.state

    async def stop_accepting(self) -> None:
        return None


@pytest.mark.parametrize(
    ("states", "code"),
    [
        ({"discord": {"connected": True}, "insight": {"channels": 2}}, 200),
        ({"discord": {"connected": False}, "insight": {"channels": 2}}, 503),
    ],
)
async def test_healthz_reports_each_service(
    states: dict[str, dict[str, object]], code: int
) -> None:
    services = [Fixed(name, state) for name, state in states.items()]
    server = HealthServer(Health(services), 0)
    task = asyncio.create_task(server.run())
    await server.ready.wait()
    try:
        url = f"http://127.0.0.1:{server.port}/healthz"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == code
            assert await response.json() == {"ok": code == 200, "services": states}
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
