#!/usr/bin/env bash
# Set up the project on a fresh machine: a virtual environment in .venv with the
# package (editable), the embedded local model extra and the test tools.
# Idempotent: a second run only checks that everything is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate

stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  python -m pip install --quiet --upgrade pip
  extras="dev"
  # The local extra compiles llama-cpp-python from source (about 4 minutes on 2 cores, once;
  # pip caches the wheel). AUDITOR_SKIP_LOCAL=1 skips it (then only API and replay models work).
  if [ "${AUDITOR_SKIP_LOCAL:-0}" != "1" ]; then
    extras="dev,local"
    export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
  fi
  python -m pip install --quiet -e ".[${extras}]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
