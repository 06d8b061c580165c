"""Regenerate ``data/*.json`` from released wheels, parsed with ``ast`` (never installed or imported).

python -m ce_lint.knowledge.regenerate --check   # exit 1 with a diff summary if data is stale
python -m ce_lint.knowledge.regenerate --write [--library transformers] [--add-newer] [--cache DIR]
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

DATA_DIR = Path(__file__).parent / "data"
TRANSFORMERS = "transformers"
SENTENCE_TRANSFORMERS = "sentence-transformers"
DATA_FILES = {
    TRANSFORMERS: DATA_DIR / "transformers.json",
    SENTENCE_TRANSFORMERS: DATA_DIR / "sentence_transformers.json",
}

TF_TRAINING_ARGS = "transformers/training_args.py"
TF_SEQ2SEQ_ARGS = "transformers/training_args_seq2seq.py"
TF_ENUM_FILES = (
    "transformers/trainer_utils.py",
    "transformers/training_args.py",
    "transformers/debug_utils.py",
)
TF_INTEGRATION_FILES = (
    "transformers/integrations/integration_utils.py",
    "transformers/integrations.py",
)
TF_ENUMS = (
    "IntervalStrategy",
    "SaveStrategy",
    "HubStrategy",
    "SchedulerType",
    "OptimizerNames",
    "FSDPOption",
    "DebugOption",
    "ShardedDDPOption",
    "EvaluationStrategy",
    "HPSearchBackend",
    "ParallelMode",
)
REPORT_TO_ENUM = "ReportToIntegrations"
ST_ENUMS = ("BatchSamplers", "MultiDatasetBatchSamplers")
# Base classes through which sentence-transformers' arguments class extends transformers'.
ST_TRANSFORMERS_BASES = ("TrainingArguments", "TransformersTrainingArguments")

# Keys of the data files that nothing derives from the wheels: kept as committed.
CURATED_KEYS = frozenset({"classes", "enum_modules", "deprecated_with", "note"})

# How a `default_factory` is written in each data file.
FACTORY_FORMATS = {TRANSFORMERS: "<factory {}>", SENTENCE_TRANSFORMERS: "factory:{}"}

# Help texts that deprecate their own field: "Deprecated, use ...", "This argument is deprecated".
HELP_DEPRECATED = re.compile(
    r"^\W*deprecated\b|\bthis\s+(?:(?:argument|parameter|option|flag|field)\s+)?"
    r"(?:is|has\s+been)\s+(?:now\s+)?deprecated\b",
    re.IGNORECASE,
)


class FieldSpec(TypedDict):
    """One dataclass field of one release, as read from the source."""

    type: str | None
    default: str | None
    choices: str | None
    help: str
    init: bool
    deprecated: bool
    cls: str | None


@dataclass
class Snapshot:
    """Everything derived from one release."""

    fields: dict[str, FieldSpec] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    requires: dict[str, str] = field(default_factory=dict)
    # The `set_*` helper methods of TrainingArguments -> their keyword parameters.
    methods: dict[str, list[str]] = field(default_factory=dict)


# --------------------------------------------------------------------------- source parsing


def _strings(node: ast.AST | None) -> str:
    """The text of a string expression (implicit or `+` concatenation, f-strings as `{expr}`)."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else ""
    if isinstance(node, ast.JoinedStr):
        return "".join(
            _strings(part)
            if isinstance(part, ast.Constant)
            else "{" + ast.unparse(part.value) + "}"
            for part in node.values
            if isinstance(part, ast.Constant | ast.FormattedValue)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _strings(node.left) + _strings(node.right)
    if isinstance(node, ast.Tuple | ast.List):
        return " ".join(_strings(e) for e in node.elts)
    return ""


def _find_class(tree: ast.Module, name: str) -> ast.ClassDef | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    return None


def _class_constants(cls: ast.ClassDef) -> dict[str, str]:
    """Class-level names assigned a value, rendered like ``name = 'a' ('b' if cond)``.

    Used for defaults such as ``optim = field(default=default_optim)`` where ``default_optim``
    is set in the class body, possibly overridden under ``if`` blocks.
    """
    base: dict[str, str] = {}
    alternatives: dict[str, list[str]] = {}

    def visit(body: list[ast.stmt], conditions: list[str]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if not isinstance(target, ast.Name):
                    continue
                value = ast.unparse(stmt.value)
                if conditions:
                    condition = " and ".join(conditions)
                    alternatives.setdefault(target.id, []).append(f"{value} if {condition}")
                else:
                    base[target.id] = value
            elif isinstance(stmt, ast.If):
                test = ast.unparse(stmt.test)
                visit(stmt.body, [*conditions, test])
                visit(stmt.orelse, [*conditions, f"not ({test})"])

    visit(cls.body, [])
    out = {}
    for name, value in base.items():
        text = f"{name} = {value}"
        if name in alternatives:
            text += " (" + ", ".join(alternatives[name]) + ")"
        out[name] = text
    return out


def _is_field_call(node: ast.expr | None) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )
    return name == "field"


def _method_strings(cls: ast.ClassDef) -> list[str]:
    """Every string literal inside the methods of a class (warnings, errors, docstrings)."""
    out = []
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(stmt):
                if isinstance(node, ast.JoinedStr) or (
                    isinstance(node, ast.Constant) and isinstance(node.value, str)
                ):
                    out.append(_strings(node))
    return out


def mentions_deprecated(text: str, name: str) -> bool:
    """True when a message says that `name` itself is deprecated.

    Matches "`name` is deprecated", "Using `--name` is deprecated", "The `name` argument is
    deprecated" and "`--a` and `--name` are deprecated", but not "using `X` for `name` is
    deprecated" nor "Passing `name` as a string is deprecated" (a value form, not the field).
    """
    pattern = (
        r"(?:^|\b(?:using|the|and)\s+|,\s*)`?(?:--)?" + re.escape(name) + r"`?"
        r"(?:\s*(?:,|and)\s*`[^`]+`)*"
        r"\s+(?:(?:argument|parameter|option|flag)s?\s+)?"
        r"(?:is|are|has\s+been|have\s+been)\s+(?:now\s+)?deprecated\b"
    )
    return re.search(pattern, text, re.IGNORECASE | re.MULTILINE) is not None


def help_is_deprecated(help_text: str, name: str) -> bool:
    return bool(HELP_DEPRECATED.search(help_text)) or mentions_deprecated(help_text, name)


def parse_dataclass_fields(
    cls: ast.ClassDef, factory_format: str = FACTORY_FORMATS[TRANSFORMERS]
) -> dict[str, FieldSpec]:
    """The fields a dataclass body declares itself, in declaration order."""
    constants = _class_constants(cls)
    messages = _method_strings(cls)
    out: dict[str, FieldSpec] = {}
    for stmt in cls.body:
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        annotation = ast.unparse(stmt.annotation)
        if re.match(r"^(?:typing\.)?ClassVar\b", annotation):
            continue
        name = stmt.target.id
        spec: FieldSpec = {
            "type": annotation,
            "default": None,
            "choices": None,
            "help": "",
            "init": True,
            "deprecated": False,
            "cls": None,
        }
        value = stmt.value
        if _is_field_call(value):
            assert isinstance(value, ast.Call)
            for keyword in value.keywords:
                if keyword.arg == "default":
                    spec["default"] = _render_default(keyword.value, constants)
                elif keyword.arg == "default_factory":
                    spec["default"] = factory_format.format(ast.unparse(keyword.value))
                elif keyword.arg == "init":
                    spec["init"] = not (
                        isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                    )
                elif keyword.arg == "metadata" and isinstance(keyword.value, ast.Dict):
                    for key, item in zip(keyword.value.keys, keyword.value.values, strict=True):
                        if isinstance(key, ast.Constant) and key.value == "help":
                            spec["help"] = _strings(item)
                        elif isinstance(key, ast.Constant) and key.value == "choices":
                            spec["choices"] = ast.unparse(item)
        elif value is not None:
            spec["default"] = _render_default(value, constants)
        spec["deprecated"] = help_is_deprecated(spec["help"], name) or any(
            mentions_deprecated(text, name) for text in messages
        )
        out[name] = spec
    return out


def _render_default(node: ast.expr, constants: Mapping[str, str]) -> str:
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    return ast.unparse(node)


def parse_training_args_source(
    text: str,
    class_name: str = "TrainingArguments",
    factory_format: str = FACTORY_FORMATS[TRANSFORMERS],
) -> dict[str, FieldSpec]:
    """The fields declared by `class_name` in a module's source (empty if the class is absent)."""
    cls = _find_class(ast.parse(text), class_name)
    return parse_dataclass_fields(cls, factory_format) if cls else {}


def parse_enums_source(text: str, names: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Sorted string values of the enum-like classes (class attributes set to string constants).

    With `names`, those of them the module defines (maybe with no values); without, every class
    that has such attributes. A class without own values takes those of a base class defined in
    the same module.
    """
    wanted = set(names) if names is not None else None
    classes = {n.name: n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.ClassDef)}

    def values(cls: ast.ClassDef, seen: frozenset[str]) -> list[str]:
        own = {
            stmt.value.value
            for stmt in cls.body
            if isinstance(stmt, ast.Assign)
            and all(isinstance(t, ast.Name) for t in stmt.targets)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        }
        if own:
            return sorted(own)
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in classes and base.id not in seen:
                inherited = values(classes[base.id], seen | {base.id})
                if inherited:
                    return inherited
        return []

    out = {}
    for name, cls in classes.items():
        if wanted is not None and name not in wanted:
            continue
        found = values(cls, frozenset({name}))
        if found or wanted is not None:
            out[name] = found
    return out


def parse_report_to_source(text: str) -> list[str] | None:
    """Integration names `report_to` accepts: the keys of ``INTEGRATION_TO_CALLBACK``, else the
    names ``get_available_reporting_integrations`` appends (None when the module has neither)."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if (
                isinstance(target, ast.Name)
                and target.id == "INTEGRATION_TO_CALLBACK"
                and isinstance(node.value, ast.Dict)
            ):
                return sorted(
                    k.value
                    for k in node.value.keys
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef)
            and node.name == "get_available_reporting_integrations"
        ):
            names = {
                arg.value
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                for arg in call.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            }
            return sorted(names)
    return None


