"""Version knowledge: which field, enum value and default exists in which release.

The data files in `data/` are produced by `python -m ce_lint.knowledge.regenerate`
from the released wheels (parsed with `ast`, never imported). Lookups for a version
that was not examined use the newest examined release at or below it.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from .names import DATA_DIR, SENTENCE_TRANSFORMERS, ST_CLASSES, TRANSFORMERS, TRL, V

if TYPE_CHECKING:
    from .sources import Snapshot

__all__ = [
    "DATA_DIR",
    "SENTENCE_TRANSFORMERS",
    "ST_CLASSES",
    "TRANSFORMERS",
    "TRL",
    "ArgumentsClass",
    "FieldInfo",
    "Knowledge",
    "LibraryData",
    "V",
]


def value_at(history: Iterable[tuple[Any, Any]] | None, version: Version) -> Any:
    """The value of a `[[since, value], ...]` history (oldest first) at `version`: the last
    one whose release is at or below it (None before the first)."""
    current = None
    for since, value in history or ():
        if (since if isinstance(since, Version) else V(since)) <= version:
            current = value
    return current


@dataclass(frozen=True)
class FieldInfo:
    name: str
    library: str
    first: Version
    removed_in: Version | None
    deprecated_in: Version | None
    raw: dict[str, Any]

    def exists_at(self, version: Version) -> bool:
        return self.first <= version and (self.removed_in is None or version < self.removed_in)

    def history_at(self, key: str, version: Version) -> Any:
        """The value of a `[[version, value], ...]` history at `version` (None before it)."""
        return value_at(self.raw.get(key) or [], version)

    def default_at(self, version: Version) -> str | None:
        return self.history_at("defaults", version)

    def type_at(self, version: Version) -> str | None:
        return self.history_at("types", version)

    def first_typed(self, word: str) -> Version | None:
        """The first release whose declared type names `word` (e.g. float), if any."""
        return next((V(v) for v, t in self.raw.get("types") or [] if word in (t or "")), None)

    @property
    def only_class(self) -> str | None:
        return self.raw.get("class")

    @property
    def after_removal(self) -> tuple[bool, Any]:
        """(True, value) when the release that removed the field behaves as if it always had
        `value` (a curated fact with its source: `save_safetensors`, always safetensors in
        transformers 5), else (False, None)."""
        fact = self.raw.get("after_removal")
        if not isinstance(fact, dict) or "value" not in fact:
            return False, None
        return True, fact["value"]

    @property
    def init(self) -> bool:
        """Whether the constructor takes it (some fields are set in __post_init__ only)."""
        return bool(self.raw.get("init", True))

    @property
    def types(self) -> list[str]:
        """Every declared type the field has had, oldest first."""
        return [t for _, t in self.raw.get("types") or [] if t]


def _field_infos(library: str, fields: dict[str, Any]) -> dict[str, FieldInfo]:
    return {
        name: FieldInfo(
            name=name,
            library=library,
            first=V(f["first"]),
            removed_in=V(f["removed_in"]) if f.get("removed_in") else None,
            deprecated_in=V(f["deprecated_in"]) if f.get("deprecated_in") else None,
            raw=f,
        )
        for name, f in fields.items()
    }


@dataclass(frozen=True)
class TrainerAttributeFact:
    """An attribute of transformers' Trainer that a release deprecated and a later one removed
    in favour of another (the same object under a new name)."""

    name: str
    deprecated_in: Version
    removed_in: Version
    replacement: str


@dataclass(frozen=True)
class FitFacts:
    """A model's legacy `fit` across releases of sentence-transformers."""

    model: str
    parameters: tuple[tuple[Version, tuple[str, ...]], ...]  # (since, names in order)
    defaults: dict[str, Any]
    trainer_since: Version  # from this release `fit` builds a Trainer underneath
    removed_in: Version | None  # the model has no `fit` from this release
    scheduler_object_raises: tuple[Version, Version | None] | None  # [since, until)
    evaluator_output_unsaved: tuple[Version, Version | None] | None  # [since, until)

    codemod: FitCodemodFacts | None = None  # what the fit -> Trainer codemod writes

    def parameters_at(self, version: Version) -> tuple[str, ...]:
        return value_at(self.parameters, version) or ()


