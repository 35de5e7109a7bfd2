"""A local Slack for tests: the Web API, response_url endpoints and a Socket Mode websocket.

Start it with `async with FakeSlack() as slack:` and point the real slack_sdk / slack-bolt
clients at `slack.api_url`. Every call is captured (`slack.calls`); posted messages are kept
per channel and served back by conversations.history, metadata included. `slack.fail(...)`
makes the next calls of a method answer with an error status (429, 500, ...), as Slack's
JSON or as a plain-text page (`body`, as a proxy in front of Slack answers; with
`content_type="application/json"`, JSON that is not Slack's, such as `[1, 2]`; with
`after_effect`, after doing what the call asks, as a gateway timing out behind Slack does);
`reset` drops the connection of the next call of a method (or response_url), after it took
effect or before; `hold` keeps
every call of a method waiting until the test releases it (a slow Web API). With `now` (a
test's virtual clock) a message's ts is that time; channels in `missing_channels` answer
`channel_not_found`, as a channel the bot is not in does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_USER_ID = "UTOWNHALL"
BOT_ID = "BTOWNHALL"
TEAM_ID = "T0TEAM"


@dataclass(frozen=True)
class Call:
    """One request the fake received: the Web API method (or response_url id) and its fields."""

    method: str
    params: dict[str, Any]
    token: str | None
    status: int


@dataclass
class Failure:
    """An error answer for the next call of a method."""

    status: int
    error: str
    headers: dict[str, str] = field(default_factory=dict)
    # Answered as text/plain instead of Slack's {"ok": false, "error": ...}.
    body: str | None = None
    content_type: str = "text/plain"
    # The call did what it asks (a message is posted) before the error was answered.
    after_effect: bool = False


class FakeSlack:
    """The Slack endpoints the bot uses, on 127.0.0.1 and a free port."""

    def __init__(self, now: Callable[[], dt.datetime] | None = None) -> None:
        self.now = now
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.missing_channels: set[str] = set()
        # Channels that exist but the bot is not a member of (conversations.info is_member).
        self.outside_channels: set[str] = set()
        self.acks: list[dict[str, Any]] = []
        self.refused_tokens: set[str] = set()
        # When set, chat.postMessage keeps the message, then answers only once it is set:
        # a sender killed meanwhile has posted without knowing it.
        self.hold_posts: asyncio.Event | None = None
        self._failures: dict[str, deque[Failure]] = {}
        self._resets: dict[str, deque[bool]] = {}  # method -> reset after it took effect?
        self._holds: dict[str, asyncio.Event] = {}
        self.held: list[str] = []  # the methods of calls that arrived while held
        self._ts = itertools.count(1)
        self._envelopes = itertools.count(1)
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._web_api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        for gate in self._holds.values():
            gate.set()  # a held call is answered, so the server can stop without waiting
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """The Web API root to give AsyncWebClient as `base_url`."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        """A response_url for a slash command; its posts are captured as `response:{name}`."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- scripting -------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int,
        error: str,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: str | None = None,
        content_type: str = "text/plain",
        after_effect: bool = False,
    ) -> None:
        """Answer the next `times` calls of `method` (or `response:{name}`) with an error;
        with `after_effect`, the call did what it asks first (a message is posted)."""
        queue = self._failures.setdefault(method, deque())
        queue.extend(
            Failure(status, error, dict(headers or {}), body, content_type, after_effect)
            for _ in range(times)
        )

    def hold(self, method: str) -> asyncio.Event:
        """Keep every call of `method` (or `response:{name}`) waiting until the returned
        event is set."""
        self._holds[method] = asyncio.Event()
        return self._holds[method]

    def reset(self, method: str, *, after_effect: bool = True) -> None:
        """Drop the connection of the next call of `method` without answering it.

        `after_effect`: the call did what it asks (a message is posted) before the drop, as
        when a reply is lost on the way back; otherwise it is dropped unread.
        """
        self._resets.setdefault(method, deque()).append(after_effect)

    def calls_to(self, method: str) -> list[Call]:
        """The calls made so far to `method`."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self, method: str, count: int = 1, *, status: int | None = 200, timeout: float = 5.0
    ) -> list[Call]:
        """Wait until `method` got `count` calls answered with `status` (None: any); return them."""

        def matching() -> list[Call]:
            return [c for c in self.calls_to(method) if status is None or c.status == status]

        await self._wait(lambda: len(matching()) >= count, timeout)
        return matching()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `predicate()` holds, checked after every call the fake receives."""
        await self._wait(predicate, timeout)

    def open_channel(self, *channels: str) -> None:
        """Make channels exist (with no messages yet), so their history can be read."""
        for channel in channels:
            self.messages.setdefault(channel, [])

    def post_message(self, channel: str, **fields: Any) -> str:
        """Put a message in a channel's history as if someone had posted it; return its ts."""
        ts = self._next_ts()
        self.messages.setdefault(channel, []).append({"type": "message", "ts": ts, **fields})
        return ts

    # -- Socket Mode -----------------------------------------------------------------------

    async def wait_connected(self, timeout: float = 5.0, count: int = 1) -> None:
        """Wait until `count` Socket Mode clients have connected and were sent `hello`."""
        await self._wait(lambda: len(self._sockets) >= count, timeout)

    async def send_envelope(
        self,
        payload: dict[str, Any],
        *,
        kind: str = "events_api",
        retry_attempt: int = 0,
        connection: int = -1,
    ) -> str:
        """Send an envelope to a connected client (the latest, or the `connection`-th to
        connect, as Slack spreads envelopes over an app's connections); its envelope_id."""
        envelope_id = f"env-{next(self._envelopes)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout" if retry_attempt else ""
        await self._sockets[connection].send_str(json.dumps(envelope))
        return envelope_id

    async def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The client's ack of `envelope_id`, once it arrived."""
        await self._wait(lambda: any(a["envelope_id"] == envelope_id for a in self.acks), timeout)
        return next(a for a in self.acks if a["envelope_id"] == envelope_id)

    # -- handlers --------------------------------------------------------------------------

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or params.get("token")
        gate = self._holds.get(method)
        if gate is not None and not gate.is_set():
            async with self._changed:
                self.held.append(method)
                self._changed.notify_all()
            await gate.wait()
        failures = self._failures.get(method)
        if failures:
            failure = failures.popleft()
            if failure.after_effect:
                self._methods()[method](params)
            await self._record(Call(method, params, token, failure.status))
            if failure.body is not None:
                return web.Response(
                    text=failure.body,
                    status=failure.status,
                    headers=failure.headers,
                    content_type=failure.content_type,
                )
            body = {"ok": False, "error": failure.error}
            return _json(body, status=failure.status, headers=failure.headers)
        resets = self._resets.get(method)
        if resets:
            took_effect = resets.popleft()
            if took_effect:
                self._methods()[method](params)
            await self._record(Call(method, params, token, 0))
            if request.transport is not None:
                request.transport.abort()
            raise ConnectionResetError("the fake reset the connection")
        await self._record(Call(method, params, token, 200))
        if token in self.refused_tokens:
            return _json({"ok": False, "error": "invalid_auth"})
        handler = self._methods().get(method)
        if handler is None:
            return _json({"ok": False, "error": "unknown_method"})
        body = handler(params)
        if method == "chat.postMessage" and self.hold_posts is not None:
            await self.hold_posts.wait()
        return _json(body)

    async def _response_url(self, request: web.Request) -> web.Response:
        name = f"response:{request.match_info['name']}"
        params = json.loads(await request.text())
        gate = self._holds.get(name)
        if gate is not None and not gate.is_set():
            async with self._changed:
                self.held.append(name)
                self._changed.notify_all()
            await gate.wait()
        failures = self._failures.get(name)
        if failures:
            failure = failures.popleft()
            await self._record(Call(name, params, None, failure.status))
            return web.Response(text=failure.error, status=failure.status, headers=failure.headers)
        resets = self._resets.get(name)
        if resets:
            # Recorded either way (status 0), as Web API resets are: the member saw the reply
            # if it took effect, which nothing here keeps.
            resets.popleft()
            await self._record(Call(name, params, None, 0))
            if request.transport is not None:
                request.transport.abort()
            raise ConnectionResetError("the fake reset the connection")
        await self._record(Call(name, params, None, 200))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    async with self._changed:
                        self.acks.append(json.loads(message.data))
                        self._changed.notify_all()
        finally:
            async with self._changed:
                self._sockets.remove(socket)
                self._changed.notify_all()
        return socket

    @property
    def connected(self) -> bool:
        """Whether a Socket Mode client is connected right now."""
        return bool(self._sockets)

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.info": self._info,
        }

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://townhall-test.slack.com/",
            "team": "Town Hall Test",
            "user": "townhall",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }

    def _connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"}

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params["channel"]
        if channel in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        message: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": params.get("text", ""),
            "blocks": params.get("blocks", []),
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params["channel"]
        if channel in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": f"channel-{channel.lower()}",
                "is_channel": True,
                "is_archived": False,
                "is_member": channel not in self.outside_channels,
            },
        }

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params["channel"]
        if channel not in self.messages or channel in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(params.get("oldest") or 0)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in {"1", "true"}
        newest_first = [
            _without_metadata(m, with_metadata)
            for m in reversed(self.messages[channel])
            if float(m["ts"]) > oldest and m.get("thread_ts") in (None, m["ts"])
        ]
        limit = int(params.get("limit") or 100)
        start = int(params.get("cursor") or 0)
        page = newest_first[start : start + limit]
        more = start + limit < len(newest_first)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, thread = params["channel"], str(params["ts"])
        if channel in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        with_metadata = str(params.get("include_all_metadata", "")).lower() in {"1", "true"}
        # The parent first, then its replies, oldest first (as Slack returns a thread).
        thread_messages = [
            _without_metadata(m, with_metadata)
            for m in self.messages.get(channel, [])
            if m["ts"] == thread or m.get("thread_ts") == thread
        ]
        limit = int(params.get("limit") or 1000)
        return {"ok": True, "messages": thread_messages[:limit], "has_more": False}

    # -- helpers ---------------------------------------------------------------------------

    def _next_ts(self) -> str:
        # Real ts values are epoch seconds, unique per channel; the counter keeps them unique.
        if self.now is not None:
            return f"{int(self.now().timestamp())}.{next(self._ts):06d}"
        # Without a clock, in the future so `oldest` never hides them.
        return f"{4_000_000_000 + next(self._ts)}.000100"

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _wait(self, predicate: Callable[[], bool], timeout: float) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    raw = await request.text()
    if not raw:
        return params
    if request.content_type == "application/json":
        params.update(json.loads(raw))
    else:
        for key, value in parse_qsl(raw, keep_blank_values=True):
            # Form-encoded calls send structured fields (blocks, metadata) as JSON strings.
            params[key] = _maybe_json(value) if key in {"blocks", "metadata"} else value
    return params


def _maybe_json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _without_metadata(message: dict[str, Any], keep: bool) -> dict[str, Any]:
    if keep or "metadata" not in message:
        return message
    return {k: v for k, v in message.items() if k != "metadata"}


def _json(
    body: dict[str, Any], *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        content_type="application/json",
        headers=dict(headers or {}),
    )
