"""Shared helpers for the corpus tools: manifest loading and the on-disk layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = REPO_ROOT / "corpus" / "manifest.json"
LABELS = REPO_ROOT / "corpus" / "labels.json"
DEFAULT_CORPUS = Path("/work/corpus")


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def load_manifest(path: Path = MANIFEST) -> list[dict[str, Any]]:
    return load_json(path)["entries"]


def repo_dir(repo: str) -> str:
    """`owner/name` -> `owner+name` (the folder name used by mirrors and the corpus)."""
    return repo.replace("/", "+")


def rel_path(repo: str, commit: str, path: str) -> str:
    """Where a file lives under `files/` or `after/` of the corpus folder."""
    return f"{repo_dir(repo)}/{commit[:12]}/{path}"


def file_location(root: Path, entry: dict[str, Any]) -> Path:
    return root / "files" / rel_path(entry["repo"], entry["commit"], entry["path"])


def after_location(root: Path, entry: dict[str, Any]) -> Path | None:
    after = entry.get("after")
    if not after:
        return None
    return root / "after" / rel_path(entry["repo"], after["commit"], after["path"])


def notebook_cells(data: bytes) -> list[tuple[int, str, str]]:
    """(1-based cell number, cell type, source text) for every cell of a notebook."""
    nb = json.loads(data.decode("utf-8"))
    cells = []
    for number, cell in enumerate(nb.get("cells", []), 1):
        src = cell.get("source", "")
        cells.append(
            (number, cell.get("cell_type", ""), "".join(src) if isinstance(src, list) else src)
        )
    return cells


def text_lines(data: bytes, fmt: str) -> list[tuple[str, str]]:
    """(location, text) per line; location is "LINE", or "cCELL:LINE" for notebook code cells."""
    if fmt == "notebook":
        out = []
        for number, kind, src in notebook_cells(data):
            if kind != "code":
                continue
            out.extend((f"c{number}:{i}", line) for i, line in enumerate(src.split("\n"), 1))
        return out
    text = data.decode("utf-8", errors="replace")
    return [(str(i), line) for i, line in enumerate(text.split("\n"), 1)]


def split_loc(loc: str) -> tuple[int | None, int]:
    """ "c4:7" -> (4, 7); "12" -> (None, 12)."""
    if loc.startswith("c"):
        cell, line = loc[1:].split(":")
        return int(cell), int(line)
    return None, int(loc)


def join_loc(cell: int | None, line: int) -> str:
    return f"c{cell}:{line}" if cell is not None else str(line)
