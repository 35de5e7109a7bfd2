#!/usr/bin/env python3
"""Render `townhall stats --html` to a PNG in Debian's headless Chromium, to look at it.

Without --page, a demo database is filled first: the questions of
benchmarks/everyday-blind-questions.jsonl answered by the real engine over 14 days, as
Discord or Slack questions, with seeded random votes, and the question text kept (one
question is hostile markup, to see it shown as text). Chromium runs with no network
(--disable-background-networking and friends), as root with --no-sandbox.

Usage: .venv/bin/python benchmarks/stats_page.py [--page FILE.html] [--png OUT.png]
Needs: apt-get install -y chromium (fonts-noto-cjk and fonts-noto-color-emoji to see
Korean text and emoji rather than boxes).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli import main as townhall  # noqa: E402
from bot.engine import AnswerEngine  # noqa: E402
from bot.engine.engine import analyzers_for  # noqa: E402
from bot.engine.meaning import VECTORS_FILE, Meaning  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402
from bot.knowledge.bundled import bundled_knowledge  # noqa: E402
from bot.store import AsyncStore, open_store  # noqa: E402
from bot.usage import Asked, Ballot, ChannelKind, UsageRecorder, Vote, vote_keys  # noqa: E402
from tests.fakes.clock import ManualClock  # noqa: E402

SEOUL = ZoneInfo("Asia/Seoul")
TODAY = dt.date(2026, 2, 14)
HOSTILE = "<script>alert('x')</script> <b>bold?</b> 채용은 <img src=x onerror=alert(1)>"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=820,2600",
]


def fill_demo(db: Path) -> None:
    """Questions over 14 days, answered by the real engine, with seeded votes."""
    rng = random.Random(12)
    engine = AnswerEngine(
        load_knowledge(bundled_knowledge()),
        analyzers_for("mecab-ko"),
        Meaning(bundled_knowledge() / VECTORS_FILE),
    )
    lines = (ROOT / "benchmarks" / "everyday-blind-questions.jsonl").read_text("utf-8")
    questions = [json.loads(line)["q"] for line in lines.splitlines() if line.strip()]
    questions += [HOSTILE, "What is the best pizza in Naples?", "오늘 서울 날씨 어때?"]
    store = open_store(db)
    store.upgrade()
    start = dt.datetime.combine(TODAY - dt.timedelta(days=13), dt.time(9), tzinfo=SEOUL)
    clock = ManualClock(start, jump=False)

    async def happen() -> None:
        recorder = UsageRecorder(
            AsyncStore(store),
            clock,
            keep_questions=True,
            vote_keys=vote_keys({"discord": "t", "slack": "t"}),
        )
        for n, question in enumerate(questions):
            clock.set(start + dt.timedelta(hours=n * 13 * 24 / len(questions)))
            answer_id = recorder.new_answer_id()
            platform = rng.choice(["discord", "slack"])
            kind = rng.choice(list(ChannelKind))
            recorder.record(Asked(answer_id, platform, "demo", kind, engine.ask(question)))
            await recorder.settle()
            for member in range(rng.randint(0, 3)):
                vote = Vote.UP if rng.random() < 0.7 else Vote.DOWN
                await recorder.vote(Ballot(answer_id, platform, f"m{member}", vote))

    asyncio.run(happen())
    store.close()


def main() -> int:
    """Write the page (demo data unless --page) and its screenshot; print both paths."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", type=Path, help="an existing stats page to render")
    parser.add_argument("--png", type=Path, default=Path("stats-page.png"))
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium not found: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as work:
        page = args.page
        if page is None:
            db = Path(work) / "demo.db"
            fill_demo(db)
            os.environ["TOWNHALL_DB"] = str(db)
            page = Path(work) / "stats.html"
            clock = ManualClock(dt.datetime.combine(TODAY, dt.time(21), tzinfo=SEOUL))
            townhall(["stats", "--days", "14", "--html", str(page)], clock=clock)
            shutil.copy(page, args.png.with_suffix(".html"))
        profile = Path(work) / "profile"
        done = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={args.png.resolve()}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if done.returncode != 0 or not args.png.exists():
        sys.exit(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    print(f"page: {args.png.with_suffix('.html') if args.page is None else args.page}")
    print(f"png:  {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
