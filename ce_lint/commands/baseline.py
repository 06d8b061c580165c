"""`ce-lint baseline PATHS -o FILE`: accept today's findings.

Later runs with `--baseline FILE` (or `baseline = "FILE"` in [tool.ce-lint]) report only
findings that are not in it. Findings are stored by identity, not line number (see
ce_lint.fingerprint), so unrelated edits above them do not bring them back.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .. import baseline as baseline_file
from .run import Run, common_options, guarded


@click.command("baseline")
@common_options
@click.option(
    "-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Where to write the baseline (default: the `baseline` setting, else ce-lint-baseline.json).",
)  # fmt: skip
@guarded
def baseline(output: Path | None, **opts: Any) -> None:
    """Write today's findings to a baseline file, so that CI fails only on new ones."""
    opts["baseline"] = None  # never filter the findings we are about to accept
    run = Run(opts, use_baseline=False)
    if output is None:
        configured = run.settings.get("baseline")
        output = run.settings.root / configured if configured else Path("ce-lint-baseline.json")
    items = []
    results = run.folder_problems()
    for path in run.each(run.files):
        result = run.engine.check_path(path)
        results.append(result)
        # ce-lint failing on a file is never accepted: it is no finding of the file.
        items += [(f, result.document) for f in result.findings if not result.internal_error]
    count = baseline_file.write(output, items)
    if not run.quiet:
        files = len({finding.path for finding, _ in items})
        click.echo(
            f"Wrote {count} finding{'s' if count != 1 else ''} in {files} "
            f"file{'s' if files != 1 else ''} to {output}."
        )
    sys.exit(run.exit_code(results, 0))
