"""`[tool.ce-lint]` in pyproject.toml, merged with command-line options.

The file is found by walking up from the folder that holds every checked path (or given
with --config); one run reads one configuration. Globs are matched against paths relative
to the folder of that pyproject.toml; a glob without `/` also matches any single file or
folder name. Unknown settings, misspelt codes and values of the wrong type are errors with
a did-you-mean, so a typo never silently does nothing.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .fileio import resolved
from .knowledge import Knowledge

KNOWN_SETTINGS = {
    "select": "rule codes or prefixes to report (default: all)",
    "ignore": "rule codes or prefixes to leave out",
    "extend-select": "codes added to `select`",
    "per-file-ignores": "glob -> codes ignored in matching files",
    "exclude": "globs of paths never checked (replaces the default list of caches and virtualenvs)",
    "extend-exclude": "globs of paths never checked, on top of `exclude`",
    "target": 'library -> version range, e.g. {transformers = "==5.24"}',
    "hardware": "hardware profile: local, a built-in name (a100x8) or a profile file",
    "per-file-hardware": "glob -> hardware profile",
    "class": "arguments class of config files (default CrossEncoderTrainingArguments)",
    "per-file-class": "glob -> arguments class",
    "unsafe-fixes": "apply unsafe fixes too",
    "extend-safe-fixes": "codes whose unsafe fixes count as safe",
    "extend-unsafe-fixes": "codes whose safe fixes count as unsafe",
    "output-format": "default output format",
    "baseline": "baseline file of accepted findings (see `ce-lint baseline`)",
    "cache-dir": "folder of the results cache (default .ce_lint_cache beside the settings)",
    "max-file-size": 'larger files are not read (CE907): bytes or "20MB", "512KiB" (default 20MB)',
}


class SettingsError(ValueError):
    pass


@dataclass
class Settings:
    path: Path | None = None  # the pyproject.toml they came from
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def relative(self, path: str) -> str:
        # os.path, not Path.resolve(): this runs for every file of a walk.
        absolute = os.path.abspath(path)
        root = self._resolved_root
        if absolute == root or absolute.startswith(root + os.sep):
            return Path(os.path.relpath(absolute, root)).as_posix()
        real = os.path.realpath(absolute)  # a symlinked checkout
        if real == root or real.startswith(root + os.sep):
            return Path(os.path.relpath(real, root)).as_posix()
        return Path(path).as_posix()

    @functools.cached_property
    def _resolved_root(self) -> str:
        return os.path.realpath(self.root)

    def ignores_for(self, path: str) -> list[str]:
        rel = self.relative(path)
        out: list[str] = []
        for pattern, codes in (self.get("per-file-ignores") or {}).items():
            if glob_matches(rel, pattern):
                out += codes
        return out

    @property
    def exclude_patterns(self) -> list[str]:
        defaults = self.get("exclude", DEFAULT_EXCLUDE)
        return [*defaults, *self.get("extend-exclude", [])]

    def excluded(self, path: str, ancestors: bool = False) -> bool:
        """Whether `path` matches `exclude` or `extend-exclude`.

        A glob with `/` is matched against the root-relative path, one without against the
        file or folder name. A folder walk checks each name as it goes down; `ancestors`
        also checks the folders above `path` up to the root (--force-exclude does).
        """
        names, paths = self._exclude_matchers
        name = os.path.basename(path)
        if not ancestors and paths is None and name not in ("", ".", ".."):
            # A folder walk's usual question, without making the path relative.
            return names is not None and names.match(name) is not None
        rel = self.relative(path)
        inside = not (Path(rel).is_absolute() or rel.startswith("../"))
        parts = Path(rel).parts if inside and ancestors else (Path(rel).name,)
        if paths is not None and inside and paths.match(rel):
            return True
        return names is not None and any(names.match(part) for part in parts)

    @functools.cached_property
    def _exclude_matchers(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """One regex for the globs matched against a name, one for those against the
        root-relative path (each checked path asked 21 globs one by one)."""

        def joined(globs: list[str]) -> re.Pattern[str] | None:
            return re.compile("|".join(fnmatch.translate(g) for g in globs)) if globs else None

        globs = [pattern.rstrip("/") for pattern in self.exclude_patterns]
        return joined([g for g in globs if "/" not in g]), joined([g for g in globs if "/" in g])


# Folders that never hold a user's training configs (`exclude` replaces this list).
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "node_modules", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".ce_lint_cache",
    "site-packages", "dist", "build", ".ipynb_checkpoints", ".eggs", "*.egg-info",
)  # fmt: skip


def glob_matches(rel: str, pattern: str) -> bool:
    """`pattern` against a root-relative path; a pattern without `/` also matches the name."""
    if fnmatch.fnmatchcase(rel, pattern):
        return True
    return "/" not in pattern and fnmatch.fnmatchcase(Path(rel).name, pattern)


def common_folder(paths: Iterable[str]) -> Path:
    """The deepest folder that holds every path (a file's own folder for a single file)."""
    folders = []
    for raw in paths:
        path = resolved(raw)
        folders.append(str(path if path.is_dir() else path.parent))
    if not folders:
        return Path.cwd()
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:  # different drives
        return Path(folders[0])


def find_pyproject(start: Path) -> Path | None:
    start = resolved(start)
    directory = start if start.is_dir() else start.parent
    for folder in [directory, *directory.parents]:
        if _has_ce_lint_table(folder):
            return folder / "pyproject.toml"
    return None


def _has_ce_lint_table(folder: Path) -> bool:
    candidate = folder / "pyproject.toml"
    try:
        stat = candidate.stat()
    except OSError:
        return False
    return _holds_table(candidate, stat.st_mtime_ns, stat.st_size)


@cache
def _holds_table(candidate: Path, mtime_ns: int, size: int) -> bool:
    """Cached by modification time: many files of one folder share the answer."""
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return "ce-lint" in data.get("tool", {})


def other_configs(settings: Settings, paths: Iterable[str]) -> dict[str, Path]:
    """Checked paths whose nearest [tool.ce-lint] is not the one this run reads."""
    out = {}
    for raw in paths:
        nearest = find_pyproject(Path(raw))
        if nearest is not None and (settings.path is None or nearest != settings.path.resolve()):
            out[raw] = nearest
    return out


def load_settings(config: Path | None, paths: list[str]) -> Settings:
    path = config
    if path is None:
        path = find_pyproject(common_folder(paths) if paths else Path.cwd())
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from None
    values = data.get("tool", {}).get("ce-lint", {})
    if config is not None and "tool" not in data and values == {}:
        values = data  # a standalone ce-lint.toml
    validate(values, path)
    return Settings(path, values)


def validate(values: dict[str, Any], path: Path) -> None:
    for key in values:
        if key not in KNOWN_SETTINGS:
            close = difflib.get_close_matches(key, KNOWN_SETTINGS, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise SettingsError(f"{path}: unknown setting `{key}` in [tool.ce-lint]{hint}")
    if "class" in values or values.get("per-file-class"):
        _check_classes(values, path)
    _check_types(values, path)


def _check_classes(values: dict[str, Any], path: Path) -> None:
    from .model import ARGUMENT_CLASSES

    known = (*ARGUMENT_CLASSES, *sorted(Knowledge.load().third_party_classes))
    for key in ("class",):
        if key in values and values[key] not in known:
            raise SettingsError(
                f"{path}: `{key}` must be one of {', '.join(ARGUMENT_CLASSES)} or a class of trl "
                "that extends TrainingArguments (SFTConfig, ...)"
            )
    for cls in (values.get("per-file-class") or {}).values():
        if cls not in known:
            raise SettingsError(f"{path}: per-file-class value {cls!r} is not an arguments class")


# The shape each setting must have: a list of strings, a table of a list or a string per
# key, a string or a bool. `class` and the code lists are checked more closely elsewhere.
_LISTS = ("select", "ignore", "extend-select", "exclude", "extend-exclude",
          "extend-safe-fixes", "extend-unsafe-fixes")  # fmt: skip
_TABLES_OF_LISTS = ("per-file-ignores",)
_TABLES_OF_STRINGS = ("target", "per-file-hardware", "per-file-class")
_STRINGS = ("hardware", "class", "output-format", "baseline", "cache-dir")
_BOOLS = ("unsafe-fixes",)
CODE_LISTS = ("select", "ignore", "extend-select", "extend-safe-fixes", "extend-unsafe-fixes")


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check_types(values: dict[str, Any], path: Path) -> None:
    def fail(key: str, shape: str) -> None:
        raise SettingsError(f"{path}: `{key}` in [tool.ce-lint] must be {shape}")

    for key, value in values.items():
        if key in _LISTS and not _is_strings(value):
            fail(key, 'a list of strings, e.g. ["CE1"]')
        elif key in _TABLES_OF_LISTS and not (
            isinstance(value, dict) and all(_is_strings(v) for v in value.values())
        ):
            fail(key, 'a table of glob = [codes], e.g. { "legacy/*" = ["CE101"] }')
        elif key in _TABLES_OF_STRINGS and not (
            isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        ):
            fail(key, 'a table of strings, e.g. { "configs/*" = "..." }')
        elif key in _STRINGS and not isinstance(value, str):
            fail(key, "a string")
        elif key in _BOOLS and not isinstance(value, bool):
            fail(key, "true or false")
    if "max-file-size" in values:
        try:
            parse_size(values["max-file-size"])
        except ValueError as exc:
            fail("max-file-size", str(exc))
    if "output-format" in values:
        from .report import format_names

        names = format_names()
        if values["output-format"] not in names:
            fail("output-format", f"one of {', '.join(names)}")


_SIZE = re.compile(r"^\s*(\d+)\s*([KMG]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9,
          "kib": 2**10, "mib": 2**20, "gib": 2**30}  # fmt: skip


def parse_size(value: Any) -> int:
    """A size in bytes from 20000000, "20MB" or "512 KiB"."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) == 0:
        raise ValueError('a positive number of bytes, or a size such as "20MB" or "512KiB"')
    return int(match.group(1)) * _UNITS[(match.group(2) or "").lower()]


def check_codes(codes: Iterable[str], known: Iterable[str], where: str) -> None:
    """Every code or prefix must name at least one rule (`ALL` names them all)."""
    known = sorted(known)
    for code in codes:
        if code == "ALL" or any(k.startswith(code) for k in known):
            continue
        hint = _code_hint(code, known)
        raise SettingsError(f"{where}: `{code}` is not a rule code or prefix{hint}")


def _code_hint(code: str, known: list[str]) -> str:
    # Letters typed for digits (CE1O1, CE1l0) first, then the closest spelling.
    digits = code[:2].upper() + code[2:].upper().translate(str.maketrans("OIL", "011"))
    if any(k.startswith(digits) for k in known):
        return f"; did you mean `{digits}`?"
    close = difflib.get_close_matches(code.upper(), known, n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def validate_codes(settings: Settings, known: Iterable[str]) -> None:
    known = list(known)
    where = str(settings.path)
    for key in CODE_LISTS:
        check_codes(settings.get(key, []), known, f"{where}: {key}")
    for pattern, codes in (settings.get("per-file-ignores") or {}).items():
        check_codes(codes, known, f"{where}: per-file-ignores {pattern!r}")
