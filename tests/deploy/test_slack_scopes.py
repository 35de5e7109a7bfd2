"""The Slack manifest asks for exactly the scopes of the Web API methods and events the code uses.

The methods are read from the code (every AsyncWebClient method called anywhere in bot/), so
a new call without its scope in the manifest, or a scope no call needs, fails here.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_sdk.web.async_client import AsyncWebClient

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "deploy" / "slack-manifest.yml"
# The bot token scopes each method needs (Slack's method reference, "Required scopes").
# conversations.history and .replies need the scope of the channel's kind: the daily insight
# reads back its own post in public (channels:) and private (groups:) channels, and a reply
# whose connection dropped is looked for in its thread or in the DM (im:).
METHOD_SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    "chat.postMessage": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "conversations.history": {"channels:history", "groups:history", "im:history"},
    "conversations.replies": {"channels:history", "groups:history", "im:history"},
    # `townhall doctor`: does the channel exist, is the bot in it (public and private).
    "conversations.info": {"channels:read", "groups:read"},
    # `townhall doctor` checks the app-level token (connections:write, not a bot scope).
    "apps.connections.open": set(),
}
# The scope each subscribed event needs (Slack's event reference).
EVENT_SCOPES: dict[str, set[str]] = {
    "app_mention": {"app_mentions:read"},
    "message.im": {"im:history"},
}
WEB_API_METHODS = {
    name
    for name, member in vars(AsyncWebClient).items()
    if inspect.iscoroutinefunction(member) and not name.startswith("_")
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def called_methods() -> set[str]:
    """Every Web API method the code calls: `client.chat_postMessage(...)` is chat.postMessage."""
    methods = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr in WEB_API_METHODS:
                methods.add(node.func.attr.replace("_", "."))
            elif node.func.attr == "api_call" and node.args:
                assert isinstance(node.args[0], ast.Constant), f"{path}: api_call with a variable"
                methods.add(str(node.args[0].value))
    return methods


def registered_events() -> set[str]:
    """The event types the app listens to: `app.event("app_mention")` and the like."""
    events = set()
    for path in (ROOT / "bot" / "adapters" / "slack").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "event"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                events.add(str(node.args[0].value))
    return events


def test_the_code_calls_the_web_api_methods_this_test_knows() -> None:
    methods = called_methods()
    assert "chat.postMessage" in methods  # the reading works at all
    unknown = methods - METHOD_SCOPES.keys()
    assert not unknown, f"add the bot token scopes of {sorted(unknown)} to METHOD_SCOPES"


def test_each_subscribed_event_is_one_the_app_listens_to(manifest: dict[str, Any]) -> None:
    subscribed = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert set(subscribed) <= EVENT_SCOPES.keys()
    listened = registered_events()
    for event in subscribed:
        assert event.split(".")[0] in listened, event


def test_the_manifest_asks_only_for_the_scopes_the_code_uses(manifest: dict[str, Any]) -> None:
    needed = set().union(*(METHOD_SCOPES[m] for m in called_methods()))
    needed |= set().union(
        *(EVENT_SCOPES[e] for e in manifest["settings"]["event_subscriptions"]["bot_events"])
    )
    if manifest["features"].get("slash_commands"):
        needed.add("commands")
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed
