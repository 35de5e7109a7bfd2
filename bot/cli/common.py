"""What every subcommand needs: settings, the engine, and one-line errors."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from bot.engine import AnswerEngine
from bot.engine.engine import analyzers_for
from bot.engine.meaning import Meaning
from bot.knowledge import Knowledge, KnowledgeError, load_knowledge
from bot.logs import Redactor
from bot.settings import Settings, SettingsError, load_settings, secret_values
from bot.store import StoreUnavailableError, is_url, open_store
from bot.store.watch import PROBE_KEY

if TYPE_CHECKING:
    from bot.store.store import Store


# The secrets of the settings this command read (settings_or_exit), so that no message
# `fail` prints echoes one: a command reads its settings once, first.
_secrets: list[str] = []


def settings_or_exit(env_file: Path | None) -> Settings:
    """The settings (from `env_file` if given), or exit 1 with the variable to fix.

    Problems that do not stop the command (a bad line, a likely typo) are said once each.
    """
    try:
        settings = load_settings(env_file)
    except SettingsError as exc:
        # A bad line or a misspelt name may be why a variable is missing: said first.
        _warn(exc.warnings)
        fail(f"settings: {exc}")
    _secrets[:] = secret_values(settings)
    _warn(settings.warnings)
    return settings


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        print(f"townhall: warning: {Redactor(_secrets)(warning)}", file=sys.stderr)


def settings_file_shown(env_file: Path | None) -> str:
    """Which settings file was read, for an admin to see."""
    if env_file is not None:
        return f"{env_file} (and the environment, which wins)"
    return f"none: no --env-file, TOWNHALL_ENV_FILE or .env in {Path.cwd()} (the environment only)"


def knowledge_or_exit(settings: Settings) -> Knowledge:
    """The configured knowledge, or exit 1 naming the bad file and line."""
    folder = settings.core.knowledge_dir
    try:
        return load_knowledge(folder)
    except KnowledgeError as exc:
        fail(f"knowledge: {knowledge_problem(folder, exc)}")


def knowledge_problem(folder: Path, exc: KnowledgeError) -> str:
    """What is wrong with the knowledge: the file and line, or the setting for the folder."""
    if exc.path == folder:  # the folder itself, not one of its files: KNOWLEDGE_DIR
        return f"KNOWLEDGE_DIR ({folder}): {exc.message}"
    return str(exc)


def engine_or_exit(settings: Settings, korean: str = "mecab-ko") -> AnswerEngine:
    """The answer engine over the configured knowledge, or exit 1 naming the bad file and line.

    Passages new since the knowledge folder's vectors file was written are embedded now
    and the file rewritten (kept to what the knowledge has), or the spare file in
    TOWNHALL_CACHE_DIR where the folder cannot be written.
    """
    meaning = Meaning.of_folder(settings.core.knowledge_dir, settings.core.townhall_cache_dir)
    engine = AnswerEngine(knowledge_or_exit(settings), analyzers_for(korean), meaning)
    if meaning.added:
        meaning.save(keep=engine.meaning.texts)
    return engine


def store_or_exit(settings: Settings) -> Store:
    """The store at TOWNHALL_DB, upgraded to this code's schema, or exit 1 in one line."""
    target = settings.core.townhall_db
    try:
        store = open_store(target)
    except StoreUnavailableError as exc:
        fail(database_problem(target, exc))
    try:
        store.upgrade()
    except StoreUnavailableError as exc:
        store.close()
        fail(database_problem(target, exc))
    try:
        # A current schema needs no upgrade, so nothing above has written: a read-only
        # file or server would pass, and every post and record would then fail quietly.
        probe_write(store)
    except StoreUnavailableError as exc:
        if read_only(exc):
            store.close()
            fail(database_problem(target, exc))
        # Locked or slow for now: the start goes on, and /healthz and the logs say so.
    return store


def probe_write(store: Store, *, keep: bool = True) -> None:
    """Write the probe value as `serve` does at start; without `keep` it is rolled back."""
    store.values.set(PROBE_KEY, "start", keep=keep)


