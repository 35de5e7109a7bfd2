"""The Slack app as a `townhall serve` service: Socket Mode, or HTTP with its own /healthz."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.app import BotIdentity, build_app
from bot.adapters.slack.client import (
    TOKEN_ERRORS,
    NotWebApiError,
    RetryPolicy,
    error_code,
    web_api,
)
from bot.adapters.slack.events import Deliveries, RecentEvents
from bot.adapters.slack.publish import SlackInsightPublisher
from bot.adapters.slack.signing import signed_requests
from bot.answers import Answers
from bot.clock import Clock
from bot.health import Health, hide_server_software
from bot.pace import Pace
from bot.runtime import InFlight, port_in_use
from bot.settings import HttpMode, SettingsError, SlackApp, SocketMode
from bot.usage import UsageRecorder

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


class SlackService:
    """Runs the Slack app until cancelled: over Socket Mode, or as an HTTP server."""

    name = "slack"

    def __init__(
        self,
        app: AsyncApp,
        connection: SocketMode | HttpMode,
        clock: Clock,
        *,
        host: str = "0.0.0.0",  # Slack must reach it; --host narrows
        port: int = 3000,
        ping_interval: float = 10.0,
        in_flight: InFlight | None = None,
        identity: BotIdentity | None = None,
    ) -> None:
        self.app = app
        # What the start's auth.test says goes to the app's authorize step (the one it
        # was built with), so no request asks Slack again.
        self.identity = identity
        self.in_flight = in_flight or InFlight()
        self.connection = connection
        self.mode = "socket" if isinstance(connection, SocketMode) else "http"
        self.clock = clock
        self.host = host
        self.port = port
        self.ping_interval = ping_interval
        self._handler: AsyncSocketModeHandler | None = None
        self._address: tuple[str, int] | None = None
        self.ready = asyncio.Event()

    @classmethod
    def from_settings(
        cls,
        slack: SlackApp,
        *,
        answers: Answers,
        clock: Clock,
        deliveries: Deliveries | None = None,
        host: str = "0.0.0.0",
        port: int = 3000,
        policy: RetryPolicy | None = None,
        in_flight: InFlight | None = None,
        usage: UsageRecorder | None = None,
    ) -> SlackService:
        """The service for the configured app, over the process's answers.

        `deliveries` remembers which events were taken on (in memory unless given);
        `in_flight` counts the answers under way, for a shutdown to wait for.
        """
        policy = policy or RetryPolicy(clock=clock)
        in_flight = in_flight or InFlight()
        identity = BotIdentity(slack.bot_token.get_secret_value())
        app = build_app(
            slack,
            answers,
            policy=policy,
            deliveries=deliveries or RecentEvents(clock),
            in_flight=in_flight,
            usage=usage,
            pace=Pace(clock, slack.ask_cooldown),
            identity=identity,
        )
        return cls(
            app,
            slack.connection,
            clock,
            host=host,
            port=port,
            in_flight=in_flight,
            identity=identity,
        )

    def publisher(self) -> SlackInsightPublisher:
        """The daily insight's publisher over this app's Web API client."""
        return SlackInsightPublisher(self.app.client)

    @property
    def address(self) -> tuple[str, int] | None:
        """The host and port the HTTP server listens on, once it is ready."""
        return self._address

    async def run(self) -> None:
        """Check the bot token, then serve until cancelled."""
        await self._check_bot_token()
        if isinstance(self.connection, SocketMode):
            await self._run_socket_mode(self.connection.app_token.get_secret_value())
        else:
            await self._run_http(self.connection.signing_secret.get_secret_value())

    async def stop_accepting(self) -> None:
        """Take no new events: HTTP mode answers 503 from now on (Slack delivers them again
        later), Socket Mode closes the socket (Slack sends them to the next connection).
        """
        self.in_flight.accepting = False
        if self._handler is not None:
            await self._handler.client.close()  # type: ignore[no-untyped-call]
            log.info("Slack socket closed; no new events")

    def health(self) -> dict[str, object]:
        """The mode and whether Slack can reach the bot right now."""
        return {"mode": self.mode, "connected": self._connected()}

    def _connected(self) -> bool:
        if not self.ready.is_set():
            return False
        if self._handler is None:
            return True  # HTTP mode: listening is all it takes
        client = self._handler.client
        session = client.current_session
        return not client.closed and not client.stale and session is not None and not session.closed

    async def _check_bot_token(self) -> None:
        try:
            identity = await web_api("auth.test", self.app.client.auth_test())
        except SlackApiError as exc:
            _raise_if_token_refused(exc, "SLACK_BOT_TOKEN")
            raise ConnectionError(f"Slack did not accept auth.test: {error_code(exc)}") from exc
        except NotWebApiError as exc:
            raise ConnectionError(str(exc)) from exc
        except ValueError as exc:
            # The HTTP client refused the URL itself (aiohttp's InvalidURL, IDNA's UnicodeError).
            raise ConnectionError(
                f"SLACK_API_URL: the HTTP client cannot call it ({type(exc).__name__})"
            ) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ConnectionError(
                f"could not reach Slack at {self.app.client.base_url} ({type(exc).__name__})"
            ) from exc
        if self.identity is not None:
            self.identity.remember(identity)
        log.info(
            "Slack bot token accepted",
            extra={"team_id": identity.get("team_id"), "bot_user_id": identity.get("user_id")},
        )

    async def _run_socket_mode(self, app_token: str) -> None:
        handler = AsyncSocketModeHandler(
            self.app, app_token=app_token, ping_interval=self.ping_interval
        )
        self._handler = handler
        try:
            # Asked once here so a refused app token stops the start with its name, instead
            # of the client retrying the connection forever.
            try:
                handler.client.wss_uri = await web_api(
                    "apps.connections.open", handler.client.issue_new_wss_url()
                )
            except SlackApiError as exc:
                _raise_if_token_refused(exc, "SLACK_APP_TOKEN")
                raise ConnectionError(f"Slack did not open a socket: {error_code(exc)}") from exc
            except NotWebApiError as exc:
                raise ConnectionError(str(exc)) from exc
            await handler.connect_async()  # type: ignore[no-untyped-call]
            self.ready.set()
            log.info("Slack connected over Socket Mode")
            await asyncio.Event().wait()
        finally:
            self.ready.clear()
            await handler.close_async()  # type: ignore[no-untyped-call]

    async def _run_http(self, signing_secret: str) -> None:
        web_app = self.app.web_app(path=EVENTS_PATH, port=self.port)
        web_app.middlewares.append(_while_accepting(self.in_flight, EVENTS_PATH))
        web_app.middlewares.append(signed_requests(signing_secret, EVENTS_PATH, self.clock))
        # This port is public (Slack must reach it): its /healthz says only whether the Slack
        # service is up. The process's report (the database's target and error text) stays
        # on the health port, on loopback unless told otherwise.
        Health([self]).serve_on(web_app)
        hide_server_software(web_app)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            try:
                await site.start()
            except OSError as exc:
                raise port_in_use("Slack HTTP", self.host, self.port, "--port", exc) from None
            host, port = runner.addresses[0][:2]
            self._address = (str(host), int(port))
            self.ready.set()
            log.info("Slack events served over HTTP", extra={"host": host, "port": port})
            await asyncio.Event().wait()
        finally:
            self.ready.clear()
            await runner.cleanup()


def _while_accepting(in_flight: InFlight, path: str) -> Middleware:
    """503 (and Retry-After) to every POST on `path` once the process is stopping."""

    @web.middleware
    async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method == "POST" and request.path == path and not in_flight.accepting:
            return web.Response(status=503, text="restarting", headers={"Retry-After": "60"})
        return await handler(request)

    return gate


def _raise_if_token_refused(exc: SlackApiError, variable: str) -> None:
    code = error_code(exc)
    if code in TOKEN_ERRORS:
        raise SettingsError(f"{variable}: Slack refused the token ({code})") from None
