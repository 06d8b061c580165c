"""`[tool.ce-lint]` in pyproject.toml, merged with command-line options.

The file is found by walking up from the first checked path (or given with --config).
Unknown settings are an error with a did-you-mean, so a typo never silently does nothing.
"""

from __future__ import annotations

import difflib
import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import ARGUMENT_CLASSES

KNOWN_SETTINGS = {
    "select": "rule codes or prefixes to report (default: all)",
    "ignore": "rule codes or prefixes to leave out",
    "extend-select": "codes added to `select`",
    "per-file-ignores": "glob -> codes ignored in matching files",
    "exclude": "globs of paths never checked (replaces the defaults)",
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
    "baseline": "baseline file of accepted findings",
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
        try:
            return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def class_for(self, path: str) -> str | None:
        rel = self.relative(path)
        for pattern, cls in (self.get("per-file-class") or {}).items():
            if fnmatch.fnmatch(rel, pattern):
                return cls
        return self.get("class")

    def ignores_for(self, path: str) -> list[str]:
        rel = self.relative(path)
        out: list[str] = []
        for pattern, codes in (self.get("per-file-ignores") or {}).items():
            if fnmatch.fnmatch(rel, pattern):
                out += codes
        return out


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    for folder in [directory, *directory.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                continue
            if "ce-lint" in data.get("tool", {}):
                return candidate
    return None


def load_settings(config: Path | None, paths: list[str]) -> Settings:
    path = config
    if path is None:
        path = find_pyproject(Path(paths[0]) if paths else Path.cwd())
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
    for key in ("class",):
        if key in values and values[key] not in ARGUMENT_CLASSES:
            raise SettingsError(f"{path}: `{key}` must be one of {', '.join(ARGUMENT_CLASSES)}")
    for cls in (values.get("per-file-class") or {}).values():
        if cls not in ARGUMENT_CLASSES:
            raise SettingsError(f"{path}: per-file-class value {cls!r} is not an arguments class")
