"""Shared helpers for tests: an engine with explicit targets, and one-call check/fix."""

from __future__ import annotations

from ce_lint.engine import Engine, FileResult
from ce_lint.knowledge import Knowledge, layout
from ce_lint.model import ClassChoice, ClassSource
from ce_lint.targets import era_targets, resolve
from ce_lint.textio import SourceText

TODAY = ("transformers==5.25", "sentence-transformers==6.3")


def engine(
    targets: tuple[str, ...] = TODAY,
    cls: str | None = None,
    era: tuple[str, ...] = (),
    knowledge: Knowledge | None = None,
    **kwargs,
) -> Engine:
    knowledge = knowledge or Knowledge.load()
    resolved = resolve(knowledge, targets, use_installed=False)
    kwargs.setdefault("era", era_targets(knowledge, era))
    chosen = ClassChoice(cls, ClassSource.SETTINGS) if cls else ClassChoice()
    kwargs.setdefault("class_for", lambda path: chosen)
    return Engine(knowledge, resolved, **kwargs)


def check(text: str, name: str = "config.yaml", **kwargs) -> FileResult:
    return engine(**kwargs).check_source(SourceText(name, text))


def fix(text: str, name: str = "config.yaml", unsafe: bool = False, **kwargs) -> FileResult:
    return engine(**kwargs).fix_source(SourceText(name, text), unsafe=unsafe)


def fixed_text(text: str, name: str = "config.yaml", unsafe: bool = False, **kwargs) -> str:
    result = fix(text, name, unsafe=unsafe, **kwargs)
    return text if result.fixed_text is None else result.fixed_text


def codes(result: FileResult) -> list[str]:
    """Codes of the findings that count; behaviour notices (info, CE6xx) are left out."""
    return [f.code for f in result.findings if f.severity != "info"]


def notices(result: FileResult) -> list[str]:
    """Codes of the info findings (behaviour changes)."""
    return [f.code for f in result.findings if f.severity == "info"]


def knowledge_with(release: dict | None) -> Knowledge:
    """The knowledge, plus a rule example's hypothetical newer release (as if read from source)."""
    knowledge = Knowledge.load()
    if not release:
        return knowledge
    data = knowledge.library(release["library"]).raw
    snapshot = layout.hypothetical_release(
        data, release.get("removed", ()), release.get("deprecated", ()), release.get("added", ())
    )
    return knowledge.with_release(release["library"], release["version"], snapshot)
