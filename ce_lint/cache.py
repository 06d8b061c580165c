"""What `check` found in each file, kept between runs so that an unchanged file is not read again.

One JSON file per run key (ce-lint's code, settings, options, targets and installed releases:
anything that changes what any file's findings are) under `<cache dir>/results-<version>/`. Each entry
holds a file's size, mtime and inode, the BLAKE2 digest of its bytes and its located findings.
A file whose stat is unchanged is taken as it was, unless it was written so close to when it
was recorded that a second change could keep its mtime (then its bytes are compared); a file
whose stat changed but whose bytes did not (a `git checkout`) is a hit too.

JSON, not pickle: a cache folder can come with a cloned repository, and loading one must never
run code. Writes are atomic (fileio.atomic_write_text), after merging what another run wrote
meanwhile, so two runs at once or a killed run leave a whole file (at worst a few entries
fewer). Entries unseen for 30 days, and run files untouched for as long, are pruned, and so
are the temporary files of a killed run (fileio.remove_stale_temps).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .fileio import atomic_write_text, remove_stale_temps
from .findings import Applicability, Severity
from .report.model import FixEdit, Position, ReportedFinding, ReportFix

FOLDER_NAME = ".ce_lint_cache"
DIR_VARIABLE = "CE_LINT_CACHE_DIR"
OFF_VARIABLE = "CE_LINT_NO_CACHE"
KEEP_NS = 30 * 24 * 3600 * 10**9  # entries and run files unseen this long are pruned
# A file modified this close to the moment its entry was recorded may change again within the
# same mtime tick (coarse filesystems tick every 1-2 s): its bytes are compared, not its stat.
RACY_NS = 2 * 10**9
RESULTS_PREFIX = "results-"  # the folder may be shared (CE_LINT_CACHE_DIR): prune only these
# A hit refreshes an entry's last use only once this much older: a rerun with nothing
# changed then writes nothing.
SEEN_STEP_NS = 24 * 3600 * 10**9
FORMAT = 1

Signature = tuple[int, int, int]  # size, mtime_ns, inode


def signature(path: str | Path) -> Signature | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def code_stamp() -> list[Any]:
    """ce-lint's version and the size and mtime of each of its files: a development checkout
    changes its code without changing its version."""
    root = Path(__file__).parent
    stamp: list[Any] = [__version__]
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".json", ".toml", ".yaml")):
                st = os.stat(os.path.join(folder, name))
                stamp.append((name, st.st_size, st.st_mtime_ns))
    return stamp


def run_key(parts: dict[str, Any]) -> str:
    text = json.dumps([FORMAT, code_stamp(), parts], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cache_folder(setting: str | None, root: Path) -> Path:
    """CE_LINT_CACHE_DIR, else the `cache-dir` setting (relative to the settings' folder),
    else .ce_lint_cache in that folder."""
    chosen = os.environ.get(DIR_VARIABLE) or setting
    if chosen:
        path = Path(chosen).expanduser()
        return path if path.is_absolute() else root / path
    return root / FOLDER_NAME


def disabled_by_environment() -> bool:
    return os.environ.get(OFF_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


class ResultsCache:
    """The entries of one run key: path (as the run names it) -> what was found there."""

    def __init__(self, folder: Path, key: str):
        self.folder = folder
        self.file = folder / f"{RESULTS_PREFIX}{__version__}" / f"{key}.json"
        self.now = time.time_ns()
        self.entries: dict[str, dict[str, Any]] = _read(self.file)
        self.changed = False
        self.problem: str | None = None  # why the cache could not be written, once

    # -- reading ----------------------------------------------------------------------------

    def known_digest(self, path: str) -> str | None:
        """The digest of a file whose stat says it is the one recorded (no read)."""
        entry = self.entries.get(path)
        sig = signature(path)
        if entry is None or sig is None or not _stat_tells(entry, sig):
            return None
        return entry["digest"]

    def lookup(
        self, path: str, context: str, hardware: Callable[[str], str] | None = None
    ) -> tuple[ReportedFinding, ...] | None:
        """The findings recorded for `path`, if its bytes, its context (what the run's other
        files said about it) and the hardware it was judged against are as they were."""
        entry = self.entries.get(path)
        if entry is None or entry.get("context") != context:
            return None
        sig = signature(path)
        if sig is None:
            return None
        if not _stat_tells(entry, sig):
            data = _read_bytes(path, sig[0])
            if data is None or digest(data) != entry["digest"]:
                return None
            entry["sig"] = list(sig)  # the same bytes under a new stat (a checkout)
            entry["recorded"] = self.now
            self.changed = True
        if "hardware" in entry and (hardware is None or hardware(path) != entry["hardware"]):
            return None
        if self.now - entry["seen"] > SEEN_STEP_NS:
            entry["seen"] = self.now
            self.changed = True
        try:
            return tuple(_finding(f) for f in entry["findings"])
        except (KeyError, TypeError, ValueError):
            return None  # an entry of another shape (a hand-edited file): check again

    # -- recording --------------------------------------------------------------------------

    def store(
        self,
        path: str,
        sig: Signature,
        data_digest: str,
        context: str,
        findings: Iterable[ReportedFinding],
        hardware: str | None = None,
    ) -> None:
        """Record what was found in the bytes of digest `data_digest`, read from `path` with
        stat `sig` taken before the read."""
        entry: dict[str, Any] = {
            "sig": list(sig),
            "digest": data_digest,
            "recorded": self.now,
            "seen": self.now,
            "context": context,
            "findings": [asdict(f) for f in findings],
        }
        if hardware is not None:
            entry["hardware"] = hardware
        self.entries[path] = entry
        self.changed = True

    def save(self) -> None:
        """Merge with what another run wrote meanwhile, prune, and write atomically; a cache
        that cannot be written is a note, never a failure of the run."""
        if not self.changed:
            return
        try:
            self._ensure_folder()
            merged = _read(self.file)
            for path, entry in self.entries.items():
                if entry["seen"] >= merged.get(path, {}).get("seen", 0):
                    merged[path] = entry
            keep_after = self.now - KEEP_NS
            merged = {p: e for p, e in merged.items() if e.get("seen", 0) >= keep_after}
            text = json.dumps({"format": FORMAT, "entries": merged}, separators=(",", ":"))
            atomic_write_text(self.file, text)
            self._prune()
        except OSError as exc:
            self.problem = f"the cache in {self.folder} was not written: {exc.strerror or exc}"

    def _ensure_folder(self) -> None:
        if self.file.parent.is_dir():
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        # Like Ruff's: git and backup tools leave the folder alone.
        with contextlib.suppress(OSError):
            if not (self.folder / ".gitignore").exists():
                (self.folder / ".gitignore").write_text("# written by ce-lint\n*\n")
            if not (self.folder / "CACHEDIR.TAG").exists():
                (self.folder / "CACHEDIR.TAG").write_text(
                    "Signature: 8a477f597d28d172789f06886806bc55\n# the ce-lint results cache\n"
                )

    def _prune(self) -> None:
        """Run files of other keys unused for 30 days and a killed run's temporary files, in
        this version's folder; other versions' results unused as long."""
        limit = time.time() - KEEP_NS / 10**9
        with contextlib.suppress(OSError):
            for item in self.folder.iterdir():
                ours = item.name.startswith(RESULTS_PREFIX) and item != self.file.parent
                old = ours and item.is_dir()
                if old and all(_older(f, limit) for f in item.iterdir()):
                    for f in item.iterdir():
                        f.unlink()
                    item.rmdir()
            remove_stale_temps(self.file.parent)
            for item in self.file.parent.iterdir():
                if item != self.file and item.suffix == ".json" and _older(item, limit):
                    item.unlink()


def _stat_tells(entry: dict[str, Any], sig: Signature) -> bool:
    """Whether the file's stat alone says it holds the recorded bytes: the same stat, and not
    written so close to the recording that a second change could have kept it."""
    return list(sig) == entry["sig"] and sig[1] < entry["recorded"] - RACY_NS


def _older(path: Path, limit: float) -> bool:
    try:
        return path.stat().st_mtime < limit
    except OSError:
        return False


def _read(file: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    entries = data.get("entries")
    if not isinstance(entries, dict):
        return {}
    return {
        p: e
        for p, e in entries.items()
        if isinstance(e, dict)
        and isinstance(e.get("sig"), list)
        and isinstance(e.get("digest"), str)
        and isinstance(e.get("recorded"), int)
        and isinstance(e.get("seen"), int)
        and isinstance(e.get("findings"), list)
    }


def _read_bytes(path: str, size: int) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read(size + 1)
    except OSError:
        return None


def _position(value: list[int]) -> Position:
    row, column = value
    return Position(int(row), int(column))


def _finding(data: dict[str, Any]) -> ReportedFinding:
    fix = data["fix"]
    return ReportedFinding(
        path=str(data["path"]),
        code=str(data["code"]),
        severity=Severity(data["severity"]),
        message=str(data["message"]),
        start=_position(data["start"]),
        end=_position(data["end"]),
        cell=data["cell"] if isinstance(data["cell"], int) else None,
        fix=None
        if fix is None
        else ReportFix(
            applicability=Applicability(fix["applicability"]),
            message=str(fix["message"]),
            edits=tuple(
                FixEdit(str(e["text"]), _position(e["start"]), _position(e["end"]))
                for e in fix["edits"]
            ),
            preview=tuple(str(line) for line in fix["preview"]),
        ),
        fields=tuple(str(f) for f in data["fields"]),
        line=str(data["line"]),
    )
