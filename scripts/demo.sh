#!/usr/bin/env bash
# Set up (first run only) and run the demo: a generated library, local DuckDB, no API keys.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/mediavault demo "$@"
