"""The format-agnostic picture of training arguments that every rule reads.

An adapter turns a file into `Site`s; rules only ever see these objects, never text.
Offsets are character offsets into the decoded document text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol

# Names of the arguments classes ce-lint understands, most specific first.
ARGUMENT_CLASSES = (
    "CrossEncoderTrainingArguments",
    "SentenceTransformerTrainingArguments",
    "SparseEncoderTrainingArguments",
    "MultiVectorEncoderTrainingArguments",
    "TrainingArguments",
    "Seq2SeqTrainingArguments",
)
DEFAULT_CLASS = "CrossEncoderTrainingArguments"


class Unknown:
    """Marker for a value that cannot be known without running the user's code."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(eq=False)
class Value:
    """A value in a Site: `py` is the Python value, or UNKNOWN."""

    py: Any
    span: Span
    source: str = ""  # the value's text as written (an expression in Python files)
    entries: list[Entry] | None = None  # set when the value is a mapping whose keys we can edit
    handle: Any = None  # adapter-private
    # A value written as an enum member (e.g. IntervalStrategy.STEPS): (enum class, member).
    enum: tuple[str, str] | None = None
    # How the format read the text, when that may surprise (set by the adapter, shown by rules
    # that judge the value): e.g. YAML 1.1 reading a bare `no` as false.
    reading: str = ""
    # What a non-literal value names, when the adapter can tell: "class" or "function"
    # (e.g. a custom batch sampler passed in a script).
    refers_to: str | None = None
    # The text the library receives when only text can be given (a command-line flag), and
    # `py` is what the adapter reads it as (JSON text as a mapping): None elsewhere.
    as_text: str | None = None

    @property
    def known(self) -> bool:
        return self.py is not UNKNOWN


@dataclass(eq=False)
class Entry:
    key: str
    key_span: Span
    value: Value
    parent: Value | Site | None = None
    handle: Any = None  # adapter-private
    # What the code does with the field: "set" it (constructor, config), "assign" it on an
    # object already built, "read" it (a read raises on a release without the field), or
    # "declare" it (a subclass re-declares the field).
    role: str = "set"

    @property
    def span(self) -> Span:
        return Span(min(self.key_span.start, self.value.span.start), self.value.span.end)


@dataclass(frozen=True)
class ImportRef:
    """A `from MODULE import NAMES` statement, for rules about moved modules."""

    module: str
    names: tuple[str, ...]
    span: Span  # the module path in the statement
    statement: Span


@dataclass(frozen=True)
class TrainerKeyword:
    """A keyword argument of a trainer's constructor call (`SFTTrainer(..., tokenizer=tok)`)."""

    trainer: str  # the trainer class: Trainer, Seq2SeqTrainer, SFTTrainer, ...
    library: str  # the library it was imported from (transformers, trl, sentence-transformers)
    keyword: str
    span: Span  # the keyword's name
    others: frozenset[str]  # the other keywords of the same call


@dataclass(frozen=True)
class ApiArgument:
    """One argument of a call of the sentence-transformers model API, as written."""

    keyword: str | None  # None: positional
    span: Span  # the whole argument (`name=value`, or the value)
    name_span: Span | None  # the keyword's name
    value_span: Span
    text: str  # the value's source text


@dataclass(frozen=True)
class ApiCall:
    """A call of sentence-transformers' model or evaluator API (`CrossEncoder(...)`,
    `model.predict(...)`, `CERerankingEvaluator(...)`), resolved through its imports."""

    cls: str  # CrossEncoder, SentenceTransformer, SparseEncoder, Transformer, CERerankingEvaluator...
    method: str  # __init__ for a constructor, else the method called
    span: Span  # the class or method name as written at the call
    arguments: tuple[ApiArgument, ...]
    unpacked: bool  # `*args` or `**kwargs` given: the arguments are not all known
    # A constructor named through a plain `from ... import Cls`: where the import names it,
    # and whether every other use of the name in the file is a call recorded here.
    import_span: Span | None = None
    only_calls: bool = False

    @property
    def api(self) -> str:
        return f"{self.cls}.{self.method}"


