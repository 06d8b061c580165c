"""What ce-lint promises about the user's files (README): hostile folders, refused writes,
crashes on one file, fixes that would break a file, and `kill -9` in the middle of a fix."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ce_lint.engine import Engine
from ce_lint.fileio import TEMP_SUFFIX, FileProblem, Trouble, write_user_file
from ce_lint.findings import Applicability, Finding, Fix, ReplaceSource, Severity
from ce_lint.kinds.base import Kind
from ce_lint.model import ClassChoice, Site, Span
from ce_lint.rulebook import RuleSpec
from ce_lint.textio import SourceText

from .helpers import engine

OLD = b"# tuned by hand\nevaluation_strategy: steps  # keep\nno_cuda: true\nnum_train_epochs: 3\n"
NEW = b"# tuned by hand\neval_strategy: steps  # keep\nuse_cpu: true\nnum_train_epochs: 3\n"
CE_LINT = [sys.executable, "-m", "ce_lint"]
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def ce_lint(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """A real run in its own process: a FIFO that blocked would time out here."""
    return subprocess.run(
        [*CE_LINT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def write(path: Path, data: bytes = OLD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Path]:
    """A folder with every strange thing a walk can meet, next to ordinary configs."""
    root = tmp_path / "project"
    write(root / "plain.yaml")
    write(root / "readonly.yaml").chmod(0o444)
    write(root / "linked" / "target.yaml")
    (root / "symlink.yaml").symlink_to(root / "linked" / "target.yaml")
    write(root / "hard.yaml")
    os.link(root / "hard.yaml", root / "hard-twin.yaml")
    write(root / "mode.yaml").chmod(0o640)
    os.mkfifo(root / "pipe.yaml")
    (root / "zero.yaml").symlink_to("/dev/zero")
    (root / "loop.yaml").symlink_to(root / "loop.yaml")
    (root / "dangling.yaml").symlink_to(root / "nowhere.yaml")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to(root)  # a folder loop: never followed, but named
    write(root / "huge.yaml", b"a: " + b"x" * 2048 + b"\n" + OLD)
    (root / "pyproject.toml").write_text('[tool.ce-lint]\nmax-file-size = "1KiB"\n')
    yield root
    (root / "readonly.yaml").chmod(0o644)


def test_a_hostile_folder_is_fixed_where_it_can_be_and_reported_where_not(hostile: Path) -> None:
    before = {p.name: os.lstat(p) for p in hostile.iterdir()}
    done = ce_lint("fix", ".", "--output-format", "json", cwd=hostile)
    assert done.returncode == 1, done.stderr  # findings remain: the files it could not fix
    listed = json.loads(done.stdout)
    found = {(Path(f["filename"]).name, f["code"]): f for f in listed}
    assert "named pipe" in found["pipe.yaml", "CE906"]["message"]
    assert "device (through a symlink)" in found["zero.yaml", "CE906"]["message"]
    assert "points at itself" in found["loop.yaml", "CE903"]["message"]
    assert ("dangling.yaml", "CE903") in found and ("huge.yaml", "CE907") in found
    assert found["up", "CE908"]["message"].startswith(f"a symlink to the folder {str(hostile)!r}")
    # Not written, and offered as fixable no more: fixing again would fail again.
    assert ("readonly.yaml", "CE905") in found
    kept = [f for f in listed if Path(f["filename"]).name == "readonly.yaml"]
    assert len(kept) > 2 and all(f["fix"] is None for f in kept)
    assert "Traceback" not in done.stderr
    # What could be fixed was, and each file is what it was: mode, link, inode.
    for name in ("plain.yaml", "mode.yaml", "hard.yaml", "symlink.yaml"):
        assert (hostile / name).read_bytes() == NEW, name
    assert (hostile / "readonly.yaml").read_bytes() == OLD
    assert (hostile / "huge.yaml").read_bytes().endswith(OLD)
    assert stat.S_IMODE((hostile / "mode.yaml").stat().st_mode) == 0o640
    assert (hostile / "symlink.yaml").is_symlink()
    assert (hostile / "linked" / "target.yaml").read_bytes() == NEW
    assert (hostile / "hard-twin.yaml").read_bytes() == NEW
    assert (hostile / "hard.yaml").stat().st_ino == before["hard.yaml"].st_ino
    assert (hostile / "pipe.yaml").is_fifo()
    assert not list(hostile.rglob(f"*{TEMP_SUFFIX}"))


@pytest.mark.skipif(not ROOT, reason="giving a file to another owner needs root")
def test_owner_and_group_stay(tmp_path: Path) -> None:
    path = write(tmp_path / "owned.yaml")
    os.chown(path, 1234, 4321)
    assert ce_lint("fix", "owned.yaml", cwd=tmp_path).returncode == 0
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (1234, 4321) and path.read_bytes() == NEW


@pytest.mark.skipif(ROOT, reason="root lists any folder")
def test_a_folder_that_cannot_be_listed_is_reported_and_the_walk_goes_on(tmp_path: Path) -> None:
    write(tmp_path / "a" / "train.yaml")
    locked = tmp_path / "locked"
    write(locked / "train.yaml")
    locked.chmod(0)
    try:
        done = ce_lint("check", ".", "--output-format", "concise", cwd=tmp_path)
    finally:
        locked.chmod(0o755)
    assert "locked:1:1: CE903" in done.stdout and "cannot list" in done.stdout
    assert "a/train.yaml" in done.stdout


def test_the_walk_reports_a_folder_it_cannot_list(tmp_path: Path) -> None:
    """Root lists any folder, so here the listing fails because the folder goes away while
    the walk is under way: the error reaches the same callback."""
    from ce_lint.discover import discover

    write(tmp_path / "a" / "train.yaml")
    write(tmp_path / "b" / "train.yaml")
    told: list[tuple[Path, str]] = []
    found = []
    for path in discover([tmp_path], lambda p: p.endswith(".yaml"), lambda p: False,
                         unlistable=lambda folder, why: told.append((folder, why))):  # fmt: skip
        found.append(path)
        if path.parent.name == "a":
            (tmp_path / "b" / "train.yaml").unlink()
            (tmp_path / "b").rmdir()
    assert found == [tmp_path / "a" / "train.yaml"]
    assert told == [(tmp_path / "b", "cannot list the folder: No such file or directory")]


def test_a_file_changed_after_reading_is_not_written(tmp_path: Path) -> None:
    path = write(tmp_path / "train.yaml")

    def meanwhile(name: str) -> ClassChoice:  # runs after the read, before the write
        path.write_bytes(OLD + b"seed: 7\n")
        return ClassChoice()

    result = engine(class_for=meanwhile).fix_path(path)
    assert path.read_bytes() == OLD + b"seed: 7\n"
    assert result.findings[0].code == "CE904" and not result.written
    assert all(f.fix is None for f in result.findings)  # fixing again would lose the change


def test_a_write_over_other_bytes_or_a_deleted_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "train.yaml")
    with pytest.raises(FileProblem) as changed:
        write_user_file(path, OLD + b"x", NEW)
    assert changed.value.trouble is Trouble.CHANGED and path.read_bytes() == OLD
    path.unlink()
    with pytest.raises(FileProblem) as gone:
        write_user_file(path, OLD, NEW)
    assert gone.value.trouble is Trouble.CHANGED and not path.exists()


class _Exploding(Kind):
    """A rule with a bug: ce-lint's own failure on one file."""

    def check(self, site: Site, ctx: object) -> Iterator[Finding]:
        raise KeyError("a bug")


