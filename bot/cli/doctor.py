"""`townhall doctor`: what would run with these settings, and the fix for each problem."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.checks import Finding
from bot.cli.common import database_problem, knowledge_problem, probe_write, settings_file_shown
from bot.cli.serve import NOTHING_TO_RUN
from bot.engine.meaning import VECTORS_FILE, Meaning, knowledge_units
from bot.knowledge import KnowledgeError, load_knowledge
from bot.logs import Redactor
from bot.settings import Settings, SettingsError, load_settings, secret_values
from bot.store.errors import StoreUnavailableError
from bot.store.target import is_url, shown_target

OK, PROBLEM = "ok", "FIX"


def register(commands: Any) -> None:
    """Add the `doctor` subcommand."""
    parser = commands.add_parser(
        "doctor",
        help="check the settings, the database, the knowledge and each platform",
        description="Show which settings, database and knowledge would be used and the mode "
        "each platform would run in; log in with the configured tokens and check that the "
        "bot may post in each insight channel. Exits 0 only when everything would work.",
    )
    parser.add_argument(
        "--port", type=int, default=3000, help="the --port `serve` is given (Slack HTTP mode)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Print each finding (and its fix); 0 when none needs fixing, else 1."""
    try:
        settings = load_settings(args.env_file)
    except SettingsError as exc:
        # The file's other problems first: a bad line or a misspelt name may be the cause.
        found = _warning_findings(exc.warnings)
        found.append(Finding("settings", str(exc), "fix what it names, then run doctor again"))
        return _report(found, Redactor())
    found = [Finding("settings file", settings_file_shown(settings.env_file))]
    found.extend(_warning_findings(settings.warnings))
    found.extend(settings_findings(settings))
    found.append(database_finding(settings.core.townhall_db))
    found.append(knowledge_finding(settings.core.knowledge_dir))
    found.append(meaning_finding(settings.core.knowledge_dir, settings.core.townhall_cache_dir))
    found.extend(platform_findings(settings, args.port))
    return _report(found, Redactor(secret_values(settings)))


def _warning_findings(warnings: Sequence[str]) -> list[Finding]:
    return [Finding("settings", warning, "correct or remove it") for warning in warnings]


def settings_findings(settings: Settings) -> list[Finding]:
    """Every setting by its variable name; secrets only as set or unset."""
    found = []
    sections = (settings.core, settings.discord, settings.slack, settings.insight, settings.stats)
    for section in sections:
        prefix = str(type(section).model_config.get("env_prefix", ""))
        for name in type(section).model_fields:
            value = getattr(section, name)
            if isinstance(value, SecretStr):
                text = "set"
            elif isinstance(value, tuple):
                text = ", ".join(f"{c.channel.id} ({c.lang})" for c in value) or "unset"
            elif isinstance(value, str):
                # A URL's password (TOWNHALL_DB's, however short) is never shown.
                text = shown_target(value)
            else:
                text = "unset" if value is None else str(value)
            found.append(Finding((prefix + name).upper(), text))
    return found


def database_finding(target: str | Path) -> Finding:
    """TOWNHALL_DB, its schema revision, and whether this code's revision is reached."""
    from bot.store import open_store  # noqa: PLC0415 - SQLAlchemy only when it is used
    from bot.store.migrate import head_revision  # noqa: PLC0415

    subject = "TOWNHALL_DB"
    head = head_revision()
    url = is_url(target)
    if not url:
        path = Path(target)
        if path.is_dir():
            return Finding(subject, str(path), database_problem(path, IsADirectoryError(str(path))))
        if path.exists() and not path.is_file():
            # /dev/null and the like open, and then every write fails ("disk I/O error").
            return Finding(subject, str(path), database_problem(path, OSError(str(path))))
        # serve writes the file and, beside it, its journal (-wal, -shm); a folder it would
        # create must be made in the nearest one that exists.
        folder = next(p for p in path.absolute().parents if p.exists())
        for needed in (path, path.parent) if path.exists() else (folder,):
            if not os.access(needed, os.W_OK | (os.X_OK if needed.is_dir() else 0)):
                return Finding(
                    subject, str(path), database_problem(path, PermissionError(13, str(needed)))
                )
        if not path.exists():
            return Finding(subject, f"{path} does not exist yet; `townhall serve` creates it")
    try:
        store = open_store(target, reading=True)
        try:
            shown = store.shown
            revision = store.revision()
            if url and revision == head:
                # A role that may only read answers every read, as a read-only server does:
                # only a write tells (rolled back, so doctor leaves nothing). A file's write
                # access was checked above without opening it to write.
                probe_write(store, keep=False)
            elif url and (revision is None or _known_revision(revision)):
                # serve will upgrade it, which needs CREATE on the schema (not granted on
                # public since PostgreSQL 15) and a schema selected: only trying tells.
                # The DDL is transactional, so the trial is rolled back without a trace.
                store.upgrade(keep=False)
        finally:
            store.close()
    except StoreUnavailableError as exc:
        # The store's message carries the driver's reason (never a password); the hint is
        # chosen from it.
        masked = str(exc).split(")", 1)[0].removeprefix("TOWNHALL_DB (") if url else target
        return Finding(subject, str(masked), database_problem(target, exc))
    if revision == head:
        return Finding(subject, f"{shown}, schema revision {head} (current)")
    if revision is None or _known_revision(revision):
        return Finding(
            subject,
            f"{shown}, schema revision {revision or 'none'}: older than this townhall's "
            f"{head}, which upgrades it keeping every row",
        )
    return Finding(
        subject,
        f"{shown}, schema revision {revision}, newer than this townhall ({head})",
        "upgrade townhall to the version that wrote this database",
    )


