# Installing townhall-bot into a virtual environment. Sourced, not run, by ./townhall,
# ./run-tests (so by CI) and deploy/Dockerfile, so that all three install the versions pinned
# in deploy/requirements*.lock (deploy/lock.sh regenerates them).
#
#   ensure_venv DIR EXTRAS          DIR/.venv with the locked dependencies and DIR installed
#                                   editable; EXTRAS is "" or "[test]". Does nothing while its
#                                   stamp is newer than pyproject.toml and the lock.
#   make_venv VENV                  create VENV with Python 3.11 or newer ($PYTHON picks one)
#   install_locked VENV LOCK        the pinned, hash-checked dependencies listed in LOCK
#   install_project VENV DIR [-e]   DIR itself without dependencies, then `pip check`
#
# Each function returns non-zero as soon as a step fails and never writes the stamp then.
# It cannot lean on the caller's `set -e`: the shell ignores it inside a function that is
# called as part of `a && b`.

ensure_venv() {
  ensure_dir=$1
  ensure_extras=$2
  ensure_venv="$ensure_dir/.venv"
  ensure_stamp="$ensure_venv/.installed$ensure_extras"
  case $ensure_extras in
    "") ensure_lock="$ensure_dir/deploy/requirements.lock" ;;
    "[test]") ensure_lock="$ensure_dir/deploy/requirements-test.lock" ;;
    *)
      echo "townhall: unknown extras '$ensure_extras' (\"\" or \"[test]\")" >&2
      return 1
      ;;
  esac
  if [ -x "$ensure_venv/bin/python" ] && [ -f "$ensure_stamp" ] &&
    [ ! "$ensure_dir/pyproject.toml" -nt "$ensure_stamp" ] &&
    [ ! "$ensure_lock" -nt "$ensure_stamp" ]; then
    return 0
  fi
  # A stamp left from an earlier install must not survive a failed one.
  rm -f "$ensure_stamp"
  make_venv "$ensure_venv" || return 1
  echo "townhall: installing townhall-bot$ensure_extras into $ensure_venv" >&2
  install_locked "$ensure_venv" "$ensure_lock" || return 1
  install_project "$ensure_venv" "$ensure_dir" -e || return 1
  touch "$ensure_stamp"
}

make_venv() {
  if [ -x "$1/bin/python" ]; then
    return 0
  fi
  make_python=${PYTHON:-}
  if [ -z "$make_python" ]; then
    for candidate in python3.13 python3.12 python3.11 python3; do
      if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        make_python=$candidate
        break
      fi
    done
  fi
  if [ -z "$make_python" ]; then
    echo "townhall: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
    return 1
  fi
  echo "townhall: creating $1 (first run only)" >&2
  "$make_python" -m venv "$1" || {
    echo "townhall: could not create $1 with $make_python" >&2
    return 1
  }
}

install_locked() {
  "$1/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes -r "$2" >&2 || {
    echo "townhall: installing the dependencies pinned in $2 failed (see above)" >&2
    return 1
  }
}

install_project() {
  project_venv=$1
  project_dir=$2
  shift 2
  "$project_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-deps "$@" "$project_dir" >&2 || {
    echo "townhall: installing $project_dir failed (see above)" >&2
    return 1
  }
  # A dependency added to pyproject.toml but not to the lock is missing now: say so by name.
  project_broken=$("$project_venv/bin/python" -m pip check) || {
    echo "$project_broken" >&2
    echo "townhall: the lock does not satisfy pyproject.toml; run deploy/lock.sh" >&2
    return 1
  }
}
