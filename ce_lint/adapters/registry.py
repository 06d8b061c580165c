"""Every format's adapter class, and the one that reads a given file."""

from __future__ import annotations

from ..knowledge import Knowledge
from .base import Adapter, ScriptClassOf
from .json_config import JsonAdapter
from .makefile import MakefileAdapter
from .notebook import NotebookAdapter
from .python_script import PythonAdapter
from .shell_script import ShellAdapter
from .yaml_config import YamlAdapter

ADAPTERS: tuple[type[Adapter], ...] = (
    YamlAdapter, JsonAdapter, PythonAdapter, ShellAdapter, NotebookAdapter, MakefileAdapter,
)  # fmt: skip


def build_adapters(
    knowledge: Knowledge, script_class: ScriptClassOf | None = None
) -> list[Adapter]:
    """Every format's adapter. `script_class`: the class each launched script parses into,
    when the run has read the checked scripts (see script_links)."""
    return [adapter(knowledge, script_class) for adapter in ADAPTERS]
