"""One release's facts, read from its Python sources with ``ast`` (never imported).

Used on released wheels by `regenerate` and on an installed release newer than the data
files by `installed`: the same parser both ways.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypedDict

from packaging.requirements import InvalidRequirement, Requirement

from .names import SENTENCE_TRANSFORMERS, TRANSFORMERS

TF_TRAINING_ARGS = "transformers/training_args.py"
TF_SEQ2SEQ_ARGS = "transformers/training_args_seq2seq.py"
TF_ENUM_FILES = (
    "transformers/trainer_utils.py",
    "transformers/training_args.py",
    "transformers/debug_utils.py",
)
# The trainers whose constructor keywords are recorded per release (`tokenizer`, `processing_class`).
TF_TRAINER_FILES = {
    "transformers/trainer.py": "Trainer",
    "transformers/trainer_seq2seq.py": "Seq2SeqTrainer",
}
TF_INTEGRATION_FILES = (
    "transformers/integrations/integration_utils.py",
    "transformers/integrations.py",
)
TF_ENUMS = (
    "IntervalStrategy",
    "SaveStrategy",
    "HubStrategy",
    "SchedulerType",
    "OptimizerNames",
    "FSDPOption",
    "DebugOption",
    "ShardedDDPOption",
    "EvaluationStrategy",
    "HPSearchBackend",
    "ParallelMode",
)
REPORT_TO_ENUM = "ReportToIntegrations"
# The class attribute naming the fields whose `{...}` text __post_init__ reads as JSON.
JSON_TEXT_LIST = "_VALID_DICT_FIELDS"
ST_ENUMS = ("BatchSamplers", "MultiDatasetBatchSamplers")
# Base classes through which sentence-transformers' arguments class extends transformers'.
ST_TRANSFORMERS_BASES = ("TrainingArguments", "TransformersTrainingArguments")

# How a `default_factory` is written in each data file.
FACTORY_FORMATS = {TRANSFORMERS: "<factory {}>", SENTENCE_TRANSFORMERS: "factory:{}"}

# Help texts that deprecate their own field: "Deprecated, use ...", "This argument is deprecated".
HELP_DEPRECATED = re.compile(
    r"^\W*deprecated\b|\bthis\s+(?:(?:argument|parameter|option|flag|field)\s+)?"
    r"(?:is|has\s+been)\s+(?:now\s+)?deprecated\b",
    re.IGNORECASE,
)


class FieldSpec(TypedDict):
    """One dataclass field of one release, as read from the source."""

    type: str | None
    default: str | None
    choices: str | None
    help: str
    init: bool
    deprecated: bool
    cls: str | None


@dataclass
class Snapshot:
    """Everything derived from one release."""

    fields: dict[str, FieldSpec] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    requires: dict[str, str] = field(default_factory=dict)
    # The `set_*` helper methods of TrainingArguments -> their keyword parameters.
    methods: dict[str, list[str]] = field(default_factory=dict)
    # Fields whose text starting with `{` __post_init__ reads as JSON (`_VALID_DICT_FIELDS`):
    # {"fields": [...], "on_class": whether a subclass's own list takes over}; None if absent.
    json_text_fields: dict[str, Any] | None = None
    # Trainer classes -> the keyword parameters of their constructor.
    trainers: dict[str, list[str]] = field(default_factory=dict)
    # Third-party arguments classes (trl): name -> {"base": the transformers class it extends,
    # "fields": the fields it and its bases in that library declare}.
    classes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # sentence-transformers' model and evaluator API ("CrossEncoder.__init__", ...) -> its
    # signature (see `parse_st_api`); empty when the sources were not read.
    api: dict[str, dict[str, Any]] = field(default_factory=dict)


# --------------------------------------------------------------------------- source parsing


def _strings(node: ast.AST | None) -> str:
    """The text of a string expression (implicit or `+` concatenation, f-strings as `{expr}`)."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else ""
    if isinstance(node, ast.JoinedStr):
        return "".join(
            _strings(part)
            if isinstance(part, ast.Constant)
            else "{" + ast.unparse(part.value) + "}"
            for part in node.values
            if isinstance(part, ast.Constant | ast.FormattedValue)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _strings(node.left) + _strings(node.right)
    if isinstance(node, ast.Tuple | ast.List):
        return " ".join(_strings(e) for e in node.elts)
    return ""


def dotted_name(node: ast.AST) -> str | None:
    """`a.b.c` as text, or None for anything that is not a plain dotted name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def _find_class(tree: ast.Module, name: str) -> ast.ClassDef | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    return None


def _class_constants(cls: ast.ClassDef) -> dict[str, str]:
    """Class-level names assigned a value, rendered like ``name = 'a' ('b' if cond)``.

    Used for defaults such as ``optim = field(default=default_optim)`` where ``default_optim``
    is set in the class body, possibly overridden under ``if`` blocks.
    """
    base: dict[str, str] = {}
    alternatives: dict[str, list[str]] = {}

    def visit(body: list[ast.stmt], conditions: list[str]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if not isinstance(target, ast.Name):
                    continue
                value = ast.unparse(stmt.value)
                if conditions:
                    condition = " and ".join(conditions)
                    alternatives.setdefault(target.id, []).append(f"{value} if {condition}")
                else:
                    base[target.id] = value
            elif isinstance(stmt, ast.If):
                test = ast.unparse(stmt.test)
                visit(stmt.body, [*conditions, test])
                visit(stmt.orelse, [*conditions, f"not ({test})"])

    visit(cls.body, [])
    out = {}
    for name, value in base.items():
        text = f"{name} = {value}"
        if name in alternatives:
            text += " (" + ", ".join(alternatives[name]) + ")"
        out[name] = text
    return out


def _is_field_call(node: ast.expr | None) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )
    return name == "field"


def _method_strings(cls: ast.ClassDef) -> list[str]:
    """Every string literal inside the methods of a class (warnings, errors, docstrings)."""
    out = []
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(stmt):
                if isinstance(node, ast.JoinedStr) or (
                    isinstance(node, ast.Constant) and isinstance(node.value, str)
                ):
                    out.append(_strings(node))
    return out


def mentions_deprecated(text: str, name: str) -> bool:
    """True when a message says that `name` itself is deprecated.

    Matches "`name` is deprecated", "Using `--name` is deprecated", "The `name` argument is
    deprecated" and "`--a` and `--name` are deprecated", but not "using `X` for `name` is
    deprecated" nor "Passing `name` as a string is deprecated" (a value form, not the field).
    """
    return _deprecation_of(name).search(text) is not None


@cache
def _deprecation_of(name: str) -> re.Pattern[str]:
    # Compiled once per field: a class has ~100 fields and its methods ~300 messages.
    return re.compile(
        r"(?:^|\b(?:using|the|and)\s+|,\s*)`?(?:--)?" + re.escape(name) + r"`?"
        r"(?:\s*(?:,|and)\s*`[^`]+`)*"
        r"\s+(?:(?:argument|parameter|option|flag)s?\s+)?"
        r"(?:is|are|has\s+been|have\s+been)\s+(?:now\s+)?deprecated\b",
        re.IGNORECASE | re.MULTILINE,
    )


def help_is_deprecated(help_text: str, name: str) -> bool:
    return bool(HELP_DEPRECATED.search(help_text)) or mentions_deprecated(help_text, name)


def parse_dataclass_fields(
    cls: ast.ClassDef, factory_format: str = FACTORY_FORMATS[TRANSFORMERS]
) -> dict[str, FieldSpec]:
    """The fields a dataclass body declares itself, in declaration order."""
    constants = _class_constants(cls)
    # Lower-cased too: a message that never names the field need not be searched.
    messages = [(text.lower(), text) for text in _method_strings(cls)]
    out: dict[str, FieldSpec] = {}
    for stmt in cls.body:
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        annotation = ast.unparse(stmt.annotation)
        if re.match(r"^(?:typing\.)?ClassVar\b", annotation):
            continue
        name = stmt.target.id
        spec: FieldSpec = {
            "type": annotation,
            "default": None,
            "choices": None,
            "help": "",
            "init": True,
            "deprecated": False,
            "cls": None,
        }
        value = stmt.value
        if _is_field_call(value):
            assert isinstance(value, ast.Call)
            for keyword in value.keywords:
                if keyword.arg == "default":
                    spec["default"] = _render_default(keyword.value, constants)
                elif keyword.arg == "default_factory":
                    spec["default"] = factory_format.format(ast.unparse(keyword.value))
                elif keyword.arg == "init":
                    spec["init"] = not (
                        isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                    )
                elif keyword.arg == "metadata" and isinstance(keyword.value, ast.Dict):
                    for key, item in zip(keyword.value.keys, keyword.value.values, strict=True):
                        if isinstance(key, ast.Constant) and key.value == "help":
                            spec["help"] = _strings(item)
                        elif isinstance(key, ast.Constant) and key.value == "choices":
                            spec["choices"] = ast.unparse(item)
        elif value is not None:
            spec["default"] = _render_default(value, constants)
        spec["deprecated"] = help_is_deprecated(spec["help"], name) or any(
            mentions_deprecated(text, name) for low, text in messages if name.lower() in low
        )
        out[name] = spec
    return out


def _render_default(node: ast.expr, constants: Mapping[str, str]) -> str:
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    return ast.unparse(node)


def parse_training_args_source(
    text: str,
    class_name: str = "TrainingArguments",
    factory_format: str = FACTORY_FORMATS[TRANSFORMERS],
) -> dict[str, FieldSpec]:
    """The fields declared by `class_name` in a module's source (empty if the class is absent)."""
    cls = _find_class(ast.parse(text), class_name)
    return parse_dataclass_fields(cls, factory_format) if cls else {}


def parse_enums_source(text: str, names: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Sorted string values of the enum-like classes (class attributes set to string constants).

    With `names`, those of them the module defines (maybe with no values); without, every class
    that has such attributes. A class without own values takes those of a base class defined in
    the same module.
    """
    wanted = set(names) if names is not None else None
    classes = {n.name: n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.ClassDef)}

    def values(cls: ast.ClassDef, seen: frozenset[str]) -> list[str]:
        own = {
            stmt.value.value
            for stmt in cls.body
            if isinstance(stmt, ast.Assign)
            and all(isinstance(t, ast.Name) for t in stmt.targets)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        }
        if own:
            return sorted(own)
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in classes and base.id not in seen:
                inherited = values(classes[base.id], seen | {base.id})
                if inherited:
                    return inherited
        return []

    out = {}
    for name, cls in classes.items():
        if wanted is not None and name not in wanted:
            continue
        found = values(cls, frozenset({name}))
        if found or wanted is not None:
            out[name] = found
    return out


def parse_report_to_source(text: str) -> list[str] | None:
    """Integration names `report_to` accepts: the keys of ``INTEGRATION_TO_CALLBACK``, else the
    names ``get_available_reporting_integrations`` appends (None when the module has neither)."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if (
                isinstance(target, ast.Name)
                and target.id == "INTEGRATION_TO_CALLBACK"
                and isinstance(node.value, ast.Dict)
            ):
                return sorted(
                    k.value
                    for k in node.value.keys
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef)
            and node.name == "get_available_reporting_integrations"
        ):
            names = {
                arg.value
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                for arg in call.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            }
            return sorted(names)
    return None