@dataclass(frozen=True)
class FitCodemodFacts:
    """What the codemod of a model's `fit` writes: the Trainer API it uses (from `since`), the
    loss classes that take over torch losses, and the evaluators whose old score the new
    evaluator reports under a known key."""

    since: Version
    module: str  # where the arguments class, the trainer and the model class are imported from
    arguments: str
    trainer: str
    model_paths: tuple[str, ...]  # the paths that name the model class
    losses_module: str
    losses: dict[str, str]  # torch loss path -> class of losses_module
    identity: frozenset[str]  # activation paths that change nothing
    optimizers: frozenset[str]  # optimizer_class paths the Trainer's default optimizer equals
    dataloaders: frozenset[str]
    dataset: str  # the dataset class path (datasets.Dataset)
    evaluator_scores: dict[str, dict[str, Any]]
    model_class: str  # CrossEncoder, SentenceTransformer
    kept_losses: frozenset[str]  # loss classes of losses_module passed to the Trainer as built
    no_duplicates_loaders: frozenset[str]  # loaders that batch_sampler="no_duplicates" replaces
    saves_last_without_evaluator: bool  # the old loop saved the final model to output_path


@dataclass(frozen=True)
class ArgumentsClass:
    """A third-party arguments class (trl's SFTConfig, ...): when it extends transformers'
    TrainingArguments, and the fields it declares itself, per release of its library."""

    name: str
    library: str
    first: Version
    removed_in: Version | None
    fields: dict[str, FieldInfo]
    raw: dict[str, Any]

    def base_at(self, version: Version) -> str | None:
        """The transformers class it extends at `version` (None: it does not exist there)."""
        if version < self.first or (self.removed_in is not None and version >= self.removed_in):
            return None
        return value_at(self.raw.get("base") or [], version)

    @property
    def base(self) -> str:
        """The transformers class it extends in its newest release."""
        return (self.raw.get("base") or [["", "TrainingArguments"]])[-1][1]


