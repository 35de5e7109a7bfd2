"""/healthz: each service's state as JSON, served whole on the health port (and, in Slack
HTTP mode, the Slack service's own on the Slack port); and responses that do not name the
server software.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable

from aiohttp import web

from bot.runtime import Service, port_in_use

log = logging.getLogger(__name__)

PATH = "/healthz"
# Loopback unless told otherwise: a container passes --health-host 0.0.0.0 for its probe.
DEFAULT_HOST = "127.0.0.1"
# What every response says in its Server header, instead of aiohttp's name and version.
SERVER_NAME = "townhall"


def hide_server_software(app: web.Application) -> None:
    """Make every response of `app` say `Server: townhall` (not Python and aiohttp versions)."""
    app.on_response_prepare.append(_name_server)


async def _name_server(request: web.Request, response: web.StreamResponse) -> None:
    # aiohttp only fills in its own Server header when none is set.
    response.headers["Server"] = SERVER_NAME


class Health:
    """Every service's health() in one report: {"ok": ..., "services": {name: state}}."""

    def __init__(self, services: Iterable[Service] = ()) -> None:
        self.services = list(services)

    def watch(self, services: Iterable[Service]) -> None:
        """Include these services in the report too."""
        self.services.extend(services)

    def report(self) -> tuple[bool, dict[str, object]]:
        """Each service's health, and whether none says it is down."""
        states = {service.name: service.health() for service in self.services}
        ok = not any(
            state.get("connected") is False or state.get("ok") is False for state in states.values()
        )
        return ok, {"ok": ok, "services": states}

    async def healthz(self, request: web.Request) -> web.Response:
        """200 with the report when every service is up, 503 otherwise."""
        ok, body = self.report()
        return web.Response(
            body=json.dumps(body, default=str).encode(),
            status=200 if ok else 503,
            content_type="application/json",
        )

    def serve_on(self, app: web.Application) -> None:
        """Answer GET /healthz on `app` with this report."""
        app.router.add_get(PATH, self.healthz)


class HealthServer:
    """A service that serves /healthz on its own port until cancelled."""

    name = "health"

    def __init__(self, health: Health, port: int, host: str = DEFAULT_HOST) -> None:
        self.health_report = health
        self.host = host
        self.port = port
        self.ready = asyncio.Event()

    async def run(self) -> None:
        """Serve until cancelled, then close the socket."""
        app = web.Application()
        self.health_report.serve_on(app)
        hide_server_software(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            try:
                await web.TCPSite(runner, self.host, self.port).start()
            except OSError as exc:
                raise port_in_use("health", self.host, self.port, "--health-port", exc) from None
            self.port = int(runner.addresses[0][1])
            log.info("health port open", extra={"host": self.host, "port": self.port})
            self.ready.set()
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    def health(self) -> dict[str, object]:
        """The health server itself is up while it runs."""
        return {"port": self.port}

    async def stop_accepting(self) -> None:
        """Nothing to stop: /healthz keeps answering until the process ends."""
