"""Does an offline reload of a tiny cross-encoder work on this GPU with transformers' Hub kernels?

transformers 5.25 turns on kernels from the Hub by default (USE_HUB_KERNELS), and verify runs
offline. Run twice, with USE_HUB_KERNELS unset and with USE_HUB_KERNELS=NO; prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from sentence_transformers.cross_encoder import CrossEncoder  # noqa: E402

from ce_lint.verify.tiny import build_tiny_model  # noqa: E402

result = {
    "USE_HUB_KERNELS": os.environ.get("USE_HUB_KERNELS", "(unset)"),
    "transformers": version("transformers"),
    "kernels": version("kernels"),
    "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
}
with tempfile.TemporaryDirectory() as tmp:
    os.environ["HF_HOME"] = str(Path(tmp) / "hf-home")  # an empty cache, as verify's worker has
    model_dir = build_tiny_model(Path(tmp) / "tiny")
    try:
        model = CrossEncoder(str(model_dir), local_files_only=True, device="cuda")
        score = model.predict([("what is a cat", "a cat is small")], show_progress_bar=False)
        result.update(status="ok", score=float(score[0]))
    except Exception as exc:  # the point is to see which error, if any
        result.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:600])
        result["where"] = traceback.format_exc().strip().splitlines()[-3:]
print(json.dumps(result))
sys.exit(0)