def parse_requires(metadata: str, package: str) -> str | None:
    """The version specifier of an unconditional ``Requires-Dist: package...`` line."""
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        try:
            req = Requirement(line.split(":", 1)[1].strip())
        except InvalidRequirement:
            continue
        if req.name.lower() == package and req.marker is None and not req.extras:
            return str(req.specifier)
    return None


# --------------------------------------------------------------------------- one release


def parse_helper_methods(text: str, cls_name: str = "TrainingArguments") -> dict[str, list[str]]:
    """Keyword parameters of the `set_*` helpers (set_training, set_evaluate, ...)."""
    cls = _find_class(ast.parse(text), cls_name)
    if cls is None:
        return {}
    out = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("set_"):
            params = node.args.args[1:] + node.args.kwonlyargs
            out[node.name] = [a.arg for a in params]
    return out


def transformers_snapshot(sources: Mapping[str, str]) -> Snapshot:
    """Derive one transformers release from its sources (wheel path -> text)."""
    fmt = FACTORY_FORMATS[TRANSFORMERS]
    snap = Snapshot()
    if TF_TRAINING_ARGS in sources:
        snap.fields = parse_training_args_source(sources[TF_TRAINING_ARGS], factory_format=fmt)
        snap.methods = parse_helper_methods(sources[TF_TRAINING_ARGS])
    if TF_SEQ2SEQ_ARGS in sources:
        own = parse_training_args_source(sources[TF_SEQ2SEQ_ARGS], "Seq2SeqTrainingArguments", fmt)
        for name, spec in own.items():
            if name not in snap.fields:
                snap.fields[name] = {**spec, "cls": "Seq2SeqTrainingArguments"}
    for path in TF_ENUM_FILES:
        if path in sources:
            for name, values in parse_enums_source(sources[path], TF_ENUMS).items():
                if values and name not in snap.enums:
                    snap.enums[name] = values
    for path in TF_INTEGRATION_FILES:
        if path in sources:
            names = parse_report_to_source(sources[path])
            if names is not None:
                snap.enums[REPORT_TO_ENUM] = names
                break
    return snap


