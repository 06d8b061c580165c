"""YAML and JSON configs: which mappings are Sites, and edits that touch only their spans."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.helpers import check, codes, fixed_text

SEED = """\
# Reranker fine-tuning, written for transformers 4.44
output_dir: runs/reranker   # where checkpoints go

evaluation_strategy: steps  # evaluate during training
eval_steps: 500
per_gpu_train_batch_size: 32
learning_rate: 2.0e-5
"""


def test_yaml_fix_keeps_comments_blank_lines_and_order() -> None:
    assert fixed_text(SEED) == SEED.replace("evaluation_strategy", "eval_strategy").replace(
        "per_gpu_train_batch_size", "per_device_train_batch_size"
    )


def test_lines_and_columns_point_at_the_key() -> None:
    result = check(SEED)
    located = {
        f.code: result.document.location(f.span.start)
        for f in result.findings
        if f.severity != "info"
    }
    assert located == {"CE101": (4, 1), "CE102": (6, 1)}


def test_crlf_and_bom_survive() -> None:
    text = "\ufeff" + SEED.replace("\n", "\r\n")
    from ce_lint.textio import SourceText
    from tests.helpers import engine

    source = SourceText.from_bytes("c.yaml", text.encode("utf-8"))
    result = engine().fix_source(source)
    out = result.document.output(result.fixed_text)
    assert out.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in out and b"\n" not in out.replace(b"\r\n", b"")
    assert b"eval_strategy: steps  # evaluate during training\r\n" in out


def test_removal_of_a_line_with_crlf_removes_the_whole_line() -> None:
    text = "seed: 1\r\nno_cuda: false\r\nlearning_rate: 0.1\r\n"
    assert fixed_text(text) == "seed: 1\r\nlearning_rate: 0.1\r\n"


def test_nested_site_under_training_args() -> None:
    text = """\
model:
  name: cross-encoder/ms-marco-MiniLM-L6-v2
  num_labels: 1
training_args:
  output_dir: out
  no_cuda: true  # cpu box
data:
  train: data/train.jsonl
"""
    result = check(text)
    assert codes(result) == ["CE104"]
    assert fixed_text(text) == text.replace("no_cuda: true", "use_cpu: true")


def test_trainer_args_container_and_single_key() -> None:
    text = "trainer:\n  args:\n    evaluation_strategy: epoch\n"
    assert codes(check(text)) == ["CE101"]


def test_several_documents_and_anchors() -> None:
    text = """\
name: first document, not arguments
---
defaults: &defaults
  learning_rate: 2.0e-5
  per_gpu_train_batch_size: 16
training_args:
  <<: *defaults
  evaluation_strategy: steps
---
training_args:
  no_cuda: true
