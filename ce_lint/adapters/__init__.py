"""Source adapters: one module per format, each turning text into Sites and back.

An adapter is chosen by file name. The package itself loads no format: which files ce-lint
reads is known from their names (files.py), and the adapters (registry.py) load on first
use, so `--version`, or a rerun answered from the cache, never imports a parser; adapters
for heavier formats import their parser lazily too, so checking a YAML file never pays for
libcst.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .files import handles

if TYPE_CHECKING:
    from .base import Adapter, Document, ScriptClassOf
    from .errors import ParseProblem, RenderError
    from .registry import all_classes, build_adapters, class_for

__all__ = [
    "Adapter",
    "Document",
    "ParseProblem",
    "RenderError",
    "ScriptClassOf",
    "all_classes",
    "build_adapters",
    "class_for",
    "handles",
]

_HOMES = {
    "Adapter": ".base",
    "Document": ".base",
    "ScriptClassOf": ".base",
    "ParseProblem": ".errors",
    "RenderError": ".errors",
    "all_classes": ".registry",
    "class_for": ".registry",
    "build_adapters": ".registry",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home, __name__), name)
    globals()[name] = value
    return value