@dataclass(frozen=True)
class TrainerAttribute:
    """A read of an attribute of a trainer object (`trainer.tokenizer`)."""

    trainer: str  # the trainer class: Trainer, SFTTrainer, ...
    library: str  # the library it was imported from
    attribute: str
    span: Span  # the attribute's name
    assumed: bool  # the object is a trainer by its name alone (an unannotated `trainer`)


@dataclass(frozen=True)
class CallFacts:
    """A call as written: what a fit argument is, or what its variable holds.

    Argument texts are the source as written; `steady` names the arguments (`#0`, `#1` ...
    or keywords) that are a plain variable the scope binds once, before the call.
    """

    path: str  # the callee's dotted path through the file's imports ("" where unknown)
    positional: tuple[str, ...]
    keywords: tuple[tuple[str, str], ...]  # (keyword, source)
    literals: tuple[tuple[str, Any], ...] = ()  # (`#i` or keyword, literal value)
    unpacked: bool = False  # `*args` or `**kwargs` hide some
    steady: frozenset[str] = frozenset()
    # arguments written as a one-line f-string with some literal text (`f"dev-{split}"`)
    formatted: frozenset[str] = frozenset()

    def keyword(self, name: str) -> str | None:
        return next((text for key, text in self.keywords if key == name), None)

    def literal(self, name: str) -> Any:
        return next((value for key, value in self.literals if key == name), UNKNOWN)


@dataclass(frozen=True)
class FitArgument:
    """An argument of a legacy `model.fit(...)` call."""

    name: str  # the parameter it fills (positional ones by the signature's order)
    source: str  # its text as written
    literal: Any = UNKNOWN  # its value when it is a literal (a str, a number, None, a dict ...)
    built: bool = False  # it is built right there by a call (`get_scheduler(...)`): an object
    # The call it is (`torch.nn.MSELoss()`), or that its variable is bound to once in the
    # scope, before the fit call (`train_dataloader = DataLoader(...)`); None otherwise.
    call: CallFacts | None = None
    # A dict display's items as (key, value source) where every key is a text literal.
    items: tuple[tuple[str, str], ...] | None = None
    # The literal a variable holds where its scope binds it once, before the call.
    resolved: Any = UNKNOWN
    integral: bool = False  # certainly an int (`100`, `math.ceil(...)`, `len(x) // 2`)
    path: str | None = None  # the library object a name or attribute refers to (torch.optim.AdamW)
    # A list or tuple display's elements (`[(loader, loss)]`), each read like an argument.
    elements: tuple[FitArgument, ...] | None = None

    @property
    def value(self) -> Any:
        """The literal as written, or the one its variable holds."""
        return self.literal if self.literal is not UNKNOWN else self.resolved


@dataclass(frozen=True)
class FitStatement:
    """Where a fit call stands alone as a statement: what a codemod that replaces it needs
    to write code that reads like the file around it."""

    span: Span  # the statement, from its first character to its last
    indent: str  # the statement's indentation
    indent_unit: str  # one level of the file's indentation
    newline: str
    quote: str  # the file's usual string quote
    receiver: str  # the model expression as written (`model`, `self.model`)
    comments: tuple[str, ...]  # comments inside the statement, as written
    names: frozenset[str]  # every name the file binds or reads
    imported: tuple[tuple[str, str], ...]  # (local name, dotted path) of the module's imports
    import_at: int  # where new imports go: after the module's last import before it


@dataclass(frozen=True)
class FitCall:
    """A call of the legacy training API of a sentence-transformers model: `model.fit(...)`."""

    model: str  # CrossEncoder, SentenceTransformer or SparseEncoder
    span: Span  # the `fit` name
    arguments: tuple[FitArgument, ...]
    unpacked: bool  # `*args` or `**kwargs` hide some
    through: str | None = None  # another library's class whose `fit` calls the model's
    statement: FitStatement | None = None  # None where the call is part of an expression
    # the object's class is unknown: the model is read from fit's keywords alone
    assumed: bool = False


