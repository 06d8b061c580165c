"""How verification outcomes are printed: a summary table (text) or a JSON array."""

from __future__ import annotations

import json
from typing import Any

from .request import Outcome

COLUMNS = (
    "config",
    "result",
    "steps",
    "loss",
    "eval loss",
    "time",
    "device",
    "precision",
    "peak memory",
)


def render_json(outcomes: list[Outcome], libraries: dict[str, Any]) -> str:
    rows = [as_json(o, libraries) for o in outcomes]
    return json.dumps(rows, indent=2) + "\n"


def as_json(outcome: Outcome, libraries: dict[str, Any]) -> dict[str, Any]:
    r = outcome.result
    return {
        "path": outcome.path,
        "line": outcome.line,
        "class": outcome.cls,
        "status": outcome.status,
        "reason": outcome.reason or None,
        "fields": [{"name": n, "line": line} for n, line in outcome.fields],
        "hint": outcome.hint,
        "findings": outcome.findings,
        "unknown": outcome.unknown,
        "launcher": outcome.launcher,
        "steps": r.get("steps"),
        "steps_done": r.get("steps_done"),
        "train_loss": r.get("train_loss"),
        "eval_loss": r.get("eval_loss"),
        "loss_finite": r.get("loss_finite"),
        "grad_norms": r.get("grad_norms"),
        "seconds": r.get("seconds"),
        "wall_seconds": r.get("wall_seconds"),
        "phase_seconds": r.get("phase_seconds"),
        "device": r.get("device"),
        "precision": r.get("precision"),
        "world_size": r.get("world_size"),
        "ranks": r.get("ranks_finished"),
        "peak_memory_mb": r.get("peak_memory_mb"),
        "memory_kind": r.get("memory_kind"),
        "notes": r.get("notes", []),
        "error": r.get("error"),
        "libraries": libraries.get("versions", {}),
    }


def render_text(outcomes: list[Outcome], libraries: dict[str, Any]) -> str:
    if not outcomes:
        return "Nothing to verify: no training arguments found.\n"
    rows = [COLUMNS, *(table_row(o) for o in outcomes)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    details = [d for o in outcomes for d in detail_lines(o)]
    if details:
        lines += ["", *details]
    lines += ["", summary(outcomes, libraries)]
    return "\n".join(lines) + "\n"


def table_row(o: Outcome) -> tuple[str, ...]:
    r = o.result
    steps = f"{r.get('steps_done', 0)}/{r['steps']}" if "steps" in r else "-"
    seconds = f"{r['seconds']:.1f} s" if isinstance(r.get("seconds"), int | float) else "-"
    memory = (
        f"{r['peak_memory_mb']:.0f} MB {r.get('memory_kind', '')}".strip()
        if r.get("peak_memory_mb")
        else "-"
    )
    device = str(r.get("device") or "-")
    if (r.get("world_size") or 1) > 1:
        device += f" x{r['world_size']}"
    return (
        o.label,
        o.status,
        steps,
        number(r.get("train_loss")),
        number(r.get("eval_loss")),
        seconds,
        device,
        str(r.get("precision") or "-"),
        memory,
    )


def number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "-" if value is None else str(value)


def detail_lines(o: Outcome) -> list[str]:
    out = []
    if not o.ok:
        out.append(f"{o.label}: {o.status}: {o.reason}")
        if o.fields:
            where = ", ".join(f"{n} (line {line})" if line else n for n, line in o.fields)
            out.append(f"  caused by: {where}")
        if o.hint:
            out.append(f"  hint: {o.hint}")
        out += [f"  {f}" for f in o.findings]
    if o.unknown:
        out.append(
            f"{o.label}: values unknown statically, defaults used for: {', '.join(o.unknown)}"
        )
    return out


def summary(outcomes: list[Outcome], libraries: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    parts = ", ".join(f"{n} {status}" for status, n in counts.items())
    noun = "config" if len(outcomes) == 1 else "configs"
    versions = libraries.get("versions") or {}
    using = ", ".join(
        f"{k} {versions[k]}"
        for k in ("torch", "transformers", "sentence-transformers")
        if k in versions
    )
    return f"{len(outcomes)} {noun}: {parts}" + (f" (with {using})" if using else "") + "."
