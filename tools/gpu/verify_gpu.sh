#!/usr/bin/env bash
# Smoke-training verification on an NVIDIA GPU machine, with what it prints kept as fixtures.
#
# Run from the repository root on a machine with one or more GPUs and no network:
#   bash tools/gpu/verify_gpu.sh
# Needs the wheels of tools/gpu/wheels.txt in ./wheels (tools/gpu/fetch_wheels.sh puts them
# there); they are installed with --no-deps. Writes into $OUT/<N>gpu/ when OUT is set (the
# device machine's output folder), else into fixtures/gpu/<N>gpu/:
#   environment.txt   GPUs, driver, library versions
#   pytest.txt        tests/test_verify_gpu.py -m gpu, on GPU 0
#   pytest-multigpu.txt  tests/test_verify_gpu.py -m multigpu (two or more GPUs)
#   verify.json       `ce-lint verify --output-format json` on the GPU fixtures
#   verify.log        its progress lines (stderr)
#   verify-nccl.json  two processes over NCCL (only with two or more GPUs), and its .log
#   verify-nccl-default.log  the same with the Trainer's DDP defaults (fails, with advice)
# and, with two or more GPUs, tools/gpu/ddp_repro.sh's cases in <OUT or fixtures/gpu>/2gpu-ddp/.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-python}"

# Every wheel of tools/gpu/wheels.txt into its own folder, first on the path: the machine's
# own transformers and sentence-transformers are older than the releases CI pins.
"$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/ce-lint-site wheels/*.whl || exit 1
export PYTHONPATH="/tmp/ce-lint-site${PYTHONPATH:+:$PYTHONPATH}"

GPUS=$("$PY" -c "import torch; print(torch.cuda.device_count())")
DEST="${OUT:-fixtures/gpu}/${GPUS}gpu"
mkdir -p "$DEST"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"  # ce_lint from this checkout, not installed

{
    nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv
    "$PY" - <<'EOF'
import platform
from importlib.metadata import version

import torch

print("python", platform.python_version())
for name in ("torch", "transformers", "sentence-transformers", "accelerate", "datasets"):
    print(name, version(name))
print("cuda", torch.version.cuda, "devices", torch.cuda.device_count(),
      "bf16", torch.cuda.is_available() and torch.cuda.is_bf16_supported())
EOF
} > "$DEST/environment.txt" 2>&1

# transformers 5.25's Hub kernels offline (verify's worker turns them off): as they come, and off.
{
    CUDA_VISIBLE_DEVICES=0 env -u USE_HUB_KERNELS timeout 300 "$PY" tools/gpu/hub_kernels_offline.py
    CUDA_VISIBLE_DEVICES=0 USE_HUB_KERNELS=NO timeout 300 "$PY" tools/gpu/hub_kernels_offline.py
} > "$DEST/hub-kernels-offline.jsonl" 2>&1

# One GPU for the single-GPU tests (several visible GPUs would mean nn.DataParallel), then all
# of them for the two-process test.
CUDA_VISIBLE_DEVICES=0 timeout 900 "$PY" -m pytest -q -rA -p no:cacheprovider -m gpu \
    tests/test_verify_gpu.py > "$DEST/pytest.txt" 2>&1
echo "pytest -m gpu exit code: $?" >> "$DEST/pytest.txt"
if [ "$GPUS" -ge 2 ]; then
    timeout 900 "$PY" -m pytest -q -rA -p no:cacheprovider -m multigpu \
        tests/test_verify_gpu.py > "$DEST/pytest-multigpu.txt" 2>&1
    echo "pytest -m multigpu exit code: $?" >> "$DEST/pytest-multigpu.txt"
fi

# One process on one GPU: real fp16, bf16 + tf32, a config that destroys its weights, a CPU
# config (exit code 1 is expected: the destroyed weights are reported).
CUDA_VISIBLE_DEVICES=0 timeout 600 "$PY" -m ce_lint verify --output-format json \
    fixtures/verify/gpu/fp16.yaml fixtures/verify/gpu/bf16-tf32.yaml \
    fixtures/verify/huge-learning-rate.yaml fixtures/verify/good-cpu.yaml \
    > "$DEST/verify.json" 2> "$DEST/verify.log"
echo "exit code: $?" >> "$DEST/verify.log"

if [ "$GPUS" -ge 2 ]; then
    timeout 600 "$PY" -m ce_lint verify --output-format json --nproc 2 \
        fixtures/verify/gpu/nccl-2gpu.yaml > "$DEST/verify-nccl.json" 2> "$DEST/verify-nccl.log"
    echo "exit code: $?" >> "$DEST/verify-nccl.log"
    # The Trainer's DDP defaults, which fail on two GPUs: kept to show the advice.
    timeout 300 "$PY" -m ce_lint verify --nproc 2 fixtures/verify/gpu/nccl-default.yaml \
        > "$DEST/verify-nccl-default.log" 2>&1
    echo "exit code: $?" >> "$DEST/verify-nccl-default.log"
    # Issue 17 without ce-lint: three CrossEncoder shapes under DDP over NCCL, with the
    # Trainer's defaults, ddp_find_unused_parameters=False and plain-dict features
    # (tools/gpu/ddp_repro.sh; writes ${OUT:-fixtures/gpu}/2gpu-ddp/).
    PYTHON="$PY" timeout 3600 bash tools/gpu/ddp_repro.sh > /dev/null 2>&1
fi

for f in "$DEST"/*; do echo "== $f"; tail -n 25 "$f"; done
