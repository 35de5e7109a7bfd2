"""What every subcommand needs: settings, the engine, and one-line errors."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, NoReturn

from bot.engine import AnswerEngine
from bot.engine.engine import analyzers_for
from bot.knowledge import Knowledge, KnowledgeError, load_knowledge
from bot.logs import Redactor
from bot.settings import Settings, SettingsError, load_settings
from bot.store import StoreUnavailableError, open_store

if TYPE_CHECKING:
    from bot.store.store import Store


def settings_or_exit() -> Settings:
    """The settings, or exit 1 with the variable to fix."""
    try:
        return load_settings()
    except SettingsError as exc:
        fail(f"settings: {exc}")


def knowledge_or_exit(settings: Settings) -> Knowledge:
    """The configured knowledge, or exit 1 naming the bad file and line."""
    try:
        return load_knowledge(settings.core.knowledge_dir)
    except KnowledgeError as exc:
        fail(f"knowledge: {exc}")


def engine_or_exit(settings: Settings, korean: str = "mecab-ko") -> AnswerEngine:
    """The answer engine over the configured knowledge, or exit 1 naming the bad file and line."""
    return AnswerEngine(knowledge_or_exit(settings), analyzers_for(korean))


def store_or_exit(settings: Settings) -> Store:
    """The store at TOWNHALL_DB, upgraded to this code's schema, or exit 1 in one line."""
    try:
        store = open_store(settings.core.townhall_db)
    except StoreUnavailableError as exc:
        fail(str(exc))
    try:
        store.upgrade()
    except StoreUnavailableError as exc:
        store.close()
        fail(str(exc))
    return store


def fail(message: str, status: int = 1) -> NoReturn:
    """Print `townhall: message` on stderr, anything token-shaped redacted, and exit."""
    # A token pasted into the wrong variable comes back in its error message: never echo it.
    print(f"townhall: {Redactor()(message)}", file=sys.stderr)
    raise SystemExit(status)


def add_korean_option(parser: argparse.ArgumentParser) -> None:
    """The Korean analyzer choice (for benchmarks; mecab-ko is the default)."""
    parser.add_argument(
        "--korean-analyzer",
        default="mecab-ko",
        choices=("mecab-ko", "kiwi"),
        help=argparse.SUPPRESS,
    )
