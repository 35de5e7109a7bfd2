"""The replicas' compose file: two replicas of the image on one PostgreSQL, stopped gently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
REPLICAS = ("townhall-a", "townhall-b")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (ROOT / "deploy" / "compose-replicas.yaml").read_text(encoding="utf-8")
    )
    return loaded


def test_two_replicas_of_the_image_share_one_postgresql_database() -> None:
    services = compose()["services"]
    urls = {services[name]["environment"]["TOWNHALL_DB"] for name in REPLICAS}

    (url,) = urls
    assert url.startswith("postgresql://townhall:${POSTGRES_PASSWORD")
    assert url.endswith("@postgres:5432/townhall")
    for name in REPLICAS:
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["env_file"] == "../.env"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["stop_grace_period"] == "40s"
        assert "volumes" not in service  # no SQLite file: the state is in PostgreSQL
    assert services["postgres"]["image"].startswith("postgres:15")
    assert "healthcheck" in services["postgres"]


def test_each_replica_publishes_its_ports_on_loopback_only_and_on_its_own_host_ports() -> None:
    services = compose()["services"]
    published = [port for name in REPLICAS for port in services[name]["ports"]]

    assert all(port.startswith("127.0.0.1:") for port in published)
    assert len({port.rsplit(":", 1)[0] for port in published}) == len(published)
    assert "ports" not in services["postgres"]  # reached by the replicas only