"""
    result = check(text)
    assert sorted(codes(result)) == ["CE101", "CE102", "CE104"]
    out = fixed_text(text)
    docs = list(yaml.safe_load_all(out))
    assert docs[1]["training_args"] == {
        "learning_rate": 2e-5,
        "per_device_train_batch_size": 16,
        "eval_strategy": "steps",
    }
    assert docs[2] == {"training_args": {"use_cpu": True}}
    assert out.startswith("name: first document, not arguments\n---\n")


def test_flow_mapping_edits_keep_commas() -> None:
    text = "training_args: {no_cuda: false, seed: 3, evaluation_strategy: epoch}\n"
    out = fixed_text(text)
    assert out == "training_args: {seed: 3, eval_strategy: epoch}\n"
    text = "training_args: {seed: 3, no_cuda: false}\n"
    assert fixed_text(text) == "training_args: {seed: 3}\n"


def test_quoted_keys_keep_their_quotes() -> None:
    text = "'evaluation_strategy': steps\n\"seed\": 2\n"
    assert fixed_text(text) == "'eval_strategy': steps\n\"seed\": 2\n"


def test_removing_every_entry_never_leaves_null() -> None:
    text = "training_args:\n  no_cuda: false\n  overwrite_output_dir: true\n"
    out = fixed_text(text)
    assert yaml.safe_load(out) == {"training_args": {}}


def test_sequence_item_first_key_removed_keeps_the_dash() -> None:
    text = "jobs:\n  - no_cuda: false\n    seed: 1\n    learning_rate: 0.1\n"
    out = fixed_text(text)
    assert yaml.safe_load(out) == {"jobs": [{"seed": 1, "learning_rate": 0.1}]}


@pytest.mark.parametrize(
    "text",
    [
        # A GitHub Actions workflow, a compose file, a tokenizer config: not training arguments.
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
        "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n    environment:\n      seed: 1\n",
        "model_max_length: 512\ndo_lower_case: true\nseed: 3\nvocab_size: 30522\nhidden_size: 384\n",
        # workflow_dispatch inputs named like fields, whose values are input descriptions.
        "on:\n  workflow_dispatch:\n    inputs:\n      seed:\n        default: '1'\n      debug:\n"
        "        type: boolean\n",
    ],
)
def test_non_argument_mappings_stay_quiet(text: str) -> None:
    assert check(text).findings == []


def test_modern_config_is_clean() -> None:
    text = (
        "output_dir: out\neval_strategy: steps\neval_steps: 100\nuse_cpu: true\nwarmup_steps: 0.1\n"
    )
    assert check(text).findings == []


# ---- JSON --------------------------------------------------------------------------


JSON_SEED = """{
  "output_dir": "out",
  "evaluation_strategy": "steps",
  "no_cuda": false,
  "per_gpu_eval_batch_size": 8,
  "seed": 42
}
"""


def test_json_fix_stays_valid_and_minimal() -> None:
    out = fixed_text(JSON_SEED, "args.json")
    assert json.loads(out) == {
        "output_dir": "out",
        "eval_strategy": "steps",
        "per_device_eval_batch_size": 8,
        "seed": 42,
    }
    assert out.splitlines()[1] == '  "output_dir": "out",'
    assert '  "eval_strategy": "steps",' in out.splitlines()


def test_json_last_member_removal_drops_the_comma() -> None:
    text = '{"seed": 1, "learning_rate": 0.1, "no_cuda": false}'
    assert fixed_text(text, "a.json") == '{"seed": 1, "learning_rate": 0.1}'


def test_json_add_into_existing_object() -> None:
    text = '{\n  "accelerator_config": {"even_batches": true},\n  "dispatch_batches": false\n}\n'
    out = fixed_text(text, "a.json")
    assert json.loads(out) == {
        "accelerator_config": {"even_batches": True, "dispatch_batches": False}
    }


def test_json_nested_and_arrays() -> None:
    text = '{"runs": [{"training_args": {"evaluation_strategy": "epoch", "seed": 1}}]}'
    assert codes(check(text, "a.json")) == ["CE101"]
    assert json.loads(fixed_text(text, "a.json")) == {
        "runs": [{"training_args": {"eval_strategy": "epoch", "seed": 1}}]
    }


def test_json_with_comments_is_read() -> None:
    text = '{\n  // launch config\n  "evaluation_strategy": "epoch",\n  "seed": 1\n}\n'
    assert codes(check(text, "a.json")) == ["CE101"]


def test_broken_json_and_yaml_are_findings_not_crashes() -> None:
    result = check('{"seed": 1,, }', "a.json")
    assert codes(result) == ["CE901"]
    assert "JSON does not parse" in result.findings[0].message
    result = check("seed: [1, 2\nno_cuda: true\n", "a.yaml")
    assert codes(result) == ["CE901"]


def test_fixing_twice_equals_fixing_once() -> None:
    once = fixed_text(SEED, unsafe=True)
    assert fixed_text(once, unsafe=True) == once
    once = fixed_text(JSON_SEED, "a.json", unsafe=True)
    assert fixed_text(once, "a.json", unsafe=True) == once
