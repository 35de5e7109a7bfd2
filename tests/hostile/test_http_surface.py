"""The bot's HTTP ports: the whole /healthz on the health port only, and no response names
its server software."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.cli import build_parser
from bot.health import Health, HealthServer
from tests.adapters.slack.conftest import HttpBot


class UnavailableDatabase:
    """The database service as serve reports it when it is down: its target and error."""

    name = "database"

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def stop_accepting(self) -> None:
        return None

    def health(self) -> dict[str, object]:
        return {
            "backend": "postgresql",
            "target": "postgresql://townhall@db.internal:5432/townhall",
            "available": False,
            "error": "TOWNHALL_DB (postgresql://townhall@db.internal:5432/townhall): refused",
        }


@pytest.fixture
async def health_port(http_bot: HttpBot) -> AsyncIterator[str]:
    """The health port with the process's report (Slack, the database, itself), as serve
    builds it."""
    report = Health([http_bot.service, UnavailableDatabase()])
    server = HealthServer(report, 0)
    report.watch([server])
    task = asyncio.create_task(server.run())
    await server.ready.wait()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def assert_anonymous(response: aiohttp.ClientResponse) -> None:
    server = response.headers.get("Server", "")
    assert server == "townhall", server
    assert "aiohttp" not in str(response.headers).lower()
    assert "python" not in str(response.headers).lower()


@pytest.mark.parametrize(
    ("method", "path", "data", "status"),
    [
        ("GET", "/healthz", None, 200),
        ("GET", "/nothing-here", None, 404),
        ("GET", "/slack/events", None, 405),
        ("POST", "/slack/events", b"{}", 401),
        ("POST", "/slack/events", b"x" * (2 * 1024 * 1024), 401),
    ],
)
async def test_no_response_of_the_slack_port_names_the_server_software(
    http_bot: HttpBot, method: str, path: str, data: bytes | None, status: int
) -> None:
    async with http_bot.session.request(method, f"{http_bot.url}{path}", data=data) as response:
        assert response.status == status
        assert_anonymous(response)


async def test_a_signed_oversized_or_malformed_request_names_no_server_software_either(
    http_bot: HttpBot,
) -> None:
    status, _ = await http_bot.post(b"{not json", "application/json")
    assert status == 400
    async with http_bot.session.post(
        f"{http_bot.url}/slack/events", data=b"{}", headers={"X-Slack-Signature": "v0=1"}
    ) as response:
        assert_anonymous(response)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/healthz", 200), ("GET", "/x", 404), ("POST", "/healthz", 405)],
)
async def test_no_response_of_the_health_port_names_the_server_software(
    http_bot: HttpBot, health_port: str, method: str, path: str, status: int
) -> None:
    async with http_bot.session.request(method, f"{health_port}{path}") as response:
        assert response.status == status
        assert_anonymous(response)


async def test_the_public_slack_port_shows_only_slack_and_the_health_port_everything(
    http_bot: HttpBot, health_port: str
) -> None:
    async with http_bot.session.get(f"{health_port}/healthz") as on_health_port:
        from_health_port = await on_health_port.json()
    async with http_bot.session.get(f"{http_bot.url}/healthz") as on_slack_port:
        from_slack_port = await on_slack_port.text()

    assert set(from_health_port["services"]) == {"slack", "database", "health"}
    assert from_health_port["services"]["database"]["error"].startswith("TOWNHALL_DB")
    # The Slack port listens on 0.0.0.0: no database target or error text goes out there.
    assert json.loads(from_slack_port) == {
        "ok": True,
        "services": {"slack": {"mode": "http", "connected": True}},
    }
    assert "db.internal" not in from_slack_port


def test_the_health_port_listens_on_loopback_unless_told_otherwise() -> None:
    assert build_parser().parse_args(["serve"]).health_host == "127.0.0.1"
    assert build_parser().parse_args(["serve", "--health-host", "0.0.0.0"]).health_host == "0.0.0.0"
    assert HealthServer(Health(), 0).host == "127.0.0.1"
