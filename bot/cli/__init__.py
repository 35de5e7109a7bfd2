"""The `townhall` command: ask questions offline, check the knowledge, run the bot."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli import ask, insight, knowledge, serve, stats
from bot.clock import Clock, SystemClock


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="townhall",
        description="Answers questions about the OpenAI Town Hall (January 2026).",
    )
    parser.add_argument("--version", action="version", version=f"townhall {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ask.register(commands)
    knowledge.register(commands)
    insight.register(commands)
    serve.register(commands)
    stats.register(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run one `townhall` command and return its exit status; `clock` is for tests."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Commands that read the time (insight, serve) take it from here, never on their own.
    args.clock = clock or SystemClock()
    status: int = args.run(args, parser)
    return status


if __name__ == "__main__":
    sys.exit(main())
