"""Record what the seed-era libraries make of every fixture's "before" file.

The seed-era stack is transformers 4.44.2 + sentence-transformers 4.0.2. It lives in a
throwaway virtual environment that nothing else in the repository refers to:

    python -m venv /tmp/seedenv
    /tmp/seedenv/bin/pip install torch==2.13.0 transformers==4.44.2 \
        sentence-transformers==4.0.2 'accelerate==0.34.2' 'datasets<4' 'numpy<2.3'
    /tmp/seedenv/bin/python tools/record_seed_golden.py

(On a CPU-only machine add `--index-url https://download.pytorch.org/whl/cpu` for torch.)

For each fixture listed in fixtures/golden/manifest.json the script reads the file with
yaml/json (it never imports ce_lint, which the seed venv does not have), picks each
argument mapping by its key path, builds sentence-transformers'
CrossEncoderTrainingArguments(**mapping) with output_dir moved under a temporary folder
and HF_HUB_OFFLINE=1, and stores fixtures/golden/probe.py's probe() of the result in
fixtures/golden/seed_era.json: {"versions": ..., "host": ..., "files": {file: {site: record}}}.

A record holds the probe dict, the original output_dir string, and when the full mapping
failed to build, the error and the keys the manifest says to drop for a second build
("seed_drop"; e.g. a field 4.44 no longer accepts, or a Hub model id that 4.44 resolves over
the network). tests/test_golden_meaning.py compares today's libraries against this file.

The seed-era scripts listed in fixtures/golden/scripts.json are recorded the same way into
fixtures/golden/seed_era_scripts.json: each script is imported inside a temporary folder and
its build function (which returns the arguments object and trains nothing) is called; see
fixtures/golden/script_runner.py.

Options: --check compares a fresh recording with the committed files instead of writing them
(exit 1 on a difference); --output PATH writes the config record elsewhere.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"  # before huggingface_hub is imported
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOLDEN = FIXTURES / "golden"


def load_probe_module() -> Any:
    spec = importlib.util.spec_from_file_location("ce_lint_fixture_probe", GOLDEN / "probe.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def versions() -> dict[str, str]:
    from importlib.metadata import version

    names = (
        "transformers",
        "sentence-transformers",
        "torch",
        "accelerate",
        "huggingface-hub",
        "pyyaml",
    )
    return {name: version(name) for name in names}


def record_site(
    cls: type, probe: Any, mapping: dict[str, Any], drop: dict[str, str], launch_env: dict[str, str]
) -> dict[str, Any]:
    record: dict[str, Any] = {"output_dir": mapping.get("output_dir")}
    with tempfile.TemporaryDirectory(prefix="seed-golden-") as workdir:
        try:
            args, env_set = probe.build_arguments(cls, mapping, workdir, launch_env)
        except Exception as exc:
            record["error"] = (
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            )
            if not drop:
                return record
            reduced = {k: v for k, v in mapping.items() if k not in drop}
            record["dropped"] = {k: drop[k] for k in drop if k in mapping}
            args, env_set = probe.build_arguments(cls, reduced, workdir, launch_env)
            record["probe"] = probe.probe(args, reduced, env_set)
            return record
        record["probe"] = probe.probe(args, mapping, env_set)
    return record


def record_all() -> dict[str, Any]:
    import torch
    from sentence_transformers.cross_encoder.training_args import CrossEncoderTrainingArguments

    probe = load_probe_module()
    manifest = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, Any] = {}
    for name, entry in manifest["files"].items():
        documents = probe.load_documents(FIXTURES / name)
        sites: dict[str, Any] = {}
        for key_path in entry["sites"]:
            sid = probe.site_id(key_path)
            mapping = probe.find_mapping(documents, key_path)
            drop = entry.get("seed_drop", {}).get(sid, {})
            launch_env = entry.get("launch_env", {})
            sites[sid] = record_site(
                CrossEncoderTrainingArguments, probe, mapping, drop, launch_env
            )
            status = "error, rebuilt without " + ", ".join(drop) if "error" in sites[sid] else "ok"
            if "probe" not in sites[sid]:
                status = "error: " + sites[sid]["error"]
            print(f"{name} {sid}: {status}", file=sys.stderr)
        files[name] = sites
    return {
        "about": "Written by tools/record_seed_golden.py with the seed-era libraries; do not edit by hand.",
        "probe_sha256": hashlib.sha256((GOLDEN / "probe.py").read_bytes()).hexdigest(),
        "versions": versions(),
        "host": {
            "python": platform.python_version(),
            "cuda_available": bool(torch.cuda.is_available()),
        },
        "files": files,
    }


def record_scripts() -> dict[str, Any]:
    probe = load_probe_module()
    spec = importlib.util.spec_from_file_location(
        "ce_lint_script_runner", GOLDEN / "script_runner.py"
    )
    assert spec is not None and spec.loader is not None
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    manifest = json.loads((GOLDEN / "scripts.json").read_text(encoding="utf-8"))
    scripts: dict[str, Any] = {}
    for name, entry in manifest["scripts"].items():
        with tempfile.TemporaryDirectory(prefix="seed-golden-script-") as workdir:
            args, env_set = runner.build_from_script(
                FIXTURES / name, entry["function"], workdir, probe
            )
            scripts[name] = {"probe": probe.probe(args, entry.get("probe_mapping", {}), env_set)}
        print(f"{name}: ok", file=sys.stderr)
    return {
        "about": "Written by tools/record_seed_golden.py with the seed-era libraries; do not edit by hand.",
        "probe_sha256": hashlib.sha256((GOLDEN / "probe.py").read_bytes()).hexdigest(),
        "versions": versions(),
        "scripts": scripts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=GOLDEN / "seed_era.json")
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed file, write nothing"
    )
    options = parser.parse_args()
    recorded = record_all()
    scripts = record_scripts()
    scripts_path = GOLDEN / "seed_era_scripts.json"
    text = json.dumps(recorded, indent=2, sort_keys=False) + "\n"
    if options.check:
        if (
            scripts_path.exists()
            and json.loads(scripts_path.read_text(encoding="utf-8"))["scripts"]
            != scripts["scripts"]
        ):
            print("seed script record differs", file=sys.stderr)
            return 1
        old = json.loads(options.output.read_text(encoding="utf-8"))
        same = (
            old["files"] == recorded["files"]
            and old.get("probe_sha256") == recorded["probe_sha256"]
        )
        print("seed record unchanged" if same else "seed record differs", file=sys.stderr)
        return 0 if same else 1
    options.output.write_text(text, encoding="utf-8")
    scripts_path.write_text(json.dumps(scripts, indent=2) + "\n", encoding="utf-8")
    print(
        f"wrote {options.output.relative_to(ROOT) if options.output.is_relative_to(ROOT) else options.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
