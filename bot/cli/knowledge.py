"""`townhall knowledge check`: validate the knowledge folder before serving it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.common import add_env_file_option, knowledge_or_exit, settings_or_exit
from bot.engine.meaning import VECTORS_FILE, Meaning, MeaningIndex
from bot.knowledge import Knowledge


def register(commands: Any) -> None:
    """Add the `knowledge` subcommand group."""
    parser = commands.add_parser("knowledge", help="inspect the knowledge folder")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="validate every knowledge file and refresh its passage vectors",
        description=(
            "Parse every file; every language must have the same sections and a video. "
            f"Then embed the passages new since {VECTORS_FILE} was written and rewrite it."
        ),
    )
    add_env_file_option(check, default=argparse.SUPPRESS)
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Load the configured knowledge folder, report what it holds, refresh its vectors."""
    settings = settings_or_exit(args.env_file)
    knowledge = knowledge_or_exit(settings)
    for document in knowledge.documents:
        print(
            f"ok  {document.path.name}: {document.talk} [{document.lang}] "
            f"{len(document.sections)} sections, video {document.video_url}"
        )
    print(refresh_vectors(knowledge, settings.core.knowledge_dir, settings.core.townhall_cache_dir))
    return 0


def refresh_vectors(knowledge: Knowledge, folder: Path, cache_dir: Path | None) -> str:
    """Embed the passages the folder's vectors file lacks and rewrite it; one line on how."""
    meaning = Meaning.of_folder(folder, cache_dir)
    if meaning.problem:
        return f"--  {VECTORS_FILE}: not refreshed: {meaning.problem}; answers use the words alone"
    texts = set(MeaningIndex(knowledge, meaning).texts)
    if meaning.holds(texts):
        return f"ok  {VECTORS_FILE}: {len(texts)} passages ({meaning.added} new)"
    unstored = meaning.unstored(texts)
    kept = meaning.keep(texts)
    if kept.path == meaning.cache:
        return f"ok  {VECTORS_FILE}: {len(texts)} passages ({meaning.added} new)"
    reason = f"{folder} cannot be written ({kept.failed[0][1]})"
    if kept.path is None:
        # A read-only install still answers: the passages are embedded at each start.
        return (
            f"--  {VECTORS_FILE}: not refreshed, {reason}: "
            f"{unstored} new passages are embedded at each start"
        )
    return (
        f"ok  {VECTORS_FILE}: not refreshed, {reason}; the {unstored} new "
        f"passages' vectors are kept in {kept.path} (TOWNHALL_CACHE_DIR)"
    )
