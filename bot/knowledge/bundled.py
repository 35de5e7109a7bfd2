"""Where the talks that ship with the bot are: package data when installed, else the checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# The build maps the top-level knowledge/ folder into the package as bot.talks (setup.py).
_PACKAGED = "talks"
_CHECKOUT = Path(__file__).resolve().parents[2] / "knowledge"


def bundled_knowledge() -> Path:
    """The folder of bundled talks: the installed package's copy, or the checkout's knowledge/."""
    packaged = files("bot") / _PACKAGED
    # An editable install and a plain checkout import bot from the source tree, which has no
    # bot/talks: the talks are in knowledge/ beside it, the folder the build maps.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return _CHECKOUT
