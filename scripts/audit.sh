#!/usr/bin/env bash
# Run an audit. With no arguments: fully offline on the embedded local model
# (see README). Any `auditor audit` options pass through, e.g.
#   bash scripts/audit.sh --original openai/gpt-4o --suspect deepseek-chat
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
. .venv/bin/activate
exec auditor audit "$@"
