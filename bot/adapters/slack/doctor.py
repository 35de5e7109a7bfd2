"""`townhall doctor` for Slack: the tokens are accepted, and the bot is in each channel."""

from __future__ import annotations

from collections.abc import Sequence

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.client import (
    NOT_WEB_API,
    TOKEN_ERRORS,
    NotWebApiError,
    error_code,
    http_status,
    quoted,
    slack_trouble,
    web_api,
)
from bot.checks import Finding
from bot.insight.channel import InsightChannel
from bot.settings import SlackApp, SocketMode

REINSTALL = "add it under OAuth & Permissions, then reinstall the app to the workspace"
TRY_LATER = "try again later: Slack could not answer now"
CHECK_API_URL = "check SLACK_API_URL: it should be Slack's Web API root (https://slack.com/api/)"


async def check_slack(app: SlackApp, channels: Sequence[InsightChannel]) -> list[Finding]:
    """Call auth.test with SLACK_BOT_TOKEN, open a socket URL (Socket Mode), check channels."""
    client = AsyncWebClient(token=app.bot_token.get_secret_value(), base_url=app.api_url)
    try:
        try:
            identity = await web_api("auth.test", client.auth_test())
        except SlackApiError as exc:
            return [_not_accepted(exc, "SLACK_BOT_TOKEN", "auth.test", _token_fix(), app.api_url)]
        except NotWebApiError as exc:
            return [_not_web_api(exc)]
        bot = quoted(identity.get("user") or "townhall")
        team = quoted(identity.get("team"))
        found = [Finding("SLACK_BOT_TOKEN", f"accepted: @{bot} in {team}")]
        if isinstance(app.connection, SocketMode):
            found.append(await _check_app_token(app))
        for target in channels:
            found.append(await _check_channel(client, bot, target.channel.id))
        return found
    except ValueError as exc:
        # The HTTP client refused the URL itself (aiohttp's InvalidURL, an IDNA UnicodeError):
        # settings validation should have, so this is a setting to fix, not the network.
        return [
            Finding(
                "SLACK_API_URL",
                f"the HTTP client cannot call it ({type(exc).__name__})",
                "use Slack's Web API root, such as https://slack.com/api/",
            )
        ]
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return [
            Finding(
                "Slack",
                f"could not reach {app.api_url} ({type(exc).__name__})",
                "check this host's network access to Slack (and SLACK_API_URL)",
            )
        ]


async def _check_app_token(app: SlackApp) -> Finding:
    assert isinstance(app.connection, SocketMode)
    client = AsyncWebClient(base_url=app.api_url)
    try:
        await web_api(
            "apps.connections.open",
            client.apps_connections_open(app_token=app.connection.app_token.get_secret_value()),
        )
    except NotWebApiError as exc:
        return _not_web_api(exc)
    except SlackApiError as exc:
        return _not_accepted(
            exc,
            "SLACK_APP_TOKEN",
            "apps.connections.open",
            "create an app-level token with connections:write (Basic Information > App-Level "
            "Tokens) and turn Socket Mode on",
            app.api_url,
        )
    return Finding("SLACK_APP_TOKEN", "accepted: Socket Mode can connect")


def _not_accepted(
    exc: SlackApiError, variable: str, method: str, token_fix: str, api_url: str
) -> Finding:
    """Why Slack did not accept the token in `variable`: the token only when Slack says so."""
    code = error_code(exc)
    if code in TOKEN_ERRORS:
        return Finding(variable, f"refused by Slack ({code})", token_fix)
    if slack_trouble(exc):
        return Finding(
            "Slack",
            f"answered {_answer(exc)} to {method}, so {variable} was not checked",
            f"{TRY_LATER} (not a token problem)",
        )
    if code.startswith("HTTP "):  # no Slack error code: likely not Slack's Web API at all
        return Finding(
            variable,
            f"not checked: {api_url} answered {code} to {method}",
            CHECK_API_URL,
        )
    return Finding(
        variable,
        f"not checked: Slack answered {code} to {method}",
        f"see api.slack.com/methods/{method} ({code})",
    )


def _not_web_api(exc: NotWebApiError) -> Finding:
    return Finding("SLACK_API_URL", f"{NOT_WEB_API} to {exc.method}", CHECK_API_URL)


def _answer(exc: SlackApiError) -> str:
    """What Slack answered: its HTTP status and, when it gave one, its error code."""
    code, status = error_code(exc), http_status(exc)
    if code.startswith("HTTP ") or status in (None, 200):
        return code
    return f"HTTP {status} ({code})"


async def _check_channel(client: AsyncWebClient, bot: str, channel_id: str) -> Finding:
    subject = f"Slack channel {channel_id}"
    try:
        info = await web_api("conversations.info", client.conversations_info(channel=channel_id))
    except NotWebApiError as exc:
        return _not_web_api(exc)
    except SlackApiError as exc:
        code = error_code(exc)
        if code == "channel_not_found":
            return Finding(
                subject,
                "not found (a wrong id, or a private channel the bot is not in)",
                f"check INSIGHT_SLACK_CHANNELS; for a private channel invite the bot: "
                f"/invite @{bot} in it",
            )
        if code == "missing_scope":
            needed = quoted(exc.response.get("needed") or "channels:read")
            return Finding(subject, f"the app lacks the scope {needed}", f"{REINSTALL} ({needed})")
        if slack_trouble(exc):
            return Finding(subject, f"not checked: Slack answered {_answer(exc)}", TRY_LATER)
        return Finding(
            subject, f"Slack answered {code}", "see api.slack.com/methods/conversations.info"
        )
    channel = info.get("channel") or {}
    if not isinstance(channel, dict):  # {"ok": true, "channel": "C1"}: not Slack either
        return _not_web_api(NotWebApiError("conversations.info"))
    name = f"#{quoted(channel.get('name', channel_id))}"
    if channel.get("is_archived"):
        return Finding(
            subject,
            f"{name} is archived",
            f"unarchive {name} or remove it from INSIGHT_SLACK_CHANNELS",
        )
    if not channel.get("is_member"):
        return Finding(
            subject,
            f"the bot is not a member of {name}",
            f"invite the bot: /invite @{bot} in {name}",
        )
    return Finding(subject, f"{name}: the bot is a member")


def _token_fix() -> str:
    return "copy the Bot User OAuth Token (xoxb-) again from OAuth & Permissions"
