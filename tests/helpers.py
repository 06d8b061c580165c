"""Shared helpers for tests: an engine with explicit targets, and one-call check/fix."""

from __future__ import annotations

from ce_lint.engine import Engine, FileResult
from ce_lint.knowledge import Knowledge
from ce_lint.targets import resolve
from ce_lint.textio import SourceText

TODAY = ("transformers==5.24", "sentence-transformers==6.2")


def engine(targets: tuple[str, ...] = TODAY, cls: str | None = None, **kwargs) -> Engine:
    knowledge = Knowledge.load()
    resolved = resolve(knowledge, targets, use_installed=False)
    return Engine(knowledge, resolved, class_for=(lambda path: cls), **kwargs)


def check(text: str, name: str = "config.yaml", **kwargs) -> FileResult:
    return engine(**kwargs).check_source(SourceText(name, text))


def fix(text: str, name: str = "config.yaml", unsafe: bool = False, **kwargs) -> FileResult:
    return engine(**kwargs).fix_source(SourceText(name, text), unsafe=unsafe)


def fixed_text(text: str, name: str = "config.yaml", unsafe: bool = False, **kwargs) -> str:
    result = fix(text, name, unsafe=unsafe, **kwargs)
    return text if result.fixed_text is None else result.fixed_text


def codes(result: FileResult) -> list[str]:
    return [f.code for f in result.findings]
