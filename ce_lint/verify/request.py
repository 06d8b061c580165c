"""What to verify: one request per Site the static rules saw (parent side, no heavy imports).

A request carries the arguments class, the entries whose values are known statically, the
names of entries whose values are not (the smoke run leaves them at their defaults and the
report says so) and the line of every entry, so that a failure can point back at a line.
A Site with errors from the static rules never reaches the worker: it fails with them.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import Finding, Severity
from ..model import Site
from ..results import FileResult

# Entries that make the Trainer set up a process group: verified under torchrun.
DISTRIBUTED_KEYS = ("ddp_backend", "fsdp", "deepspeed")
# Entries whose string value may be a path to a JSON file, read relative to where the user
# runs training; the worker runs in a temporary directory, so they are made absolute here.
JSON_PATH_KEYS = ("deepspeed", "fsdp_config", "accelerator_config")


@dataclass
class SmokeOptions:
    steps: int = 2
    model: str | None = None  # a local model directory instead of the tiny generated one
    nproc: int | None = None  # processes for every config (torchrun when more than one)
    timeout: float = 300.0  # seconds per config

    @classmethod
    def pop_from(cls, opts: dict[str, Any]) -> SmokeOptions:
        model = opts.pop("smoke_model", None)
        return cls(
            steps=opts.pop("steps", 2) or 2,
            model=str(Path(model).resolve()) if model else None,
            nproc=opts.pop("nproc", None),
            timeout=float(opts.pop("smoke_timeout", 300.0) or 300.0),
        )


@dataclass
class Request:
    path: str
    line: int
    cls: str
    args: dict[str, Any]
    unknown: list[str]  # entries whose value is not known statically
    lines: dict[str, int]  # entry -> line of its key
    steps: int
    model: str | None
    nproc: int
    distributed: bool  # the config itself asks for a process group
    why_unknown: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def launcher(self) -> str:
        return f"torchrun x{self.nproc}" if self.uses_torchrun else "worker"

    @property
    def uses_torchrun(self) -> bool:
        return self.nproc > 1 or self.distributed

    def payload(self) -> dict[str, Any]:
        """What the worker receives (JSON)."""
        return {
            "label": self.label,
            "cls": self.cls,
            "args": self.args,
            "unknown": self.unknown,
            "steps": self.steps,
            "model": self.model,
        }


@dataclass
class Outcome:
    """The verdict on one Site (or on a file that could not be read)."""

    path: str
    line: int
    cls: str
    status: str  # verified | failed | blocked | timeout
    reason: str = ""
    fields: list[tuple[str, int | None]] = field(default_factory=list)  # blamed entries
    unknown: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # static errors that blocked it
    result: dict[str, Any] = field(default_factory=dict)  # what the worker measured
    launcher: str = "worker"
    hint: str | None = None  # what to change, for failures the libraries explain poorly

    @property
    def ok(self) -> bool:
        return self.status == "verified"

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line}"


class NotPlain(ValueError):
    """A value that cannot travel to the worker as JSON."""


def plain(value: Any) -> Any:
    """The value as JSON data, or NotPlain (dates, tags, partially unknown containers)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise NotPlain("a mapping with non-string keys")
        return {k: plain(v) for k, v in value.items()}
    raise NotPlain(f"a {type(value).__name__} value")


def plan(
    results: list[FileResult], options: SmokeOptions, gpus: int | None = None
) -> list[Request | Outcome]:
    """A request for every Site, or an outcome straight away for what cannot be built."""
    gpus = visible_gpus() if gpus is None else gpus
    out: list[Request | Outcome] = []
    for result in results:
        document = result.document
        if document is None or document.problems:
            problems = [f for f in result.findings if f.severity is Severity.ERROR]
            if problems:
                out.append(Outcome(result.path, 1, "", "failed", problems[0].message))
            continue
        for site in document.sites:
            line = document.location(site.span.start)[0]
            errors = site_errors(site, result.findings)
            if errors:
                out.append(blocked(site, line, errors, document.location))
                continue
            out.append(request_for(site, line, document.location, options, gpus))
    return out


