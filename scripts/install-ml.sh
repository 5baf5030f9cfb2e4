#!/usr/bin/env bash
# Install the ML frameworks hpcsim's inference worker runs models with into a virtualenv:
# torch (CPU build when one can be had), onnxruntime and onnx ('hpcsim[ml]'), and tensorflow-cpu
# with LiteRT for the TF/TFLITE backends. Idempotent: what already imports is left alone.
# Usage: bash scripts/install-ml.sh [VENV]   (default ./.venv)
set -euo pipefail
cd "$(dirname "$0")/.."
py="${1:-.venv}/bin/python"

imports() { "$py" -c "import $1" 2>/dev/null; }

# PyPI's default torch wheel pulls several GB of CUDA libraries; a CPU build is ~200 MB. Take, in
# order: a +cpu wheel in pip's configured find-links, PyTorch's CPU index, then PyPI's build.
cpu_torch_version() {
    "$py" - <<'EOF'
import glob, os, re, subprocess, sys
tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
config = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
links = os.environ.get("PIP_FIND_LINKS", "").split()
links += [v for k, v in re.findall(r"^(\S*find-links)='([^']*)'", config, re.M)]
found = []
for link in links:
    for path in glob.glob(os.path.join(link.removeprefix("file://"), f"torch-*+cpu-{tag}-*.whl")):
        found.append(os.path.basename(path).split("-")[1])
if found:
    print(max(found, key=lambda v: [int(p) for p in re.findall(r"\d+", v.split("+")[0])]))
EOF
}

if ! imports torch; then
    version=$(cpu_torch_version)
    if [ -n "$version" ]; then
        echo "install-ml: torch $version from pip's find-links"
        "$py" -m pip install --quiet "torch==$version"
    elif "$py" -m pip install --quiet --retries 1 --timeout 20 torch \
        --index-url https://download.pytorch.org/whl/cpu --extra-index-url https://pypi.org/simple 2>/dev/null; then
        echo "install-ml: torch from the PyTorch CPU index"
    else
        echo "install-ml: no CPU build of torch reachable; installing PyPI's default build"
        "$py" -m pip install --quiet torch
    fi
fi
imports onnxruntime && imports onnx || "$py" -m pip install --quiet onnxruntime onnx
imports tensorflow || "$py" -m pip install --quiet tensorflow-cpu
imports ai_edge_litert || "$py" -m pip install --quiet ai-edge-litert
"$py" -c 'import torch, onnxruntime, tensorflow, ai_edge_litert; print("install-ml: torch", torch.__version__, "| onnxruntime", onnxruntime.__version__, "| tensorflow", tensorflow.__version__)' 2>/dev/null
