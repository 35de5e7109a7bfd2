"""`python -m bot.cli` runs the `townhall` command."""

import sys

from bot.cli import main

sys.exit(main())
