"""Turning the paths a user names into the files to check."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path


def discover(
    paths: Iterable[str | Path],
    wanted: Callable[[str], bool],
    skip: Callable[[str], bool],
    unlistable: Callable[[Path, str], None] = lambda folder, why: None,
    not_followed: Callable[[Path], None] = lambda folder: None,
) -> Iterator[Path]:
    """Files under `paths` that some adapter reads, in a stable order.

    Files named explicitly are always yielded (when an adapter reads them); folders are
    walked without following symlinked folders, leaving out virtualenvs and what `skip`
    says (the settings' `exclude`, whose default names caches and build folders). A folder
    that cannot be listed is told to `unlistable`, a symlinked folder to `not_followed`.
    """

    def failed(error: OSError) -> None:
        folder = Path(error.filename) if error.filename else Path(".")
        unlistable(folder, f"cannot list the folder: {error.strerror or error}")

    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            top = os.fspath(path)  # as a Path names it ("./a" is "a")
            for root, dirs, files in os.walk(top, onerror=failed, followlinks=False):
                # Strings, not Paths, while walking: a Path per name costs more than the rest.
                # Names are spelt as Path would: below ".", without the "./".
                shown = root if top != "." else ("" if root == "." else root[2:])
                kept = [d for d in dirs if not skip(os.path.join(shown, d))]
                for d in kept:
                    if os.path.islink(os.path.join(root, d)):
                        not_followed(Path(root, d))
                dirs[:] = sorted(
                    d
                    for d in kept
                    if not os.path.islink(os.path.join(root, d))
                    and not os.path.isfile(os.path.join(root, d, "pyvenv.cfg"))
                )
                for name in sorted(files):
                    text = os.path.join(shown, name) if shown else name
                    if text in seen or not wanted(text) or skip(text):
                        continue
                    seen.add(text)
                    yield Path(text)
        elif str(path) not in seen and (wanted(str(path)) or not path.exists()):
            seen.add(str(path))
            yield path
