"""`ce-lint check` on the fixtures: quiet where it should be, and on the right line elsewhere.

  * modern configs and files that are not training arguments (docker-compose, a GitHub Actions
    workflow, a Kubernetes manifest, tokenizer/model/accelerate/DeepSpeed configs) produce no
    finding and exit 0;
  * every committed "after" file is clean (except the one case with no automatic fix);
  * every seed-era "before" file gets, for each deprecated key in an argument mapping, a
    finding of that key's rule on the key's line, the line being computed from the file text.

Each file is checked as a copy in a temporary folder, so settings in the repository's
pyproject.toml (excludes, per-file ignores) cannot make a test pass by skipping the file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from ce_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
TARGETS = ("--target", "transformers==5.24", "--target", "sentence-transformers==6.2")
MANIFEST: dict[str, Any] = json.loads(
    (FIXTURES / "golden" / "manifest.json").read_text(encoding="utf-8")
)["files"]

# Deprecated or removed fields and the rule that owns each (see `ce-lint rules`).
DEPRECATED = {
    "evaluation_strategy": "CE101",
    "per_gpu_train_batch_size": "CE102",
    "per_gpu_eval_batch_size": "CE103",
    "no_cuda": "CE104",
    "use_mps_device": "CE105",
    "fp16_backend": "CE106",
    "half_precision_backend": "CE107",
    "fp16_opt_level": "CE108",
    "push_to_hub_model_id": "CE109",
    "push_to_hub_organization": "CE110",
    "push_to_hub_token": "CE111",
    "dispatch_batches": "CE112",
    "split_batches": "CE113",
    "torchdynamo": "CE114",
    "tpu_metrics_debug": "CE115",
    "tpu_num_cores": "CE116",
    "adafactor": "CE117",
    "include_inputs_for_metrics": "CE118",
    "include_tokens_per_second": "CE119",
    "group_by_length": "CE120",
    "fsdp_min_num_params": "CE121",
    "fsdp_transformer_layer_cls_to_wrap": "CE122",
    "overwrite_output_dir": "CE123",
    "logging_dir": "CE124",
    "save_safetensors": "CE125",
    "jit_mode_eval": "CE126",
    "use_ipex": "CE127",
    "past_index": "CE128",
    "mp_parameters": "CE129",
    "ray_scope": "CE130",
    "use_legacy_prediction_loop": "CE131",
    "warmup_ratio": "CE132",
    "gradient_checkpointing": "CE133",
    "gradient_checkpointing_kwargs": "CE134",
    "evaluate_during_training": "CE135",
    "xpu_backend": "CE136",
    "sharded_ddp": "CE137",
    "model_parallel": "CE138",
    "tp_size": "CE139",
}


def files_in(*folders: str, pattern: str = "*") -> list[str]:
    return sorted(
        str(p.relative_to(FIXTURES))
        for f in folders
        for p in (FIXTURES / f).glob(pattern)
        if p.is_file()
    )


QUIET = files_in("configs/modern", "configs/non-args")
AFTERS = files_in("pairs", "configs/seed-era", pattern="*.after.*")
BEFORES = sorted(MANIFEST)
NO_AUTOMATIC_FIX = {e["after"] for e in MANIFEST.values() if e.get("builds_today") is False}


def check(name: str, tmp_path: Path) -> tuple[int, list[dict[str, Any]]]:
    target = tmp_path / Path(name).name
    shutil.copyfile(FIXTURES / name, target)
    result = CliRunner().invoke(
        main, ["check", "--output-format", "json", *TARGETS, str(target)], catch_exceptions=False
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def test_every_field_rule_has_a_pair() -> None:
    result = CliRunner().invoke(main, ["rules", "--output-format", "json"], catch_exceptions=False)
    # CE190/CE191 judge keys that are no (or not yet a) field; fixtures/values covers them.
    # CE192/CE193 need a release newer than the data files: tests/test_knowledge_newer.py.
    # CE140 is a field of trl's SFTConfig: the golden seed record builds its pairs without trl,
    # so its rule examples and tests/test_trl.py cover it.
    codes = {
        r["code"]
        for r in json.loads(result.output)
        if r["code"].startswith("CE1")
        and r["code"] not in ("CE190", "CE191", "CE192", "CE193", "CE140")
    }
    covered = {p.name[:5] for p in (FIXTURES / "pairs").glob("CE1*.before.*")}
    assert codes <= covered, f"rules without a fixture pair: {sorted(codes - covered)}"
    assert set(DEPRECATED.values()) <= codes, "DEPRECATED names a code ce-lint does not have"
    for before in (FIXTURES / "pairs").glob("*.before.*"):
        after = before.with_name(before.name.replace(".before.", ".after."))
        assert after.is_file(), f"{before.name} has no after file"


@pytest.mark.parametrize("name", QUIET)
def test_quiet_fixture(name: str, tmp_path: Path) -> None:
    code, findings = check(name, tmp_path)
    assert findings == [], f"{name}: {findings}"
    assert code == 0


@pytest.mark.parametrize("name", AFTERS)
def test_after_file_is_clean(name: str, tmp_path: Path) -> None:
    code, findings = check(name, tmp_path)
    if name in NO_AUTOMATIC_FIX:
        assert findings and all(f["fix"] is None for f in findings), findings
        return
    assert findings == [], f"{name}: {findings}"
    assert code == 0


def _argument_mappings(documents: list[yaml.Node], key_path: list[Any]) -> list[yaml.MappingNode]:
    """The mapping a manifest key path names, plus the mappings merged into it with `<<`."""
    node: yaml.Node = documents[key_path[0]] if len(documents) > 1 else documents[0]
    for part in key_path[1:] if len(documents) > 1 else key_path:
        if isinstance(part, int):
            assert isinstance(node, yaml.SequenceNode)
            node = node.value[part]
        else:
            assert isinstance(node, yaml.MappingNode)
            node = next(v for k, v in node.value if k.value == part)
    assert isinstance(node, yaml.MappingNode)
    found = [node]
    for key, value in node.value:
        if key.tag == "tag:yaml.org,2002:merge" and isinstance(value, yaml.MappingNode):
            found.append(value)
    return found


def expected_findings(name: str) -> set[tuple[int, str, str]]:
    """(line, code, key) for each deprecated key in the file's argument mappings.

    JSON is YAML too, so pyyaml's composed nodes give the line of every key in both formats.
    """
    text = (FIXTURES / name).read_bytes().decode("utf-8-sig")
    documents = [d for d in yaml.compose_all(text, Loader=yaml.SafeLoader) if d is not None]
    out = set()
    for key_path in MANIFEST[name]["sites"]:
        for mapping in _argument_mappings(documents, key_path):
            for key, _ in mapping.value:
                if key.value in DEPRECATED:
                    out.add((key.start_mark.line + 1, DEPRECATED[key.value], key.value))
    return out


@pytest.mark.parametrize("name", BEFORES)
def test_seed_fixture_reports_every_deprecated_key(name: str, tmp_path: Path) -> None:
    expected = expected_findings(name)
    assert expected, f"{name}: no deprecated key found; is the manifest's key path right?"
    _, findings = check(name, tmp_path)
    reported = {(f["location"]["row"], f["code"]) for f in findings}
    missing = sorted(
        (line, code, key) for line, code, key in expected if (line, code) not in reported
    )
    assert not missing, (
        f"{name}: no finding for (line, code, key) {missing}; got {sorted(reported)}"
    )
