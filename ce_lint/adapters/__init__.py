"""Source adapters: one module per format, each turning text into Sites and back.

An adapter is chosen by file name. Adapters for heavier formats import their parser
lazily, so checking a YAML file never pays for libcst.
"""

from __future__ import annotations

from ..knowledge import Knowledge
from .base import Adapter, Document, ScriptClassOf
from .errors import ParseProblem, RenderError
from .json_config import JsonAdapter
from .makefile import MakefileAdapter
from .notebook import NotebookAdapter
from .python_script import PythonAdapter
from .shell_script import ShellAdapter
from .yaml_config import YamlAdapter

__all__ = [
    "ADAPTERS",
    "Adapter",
    "Document",
    "ParseProblem",
    "RenderError",
    "adapter_for",
    "build_adapters",
    "handles",
]


ADAPTERS: tuple[type[Adapter], ...] = (
    YamlAdapter, JsonAdapter, PythonAdapter, ShellAdapter, NotebookAdapter, MakefileAdapter,
)  # fmt: skip


def handles(path: str) -> bool:
    """Whether some format reads this file (by its name alone)."""
    return any(adapter.matches(path) for adapter in ADAPTERS)


def build_adapters(
    knowledge: Knowledge, script_class: ScriptClassOf | None = None
) -> list[Adapter]:
    """Every format's adapter. `script_class`: the class each launched script parses into,
    when the run has read the checked scripts (see script_links)."""
    return [adapter(knowledge, script_class) for adapter in ADAPTERS]


def adapter_for(path: str, adapters: list[Adapter]) -> Adapter | None:
    for adapter in adapters:
        if adapter.matches(path):
            return adapter
    return None
