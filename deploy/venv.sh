# Shared by ./townhall and ./run-tests (sourced, not run): make ./.venv hold the project.
# ensure_venv DIR EXTRAS  - EXTRAS is "" or "[test]"; reinstalls when pyproject.toml changed.
ensure_venv() {
  dir=$1
  extras=$2
  venv="$dir/.venv"
  stamp="$venv/.installed$extras"
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ ! "$dir/pyproject.toml" -nt "$stamp" ]; then
    return 0
  fi
  python=${PYTHON:-}
  if [ -z "$python" ]; then
    for candidate in python3.13 python3.12 python3.11 python3; do
      if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python=$candidate
        break
      fi
    done
  fi
  if [ -z "$python" ]; then
    echo "townhall: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
    exit 1
  fi
  if [ ! -x "$venv/bin/python" ]; then
    echo "townhall: creating $venv (first run only)" >&2
    "$python" -m venv "$venv"
  fi
  echo "townhall: installing townhall-bot$extras into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$dir$extras" >&2
  touch "$stamp"
}
