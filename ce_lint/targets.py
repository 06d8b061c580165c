"""Which library releases a run judges against.

Per library, the first of: `--target` on the command line, `[tool.ce-lint] target` in
pyproject.toml, the installed release (read with importlib.metadata, never imported),
the project's declared dependency range, the newest release ce-lint knows.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from .knowledge import SENTENCE_TRANSFORMERS, TRANSFORMERS, TRL, Knowledge
from .knowledge.installed import installed_version

LIBRARIES = (TRANSFORMERS, SENTENCE_TRANSFORMERS, TRL)


class TargetError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    library: str
    spec: str  # as given, e.g. "==5.24" or ">=4.46,<5"
    origin: str  # cli | config | installed | declared | newest
    lo: Version  # oldest examined release the spec allows
    hi: Version  # newest examined release the spec allows
    # Where the facts came from when not from the data files' own release: read from an
    # installed release's sources, or judged as the newest release ce-lint knows.
    facts: str = ""

    def __str__(self) -> str:
        pin = self.spec.removeprefix("==")
        if self.spec.startswith("==") and "," not in pin and "*" not in pin:
            shown = pin  # what is installed or pinned, whatever release judged it
        elif self.facts:
            shown = self.spec  # as given: no release ce-lint knows matches it
        else:
            shown = str(self.hi) if self.lo == self.hi else f"{self.lo}..{self.hi}"
        origin = f"{self.origin}; {self.facts}" if self.facts else self.origin
        return f"{self.library} {shown} ({origin})"


@dataclass(frozen=True)
class Targets:
    transformers: Target
    sentence_transformers: Target
    # trl, for its arguments classes (SFTConfig, ...); None: its newest known release.
    trl: Target | None = None

    def of(self, library: str) -> Target:
        if library == TRL:
            if self.trl is None:
                newest = Knowledge.load().trl.newest
                return Target(TRL, f"=={newest}", "newest", newest, newest)
            return self.trl
        return self.transformers if library == TRANSFORMERS else self.sentence_transformers

    @property
    def tf(self) -> Version:
        return self.transformers.hi

    @property
    def st(self) -> Version:
        return self.sentence_transformers.hi

    def describe(self) -> str:
        text = f"{self.transformers}, {self.sentence_transformers}"
        if self.trl is not None and self.trl.origin != "newest":
            text += f", {self.trl}"  # named only where the project names or installs it
        return text


def parse_target(text: str) -> tuple[str, str]:
    """`transformers==5.24` -> ("transformers", "==5.24"); a bare version means `==`."""
    from packaging.requirements import InvalidRequirement, Requirement  # 10 ms: when needed

    text = text.strip()
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        raise TargetError(f"cannot read target {text!r}: {exc}") from None
    name = canonicalize_name(req.name)
    if name not in LIBRARIES:
        raise TargetError(f"unknown library in target {text!r}; use one of: {', '.join(LIBRARIES)}")
    if not str(req.specifier):
        raise TargetError(f"target {text!r} names no version, e.g. {name}==5.24")
    return name, str(req.specifier)


def make_target(library: str, spec: str, origin: str, knowledge: Knowledge) -> Target:
    data = knowledge.library(library)
    try:
        specifier = SpecifierSet(spec)
    except Exception as exc:  # packaging raises InvalidSpecifier
        raise TargetError(f"cannot read version range {spec!r} for {library}: {exc}") from None
    pins = [Version(s.version) for s in specifier if s.operator in (">", ">=", "==", "===", "~=")]
    newest = data.newest
    allowed = data.matching(specifier)
    if pins and (
        min(p.release[:2] for p in pins) > newest.release[:2]
        or (not allowed and min(pins) >= newest)
    ):
        # Newer than anything examined: judge by the newest known release, and say so.
        note = f"judged as {newest}, the newest release ce-lint knows"
        return Target(library, spec, origin, newest, newest, note)
    if not allowed:
        raise TargetError(f"no known {library} release matches {spec!r}")
    facts = "read from its source" if knowledge.read_from_source(library, allowed[-1]) else ""
    return Target(library, spec, origin, allowed[0], allowed[-1], facts)


_REQ_LINE = re.compile(r"^\s*([A-Za-z0-9_.\-\[\],]+\s*[<>=!~][^#;]*)")


def declared_specs(start: Path) -> dict[str, str]:
    """Dependency ranges for our libraries declared by the project around `start`."""
    import tomllib  # noqa: PLC0415 (only needed here)

    found: dict[str, str] = {}
    directory = start if start.is_dir() else start.parent
    for folder in [directory, *directory.parents]:
        reqs: list[str] = []
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            project = data.get("project", {})
            reqs += project.get("dependencies", [])
            for extra in project.get("optional-dependencies", {}).values():
                reqs += extra
        for name in ("requirements.txt", "requirements-train.txt", "requirements/train.txt"):
            path = folder / name
            if path.is_file():
                with contextlib.suppress(OSError):
                    reqs += [
                        m.group(1) for m in map(_REQ_LINE.match, path.read_text().splitlines()) if m
                    ]
        if reqs:
            from packaging.requirements import InvalidRequirement, Requirement
        for line in reqs:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            name = canonicalize_name(req.name)
            if name in LIBRARIES and str(req.specifier) and name not in found:
                found[name] = str(req.specifier)
        if found or (folder / ".git").exists():
            break
    return found


def resolve(
    knowledge: Knowledge,
    cli: Iterable[str] = (),
    configured: dict[str, str] | None = None,
    start: Path | None = None,
    use_installed: bool = True,
) -> Targets:
    chosen: dict[str, tuple[str, str]] = {}
    for text in cli:
        name, spec = parse_target(text)
        chosen[name] = (spec, "cli")
    for name, spec in (configured or {}).items():
        name = canonicalize_name(name)
        if name not in LIBRARIES:
            raise TargetError(f"unknown library {name!r} in [tool.ce-lint] target")
        chosen.setdefault(name, (spec, "config"))
    if use_installed:
        for name in LIBRARIES:
            version = installed_version(name)
            if name not in chosen and version:
                chosen[name] = (f"=={version}", "installed")
    declared = declared_specs(start or Path.cwd())
    for name, spec in declared.items():
        chosen.setdefault(name, (spec, "declared"))

    tf_spec, tf_origin = chosen.get(TRANSFORMERS, (f"=={knowledge.tf.newest}", "newest"))
    tf = make_target(TRANSFORMERS, tf_spec, tf_origin, knowledge)
    st_spec, st_origin = chosen.get(SENTENCE_TRANSFORMERS, ("", "newest"))
    st = make_target(SENTENCE_TRANSFORMERS, st_spec, st_origin, knowledge) if st_spec else None
    if st is None or (
        st_origin not in ("cli", "config") and not _installs_beside(knowledge, st.hi, tf)
    ):
        # The newest sentence-transformers release that installs beside the transformers target.
        compatible = [v for v in knowledge.st.versions if _installs_beside(knowledge, v, tf)]
        newest = compatible[-1] if compatible else knowledge.st.newest
        st = make_target(SENTENCE_TRANSFORMERS, f"=={newest}", "newest", knowledge)
    trl_spec, trl_origin = chosen.get(TRL, (f"=={knowledge.trl.newest}", "newest"))
    trl = make_target(TRL, trl_spec, trl_origin, knowledge)
    if trl_origin != "newest":
        tf = _within_requirement(knowledge, tf, trl)
    return Targets(tf, st, trl)


def _within_requirement(knowledge: Knowledge, tf: Target, trl: Target) -> Target:
    """The transformers target, its floor raised to what the oldest allowed trl release
    requires (trl 0.12 needs transformers>=4.46: an environment with that trl has it)."""
    requires = knowledge.trl.requires(knowledge.trl.floor(trl.lo))
    if requires is None:
        return tf
    allowed = [
        v for v in knowledge.tf.versions if tf.lo <= v <= tf.hi and requires.contains(v, True)
    ]
    if not allowed or allowed[0] == tf.lo:
        return tf
    return Target(tf.library, tf.spec, tf.origin, allowed[0], tf.hi, tf.facts)


def _installs_beside(knowledge: Knowledge, st: Version, tf: Target) -> bool:
    requires = knowledge.st_requires(st)
    return requires is None or requires.contains(tf.hi)


def era_targets(knowledge: Knowledge, texts: Iterable[str]) -> dict[str, Target]:
    """`--from transformers==4.44`: the releases files were written for, by library."""
    out = {}
    for text in texts:
        name, spec = parse_target(text)
        out[name] = make_target(name, spec, "from", knowledge)
    return out
