"""`townhall ask`: answer questions offline, readable or as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import Any, BinaryIO, TextIO

from bot.cli.common import add_korean_option, engine_or_exit, fail, settings_or_exit
from bot.engine import Answer, AnswerEngine, QuestionError, Verdict
from bot.phrases import phrase
from bot.text import shorten

# The best section's excerpt, when the talk may not answer exactly the question.
CLOSEST_EXCERPT_CHARS = 280


def register(commands: Any) -> None:
    """Add the `ask` subcommand."""
    parser = commands.add_parser(
        "ask",
        help="answer a question (or '-' for one question per line on stdin)",
        description="Answer a question about the Town Hall from the bundled summary.",
    )
    parser.add_argument(
        "question",
        nargs="+",
        help="the question (quoted or not; after -- when it starts with -), "
        "or '-' to read one per line from stdin",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per question")
    add_korean_option(parser)
    # `ask ""` is a mistake in using `ask`: its own usage says how to use it.
    parser.set_defaults(run=run, ask_parser=parser)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Answer the question(s) and print them."""
    # `townhall ask what did he say about hiring` is one question, as the shell split it.
    args.question = " ".join(args.question)
    if args.question != "-" and not args.question.strip():
        args.ask_parser.error("the question is empty")
    # Python leaves stdin None when its descriptor was closed (`townhall ask - <&-`).
    if args.question == "-" and sys.stdin is None:
        fail("standard input is closed: no questions to read")
    engine = engine_or_exit(settings_or_exit(args.env_file), args.korean_analyzer)
    if args.question != "-":
        try:
            answer = engine.ask(args.question)
        except QuestionError as exc:
            args.ask_parser.error(str(exc))
        print(json_line(answer) if args.json else readable(engine, answer))
        return 0
    return _batch(engine, questions(sys.stdin.buffer), sys.stdout, as_json_lines=args.json)


def questions(stream: BinaryIO) -> Iterable[str]:
    """One question per line of `stream`, bytes that are not UTF-8 replaced (U+FFFD)."""
    # Decoding line by line keeps a bad byte to its own line: the batch goes on.
    try:
        for line in stream:
            yield line.decode("utf-8", errors="replace").rstrip("\r\n")
    except OSError as exc:
        fail(f"cannot read standard input: {exc.strerror}")


def _batch(engine: AnswerEngine, lines: Iterable[str], out: TextIO, *, as_json_lines: bool) -> int:
    for number, question in enumerate(lines, start=1):
        try:
            answer = engine.ask(question)
        except QuestionError as exc:
            # Keep one output line per input line so callers can zip them.
            if as_json_lines:
                print(_dumps({"question": question, "error": str(exc), "results": []}), file=out)
            else:
                print(f"townhall: line {number} skipped: {exc}", file=sys.stderr)
            continue
        if as_json_lines:
            print(json_line(answer), file=out, flush=False)
        else:
            print(readable(engine, answer) + "\n", file=out)
    out.flush()
    return 0


# Characters that JSON leaves as they are but that text tools take for line breaks, and
# those a terminal acts on: C1 controls (U+009B starts an escape sequence on some) and
# the bidirectional overrides that reorder what is shown. Escaped, they read as data.
_UNSAFE = {
    *"\u2028\u2029",
    *map(chr, range(0x80, 0xA0)),
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
}
_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in _UNSAFE}


def json_line(answer: Answer) -> str:
    """The answer as one line of JSON, whatever characters the question holds."""
    return _dumps(as_json(answer))


def _dumps(value: dict[str, object]) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)


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
    """A plain-text answer for a terminal, saying how sure the engine is."""
    best = answer.best
    lang = answer.lang
    if best is None or answer.verdict is Verdict.NONE:
        tries = "\n".join(f"  - {h.section.numbered_title}" for h in answer.hits)
        lines = [phrase("not_found", lang)]
        if tries:
            lines += [phrase("try_topics", lang), tries]
        return "\n".join(lines)
    if answer.verdict is Verdict.CLOSEST:
        return "\n".join(
            [
                phrase("not_sure", lang),
                *(f"  - {h.section.numbered_title}" for h in answer.hits),
                "",
                f"{phrase('section', lang, number=best.number)}: {best.title}",
                shorten(best.excerpt, CLOSEST_EXCERPT_CHARS),
                f"{phrase('watch', lang)}: {best.url}",
            ]
        )
    lines = [
        f"{phrase('section', lang, number=best.number)}: {best.title}",
        "",
        best.excerpt,
        "",
        f"{phrase('watch', lang)}: {best.url}",
    ]
    if answer.related:
        related = ", ".join(h.section.numbered_title for h in answer.related)
        lines.append(f"{phrase('related', lang)}: {related}")
    return "\n".join(lines)
