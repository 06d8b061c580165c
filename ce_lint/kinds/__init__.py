"""Rule kinds: small classes that interpret a rule's parameters (see base.py).

Importing this package registers every kind; `build_kinds` makes the rules of a rule book.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..rulebook import RuleSpec
from . import (  # noqa: F401  (each module registers its kinds)
    behaviour,
    cross_field,
    fields,
    hardware,
    inputs,
    legacy_api,
    legacy_fit,
    python_api,
    st_checks,
    suppressions,
    unknown_fields,
    values,
)
from .base import KINDS, Context, Kind, RuleIndex

__all__ = ["Context", "Kind", "RuleIndex", "build_kinds", "index_rules"]


def build_kinds(specs: tuple[RuleSpec, ...]) -> dict[str, Kind]:
    out = {}
    for spec in specs:
        if spec.kind not in KINDS:
            raise ValueError(f"{spec.code}: unknown rule kind {spec.kind!r}")
        out[spec.code] = KINDS[spec.kind](spec)
    return out


def index_rules(rules: Mapping[str, Kind]) -> RuleIndex:
    renamed: dict[str, str] = {}
    older_names: dict[str, str] = {}  # the first rule (by code) that renames into a name wins
    moved: dict[str, str] = {}
    moves_into: dict[str, list[Kind]] = {}
    for kind in rules.values():
        old, new = kind.params.get("field"), kind.params.get("replacement")
        if isinstance(old, str) and isinstance(new, str):
            renamed.setdefault(old, new)
            older_names.setdefault(new, old)
        into = kind.moves_into()
        if into is not None and isinstance(old, str):
            moved.setdefault(old, into)
            moves_into.setdefault(into, []).append(kind)
    return RuleIndex(
        renamed=renamed,
        older_names=older_names,
        moved=moved,
        described=frozenset(f for kind in rules.values() for f in kind.described_fields()),
        moves_into={k: tuple(v) for k, v in moves_into.items()},
        value_histories=tuple(k for k in rules.values() if k.knows_value_history),
    )
