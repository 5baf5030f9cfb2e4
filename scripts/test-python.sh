#!/usr/bin/env bash
# Run the fast tiers (unit and local) on another Python version, in its own venv (.venv-X.Y), with
# hpcsim and its test extra but without the ML frameworks: on this machine only Python 3.11 has a
# CPU build of torch at hand (elsewhere PyPI's is a several-GB CUDA build), and scripts/test.sh
# runs everything that needs them. Those tests skip here, saying so. The interpreter is
# pyenv's X.Y, else pythonX.Y on PATH.
# Usage: bash scripts/test-python.sh 3.13 [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: bash scripts/test-python.sh X.Y [pytest arguments]}
shift

# pyenv keeps each version under $PYENV_ROOT/versions/X.Y.Z (take the newest X.Y); else PATH
# (pyenv's shims there answer only for the versions pyenv has made global, hence the probe)
python=$(find "${PYENV_ROOT:-$HOME/.pyenv}/versions" -maxdepth 3 -path "*/versions/$version.*/bin/python$version" \
    2>/dev/null | sort -V | tail -n 1)
if [ -z "$python" ] && "python$version" -c pass 2>/dev/null; then
    python=$(command -v "python$version")
fi
if [ -z "$python" ]; then
    echo "test-python: no python$version under ${PYENV_ROOT:-$HOME/.pyenv}/versions or on PATH" >&2
    exit 1
fi

venv=".venv-$version"
echo "== python $version: $python -> $venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e '.[test]'
"$venv/bin/python" -m pytest tests/unit tests/local "$@"
