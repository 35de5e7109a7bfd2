"""The image and compose files: layers, install steps, ports, user and stop grace.

deploy/verify-image.sh builds and runs the image for real (buildah); these pin the files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.runtime import GRACE_SECONDS
from bot.settings import (
    ENV_FILE_VARIABLE,
    CoreSettings,
    DiscordSettings,
    InsightSettings,
    SlackSettings,
    StatsSettings,
)
from tests.deploy.test_install import fake_project

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# serve gives in-flight answers this long after SIGTERM; the stop timeouts must outlast it.
ANSWER_GRACE_SECONDS = GRACE_SECONDS
STOP_TIMEOUT_AT_LEAST = 30


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(r"\\\n\s*", " ", text)
    result = []
    for line in logical.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, arguments = line.strip().partition(" ")
            result.append((keyword.upper(), arguments.strip()))
    return result


def compose_service() -> dict[str, object]:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert "townhall-data" in compose["volumes"]
    return compose["services"]["townhall"]  # type: ignore[no-any-return]


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, duration
    return int(match[1])


def test_dependencies_are_installed_from_the_lock_before_the_code_is_copied() -> None:
    steps = instructions()
    install = next(i for i, (k, a) in enumerate(steps) if k == "RUN" and "install_locked" in a)
    assert "deploy/requirements.lock" in steps[install][1]
    copied_before = [a for k, a in steps[:install] if k == "COPY"]
    assert copied_before == ["deploy/venv.sh deploy/requirements.lock deploy/"]
    copied_after = " ".join(a for k, a in steps[install:] if k == "COPY")
    for needed in ("pyproject.toml", "setup.py", "README.md", "bot", "knowledge"):
        assert needed in copied_after.split()
    project = next(i for i, (k, a) in enumerate(steps) if k == "RUN" and "install_project" in a)
    assert project > install


def test_every_build_step_stops_at_the_first_failing_command() -> None:
    runs = [a for k, a in instructions() if k == "RUN"]
    assert runs
    for command in runs:
        assert command.startswith("set -eu;"), command
        # Under `a && b` the shell ignores set -e for `a`: the steps are separate commands.
        assert "&&" not in command, command


def run_install_lines(project: Path) -> subprocess.CompletedProcess[str]:
    """The Dockerfile's own RUN lines that install, run in `project` instead of /app."""
    runs = [a for k, a in instructions() if k == "RUN" and "deploy/venv.sh" in a]
    shutil.copy(DEPLOY / "venv.sh", project / "deploy" / "venv.sh")
    script = "; ".join(runs).replace("/app", str(project))
    return subprocess.run(
        ["sh", "-c", f"{script}; echo built"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize("failing", ["--require-hashes", "--no-deps", "pip check"])
def test_the_image_install_lines_fail_when_a_pip_step_fails(tmp_path: Path, failing: str) -> None:
    result = run_install_lines(fake_project(tmp_path, failing))
    assert result.returncode != 0
    assert "built" not in result.stdout


def test_the_image_install_lines_build_when_every_step_succeeds(tmp_path: Path) -> None:
    project = fake_project(tmp_path, "nothing fails")
    result = run_install_lines(project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "built"
    calls = (project / "calls").read_text(encoding="utf-8").splitlines()
    assert calls[0].endswith("--require-hashes -r deploy/requirements.lock")
    assert calls[1].endswith(f"--no-deps {project}")


def test_the_base_image_is_a_build_argument_defaulting_to_python_slim() -> None:
    steps = instructions()
    assert steps[0] == ("ARG", "BASE=python:3.11-slim")
    assert steps[1] == ("FROM", "${BASE}")


def test_the_build_context_lets_in_only_what_the_dockerfile_copies() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # Everything is left out first; .git, .venv, .env, databases and tests never go in.
    assert patterns[0] == "*"
    allowed = {p.removeprefix("!") for p in patterns if p.startswith("!")}
    copied = set()
    for keyword, arguments in instructions():
        if keyword == "COPY":
            copied.update(arguments.split()[:-1])
    assert copied == allowed
    assert {"**/__pycache__", "**/*.db", "**/.env"} <= set(patterns)


def test_the_container_runs_serve_as_a_non_root_user_with_its_database_on_the_volume() -> None:
    steps = instructions()
    assert ("USER", "townhall") in steps
    assert ("VOLUME", '["/data"]') in steps
    env = " ".join(a for k, a in steps if k == "ENV")
    assert "TOWNHALL_DB=/data/townhall.db" in env
    # The image's bundled talks are the installed package's, not a folder beside it.
    assert "KNOWLEDGE_DIR" not in env


def test_slack_events_and_health_are_served_on_the_exposed_and_mapped_ports() -> None:
    steps = instructions()
    exposed = {a for k, a in steps if k == "EXPOSE"}
    assert exposed == {"3000 8080"}
    (cmd,) = [a for k, a in steps if k == "CMD"]
    args = yaml.safe_load(cmd)  # exec form: a JSON array
    assert args[:2] == ["townhall", "serve"]
    options = dict(zip(args[2::2], args[3::2], strict=True))
    assert options["--host"] == "0.0.0.0"
    assert options["--port"] == "3000"
    assert options["--health-port"] == "8080"
    # serve's health port is loopback-only by default; the mapped port needs all addresses.
    assert options["--health-host"] == "0.0.0.0"
    (healthcheck,) = [a for k, a in steps if k == "HEALTHCHECK"]
    assert "http://127.0.0.1:8080/healthz" in healthcheck
    ports = compose_service()["ports"]
    assert ports == ["127.0.0.1:3000:3000", "127.0.0.1:8080:8080"]


def test_compose_builds_the_dockerfile_with_an_env_file_and_a_volume() -> None:
    service = compose_service()
    assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert service["env_file"] == "../.env"
    assert "townhall-data:/data" in service["volumes"]  # type: ignore[operator]


def test_stop_timeouts_outlast_the_grace_given_to_in_flight_answers() -> None:
    grace = seconds(str(compose_service()["stop_grace_period"]))
    unit = (DEPLOY / "townhall.service").read_text(encoding="utf-8")
    (timeout,) = re.findall(r"^TimeoutStopSec=(\d+)$", unit, flags=re.MULTILINE)
    for stop in (grace, int(timeout)):
        assert stop >= STOP_TIMEOUT_AT_LEAST > ANSWER_GRACE_SECONDS


def test_env_example_documents_every_setting() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))
    # Every setting the code reads, and the settings file's variable; not the test suite's
    # and the image check's own.
    sections = (CoreSettings, DiscordSettings, SlackSettings, InsightSettings, StatsSettings)
    settings = {
        f"{section.model_config.get('env_prefix', '')}{field}".upper()
        for section in sections
        for field in section.model_fields
    }
    assert names == settings | {ENV_FILE_VARIABLE}
    for name in names:
        assert re.search(rf"^#? ?{name}=", example, flags=re.MULTILINE), name
