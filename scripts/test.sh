#!/usr/bin/env bash
# Install hpcsim with its test tools and ML frameworks into ./.venv and run every check CI runs:
# ruff (lint + format), mypy --strict, and the whole pytest suite.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
bash scripts/install-ml.sh .venv

echo "== ruff"
.venv/bin/ruff check hpcsim tests scripts examples
.venv/bin/ruff format --check hpcsim tests scripts examples
echo "== mypy --strict"
.venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest "$@"
