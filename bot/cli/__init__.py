"""The `townhall` command: ask questions offline, check the knowledge, run the bot."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli import ask, insight, knowledge, serve


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `townhall` command and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    status: int = args.run(args, parser)
    return status


if __name__ == "__main__":
    sys.exit(main())
