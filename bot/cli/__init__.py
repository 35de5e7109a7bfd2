"""The `townhall` command: ask questions offline, check the knowledge, run the bot."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from bot.cli import ask, doctor, insight, knowledge, serve, stats
from bot.cli.common import add_env_file_option, fail
from bot.clock import Clock, SystemClock
from bot.console import EXIT_INTERRUPTED

# What a shell reports for a process ended by SIGPIPE (128 + the signal number).
EXIT_BROKEN_PIPE = 141
EXIT_FAILURE = 1
# Errors writing the output that are the reader's or the disk's, not townhall's.
OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT})


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="townhall",
        description="Answers questions about the OpenAI Town Hall (January 2026).",
    )
    parser.add_argument("--version", action="version", version=f"townhall {_version()}")
    add_env_file_option(parser, default=None)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ask.register(commands)
    knowledge.register(commands)
    insight.register(commands)
    serve.register(commands)
    stats.register(commands)
    doctor.register(commands)
    for command in commands.choices.values():
        # After the command too (`townhall serve --env-file F`); unset there, the one
        # before the command (or none) stands.
        add_env_file_option(command, default=argparse.SUPPRESS)
    return parser


def _version() -> str:
    try:
        return version("townhall-bot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run one `townhall` command and return its exit status; `clock` is for tests."""
    command = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        command = args.command
        # Python leaves stdout None when its descriptor was closed (`townhall ... >&-`);
        # every command but serve (which logs to stderr) has something to say there.
        if sys.stdout is None and command != "serve":
            fail("standard output is closed: nowhere to write the result")
        # Commands that read the time (insight, serve) take it from here, never on their own.
        args.clock = clock or SystemClock()
        status: int = args.run(args, parser)
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`townhall ask - < questions | head`): stop quietly, as
        # Unix tools do, and keep Python from reporting the unflushed output at exit.
        _discard_output()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("townhall: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        # What a command prints could not be written (a full disk, an I/O error under it).
        # Its other writes say what failed themselves (the vectors, a stats page), and serve
        # prints nothing: its errors are its own.
        if exc.errno not in OUTPUT_ERRORS or command == "serve":
            raise
        _discard_output()
        print(f"townhall: cannot write the output: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILURE
    return status


def _discard_output() -> None:
    """Point stdout at /dev/null, so the exit does not report what it could not write."""
    if sys.stdout is not None:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
