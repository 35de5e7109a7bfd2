"""The replicas' compose file: two replicas of the image on one PostgreSQL, stopped gently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.store import StoreUnavailableError, open_store
from tests.postgres import PostgresCluster

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
    # The password goes to libpq in PGPASSWORD: whatever characters it holds, no URL
    # encoding is needed, and the URL (which logs and doctor may show) carries no secret.
    assert url == "postgresql://townhall@postgres:5432/townhall"
    for name in REPLICAS:
        assert services[name]["environment"]["PGPASSWORD"].startswith("${POSTGRES_PASSWORD:?")
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


@pytest.mark.postgres
def test_the_replicas_password_in_pgpassword_opens_a_postgresql_that_asks_for_one(
    postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "p@ss:/w?rd#%1"  # every character a URL would need encoded
    postgres.add_password_role("townhall_replica", password)
    database = postgres.create_database()
    postgres.admin(f'ALTER DATABASE "{database}" OWNER TO townhall_replica')
    url = compose()["services"]["townhall-a"]["environment"]["TOWNHALL_DB"]
    url = url.replace("townhall@postgres:5432/townhall", f"x@127.0.0.1:{postgres.port}/{database}")
    url = url.replace("//x@", "//townhall_replica@")

    monkeypatch.setenv("PGPASSWORD", password)
    store = open_store(url)
    try:
        assert store.upgrade()
    finally:
        store.close()

    monkeypatch.setenv("PGPASSWORD", "not-it")
    with pytest.raises(StoreUnavailableError) as refused:
        open_store(url)
    assert "not-it" not in str(refused.value)
    assert "password authentication failed" in str(refused.value)
    postgres.drop_database(database)