def site_errors(site: Site, findings: list[Finding]) -> list[Finding]:
    def belongs(f: Finding) -> bool:
        if f.site is not None:
            return f.site is site
        return site.span.start <= f.span.start < max(site.span.end, site.span.start + 1)

    return [f for f in findings if f.severity is Severity.ERROR and belongs(f)]


def blocked(site: Site, line: int, errors: list[Finding], location: Any) -> Outcome:
    fields: list[tuple[str, int | None]] = []
    for f in errors:
        for name in f.fields or ():
            entry = site.get(name)
            fields.append((name, location(entry.key_span.start)[0] if entry else None))
    return Outcome(
        site.path,
        line,
        site.cls,
        "blocked",
        f"the static rules found {len(errors)} error{'s' if len(errors) != 1 else ''} that "
        "the libraries would refuse; fix them first (ce-lint fix)",
        fields=list(dict.fromkeys(fields)),
        findings=[f"{f.code} line {location(f.span.start)[0]}: {f.message}" for f in errors],
    )


# Unknown values whose default the known ones may not accept (save_strategy="best" needs a
# metric): the smoke run's stand-in evaluator reports this metric.
STAND_INS = {"metric_for_best_model": "stand_in_accuracy"}


def request_for(site: Site, line: int, location: Any, options: SmokeOptions, gpus: int) -> Request:
    args: dict[str, Any] = {}
    unknown: dict[str, None] = {}
    why: dict[str, str] = {}
    lines: dict[str, int] = {}
    for entry in site.entries:
        lines[entry.key] = location(entry.key_span.start)[0]
        args.pop(entry.key, None)  # a repeated key: the last one wins, as in the loaders
        unknown.pop(entry.key, None)
        if not entry.value.known:
            unknown[entry.key] = None
            why[entry.key] = "not known statically"
            continue
        try:
            args[entry.key] = plain(entry.value.py)
        except NotPlain as exc:
            unknown[entry.key] = None
            why[entry.key] = str(exc)
    for key, value in STAND_INS.items():
        if key in unknown:  # its default would make the known values invalid
            args[key] = value
            why[key] = f"not known statically; the smoke run uses {value!r}"
    base = Path(site.path).parent
    for key in JSON_PATH_KEYS:
        if isinstance(args.get(key), str):
            args[key] = absolute_json_path(args[key], base)
    distributed = asks_for_processes(args)
    nproc = options.nproc or (default_processes(gpus) if distributed else 1)
    return Request(
        site.path,
        line,
        site.cls,
        args,
        list(unknown),
        lines,
        options.steps,
        options.model,
        nproc,
        distributed,
        why,
    )


def absolute_json_path(value: str, base: Path) -> str:
    """`ds_config.json` is read from where training starts: try the current directory,
    then the config file's directory; inline JSON and unknown files stay as written."""
    if value.lstrip().startswith("{"):
        return value
    for candidate in (Path.cwd() / value, base / value):
        if candidate.is_file():
            return str(candidate.resolve())
    return value


def asks_for_processes(args: dict[str, Any]) -> bool:
    return any(args.get(key) not in (None, False, "", [], {}) for key in DISTRIBUTED_KEYS)


def default_processes(gpus: int) -> int:
    """Two processes prove the process group works; on a machine with one GPU, one."""
    return 2 if gpus == 0 else min(gpus, 2)


def visible_gpus() -> int:
    """NVIDIA GPUs this process may use, without importing torch."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        ids = [v for v in visible.split(",") if v.strip() and v.strip() != "-1"]
        return len(ids)
    with contextlib.suppress(OSError):
        return sum(1 for _ in Path("/proc/driver/nvidia/gpus").iterdir())
    # Containers often lack /proc/driver/nvidia but do have the device files.
    return sum(1 for p in Path("/dev").glob("nvidia*") if p.name[6:].isdigit())