def is_st_source(path: str) -> bool:
    """Whether a sentence-transformers wheel path is one the regeneration reads."""
    return path.startswith("sentence_transformers/") and path.endswith(
        ("training_args.py", "sampler.py")
    )


def sentence_transformers_snapshot(
    sources: Mapping[str, str], metadata: str | None = None
) -> Snapshot:
    """Derive one sentence-transformers release: the fields its arguments classes add to
    transformers' TrainingArguments, its sampler enums and its transformers requirement."""
    fmt = FACTORY_FORMATS[SENTENCE_TRANSFORMERS]
    snap = Snapshot()
    roots: dict[str, dict[str, FieldSpec]] = {}
    others: dict[str, dict[str, FieldSpec]] = {}
    for path in sorted(sources):
        if not is_st_source(path):
            continue
        tree = ast.parse(sources[path])
        for cls in ast.walk(tree):
            if not isinstance(cls, ast.ClassDef):
                continue
            if cls.name in ST_ENUMS:
                snap.enums[cls.name] = parse_enums_source(sources[path], [cls.name])[cls.name]
                continue
            bases = {ast.unparse(b).rsplit(".", 1)[-1] for b in cls.bases}
            own = parse_dataclass_fields(cls, fmt)
            if bases & set(ST_TRANSFORMERS_BASES):
                roots[cls.name] = own
            elif own and cls.name.endswith("TrainingArguments"):
                others[cls.name] = own
    for own in roots.values():
        snap.fields.update(own)
    for cls_name, own in sorted(others.items()):
        for name, spec in own.items():
            if name not in snap.fields:
                snap.fields[name] = {**spec, "cls": cls_name}
    requirement = parse_requires(metadata, TRANSFORMERS) if metadata else None
    if requirement is not None:
        snap.requires[TRANSFORMERS] = requirement
    return snap