@dataclass(frozen=True)
class NameRef:
    """A library name written in code (an enum class), for rules about removed names.

    `imported`: the name is imported itself (`from transformers.trainer_utils import X`);
    `local` is then the name it binds. Otherwise a use: `local` is the name written there
    and `imported` tells whether it was bound by such an import (else it is reached through
    a module, `transformers.X`). `member`: the attribute a use reads (`X.STEPS`); None for
    any other use (`isinstance(v, X)`, `X("steps")`).
    """

    # the dotted library path (transformers.trainer_utils.EvaluationStrategy); "" where the
    # file binds the name itself (a class, an assignment, another package's import)
    path: str
    span: Span  # the name's own characters: what a rename replaces
    local: str
    imported: bool
    is_import: bool = False
    member: str | None = None
    # What a use does with the class (see NAME_USES); "" for an import.
    use: str = ""
    # Imports only: the whole statement, the statement list holding it (an opaque id shared by
    # the statements of one block), and the text whose removal drops this name from the
    # statement with its comma (or the statement's own lines when it imports nothing else),
    # None where that cannot be done without touching a comment or the block's last statement.
    statement: Span | None = None
    block: int | None = None
    drop: Span | None = None


# What a use of a library class does with it (NameRef.use):
USE_MEMBER = "member"  # reads a member: `X.STEPS`
USE_CALL = "call"  # makes a member from a value or a name: `X("steps")`, `X["STEPS"]`
USE_TYPE = "type"  # names it as a type: an annotation, `Annotated[X, ...]`, `Optional[X]`
USE_OTHER = "other"  # the class object itself: `isinstance(v, X)`, `type(v) is X`, `f(X)`
NAME_USES = (USE_MEMBER, USE_CALL, USE_TYPE, USE_OTHER)


class SourceFile(Protocol):
    """What rules about a whole file read of it (an adapter's Document provides it)."""

    @property
    def path(self) -> str: ...

    @property
    def imports(self) -> tuple[ImportRef, ...]: ...

    @property
    def trainer_keywords(self) -> tuple[TrainerKeyword, ...]: ...

    @property
    def trainer_attributes(self) -> tuple[TrainerAttribute, ...]: ...

    @property
    def fit_calls(self) -> tuple[FitCall, ...]: ...
    def api_calls(self) -> tuple[ApiCall, ...]: ...

    @property
    def names(self) -> tuple[NameRef, ...]: ...


class Origin(enum.StrEnum):
    """What a Site was read from, in the terms rules may use."""

    MAPPING = "mapping"  # a mapping of a YAML or JSON document
    CALL = "call"  # a call of the arguments class (its keywords, a `**` dict)
    REPLACE = "replace"  # dataclasses.replace(args, ...)
    PARSE_DICT = "parse-dict"  # parser.parse_dict({...})
    ATTRIBUTES = "attributes"  # attributes set or read on an arguments object already built
    HELPER = "helper"  # a `set_*` helper called on an arguments object
    SUBCLASS = "subclass"  # fields a subclass of the arguments class declares
    COMMAND = "command"  # the flags of a command that starts training
    FLAGS = "flags"  # flags kept apart from a command (a variable, an argument list)
    # defaults of the script's own dataclass fields that reach the class's keywords of the same
    # name (`Config(optim=args.optim)`, `args` parsed from the command line): role "default"
    DEFAULTS = "defaults"


class ClassSource(enum.StrEnum):
    """How the Site's arguments class is known."""

    ASSUMED = "assumed"  # nothing says: the default class
    SETTINGS = "settings"  # --class, `class` or `per-file-class` of the project's settings
    LINKED = "linked"  # a checked script loads this file, or is launched here, with that class
    COMMENT = "comment"  # a `# ce-lint: class=...` directive in the file
    CODE = "code"  # the code names the class (a call, an annotation, a parser)

    @property
    def declared(self) -> bool:
        return self is not ClassSource.ASSUMED