class LibraryData:
    def __init__(self, raw: dict[str, Any]):
        self.name: str = raw["library"]
        self.raw = raw
        self.versions: list[Version] = sorted(V(v) for v in raw["versions"])
        self.fields: dict[str, FieldInfo] = _field_infos(self.name, raw.get("fields", {}))
        self.classes: dict[str, ArgumentsClass] = {
            name: ArgumentsClass(
                name=name,
                library=self.name,
                first=V(c["first"]),
                removed_in=V(c["removed_in"]) if c.get("removed_in") else None,
                fields=_field_infos(self.name, c.get("fields", {})),
                raw=c,
            )
            for name, c in raw.get("arguments_classes", {}).items()
        }

    @property
    def newest(self) -> Version:
        return self.versions[-1]

    def floor(self, version: Version) -> Version:
        """The newest examined release at or below `version` (the oldest if none is)."""
        i = bisect.bisect_right(self.versions, version)
        return self.versions[max(i - 1, 0)]

    def matching(self, spec: SpecifierSet) -> list[Version]:
        """Examined releases a specifier allows, also counting each minor's later patches."""
        out = [v for v in self.versions if spec.contains(v, prereleases=True)]
        if out:
            return out
        # `==5.22.2` or `==4.46` matches no examined release: use an examined release of the
        # same minor (the one at or below the pin, else the minor's first examined release).
        pins = [
            V(s.version) for s in spec if s.operator in ("==", "===", "~=") and "*" not in s.version
        ]
        return sorted({self.same_minor(p) for p in pins})

    def same_minor(self, version: Version) -> Version:
        minor = [v for v in self.versions if v.release[:2] == version.release[:2]]
        if not minor:
            return self.floor(version)
        below = [v for v in minor if v <= version]
        return below[-1] if below else minor[0]

    def enum_values(self, enum: str, version: Version) -> list[str] | None:
        return value_at(self.raw.get("enums", {}).get(enum, []), version)

    def method_params(self, method: str, version: Version) -> list[str] | None:
        """Keyword parameters of a `set_*` helper of TrainingArguments (None: no such method)."""
        return value_at(self.raw.get("methods", {}).get(method, []), version)

    def json_text_fields(self, version: Version) -> dict[str, Any] | None:
        """`_VALID_DICT_FIELDS` at a release: {"fields": [...], "on_class": bool}, or None."""
        return value_at(self.raw.get("json_text_fields", []), version)

    def trainer_params(self, trainer: str, version: Version) -> list[str] | None:
        """Keyword parameters of a trainer's constructor (None: no such trainer there)."""
        return value_at(self.raw.get("trainers", {}).get(trainer, []), version)

    @property
    def fit_wrappers(self) -> dict[str, str]:
        """Other libraries' classes whose `fit` passes its arguments to a model's `fit`:
        import path -> the model class (curated, with sources)."""
        wrappers = self.raw.get("fit", {}).get("wrappers", {})
        return {path: fact["model"] for path, fact in wrappers.items()}

    def fit_facts(self, model: str) -> FitFacts | None:
        """What a sentence-transformers model's legacy `fit` is in each release (curated from
        the wheels and tiny-model runs; None: no facts for this model)."""
        raw = self.raw.get("fit", {}).get(model)
        if raw is None:
            return None

        def span(pair: list[str | None] | None) -> tuple[Version, Version | None] | None:
            return (V(pair[0]), V(pair[1]) if pair[1] else None) if pair else None  # type: ignore[arg-type]

        return FitFacts(
            model,
            tuple((V(since), tuple(names)) for since, names in raw["parameters"]),
            raw.get("defaults", {}),
            V(raw["trainer_since"]),
            V(raw["removed_in"]) if raw.get("removed_in") else None,
            span(raw.get("scheduler_object_raises")),
            span(raw.get("evaluator_output_unsaved")),
            _codemod_facts(raw.get("codemod")),
        )

    def trainer_attribute(self, name: str) -> TrainerAttributeFact | None:
        """What became of an attribute of the Trainer (curated from the wheels; None: nothing
        known, or still there)."""
        raw = self.raw.get("trainer_attributes", {}).get(name)
        if raw is None:
            return None
        return TrainerAttributeFact(
            name, V(raw["deprecated_in"]), V(raw["removed_in"]), raw["replacement"]
        )

    def trainer_first(self, trainer: str, keyword: str) -> Version | None:
        """The first examined release whose `trainer` takes `keyword` (None: none does)."""
        for since, params in self.raw.get("trainers", {}).get(trainer, []):
            if keyword in (params or ()):
                return V(since)
        return None

    def api(self, name: str, version: Version) -> dict[str, Any] | None:
        """The signature of a model or evaluator method (`CrossEncoder.__init__`) at a release:
        {"params", "renamed", "positional", "deprecated", "inherits"} (None: absent there)."""
        return value_at(self.raw.get("api", {}).get(name, []), version)

    def api_history(self, name: str) -> list[tuple[Version, dict[str, Any] | None]]:
        return [(V(since), value) for since, value in self.raw.get("api", {}).get(name, [])]

    @cached_property
    def api_classes(self) -> frozenset[str]:
        return frozenset(name.split(".", 1)[0] for name in self.raw.get("api", {}))

    @cached_property
    def api_methods(self) -> frozenset[str]:
        """The methods recorded (not constructors), and the old names of renamed ones."""
        out = {n.split(".", 1)[1] for n in self.raw.get("api", {}) if "." in n} - {"__init__"}
        for name, history in self.raw.get("api", {}).items():
            if "." not in name:
                out.update(old for _, v in history for old in (v or {}).get("renamed_methods", {}))
        return frozenset(out)

    def api_curated(self, name: str) -> dict[str, Any]:
        """Curated facts of an API method (keywords its shims move or drop), with sources."""
        return self.raw.get("api_curated", {}).get(name, {})

    @property
    def trainers(self) -> frozenset[str]:
        return frozenset(self.raw.get("trainers", {}))

    def requires(self, version: Version, library: str = TRANSFORMERS) -> SpecifierSet | None:
        """The requirement on `library` of the examined release at or below `version`."""
        best = None
        for release, req in self.raw.get("requires", {}).items():
            if V(release) <= version and (best is None or V(release) > best[0]):
                best = (V(release), req.get(library))
        return SpecifierSet(best[1]) if best and best[1] else None

    def method_params_ever(self, method: str) -> set[str] | None:
        """Every keyword some release's `method` took (None: no release has the method)."""
        history = self.raw.get("methods", {}).get(method)
        if history is None:
            return None
        return {p for _, params in history for p in params or []}

    @property
    def enum_names(self) -> frozenset[str]:
        return frozenset(self.raw.get("enums", {}))

    def enum_history(self, enum: str) -> list[tuple[Version, list[str] | None]]:
        return [(V(v), vals) for v, vals in self.raw.get("enums", {}).get(enum, [])]


