"""The project as a package: a wheel built from its sdist answers outside any checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the sdist is built from: the files a release of the project consists of.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "bot", "knowledge")


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        # The installed bot must find its talks by itself.
        env={k: v for k, v in os.environ.items() if k != "KNOWLEDGE_DIR"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def build(hook: str, source: Path, out: Path) -> tuple[Path, str]:
    """Run setuptools' PEP 517 hook in `source`, showing every warning it raises."""
    out.mkdir()
    code = f"import setuptools.build_meta as b; print(b.{hook}({str(out)!r}))"
    result = run(sys.executable, "-W", "always", "-c", code, cwd=source)
    return out / result.stdout.strip().splitlines()[-1], result.stdout + result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from the sdist (as `python -m build` does), and the build's output."""
    tmp = tmp_path_factory.mktemp("package")
    source = tmp / "source"
    source.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=skip)
        else:
            shutil.copy2(ROOT / name, source / name)
    sdist, sdist_log = build("build_sdist", source, tmp / "sdist")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp / "unpacked", filter="data")
    (unpacked,) = (tmp / "unpacked").iterdir()
    wheel, wheel_log = build("build_wheel", unpacked, tmp / "wheel")
    return wheel, sdist_log + wheel_log


def test_the_build_prints_no_deprecation_warning(built: tuple[Path, str]) -> None:
    _, log = built
    # setuptools warned on every build about `license = { text = ... }` (an error from 2027-02-18).
    assert "Deprecat" not in log


def test_the_wheel_holds_every_package_and_every_bundled_talk(built: tuple[Path, str]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bot").rglob("*.py")}
    talks = {f"bot/talks/{p.name}" for p in (ROOT / "knowledge").glob("*.md")}
    assert len(talks) >= 2
    # The passages' vectors too, or an installed bot embeds them all at its first start.
    assert modules | talks | {"bot/talks/vectors.npz"} <= names


def test_an_installed_wheel_answers_from_its_own_bundled_talks(
    built: tuple[Path, str], tmp_path: Path
) -> None:
    wheel, _ = built
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        venv / "bin" / "python",
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=tmp_path,
    )
    # The dependencies come from this test environment, to stay offline and quick; a .pth
    # line adds the folder only, so the checkout's editable `bot` finder is not loaded.
    purelib = run(
        venv / "bin" / "python",
        "-c",
        "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        cwd=tmp_path,
    )
    site = Path(purelib.stdout.strip())
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    where = run(
        venv / "bin" / "python",
        "-c",
        "import bot, bot.settings as s; print(bot.__file__); print(s.BUNDLED_KNOWLEDGE)",
        cwd=tmp_path,
    )
    module, knowledge = where.stdout.split()
    assert Path(module).is_relative_to(site)
    assert Path(knowledge) == site / "bot" / "talks"

    vectors = (site / "bot" / "talks" / "vectors.npz").read_bytes()
    answer = run(
        venv / "bin" / "townhall", "ask", "--json", "What did he say about hiring?", cwd=tmp_path
    )
    # Every passage's vector came with the wheel: nothing was embedded and written again.
    assert (site / "bot" / "talks" / "vectors.npz").read_bytes() == vectors
    results = json.loads(answer.stdout)["results"]
    assert results
    assert results[0]["doc"] == "openai-town-hall-2026-01"
    assert results[0]["excerpt"]
