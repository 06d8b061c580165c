"""Helpers shared by the value, cross-field, unknown-key and behaviour kinds.

They answer questions about a Site from the version knowledge: which releases to judge,
the declared type and default of a field at a release, the value a field ends up with
(written or default), and whether a Site is a whole arguments object (so that a missing
key really means the default) or only part of one.
"""

from __future__ import annotations

import ast
import copy
import difflib
import functools
import json
from typing import Any

from packaging.version import Version

from ..knowledge import SENTENCE_TRANSFORMERS, ST_CLASSES, TRANSFORMERS, TRL, FieldInfo, Knowledge
from ..model import UNKNOWN, Entry, Site, Value
from .base import Context

# Python Sites whose values go through __post_init__ (attribute sets and helpers do not).


def short(version: Any) -> str:
    text = str(version)
    return text[:-2] if text.endswith(".0") and text.count(".") == 2 else text


def class_named(site: Site) -> str:
    """The Site's class as a message names it: marked when nothing in the file says so, or
    when it is another package's subclass that ce-lint has not read."""
    if site.unread_subclass is not None:
        return f"{site.unread_subclass} (a subclass of {site.cls}, not read)"
    return site.cls if site.class_source.declared else f"{site.cls} (assumed)"


def label(library: str) -> str:
    if library == TRL:
        return "trl"
    return "transformers" if library == TRANSFORMERS else "sentence-transformers"


def class_versions(ctx: Context, cls: str, end: str = "hi") -> tuple[Version, Version]:
    """The target's transformers release and that of the library beside it that owns `cls`
    (sentence-transformers, or trl for its SFTConfig ...), at the newest (`hi`) or oldest
    (`lo`) end of the target."""
    t = ctx.targets
    second = t.of(ctx.knowledge.second_library(cls))
    if end == "hi":
        return t.transformers.hi, second.hi
    return t.transformers.lo, second.lo


def show(value: Any) -> str:
    """A value as the user would write it in a config (JSON-like)."""
    if value is UNKNOWN:
        return "an expression"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


# ---- which Site, which entries ----------------------------------------------------------


def post_init_runs(site: Site) -> bool:
    """Whether the libraries validate this Site's values together (a constructor call)."""
    return site.validated


def complete(site: Site) -> bool:
    """Whether a missing key means the field's default (the Site is a whole object).

    The adapter says when a Site is only part of the object: `**kwargs` of unknown content,
    flags held in a variable or joined to a command later.
    """
    return not site.partial


# Entry roles that give a field a value: a key or keyword ("set"), an attribute assigned
# after construction ("assign").
SETS = ("set", "assign")


def setting(site: Site, name: str) -> Entry | None:
    """The entry that sets `name` (the last one wins, as in a dict)."""
    found = [e for e in site.entries if e.key == name and e.role in SETS]
    return found[-1] if found else None


def set_entries(site: Site) -> list[Entry]:
    return [e for e in site.entries if e.role in SETS]


def value_entries(site: Site) -> list[Entry]:
    """The entries whose values reach the class: those set, and the defaults of the script's
    own dataclass that flow into it (Origin.DEFAULTS)."""
    return [e for e in site.entries if e.role in SETS or e.role == "default"]


# ---- versions ---------------------------------------------------------------------------


def library_of(ctx: Context, site: Site, name: str) -> tuple[str, FieldInfo | None]:
    """The library whose declaration of `name` applies to this Site at the target.

    sentence-transformers re-declares some transformers fields (warmup_ratio from 5.3): its
    declaration counts where its release has it, the transformers one elsewhere.
    """
    kn = ctx.knowledge
    info = kn.field(name, site.cls)
    if info is not None and info.library == TRL:
        return TRL, info  # a field trl's class declares itself
    tf_info = kn.tf.fields.get(name)
    st_info = kn.st.fields.get(name) if site.cls in ST_CLASSES else None
    if st_info is not None and st_info.only_class not in (None, site.cls):
        st_info = None
    if st_info is not None and (tf_info is None or st_info.exists_at(kn.st.floor(ctx.targets.st))):
        return SENTENCE_TRANSFORMERS, st_info
    return TRANSFORMERS, tf_info


def judged_versions(ctx: Context, library: str) -> list[Version]:
    """The examined releases a rule judges: the newest the target allows, then its floor."""
    data = ctx.knowledge.library(library)
    target = ctx.targets.of(library)
    out = [data.floor(target.hi)]
    lo = data.floor(target.lo)
    if lo != out[0]:
        out.append(lo)
    return out


def newest(ctx: Context, library: str) -> Version:
    return ctx.knowledge.library(library).floor(ctx.targets.of(library).hi)


def floor(ctx: Context, library: str) -> Version:
    return ctx.knowledge.library(library).floor(ctx.targets.of(library).lo)


