"""`townhall ask`: answer questions offline, readable or as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from bot.cli.common import add_korean_option, engine_or_exit, settings_or_exit
from bot.engine import Answer, AnswerEngine, QuestionError
from bot.phrases import phrase


def register(commands: Any) -> None:
    """Add the `ask` subcommand."""
    parser = commands.add_parser(
        "ask",
        help="answer a question (or '-' for one question per line on stdin)",
        description="Answer a question about the Town Hall from the bundled summary.",
    )
    parser.add_argument("question", help="the question, or '-' to read one per line from stdin")
    parser.add_argument("--json", action="store_true", help="one JSON object per question")
    add_korean_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Answer the question(s) and print them."""
    if args.question != "-" and not args.question.strip():
        parser.error("the question is empty")
    engine = engine_or_exit(settings_or_exit(), args.korean_analyzer)
    if args.question != "-":
        answer = engine.ask(args.question)
        print(
            json.dumps(as_json(answer), ensure_ascii=False)
            if args.json
            else readable(engine, answer)
        )
        return 0
    return _batch(engine, sys.stdin, sys.stdout, as_json_lines=args.json)


def _batch(engine: AnswerEngine, lines: TextIO, out: TextIO, *, as_json_lines: bool) -> int:
    for line in lines:
        question = line.rstrip("\n")
        try:
            answer = engine.ask(question)
        except QuestionError as exc:
            # Keep one output line per input line so callers can zip them.
            if as_json_lines:
                print(
                    json.dumps({"question": question, "error": str(exc), "results": []}), file=out
                )
            continue
        if as_json_lines:
            print(json.dumps(as_json(answer), ensure_ascii=False), file=out, flush=False)
        else:
            print(readable(engine, answer) + "\n", file=out)
    out.flush()
    return 0


def as_json(answer: Answer) -> dict[str, object]:
    """The JSON contract of `townhall ask --json`."""
    return {
        "question": answer.question,
        "lang": answer.lang,
        "verdict": answer.verdict.value,
        "results": [
            {
                "doc": hit.talk,
                "section": hit.number,
                "title": hit.title,
                "score": hit.score,
                "excerpt": hit.excerpt,
                "url": hit.url,
            }
            for hit in answer.hits
        ],
    }


def readable(engine: AnswerEngine, answer: Answer) -> str:
    """A plain-text answer for a terminal."""
    best = answer.best
    lang = answer.lang
    if best is None or not answer.confident:
        tries = "\n".join(f"  - {h.number}. {h.title}" for h in answer.hits)
        return f"{phrase('not_found', lang)}\n{phrase('try_topics', lang)}\n{tries}"
    lines = [
        f"{phrase('section', lang, number=best.number)}: {best.title}",
        "",
        best.excerpt,
        "",
        f"{phrase('watch', lang)}: {best.url}",
    ]
    if answer.related:
        related = ", ".join(f"{h.number}. {h.title}" for h in answer.related)
        lines.append(f"{phrase('related', lang)}: {related}")
    return "\n".join(lines)
