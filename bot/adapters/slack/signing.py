"""Slack's request signature, checked before slack-bolt or any listener sees a request.

slack-bolt 1.30 parses `X-Slack-Request-Timestamp` with `int()` before it checks the
signature, so a request whose timestamp is not an integer raises there and reaches the
app's error handler unverified. Checking here first means nothing from an unsigned or
malformed request is ever acted on or logged. A signed body that bolt could not parse
(not UTF-8, not JSON, not an object) is refused here too, with a 400 and no traceback.
"""

from __future__ import annotations

import json
import logging
import re

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import Clock as SdkClock
from slack_sdk.signature import SignatureVerifier

from bot.clock import Clock

log = logging.getLogger(__name__)

# Unix seconds as Slack sends them: ASCII digits only (no sign, spaces, dots or exponents).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
# Slack refuses requests older than five minutes; so do we (replays).
MAX_AGE = 5 * 60


class _SdkTime(SdkClock):
    """slack_sdk's verifier reads the time through this: our clock, not time.time()."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock.now().timestamp()


def signed_requests(secret: str, path: str, clock: Clock) -> Middleware:
    """An aiohttp middleware that answers 401 to any POST on `path` Slack did not sign,
    and 400 to a signed one whose body slack-bolt could not read.
    """
    verifier = SignatureVerifier(secret, clock=_SdkTime(clock))

    @web.middleware
    async def verify(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != path:
            return await handler(request)
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not signature:
            return _refused(401, "missing or malformed signature headers")
        if abs(clock.now().timestamp() - int(timestamp)) > MAX_AGE:
            return _refused(401, "request timestamp too old or in the future")
        raw = await request.read()  # aiohttp keeps it, so bolt reads the same bytes
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _refused(400, "request body is not UTF-8")
        if not verifier.is_valid(body, timestamp, signature):
            return _refused(401, "signature does not match")
        if not _readable(body, request.headers.get("Content-Type")):
            return _refused(400, "signed request body is not a Slack payload")
        return await handler(request)

    return verify


def _readable(body: str, content_type: str | None) -> bool:
    """Whether slack-bolt reads `body` as a payload of the shape it routes on.

    An object, parsed as bolt parses it; its event (if any) an object, its actions (if
    any) a list of objects: bolt itself fails on anything else.
    """
    media_type = (content_type or "").split(";", 1)[0].strip() or None
    try:
        payload: object = parse_body(body, media_type)  # json.loads may give any value
    except (ValueError, json.JSONDecodeError):
        return False
    if not isinstance(payload, dict):
        return False
    event, actions = payload.get("event", {}), payload.get("actions", [])
    return isinstance(event, dict) and (
        isinstance(actions, list) and all(isinstance(a, dict) for a in actions)
    )


def _refused(status: int, reason: str) -> web.Response:
    # Only our own reason is logged: every header and byte of the request is untrusted.
    log.warning("refused a Slack request", extra={"reason": reason, "status": status})
    text = "invalid request signature" if status == 401 else "malformed request"
    return web.Response(status=status, text=text)
