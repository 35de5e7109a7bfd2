"""townhall-bot: answers questions about the OpenAI Town Hall on Discord and Slack."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("townhall-bot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
