"""`python -m bot.cli` runs the `townhall` command."""

from bot.console import run

run()
