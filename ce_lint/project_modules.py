"""What one module of the checked project says about itself, read statically (never
imported): the options it declares with argparse and the project modules it imports, how it
reads YAML, and the classes it defines. script_links asks for these only where a launch script
or a config needs them.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .adapters.python_names import Scope, dataclass_fields, qualified, record_import
from .fileio import resolved

# Classes of these packages are never the project's own readers of a config.
LIBRARY_MODULES = frozenset(
    {
        "transformers", "sentence_transformers", "trl", "peft", "accelerate", "datasets",
        "torch", "omegaconf", "hydra", "yaml", "json", "pathlib", "argparse", "dataclasses",
        "typing", "collections", "os", "sys",
    }
)  # fmt: skip
# How a script reads YAML: PyYAML keeps `1e-5` text (YAML 1.1; HfArgumentParser.parse_yaml_file
# uses it); YAML 1.2 loaders (ruamel.yaml, OmegaConf's) and TrlParser (argparse converts text
# defaults to the field's type) make it a number.
PYYAML, NUMBERS = "pyyaml", "numbers"
PYYAML_LOADS = frozenset({"yaml.load", "yaml.safe_load", "yaml.full_load", "yaml.unsafe_load"})
YAML12_MODULES = ("ruamel", "omegaconf")
# What makes a module worth parsing for its ModuleFacts.
FACT_WORDS = (b"yaml", b"OmegaConf", b"TrlParser", b"dataclass")


def key_of(path: Path) -> str:
    """A file as the links know it: its resolved path."""
    return str(resolved(path))


def string_literal(node: Any) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


@dataclass(frozen=True)
class ModuleFacts:
    yaml: frozenset[str] = frozenset()  # how it reads YAML: PYYAML and/or NUMBERS
    # its top-level classes: fields (None: a base from elsewhere)
    dataclasses: dict[str, frozenset[str] | None] = field(default_factory=dict)


def module_facts(path: Path) -> ModuleFacts:
    """How a module reads YAML, and the classes it defines (parsed only when it may say)."""
    try:
        data = path.read_bytes()
        if not any(word in data for word in FACT_WORDS):
            return ModuleFacts()
        tree = ast.parse(data)
    except (OSError, SyntaxError, ValueError):
        return ModuleFacts()
    scope = Scope(tree, None)
    kinds = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            record_import(node, scope)
    if any(p.split(".", 1)[0] in YAML12_MODULES for p in scope.imports.values()):
        kinds.add(NUMBERS)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = qualified(node.func, scope)
        parse_yaml_file = isinstance(node.func, ast.Attribute) and (
            node.func.attr == "parse_yaml_file"
        )
        if called in PYYAML_LOADS or parse_yaml_file:
            kinds.add(PYYAML)
        elif called and called.rsplit(".", 1)[-1] == "TrlParser":
            kinds.add(NUMBERS)
    return ModuleFacts(frozenset(kinds), dataclass_fields(tree))


@dataclass(frozen=True)
class ModuleOptions:
    options: frozenset[str] = frozenset()  # `--name` declared with add_argument, as `name`
    imports: tuple[str, ...] = ()  # the checked project modules it imports (resolved paths)


def module_options(path: Path, python_files: frozenset[str]) -> ModuleOptions:
    """The options a module declares with argparse, and the project modules it imports."""
    try:
        data = path.read_bytes()
        tree = ast.parse(data)
    except (OSError, SyntaxError, ValueError):
        return ModuleOptions()
    options = set()
    imports: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_argument"
        ):
            for argument in node.args:
                text = string_literal(argument)
                if text and text.startswith("--") and len(text) > 2:
                    options.add(text[2:].replace("-", "_"))
        elif isinstance(node, ast.Import):
            imports += [m for a in node.names for m in _module_paths(path, a.name, 0, python_files)]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names = [base] if base else []
            names += [f"{base}.{a.name}" if base else a.name for a in node.names if a.name != "*"]
            for name in names:
                imports += _module_paths(path, name, node.level, python_files)
    return ModuleOptions(frozenset(options), tuple(dict.fromkeys(imports)))


def _module_paths(
    path: Path, dotted_name: str, level: int, python_files: frozenset[str]
) -> list[str]:
    """The checked project module `import dotted_name` (at `level` dots) in `path` names."""
    head = dotted_name.split(".", 1)[0]
    if not level and (head in LIBRARY_MODULES or head in sys.stdlib_module_names):
        return []
    relative = Path(*dotted_name.split(".")) if dotted_name else Path()
    here = Path(key_of(path))  # resolved once; candidates are joined, not resolved
    if level:
        bases = [here.parents[level - 1]] if level <= len(here.parents) else []
    else:
        bases = list(here.parents)  # the module's folder, and the project root among them
    for base in bases:
        for candidate in (base / relative.with_suffix(".py"), base / relative / "__init__.py"):
            if str(candidate) in python_files and candidate != here:
                return [str(candidate)]
    return []
