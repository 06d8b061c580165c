"""What every command builds from its options and [tool.ce-lint]: the Run (settings,
targets, files, the engine, the output). The options and the guard live in options.py."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from .. import script_links
from ..adapters import handles
from ..discover import discover
from ..engine import DEFAULT_MAX_FILE_SIZE, Engine, FileResult
from ..fileio import atomic_write_text
from ..knowledge import Knowledge
from ..knowledge.installed import learn_installed
from ..progress import progress
from ..settings import (
    Settings,
    check_codes,
    load_settings,
    other_configs,
    parse_size,
    validate_codes,
)
from ..targets import era_targets, resolve
from .options import USAGE_ERROR, _codes, common_options, guarded

__all__ = ["USAGE_ERROR", "Run", "common_options", "guarded"]


class Run:
    """Everything a command needs, built once from the options and [tool.ce-lint]."""

    def __init__(self, opts: dict[str, Any], use_baseline: bool = True, trains_here: bool = False):
        """`trains_here`: verify, which trains on this machine, judges its hardware as the
        training machine's under `auto` too."""
        self.paths: list[str] = list(opts["paths"]) or ["."]
        self.settings: Settings = load_settings(opts.get("config"), self.paths)
        s = self.settings
        self.quiet: bool = bool(opts.get("quiet"))
        if s.path is not None and not opts.get("config") and not self.quiet:
            for path, nearer in other_configs(s, self.paths).items():
                click.echo(f"ce-lint: note: {path} has its own settings in {nearer}; this run "
                           f"reads {s.path} only (run ce-lint there, or pass --config)", err=True)  # fmt: skip
        # A release installed here that is newer than the data files is read from its sources.
        knowledge = learn_installed(Knowledge.load())
        select = _codes(opts["select"]) or s.get("select")
        extend = _codes(opts["extend_select"]) + list(s.get("extend-select", []))
        if extend:
            select = (select or ["ALL"]) + extend
        ignore = _codes(opts["ignore"]) + list(s.get("ignore", []))
        self.targets = resolve(knowledge, opts["targets"], s.get("target"), Path(self.paths[0]))
        self.unlisted: list[tuple[Path, str]] = []  # folders that could not be listed
        self.linked: list[Path] = []  # symlinked folders the walk did not follow
        found = discover(
            self.paths,
            handles,
            skip=s.excluded,
            unlistable=lambda *p: self.unlisted.append(p),
            not_followed=self.linked.append,
        )
        self.files = [
            path
            for path in found
            if not (opts.get("force_exclude") and s.excluded(str(path), ancestors=True))
        ]
        cls = opts.get("cls")
        # What the checked scripts say: the class of the configs they load and of their flags.
        links = script_links.link(self.files, roots=(Path.cwd(), s.root))
        self.engine = Engine(
            knowledge,
            self.targets,
            select=select,
            ignore=ignore,
            class_for=script_links.class_chooser(cls, s, links),
            script_class=None if cls else links.script_class,
            ignores_for=s.ignores_for,
            safe_fixes=list(s.get("extend-safe-fixes", [])),
            unsafe_fixes=list(s.get("extend-unsafe-fixes", [])),
            baseline=self._baseline(opts) if use_baseline else None,
            era=era_targets(knowledge, opts.get("era") or ()),
            hardware=self._hardware(opts, trains_here),
            max_file_size=parse_size(s.get("max-file-size", DEFAULT_MAX_FILE_SIZE)),
        )
        for name in ("select", "extend_select", "ignore"):
            check_codes(_codes(opts[name]), self.engine.kinds, f"--{name.replace('_', '-')}")
        validate_codes(s, self.engine.kinds)
        self.output_format: str = opts.get("output_format") or s.get("output-format", "text")
        self.output_file: Path | None = opts.get("output_file")
        self.unsafe: bool = bool(
            opts["unsafe_fixes"]
            if opts.get("unsafe_fixes") is not None
            else s.get("unsafe-fixes", False)
        )
        self.exit_zero: bool = bool(opts.get("exit_zero"))
        self.show_fixes: bool = bool(opts.get("show_fixes"))
        self.statistics: bool = bool(opts.get("statistics"))
        if self.statistics:
            from ..report.statistics import STATISTICS_FORMATS

            if self.output_format not in STATISTICS_FORMATS:
                raise click.UsageError(f"--statistics prints {', '.join(STATISTICS_FORMATS)} only")

    def _hardware(self, opts: dict[str, Any], trains_here: bool) -> Any:
        from ..hardware.select import HardwareSelection

        s = self.settings
        return HardwareSelection(
            choice=opts.get("hardware"),
            settings_choice=s.get("hardware"),
            per_file=s.get("per-file-hardware"),
            relative=s.relative,
            settings_root=s.root,
            notify=lambda message: click.echo(f"ce-lint: {message}", err=True),
            auto_is_local=trains_here,
        )

    def _baseline(self, opts: dict[str, Any]) -> Any:
        from ..baseline import Baseline

        path = opts.get("baseline")
        if path is None and self.settings.get("baseline"):
            path = self.settings.root / self.settings.get("baseline")
        return None if path is None else Baseline.load(Path(path))

    def each(self, files: list[Path]) -> Any:
        """The files, with a progress bar on a terminal when the run is long."""
        return progress(files, enabled=not self.quiet and sys.stderr.isatty())

    def emit(
        self,
        results: list[FileResult],
        fixed: int = 0,
        would: bool = False,
        fixed_codes: dict[str, Counter[str]] | None = None,
    ) -> int:
        from ..report import render
        from ..reporting import build_report

        report = build_report(
            self.engine, results, unsafe_fixes=self.unsafe, fixed=fixed, would_fix=would,
            show_fixes=self.show_fixes, color=self.output_file is None and sys.stdout.isatty(),
            quiet=self.quiet, fixed_codes=fixed_codes,
        )  # fmt: skip
        if self.statistics:
            from ..report.statistics import render_statistics

            text = render_statistics(report, self.output_format)
        else:
            text = render(self.output_format, report)
        self.write_output(text)
        failing = any(f.severity.fails for r in results for f in r.findings)
        return 0 if self.exit_zero or not failing else 1

    def folder_problems(self) -> list[FileResult]:
        """A finding for each folder the walk could not list or did not follow (a symlink):
        their files were not checked."""
        return [self.engine.unreadable(folder, why) for folder, why in self.unlisted] + [
            self.engine.not_followed(folder) for folder in self.linked
        ]

    @staticmethod
    def exit_code(results: list[FileResult], code: int) -> int:
        """ce-lint failing on a file (CE999) exits 2 whatever else happened, --exit-zero too:
        that file was not judged."""
        return USAGE_ERROR if any(r.internal_error for r in results) else code

    def write_output(self, text: str) -> None:
        """The report goes to --output-file (its folders are made) or to stdout."""
        if self.output_file is None:
            click.echo(text, nl=False)
            return
        self.output_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.output_file, text)
