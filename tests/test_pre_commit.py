"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit against a temporary git
repository, with a snapshot of this working tree as the hook repository.

pre-commit installs ce-lint into a virtualenv of its own, the way users get it: the light
core only (the test checks that torch is absent from that environment). `pre-commit
try-repo` makes a fresh store, and so a fresh virtualenv, on every call; it is used once, and
the other cases share one store through PRE_COMMIT_HOME and `pre-commit run`, so the suite
pays for two installs, not one per case. pip reaches the package index for the build
backend and the core dependencies while installing; the hooks themselves need no network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pre_commit")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent
SEED_YAML = "output_dir: out  # keep\nevaluation_strategy: steps\nno_cuda: false\n"
SEED_PY = (
    "from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments\n\n"
    'args = CrossEncoderTrainingArguments(output_dir="out", evaluation_strategy="steps")\n'
)
SEED_SH = "python train.py --evaluation_strategy steps --output_dir out\n"
CLEAN_YAML = "output_dir: out\neval_strategy: steps\n"
SETTINGS = (
    '[tool.ce-lint]\ntarget = { transformers = "==5.24", sentence-transformers = "==6.2" }\n'
    'extend-exclude = ["vendored"]\nselect = ["CE1", "CE9"]\n'
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "ce-lint tests",
    "GIT_AUTHOR_EMAIL": "tests@ce-lint.invalid",
    "GIT_COMMITTER_NAME": "ce-lint tests",
    "GIT_COMMITTER_EMAIL": "tests@ce-lint.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(cwd)}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree (tracked and new files, not ignored ones) committed in a new repo."""
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "snapshot", cwd=repo)
    return repo, git("rev-parse", "HEAD", cwd=repo)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def make_project(root: Path, hook_repo: tuple[Path, str], files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    git("init", "-q", cwd=root)
    repo, rev = hook_repo
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: ce-lint\n      - id: ce-lint-fix\n"
    )
    (root / "pyproject.toml").write_text(SETTINGS)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git("add", "-A", cwd=root)
    return root


def pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_try_repo_check_hook_fails_on_a_seed_era_file(
    tmp_path: Path, hook_repo: tuple[Path, str]
) -> None:
    project = make_project(tmp_path / "project", hook_repo, {"configs/train.yaml": SEED_YAML})
    proc = pre_commit(
        "try-repo", str(hook_repo[0]), "ce-lint", "--ref", hook_repo[1], "--files", "configs/train.yaml",
        cwd=project, home=tmp_path / "home",
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "configs/train.yaml:2:1: CE101 error" in out
    assert (project / "configs/train.yaml").read_text() == SEED_YAML


def test_both_hooks_in_both_directions(
    tmp_path: Path, hook_repo: tuple[Path, str], home: Path
) -> None:
    files = {
        "configs/train.yaml": SEED_YAML,
        "train.py": SEED_PY,
        "scripts/train.sh": SEED_SH,
        "configs/clean.yaml": CLEAN_YAML,
        "vendored/old.yaml": SEED_YAML,
        "README.md": "no configs here\n",
    }
    project = make_project(tmp_path / "project", hook_repo, files)

    def hook(hook_id: str, *names: str) -> tuple[int, str]:
        proc = pre_commit("run", hook_id, "--files", *names, cwd=project, home=home)
        return proc.returncode, proc.stdout + proc.stderr

    # Seed-era files: the check hook fails and names each problem, and changes nothing.
    code, out = hook("ce-lint", "configs/train.yaml", "train.py", "scripts/train.sh")
    assert code == 1, out
    assert "configs/train.yaml:2:1: CE101" in out and "configs/train.yaml:3:1: CE104" in out
    assert "train.py:3:" in out and "CE101" in out
    assert "scripts/train.sh:1:17: CE101" in out  # launch scripts reach the hooks too
    assert (project / "configs/train.yaml").read_text() == SEED_YAML

    # The environment pre-commit built holds the light core only.
    envs = list(home.glob("repo*/py_env-*"))
    assert envs, sorted(p.name for p in home.iterdir())
    assert not list(envs[0].glob("lib/python*/site-packages/torch"))
    assert not list(envs[0].glob("lib/python*/site-packages/transformers"))
    assert list(envs[0].glob("lib/python*/site-packages/ce_lint"))

    # The fix hook fixes them; pre-commit fails the run because files changed.
    code, out = hook("ce-lint-fix", "configs/train.yaml", "train.py", "scripts/train.sh")
    assert code == 1, out
    assert "files were modified by this hook" in out
    assert (
        project / "configs/train.yaml"
    ).read_text() == "output_dir: out  # keep\neval_strategy: steps\n"
    assert 'eval_strategy="steps"' in (project / "train.py").read_text()
    assert (project / "scripts/train.sh").read_text() == SEED_SH.replace("evaluation_", "eval_")

    # Clean files pass both hooks and stay as they are.
    for hook_id in ("ce-lint", "ce-lint-fix"):
        code, out = hook(
            hook_id, "configs/train.yaml", "train.py", "scripts/train.sh", "configs/clean.yaml"
        )
        assert code == 0, out
    assert (project / "configs/clean.yaml").read_text() == CLEAN_YAML

    # An excluded file is left alone although pre-commit names it (--force-exclude).
    code, out = hook("ce-lint", "vendored/old.yaml")
    assert code == 0, out

    # No matching file: the hooks are skipped and the run succeeds.
    proc = pre_commit("run", "--files", "README.md", cwd=project, home=home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(no files to check)Skipped" in proc.stdout
