"""`townhall knowledge check`: validate the knowledge folder before serving it."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import add_env_file_option, knowledge_or_exit, settings_or_exit


def register(commands: Any) -> None:
    """Add the `knowledge` subcommand group."""
    parser = commands.add_parser("knowledge", help="inspect the knowledge folder")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="validate every knowledge file",
        description="Parse every file; every language must have the same sections and a video.",
    )
    add_env_file_option(check, default=argparse.SUPPRESS)
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Load the configured knowledge folder and report what it holds."""
    knowledge = knowledge_or_exit(settings_or_exit(args.env_file))
    for document in knowledge.documents:
        print(
            f"ok  {document.path.name}: {document.talk} [{document.lang}] "
            f"{len(document.sections)} sections, video {document.video_url}"
        )
    return 0
