"""The deployment files install and run the bot the way CI and the README do."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def test_dockerfile_installs_with_the_same_step_as_ci() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    run_tests = (ROOT / "run-tests").read_text(encoding="utf-8")
    assert '. "$here/deploy/venv.sh"' in run_tests
    assert 'ensure_venv "$here" "[test]"' in run_tests
    assert 'RUN . deploy/venv.sh && ensure_venv /app ""' in dockerfile
    # Everything the install reads is copied in before it runs.
    copied = " ".join(re.findall(r"^COPY (.+)$", dockerfile, flags=re.MULTILINE))
    for needed in ("pyproject.toml", "README.md", "deploy/venv.sh", "bot", "knowledge"):
        assert needed in copied


def test_container_runs_serve_as_a_non_root_user_with_a_health_check() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER townhall$", dockerfile, flags=re.MULTILINE)
    assert "HEALTHCHECK" in dockerfile
    assert "/healthz" in dockerfile
    assert 'exec townhall serve --health-port \\"$HEALTH_PORT\\"' in dockerfile
    assert "TOWNHALL_DB=/data/townhall.db" in dockerfile


def test_compose_builds_the_dockerfile_with_an_env_file_and_a_volume() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["townhall"]
    assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert service["env_file"] == "../.env"
    assert "townhall-data:/data" in service["volumes"]
    assert "townhall-data" in compose["volumes"]


def test_systemd_unit_runs_serve_and_restarts_on_failure() -> None:
    unit = (DEPLOY / "townhall.service").read_text(encoding="utf-8")
    assert re.search(r"^ExecStart=\S+/townhall serve", unit, flags=re.MULTILINE)
    assert "Restart=on-failure" in unit
    assert "EnvironmentFile=" in unit


def test_env_example_documents_every_setting() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))
    assert len(names) == 13
    for name in names:
        assert re.search(rf"^#? ?{name}=", example, flags=re.MULTILINE), name
