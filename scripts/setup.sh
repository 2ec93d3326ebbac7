#!/usr/bin/env bash
# Installs everything the project needs, once: a Python 3.12 virtualenv in .venv with the
# project (editable) and all extras, and Debian's chromium for the browser tests.
# Safe to run again: it only reinstalls when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  for candidate in python3.12 "$HOME/.pyenv/versions/3.12"*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 python3; do
    if command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ]; then
      if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
        echo "$candidate"; return 0
      fi
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  PY=$(pick_python) || { echo "setup: Python 3.12+ is needed (pyenv install 3.12)" >&2; exit 1; }
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi

stamp=.venv/.insim-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing the project and its extras into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[all]"
  echo "$want" > "$stamp"
fi

# numba compiles the mechanisms' kernels once per version of them (~30 CPU s); do it here, not in
# the first run (sim/compiled.py)
.venv/bin/python -c 'from sim.compiled import CACHE_DIR, warm_up; print(f"setup: kernels compiled or loaded in {warm_up():.1f} CPU s ({CACHE_DIR})")'

if [ "${INSIM_SKIP_BROWSER:-0}" != "1" ] && [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null || echo "setup: chromium not installed; browser tests will be skipped" >&2
fi