class _Breaking(Kind):
    """A rule whose fix would leave YAML that does not parse, and one whose fix is fine."""

    def check(self, site: Site, ctx: object) -> Iterator[Finding]:
        for entry in site.entries:
            if entry.key == "seed":
                edit = ReplaceSource(Span(entry.key_span.start, entry.key_span.start), "[x: ")
                fix = Fix(Applicability.SAFE, "write it yourself", (edit,))
                yield Finding(
                    "CE001", "bad fix", Severity.ERROR, site.path, entry.key_span, fix=fix
                )


def _with(kind: type[Kind], code: str) -> Engine:
    built = engine()
    spec = RuleSpec(code, "test", "test", "", "", {}, "always", "test")
    built.active.append(kind(spec))
    return built


def test_a_crash_on_one_file_is_a_finding_of_that_file(tmp_path: Path) -> None:
    built = _with(_Exploding, "CE001")
    broken = built.check_path(write(tmp_path / "train.yaml"))
    assert [f.code for f in broken.findings] == ["CE999"] and broken.internal_error
    assert "KeyError: 'a bug'" in broken.findings[0].message
    assert "test_file_safety.py" in broken.findings[0].message  # where it failed
    skipped = built.check_path(write(tmp_path / "notes.yaml", b"just: text\n"))
    assert not skipped.internal_error