def parse_requires(metadata: str, package: str) -> str | None:
    """The version specifier of an unconditional ``Requires-Dist: package...`` line."""
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        try:
            req = Requirement(line.split(":", 1)[1].strip())
        except InvalidRequirement:
            continue
        if req.name.lower() == package and req.marker is None and not req.extras:
            return str(req.specifier)
    return None


# --------------------------------------------------------------------------- one release


def parse_class_list(body: list[ast.stmt], name: str) -> list[str] | None:
    """The sorted strings of a list assigned to `name` in a class or module body (None if absent)."""
    for stmt in body:
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) and stmt.targets else None
        if isinstance(stmt, ast.AnnAssign):
            target = stmt.target
        value = getattr(stmt, "value", None)
        if (
            isinstance(target, ast.Name)
            and target.id == name
            and isinstance(value, ast.List | ast.Tuple)
        ):
            return sorted(
                e.value
                for e in value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
    return None


def parse_json_text_fields(text: str) -> dict[str, Any] | None:
    """transformers' `_VALID_DICT_FIELDS`: its fields, and whether __post_init__ reads it from
    the class (4.51+, so a subclass's own list wins) or from the module (None if absent)."""
    tree = ast.parse(text)
    cls = _find_class(tree, "TrainingArguments")
    listed = parse_class_list(cls.body, JSON_TEXT_LIST) if cls else None
    if listed is not None:
        return {"fields": listed, "on_class": True}
    listed = parse_class_list(tree.body, JSON_TEXT_LIST)
    return None if listed is None else {"fields": listed, "on_class": False}


def parse_helper_methods(text: str, cls_name: str = "TrainingArguments") -> dict[str, list[str]]:
    """Keyword parameters of the `set_*` helpers (set_training, set_evaluate, ...)."""
    cls = _find_class(ast.parse(text), cls_name)
    if cls is None:
        return {}
    out = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("set_"):
            params = node.args.args[1:] + node.args.kwonlyargs
            out[node.name] = [a.arg for a in params]
    return out


def parse_init_params(cls: ast.ClassDef) -> list[str] | None:
    """The keyword parameters of a class's own `__init__` (None when it has none).

    A keyword that a `@deprecate_kwarg("old", new_name="new", ...)` decorator still maps onto a
    parameter is listed as "old->new" (accepted with a warning).
    """
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            params = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            out = [a.arg for a in params[1:] if not a.arg.startswith("_")]
            for decorator in node.decorator_list:
                if not (isinstance(decorator, ast.Call) and decorator.args):
                    continue
                if (dotted_name(decorator.func) or "").rsplit(".", 1)[-1] != "deprecate_kwarg":
                    continue
                old = decorator.args[0]
                new = next((k.value for k in decorator.keywords if k.arg == "new_name"), None)
                if isinstance(old, ast.Constant) and isinstance(new, ast.Constant):
                    out.append(f"{old.value}->{new.value}")
            # `**kwargs` may pass any keyword on to the base class: recorded as "**".
            return [*out, "**"] if node.args.kwarg else out
    return None


def transformers_snapshot(sources: Mapping[str, str]) -> Snapshot:
    """Derive one transformers release from its sources (wheel path -> text)."""
    fmt = FACTORY_FORMATS[TRANSFORMERS]
    snap = Snapshot()
    if TF_TRAINING_ARGS in sources:
        snap.fields = parse_training_args_source(sources[TF_TRAINING_ARGS], factory_format=fmt)
        snap.methods = parse_helper_methods(sources[TF_TRAINING_ARGS])
        snap.json_text_fields = parse_json_text_fields(sources[TF_TRAINING_ARGS])
    if TF_SEQ2SEQ_ARGS in sources:
        own = parse_training_args_source(sources[TF_SEQ2SEQ_ARGS], "Seq2SeqTrainingArguments", fmt)
        for name, spec in own.items():
            if name not in snap.fields:
                snap.fields[name] = {**spec, "cls": "Seq2SeqTrainingArguments"}
    for path in TF_ENUM_FILES:
        if path in sources:
            for name, values in parse_enums_source(sources[path], TF_ENUMS).items():
                if values and name not in snap.enums:
                    snap.enums[name] = values
    for path, trainer in TF_TRAINER_FILES.items():
        if path in sources:
            cls = _find_class(ast.parse(sources[path]), trainer)
            # A trainer without its own constructor takes Trainer's (listed first).
            params = parse_init_params(cls) if cls else None
            if cls is not None:
                params = params if params is not None else snap.trainers.get("Trainer")
            if params is not None:
                snap.trainers[trainer] = params
    for path in TF_INTEGRATION_FILES:
        if path in sources:
            names = parse_report_to_source(sources[path])
            if names is not None:
                snap.enums[REPORT_TO_ENUM] = names
                break
    return snap


def is_st_arguments_source(path: str) -> bool:
    """Whether a sentence-transformers path may define arguments classes or sampler enums."""
    return path.startswith("sentence_transformers/") and path.endswith(
        ("training_args.py", "sampler.py")
    )


# The modules that define the model classes, their evaluators and the decorators that keep
# their renamed keywords (every layout from 2.7 to 6.x).
ST_API_SOURCE = re.compile(
    r"sentence_transformers/(?:SentenceTransformer|sentence_transformer/model"
    r"|cross_encoder/(?:CrossEncoder|model|util)|sparse_encoder/(?:SparseEncoder|model)"
    r"|models/Transformer|base/modules/transformer|util/decorators"
    r"|cross_encoder/evaluation/\w+)\.py"
)
# class -> the methods whose signatures are recorded.
ST_API = {
    "SentenceTransformer": ("__init__", "encode"),
    "SparseEncoder": ("__init__",),
    "CrossEncoder": ("__init__", "predict", "rank"),
    "Transformer": ("__init__",),
    "CEBinaryAccuracyEvaluator": ("__init__",),
    "CEBinaryClassificationEvaluator": ("__init__",),
    "CECorrelationEvaluator": ("__init__",),
    "CEF1Evaluator": ("__init__",),
    "CERerankingEvaluator": ("__init__",),
    "CESoftmaxAccuracyEvaluator": ("__init__",),
    "CrossEncoderClassificationEvaluator": ("__init__",),
    "CrossEncoderCorrelationEvaluator": ("__init__",),
    "CrossEncoderRerankingEvaluator": ("__init__",),
}


def is_st_source(path: str) -> bool:
    """Whether a sentence-transformers wheel path is one the regeneration reads."""
    return is_st_arguments_source(path) or ST_API_SOURCE.fullmatch(path) is not None


def _signature(fn: ast.FunctionDef) -> list[str]:
    """A method's parameters after `self` in order: "*" where keyword-only ones start,
    "**" for `**kwargs` (a `*args` is "*" too: nothing after it is positional)."""
    a = fn.args
    out = [p.arg for p in a.posonlyargs + a.args][1:]
    if a.vararg is not None or a.kwonlyargs:
        out.append("*")
    out += [p.arg for p in a.kwonlyargs]
    return [*out, "**"] if a.kwarg is not None else out


def _str_pairs(node: ast.Dict) -> dict[str, str] | None:
    pairs = {}
    for key, value in zip(node.keys, node.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(value, ast.Constant)):
            return None
        if not (isinstance(key.value, str) and isinstance(value.value, str)):
            return None
        pairs[key.value] = value.value
    return pairs


def _decorator_shims(
    decorator: ast.expr, functions: Mapping[str, ast.FunctionDef]
) -> tuple[dict[str, str], list[str]]:
    """The keywords a decorator renames (old -> new) and the positional order it maps extra
    positional arguments onto: `deprecated_kwargs(old="new")`, or a decorator function of the
    package whose body holds a literal {"old": "new"} mapping (and a `_POSITIONAL_ARGS` tuple)."""
    renamed: dict[str, str] = {}
    positional: list[str] = []
    if isinstance(decorator, ast.Call):
        if (dotted_name(decorator.func) or "").rsplit(".", 1)[-1] == "deprecated_kwargs":
            for kw in decorator.keywords:
                if (
                    kw.arg
                    and isinstance(kw.value, ast.Constant)
                    and isinstance(kw.value.value, str)
                ):
                    renamed[kw.arg] = kw.value.value
        return renamed, positional
    fn = functions.get((dotted_name(decorator) or "").rsplit(".", 1)[-1])
    if fn is None:
        return renamed, positional
    for node in ast.walk(fn):
        if isinstance(node, ast.Dict) and (pairs := _str_pairs(node)):
            renamed.update(pairs)
        elif isinstance(node, ast.FunctionDef) and node is not fn:
            for inner in node.decorator_list:
                renamed.update(_decorator_shims(inner, functions)[0])
        elif (
            isinstance(node, ast.Assign)
            and [dotted_name(t) for t in node.targets] == ["_POSITIONAL_ARGS"]
            and isinstance(node.value, ast.Tuple)
        ):
            positional = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
    return renamed, positional


def parse_st_api(sources: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The signatures of sentence-transformers' model and evaluator API (ST_API), each as
    {"params": [...] (see `_signature`), "renamed": {old: new} kept by a decorator,
    "positional": the order a decorator maps positional arguments onto, "deprecated": the
    class is marked `@deprecated`, "inherits": the base class whose method it is}."""
    classes: dict[str, ast.ClassDef] = {}
    functions: dict[str, ast.FunctionDef] = {}
    for path in sorted(sources):
        if ST_API_SOURCE.fullmatch(path) is None:
            continue
        tree = ast.parse(sources[path])
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, node)
            elif isinstance(node, ast.FunctionDef):
                functions.setdefault(node.name, node)
    out: dict[str, dict[str, Any]] = {}
    for name, methods in ST_API.items():
        cls = classes.get(name)
        if cls is None:
            continue
        deprecated = any(
            (dotted_name(d.func if isinstance(d, ast.Call) else d) or "").endswith("deprecated")
            for d in cls.decorator_list
        )
        for method in methods:
            owner, inherits = cls, None
            while True:
                # The last definition: `@overload` stubs come first.
                found = [
                    n for n in owner.body if isinstance(n, ast.FunctionDef) and n.name == method
                ]
                if found or not owner.bases:
                    break
                base = (dotted_name(owner.bases[0]) or "").rsplit(".", 1)[-1]
                if base not in classes:
                    break
                owner, inherits = classes[base], base
            if not found:
                continue
            fn = found[-1]
            entry: dict[str, Any] = {"params": _signature(fn)}
            renamed: dict[str, str] = {}
            positional: list[str] = []
            for decorator in fn.decorator_list:
                more, order = _decorator_shims(decorator, functions)
                renamed.update(more)
                positional = order or positional
            if renamed:
                entry["renamed"] = dict(sorted(renamed.items()))
            if positional:
                entry["positional"] = positional
            if deprecated:
                entry["deprecated"] = True
            if inherits:
                entry["inherits"] = inherits
            out[f"{name}.{method}"] = entry
        if renamed_methods := _renamed_methods(cls):
            out[name] = {"renamed_methods": renamed_methods}
    return out


def _renamed_methods(cls: ast.ClassDef) -> dict[str, str]:
    """Methods marked `@deprecated` whose whole body calls another method of the class
    (`return self.get_embedding_dimension()`): old name -> new name."""
    out = {}
    for fn in cls.body:
        if not isinstance(fn, ast.FunctionDef) or not any(
            (dotted_name(d.func if isinstance(d, ast.Call) else d) or "").endswith("deprecated")
            for d in fn.decorator_list
        ):
            continue
        body = [
            s
            for s in fn.body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        ]
        if len(body) != 1 or not isinstance(body[0], ast.Return | ast.Expr):
            continue
        call = body[0].value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        # Only a pure forward is a rename: the same parameters, passed on as they came.
        params = [a.arg for a in fn.args.args[1:]]
        forwarded = [a.id for a in call.args if isinstance(a, ast.Name)]
        by_name = all(isinstance(k.value, ast.Name) and k.value.id == k.arg for k in call.keywords)
        if forwarded + [k.arg for k in call.keywords] != params or not by_name:
            continue
        if fn.args.vararg or fn.args.kwarg or fn.args.kwonlyargs:
            continue
        if dotted_name(call.func.value) == "self" and call.func.attr != fn.name:
            out[fn.name] = call.func.attr
    return dict(sorted(out.items()))


def sentence_transformers_snapshot(
    sources: Mapping[str, str], metadata: str | None = None
) -> Snapshot:
    """Derive one sentence-transformers release: the fields its arguments classes add to
    transformers' TrainingArguments, its sampler enums and its transformers requirement."""
    fmt = FACTORY_FORMATS[SENTENCE_TRANSFORMERS]
    snap = Snapshot()
    roots: dict[str, dict[str, FieldSpec]] = {}
    others: dict[str, dict[str, FieldSpec]] = {}
    for path in sorted(sources):
        if not is_st_arguments_source(path):
            continue
        tree = ast.parse(sources[path])
        for cls in ast.walk(tree):
            if not isinstance(cls, ast.ClassDef):
                continue
            if cls.name in ST_ENUMS:
                snap.enums[cls.name] = parse_enums_source(sources[path], [cls.name])[cls.name]
                continue
            bases = {ast.unparse(b).rsplit(".", 1)[-1] for b in cls.bases}
            own = parse_dataclass_fields(cls, fmt)
            if bases & set(ST_TRANSFORMERS_BASES):
                roots[cls.name] = own
                # Every arguments class derives from this root: its list is theirs too.
                listed = parse_class_list(cls.body, JSON_TEXT_LIST)
                if listed is not None:
                    known = snap.json_text_fields or {"fields": [], "on_class": True}
                    snap.json_text_fields = {
                        "fields": sorted({*known["fields"], *listed}),
                        "on_class": True,
                    }
            elif own and cls.name.endswith("TrainingArguments"):
                others[cls.name] = own
    for own in roots.values():
        snap.fields.update(own)
    for cls_name, own in sorted(others.items()):
        for name, spec in own.items():
            if name not in snap.fields:
                snap.fields[name] = {**spec, "cls": cls_name}
    requirement = parse_requires(metadata, TRANSFORMERS) if metadata else None
    if requirement is not None:
        snap.requires[TRANSFORMERS] = requirement
    snap.api = parse_st_api(sources)
    return snap


# --------------------------------------------------------------------------- trl


def is_trl_source(path: str) -> bool:
    """Whether a trl wheel path is one the regeneration reads (every module of the package)."""
    return path.startswith("trl/") and path.endswith(".py")


def trl_snapshot(sources: Mapping[str, str], metadata: str | None = None) -> Snapshot:
    """Derive one trl release: its arguments classes that extend transformers' TrainingArguments
    (through any chain of its own classes) with the fields they declare, the constructor
    keywords of its trainers, and its transformers requirement."""
    fmt = FACTORY_FORMATS[TRANSFORMERS]
    classes: dict[str, ast.ClassDef] = {}
    # Several modules may define a name (a deprecated alias module, experimental copies): the
    # main package's `trl/trainer/` wins, then the first path in sorted order.
    for path in sorted(sources, key=lambda p: (not p.startswith("trl/trainer/"), p)):
        if not is_trl_source(path):
            continue
        try:
            tree = ast.parse(sources[path])
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, node)

    def bases(cls: ast.ClassDef) -> list[str]:
        return [ast.unparse(b).rsplit(".", 1)[-1] for b in cls.bases]

    def root(name: str, seen: frozenset[str]) -> str | None:
        """The transformers arguments class `name` extends, else None."""
        if name in ("TrainingArguments", "Seq2SeqTrainingArguments") and name not in classes:
            return name
        if name not in classes or name in seen:
            return None
        for base in bases(classes[name]):
            found = root(base, seen | {name})
            if found:
                return found
        return None

    def fields(name: str, seen: frozenset[str]) -> dict[str, FieldSpec]:
        out: dict[str, FieldSpec] = {}
        cls = classes.get(name)
        if cls is None or name in seen:
            return out
        for base in reversed(bases(cls)):
            out.update(fields(base, seen | {name}))
        out.update(parse_dataclass_fields(cls, fmt))
        return out

    def init_params(name: str, seen: frozenset[str]) -> list[str] | None:
        cls = classes.get(name)
        if cls is None or name in seen:
            return None
        own = parse_init_params(cls)
        if own is not None:
            return own
        for base in bases(cls):
            found = init_params(base, seen | {name})
            if found is not None:
                return found
        return None

    snap = Snapshot()
    for name in sorted(classes):
        base = root(name, frozenset())
        if base is not None and name != base:
            snap.classes[name] = {"base": base, "fields": fields(name, frozenset())}
        elif name.endswith("Trainer") and not name.startswith("_"):
            params = init_params(name, frozenset())
            if params is not None:
                snap.trainers[name] = params
    requirement = parse_requires(metadata, TRANSFORMERS) if metadata else None
    if requirement is not None:
        snap.requires[TRANSFORMERS] = requirement
    return snap
