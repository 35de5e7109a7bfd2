"""A local Discord: gateway and REST API on 127.0.0.1 for the real discord.py client.

Facts it relies on are in ../shared/notes/real-client-testing.md: text JSON frames on the
gateway, REST bodies with the exact content type `application/json`, and `Route.BASE` /
`DiscordWebSocket.DEFAULT_GATEWAY` pointed here (and restored) around each test.

Usage:

    async with FakeDiscord() as fake:
        client = ...  # any discord.Client; log in with fake.token
        interaction = fake.slash("ask", {"question": "..."})
        await fake.interact(interaction)
        reply = await fake.response_to(interaction)

Every REST call is recorded in `fake.calls`; `fail_next` makes the next matching calls fail
(a 429 carries the headers discord.py needs to retry it), `reset_after_next` lets the next
matching call take effect and then drops the connection before the answer (a reset);
each interaction keeps its original response as Discord does (a second callback is
refused with 40060, GET/PATCH/DELETE @original work on it); channels keep the messages posted
to them and serve them back newest first, as `GET /channels/{id}/messages` does. Messages
are stamped with `now()` when one is given (a test's virtual clock). Another process can
use the fake too: start it here and call `redirect_discord(fake.port)` there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord
import yarl
from aiohttp import WSMsgType, web

APP_ID = 1_300_000_000_000_000_001
BOT_ID = 1_300_000_000_000_000_002
GUILD_ID = 1_300_000_000_000_000_003
CHANNEL_ID = 1_300_000_000_000_000_004
MEMBER_ID = 1_300_000_000_000_000_005
TOKEN = "fake-discord-token"

BOT_USER = {
    "id": str(BOT_ID),
    "username": "townhall",
    "discriminator": "0",
    "global_name": "Town Hall",
    "avatar": None,
    "bot": True,
}

# What a default @everyone role grants in a new server, among what the bot needs.
EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, read_message_history=True
).value

_OPTION_TYPES = {str: 3, int: 4, bool: 5}
_API = "/api/v10"
_TIMESTAMP = dt.datetime(2026, 1, 28, tzinfo=dt.UTC)
# An interaction's original response, by the interaction's token.
_ORIGINAL = re.compile(r"/webhooks/\d+/(?P<token>[^/]+)/messages/@original")


def redirect_discord(port: int) -> tuple[str, yarl.URL]:
    """Point discord.py's REST base and gateway at a fake on `port`; the previous values."""
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    discord.http.Route.BASE = f"http://127.0.0.1:{port}{_API}"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway")
    return saved


@dataclass(frozen=True)
class Call:
    """One REST request the client made, with the status the fake answered."""

    method: str
    path: str
    query: Mapping[str, str]
    body: Any
    status: int
    headers: Mapping[str, str]


@dataclass
class Fault:
    """Answer the next `times` requests matching `method` and `path` with `status`.

    Status 0 is a reset: the request takes effect, then the connection drops unanswered.
    """

    method: str
    path: re.Pattern[str]
    status: int
    times: int
    retry_after: float


@dataclass
class Connection:
    """One gateway connection and the frames the client sent on it."""

    ws: web.WebSocketResponse
    query: Mapping[str, str]
    frames: list[dict[str, Any]] = field(default_factory=list)
    closed: bool = False

    def ops(self) -> list[int]:
        """The op codes the client sent, in order."""
        return [int(f["op"]) for f in self.frames]