def test_a_fix_whose_text_does_not_parse_is_dropped_alone(tmp_path: Path) -> None:
    source = SourceText("train.yaml", (OLD + b"seed: 7\n").decode())
    result = _with(_Breaking, "CE001").fix_source(source)
    assert result.fixed_text == (NEW + b"seed: 7\n").decode()  # the good fixes landed
    bad = [f for f in result.findings if f.code == "CE001"]
    assert bad and bad[0].fix is None and "Do it by hand: write it yourself." in bad[0].message
    assert any("CE001 was not applied" in n for n in result.notices)


def test_the_max_file_size_setting_is_checked(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.ce-lint]\nmax-file-size = "lots"\n')
    write(tmp_path / "train.yaml")
    done = ce_lint("check", ".", cwd=tmp_path)
    assert done.returncode == 2 and "max-file-size" in done.stderr


def _fixture_folder(root: Path, files: int) -> dict[Path, bytes]:
    """Configs large enough that a write takes a moment (a kill lands inside it)."""
    filler = b"".join(b"# line %d of notes kept by hand\n" % i for i in range(6000))
    made = {}
    for i in range(files):
        made[write(root / f"c{i:02d}.yaml", filler + OLD)] = filler + NEW
    return made


def _kill_while_writing(cwd: Path, folder: Path, rng: random.Random) -> bool:
    """Start a fix and kill -9 it: once it writes a temporary file (mid-write), or at a random
    moment. Whether it was killed before it finished."""
    stale = {name for name in os.listdir(folder) if name.endswith(TEMP_SUFFIX)}
    process = subprocess.Popen(
        [*CE_LINT, "fix", folder.name, "-q"],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + (rng.uniform(0.3, 3) if rng.random() < 0.3 else 60)
    while process.poll() is None and time.monotonic() < deadline:
        if any(n.endswith(TEMP_SUFFIX) and n not in stale for n in os.listdir(folder)):
            break  # kill now: this run's temporary file is being written
        time.sleep(0.001)
    killed = process.poll() is None
    if killed:
        process.send_signal(signal.SIGKILL)
    process.wait()
    return killed


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_kill_9_never_leaves_a_torn_file_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    folder = tmp_path / "configs"
    made = _fixture_folder(folder, 12)
    originals = {path: path.read_bytes() for path in made}
    rng = random.Random(7)
    kills = left_behind = 0
    for _ in range(50):
        for path, data in originals.items():
            path.write_bytes(data)
        kills += _kill_while_writing(tmp_path, folder, rng)
        left_behind += bool(list(folder.glob(f"*{TEMP_SUFFIX}")))
        for path in made:
            assert path.read_bytes() in (originals[path], made[path]), f"{path} is torn"
    assert kills >= 40  # nearly every run was killed, not finished
    assert left_behind  # some kills landed in the middle of a write
    if not list(folder.glob(f"*{TEMP_SUFFIX}")):  # the last kill did not: leave one as it would
        dead = _dead_pid()
        (folder / f".c00.yaml.{dead}.x1y2{TEMP_SUFFIX}").write_bytes(b"half")
    for path in made:  # nothing left to fix: a plain check still cleans up
        path.write_bytes(made[path])
    done = subprocess.run([*CE_LINT, "check", "configs", "-q"], cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert not list(folder.glob(f"*{TEMP_SUFFIX}"))
    assert all(path.read_bytes() == made[path] for path in made)
