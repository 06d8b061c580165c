"""Input problems (codes CE9xx): files ce-lint could not read or parse.

The checker emits these itself; the kind exists so that they are listed, selectable
and documented like every other rule.
"""

from __future__ import annotations

from .base import Kind, register


@register
class InputProblem(Kind):
    name = "input-problem"
    optional = ("problem",)