class Knowledge:
    def __init__(
        self,
        transformers: dict[str, Any],
        sentence_transformers: dict[str, Any],
        from_source: frozenset[tuple[str, Version]] = frozenset(),
        trl: dict[str, Any] | None = None,
    ):
        self.tf = LibraryData(transformers)
        self.st = LibraryData(sentence_transformers)
        self.trl = LibraryData(trl or _read(TRL))
        # Releases read from an installed package's sources at run time (not the data files).
        self.from_source = from_source
        self._fields_cache: dict[tuple[str, Version, Version], frozenset[str]] = {}

    @classmethod
    def load(cls) -> Knowledge:
        return _load()

    def library(self, name: str) -> LibraryData:
        if name == TRL:
            return self.trl
        return self.tf if name == TRANSFORMERS else self.st

    def third_party(self, cls: str) -> ArgumentsClass | None:
        """The third-party class (trl's SFTConfig, ...) named `cls`, if ce-lint knows it."""
        return self.trl.classes.get(cls)

    def second_library(self, cls: str) -> str:
        """The library beside transformers whose release decides `cls`'s own fields."""
        return TRL if cls in self.trl.classes else SENTENCE_TRANSFORMERS

    @cached_property
    def third_party_classes(self) -> frozenset[str]:
        """The classes of other libraries known to extend transformers' arguments classes."""
        return frozenset(self.trl.classes)

    def with_release(self, library: str, version: str, snapshot: Snapshot) -> Knowledge:
        """This knowledge plus a newer release of `library`, read from its sources."""
        from .layout import append_release  # the source readers load only when one is read

        raw = append_release(self.library(library).raw, version, snapshot)
        tf, st = (raw, self.st.raw) if library == TRANSFORMERS else (self.tf.raw, raw)
        return Knowledge(tf, st, self.from_source | {(library, V(version))}, self.trl.raw)

    def read_from_source(self, library: str, version: Version) -> bool:
        return (library, version) in self.from_source

    @cached_property
    def enum_names(self) -> frozenset[str]:
        """Every enum class some release of either library has."""
        return self.tf.enum_names | self.st.enum_names

    @cached_property
    def all_field_names(self) -> frozenset[str]:
        """Every field any examined release of any arguments class accepted."""
        names = {n for n, f in self.tf.fields.items() if f.init}
        return frozenset(names | set(self.st.fields))

    @cached_property
    def family_field_names(self) -> frozenset[str]:
        """all_field_names and the fields of the third-party subclasses (trl's configs)."""
        return self.all_field_names | {n for c in self.trl.classes.values() for n in c.fields}

    def one_class_takes(self, keys: frozenset[str]) -> bool:
        """Whether one arguments class of the family takes all `keys` in one release of its own
        library (transformers' fields counted over all its releases): a mapping that mixes keys
        of classes, or of releases, that never met is no class's keyword arguments."""
        if keys <= self.all_field_names:
            return True
        rest = keys - self.all_field_names
        for third in self.trl.classes.values():
            if not rest <= third.fields.keys():
                continue
            if any(all(third.fields[k].exists_at(v) for k in rest) for v in self.trl.versions):
                return True
        return False

    def _own(self, cls: str, name: str) -> FieldInfo | None:
        """The declaration of `name` by a third-party class itself, when transformers has none
        (re-declared transformers fields keep transformers' history)."""
        third = self.trl.classes.get(cls)
        if third is None or name not in third.fields:
            return None
        info = self.tf.fields.get(name)
        if info is not None and info.only_class in (None, third.base):
            return None
        return third.fields[name]

    def field(self, name: str, cls: str = "CrossEncoderTrainingArguments") -> FieldInfo | None:
        if cls in ST_CLASSES and name in self.st.fields:
            return self.st.fields[name]
        own = self._own(cls, name)
        return own if own is not None else self.tf.fields.get(name)

    def fields_of(self, cls: str, tf: Version, st: Version) -> frozenset[str]:
        """Field names the constructor of `cls` accepts at the given releases (`st`: the
        release of the library beside transformers that owns `cls`, see second_library)."""
        key = (cls, self.tf.floor(tf), self.library(self.second_library(cls)).floor(st))
        if key not in self._fields_cache:
            self._fields_cache[key] = self._fields_of(*key)
        return self._fields_cache[key]

    def _fields_of(self, cls: str, tfv: Version, stv: Version) -> frozenset[str]:
        out = set()
        third = self.trl.classes.get(cls)
        # A third-party class inherits the fields of the transformers class it extends.
        base = third.base if third is not None else cls
        for name, info in self.tf.fields.items():
            if not info.init or not info.exists_at(tfv):
                continue
            if info.only_class and info.only_class != base:
                continue
            out.add(name)
        if third is not None:
            out |= {n for n, i in third.fields.items() if i.exists_at(stv)}
        if cls in ST_CLASSES:
            for name, info in self.st.fields.items():
                if info.only_class and info.only_class != cls:
                    continue
                if info.exists_at(stv):
                    out.add(name)
        return frozenset(out)

    def accepts(self, cls: str, name: str, tf: Version, st: Version) -> bool:
        return name in self.fields_of(cls, tf, st)

    def deprecated(self, cls: str, name: str, tf: Version, st: Version) -> bool:
        """True when the field is accepted at these releases but announced for removal."""
        own = self._own(cls, name)
        if own is not None:
            return bool(own.deprecated_in and own.deprecated_in <= self.trl.floor(st))
        if cls in ST_CLASSES and name in self.st.fields:
            info = self.st.fields[name]
            cond = info.raw.get("deprecated_with", {}).get(TRANSFORMERS)
            if cond and SpecifierSet(cond).contains(self.tf.floor(tf)):
                return True
            return bool(info.deprecated_in and info.deprecated_in <= self.st.floor(st))
        info = self.tf.fields.get(name)
        return bool(info and info.deprecated_in and info.deprecated_in <= self.tf.floor(tf))

    def first_accepting(self, cls: str, name: str) -> list[tuple[str, Version]]:
        """Each library whose release from which on `cls` accepts `name`, with that release.

        Both may: sentence-transformers 6.3 declares `activation_checkpointing` for its own
        classes on any transformers 5, which declares it itself from 5.23.
        """
        out = []
        third = self.trl.classes.get(cls)
        info = self.tf.fields.get(name)
        if info is not None and info.only_class in (None, third.base if third else cls):
            out.append((TRANSFORMERS, info.first))
        if third is not None and name in third.fields:
            out.append((TRL, third.fields[name].first))
        if cls in ST_CLASSES and name in self.st.fields:
            st_info = self.st.fields[name]
            if st_info.only_class in (None, cls):
                out.append((SENTENCE_TRANSFORMERS, st_info.first))
        return out

    def json_text_fields(self, cls: str, tf: Version, st: Version) -> frozenset[str] | None:
        """Fields whose `{...}` text `cls` reads as JSON when built (None: no such reading).

        From transformers 4.51 the list is read from the class, so sentence-transformers'
        own list (5.1+) replaces transformers' for its classes; before, the module's list held.
        """
        listed = self.tf.json_text_fields(self.tf.floor(tf))
        if listed is None:
            return None
        if cls in ST_CLASSES and listed["on_class"]:
            own = self.st.json_text_fields(self.st.floor(st))
            if own is not None:
                return frozenset(own["fields"])
        return frozenset(listed["fields"])

    def st_requires(self, st: Version) -> SpecifierSet | None:
        return self.st.requires(st)


DATA_FILES = {
    TRANSFORMERS: "transformers.json",
    SENTENCE_TRANSFORMERS: "sentence_transformers.json",
    TRL: "trl.json",
}


def _codemod_facts(raw: dict[str, Any] | None) -> FitCodemodFacts | None:
    if raw is None:
        return None
    return FitCodemodFacts(
        V(raw["since"]),
        raw["module"],
        raw["arguments"],
        raw["trainer"],
        tuple(raw["model_paths"]),
        raw["losses_module"],
        dict(raw["losses"]),
        frozenset(raw["identity"]),
        frozenset(raw["optimizers"]),
        frozenset(raw["dataloaders"]),
        raw["dataset"],
        dict(raw["evaluator_scores"]),
        raw["model_class"],
        frozenset(raw["kept_losses"]),
        frozenset(raw["no_duplicates_loaders"]),
        raw["saves_last_without_evaluator"],
    )


@cache
def _read(library: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / DATA_FILES[library]).read_text(encoding="utf-8"))


@cache
def _load() -> Knowledge:
    return Knowledge(_read(TRANSFORMERS), _read(SENTENCE_TRANSFORMERS))
