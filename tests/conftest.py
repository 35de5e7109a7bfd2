"""Fixtures shared by every test: the bundled knowledge and one engine over it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.engine import AnswerEngine
from bot.knowledge import Knowledge, load_knowledge
from bot.settings import BUNDLED_KNOWLEDGE

# slack_sdk and aiohttp honour proxy variables even for 127.0.0.1; tests use loopback only.
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def knowledge_dir() -> Path:
    """The knowledge folder that ships with the bot."""
    return BUNDLED_KNOWLEDGE


@pytest.fixture(scope="session")
def knowledge(knowledge_dir: Path) -> Knowledge:
    """The shipped knowledge, loaded once."""
    return load_knowledge(knowledge_dir)


@pytest.fixture(scope="session")
def engine(knowledge: Knowledge) -> AnswerEngine:
    """One answer engine over the shipped knowledge (mecab-ko for Korean)."""
    from bot.engine.engine import analyzers_for

    return AnswerEngine(knowledge, analyzers_for("mecab-ko"))
