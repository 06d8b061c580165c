"""Suppression comments that no longer suppress anything (CE910).

ce_lint.suppress reports these itself after every other rule has run, since only then is
it known which directives were used; the kind exists so the rule is listed, selectable
and documented like every other.
"""

from __future__ import annotations

from .base import Kind, register


@register
class UnusedSuppression(Kind):
    name = "unused-suppression"
