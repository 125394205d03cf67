#!/usr/bin/env bash
# Run the test suite (offline). Sets up the environment first; installs headless
# Chromium for the report's browser test when running as root and it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "scripts/test.sh: could not install chromium; the browser test will skip (or fail under CI=true)"
fi
# shellcheck disable=SC1091
. .venv/bin/activate
mkdir -p tests/artifacts
exec python -m pytest -q "$@"