# --------------------------------------------------------------------------- histories


def _changes(values: Iterable[tuple[str, Any]], drop_leading_none: bool = False) -> list[list[Any]]:
    out: list[list[Any]] = []
    for version, value in values:
        if not out and drop_leading_none and value is None:
            continue
        if not out or out[-1][1] != value:
            out.append([version, value])
    return out


def build_data(library: str, snapshots: Mapping[str, Snapshot]) -> dict[str, Any]:
    """The data-file layout (without curated keys) from per-release snapshots."""
    versions = sorted(snapshots, key=Version)
    fields: dict[str, Any] = {}
    names = sorted({name for snap in snapshots.values() for name in snap.fields})
    for name in names:
        present = [v for v in versions if name in snapshots[v].fields]
        specs = [(v, snapshots[v].fields[name]) for v in present]
        following = versions[versions.index(present[-1]) + 1 :]
        entry: dict[str, Any] = {
            "first": present[0],
            "removed_in": following[0] if following else None,
            "deprecated_in": next((v for v, s in specs if s["deprecated"]), None),
            "defaults": _changes((v, s["default"]) for v, s in specs),
            "types": _changes((v, s["type"]) for v, s in specs),
        }
        choices = _changes(((v, s["choices"]) for v, s in specs), drop_leading_none=True)
        if choices:
            entry["choices"] = choices
        if any(not s["init"] for _, s in specs):
            entry["init"] = False
        cls = specs[-1][1]["cls"]
        if cls:
            entry["class"] = cls
        fields[name] = entry
    enums: dict[str, Any] = {}
    for enum in sorted({e for snap in snapshots.values() for e in snap.enums}):
        history = ((v, snapshots[v].enums.get(enum)) for v in versions)
        enums[enum] = _changes(history, drop_leading_none=True)
    data: dict[str, Any] = {
        "library": library,
        "versions": versions,
        "fields": fields,
        "enums": enums,
    }
    methods = sorted({m for snap in snapshots.values() for m in snap.methods})
    if methods:
        data["methods"] = {
            m: _changes(
                ((v, snapshots[v].methods.get(m)) for v in versions), drop_leading_none=True
            )
            for m in methods
        }
    if library == SENTENCE_TRANSFORMERS:
        data["requires"] = {
            v: dict(snapshots[v].requires) for v in versions if snapshots[v].requires
        }
    return data


