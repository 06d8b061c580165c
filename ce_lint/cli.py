"""Command line: `ce-lint check`, `ce-lint fix`, `ce-lint rules`, `ce-lint rule CODE`.

Exit codes: 0 nothing left to report, 1 problems remain (or `fix --diff` has changes
pending, or `fix --exit-non-zero-on-fix` changed a file), 2 bad usage or a crash of
ce-lint itself. Info findings are shown but never make the exit code 1.
"""

from __future__ import annotations

import difflib
import sys
from collections import Counter
from typing import Any

import click

from . import __version__
from .commands.options import common_options, guarded
from .verify.options import SMOKE_KEYS, smoke_options


class LazyGroup(click.Group):
    """Commands that live in their own modules are imported only when they are run."""

    # command name -> "module:attribute"
    lazy: dict[str, str] = {
        "verify": "ce_lint.commands.verify:verify",
        "show-settings": "ce_lint.commands.show_settings:show_settings",
        "baseline": "ce_lint.commands.baseline:baseline",
        "env": "ce_lint.commands.env:env",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            import importlib

            module, attr = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ce-lint")
def main() -> None:
    """Find and fix training arguments that today's transformers and sentence-transformers reject."""


no_cache_option = click.option(
    "--no-cache", is_flag=True, help="Read every file again; neither use nor write the cache."
)


@main.command()
@common_options
@no_cache_option
@guarded
def check(**opts: Any) -> None:
    """Report problems in training configs and scripts."""
    from .commands.run import Run

    run = Run(opts, use_cache=True)
    results = run.folder_problems() + run.check_all()
    run.save_cache()
    sys.exit(run.exit_code(results, run.emit(results)))


@main.command()
@common_options
@no_cache_option
@click.option(
    "--diff", is_flag=True, help="Show the changes as a unified diff instead of writing them."
)
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="Exit 1 when a file was changed, even if it is clean now.",
)
@click.option(
    "--verify", is_flag=True, help="Then train a few steps with each config (ce-lint verify)."
)
@smoke_options
@guarded
def fix(diff: bool, exit_non_zero_on_fix: bool, verify: bool, **opts: Any) -> None:
    """Rewrite files in place so today's libraries accept them, keeping their formatting."""
    from .commands.run import Run

    smoke = {k: opts.pop(k) for k in SMOKE_KEYS}
    run = Run(opts, use_cache=True)
    results = run.folder_problems()
    fixed = 0
    changed = False
    fixed_codes: dict[str, Counter[str]] = {}
    for path in run.each(run.files):
        result = run.fix_file(path, write=not diff)
        for notice in result.notices:
            click.echo(f"ce-lint: {path}: {notice}", err=True)
        if result.fixed_text is not None:
            changed = True
            fixed += result.fixes_applied
            fixed_codes[result.path] = result.fixed_codes
            if diff:
                assert result.before_text is not None
                click.echo(unified_diff(str(path), result.before_text, result.fixed_text), nl=False)
        results.append(result)
    run.save_cache()
    if diff:
        # Nothing was written: report what the fix would leave, and fail while changes are pending.
        code = run.emit(results, fixed=fixed, would=True, fixed_codes=fixed_codes)
        code = 0 if run.exit_zero else (1 if changed else code)
    else:
        code = run.emit(results, fixed=fixed, fixed_codes=fixed_codes)
        code = 1 if exit_non_zero_on_fix and changed else code
    if verify:  # the Sites of the fixed text (with --diff: of the text fix would write)
        from .commands.verify import verify_fixed

        code = max(code, verify_fixed(run, results, smoke))
    sys.exit(run.exit_code(results, code))


def unified_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    out = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
    return out


@main.command("rules")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
@guarded
def list_rules(output_format: str) -> None:
    """List every rule."""
    from .rulebook import load_specs

    specs = load_specs()
    if output_format == "json":
        import json

        rows = [
            {
                "code": s.code,
                "name": s.name,
                "kind": s.kind,
                "summary": s.summary,
                "fix": s.fix,
                "group": s.group,
            }
            for s in specs
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for spec in specs:
        fix = {"always": "fix", "sometimes": "fix*", "never": ""}[spec.fix]
        click.echo(f"{spec.code}  {spec.name:<40} {fix:<5} {spec.summary}")


@main.command("rule")
@click.argument("code")
@guarded
def show_rule(code: str) -> None:
    """Explain one rule, with its examples in YAML, JSON and Python."""
    from .rulebook import load_specs
    from .ruledoc import describe_rule

    specs = {s.code: s for s in load_specs()}
    spec = specs.get(code.upper())
    if spec is None:
        close = difflib.get_close_matches(code.upper(), specs, n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        raise click.UsageError(f"no rule {code}.{hint}")
    click.echo(describe_rule(spec))


if __name__ == "__main__":
    main()
