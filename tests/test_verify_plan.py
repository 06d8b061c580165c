"""The parent side of verification: requests from Sites, blame, rank merging, the report.

None of this needs the training libraries; the real smoke runs are in test_verify_smoke.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ce_lint.verify.blame import blame
from ce_lint.verify.report import render_json, render_text
from ce_lint.verify.request import (
    NotPlain,
    Outcome,
    Request,
    SmokeOptions,
    plain,
    plan,
    visible_gpus,
)
from ce_lint.verify.runner import (
    Worker,
    last_error_line,
    merge_ranks,
    outcome_for,
    worker_environment,
)

from .helpers import check

HEAVY = ("torch", "transformers", "sentence_transformers", "accelerate", "datasets")


def requests(text: str, name: str = "config.yaml", **options: object) -> list[Request | Outcome]:
    return plan([check(text, name)], SmokeOptions(**options), gpus=0)  # type: ignore[arg-type]


def test_known_values_unknown_values_and_lines() -> None:
    text = (
        "base: &b 1\n"
        "training_args:\n"
        "  output_dir: out\n"
        "  learning_rate: 3.0e-5\n"
        "  seed: !!python/name:os.getpid\n"
        "  run_name: 2024-01-01\n"
        "  accelerator_config: {split_batches: true}\n"
    )
    (request,) = requests(text)
    assert isinstance(request, Request)
    assert request.line == 3
    assert request.args == {
        "output_dir": "out",
        "learning_rate": 3e-5,
        "accelerator_config": {"split_batches": True},
    }
    assert request.unknown == ["seed", "run_name"]
    assert request.why_unknown["run_name"] == "a date value"
    assert request.lines == {
        "output_dir": 3,
        "learning_rate": 4,
        "seed": 5,
        "run_name": 6,
        "accelerator_config": 7,
    }
    assert request.payload()["unknown"] == ["seed", "run_name"]
    json.dumps(request.payload())  # travels as JSON


def test_a_site_with_errors_is_blocked_with_them_and_never_reaches_the_worker() -> None:
    (outcome,) = requests("output_dir: out\nevaluation_strategy: steps\nseed: 1\n")
    assert isinstance(outcome, Outcome)
    assert outcome.status == "blocked"
    assert outcome.fields == [("evaluation_strategy", 2)]
    assert outcome.findings[0].startswith("CE101 line 2:")


def test_warnings_do_not_block() -> None:
    # warmup_ratio is accepted with a deprecation by CrossEncoderTrainingArguments 6.2
    (request,) = requests("output_dir: out\nwarmup_ratio: 0.1\nseed: 1\n")
    assert isinstance(request, Request)


def test_a_file_that_does_not_parse_fails() -> None:
    (outcome,) = requests("output_dir: out\nseed: [1\n")
    assert isinstance(outcome, Outcome) and outcome.status == "failed"


def test_processes_come_from_the_config_or_the_option() -> None:
    (ddp,) = requests("output_dir: out\nddp_backend: gloo\n")
    (plain_cfg,) = requests("output_dir: out\nseed: 1\n")
    (forced,) = requests("output_dir: out\nseed: 1\n", nproc=3)
    assert isinstance(ddp, Request) and ddp.uses_torchrun and ddp.nproc == 2
    assert isinstance(plain_cfg, Request) and not plain_cfg.uses_torchrun
    assert isinstance(forced, Request) and forced.launcher == "torchrun x3"
    single_gpu = plan([check("output_dir: out\nfsdp: full_shard\n")], SmokeOptions(), gpus=1)
    assert isinstance(single_gpu[0], Request) and single_gpu[0].nproc == 1


def test_json_config_paths_become_absolute(tmp_path: Path) -> None:
    (tmp_path / "ds.json").write_text("{}")
    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\ndeepspeed: ds.json\nfsdp_config: missing.json\n")
    from .helpers import engine

    (request,) = plan([engine().check_path(config)], SmokeOptions(), gpus=0)
    assert isinstance(request, Request)
    assert request.args["deepspeed"] == str((tmp_path / "ds.json").resolve())
    assert request.args["fsdp_config"] == "missing.json"


def test_plain_values() -> None:
    assert plain({"a": [1, 2.5, None, "x"]}) == {"a": [1, 2.5, None, "x"]}
    assert plain(float("inf")) == "inf"
    with pytest.raises(NotPlain):
        plain({1: "a"})
    with pytest.raises(NotPlain):
        plain(object())


def make_request(lines: dict[str, int]) -> Request:
    return Request("c.yaml", 1, "CrossEncoderTrainingArguments", {}, [], lines, 2, None, 1, False)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("ValueError: Your setup doesn't support bf16/gpu. You need to assign use_cpu ...", ["bf16", "use_cpu"]),
        ("ValueError: --tf32 requires Ampere or a newer GPU arch", ["tf32"]),
        ("RuntimeError: Distributed package doesn't have NCCL built in", ["ddp_backend"]),
        ("TypeError: __init__() got an unexpected keyword argument 'bogus'", ["bogus"]),
        ("ImportError: xxhash is needed for no_duplicates_hashed", ["batch_sampler"]),
        ("KeyError: 'something unrelated'", []),
    ],
)  # fmt: skip
def test_blame_maps_messages_to_entries_that_exist(error: str, expected: list[str]) -> None:
    lines = {
        "bf16": 2,
        "use_cpu": 3,
        "tf32": 4,
        "ddp_backend": 5,
        "bogus": 6,
        "batch_sampler": 7,
        "seed": 8,
    }
    blamed = blame(make_request(lines), {"error": error, "reason": error})
    assert [name for name, _ in blamed] == expected
    assert all(line == lines[name] for name, line in blamed)


def test_blame_of_a_numeric_failure_uses_suspects_present_in_the_config() -> None:
    result = {
        "reason": "learning_rate 1e+06 is too large: optimizer step 1 ...",
        "suspects": ["learning_rate", "fp16"],
    }
    assert blame(make_request({"learning_rate": 4, "optim": 5}), result) == [("learning_rate", 4)]
    assert blame(make_request({"seed": 1}), result) == []


def test_every_rank_must_finish() -> None:
    good = {"ok": True, "steps_done": 2, "rank": 0}
    assert merge_ranks({0: good, 1: {**good, "rank": 1}}, 2, "")["ok"]
    missing = merge_ranks({0: good}, 2, "RuntimeError: rank 1 was killed")
    assert not missing["ok"] and missing["reason"].startswith("rank 1 did not finish: RuntimeError")
    failing = merge_ranks({0: good, 1: {"ok": False, "rank": 1, "reason": "boom"}}, 2, "")
    assert not failing["ok"] and failing["reason"] == "rank 1: boom"


def test_last_error_line() -> None:
    log = "starting\nTraceback (most recent call last):\n  File x\nValueError: bad value\nexiting\n"
    assert last_error_line(log) == "ValueError: bad value"
    assert last_error_line("just text\n") == "just text"


def test_report_shows_table_reasons_fields_and_unknown_values() -> None:
    request = make_request({"learning_rate": 3, "seed": 4})
    request.unknown = ["seed"]
    failed = outcome_for(
        request,
        {
            "ok": False,
            "phase": "numerics",
            "reason": "learning_rate 1e+06 is too large",
            "steps": 2,
            "steps_done": 2,
            "suspects": ["learning_rate"],
        },
    )
    verified = outcome_for(make_request({}), {"ok": True, "steps": 2, "steps_done": 2, "train_loss": 0.69, "seconds": 0.4, "device": "cpu", "precision": "fp32", "peak_memory_mb": 500.0, "memory_kind": "rss"})  # fmt: skip
    libraries = {"versions": {"torch": "2.13.0", "transformers": "5.24.0"}}
    text = render_text([verified, failed], libraries)
    assert "verified  2/2" in text and "0.69" in text and "500 MB rss" in text
    assert (
        "c.yaml:1: failed: checking the weights and losses: learning_rate 1e+06 is too large"
        in text
    )
    assert "caused by: learning_rate (line 3)" in text
    assert "defaults used for: seed" in text
    assert text.rstrip().endswith(
        "2 configs: 1 verified, 1 failed (with torch 2.13.0, transformers 5.24.0)."
    )
    rows = json.loads(render_json([verified, failed], libraries))
    assert [r["status"] for r in rows] == ["verified", "failed"]
    assert rows[1]["fields"] == [{"name": "learning_rate", "line": 3}]
    assert rows[1]["unknown"] == ["seed"]
    assert render_text([], libraries).startswith("Nothing to verify")


def test_worker_environment_is_offline_without_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    monkeypatch.setenv("WANDB_API_KEY", "secret")
    monkeypatch.setenv("LOCAL_RANK", "3")
    env = worker_environment(tmp_path)
    assert "HF_TOKEN" not in env and "WANDB_API_KEY" not in env and "LOCAL_RANK" not in env
    assert env["HF_HUB_OFFLINE"] == env["TRANSFORMERS_OFFLINE"] == "1"
    assert env["HF_HOME"].startswith(str(tmp_path))


def test_visible_gpus_follows_cuda_visible_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    assert visible_gpus() == 2
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert visible_gpus() == 0


def fake_worker(tmp_path: Path, body: str) -> Worker:
    """A stand-in process that speaks the protocol badly: no training library involved."""
    script = "import json, sys, time\nprint(json.dumps({'type': 'ready'}), flush=True)\n" + body
    return Worker(worker_environment(tmp_path), tmp_path, (sys.executable, "-c", script))


def test_a_request_past_its_timeout_kills_the_worker(tmp_path: Path) -> None:
    worker = fake_worker(tmp_path, "sys.stdin.readline()\ntime.sleep(60)\n")
    worker.ready()
    process = worker.process
    assert process is not None
    result = worker.run({"label": "x"}, timeout=1)
    assert result["phase"] == "timeout" and not result["ok"]
    assert process.poll() is not None  # killed, not left behind
    assert worker.process is None  # the next request starts a fresh one


def test_a_dying_worker_is_a_failed_result_with_its_last_words(tmp_path: Path) -> None:
    worker = fake_worker(
        tmp_path, "sys.stdin.readline()\nraise SystemExit('ValueError: out of luck')\n"
    )
    result = worker.run({"label": "x"}, timeout=30)
    assert result["phase"] == "crash"
    assert "exit code 1" in result["reason"] and "ValueError: out of luck" in result["reason"]


def test_parent_side_imports_no_heavy_library() -> None:
    code = "import ce_lint.commands.verify, ce_lint.verify.runner, ce_lint.verify.report, ce_lint.verify.blame"
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if "|" in line
    }
    assert "ce_lint" in names
    assert not names & set(HEAVY)