def apply_curated_overrides(derived: dict[str, Any], curated: dict[str, Any]) -> list[str]:
    """Keep curated conditional deprecations: a field with ``deprecated_with`` (deprecated only
    together with some transformers release) keeps its curated ``deprecated_in``."""
    notes = []
    for name, cur in curated.get("fields", {}).items():
        new = derived.get("fields", {}).get(name)
        if new is None or "deprecated_with" not in cur:
            continue
        if new["deprecated_in"] != cur.get("deprecated_in"):
            notes.append(
                f"fields.{name}.deprecated_in: derived {new['deprecated_in']!r}, kept curated "
                f"{cur.get('deprecated_in')!r} (conditional: deprecated_with {cur['deprecated_with']})"
            )
            new["deprecated_in"] = cur.get("deprecated_in")
    return notes


def merge(
    derived: Any,
    curated: Any,
    path: str = "",
    report: list[str] | None = None,
    kept: list[str] | None = None,
) -> Any:
    """Derived values win; keys only the curated file has are kept.

    Differences go to `report`; kept keys other than the known curated ones (``CURATED_KEYS``:
    nothing derives them) go to `kept`, as they may be something the parser missed.
    """
    if isinstance(derived, dict) and isinstance(curated, dict):
        out = {}
        for key in sorted(set(derived) | set(curated)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in curated:
                out[key] = derived[key]
                if report is not None:
                    report.append(f"{sub}: new {_short(derived[key])}")
            elif key not in derived:
                out[key] = curated[key]
                if kept is not None and key not in CURATED_KEYS:
                    kept.append(f"{sub}: not derived, kept {_short(curated[key])}")
            else:
                out[key] = merge(derived[key], curated[key], sub, report, kept)
        return out
    if derived != curated and report is not None:
        if _is_history(derived) and _is_history(curated):
            report.append(f"{path}: {_history_diff(curated, derived)}")
        else:
            report.append(f"{path}: committed {_short(curated)} -> derived {_short(derived)}")
    return derived


def _is_history(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(e, list) and len(e) == 2 and isinstance(e[0], str) for e in value
    )


def _history_diff(committed: list[list[Any]], derived: list[list[Any]]) -> str:
    """The entries of two ``[[version, value], ...]`` histories that differ, release by release."""
    old, new = dict(map(tuple, committed)), dict(map(tuple, derived))
    parts = []
    for version in sorted(set(old) | set(new), key=Version):
        a, b = old.get(version, "<none>"), new.get(version, "<none>")
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            gone, added = sorted(set(a) - set(b)), sorted(set(b) - set(a))
            parts.append(f"{version} committed-only {gone} derived-only {added}")
        else:
            parts.append(f"{version} committed {_short(a)} derived {_short(b)}")
    return "; ".join(parts)


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- state at a release


def _at(history: list[list[Any]] | None, version: str) -> Any:
    current = None
    for since, value in history or []:
        if Version(since) <= Version(version):
            current = value
    return current


def fields_at(data: Mapping[str, Any], version: str) -> dict[str, dict[str, Any]]:
    """Each field a data file says exists at `version`, with its default, type, choices..."""
    out = {}
    v = Version(version)
    for name, f in data.get("fields", {}).items():
        if Version(f["first"]) > v or (f.get("removed_in") and Version(f["removed_in"]) <= v):
            continue
        out[name] = {
            "default": _at(f.get("defaults"), version),
            "type": _at(f.get("types"), version),
            "choices": _at(f.get("choices"), version),
            "deprecated": bool(f.get("deprecated_in") and Version(f["deprecated_in"]) <= v),
            "init": f.get("init", True),
            "class": f.get("class"),
        }
    return out


def enums_at(data: Mapping[str, Any], version: str) -> dict[str, list[str]]:
    """Each enum a data file lists at `version` (absent enums left out)."""
    out = {}
    for name, history in data.get("enums", {}).items():
        values = _at(history, version)
        if values is not None:
            out[name] = values
    return out


def compare_at(committed: Mapping[str, Any], derived: Mapping[str, Any], version: str) -> list[str]:
    """Readable differences between two data files at one release."""
    lines = []
    old, new = fields_at(committed, version), fields_at(derived, version)
    for name in sorted(set(old) | set(new)):
        if name not in new:
            lines.append(f"{version}: field {name} in committed data, not in the wheel")
        elif name not in old:
            lines.append(f"{version}: field {name} in the wheel, not in committed data")
        else:
            for key in old[name]:
                if old[name][key] != new[name][key]:
                    lines.append(
                        f"{version}: {name}.{key}: committed {old[name][key]!r}, "
                        f"wheel {new[name][key]!r}"
                    )
    old_enums, new_enums = enums_at(committed, version), enums_at(derived, version)
    for name in sorted(set(old_enums) | set(new_enums)):
        a, b = old_enums.get(name), new_enums.get(name)
        if a != b:
            missing = sorted(set(a or []) - set(b or []))
            extra = sorted(set(b or []) - set(a or []))
            lines.append(
                f"{version}: enum {name}: only committed {missing if a else None}, "
                f"only wheel {extra if b else None}"
            )
    if "requires" in derived:
        a = committed.get("requires", {}).get(version)
        b = derived["requires"].get(version)
        if a != b:
            lines.append(f"{version}: requires: committed {a!r}, wheel {b!r}")
    return lines


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
    path: Path, wanted: Iterable[str] | None = None
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
                wanted_set is None and is_st_source(name)
            ):
                sources[name] = zf.read(name).decode("utf-8")
    return sources, metadata


