#!/bin/bash
# The fit codemod's golden record on a GPU (fixtures/gpu/legacy-fit/): each migrated legacy
# script of fixtures/legacy_fit runs under the recorder twice, the old `fit` with
# sentence-transformers 3.4.1 + transformers 4.48.0 and the migration with the machine's own
# stack, so that mixed precision (use_amp -> fp16) is seen where it means something.
# Run on the device machine from the repository root, with the wheels carried in .gpuwheels/:
#   old/: sentence-transformers 3.4.1, transformers 4.48.0, tokenizers 0.21.4, huggingface-hub 0.27.1
#   new/: datasets 4.4.1, dill 0.4.0, multiprocess 0.70.18 (the machine has no datasets)
# Writes $OUT/NAME.old.json, $OUT/NAME.new.json and $OUT/runs.log.
set -u
{
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  python -c "import torch, transformers, sentence_transformers as st; print('new stack:', torch.__version__, transformers.__version__, st.__version__)"
} >"$OUT/runs.log" 2>&1
pip install -q --no-deps --target /tmp/old .gpuwheels/old/*.whl >>"$OUT/runs.log" 2>&1
pip install -q --no-deps --target /tmp/new .gpuwheels/new/*.whl >>"$OUT/runs.log" 2>&1
cd fixtures/legacy_fit || exit 1
for name in L1_ce_literal_defaults L2_ce_msmarco_binary_eval L5_ce_bce_posweight_rerank; do
  for era in old new; do
    script="$name.before.py"
    [ "$era" = new ] && script="$name.after.py"
    echo "== $name ($era: $script)" >>"$OUT/runs.log"
    PYTHONPATH=/tmp/$era timeout 300 python recorder.py "$OUT/$name.$era.json" "$script" \
      --workdir "/tmp/work_${era}_$name" >>"$OUT/runs.log" 2>&1
    tail -1 "$OUT/runs.log"
  done
done
