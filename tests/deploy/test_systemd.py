"""The systemd unit: serve under a sandbox systemd rates below 5, installed as its header says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "townhall.service"
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")


def unit_text() -> str:
    return UNIT.read_text(encoding="utf-8")


def setting(key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", unit_text(), flags=re.MULTILINE)


def header() -> list[str]:
    """The install commands at the top of the unit, as an admin copies them."""
    return re.findall(r"^#   (.+)$", unit_text(), flags=re.MULTILINE)


@needs_analyze
def test_systemd_analyze_rates_the_unit_below_5(capsys: pytest.CaptureFixture[str]) -> None:
    assert ANALYZE is not None
    result = subprocess.run(
        [ANALYZE, "security", "--offline=true", "--no-pager", str(UNIT)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    match = re.search(r"Overall exposure level for townhall.service: ([\d.]+)", result.stdout)
    assert match, result.stdout + result.stderr
    with capsys.disabled():
        print(f"\nsystemd-analyze security: {match[1]} (deploy/townhall.service)")
    assert float(match[1]) < 5


@needs_analyze
def test_systemd_knows_every_directive_in_the_unit(tmp_path: Path) -> None:
    assert ANALYZE is not None
    # verify wants ExecStart's program to exist; any executable stands in for the venv's.
    unit = tmp_path / "townhall.service"
    exec_start = setting("ExecStart")[0].split()[0]
    unit.write_text(unit_text().replace(exec_start, sys.executable), encoding="utf-8")
    result = subprocess.run(
        [ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert result.stdout + result.stderr == ""


def test_the_unit_runs_serve_sandboxed_without_capabilities() -> None:
    assert setting("ExecStart")[0].split()[1:3] == ["serve", "--health-port"]
    assert setting("User") == ["townhall"]
    assert setting("Restart") == ["on-failure"]
    assert setting("ProtectSystem") == ["strict"]
    assert setting("CapabilityBoundingSet") == [""]
    for key in ("NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables"):
        assert setting(key) == ["yes"], key
    assert setting("RestrictAddressFamilies") == ["AF_INET AF_INET6 AF_UNIX"]
    assert "@system-service" in setting("SystemCallFilter")
    # Under ProtectSystem=strict the state directory is the one place the bot writes.
    assert setting("StateDirectory") == ["townhall"]
    # The settings file, which admin commands read too (--env-file), holds TOWNHALL_DB.
    assert setting("Environment") == ["TOWNHALL_ENV_FILE=/etc/townhall/townhall.env"]


def test_the_header_installs_to_the_paths_the_unit_uses() -> None:
    commands = header()
    (env_file,) = [v.removeprefix("TOWNHALL_ENV_FILE=") for v in setting("Environment")]
    # install -D creates /etc/townhall; without it the copy fails on a fresh machine. The
    # townhall group reads it: the service and admin commands run as townhall read one file.
    assert f"install -D -m 640 -g townhall .env {env_file}" in commands
    state = setting("StateDirectory")[0]
    assert f"echo TOWNHALL_DB=/var/lib/{state}/townhall.db >> {env_file}" in commands
    venv = setting("ExecStart")[0].split()[0].removesuffix("/bin/townhall")
    assert f"python3 -m venv {venv}" in commands
    assert f"{venv}/bin/pip install --require-hashes -r deploy/requirements.lock" in commands
    assert f"{venv}/bin/pip install --no-deps ." in commands
    assert any(c.startswith("useradd --system --user-group") for c in commands)
    assert commands[-1] == "systemctl daemon-reload && systemctl enable --now townhall"
