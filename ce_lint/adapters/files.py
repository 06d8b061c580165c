"""Which files each format reads, by their names alone: saying so imports no parser."""

from __future__ import annotations

import posixpath

# format -> the file name endings it reads (lower case)
SUFFIXES: dict[str, tuple[str, ...]] = {
    "yaml": (".yaml", ".yml"),
    "json": (".json",),
    "python": (".py",),
    "shell": (".sh", ".bash", ".zsh", ".ksh", ".slurm", ".sbatch"),
    "notebook": (".ipynb",),
    "make": (".mk",),
}
MAKEFILE_NAMES = frozenset({"makefile", "gnumakefile"})
_ALL_SUFFIXES = tuple(s for suffixes in SUFFIXES.values() for s in suffixes)


def is_makefile(path: str) -> bool:
    return posixpath.basename(path.replace("\\", "/")).lower() in MAKEFILE_NAMES


def handles(path: str) -> bool:
    """Whether some format reads this file."""
    return path.lower().endswith(_ALL_SUFFIXES) or is_makefile(path)


def format_of(path: str) -> str | None:
    """The format that reads this file (a key of SUFFIXES), by its name."""
    lower = path.lower()
    for name, suffixes in SUFFIXES.items():
        if lower.endswith(suffixes):
            return name
    return "make" if is_makefile(path) else None
