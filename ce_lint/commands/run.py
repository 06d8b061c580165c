"""What every command builds from its options and [tool.ce-lint]: the Run (settings,
targets, files, the engine, the output). The options and the guard live in options.py."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import Counter
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..adapters import handles
from ..cache import (
    ResultsCache,
    Signature,
    cache_folder,
    digest,
    disabled_by_environment,
    run_key,
    signature,
)
from ..discover import discover
from ..fileio import atomic_write_text
from ..hardware.select import ENVIRONMENT_VARIABLE as HARDWARE_VARIABLE
from ..knowledge import Knowledge
from ..knowledge.installed import PACKAGES, installed_version, learn_installed
from ..progress import Progress, progress
from ..results import DEFAULT_MAX_FILE_SIZE, FILE_CODES, FileResult
from ..settings import (
    CODE_LISTS,
    Settings,
    check_codes,
    load_settings,
    other_configs,
    parse_size,
    validate_codes,
)
from ..targets import era_targets, resolve
from .options import USAGE_ERROR, _codes, common_options, guarded
from .pool import map_in_order

if TYPE_CHECKING:
    from ..engine import Engine
    from ..rulebook import RuleSpec
    from ..script_links import Links

__all__ = ["USAGE_ERROR", "Run", "common_options", "guarded"]

# Findings that say the file could not be read or written this time: never kept in the cache.
TRANSIENT_CODES = frozenset(FILE_CODES.values())


class Run:
    """Everything a command needs, built once from the options and [tool.ce-lint]."""

    def __init__(
        self,
        opts: dict[str, Any],
        use_baseline: bool = True,
        trains_here: bool = False,
        use_cache: bool = False,
    ):
        """`trains_here`: verify, which trains on this machine, judges its hardware as the
        training machine's under `auto` too. `use_cache`: check and fix take the results of
        unchanged files from the cache (unless --no-cache or CE_LINT_NO_CACHE)."""
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
        self._links: Links | None = None
        self.hardware = self._hardware(opts, trains_here)
        baseline = self._baseline(opts) if use_baseline else None
        era = era_targets(knowledge, opts.get("era") or ())
        # The engine is built on first need: a run answered from the cache needs none.
        self._engine_options: dict[str, Any] = dict(
            knowledge=knowledge,
            targets=self.targets,
            select=select,
            ignore=ignore,
            ignores_for=s.ignores_for,
            safe_fixes=list(s.get("extend-safe-fixes", [])),
            unsafe_fixes=list(s.get("extend-unsafe-fixes", [])),
            baseline=baseline,
            era=era,
            hardware=self.hardware,
            max_file_size=parse_size(s.get("max-file-size", DEFAULT_MAX_FILE_SIZE)),
            cls=cls,
        )
        self.cache: ResultsCache | None = None
        if use_cache and not opts.get("no_cache") and not disabled_by_environment():
            key = run_key(
                {
                    "cwd": os.getcwd(),
                    "settings": [str(s.path), s.values],
                    "select": select,
                    "ignore": ignore,
                    "targets": self.targets.describe(),
                    "era": era,
                    "class": cls,
                    "hardware": [opts.get("hardware"), os.environ.get(HARDWARE_VARIABLE)],
                    "baseline": None
                    if baseline is None
                    else [str(baseline.root), sorted(map(sorted, baseline.by_file.values()))],
                    "installed": [installed_version(library) for library in PACKAGES],
                }
            )
            self.cache = ResultsCache(cache_folder(s.get("cache-dir"), s.root), key)
        self._links_digest: str | None = None
        given = {name: _codes(opts[name]) for name in ("select", "extend_select", "ignore")}
        if any(given.values()) or any(s.get(key) for key in (*CODE_LISTS, "per-file-ignores")):
            known = [spec.code for spec in self.specs]  # every rule is a kind of the engine
            for name, codes in given.items():
                check_codes(codes, known, f"--{name.replace('_', '-')}")
            validate_codes(s, known)
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

    # -- one file, from the cache when it can --------------------------------------------

    def check_all(self) -> list[FileResult]:
        """Each file's result, its findings located (no parsed tree is kept): unchanged files
        from the cache, the others checked, on every core when there are many."""
        results: list[FileResult | None] = []
        pending: list[Path] = []
        for path in self.files:
            found = self._cached(path)
            results.append(found)
            if found is None:
                pending.append(path)
        if pending:
            self.engine  # built (and the links read) before workers are forked  # noqa: B018
            if any(not str(p).endswith(".py") for p in pending):
                self.links()
        bar = Progress(len(self.files), enabled=not self.quiet and sys.stderr.isatty())
        checked = map_in_order(self._check_located, pending)
        for i, found in enumerate(results):
            if found is None:
                result, sig, judged = next(checked)
                if judged is not None:  # judged in a worker: its selection was a copy
                    self.hardware.judged[result.path] = judged
                self._store(result, sig)
                results[i] = found = result
            bar.advance(found.path)
        bar.close()
        return [r for r in results if r is not None]

    def _cached(self, path: Path) -> FileResult | None:
        if self.cache is None:
            return None
        name = str(path)
        found = self.cache.lookup(name, self._context(name), self.hardware.identity_for)
        return None if found is None else FileResult(name, reported=found)

    def _check_located(self, path: Path) -> tuple[FileResult, Signature | None, str | None]:
        """One file checked, its findings located, its tree and bytes let go (a worker sends
        back only plain values: the digest, not the bytes), with its stat from before the
        read and its hardware."""
        from ..reporting import reported_findings

        name = str(path)
        sig = signature(path) if self.cache is not None else None
        result = self.engine.check_path(path)
        result.reported = reported_findings([result])
        result.document = None
        result.findings = [replace(f, site=None, fix=None) for f in result.findings]
        if result.original is not None:
            result.digest = digest(result.original)
            result.original = None
        return result, sig, self.hardware.judged.get(name)

    def fix_file(self, path: Path, write: bool) -> FileResult:
        """Fix the file; one the cache knows has nothing to fix is not read."""
        name = str(path)
        found = self._cached(path)
        if found is not None and all(f.fix is None for f in found.reported or ()):
            return found
        sig = signature(path) if self.cache is not None else None
        result = self.engine.fix_path(path, unsafe=self.unsafe, write=write)
        nothing_to_do = result.fixed_text is None and not result.notices
        if nothing_to_do and all(f.fix is None and f.path == name for f in result.findings):
            from ..reporting import reported_findings

            self._store(result, sig, reported_findings([result]))
        return result

    def _store(self, result: FileResult, sig: Signature | None, reported: Any = None) -> None:
        """Record a result that the file's bytes alone decide (not one that failed to read the
        file, or where ce-lint failed)."""
        reported = reported if reported is not None else result.reported
        if result.digest is None and result.original is not None:
            result.digest = digest(result.original)
        if self.cache is None or sig is None or result.digest is None or reported is None:
            return
        if result.internal_error or any(f.code in TRANSIENT_CODES for f in result.findings):
            return
        if any(f.path != result.path for f in result.findings):
            return  # located without the other file's text
        context = self._context(result.path)
        judged = self.hardware.judged.get(result.path)
        self.cache.store(result.path, sig, result.digest, context, reported, judged)

    def _context(self, path: str) -> str:
        """What else a file's findings depend on: for a config or a launcher, the checked
        scripts (the class they read it as, the flags they declare); a .py file, nothing."""
        if path.endswith(".py"):
            return ""
        if self._links_digest is None:
            assert self.cache is not None
            scripts = []
            for script in self.files:
                key = str(script)
                if key.endswith(".py"):
                    known = self.cache.known_digest(key)
                    if known is None:
                        with contextlib.suppress(OSError):
                            known = digest(script.read_bytes())
                    scripts.append((key, known))
            self._links_digest = digest(json.dumps(sorted(scripts, key=str)).encode())
        return self._links_digest

    def save_cache(self) -> None:
        if self.cache is None:
            return
        self.cache.save()
        if self.cache.problem and not self.quiet:
            click.echo(f"ce-lint: note: {self.cache.problem}", err=True)

    @cached_property
    def engine(self) -> Engine:
        from .. import script_links
        from ..engine import Engine

        options = dict(self._engine_options)
        cls = options.pop("cls")
        return Engine(
            **options,
            class_for=script_links.class_chooser(cls, self.settings, self.links),
            script_class=None if cls else lambda *a: self.links().script_class(*a),
        )

    @cached_property
    def specs(self) -> tuple[RuleSpec, ...]:
        from ..rulebook import load_specs

        return load_specs()

    def links(self) -> Links:
        """What the checked scripts say: the class of the configs they load and of their
        flags (read on first need: a run whose results all come from the cache needs none)."""
        if self._links is None:
            from .. import script_links

            self._links = script_links.link(self.files, roots=(Path.cwd(), self.settings.root))
        return self._links

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
        path = opts.get("baseline")
        if path is None and self.settings.get("baseline"):
            path = self.settings.root / self.settings.get("baseline")
        if path is None:
            return None
        from ..baseline import Baseline

        return Baseline.load(Path(path))

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
            self, results, unsafe_fixes=self.unsafe, fixed=fixed, would_fix=would,
            show_fixes=self.show_fixes, color=self.output_file is None and sys.stdout.isatty(),
            quiet=self.quiet, fixed_codes=fixed_codes,
        )  # fmt: skip
        if self.statistics:
            from ..report.statistics import render_statistics

            text = render_statistics(report, self.output_format)
        else:
            text = render(self.output_format, report)
        self.write_output(text)
        failing = any(f.severity.fails for f in report.findings)
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
