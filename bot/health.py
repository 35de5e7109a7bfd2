"""The optional health port: GET /healthz answers with each service's health()."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

from aiohttp import web

from bot.runtime import Service

log = logging.getLogger(__name__)


class HealthServer:
    """A service that serves /healthz for the other services until cancelled."""

    name = "health"

    # 0.0.0.0: in a container the health check and the orchestrator reach it from outside.
    def __init__(self, services: Sequence[Service], port: int, host: str = "0.0.0.0") -> None:
        self.services = list(services)
        self.host = host
        self.port = port
        self.ready = asyncio.Event()

    async def run(self) -> None:
        """Serve until cancelled, then close the socket."""
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
            self.port = int(runner.addresses[0][1])
            log.info("health port open", extra={"port": self.port})
            self.ready.set()
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    def health(self) -> dict[str, object]:
        """The health server itself is up while it runs."""
        return {"port": self.port}

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