def read_only(exc: BaseException) -> bool:
    """Whether `exc` says the database refuses this user's writes (a read-only file, folder
    or server, or a PostgreSQL role without the privilege)."""
    reason = str(exc)
    refusals = ("readonly", "read-only", "permission denied")
    return any(word in reason for word in refusals) or isinstance(exc, PermissionError)


def database_problem(target: str | Path, exc: BaseException) -> str:
    """One line naming TOWNHALL_DB and what to do about `exc`, raised while using it.

    The store's own message already names TOWNHALL_DB (without a password); for a SQLite
    file the common causes get the fix an admin needs.
    """
    reason = str(exc)
    if is_url(target):
        named = reason if reason.startswith("TOWNHALL_DB") else f"TOWNHALL_DB: {reason}"
        if "no schema has been selected" in reason:
            return (
                f"{named}; the search_path names no schema that exists: create it (CREATE "
                "SCHEMA <name> AUTHORIZATION <the role in TOWNHALL_DB>), or correct the URL's "
                "options=-csearch_path"
            )
        return f"{named}; {_server_write_fix(reason)}" if read_only(exc) else named
    path = Path(target)
    shown = f"TOWNHALL_DB ({path})"
    if path.is_dir():
        return f"{shown} is a folder: set TOWNHALL_DB to a file in it, e.g. {path / 'townhall.db'}"
    if path.exists() and not path.is_file():
        return (
            f"{shown} is not a regular file (a device or a pipe): set TOWNHALL_DB to a file "
            "path, e.g. /var/lib/townhall/townhall.db"
        )
    if "not a database" in reason or "malformed" in reason:
        return (
            f"{shown} is not a usable SQLite database (corrupted, or another kind of file): "
            "restore it from a backup or move it away so a new one is made"
        )
    if read_only(exc):
        return (
            f"{shown} is read-only for this user: let the user running townhall write to the "
            "file and its folder"
        )
    if path.is_file() and not os.access(path.parent, os.W_OK):
        # SQLite makes a -shm file beside a database in WAL mode even to read it.
        return (
            f"{shown} cannot be read from a folder this user may not write (a read-only "
            "mount or backup?): copy it to a folder this user may write, or let it write there"
        )
    if reason.startswith("TOWNHALL_DB"):
        return reason
    return f"{shown} cannot be opened ({reason}): check the path and its folder"


def _server_write_fix(reason: str) -> str:
    """What lets townhall write to a PostgreSQL server that refused it for `reason`."""
    if "permission denied for schema" in reason:
        # Making or upgrading the schema creates tables: since PostgreSQL 15 no role but
        # the database owner may create in public unless granted.
        return (
            "let the role in TOWNHALL_DB create townhall's tables: GRANT CREATE ON SCHEMA "
            "public (or the one its search_path names) TO <that role>, or connect as the "
            "database's owner"
        )
    if "permission denied" in reason:
        return (
            "let the role in TOWNHALL_DB write townhall's tables: GRANT SELECT, INSERT, UPDATE, "
            "DELETE ON ALL TABLES IN SCHEMA public (or the one its search_path names) TO <that "
            "role>, or connect as the role that owns them (a schema upgrade needs the owner)"
        )
    return (
        "the server or database takes no writes (a standby, or default_transaction_read_only "
        "on): point TOWNHALL_DB at the primary, or turn that setting off"
    )


def fail(message: str, status: int = 1) -> NoReturn:
    """Print `townhall: message` on stderr, secrets and anything token-shaped redacted, and exit."""
    # A token pasted into the wrong variable comes back in its error message: never echo it.
    print(f"townhall: {Redactor(_secrets)(message)}", file=sys.stderr)
    raise SystemExit(status)


def add_korean_option(parser: argparse.ArgumentParser) -> None:
    """The Korean analyzer choice (for benchmarks; mecab-ko is the default)."""
    parser.add_argument(
        "--korean-analyzer",
        default="mecab-ko",
        choices=("mecab-ko", "kiwi"),
        help=argparse.SUPPRESS,
    )


def add_env_file_option(parser: argparse.ArgumentParser, default: object) -> None:
    """--env-file: the settings file every command reads (the environment wins over it)."""
    parser.add_argument(
        "--env-file",
        type=Path,
        default=default,
        metavar="PATH",
        help="read settings from this file (default: $TOWNHALL_ENV_FILE, else ./.env)",
    )