# ---- declared types ---------------------------------------------------------------------

# Python types a value can have in a config, as named by `value_type`.
PRIMITIVE = {
    "bool": {"bool"},
    "int": {"int"},
    "float": {"float", "int"},
    "str": {"str"},
    "Path": {"str"},
    "dict": {"dict"},
    "Dict": {"dict"},
    "list": {"list"},
    "List": {"list"},
    "tuple": {"list"},
    "Tuple": {"list"},
    "None": {"none"},
    "NoneType": {"none"},
}


def type_names(text: str | None, knowledge: Knowledge) -> frozenset[str] | None:
    """The value kinds a type annotation accepts: bool, int, float, str, list, dict, none,
    and `object` for classes ce-lint cannot judge. None when there is no annotation."""
    if not text:
        return None
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    return frozenset(_type_names(node, knowledge))


def _type_names(node: ast.expr, knowledge: Knowledge) -> set[str]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _type_names(node.left, knowledge) | _type_names(node.right, knowledge)
    if isinstance(node, ast.Constant):
        if node.value is None:
            return {"none"}
        if isinstance(node.value, str):  # a forward reference such as 'ParallelismConfig'
            try:
                return _type_names(ast.parse(node.value, mode="eval").body, knowledge)
            except SyntaxError:
                return {"object"}
        return {type(node.value).__name__}
    if isinstance(node, ast.Subscript):
        head = _name(node.value)
        inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Optional":
            return _type_names(inner[0], knowledge) | {"none"}
        if head == "Union":
            out: set[str] = set()
            for item in inner:
                out |= _type_names(item, knowledge)
            return out
        if head == "Literal":
            return {_literal_kind(i) for i in inner}
        return set(PRIMITIVE.get(head, {"object"}))
    head = _name(node)
    if head in PRIMITIVE:
        return set(PRIMITIVE[head])
    if head in knowledge.enum_names:
        return {"str"}  # an enum field takes the member's string
    return {"object"}


def _literal_kind(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return value_type(node.value)
    return "object"


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def value_type(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return "object"


# ---- defaults and effective values -------------------------------------------------------


def default_at(ctx: Context, site: Site, name: str, version: Version | None = None) -> Any:
    """The field's default at the judged release as a Python value (UNKNOWN if it is an
    expression ce-lint does not evaluate, or the field does not exist there)."""
    library, info = library_of(ctx, site, name)
    if info is None:
        return UNKNOWN
    version = version or newest(ctx, library)
    if not info.exists_at(version):
        return UNKNOWN
    text = info.default_at(version)
    if text is None:
        return UNKNOWN
    if text.startswith("<factory list>"):
        return []
    if text.startswith("<factory dict>") or text == "factory:dict":
        return {}
    if "." in text and text.replace(".", "").replace("_", "").isalnum() and not text[0].isdigit():
        # An enum member such as BatchSamplers.BATCH_SAMPLER: its string value.
        enum, _, member = text.partition(".")
        data = ctx.knowledge.library(library)
        values = data.enum_values(enum, version) or []
        return next((v for v in values if v.upper() == member), UNKNOWN)
    value = _literal(text)
    return copy.copy(value) if isinstance(value, list | dict) else value


@functools.lru_cache(maxsize=2048)
def _literal(text: str) -> Any:
    """Defaults are read for every Site: parse each distinct text once."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return UNKNOWN


def effective(site: Site, name: str, ctx: Context) -> tuple[Any, Entry | None]:
    """(value, entry): the written value, else the default when the Site is whole.

    UNKNOWN when the value cannot be known statically.
    """
    entry = setting(site, name)
    if entry is not None:
        return entry.value.py, entry
    if not complete(site):
        return UNKNOWN, None
    return default_at(ctx, site, name), None


def templated(value: Any) -> bool:
    """Text that a config system fills in later (Hydra/OmegaConf `${...}`, `{{ ... }}`)."""
    return isinstance(value, str) and ("${" in value or "{{" in value)


def number(value: Any) -> float | None:
    """A real number (bools are not numbers here), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


# ---- did you mean --------------------------------------------------------------------------


def close_to(
    word: str, candidates: list[str] | set[str] | frozenset[str], cutoff: float = 0.75
) -> list[str]:
    """Candidates close to `word`, best first; an exact match ignoring case comes alone."""
    return list(_close_to(word, frozenset(candidates), cutoff))


@functools.lru_cache(maxsize=4096)
def _close_to(word: str, candidates: frozenset[str], cutoff: float) -> tuple[str, ...]:
    same_case = [c for c in candidates if c.lower() == word.lower()]
    if same_case:
        return tuple(same_case[:1])
    return tuple(difflib.get_close_matches(word, sorted(candidates), n=3, cutoff=cutoff))


def entry_value(entry: Entry) -> Value:
    return entry.value
