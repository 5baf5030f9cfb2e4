#!/usr/bin/env bash
# Build the sdist and wheel, check their metadata with twine, install the wheel (with the redis
# extra) into a fresh venv outside the source tree and run the main job from it: the key-prefixing
# example as the wheel ships it, on the local launcher. Needs the dev venv of scripts/test.sh
# (build and twine come with '.[test]').
# Usage: bash scripts/check-dist.sh [DEV_VENV]   (default ./.venv)
set -euo pipefail
cd "$(dirname "$0")/.."
dev=${1:-.venv}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== build sdist and wheel"
"$dev/bin/python" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
ls "$work/dist"
echo "== twine check"
"$dev/bin/python" -m twine check --strict "$work"/dist/*

echo "== install the wheel into a fresh venv"
wheel=$(find "$work/dist" -name 'hpcsim-*.whl')
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$wheel[redis]"

echo "== main job from the installed wheel"
mkdir "$work/run"
# from an empty directory, so nothing of the source tree is importable
(cd "$work/run" && "$work/venv/bin/python" - <<'PY'
import runpy
from importlib import resources

import hpcsim

assert "site-packages" in hpcsim.__file__, hpcsim.__file__
print(f"hpcsim {hpcsim.__version__} from {hpcsim.__file__}")
driver = resources.files("hpcsim.examples") / "key_prefixing" / "experiment.py"
runpy.run_path(str(driver), run_name="__main__")
PY
)
echo "check-dist: ok"
