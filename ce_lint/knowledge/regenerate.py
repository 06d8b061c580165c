"""Regenerate ``data/*.json`` from released wheels, parsed with ``ast`` (never installed or imported).

python -m ce_lint.knowledge.regenerate --check   # exit 1 with a diff summary if data is stale
python -m ce_lint.knowledge.regenerate --write [--library transformers] [--add-newer] [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from ..fileio import atomic_write_text
from .layout import apply_curated_overrides, build_data, compare_at, dumps, merge
from .names import DATA_DIR, SENTENCE_TRANSFORMERS, TRANSFORMERS, TRL
from .sources import (
    TF_ENUM_FILES,
    TF_INTEGRATION_FILES,
    TF_SEQ2SEQ_ARGS,
    TF_TRAINER_FILES,
    TF_TRAINING_ARGS,
    Snapshot,
    is_st_source,
    is_trl_source,
    sentence_transformers_snapshot,
    transformers_snapshot,
    trl_snapshot,
)

DATA_FILES = {
    TRANSFORMERS: DATA_DIR / "transformers.json",
    SENTENCE_TRANSFORMERS: DATA_DIR / "sentence_transformers.json",
    TRL: DATA_DIR / "trl.json",
}


# --------------------------------------------------------------------------- wheels


def _pip(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout


def fetch_wheel(package: str, version: str, cache: Path) -> Path:
    """The wheel of `package==version` in `cache`, downloaded with pip when missing."""
    pattern = f"{package.replace('-', '_')}-{version}-*.whl"
    found = sorted(cache.glob(pattern))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        print(f"downloading {package}=={version}", file=sys.stderr)
        _pip(
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--ignore-requires-python",
            "--quiet",
            f"{package}=={version}",
            "-d",
            str(cache),
        )
        found = sorted(cache.glob(pattern))
    if not found:
        raise RuntimeError(f"no wheel for {package}=={version} in {cache}")
    return found[0]


def read_wheel(
    path: Path, wanted: Iterable[str] | None = None, keep: Callable[[str], bool] = is_st_source
) -> tuple[dict[str, str], str | None]:
    """The ``.py`` members of a wheel that the regeneration reads, and its METADATA text."""
    sources: dict[str, str] = {}
    metadata = None
    wanted_set = set(wanted) if wanted is not None else None
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith(".dist-info/METADATA"):
                metadata = zf.read(name).decode("utf-8", errors="replace")
            elif (wanted_set is not None and name in wanted_set) or (
                wanted_set is None and keep(name)
            ):
                sources[name] = zf.read(name).decode("utf-8")
    return sources, metadata


def snapshot_from_wheel(library: str, wheel: Path) -> Snapshot:
    if library == TRANSFORMERS:
        wanted = {
            TF_TRAINING_ARGS,
            TF_SEQ2SEQ_ARGS,
            *TF_ENUM_FILES,
            *TF_INTEGRATION_FILES,
            *TF_TRAINER_FILES,
        }
        sources, _ = read_wheel(wheel, wanted)
        return transformers_snapshot(sources)
    if library == TRL:
        sources, metadata = read_wheel(wheel, keep=is_trl_source)
        return trl_snapshot(sources, metadata)
    sources, metadata = read_wheel(wheel)
    return sentence_transformers_snapshot(sources, metadata)


def newer_minor_releases(package: str, known: Iterable[str]) -> list[str]:
    """The first final release of every minor newer than the newest known one (pip index)."""
    output = _pip("index", "versions", package)
    match = re.search(r"Available versions:\s*(.+)", output)
    if not match:
        return []
    releases = []
    for text in match.group(1).split(","):
        try:
            v = Version(text.strip())
        except InvalidVersion:
            continue
        if not v.is_prerelease and not v.is_devrelease:
            releases.append(v)
    newest = max(Version(v) for v in known)
    firsts: dict[tuple[int, int], Version] = {}
    for v in releases:
        key = (v.major, v.minor)
        if key > (newest.major, newest.minor) and (key not in firsts or v < firsts[key]):
            firsts[key] = v
    return [str(v) for _, v in sorted(firsts.items())]


# --------------------------------------------------------------------------- command


def regenerate(
    library: str, versions: list[str], cache: Path, committed: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The data derived from the wheels of `library` at `versions`, and notes on curated
    values kept over derived ones."""
    snapshots = {v: snapshot_from_wheel(library, fetch_wheel(library, v, cache)) for v in versions}
    derived = build_data(library, snapshots)
    derived["source"] = committed.get("source", "")
    return derived, apply_curated_overrides(derived, committed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ce_lint.knowledge.regenerate",
        description="Regenerate the version-knowledge data files from released wheels.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 if the data would change")
    mode.add_argument("--write", action="store_true", help="overwrite the data files")
    parser.add_argument(
        "--library", choices=[TRANSFORMERS, SENTENCE_TRANSFORMERS, TRL, "all"], default="all"
    )
    parser.add_argument(
        "--versions",
        help="comma-separated releases to examine instead of the data file's list; --check then "
        "compares release by release, --write writes a file describing only these",
    )
    parser.add_argument(
        "--add-newer",
        action="store_true",
        help="also examine the first release of every newer minor (pip index versions)",
    )
    parser.add_argument(
        "--cache", type=Path, default=Path("wheels"), help="wheel cache directory (default: wheels)"
    )
    args = parser.parse_args(argv)

    libraries = list(DATA_FILES) if args.library == "all" else [args.library]
    status = 0
    for library in libraries:
        path = DATA_FILES[library]
        committed = (
            json.loads(path.read_text(encoding="utf-8"))
            if path.exists()
            else {"library": library, "versions": []}
        )
        known = sorted(committed["versions"], key=Version)
        versions = (
            [v.strip() for v in args.versions.split(",") if v.strip()] if args.versions else known
        )
        if args.add_newer:
            versions = versions + newer_minor_releases(library, versions)
        versions = sorted(set(versions), key=Version)
        derived, notes = regenerate(library, versions, args.cache, committed)
        for line in notes:
            print(f"[{library}] {line}", file=sys.stderr)
        if args.write or versions == known:
            # Same release list (or writing): merge with the curated keys and diff the whole file.
            report: list[str] = []
            kept: list[str] = []
            merged = merge(derived, committed, report=report, kept=kept)
            for line in kept:
                print(f"[{library}] {line}", file=sys.stderr)
            if args.write:
                for line in report:
                    print(f"[{library}] {line}", file=sys.stderr)
                atomic_write_text(path, dumps(merged))
                print(f"[{library}] wrote {path} ({len(versions)} releases, {len(report)} changes)")
                continue
            summary = report
        else:
            # Another release list changes every history: compare release by release instead.
            summary = [line for v in versions for line in compare_at(committed, derived, v)]
        if summary:
            status = 1
            print(f"[{library}] regenerated data differs from {path}:")
            for line in summary:
                print(f"  {line}")
        else:
            print(f"[{library}] matches {path} at {len(versions)} releases")
    return status


if __name__ == "__main__":
    sys.exit(main())