class FakeDiscord:
    """Discord's gateway and the REST routes the bot uses, recorded for assertions."""

    def __init__(self, token: str = TOKEN, now: Callable[[], dt.datetime] | None = None) -> None:
        self.token = token
        self.now = now
        self.port = 0
        self.calls: list[Call] = []
        self.connections: list[Connection] = []
        self.most_open = 0  # the most gateway connections open at one moment
        self.session_id = "fake-session-1"
        self.channels: dict[int, list[dict[str, Any]]] = {CHANNEL_ID: []}
        self.forbidden_channels: set[int] = set()
        # The one guild: role id -> permission bits (the guild's id is @everyone), the bot's
        # roles, and each channel's permission overwrites, as the REST API returns them.
        self.roles: dict[int, int] = {GUILD_ID: EVERYONE_PERMISSIONS}
        self.bot_roles: list[int] = []
        self.overwrites: dict[int, list[dict[str, Any]]] = {}
        # A channel's type when not a text channel (0), and a thread's parent channel.
        self.channel_types: dict[int, int] = {}
        self.parents: dict[int, int] = {}
        self._faults: list[Fault] = []
        self.originals: dict[str, dict[str, Any]] = {}  # interaction token -> its response
        self._holds: list[tuple[str, re.Pattern[str], asyncio.Event]] = []
        self._ids = itertools.count(1_400_000_000_000_000_000)
        self._sequence = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._saved: tuple[str, yarl.URL] | None = None
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            ("GET", re.compile(r"/users/@me"), self._me),
            ("GET", re.compile(r"/oauth2/applications/@me"), self._application),
            ("PUT", re.compile(r"/applications/\d+/commands"), self._commands),
            ("PUT", re.compile(r"/applications/\d+/guilds/\d+/commands"), self._commands),
            (
                "POST",
                re.compile(r"/interactions/(?P<interaction>\d+)/(?P<token>[^/]+)/callback"),
                self._callback,
            ),
            ("POST", re.compile(r"/webhooks/\d+/[^/]+"), self._followup),
            ("GET", _ORIGINAL, self._original),
            ("PATCH", _ORIGINAL, self._edit),
            ("DELETE", _ORIGINAL, self._deleted),
            ("POST", re.compile(r"/channels/(?P<channel>\d+)/messages"), self._post_message),
            ("GET", re.compile(r"/channels/(?P<channel>\d+)/messages"), self._history),
            ("GET", re.compile(r"/channels/(?P<channel>\d+)"), self._channel),
            ("GET", re.compile(r"/guilds/(?P<guild>\d+)"), self._guild),
            ("GET", re.compile(r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)"), self._member),
        ]

    # -- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        self.install()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for _, _, gate in self._holds:
            gate.set()  # a held call is answered, so the server can stop without waiting
        self.restore()
        await self.stop()

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", _API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None)
        assert sockets
        self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Close every gateway connection and stop listening."""
        for connection in self.connections:
            if not connection.ws.closed:
                await connection.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def install(self) -> None:
        """Point discord.py's REST base and gateway at this fake (undone by `restore`)."""
        self._saved = redirect_discord(self.port)

    def restore(self) -> None:
        """Put discord.py's real endpoints back."""
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None

    @property
    def gateway_url(self) -> str:
        """The websocket URL the client connects (and resumes) to."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def next_id(self) -> int:
        """A fresh snowflake."""
        return next(self._ids)

    # -- waiting -----------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(
        self, predicate: Callable[[], bool], what: str, timeout: float = 5.0
    ) -> None:
        """Wait until `predicate()` holds; fail the test naming `what` after `timeout` s."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None

    def find_calls(self, method: str, path: str, status: int | None = None) -> list[Call]:
        """Recorded calls with this method whose path fully matches the regex `path`."""
        pattern = re.compile(path)
        return [
            c
            for c in self.calls
            if c.method == method
            and pattern.fullmatch(c.path)
            and (status is None or c.status == status)
        ]

    async def wait_for_call(
        self, method: str, path: str, *, status: int | None = 200, count: int = 1
    ) -> Call:
        """The `count`-th call matching `method`, `path` (a regex) and `status`."""
        await self.wait_until(
            lambda: len(self.find_calls(method, path, status)) >= count,
            f"{method} {path} (status {status}, #{count})",
        )
        return self.find_calls(method, path, status)[count - 1]

    # -- faults ------------------------------------------------------------------------

    def fail_next(
        self, method: str, path: str, status: int, *, times: int = 1, retry_after: float = 0.05
    ) -> None:
        """Answer the next `times` calls matching `method` and `path` (a regex) with `status`."""
        self._faults.append(Fault(method, re.compile(path), status, times, retry_after))

    def hold(self, method: str, path: str) -> asyncio.Event:
        """Keep calls matching `method` and `path` (a regex) waiting until the event is set."""
        gate = asyncio.Event()
        self._holds.append((method, re.compile(path), gate))
        return gate

    def reset_after_next(self, method: str, path: str) -> None:
        """Let the next call matching `method` and `path` take effect, then drop the line."""
        self._faults.append(Fault(method, re.compile(path), 0, 1, 0.0))

    def acknowledge(self, interaction: dict[str, Any]) -> None:
        """Hold a deferral of `interaction` (one whose reply the bot never heard): "thinking..."
        is shown, and a callback for it is refused as already acknowledged (40060)."""
        self.originals[interaction["token"]] = self._message(CHANNEL_ID, {"flags": 128})

    def _fault_for(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.times > 0 and fault.method == method and fault.path.fullmatch(path):
                fault.times -= 1
                return fault
        return None

    # -- gateway -----------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        """The newest gateway connection."""
        assert self.connections, "the client never connected to the gateway"
        return self.connections[-1]

    async def _send(self, connection: Connection, payload: dict[str, Any]) -> None:
        await connection.ws.send_str(json.dumps(payload))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event (op 0) on the newest open connection."""
        await self.wait_until(
            lambda: bool(self.connections) and not self.connection.closed,
            "an open gateway connection",
        )
        self._sequence += 1
        await self._send(self.connection, {"op": 0, "t": event, "s": self._sequence, "d": data})

    async def close_gateway(self, code: int = 4000) -> None:
        """Close the newest gateway connection from the server side, as Discord does."""
        connection = self.connection
        await connection.ws.close(code=code, message=b"fake server closed the connection")
        await self.wait_until(lambda: connection.closed, "the gateway connection to close")

    def sent_frames(self, op: int) -> list[dict[str, Any]]:
        """Every frame with `op` the client sent, over all connections, in order."""
        return [f for c in self.connections for f in c.frames if f["op"] == op]

    async def wait_for_op(self, op: int) -> dict[str, Any]:
        """The first frame with `op` the client sent on any connection."""
        await self.wait_until(lambda: bool(self.sent_frames(op)), f"gateway op {op}")
        return self.sent_frames(op)[0]

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        connection = Connection(ws, dict(request.query))
        self.connections.append(connection)
        self.most_open = max(self.most_open, sum(not c.closed for c in self.connections))
        await self._send(connection, {"op": 10, "d": {"heartbeat_interval": 45_000}})
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                connection.frames.append(frame)
                await self._answer_frame(connection, frame)
                await self._notify()
        finally:
            connection.closed = True
            await self._notify()
        return ws

    async def _answer_frame(self, connection: Connection, frame: dict[str, Any]) -> None:
        op = frame["op"]
        if op == 1:  # heartbeat
            await self._send(connection, {"op": 11})
        elif op == 2:  # identify
            self._sequence += 1
            ready = {
                "v": 10,
                "user": BOT_USER,
                "guilds": [],
                "session_id": self.session_id,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(APP_ID), "flags": 0},
            }
            await self._send(connection, {"op": 0, "t": "READY", "s": self._sequence, "d": ready})
        elif op == 6:  # resume
            self._sequence += 1
            await self._send(connection, {"op": 0, "t": "RESUMED", "s": self._sequence, "d": {}})

    # -- interactions ------------------------------------------------------------------

    def slash(
        self,
        name: str,
        options: Mapping[str, str | int | bool] | None = None,
        *,
        member: int = MEMBER_ID,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload for `/name` with these options, in a guild channel."""
        return self._interaction(
            2,
            {
                "id": str(self.next_id()),
                "name": name,
                "type": 1,
                "options": [
                    {"name": key, "type": _OPTION_TYPES[type(value)], "value": value}
                    for key, value in (options or {}).items()
                ],
            },
            member=member,
            locale=locale,
        )

    def autocomplete(
        self,
        name: str,
        options: Mapping[str, str],
        focused: str,
        *,
        member: int = MEMBER_ID,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """An autocomplete interaction (type 4) for `/name` while typing option `focused`."""
        return self._interaction(
            4,
            {
                "id": str(self.next_id()),
                "name": name,
                "type": 1,
                "options": [
                    {
                        "name": key,
                        "type": 3,
                        "value": value,
                        **({"focused": True} if key == focused else {}),
                    }
                    for key, value in options.items()
                ],
            },
            member=member,
            locale=locale,
        )

    def click(
        self,
        custom_id: str,
        message: dict[str, Any],
        *,
        member: int = MEMBER_ID,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """A button click (type 3) on `message`, which must carry the button's component."""
        payload = self._interaction(
            3, {"custom_id": custom_id, "component_type": 2}, member=member, locale=locale
        )
        payload["message"] = message
        return payload

    def _interaction(
        self, kind: int, data: dict[str, Any], *, member: int, locale: str
    ) -> dict[str, Any]:
        interaction_id = self.next_id()
        return {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"interaction-token-{interaction_id}",
            "version": 1,
            "attachment_size_limit": 8 * 1024 * 1024,
            "locale": locale,
            "guild_locale": "en-US",
            "app_permissions": "0",
            "guild_id": str(GUILD_ID),
            "channel_id": str(CHANNEL_ID),
            "channel": {
                "id": str(CHANNEL_ID),
                "type": 0,
                "name": "general",
                "position": 0,
                "guild_id": str(GUILD_ID),
            },
            "member": {
                "user": {
                    "id": str(member),
                    "username": f"member{member % 1000}",
                    "discriminator": "0",
                    "global_name": None,
                    "avatar": None,
                },
                "roles": [],
                "joined_at": "2026-01-28T00:00:00+00:00",
                "flags": 0,
                "permissions": "0",
                "deaf": False,
                "mute": False,
            },
            "data": data,
        }

    async def interact(self, payload: dict[str, Any]) -> None:
        """Deliver an interaction to the client over the gateway."""
        await self.dispatch("INTERACTION_CREATE", payload)

    async def response_to(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The body of the client's accepted callback for this interaction."""
        call = await self.wait_for_call(
            "POST", rf"/interactions/{payload['id']}/[^/]+/callback", status=200
        )
        body: dict[str, Any] = call.body
        return body

    def message_from(self, data: dict[str, Any], *, channel: int = CHANNEL_ID) -> dict[str, Any]:
        """A message payload as Discord would store it from the bot's message `data`."""
        return self._message(channel, data)

    # -- REST --------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        for method, pattern, gate in self._holds:
            if method == request.method and pattern.fullmatch(path):
                await gate.wait()
        raw = await request.read()
        body = json.loads(raw) if raw and request.content_type == "application/json" else None
        if body is None and raw and request.content_type.startswith("multipart/"):
            body = {"multipart": raw.decode(errors="replace")}
        fault = self._fault_for(request.method, path)
        if fault is not None and fault.status:
            response = _failure(fault)
        else:
            response = await self._route(request, path, body)
        reset = fault is not None and not fault.status
        self.calls.append(
            Call(
                request.method,
                path,
                dict(request.query),
                body,
                0 if reset else response.status,
                dict(request.headers),
            )
        )
        await self._notify()
        if reset and request.transport is not None:
            # Done, but the client never hears so: the connection drops before the answer.
            request.transport.abort()
            raise ConnectionResetError("the fake reset the connection")
        return response

    async def _route(self, request: web.Request, path: str, body: Any) -> web.Response:
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if method == request.method and match:
                result: web.Response = handler(request, body, **match.groupdict())
                return result
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    def _me(self, request: web.Request, body: Any) -> web.Response:
        if not self._authorised(request):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return _json(BOT_USER)

    def _application(self, request: web.Request, body: Any) -> web.Response:
        return _json(
            {
                "id": str(APP_ID),
                "name": "Town Hall",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": BOT_USER,
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    def _commands(self, request: web.Request, body: Any) -> web.Response:
        return _json(
            [
                {
                    **command,
                    "id": str(self.next_id()),
                    "application_id": str(APP_ID),
                    "version": "1",
                }
                for command in body
            ]
        )

    def _callback(
        self, request: web.Request, body: Any, interaction: str, token: str
    ) -> web.Response:
        if token in self.originals:
            return _json(
                {"message": "Interaction has already been acknowledged.", "code": 40060},
                status=400,
            )
        data = dict((body or {}).get("data") or {})
        if (body or {}).get("type") == 5:  # deferred: Discord shows "thinking..."
            data = {"flags": (data.get("flags") or 0) | 128}
        self.originals[token] = self._message(CHANNEL_ID, data)
        return _json({"interaction": {"id": interaction, "type": 2}})

    def _followup(self, request: web.Request, body: Any) -> web.Response:
        return _json(self._message(CHANNEL_ID, body or {}))

    def _original(self, request: web.Request, body: Any, token: str) -> web.Response:
        if token not in self.originals:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return _json(self.originals[token])

    def _edit(self, request: web.Request, body: Any, token: str) -> web.Response:
        if token not in self.originals:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        original = self.originals[token]
        edited = self._message(CHANNEL_ID, body or {})
        flags = (original["flags"] & ~128) | (edited["flags"] or 0)
        self.originals[token] = {**edited, "id": original["id"], "flags": flags}
        return _json(self.originals[token])

    def _deleted(self, request: web.Request, body: Any, token: str) -> web.Response:
        self.originals.pop(token, None)
        return web.Response(status=204)

    def _channel_error(self, channel: int) -> web.Response | None:
        if channel in self.forbidden_channels:
            return _json({"message": "Missing Access", "code": 50001}, status=403)
        if channel not in self.channels:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        return None

    def _post_message(self, request: web.Request, body: Any, channel: str) -> web.Response:
        error = self._channel_error(int(channel))
        if error is not None:
            return error
        message = self._message(int(channel), body or {})
        self.channels[int(channel)].append(message)
        return _json(message)

    def _history(self, request: web.Request, body: Any, channel: str) -> web.Response:
        error = self._channel_error(int(channel))
        if error is not None:
            return error
        limit = int(request.query.get("limit", "50"))
        newest_first = list(reversed(self.channels[int(channel)]))
        if "before" in request.query:
            before = int(request.query["before"])
            newest_first = [m for m in newest_first if int(m["id"]) < before]
        return _json(newest_first[:limit])

    def _channel(self, request: web.Request, body: Any, channel: str) -> web.Response:
        error = self._channel_error(int(channel))
        if error is not None:
            return error
        parent = self.parents.get(int(channel))
        return _json(
            {
                "id": channel,
                "type": self.channel_types.get(int(channel), 0),
                "guild_id": str(GUILD_ID),
                "name": f"channel-{channel[-4:]}",
                "position": 0,
                "permission_overwrites": [
                    {**o, "id": str(o["id"]), "allow": str(o["allow"]), "deny": str(o["deny"])}
                    for o in self.overwrites.get(int(channel), [])
                ],
                **({} if parent is None else {"parent_id": str(parent)}),
            }
        )

    def _guild(self, request: web.Request, body: Any, guild: str) -> web.Response:
        if int(guild) != GUILD_ID:
            return _json({"message": "Unknown Guild", "code": 10004}, status=404)
        roles = [
            {
                "id": str(role),
                "name": "@everyone" if role == GUILD_ID else f"role-{role}",
                "permissions": str(bits),
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
            }
            for role, bits in self.roles.items()
        ]
        return _json({"id": guild, "name": "Town Hall", "owner_id": str(MEMBER_ID), "roles": roles})

    def _member(self, request: web.Request, body: Any, guild: str, user: str) -> web.Response:
        if int(guild) != GUILD_ID or int(user) != BOT_ID:
            return _json({"message": "Unknown Member", "code": 10007}, status=404)
        return _json(
            {"user": BOT_USER, "roles": [str(r) for r in self.bot_roles], "joined_at": None}
        )

    def seed_message(
        self,
        channel: int,
        *,
        author: dict[str, Any],
        content: str = "",
        embeds: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Put a message into a channel's history as if someone had posted it."""
        message = self._message(channel, {"content": content, "embeds": embeds or []})
        message["author"] = {"discriminator": "0", "avatar": None, "global_name": None, **author}
        self.channels.setdefault(channel, []).append(message)
        return message

    def _message(self, channel: int, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": str(self.next_id()),
            "channel_id": str(channel),
            "author": BOT_USER,
            "content": data.get("content") or "",
            "timestamp": (self.now() if self.now else _TIMESTAMP).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": data.get("embeds") or [],
            "components": data.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": data.get("flags") or 0,
        }


def _json(payload: Any, status: int = 200) -> web.Response:
    # Exactly `application/json`: with `; charset=utf-8` discord.py reads the body as text.
    return web.Response(
        body=json.dumps(payload).encode(), status=status, content_type="application/json"
    )


def _failure(fault: Fault) -> web.Response:
    if fault.status != 429:
        return _json({"message": f"{fault.status}: fake failure", "code": 0}, status=fault.status)
    response = _json(
        {
            "message": "You are being rate limited.",
            "retry_after": fault.retry_after,
            "global": False,
        },
        status=429,
    )
    response.headers.update(
        {
            "Retry-After": str(fault.retry_after),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": str(fault.retry_after),
            "X-RateLimit-Bucket": "fake-bucket",
            "X-RateLimit-Scope": "user",
            # discord.py treats a 429 without `Via` as a Cloudflare ban and does not retry.
            "Via": "1.1 google",
        }
    )
    return response
