#!/usr/bin/env bash
# Set up (first run only) and run the whole test suite: lint, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

# Debian packages the tests use: chromium (browser tests) and jdupes (hash benchmark baseline).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v jdupes >/dev/null 2>&1 || missing+=(jdupes)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Please install: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
  fi
fi

.venv/bin/ruff check .
# Two workers (the suite is mostly one busy core at a time, and CI has two), each taking whole
# test files so module fixtures such as the demo app are built once.
# MEDIAVAULT_TEST_WORKERS=0 runs everything in this process.
exec .venv/bin/python -m pytest -n "${MEDIAVAULT_TEST_WORKERS:-2}" --dist loadfile "$@"
