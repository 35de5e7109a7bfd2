"""The `townhall` console script: Ctrl-C while the command is still loading ends it cleanly."""

from __future__ import annotations

import sys

# What a shell reports for a process ended by SIGINT (128 + the signal number).
EXIT_INTERRUPTED = 130


def run() -> None:
    """Load the `townhall` command and run it, exiting with its status."""
    try:
        # Loaded here, not at the top: the engine's libraries take half a second to load,
        # and an interrupt then must read as one line, as it does once the command runs.
        from bot.cli import main  # noqa: PLC0415
    except KeyboardInterrupt:
        sys.stderr.write("townhall: interrupted\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    raise SystemExit(main())
