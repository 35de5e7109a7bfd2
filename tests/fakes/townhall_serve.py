"""`townhall serve` itself, with discord.py pointed at a fake Discord on this machine.

    python -m tests.fakes.townhall_serve DISCORD_PORT [serve options...]

Everything else is the real command: settings from the environment, the store at
TOWNHALL_DB, the real clock, SIGTERM and SIGKILL as in production.
"""

from __future__ import annotations

import sys

from bot.cli import main
from tests.fakes.discord_api import redirect_discord

if __name__ == "__main__":
    redirect_discord(int(sys.argv[1]))
    sys.exit(main(["serve", *sys.argv[2:]]))
