"""The dependency locks agree with pyproject.toml, and the test run uses exactly their pins."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = ROOT / "deploy" / "requirements.lock"
TEST_LOCK = ROOT / "deploy" / "requirements-test.lock"
# How uv (and pip-compile) mark a package that pyproject.toml asks for itself.
FROM_PYPROJECT = "townhall-bot (pyproject.toml)"
_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)


@dataclass(frozen=True)
class Pin:
    """One `name==version ; marker` entry of a lock, with its hashes and its `# via` sources."""

    name: NormalizedName
    version: str
    marker: str | None
    hashes: tuple[str, ...]
    via: tuple[str, ...]

    def applies(self) -> bool:
        return self.marker is None or Marker(self.marker).evaluate()


def read_lock(path: Path) -> list[Pin]:
    blocks: list[tuple[re.Match[str], list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            blocks.append((match, []))
        elif blocks:
            blocks[-1][1].append(line.strip())
    return [
        Pin(
            name=canonicalize_name(match["name"]),
            version=match["version"],
            marker=match["marker"],
            hashes=tuple(t.removesuffix("\\").strip() for t in tail if t.startswith("--hash=")),
            via=tuple(_sources(tail)),
        )
        for match, tail in blocks
    ]


def _sources(tail: list[str]) -> list[str]:
    # `# via aiohttp`, or `# via` followed by one `#   source` line each.
    comments = (t.lstrip("#").strip() for t in tail if t.startswith("#"))
    return [c.removeprefix("via").strip() for c in comments if c.removeprefix("via").strip()]


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


LOCKS = [(RUNTIME_LOCK, ()), (TEST_LOCK, ("test",))]


@pytest.mark.parametrize(("lock", "extras"), LOCKS, ids=["runtime", "test"])
def test_every_dependency_in_pyproject_is_locked_at_a_version_it_allows(
    lock: Path, extras: tuple[str, ...]
) -> None:
    pins = read_lock(lock)
    for requirement in declared(*extras):
        locked = [pin for pin in pins if pin.name == canonicalize_name(requirement.name)]
        assert locked, f"{requirement.name} is not in {lock.name}: run deploy/lock.sh"
        for pin in locked:
            assert requirement.specifier.contains(pin.version, prereleases=True), (
                f"{lock.name} pins {pin.name}=={pin.version}, pyproject.toml asks for "
                f"{requirement}: run deploy/lock.sh"
            )


@pytest.mark.parametrize(("lock", "extras"), LOCKS, ids=["runtime", "test"])
def test_the_lock_takes_nothing_directly_that_pyproject_no_longer_asks_for(
    lock: Path, extras: tuple[str, ...]
) -> None:
    direct = {pin.name for pin in read_lock(lock) if FROM_PYPROJECT in pin.via}
    assert direct == {canonicalize_name(r.name) for r in declared(*extras)}, "run deploy/lock.sh"


def test_the_test_lock_pins_every_runtime_package_as_the_image_does() -> None:
    runtime = {(pin.name, pin.version, pin.marker) for pin in read_lock(RUNTIME_LOCK)}
    test = {(pin.name, pin.version, pin.marker) for pin in read_lock(TEST_LOCK)}
    assert runtime <= test


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, TEST_LOCK], ids=["runtime", "test"])
def test_every_pin_carries_hashes_and_the_command_that_made_it(lock: Path) -> None:
    pins = read_lock(lock)
    assert len(pins) > 10
    assert all(pin.hashes for pin in pins)
    assert "deploy/lock.sh" in lock.read_text(encoding="utf-8").splitlines()[1]


def test_this_test_run_uses_the_locked_versions() -> None:
    # What CI tests is what the image ships: every pin that applies here is what is installed.
    wrong: list[str] = []
    for pin in read_lock(TEST_LOCK):
        if not pin.applies():
            continue
        try:
            installed = version(pin.name)
        except PackageNotFoundError:
            installed = "missing"
        if installed != pin.version:
            wrong.append(f"{pin.name}: locked {pin.version}, installed {installed}")
    assert wrong == []
