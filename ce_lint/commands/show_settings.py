"""`ce-lint show-settings [PATHS]`: the configuration a run would use, and where it came from.

It reads settings exactly as `check` does (the same options are accepted), then prints the
settings file, each setting with its value or default, the targets, the rules in effect,
and for every file named on the command line its class, ignored codes and hardware.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..settings import KNOWN_SETTINGS
from .run import Run, common_options, guarded


def hardware_choice(run: Run, path: str) -> str | None:
    """The profile hardware rules would use for `path`, named without probing anything."""
    selection = run.engine.hardware
    choice_for = getattr(selection, "choice_for", None)
    if choice_for is None:
        return None
    choice = choice_for(path)
    return str(getattr(choice, "name", choice))


def settings_report(run: Run) -> dict[str, Any]:
    s = run.settings
    engine = run.engine
    named = [p for p in run.paths if Path(p).is_file()]
    return {
        "settings_file": str(s.path) if s.path else None,
        "root": str(s.root),
        "settings": {key: s.get(key) for key in KNOWN_SETTINGS},
        "targets": {
            target.library: {
                "range": target.spec,
                "lo": str(target.lo),
                "hi": str(target.hi),
                "origin": target.origin,
                "facts": target.facts,
            }
            for target in (engine.targets.transformers, engine.targets.sentence_transformers)
        },  # fmt: skip
        "select": engine.select,
        "ignore": engine.ignore,
        "rules": sorted(k.code for k in engine.active),
        "unsafe_fixes": run.unsafe,
        "output_format": run.output_format,
        "baseline": engine.baseline is not None,
        "exclude": s.exclude_patterns,
        "files_checked": len(run.files),
        "files": {
            path: {
                "class": engine.class_for(path).cls,
                "ignored": s.ignores_for(path),
                "hardware": hardware_choice(run, path),
                "excluded": s.excluded(path, ancestors=True),
            }
            for path in named
        },
    }


def as_text(report: dict[str, Any]) -> str:
    lines = [f"Settings file: {report['settings_file'] or 'none (defaults)'}"]
    lines.append(f"Globs are relative to: {report['root']}")
    lines.append("")
    lines.append("[tool.ce-lint]")
    for key, value in report["settings"].items():
        shown = json.dumps(value) if value is not None else f"(not set: {KNOWN_SETTINGS[key]})"
        lines.append(f"  {key} = {shown}")
    lines.append("")
    for library, t in report["targets"].items():
        span = t["hi"] if t["lo"] == t["hi"] else f"{t['lo']} .. {t['hi']}"
        facts = f"; {t['facts']}" if t["facts"] else ""
        lines.append(f"Target {library}: {span} ({t['origin']}: {t['range']}{facts})")
    rules = report["rules"]
    lines.append(f"Rules in effect: {len(rules)} ({', '.join(rules)})")
    lines.append(f"Unsafe fixes: {'applied' if report['unsafe_fixes'] else 'not applied'}")
    lines.append(f"Output format: {report['output_format']}")
    lines.append(f"Files that would be checked: {report['files_checked']}")
    for path, info in report["files"].items():
        lines.append(f"{path}:")
        lines.append(f"  class: {info['class']}")
        lines.append(f"  ignored codes: {', '.join(info['ignored']) or 'none'}")
        lines.append(f"  hardware: {info['hardware'] or 'not set'}")
        if info["excluded"]:
            lines.append("  excluded (checked only when named without --force-exclude)")
    return "\n".join(lines) + "\n"


@click.command("show-settings")
@common_options
@guarded
def show_settings(**opts: Any) -> None:
    """Print the settings a check of PATHS would use, and where they come from."""
    run = Run(opts)
    report = settings_report(run)
    if run.output_format == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(as_text(report), nl=False)
