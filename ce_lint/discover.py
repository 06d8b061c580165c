"""Turning the paths a user names into the files to check."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

# Folders that never hold a user's training configs.
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "node_modules", "__pycache__",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".ce_lint_cache",
        "site-packages", "dist", "build", ".ipynb_checkpoints", ".eggs",
    }
)  # fmt: skip


def _is_virtualenv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file()


def excluded(path: str, patterns: Iterable[str]) -> bool:
    parts = Path(path).parts
    for pattern in patterns:
        if fnmatch.fnmatch(path, pattern) or any(fnmatch.fnmatch(part, pattern) for part in parts):
            return True
    return False


def discover(
    paths: Iterable[str | Path],
    wanted: Callable[[str], bool],
    exclude: Iterable[str] = (),
    skip: Callable[[str], bool] | None = None,
    skip_dirs: frozenset[str] = SKIP_DIRS,
) -> Iterator[Path]:
    """Files under `paths` that some adapter reads, in a stable order.

    Files named explicitly are always yielded (when an adapter reads them); folders are
    walked without following symlinked folders, skipping caches and virtualenvs.
    `skip(path)`, when given, decides exclusion instead of the `exclude` globs.
    """
    exclude = list(exclude)
    if skip is None:
        skip = lambda p: excluded(p, exclude)  # noqa: E731
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                root_path = Path(root)
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if d not in skip_dirs
                    and not d.endswith(".egg-info")
                    and not (root_path / d).is_symlink()
                    and not _is_virtualenv(root_path / d)
                    and not skip(str(root_path / d))
                )
                for name in sorted(files):
                    file = root_path / name
                    text = str(file)
                    if text in seen or not wanted(text) or skip(text):
                        continue
                    seen.add(text)
                    yield file
        elif str(path) not in seen and (wanted(str(path)) or not path.exists()):
            seen.add(str(path))
            yield path
