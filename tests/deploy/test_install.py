"""deploy/venv.sh, the install step shared by ./townhall, ./run-tests and the image."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_SH = ROOT / "deploy" / "venv.sh"


def fake_project(tmp_path: Path, failing: str) -> Path:
    """A project folder whose .venv python logs each pip call and fails the one named."""
    project = tmp_path / "project"
    (project / "deploy").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (project / "deploy" / "requirements.lock").write_text("", encoding="utf-8")
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            echo "$*" >> "{project}/calls"
            case "$*" in
              *"{failing}"*) echo "x 1.0 requires y, which is not installed."; exit 1 ;;
            esac
            """
        ),
        encoding="utf-8",
    )
    python.chmod(0o755)
    return project


def ensure(project: Path, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", f'. "{VENV_SH}"; {script}'],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PROJECT": str(project)},
        check=False,
    )


@pytest.mark.parametrize("failing", ["--require-hashes", "--no-deps", "pip check"])
def test_a_failed_install_step_fails_and_leaves_no_installed_stamp(
    tmp_path: Path, failing: str
) -> None:
    project = fake_project(tmp_path, failing)
    stamp = project / ".venv" / ".installed"
    stamp.touch()
    # An older stamp: pyproject.toml changed since, so ensure_venv reinstalls.
    os.utime(stamp, (1, 1))
    result = ensure(project, 'ensure_venv "$PROJECT" "" && echo installed')
    assert result.returncode != 0
    assert "installed" not in result.stdout
    assert not stamp.exists()
    assert "townhall:" in result.stderr


def test_a_complete_install_runs_locked_then_project_then_check_and_stamps(
    tmp_path: Path,
) -> None:
    project = fake_project(tmp_path, "nothing fails")
    (project / "deploy" / "requirements-test.lock").write_text("", encoding="utf-8")
    result = ensure(project, 'ensure_venv "$PROJECT" "[test]"')
    assert result.returncode == 0, result.stderr
    calls = (project / "calls").read_text(encoding="utf-8").splitlines()
    assert calls[-3].endswith(f"--require-hashes -r {project}/deploy/requirements-test.lock")
    assert calls[-2].endswith(f"--no-deps -e {project}")
    assert calls[-1] == "-m pip check"
    assert (project / ".venv" / ".installed[test]").exists()
    # Up to date now: nothing runs the second time.
    again = ensure(project, 'ensure_venv "$PROJECT" "[test]"')
    assert again.returncode == 0
    assert (project / "calls").read_text(encoding="utf-8").splitlines() == calls
