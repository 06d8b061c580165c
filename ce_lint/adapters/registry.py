"""Every format's adapter class, imported when a file of its format is first read."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from ..knowledge import Knowledge
from .base import Adapter, ScriptClassOf
from .files import SUFFIXES, format_of

# format (as in files.SUFFIXES) -> "module:class"
_CLASSES = {
    "yaml": "yaml_config:YamlAdapter",
    "json": "json_config:JsonAdapter",
    "python": "python_script:PythonAdapter",
    "shell": "shell_script:ShellAdapter",
    "notebook": "notebook:NotebookAdapter",
    "make": "makefile:MakefileAdapter",
}
assert _CLASSES.keys() == SUFFIXES.keys()


@cache
def adapter_class(format_name: str) -> type[Adapter]:
    module, name = _CLASSES[format_name].split(":")
    cls = getattr(import_module(f"{__package__}.{module}"), name)
    assert issubclass(cls, Adapter)
    return cls


def class_for(path: str) -> type[Adapter] | None:
    """The adapter class that reads this file, by its name."""
    found = format_of(path)
    return None if found is None else adapter_class(found)


def all_classes() -> tuple[type[Adapter], ...]:
    return tuple(adapter_class(name) for name in _CLASSES)


def build_adapters(
    knowledge: Knowledge, script_class: ScriptClassOf | None = None
) -> list[Adapter]:
    """Every format's adapter. `script_class`: the class each launched script parses into,
    when the run has read the checked scripts (see script_links)."""
    return [adapter(knowledge, script_class) for adapter in all_classes()]