@dataclass(frozen=True)
class ClassChoice:
    """The arguments class a file's Sites get unless the code itself names one."""

    cls: str = DEFAULT_CLASS
    source: ClassSource = ClassSource.ASSUMED
    # Fields of the other dataclasses the same parser fills from these keys (see Site).
    other_fields: frozenset[str] | None = frozenset()
    # A class of the project that reads this file's keys itself (`MyConfig(**cfg)`): then its
    # mappings are that class's settings, not training arguments.
    owner: str | None = None
    # Options a launched script declares itself (argparse `add_argument`, in the script or the
    # project modules it imports): its own flags, never training arguments.
    script_options: frozenset[str] = frozenset()
    # The project reads this YAML with a loader that makes `1e-5` a number (YAML 1.2 loaders
    # such as ruamel.yaml and OmegaConf's, or TrlParser, whose argparse converts text defaults).
    numbers_from_text: bool = False
    # The fields of each dataclass the scripts beside or above this config define (read
    # statically): a mapping whose keys one of them declares is that dataclass's settings.
    nearby_dataclasses: tuple[frozenset[str], ...] = ()
    # `cls` stands for another package's class known to extend it by its use (see Site).
    unread_subclass: str | None = None


@dataclass(frozen=True)
class Launch:
    """The command that starts training with a Site's flags."""

    program: str  # python | torchrun | accelerate launch | deepspeed | ...
    script: str | None  # the script or module it runs


@dataclass(frozen=True)
class TrainerCall:
    """The trainer an arguments object is handed to (seen in scripts)."""

    cls: str  # CrossEncoderTrainer, Trainer, ...
    line: int
    keywords: frozenset[str]  # keyword arguments given
    none: frozenset[str]  # keyword arguments given as None
    positional: int  # how many positional arguments
    unpacked: bool  # `*args` or `**kwargs` hide some


@dataclass(frozen=True, eq=False)
class Site:
    """One training-arguments object found in a file, and what its adapter declares of it.

    Top-level entries are built with `parent=None`; the Site links them to itself.
    """

    path: str
    cls: str  # arguments class name, e.g. CrossEncoderTrainingArguments
    entries: tuple[Entry, ...]
    span: Span
    origin: Origin
    class_source: ClassSource = ClassSource.ASSUMED
    # Entries may be missing (merged in, unpacked from unknown values, other flags joined
    # later), so a missing key does not mean the default.
    partial: bool = False
    # The libraries check the values together when the object is built (False e.g. for
    # attributes set on an object that exists already).
    validated: bool = True
    # An unknown key fails at once (a call raises TypeError), rather than belonging to another
    # dataclass that reads the same mapping.
    strict_keys: bool = False
    # Fields of the other dataclasses that the parser reading this object fills from the same
    # keys (a script's model and data arguments beside the training arguments): such a key is
    # theirs, not unknown. None: the parser fills dataclasses that could not be read (imported
    # from elsewhere), so any unknown key may be theirs.
    other_fields: frozenset[str] | None = frozenset()
    launch: Launch | None = None  # COMMAND: what starts training
    trainer: TrainerCall | None = None  # the trainer the object is handed to, if seen
    helper: str | None = None  # HELPER: the method called
    subclass: str | None = None  # SUBCLASS: its name
    # The class the code names is another package's class that its use shows to extend `cls`
    # (it is handed to a trainer as `args`), but whose source ce-lint does not read: its own
    # fields are unknown (a key that is no field of `cls` may be one of them) and it may
    # re-declare a field `cls` removed. Its name, else None.
    unread_subclass: str | None = None
    handle: Any = None  # adapter-private

    def __post_init__(self) -> None:
        for entry in self.entries:
            if entry.parent is None:
                entry.parent = self

    def get(self, key: str) -> Entry | None:
        for entry in self.entries:
            if entry.key == key:
                return entry
        return None

    def all(self, key: str) -> list[Entry]:
        return [e for e in self.entries if e.key == key]

    def keys(self) -> list[str]:
        return [e.key for e in self.entries]
