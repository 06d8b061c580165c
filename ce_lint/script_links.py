"""Which arguments class a config file or a launched script is read as, from the scripts.

A config is judged as the class of the script that loads it, when the script names the file
literally:

    HfArgumentParser((ModelArgs, TrainingArguments)).parse_json_file("configs/train.json")
    parser.parse_yaml_file(yaml_file="train.yaml")
    TrainingArguments(**json.load(open("train.json")))
    with open("train.yaml") as f:
        cfg = yaml.safe_load(f)
    args = TrainingArguments(**cfg["training"])

and a shell line `torchrun train.py --flags` is judged as the class `train.py` parses into;
the options `train.py` declares itself with argparse (there, or in a project module it imports)
are its own and never read as training arguments.
Only Python files among the checked ones that mention the parser or a class are read, with
`ast` (nothing is imported or run). A literal path is tried relative to the script's folder,
the current folder and the project root.
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from .adapters.files import MAKEFILE_NAMES
from .adapters.python_names import (
    Scope,
    arguments_class,
    dataclass_fields,
    dotted,
    parser_info,
    qualified,
    record_import,
)
from .fileio import resolved
from .model import ClassChoice, ClassSource
from .project_modules import (
    LIBRARY_MODULES,
    PYYAML,
    ModuleFacts,
    ModuleOptions,
    key_of,
    module_facts,
    module_options,
    string_literal,
)

LOADERS = frozenset(
    {
        "json.load", "json.loads", "yaml.load", "yaml.safe_load", "yaml.full_load",
        "yaml.unsafe_load",
    }
)  # fmt: skip
PARSE_FILE = {"parse_json_file": "json_file", "parse_yaml_file": "yaml_file"}
# Files that a script's class can apply to: configs it loads, scripts and notebooks that launch it.
LINKED_SUFFIXES = frozenset(
    {".json", ".yaml", ".yml", ".sh", ".bash", ".zsh", ".ksh", ".slurm", ".sbatch", ".mk", ".ipynb"}
)


# How far the options a launched script declares are followed through the project modules it
# imports (the script, the modules it imports, theirs).
OPTION_IMPORT_DEPTH = 2


def _may_link(data: bytes) -> bool:
    """Plain byte searches (much faster than a regex over every file): a parser, or a config
    file name (read into an arguments class or the project's own)."""
    if b"HfArgumentParser" in data:
        return True
    return any(s in data for s in (b".json", b".yaml", b".yml"))


# How far above a config its project's scripts are looked for, and the most subfolders a folder
# may have for them to count as its project's (a library's package tree is not one project).
NEAR_LEVELS = 4
NEAR_SUBFOLDERS = 16


@dataclass
class Links:
    # resolved path -> the class it is read as (and the other dataclasses its parser fills)
    configs: dict[str, ClassChoice] = field(default_factory=dict)
    scripts: dict[str, ClassChoice] = field(default_factory=dict)
    # resolved path -> the project's own reader of its keys (a class, or the script itself)
    owned: dict[str, ClassChoice] = field(default_factory=dict)
    roots: tuple[Path, ...] = ()
    python_files: frozenset[str] = frozenset()  # resolved paths of the checked .py files
    # parsers that fill dataclasses imported from the project: settled once all are read
    pending_parsers: list[PendingParser] = field(default_factory=list)
    # resolved path of a module -> the options it declares, the project modules it imports
    # (read when a launched script needs them)
    _modules: dict[str, ModuleOptions] = field(default_factory=dict)
    # resolved path -> how it reads YAML and the dataclasses it defines (read when a config
    # near it, or a parser that fills one of its classes, needs them)
    _facts: dict[str, ModuleFacts] = field(default_factory=dict)
    _class_index: dict[str, list[str]] | None = None  # class name -> modules that define it

    def facts(self, module: str) -> ModuleFacts:
        if module not in self._facts:
            self._facts[module] = module_facts(Path(module))
        return self._facts[module]

    @cached_property
    def by_folder(self) -> dict[str, list[str]]:
        """The checked .py files of each folder (resolved paths)."""
        found: dict[str, list[str]] = {}
        for module in sorted(self.python_files):
            found.setdefault(str(Path(module).parent), []).append(module)
        return found

    def config_class(self, path: str) -> ClassChoice | None:
        """The arguments class a script reads the config into; else the project's own reader
        (when no script hands it to an arguments class)."""
        if not self.configs and not self.owned:
            return None
        key = key_of(Path(path))
        return self.configs.get(key) or self.owned.get(key)

    def script_class(self, launcher_file: str, script: str | None) -> ClassChoice | None:
        """The class the script launched from `launcher_file` parses into, with the options it
        declares itself (None: nothing known about it)."""
        if not script or not self.python_files:
            return None
        names = [script] if script.endswith(".py") else [script.replace(".", "/") + ".py"]
        here = Path(launcher_file).parent
        # Its own folder, the run's roots, then the folders above it (`scripts/run.sh` is often
        # run from the folder that holds `train.py`).
        for folder in dict.fromkeys((here, *self.roots, *resolved(here).parents)):
            for name in names:
                key = key_of(folder / name)
                found = self.scripts.get(key)
                own = self.declared_options(key)
                if found and own:
                    return replace(found, script_options=own)
                if found or own:
                    return found or ClassChoice(script_options=own)
        return None

    @cached_property
    def subfolders(self) -> dict[str, list[str]]:
        """The folders holding checked .py files, by the folder they are in."""
        found: dict[str, list[str]] = {}
        for folder in self.by_folder:
            found.setdefault(str(Path(folder).parent), []).append(folder)
        return found

    def nearby_dataclasses(self, path: str) -> tuple[frozenset[str], ...]:
        """The fields of the dataclasses defined by the scripts in the folder of `path`, the
        few folders above it (NEAR_LEVELS) and their subfolders (`configs/x.yaml` beside
        `src/config.py`; not where a folder has more than NEAR_SUBFOLDERS of them)."""
        found: list[frozenset[str]] = []
        for folder in self._near(path):
            subfolders = self.subfolders.get(folder, [])
            if len(subfolders) > NEAR_SUBFOLDERS:
                subfolders = []
            for near in dict.fromkeys([folder, *subfolders]):
                for module in self.by_folder.get(near, ()):
                    classes = self.facts(module).dataclasses.values()
                    found += [f for f in classes if f is not None and len(f) >= 2]
        return tuple(dict.fromkeys(found))

    @staticmethod
    def _near(path: str) -> list[str]:
        """The folder of `path` and the few above it where its project's scripts may be."""
        return [str(f) for f in resolved(Path(path)).parents[:NEAR_LEVELS]]

    def yaml_numbers(self, path: str) -> bool:
        """Whether the project reads the YAML file at `path` so that `1e-5` is a number: the
        nearest folder at or above it whose scripts read YAML reads it only that way."""
        for folder in self._near(path):
            modules = self.by_folder.get(folder, ())
            kinds = {kind for module in modules for kind in self.facts(module).yaml}
            if kinds:
                return PYYAML not in kinds
        return False

    def settle_parsers(self) -> None:
        """A parser that fills a dataclass the script imports from the project: when the
        checked files define that name once, as a plain dataclass, its fields are known."""
        for pending in self.pending_parsers:
            others: set[str] = set()
            for name, fields in pending.elements:
                if fields is None:
                    definitions = self._definitions(name)
                    fields = definitions[0] if len(definitions) == 1 else None
                if fields is None:
                    break  # a base from elsewhere, or no single definition: fields unknown
                others |= fields
            else:
                if pending.cls is None:
                    own = ClassChoice(source=ClassSource.LINKED, owner=Path(pending.script).name)
                    self.scripts.setdefault(pending.script, own)
                else:
                    found = ClassChoice(pending.cls, ClassSource.LINKED, frozenset(others))
                    self.scripts[pending.script] = found

    def _definitions(self, name: str) -> list[frozenset[str] | None]:
        """The fields of each top-level class `name` the checked files define."""
        if self._class_index is None:
            index: dict[str, list[str]] = {}
            pattern = re.compile(rb"^class\s+(\w+)", re.M)
            for module in self.python_files:
                with contextlib.suppress(OSError):
                    for found in set(pattern.findall(Path(module).read_bytes())):
                        index.setdefault(found.decode(errors="replace"), []).append(module)
            self._class_index = index
        return [
            self.facts(m).dataclasses[name]
            for m in self._class_index.get(name, ())
            if name in self.facts(m).dataclasses
        ]

    def declared_options(self, key: str) -> frozenset[str]:
        """The options the script at `key` declares with argparse, there or in the project
        modules it imports (OPTION_IMPORT_DEPTH levels)."""
        found: set[str] = set()
        seen: set[str] = set()
        level = [key]
        for _ in range(OPTION_IMPORT_DEPTH + 1):
            following: list[str] = []
            for module in level:
                if module in seen or module not in self.python_files:
                    continue
                seen.add(module)
                if module not in self._modules:
                    self._modules[module] = module_options(Path(module), self.python_files)
                found |= self._modules[module].options
                following.extend(self._modules[module].imports)
            level = following
        return frozenset(found)


@dataclass(frozen=True)
class PendingParser:
    script: str  # resolved path
    cls: str | None  # the arguments class it fills, if any
    # the other dataclasses it fills: name, and fields when the script defines it
    elements: tuple[tuple[str, frozenset[str] | None], ...]


def link(files: Iterable[Path], roots: Iterable[Path] = ()) -> Links:
    """What the Python scripts among `files` say about the configs they load and the flags
    they parse."""
    links = Links(roots=tuple(roots))
    files = list(files)
    if not any(
        p.suffix.lower() in LINKED_SUFFIXES or p.name.lower() in MAKEFILE_NAMES for p in files
    ):
        return links  # no config or launch file among them: nothing would use the links
    links.python_files = frozenset(key_of(p) for p in files if p.suffix == ".py")
    for path in files:
        if path.suffix != ".py":
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if not _may_link(data):
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        _Reader(path, links).read(tree)
    links.settle_parsers()
    return links


class _Reader:
    """One script: its parsers, the files it loads and what they are turned into."""

    def __init__(self, path: Path, links: Links):
        self.path = path
        self.links = links
        self.scope = Scope(None, None)  # type: ignore[arg-type]  # one flat scope is enough here
        self.parsers: dict[str, ClassChoice] = {}  # variable -> what its parser fills
        self.opened: dict[str, str] = {}  # file variable of `with open(LIT) as f` -> LIT
        self.loaded: dict[str, str] = {}  # variable holding a loaded config -> LIT

    def read(self, tree: ast.Module) -> None:
        self.defined = dataclass_fields(tree)
        nodes = list(ast.walk(tree))
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom):
                record_import(node, self.scope)
        for node in nodes:
            if isinstance(node, ast.With):
                for item in node.items:
                    literal = _open_literal(item.context_expr)
                    if literal and isinstance(item.optional_vars, ast.Name):
                        self.opened[item.optional_vars.id] = literal
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    cls = self._parser_class(node.value)
                    if cls:
                        self.parsers[target.id] = cls
                    literal = self._loaded_literal(node.value)
                    if literal:
                        self.loaded[target.id] = literal
        for node in nodes:
            if isinstance(node, ast.Call):
                self._parser_class(node)  # a parser built inline records the script too
                self._call(node)
        for node in nodes:
            self._own_reader(node)

    def _own_reader(self, node: ast.AST) -> None:
        """A loaded config whose keys the project reads itself: `MyConfig(**cfg)`,
        `MyConfig.from_yaml("c.yaml")`, `cfg["lr"]` (recorded only where no script hands the
        file to an arguments class; see Links.config_class)."""
        literal, owner = None, None
        if isinstance(node, ast.Call):
            project_class = _project_class(node.func, self.scope)
            if project_class is not None:
                for keyword in node.keywords:
                    if keyword.arg is None:
                        literal = literal or self._loaded_literal(keyword.value)
                owner = project_class
            elif (
                isinstance(node.func, ast.Attribute)
                and (node.func.attr.startswith("from_") or node.func.attr.startswith("load"))
                and _project_class(node.func.value, self.scope) is not None
                and node.args
            ):
                owner = dotted(node.func.value)
                literal = string_literal(node.args[0]) or self._loaded_literal(node.args[0])
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            literal, owner = self._loaded_literal(node.value), self.path.name
        if literal and owner:
            choice = ClassChoice(source=ClassSource.LINKED, owner=owner)
            self._record(self.links.owned, literal, choice)

    def _parser_class(self, node: ast.AST) -> ClassChoice | None:
        """What `HfArgumentParser(X)` / `HfArgumentParser((A, X))` fills."""
        if not isinstance(node, ast.Call):
            return None
        info = parser_info(node, self.scope, self.defined)
        if info is None:
            return None
        if info.other_fields is None:
            self._pending(node, info.cls)
        if info.cls is None:
            if info.other_fields is not None:  # only the script's own dataclasses, all seen
                own = ClassChoice(source=ClassSource.LINKED, owner=self.path.name)
                self.links.scripts.setdefault(key_of(self.path), own)
            return None
        found = ClassChoice(info.cls, ClassSource.LINKED, info.other_fields)
        self._record(self.links.scripts, str(self.path), found, relative=False)
        return found

    def _pending(self, call: ast.Call, cls: str | None) -> None:
        """Leave a parser whose other dataclasses are imported for settle_parsers."""
        first = call.args[0]
        elements = first.elts if isinstance(first, ast.Tuple | ast.List) else [first]
        named: list[tuple[str, frozenset[str] | None]] = []
        for element in elements:
            if arguments_class(element, self.scope):
                continue
            if not isinstance(element, ast.Name):
                return  # `mod.Args` or an expression: not followed
            imported = self.scope.lookup_import(element.id) or ""
            if imported.split(".", 1)[0] in LIBRARY_MODULES:
                return  # a library's dataclass (trl's ScriptArguments): its fields are not read
            named.append((element.id, self.defined.get(element.id)))
        self.links.pending_parsers.append(PendingParser(key_of(self.path), cls, tuple(named)))

    def _loaded_literal(self, node: ast.AST) -> str | None:
        """LIT when `node` loads a config: json.load(open(LIT)), yaml.safe_load(f), ..."""
        if isinstance(node, ast.Subscript):
            return self._loaded_literal(node.value)
        if isinstance(node, ast.Name):
            return self.loaded.get(node.id)
        if not isinstance(node, ast.Call) or qualified(node.func, self.scope) not in LOADERS:
            return None
        if not node.args:
            return None
        source = node.args[0]
        if isinstance(source, ast.Name):
            return self.opened.get(source.id)
        return _open_literal(source)

    def _call(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in PARSE_FILE:
            owner = func.value
            cls = (
                self.parsers.get(owner.id)
                if isinstance(owner, ast.Name)
                else self._parser_class(owner)
            )
            argument = (
                call.args[0]
                if call.args
                else next((k.value for k in call.keywords if k.arg == PARSE_FILE[func.attr]), None)
            )
            literal = string_literal(argument)
            if cls and literal:
                self._record(self.links.configs, literal, cls)
            return
        if isinstance(func, ast.Attribute) and func.attr == "parse_dict" and call.args:
            owner = func.value
            cls = (
                self.parsers.get(owner.id)
                if isinstance(owner, ast.Name)
                else self._parser_class(owner)
            )
            literal = self._loaded_literal(call.args[0])
            if cls and literal:
                self._record(self.links.configs, literal, cls)
            return
        named = arguments_class(func, self.scope)
        if not named:
            return
        for keyword in call.keywords:
            if keyword.arg is None:
                literal = self._loaded_literal(keyword.value)
                if literal:
                    self._record(
                        self.links.configs, literal, ClassChoice(named, ClassSource.LINKED)
                    )

    def _record(
        self, table: dict[str, ClassChoice], literal: str, cls: ClassChoice, relative: bool = True
    ) -> None:
        if not relative:
            table[key_of(Path(literal))] = cls
            return
        for folder in (self.path.parent, *self.links.roots):
            candidate = folder / literal
            if candidate.is_file():
                table.setdefault(key_of(candidate), cls)


def _project_class(node: ast.AST, scope: Scope) -> str | None:
    """The name of a class that is neither a library's nor an arguments class (`MyConfig`,
    `cfg_mod.TrainConfig`): a capitalised name not imported from a library."""
    name = dotted(node)
    if name is None or not name.rsplit(".", 1)[-1][:1].isupper():
        return None
    path = qualified(node, scope)
    if path and path.split(".", 1)[0] in LIBRARY_MODULES:
        return None
    return None if arguments_class(node, scope) else name


def _open_literal(node: ast.AST) -> str | None:
    """LIT of `open(LIT, ...)`, `open(LIT).read()`, `Path(LIT).read_text()`, `Path(LIT).open()`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("read", "read_text", "open", "read_bytes"):
            return _open_literal(node.func.value) or _path_literal(node.func.value)
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
        return string_literal(node.args[0]) if node.args else None
    return None


def _path_literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and node.args:
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name == "Path":
            return string_literal(node.args[0])
    return None


def class_chooser(
    cli_class: str | None, settings: Any, links: Callable[[], Links]
) -> Callable[[str], ClassChoice]:
    """The class of a file: --class, then per-file-class, then the script that loads it, then
    the `class` setting, then the default. `links` is called only for a file the scripts can
    say something about: a .py file is never a config a script loads, so checking Python
    alone never reads the links."""
    from .settings import glob_matches

    def choose(path: str) -> ClassChoice:
        suffix = Path(path).suffix.lower()
        known = links() if suffix != ".py" else None
        choice = _class_of(path, known)
        if known is not None and known.python_files and suffix in (".yaml", ".yml"):
            choice = replace(choice, numbers_from_text=known.yaml_numbers(path))
        if known is not None and known.python_files and suffix in (".yaml", ".yml", ".json"):
            choice = replace(choice, nearby_dataclasses=known.nearby_dataclasses(path))
        return choice

    def _class_of(path: str, known: Links | None) -> ClassChoice:
        if cli_class:
            return ClassChoice(cli_class, ClassSource.SETTINGS)
        relative = settings.relative(path)
        for pattern, cls in (settings.get("per-file-class") or {}).items():
            if glob_matches(relative, pattern):
                return ClassChoice(cls, ClassSource.SETTINGS)
        linked = known.config_class(path) if known is not None else None
        if linked:
            return linked
        configured = settings.get("class")
        return ClassChoice(configured, ClassSource.SETTINGS) if configured else ClassChoice()

    return choose
