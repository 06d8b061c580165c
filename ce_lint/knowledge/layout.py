"""The data files' layout: histories of fields, enums and helpers across releases.

`build_data` makes the layout from per-release snapshots, `append_release` adds a newer
release to it, `fields_at`/`enums_at`/`compare_at` read it back at one release.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import Any

from packaging.version import Version

from .names import SENTENCE_TRANSFORMERS
from .sources import FieldSpec, Snapshot

# Keys of the data files that nothing derives from the wheels: kept as committed.
CURATED_KEYS = frozenset(
    {
        "classes",
        "enum_modules",
        "deprecated_with",
        "note",
        "after_removal",
        "trainer_attributes",
        "fit",
        "api_curated",
    }
)

# --------------------------------------------------------------------------- histories


def empty_data(library: str) -> dict[str, Any]:
    """The layout of a library with no release examined yet."""
    data: dict[str, Any] = {"library": library, "versions": [], "fields": {}, "enums": {}}
    if library == SENTENCE_TRANSFORMERS:
        data["requires"] = {}
    return data


def build_data(library: str, snapshots: Mapping[str, Snapshot]) -> dict[str, Any]:
    """The data-file layout (without curated keys) from per-release snapshots."""
    data = empty_data(library)
    for version in sorted(snapshots, key=Version):
        data = append_release(data, version, snapshots[version])
    return data


def append_release(data: Mapping[str, Any], version: str, snap: Snapshot) -> dict[str, Any]:
    """A copy of `data` that also describes `version`, newer than every release it holds.

    Histories record a value when it changes; a field missing from the snapshot is removed
    in `version`. Curated keys stay, and a curated conditional deprecation
    (``deprecated_with``) keeps its ``deprecated_in``.
    """
    out = copy.deepcopy(dict(data))
    if out["versions"] and Version(version) <= Version(out["versions"][-1]):
        raise ValueError(f"{version} is not newer than {out['versions'][-1]}")
    out["versions"] = [*out["versions"], version]
    _append_fields(out["fields"], version, snap.fields)
    if snap.classes or out.get("arguments_classes"):
        _append_classes(out.setdefault("arguments_classes", {}), version, snap)
    for key, values in (
        ("enums", snap.enums),
        ("methods", snap.methods),
        ("trainers", snap.trainers),
    ):
        histories = out.get(key, {})
        for name in sorted(set(histories) | set(values)):
            if name in values or histories[name]:
                _record(histories.setdefault(name, []), version, values.get(name))
        if histories:
            out[key] = histories
    if snap.api:
        # Only a snapshot that read the API sources speaks of it (an installed release's may not).
        api = out.setdefault("api", {})
        for name in sorted(set(api) | set(snap.api)):
            if name in snap.api or api[name][-1][1] is not None:
                _record(api.setdefault(name, []), version, snap.api.get(name))
    if snap.json_text_fields is not None or out.get("json_text_fields"):
        _record(out.setdefault("json_text_fields", []), version, snap.json_text_fields)
    if snap.requires:
        out.setdefault("requires", {})[version] = dict(snap.requires)
    return out


def _append_fields(
    fields: dict[str, Any], version: str, specs: Mapping[str, FieldSpec], histories: bool = True
) -> None:
    """Add one release's fields to field histories (a field missing from it is removed there);
    without `histories`, only when each field exists and is deprecated."""
    for name, entry in fields.items():
        if name not in specs and entry["removed_in"] is None:
            entry["removed_in"] = version
    for name, spec in specs.items():
        entry = fields.setdefault(
            name, {"first": version, "removed_in": None, "deprecated_in": None}
        )
        entry["removed_in"] = None
        if spec["deprecated"] and entry["deprecated_in"] is None and "deprecated_with" not in entry:
            entry["deprecated_in"] = version
        if not histories:
            continue
        _record(entry.setdefault("defaults", []), version, spec["default"])
        _record(entry.setdefault("types", []), version, spec["type"])
        if spec["choices"] is not None or "choices" in entry:
            _record(entry.setdefault("choices", []), version, spec["choices"])
        if not spec["init"]:
            entry["init"] = False
        if spec["cls"]:
            entry["class"] = spec["cls"]
        else:
            entry.pop("class", None)


def _append_classes(classes: dict[str, Any], version: str, snap: Snapshot) -> None:
    """Add one release's third-party arguments classes (trl): when each exists, the
    transformers class it extends, and the histories of the fields it declares."""
    for name, entry in classes.items():
        if name not in snap.classes and entry["removed_in"] is None:
            entry["removed_in"] = version
    for name, info in snap.classes.items():
        entry = classes.setdefault(
            name, {"first": version, "removed_in": None, "base": [], "fields": {}}
        )
        entry["removed_in"] = None
        _record(entry["base"], version, info["base"])
        # Which releases declare a field is what is judged of these classes: their defaults
        # and types are not kept.
        _append_fields(entry["fields"], version, info["fields"], histories=False)


def _record(history: list[list[Any]], version: str, value: Any) -> None:
    """Append `[version, value]` to a history when the value changed."""
    if not history or history[-1][1] != value:
        history.append([version, value])


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
    a = _at(committed.get("json_text_fields"), version)
    b = _at(derived.get("json_text_fields"), version)
    if a != b:
        lines.append(f"{version}: json_text_fields: committed {a!r}, wheel {b!r}")
    if "requires" in derived:
        a = committed.get("requires", {}).get(version)
        b = derived["requires"].get(version)
        if a != b:
            lines.append(f"{version}: requires: committed {a!r}, wheel {b!r}")
    return lines


def dumps(data: Mapping[str, Any]) -> str:
    """The committed files' exact layout (no trailing newline)."""
    return json.dumps(data, indent=1, sort_keys=True)


def snapshot_at(data: Mapping[str, Any], version: str) -> Snapshot:
    """The snapshot of one release as `data` describes it (help texts are not kept)."""
    fields: dict[str, FieldSpec] = {
        name: {
            "type": f["type"],
            "default": f["default"],
            "choices": f["choices"],
            "help": "",
            "init": f["init"],
            "deprecated": f["deprecated"],
            "cls": f["class"],
        }
        for name, f in fields_at(data, version).items()
    }
    methods = {m: _at(h, version) for m, h in data.get("methods", {}).items()}
    trainers = {t: _at(h, version) for t, h in data.get("trainers", {}).items()}
    api = {a: _at(h, version) for a, h in data.get("api", {}).items()}
    return Snapshot(
        fields=fields,
        enums=enums_at(data, version),
        requires=dict(data.get("requires", {}).get(version) or {}),
        methods={m: p for m, p in methods.items() if p is not None},
        json_text_fields=_at(data.get("json_text_fields"), version),
        trainers={t: p for t, p in trainers.items() if p is not None},
        api={a: s for a, s in api.items() if s is not None},
    )


def hypothetical_release(
    data: Mapping[str, Any],
    removed: Iterable[str] = (),
    deprecated: Iterable[str] = (),
    added: Iterable[str] = (),
) -> Snapshot:
    """The newest release of `data`, with fields removed, deprecated or added: what a rule
    example or a test means by "a newer release ce-lint has not examined"."""
    snap = snapshot_at(data, data["versions"][-1])
    for name in removed:
        snap.fields.pop(name, None)
    for name in deprecated:
        snap.fields[name] = {**snap.fields[name], "deprecated": True}
    for name in added:
        snap.fields[name] = {"type": "bool", "default": "False", "choices": None, "help": "",
                             "init": True, "deprecated": False, "cls": None}  # fmt: skip
    return snap
