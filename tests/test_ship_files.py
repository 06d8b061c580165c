"""The files that ship ce-lint to other repositories and run its CI: the GitHub workflows, the
composite action (action.yml) and the pre-commit hooks.

Workflows and action are validated against the schemas GitHub publishes, as vendored by
check-jsonschema (offline). The action's shell steps run here for real, with bash invoked the
way GitHub invokes it, ce-lint of this environment, and the GITHUB_* files they write to.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import ce_lint
from ce_lint.adapters import build_adapters
from ce_lint.knowledge import Knowledge

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
FIXTURE = ROOT / "fixtures" / "configs" / "seed-era" / "reranker-msmarco.before.yaml"
# How GitHub runs a `shell: bash` step.
GITHUB_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
TARGETS = "--target transformers==5.24 --target sentence-transformers==6.2"


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--no-cache", "--builtin-schema", schema,
         *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


# --------------------------------------------------------------------------- schemas


def test_workflows_follow_githubs_workflow_schema() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"tests.yml", "tests-newest.yml", "regenerate-knowledge.yml"} <= names
    proc = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_follows_githubs_action_schema() -> None:
    proc = check_jsonschema("vendor.github-actions", ACTION)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_workflows_follow_githubs_workflow_schema(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(# \.github/workflows/.*?)```", readme, re.S)
    assert len(blocks) >= 2  # GitHub Action and CI
    files = [tmp_path / f"readme-{n}.yml" for n in range(len(blocks))]
    for file, block in zip(files, blocks, strict=True):
        file.write_text(block)
    proc = check_jsonschema("vendor.github-workflows", *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_lists_every_action_input() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### GitHub Action\n", 1)[1].split("\n### ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", section, re.M))
    assert documented == set(load(ACTION)["inputs"])


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    # A misspelt key must be caught, or the two tests above prove nothing.
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    assert check_jsonschema("vendor.github-workflows", broken).returncode == 1


def test_pre_commit_hooks_follow_pre_commits_manifest_schema() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"ce-lint", "ce-lint-fix"}
    assert hooks["ce-lint"]["entry"].startswith("ce-lint check ")
    assert hooks["ce-lint-fix"]["entry"].startswith("ce-lint fix ")
    # No extras: pre-commit installs the light core.
    assert all(
        h["language"] == "python" and not h["additional_dependencies"] for h in hooks.values()
    )


def test_pre_commit_hooks_take_exactly_the_files_ce_lint_reads() -> None:
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    patterns = [hook["files"] for hook in manifest]
    adapters = build_adapters(Knowledge.load())
    samples = [
        f"{folder}train{suffix}"
        for adapter in adapters
        for suffix in (*adapter.suffixes, *(s.upper() for s in adapter.suffixes))
        for folder in ("", "configs/deep/")
    ] + [
        "Makefile", "makefile", "GNUmakefile", "sub/Makefile", "README.md", "setup.cfg",
        "train.txt", "stub.pyi", "train.yaml.bak", "Dockerfile", "Makefile.am", "notmakefile",
        "configs/sh", "yaml",
    ]  # fmt: skip
    for pattern in patterns:
        for name in samples:
            reads = any(adapter.matches(name) for adapter in adapters)
            assert bool(re.search(pattern, name)) == reads, (name, reads)


# --------------------------------------------------------------------------- workflows


def workflow(name: str) -> dict[Any, Any]:
    return load(ROOT / ".github" / "workflows" / name)


def triggers(data: dict[Any, Any]) -> dict[str, Any]:
    # PyYAML reads the bare key `on` as the boolean true (YAML 1.1).
    on = data.get("on", data.get(True))
    return on if isinstance(on, dict) else {name: None for name in ([on] if on else [])}


def steps(data: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job["steps"]]


def test_every_workflow_states_its_permissions() -> None:
    for path in WORKFLOWS:
        data = load(path)
        assert "permissions" in data, f"{path.name}: no top-level permissions"
        granted: dict[str, str] = dict(data["permissions"] or {})
        for job in data["jobs"].values():
            granted.update(job.get("permissions") or {})
        assert "write-all" not in str(data), path.name
        writes = {scope for scope, level in granted.items() if level == "write"}
        expected = (
            {"contents", "pull-requests"} if path.name == "regenerate-knowledge.yml" else set()
        )
        assert writes == expected, (path.name, granted)


def test_tests_workflows_run_ci_run_pinned_and_newest() -> None:
    pinned, newest = workflow("tests.yml"), workflow("tests-newest.yml")
    for data in (pinned, newest):
        assert {"push", "pull_request"} <= set(triggers(data))
        assert "bash .ci/run" in [step.get("run") for step in steps(data)]
    assert "CE_LINT_DEPS" not in str(pinned)
    assert newest["jobs"]["tests"]["env"]["CE_LINT_DEPS"] == "newest"
    assert "schedule" in triggers(newest)
    # .ci/run keeps torch at the pin in both modes and honours the newest mode.
    ci_run = (ROOT / ".ci" / "run").read_text()
    assert "-c ci/constraints.txt -e '.[verify,test]'" in ci_run
    assert '"${CE_LINT_DEPS:-pinned}" = newest' in ci_run
    assert "torch==2.13.0" in (ROOT / "ci" / "constraints.txt").read_text()


def test_regeneration_workflow_opens_a_pull_request_with_the_summary() -> None:
    data = workflow("regenerate-knowledge.yml")
    assert {"schedule", "workflow_dispatch"} == set(triggers(data))
    scripts = "\n".join(step.get("run", "") for step in steps(data))
    assert "python -m ce_lint.knowledge.regenerate --write --add-newer" in scripts
    (pr,) = [s for s in steps(data) if s.get("uses", "").startswith("peter-evans/create-pull")]
    assert re.fullmatch(r"peter-evans/create-pull-request@v\d+", pr["uses"])
    assert pr["if"] == "steps.regenerate.outputs.changed == 'true'"
    assert pr["with"]["body-path"].endswith("/body.md") and "body.md" in scripts
    assert pr["with"]["add-paths"] == "ce_lint/knowledge/data/*.json"


# --------------------------------------------------------------------------- the action


def action_step(step_id: str) -> dict[str, Any]:
    (step,) = [s for s in load(ACTION)["runs"]["steps"] if s.get("id") == step_id]
    return step


def run_step(
    step: dict[str, Any], env: dict[str, str], cwd: Path
) -> tuple[int, str, dict[str, str]]:
    """One `run:` step of action.yml under GitHub's bash; its exit code, output and outputs."""
    assert "${{" not in step["run"], "inputs go through env, never into the script text"
    assert set(step.get("env", {})) == set(env), "the test sets what the step's env sets"
    output_file = cwd.parent / f"github-output-{os.getpid()}"
    output_file.write_text("")
    full_env = {**os.environ, **env, "GITHUB_OUTPUT": str(output_file)}
    full_env |= {"GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(cwd.parent)}
    proc = subprocess.run(
        [*GITHUB_BASH, "-c", step["run"]],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
    return proc.returncode, proc.stdout + proc.stderr, outputs


def result_step(exit_code: str, fail_on_findings: str, cwd: Path) -> int:
    (step,) = [s for s in load(ACTION)["runs"]["steps"] if s.get("name") == "Result"]
    env = {"EXIT_CODE": exit_code, "FAIL_ON_FINDINGS": fail_on_findings}
    return run_step(step, env, cwd)[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "workspace"
    (project / "configs").mkdir(parents=True)
    shutil.copy(FIXTURE, project / "configs" / "train.yaml")
    (project / "clean").mkdir()
    (project / "clean" / "train.yaml").write_text("output_dir: out\neval_strategy: steps\n")
    return project


def check_env(**inputs: str) -> dict[str, str]:
    env = {
        "CE_LINT": str(Path(sys.executable).parent / "ce-lint"),
        "INPUT_PATHS": ".",
        "INPUT_ARGS": f"{TARGETS} --select CE1",
        "INPUT_OUTPUT": "github",
        "INPUT_SARIF_FILE": "ce-lint.sarif",
    }
    return env | inputs


def test_action_annotates_findings_and_fails(project: Path) -> None:
    env = check_env(INPUT_PATHS="configs\n  clean  ")
    code, out, outputs = run_step(action_step("check"), env, project)
    assert code == 0, out  # the check step records; the Result step decides
    assert outputs == {"exit-code": "1"}
    assert "::error file=configs/train.yaml,line=37,col=3," in out and "title=CE101::" in out
    assert "clean/train.yaml" not in out
    assert result_step("1", "true", project) == 1
    assert result_step("1", "false", project) == 0

    code, out, outputs = run_step(action_step("check"), check_env(INPUT_PATHS="clean"), project)
    assert outputs == {"exit-code": "0"} and "::" not in out, out
    assert result_step("0", "true", project) == 0


def test_action_writes_sarif_for_upload(project: Path) -> None:
    env = check_env(INPUT_OUTPUT="sarif", INPUT_SARIF_FILE="reports/ce-lint.sarif")
    (project / "reports").mkdir()
    code, out, outputs = run_step(action_step("check"), env, project)
    assert code == 0, out
    assert outputs == {"exit-code": "1", "sarif-file": "reports/ce-lint.sarif"}
    sarif = json.loads((project / "reports" / "ce-lint.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert "CE101" in {r["ruleId"] for r in sarif["runs"][0]["results"]}


def test_action_errors_always_fail(project: Path) -> None:
    # An unknown option is ce-lint's exit code 2; fail-on-findings does not hide it.
    env = check_env(INPUT_ARGS="--no-such-option")
    code, out, outputs = run_step(action_step("check"), env, project)
    assert code == 0 and outputs == {"exit-code": "2"}, out
    assert result_step("2", "false", project) == 2
    # So do bad inputs of the action itself.
    code, out, outputs = run_step(action_step("check"), check_env(INPUT_OUTPUT="xml"), project)
    assert outputs == {"exit-code": "2"} and "::error" in out
    assert result_step("0", "yes", project) == 2


@pytest.mark.packaging
def test_action_installs_its_own_checkout_without_torch(project: Path) -> None:
    """The install step with `version` empty: pip installs this tree into a new virtualenv."""
    env = {"PYTHON": sys.executable, "INPUT_VERSION": ""}
    code, out, outputs = run_step(action_step("install"), env, project)
    assert code == 0, out
    executable = Path(outputs["executable"])
    assert executable.is_relative_to(project.parent / "ce-lint-venv")
    assert f"ce-lint, version {ce_lint.__version__}" in out
    venv = executable.parent.parent
    assert list(venv.glob("lib/python*/site-packages/ce_lint"))
    assert not list(venv.glob("lib/python*/site-packages/torch"))

    code, out, outputs = run_step(action_step("check"), check_env(CE_LINT=str(executable)), project)
    assert outputs == {"exit-code": "1"} and "title=CE101::" in out, out
