"""The distribution users get from `pip install ce-lint`, `pipx run ce-lint` or `uvx ce-lint`.

`python -m build` makes the sdist and then the wheel from the unpacked sdist, so both are
built. The wheel goes into a fresh virtualenv outside the source tree and runs from a folder
outside it too: files that only a checkout has (rules/, which the wheel must carry as
ce_lint/_rules, and the knowledge data) cannot stand in for missing ones.

The build runs without isolation: hatchling comes from the test extra, not from the network.
Installing the wheel fetches its four dependencies from the package index (pinned by
ci/constraints.txt where it pins them), which also proves the wheel declares them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

import ce_lint
from ce_lint.rulebook import load_specs

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "configs" / "seed-era" / "reranker-msmarco.before.yaml"
CONSTRAINTS = ROOT / "ci" / "constraints.txt"
RULE_FILES = sorted(p.name for p in (ROOT / "rules").glob("*.yaml"))
KNOWLEDGE_FILES = sorted(p.name for p in (ROOT / "ce_lint" / "knowledge" / "data").glob("*.json"))
# Judge against fixed releases and no machine, so the run does not depend on this one.
CHECK_OPTIONS = [
    "--target", "transformers==5.24", "--target", "sentence-transformers==6.2",
    "--hardware", "off", "--output-format", "json",
]  # fmt: skip
# The field rules this fixture breaks (its .after.yaml is the fixed file).
FIXTURE_FIELD_CODES = {
    "CE101", "CE102", "CE103", "CE104", "CE105", "CE106", "CE108", "CE110", "CE111",
    "CE117", "CE118", "CE120", "CE123", "CE124", "CE132",
}  # fmt: skip
SEED_SCRIPT = (
    "from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments\n\n"
    'args = CrossEncoderTrainingArguments(output_dir="out", evaluation_strategy="steps")\n'
)


def run(cmd: list[str | Path], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """A command with nothing of the source tree on its import path."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, sdist) built from this tree."""
    out = tmp_path_factory.mktemp("dist")
    proc = run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT],
        cwd=out, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return wheels[0], sdists[0]


@pytest.fixture(scope="module")
def venv(dist: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh virtualenv holding the wheel and its dependencies only."""
    home = tmp_path_factory.mktemp("venv")
    # No pip inside: this environment's pip installs into it (--python), which saves seeding
    # one, and nothing but the wheel and its dependencies ends up there.
    proc = run([sys.executable, "-m", "venv", "--without-pip", home / "env"], cwd=home)
    assert proc.returncode == 0, proc.stderr
    python = home / "env" / "bin" / "python"
    constraints = ["-c", CONSTRAINTS] if CONSTRAINTS.is_file() else []
    proc = run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
         *constraints, dist[0]],
        cwd=home, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return python.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of a seed-era fixture in a folder that has nothing to do with this tree."""
    project = tmp_path / "project"
    (project / "configs").mkdir(parents=True)
    shutil.copy(FIXTURE, project / "configs" / "train.yaml")
    (project / "train.py").write_text(SEED_SCRIPT)
    return project


def test_wheel_carries_rules_knowledge_and_metadata(dist: tuple[Path, Path]) -> None:
    wheel = dist[0]
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(zf.read(f"{info}/METADATA").decode())
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
    rules = {f"ce_lint/_rules/{name}" for name in RULE_FILES}
    knowledge = {f"ce_lint/knowledge/data/{name}" for name in KNOWLEDGE_FILES}
    assert rules and rules <= names, sorted(rules - names)
    assert knowledge and knowledge <= names, sorted(knowledge - names)
    assert not {n for n in names if n.startswith(("rules/", "tests/", "fixtures/"))}

    # What PyPI shows and what pipx/uvx resolve: the name, one version, the script.
    assert metadata["Name"] == "ce-lint"
    assert metadata["Version"] == ce_lint.__version__
    assert wheel.name.startswith(f"ce_lint-{ce_lint.__version__}-")
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["License-Expression"] == "Apache-2.0"
    assert f"{info}/licenses/LICENSE" in names
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "## Quickstart" in metadata.get_payload()
    assert metadata.get_all("Classifier")
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL"))
    assert {"Homepage", "Repository", "Issues", "Changelog"} <= set(urls)
    assert "ce-lint = ce_lint.cli:main" in entry_points


def test_sdist_builds_the_same_package(dist: tuple[Path, Path]) -> None:
    sdist = dist[1]
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    expected = {
        "pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "ce_lint/cli.py",
        *(f"rules/{name}" for name in RULE_FILES),
        *(f"ce_lint/knowledge/data/{name}" for name in KNOWLEDGE_FILES),
    }  # fmt: skip
    assert expected <= names, sorted(expected - names)


def test_installed_wheel_runs_outside_the_tree(venv: Path, project: Path) -> None:
    where = run([venv / "python", "-c", "import ce_lint; print(ce_lint.__file__)"], cwd=project)
    assert Path(where.stdout.strip()).is_relative_to(venv.parent), where.stdout + where.stderr

    version = run([venv / "ce-lint", "--version"], cwd=project)
    assert version.stdout.strip() == f"ce-lint, version {ce_lint.__version__}", version.stderr

    proc = run([venv / "ce-lint", "check", *CHECK_OPTIONS, "configs/train.yaml"], cwd=project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    findings = json.loads(proc.stdout)
    codes = {f["code"] for f in findings}
    assert {c for c in codes if c.startswith("CE1")} == FIXTURE_FIELD_CODES
    # The wheel finds exactly what the source tree finds.
    source = run([sys.executable, "-m", "ce_lint", "check", *CHECK_OPTIONS, "configs/train.yaml"],
                 cwd=project)  # fmt: skip
    assert findings == json.loads(source.stdout), source.stderr

    # A Python script: the check reads it with ast, the fix writes it with libcst.
    proc = run([venv / "ce-lint", "fix", "--target", "transformers==5.24", "train.py"], cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'eval_strategy="steps"' in (project / "train.py").read_text()


def test_installed_wheel_lists_and_explains_rules(venv: Path, tmp_path: Path) -> None:
    proc = run([venv / "ce-lint", "rules"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = {line.split()[0] for line in proc.stdout.splitlines() if line.startswith("CE")}
    assert listed == {spec.code for spec in load_specs()}

    proc = run([venv / "ce-lint", "rule", "CE101"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "evaluation_strategy" in proc.stdout and "eval_strategy" in proc.stdout
