"""`townhall stats`: what members asked, what the talk left unanswered, and their votes."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import database_problem, fail, knowledge_or_exit, settings_or_exit
from bot.knowledge.topics import topic_label
from bot.settings import Settings
from bot.store.target import is_url

# The first schema revision with the usage tables (bot/store/migrations/versions/0003_*).
USAGE_REVISION = "0003"
# A century: far more than any record is kept, and well inside the calendar's range.
MOST_DAYS = 36500


def register(commands: Any) -> None:
    """Add the `stats` subcommand."""
    parser = commands.add_parser(
        "stats",
        help="questions asked, the topics asked most, votes, and what the talk left unanswered",
        description="Read the usage records of TOWNHALL_DB (never creating or changing it) "
        "and show the questions per day and platform, by language and verdict, the topics "
        "asked most, the votes per topic, the gap report and the answers with the most 👎.",
    )
    parser.add_argument(
        "--days",
        type=_positive,
        default=30,
        help=f"how many days back, today included (default: 30, at most {MOST_DAYS})",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the stable JSON shape (README)")
    output.add_argument("--html", metavar="FILE", type=Path, help="write a self-contained page")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Print the report (text or JSON), or write it as one HTML page."""
    from bot.usage.report import build_report  # noqa: PLC0415 - SQLAlchemy only when used

    settings = settings_or_exit(args.env_file)
    knowledge = knowledge_or_exit(settings)
    zone = settings.insight.timezone
    last_day = args.clock.today(zone)
    first_day = last_day - dt.timedelta(days=args.days - 1)
    since = dt.datetime.combine(first_day, dt.time(), tzinfo=zone)
    questions, votes = _read(settings, since)
    keep = settings.stats.keep_questions
    report = build_report(
        questions,
        votes,
        knowledge,
        first_day=first_day,
        last_day=last_day,
        zone=zone,
        text_since=args.clock.now() - settings.stats.retention if keep else None,
    )
    if args.json:
        json.dump(report.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.html is not None:
        from bot.usage.page import report_page  # noqa: PLC0415

        try:
            args.html.write_text(report_page(report), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {args.html}: {exc.strerror}")
        print(f"wrote {args.html}")
    else:
        sys.stdout.write(_text(report.as_json()))
    return 0


def _read(settings: Settings, since: dt.datetime) -> tuple[list[Any], list[Any]]:
    """The questions and votes since `since`, reading TOWNHALL_DB without creating it."""
    from bot.store import StoreUnavailableError, open_store  # noqa: PLC0415

    target = str(settings.core.townhall_db)
    if not is_url(target) and not Path(target).exists():
        fail(f"TOWNHALL_DB ({target}) does not exist: nothing is recorded until `serve` runs")
    try:
        store = open_store(target, reading=True)
    except StoreUnavailableError as exc:
        fail(database_problem(target, exc))
    try:
        revision = store.revision()
        if revision is None or revision < USAGE_REVISION:
            fail(
                f"TOWNHALL_DB ({store.shown}) has no usage records yet: "
                "`townhall serve` adds them when it starts"
            )
        return store.usage.questions_since(since), store.usage.votes_since(since)
    except StoreUnavailableError as exc:
        fail(database_problem(target, exc))
    finally:
        store.close()


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= number <= MOST_DAYS:
        raise argparse.ArgumentTypeError(f"give 1 to {MOST_DAYS} days")
    return number


def _text(report: dict[str, Any]) -> str:
    """The report for a terminal: short tables, widest first."""
    questions = report["questions"]
    lines = [
        f"Questions {report['first_day']} .. {report['last_day']}: {questions['total']}",
        "  by platform: " + _pairs(questions["per_platform"]),
        "  by verdict:  " + _pairs(questions["per_verdict"]),
    ]
    for lang, verdicts in sorted(questions["per_language"].items()):
        lines.append(f"  {lang}: " + _pairs(verdicts))
    lines += ["", "Per day (discord / slack):"]
    lines += [
        f"  {d['day']}  {d['discord']:>4} / {d['slack']:<4} {d['total']:>5}"
        for d in questions["per_day"]
        if d["total"]
    ]
    lines += ["", "Topics asked most (answered; 👍 👎 on answers that led with them):"]
    lines += [
        f"  {t['asked']:>4}  👍 {t['up']:<3} 👎 {t['down']:<3} "
        + topic_label(t["number"], t["title"])
        for t in report["topics"]
    ]
    lines += ["", "Gap report (closest or none, by nearest topic):"]
    for gap in report["gaps"]:
        name = topic_label(gap["number"], gap["title"]) if gap["topic"] else "(no topic came near)"
        lines.append(f"  {gap['questions']:>4}  {name}  " + _pairs(gap["by_verdict"]))
        lines += [f"          “{' '.join(text.split())}”" for text in gap["texts"]]
    lines += ["", "Answers with the most 👎:"]
    lines += [
        f"  👎 {a['down']} 👍 {a['up']}  {a['verdict']:<7} {a['title']}"
        + (f"  “{' '.join(a['question'].split())}”" if a["question"] else "")
        for a in report["most_disliked"]
    ]
    return "\n".join(lines) + "\n"


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items())
