"""Slack's request signature, checked before slack-bolt or any listener sees a request.

slack-bolt 1.30 parses `X-Slack-Request-Timestamp` with `int()` before it checks the
signature, so a request whose timestamp is not an integer raises there and reaches the
app's error handler unverified. Checking here first means nothing from an unsigned or
malformed request is ever acted on or logged.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from slack_sdk.signature import SignatureVerifier

from bot.clock import Clock

log = logging.getLogger(__name__)

# Unix seconds as Slack sends them: ASCII digits only (no sign, spaces, dots or exponents).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
# Slack refuses requests older than five minutes; so do we (replays).
MAX_AGE = 5 * 60


def signed_requests(secret: str, path: str, clock: Clock) -> Middleware:
    """An aiohttp middleware that answers 401 to any POST on `path` Slack did not sign."""
    verifier = SignatureVerifier(secret)

    @web.middleware
    async def verify(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != path:
            return await handler(request)
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not signature:
            return _refused("missing or malformed signature headers")
        if abs(clock.now().timestamp() - int(timestamp)) > MAX_AGE:
            return _refused("request timestamp too old or in the future")
        body = await request.read()  # aiohttp keeps it, so bolt reads the same bytes
        if not verifier.is_valid(body, timestamp, signature):
            return _refused("signature does not match")
        return await handler(request)

    return verify


def _refused(reason: str) -> web.Response:
    # Only our own reason is logged: every header and byte of the request is untrusted.
    log.warning("refused an unsigned Slack request", extra={"reason": reason})
    return web.Response(status=401, text="invalid request signature")
