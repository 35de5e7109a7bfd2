#!/bin/sh
# Regenerate the dependency locks from pyproject.toml; run it after changing a dependency:
#
#   deploy/lock.sh              keep every pin that still fits, add or drop what changed
#   deploy/lock.sh --upgrade    move every pin to the newest release pyproject.toml allows
#
# deploy/requirements.lock       what the image and ./townhall install (the runtime)
# deploy/requirements-test.lock  the same pins plus the test extras: what ./run-tests and CI
#                                install, so CI tests the versions the image ships
#
# Both are universal (every platform and Python >= 3.11, with markers) and hash-checked.
# uv resolves them; it is installed once into a cache folder, at a pinned version.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
uv_version=0.13.9
tools=${XDG_CACHE_HOME:-$HOME/.cache}/townhall-bot/uv-$uv_version
if [ ! -x "$tools/bin/uv" ]; then
  echo "lock: installing uv $uv_version into $tools" >&2
  python3 -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_version"
fi
cd "$here"
compile() {
  "$tools/bin/uv" pip compile --quiet --universal --generate-hashes \
    --custom-compile-command "deploy/lock.sh" "$@"
}
compile pyproject.toml -o deploy/requirements.lock "$@"
# Constrained by the runtime lock, so the shared packages get the very same pins.
compile pyproject.toml --extra test -c deploy/requirements.lock \
  -o deploy/requirements-test.lock "$@"
echo "lock: wrote deploy/requirements.lock and deploy/requirements-test.lock" >&2
