"""Releases newer than the data files, read from the installed package's sources.

When the installed transformers or sentence-transformers is newer than every release the
data files describe, its sources are read as text (found through importlib.metadata and
the import system's finders, never imported) with the parser that regenerates the data
files. What was read is cached per release in the user cache folder.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from ..fileio import atomic_write_text, user_cache_dir
from . import Knowledge
from .names import SENTENCE_TRANSFORMERS, TRANSFORMERS

if TYPE_CHECKING:
    from .sources import Snapshot

PACKAGES = {TRANSFORMERS: "transformers", SENTENCE_TRANSFORMERS: "sentence_transformers"}


@functools.cache
def installed_version(library: str) -> str | None:
    """The installed release of a library, from its metadata (never imported; looked up
    once per run). A wheel's `.dist-info` folder is found directly; anything else (an egg, a
    zip, two copies in one folder) is left to importlib.metadata, whose import alone costs
    more than the rest of a cached run's start."""
    found = _dist_info_version(library)
    if found is not None:
        return found or None
    from importlib import metadata

    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return None


def _dist_info_version(library: str) -> str | None:
    """The version of the library's `.dist-info` in the first folder of the import path that
    has it; "" when no folder has it and every entry is a folder; None when only
    importlib.metadata can tell (a zip on the path, an egg, two copies in one folder)."""
    wanted = _normal_name(library)
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except FileNotFoundError:
            continue  # a path entry that does not exist holds nothing
        except (OSError, TypeError, ValueError):
            return None  # a zip file, say: its metadata is read by importlib.metadata
        matches = [
            n
            for n in names
            if n.endswith((".dist-info", ".egg-info", ".egg"))
            and _normal_name(n.split("-", 1)[0].rsplit(".", 1)[0]) == wanted
        ]
        if not matches:
            continue
        if len(matches) != 1 or not matches[0].endswith(".dist-info"):
            return None  # the first folder that has it is ambiguous: importlib.metadata decides
        try:
            with open(os.path.join(entry or ".", matches[0], "METADATA"), encoding="utf-8") as f:
                for line in f:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
                    if not line.strip():
                        break  # the headers end: no version among them
        except OSError:
            return None
        return None
    return ""


def _normal_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def learn_installed(knowledge: Knowledge) -> Knowledge:
    """`knowledge`, plus each installed library release newer than it knows and can read."""
    for library in PACKAGES:
        text = installed_version(library)
        try:
            version = Version(text) if text else None
        except InvalidVersion:
            continue
        if version is None or version <= knowledge.library(library).newest:
            continue
        snapshot = read_installed(library, text)
        if snapshot is not None:
            knowledge = knowledge.with_release(library, text, snapshot)
    return knowledge


def read_installed(library: str, version: str) -> Snapshot | None:
    """What the installed release's sources say (None when they cannot be read)."""
    # The source readers load only here: most runs find no release newer than the data.
    from .sources import Snapshot, sentence_transformers_snapshot, transformers_snapshot

    files = _source_files(library)
    if not files:
        return None
    try:
        stamp = [(rel, path.stat().st_size, path.stat().st_mtime_ns) for rel, path in files]
    except OSError:
        return None
    key = hashlib.sha256(json.dumps([library, version, _parser_id(), stamp]).encode()).hexdigest()
    cache = user_cache_dir() / "knowledge" / f"{library}-{version}-{key[:16]}.json"
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        return Snapshot(**json.loads(cache.read_text(encoding="utf-8")))
    try:
        sources = {rel: path.read_text(encoding="utf-8") for rel, path in files}
        from importlib import metadata

        meta = metadata.distribution(library).read_text("METADATA")
        if library == TRANSFORMERS:
            snapshot = transformers_snapshot(sources)
        else:
            snapshot = sentence_transformers_snapshot(sources, meta)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
        return None
    if not snapshot.fields:
        return None  # the arguments class was not where the parser looks: say we could not read
    _write_cache(cache, json.dumps(asdict(snapshot), sort_keys=True))
    return snapshot


def _source_files(library: str) -> list[tuple[str, Path]]:
    """(wheel-relative path, file) of the sources the parser reads, in a stable order."""
    from .sources import (
        TF_ENUM_FILES,
        TF_INTEGRATION_FILES,
        TF_SEQ2SEQ_ARGS,
        TF_TRAINER_FILES,
        TF_TRAINING_ARGS,
        is_st_source,
    )

    wanted = (
        TF_TRAINING_ARGS,
        TF_SEQ2SEQ_ARGS,
        *TF_ENUM_FILES,
        *TF_INTEGRATION_FILES,
        *TF_TRAINER_FILES,
    )
    locations = _package_folders(PACKAGES[library])
    if not locations:
        return []
    root = Path(locations[0])
    if library == TRANSFORMERS:
        found = [(rel, root.parent / rel) for rel in wanted]
        found = [(rel, path) for rel, path in found if path.is_file()]
        return found if any(rel == TF_TRAINING_ARGS for rel, _ in found) else []
    out = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            rel = (Path(folder) / name).relative_to(root.parent).as_posix()
            if is_st_source(rel):
                out.append((rel, Path(folder) / name))
    return out


def _package_folders(package: str) -> list[str]:
    """Where the import system would find a top-level package, without importing it.

    The finders are asked directly: `importlib.util.find_spec` would answer from
    `sys.modules` when the package is already imported, whatever the path says now.
    """
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        try:
            spec = find(package, None)
        except (ImportError, ValueError, AttributeError):
            continue
        if spec is not None:
            return list(spec.submodule_search_locations or [])
    return []


def _parser_id() -> str:
    """Changes whenever the parser does, so a cached reading never outlives it."""
    return hashlib.sha256(Path(__file__).with_name("sources.py").read_bytes()).hexdigest()[:16]


def _write_cache(path: Path, text: str) -> None:
    """Best effort and atomic: a read-only home or a full disk only costs the next parse."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
