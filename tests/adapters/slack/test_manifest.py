"""The app manifest an admin pastes matches what the adapter listens to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.adapters.slack.listeners import COMMAND

MANIFEST = Path(__file__).resolve().parents[3] / "deploy" / "slack-manifest.yml"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_manifest_declares_the_slash_command(manifest: dict[str, Any]) -> None:
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [COMMAND]


def test_manifest_subscribes_to_mentions_and_direct_messages(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_mention",
        "message.im",
    ]
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False


def test_manifest_uses_socket_mode(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
