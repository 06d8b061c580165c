"""Source adapters: one module per format, each turning text into Sites and back.

An adapter is chosen by file name. Adapters for heavier formats import their parser
lazily, so checking a YAML file never pays for libcst.
"""

from __future__ import annotations

from ..knowledge import Knowledge
from .base import Adapter, Document, ParseProblem, RenderError
from .json_config import JsonAdapter
from .makefile import MakefileAdapter
from .notebook import NotebookAdapter
from .python_script import PythonAdapter
from .shell_script import ShellAdapter
from .yaml_config import YamlAdapter

__all__ = ["Adapter", "Document", "ParseProblem", "RenderError", "build_adapters", "adapter_for"]


def build_adapters(knowledge: Knowledge) -> list[Adapter]:
    adapters: list[Adapter] = [
        YamlAdapter(knowledge),
        JsonAdapter(knowledge),
        PythonAdapter(knowledge),
        ShellAdapter(knowledge),
        NotebookAdapter(knowledge),
        MakefileAdapter(knowledge),
    ]
    return adapters


def adapter_for(path: str, adapters: list[Adapter]) -> Adapter | None:
    for adapter in adapters:
        if adapter.matches(path):
            return adapter
    return None
