"""Record what the legacy `fit` of old sentence-transformers releases trains with, for every
script in fixtures/legacy_fit/manifest.json; tests/test_legacy_fit_golden.py compares the
Trainer runs of their migrations against it.

Each old release lives in a throwaway virtual environment that nothing else refers to:

    python -m venv /tmp/st270
    /tmp/st270/bin/pip install torch==2.13.0 sentence-transformers==2.7.0 transformers==4.40.0 \\
        huggingface-hub==0.23.4 'numpy<2'
    python -m venv /tmp/st341
    /tmp/st341/bin/pip install torch==2.13.0 sentence-transformers==3.4.1 transformers==4.48.0 \\
        accelerate==1.3.0 datasets==3.2.0 'numpy<2'
    python tools/record_legacy_fit.py /tmp/st270/bin/python /tmp/st341/bin/python

(On a CPU-only machine add `--index-url https://download.pytorch.org/whl/cpu` for torch.)

Every script runs unchanged under fixtures/legacy_fit/recorder.py (hooks that only observe:
optimizer steps and learning rates, param groups, clipping, the loss modules called, the
batches of each pass, evaluator calls, saves), on a tiny BERT built on the spot, in a fresh
folder. fixtures/legacy_fit/settings.py turns each record into the settings compared, and
records.json keeps them by script and release: {"versions": {...}, "scripts": {name:
{release: settings}}}. `--check` compares instead of writing (exit 1 on a difference).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "legacy_fit"
RECORDS = FIXTURES / "records.json"

sys.path.insert(0, str(FIXTURES))
from settings import settings  # noqa: E402


def record(python: str, script: Path, work: Path) -> dict[str, Any]:
    """Run `script` with `python` under the recorder; the raw record."""
    out = work / f"{script.stem}.json"
    subprocess.run(
        [
            python,
            str(FIXTURES / "recorder.py"),
            str(out),
            str(script),
            "--workdir",
            str(work / "wd"),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pythons", nargs="+", help="the Python of each old release's venv")
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args()
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))["scripts"]
    found: dict[str, Any] = {"versions": {}, "scripts": {}}
    for python in options.pythons:
        for name, entry in manifest.items():
            with tempfile.TemporaryDirectory() as tmp:
                raw = record(python, FIXTURES / f"{name}.before.py", Path(tmp))
            release = raw["versions"]["sentence-transformers"]
            found["versions"][release] = raw["versions"]
            if raw.get("exception"):
                found["scripts"].setdefault(name, {})[release] = {
                    "exception": raw["exception"]["type"]
                }
                continue
            found["scripts"].setdefault(name, {})[release] = settings(raw, entry["output_path"])
            print(f"{name} with sentence-transformers {release}: recorded", file=sys.stderr)
    text = json.dumps(found, indent=1, sort_keys=True) + "\n"
    if options.check:
        same = RECORDS.read_text(encoding="utf-8") == text
        print("records.json is current" if same else "records.json differs from a fresh recording")
        return 0 if same else 1
    RECORDS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
