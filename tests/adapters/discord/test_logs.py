"""Debug logs of a real interaction: no interaction token, whatever discord.py logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.adapters.discord import TownhallClient
from bot.logs import setup_logging
from tests.fakes.discord_api import TOKEN, FakeDiscord

# The shape of a real interaction token: base64 of "interaction:<id>:<random>", no dots.
INTERACTION_TOKEN = (
    "aW50ZXJhY3Rpb246MTQwMDAwMDAwMDAwMDAwMDAwMDpUNFZ2SjNhT0FyY3k3a1ZxbWJ3VGJQZk9DdXN5aWRnbk1rT2lO"
)


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Every library's records at DEBUG, as `serve` would write them without its limits."""
    out = io.StringIO()
    level = logging.getLogger().level
    handler = setup_logging([TOKEN], level=logging.DEBUG, stream=out, form="text")
    yield out
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(level)  # later tests count the records they see


async def test_debug_logs_of_an_answered_interaction_carry_no_interaction_token(
    fake: FakeDiscord, bot: TownhallClient, debug_log: io.StringIO
) -> None:
    interaction = fake.slash("ask", {"question": "What did Altman say about hiring?"})
    interaction["token"] = INTERACTION_TOKEN
    await fake.interact(interaction)
    await fake.response_to(interaction)

    logged = debug_log.getvalue()
    assert "INTERACTION_CREATE" in logged  # discord.gateway's dump of the event was there
    assert INTERACTION_TOKEN not in logged