def snapshot_from_wheel(library: str, wheel: Path) -> Snapshot:
    if library == TRANSFORMERS:
        wanted = {TF_TRAINING_ARGS, TF_SEQ2SEQ_ARGS, *TF_ENUM_FILES, *TF_INTEGRATION_FILES}
        sources, _ = read_wheel(wheel, wanted)
        return transformers_snapshot(sources)
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
    package = TRANSFORMERS if library == TRANSFORMERS else SENTENCE_TRANSFORMERS
    snapshots = {v: snapshot_from_wheel(library, fetch_wheel(package, v, cache)) for v in versions}
    derived = build_data(library, snapshots)
    derived["source"] = committed.get("source", "")
    return derived, apply_curated_overrides(derived, committed)


def dumps(data: Mapping[str, Any]) -> str:
    """The committed files' exact layout (no trailing newline)."""
    return json.dumps(data, indent=1, sort_keys=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ce_lint.knowledge.regenerate",
        description="Regenerate the version-knowledge data files from released wheels.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 if the data would change")
    mode.add_argument("--write", action="store_true", help="overwrite the data files")
    parser.add_argument(
        "--library", choices=[TRANSFORMERS, SENTENCE_TRANSFORMERS, "all"], default="all"
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

    libraries = [TRANSFORMERS, SENTENCE_TRANSFORMERS] if args.library == "all" else [args.library]
    status = 0
    for library in libraries:
        path = DATA_FILES[library]
        committed = json.loads(path.read_text(encoding="utf-8"))
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
                path.write_text(dumps(merged), encoding="utf-8")
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
