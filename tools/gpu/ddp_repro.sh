#!/usr/bin/env bash
# Issue 17: tools/gpu/ddp_repro.py's six cases (three models x the Trainer's DDP defaults or
# ddp_find_unused_parameters=False), and the defaults with plain-dict features, each on two
# processes launched by torchrun.
#
# On a machine with two GPUs (NCCL), from the repository root:
#   bash tools/gpu/ddp_repro.sh
# writes $OUT/2gpu-ddp/ when OUT is set (the device machine's output folder), else
# fixtures/gpu/2gpu-ddp/. On a CPU-only machine (gloo), as fixtures/gpu/ddp-cpu/ was made:
#   BACKEND=gloo DEST=fixtures/gpu/ddp-cpu STEPS=2 CASES="..." bash tools/gpu/ddp_repro.sh
# (CASES: the cases to run, as model:setting[:dict]; fixtures/gpu/README.md has the exact line)
#
#   environment.txt      GPUs, driver, library versions
#   ddp_repro.jsonl      one JSON line per rank and case (see ddp_repro.py)
#   <model>-<setting>[-dict].log  what torchrun and the libraries printed for that case
#   summary.txt          one row per rank and case
#
# When ./wheels holds the wheels of tools/gpu/wheels.txt (tools/gpu/fetch_wheels.sh), they are
# installed first, as verify_gpu.sh does, so that the releases CI pins are the ones tested.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-python}"
BACKEND="${BACKEND:-nccl}"
NPROC="${NPROC:-2}"
STEPS="${STEPS:-3}"
DEST="${DEST:-${OUT:-fixtures/gpu}/2gpu-ddp}"
mkdir -p "$DEST"

if compgen -G "wheels/*.whl" > /dev/null; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/ce-lint-site wheels/*.whl || exit 1
    export PYTHONPATH="/tmp/ce-lint-site${PYTHONPATH:+:$PYTHONPATH}"
fi

{
    command -v nvidia-smi > /dev/null &&
        nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv
    "$PY" - <<'EOF'
import platform
from importlib.metadata import version

import torch

print("python", platform.python_version())
for name in ("torch", "transformers", "sentence-transformers", "accelerate", "datasets"):
    print(name, version(name))
print("cuda", torch.version.cuda, "devices", torch.cuda.device_count())
EOF
} > "$DEST/environment.txt" 2>&1

# model:setting[:features]; the last three keep the Trainer's defaults but hand DDP a plain
# dict instead of the tokenizer's BatchEncoding (the suspected cause removed).
CASES="${CASES:-tiny:default tiny:false minilm-l6:default minilm-l6:false bert-base:default \
bert-base:false tiny:default:dict minilm-l6:default:dict bert-base:default:dict}"
: > "$DEST/ddp_repro.jsonl"
for case in $CASES; do
    IFS=: read -r model setting features <<< "$case"
    features="${features:-as-is}"
    name="$model-$setting"
    [ "$features" = dict ] && name="$model-$setting-dict"
    echo "== $name ($BACKEND, $NPROC processes)" >&2
    timeout 600 "$PY" -m torch.distributed.run --standalone --nnodes=1 \
        --nproc_per_node="$NPROC" tools/gpu/ddp_repro.py --model "$model" \
        --ddp-find-unused "$setting" --features "$features" --backend "$BACKEND" \
        --steps "$STEPS" >> "$DEST/ddp_repro.jsonl" 2> "$DEST/$name.log"
    echo "exit code: $?" >> "$DEST/$name.log"
done

"$PY" - "$DEST/ddp_repro.jsonl" > "$DEST/summary.txt" <<'EOF'
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
rows.sort(key=lambda r: (r["model"], r["features"], r["ddp_find_unused"], r["rank"]))
print(f"{'model':10} {'setting':8} {'features':8} {'rank':4} {'trained':7} {'wrapper':24} {'find_unused':11} "
      f"{'precision':9} {'train s':7}  error")
for r in rows:
    error = (r.get("error") or "").splitlines()[-1:] or [""]
    print(f"{r['model']:10} {r['ddp_find_unused']:8} {r['features']:8} {r['rank']:<4} {r['trained']!s:7} "
          f"{r.get('wrapper')!s:24} {r.get('ddp_find_unused_parameters')!s:11} "
          f"{r.get('precision')!s:9} {r.get('seconds_train')!s:7}  {error[0][:110]}")
EOF
cat "$DEST/summary.txt"