def _known_revision(revision: str) -> bool:
    """Whether this code has the migration script for `revision` (so it is older, not newer)."""
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    from bot.store.migrate import MIGRATIONS  # noqa: PLC0415

    scripts = ScriptDirectory(str(MIGRATIONS))
    return any(script.revision == revision for script in scripts.walk_revisions())


def knowledge_finding(folder: Path) -> Finding:
    """The knowledge folder and what it holds, or the file and line to fix."""
    try:
        knowledge = load_knowledge(folder)
    except KnowledgeError as exc:
        return Finding("knowledge", str(folder), knowledge_problem(folder, exc))
    sections = sum(len(document.sections) for document in knowledge.documents)
    return Finding("knowledge", f"{folder}: {len(knowledge.documents)} files, {sections} sections")


def meaning_finding(folder: Path, cache_dir: Path | None) -> Finding:
    """Whether the question's meaning can be read here, and its vectors file is complete."""
    subject = "meaning"
    try:
        knowledge = load_knowledge(folder)
    except KnowledgeError:
        return Finding(subject, "not checked: the knowledge does not load (above)")
    meaning = Meaning.of_folder(folder, cache_dir)
    if meaning.problem:
        return Finding(
            subject,
            f"off: {meaning.problem}; answers use the words alone",
            "run on an x86-64 CPU with AVX2 and FMA (most since 2013), or accept answers "
            "found by the words alone",
        )
    texts = {text for _, text in knowledge_units(knowledge)}
    lacking = meaning.missing(texts)
    if lacking:
        return Finding(
            subject,
            f"{folder / VECTORS_FILE} lacks {lacking} of {len(texts)} passages: each start "
            "embeds them (about 60 ms each)",
            f"run `townhall knowledge check` as a user who can write {folder}, or as the "
            "service's user",
        )
    unstored = meaning.unstored(texts)
    if unstored:
        return Finding(
            subject,
            f"multilingual-e5-small; {VECTORS_FILE} lacks {unstored} of {len(texts)} passages, "
            f"kept in {meaning.spare} (TOWNHALL_CACHE_DIR)",
        )
    return Finding(
        subject, f"multilingual-e5-small; {VECTORS_FILE} holds all {len(texts)} passages"
    )


def platform_findings(settings: Settings, port: int) -> list[Finding]:
    """The mode each platform would run in, then what logging in and each channel showed."""
    found = []
    channels = settings.insight.channels()
    bot = settings.discord.bot()
    app = settings.slack.app()
    if bot is None:
        found.append(Finding("Discord", "not configured (set DISCORD_TOKEN to run it)"))
    else:
        where = f"guild {bot.guild_id}" if bot.guild_id else "every server (global commands)"
        found.append(Finding("Discord", f"would run: slash commands for {where}"))
    if app is None:
        found.append(Finding("Slack", "not configured (set SLACK_BOT_TOKEN and a mode to run it)"))
    elif app.mode == "socket":
        found.append(Finding("Slack", "would run in Socket Mode (SLACK_APP_TOKEN)"))
    else:
        found.append(
            Finding("Slack", f"would run in HTTP mode: events on port {port} at /slack/events")
        )
    for platform, running in (("discord", bot), ("slack", app)):
        if platform in channels and running is None:
            variable = f"INSIGHT_{platform.upper()}_CHANNELS"
            found.append(
                Finding(
                    variable,
                    "set, but the platform is not configured",
                    f"configure {platform.title()} or unset {variable}",
                )
            )
    if bot is None and app is None and not channels:
        found.append(
            Finding("serve", "nothing to run", NOTHING_TO_RUN.removeprefix("nothing to run: "))
        )
    found.extend(asyncio.run(_log_in(settings)))
    return found


async def _log_in(settings: Settings) -> list[Finding]:
    # Imported here: the adapters load their platform clients.
    from bot.adapters.discord.doctor import check_discord  # noqa: PLC0415
    from bot.adapters.slack.doctor import check_slack  # noqa: PLC0415

    channels = settings.insight.channels()
    checks = []
    bot = settings.discord.bot()
    if bot is not None:
        checks.append(check_discord(bot, channels.get("discord", ())))
    app = settings.slack.app()
    if app is not None:
        checks.append(check_slack(app, channels.get("slack", ())))
    results = await asyncio.gather(*checks)
    return [finding for found in results for finding in found]


def _report(found: Sequence[Finding], redact: Redactor) -> int:
    problems = [f for f in found if not f.ok]
    # A token pasted into a path or URL setting comes back in its finding: never echo it.
    for finding in found:
        print(redact(f"{OK if finding.ok else PROBLEM:<4} {finding.subject}: {finding.detail}"))
        if finding.fix:
            print(redact(f"     fix: {finding.fix}"))
    if problems:
        print(f"{len(problems)} problem(s): fix them, then run `townhall doctor` again")
        return 1
    print("Everything would work.")
    return 0
