"""Bugs the fuzz campaign (tools/fuzz) found in ce-lint, each kept small."""

from __future__ import annotations

from ce_lint.textio import SourceText

from .test_file_safety import NEW, OLD, _Breaking, _with


def test_fixes_tried_alone_are_applied_at_their_own_offsets() -> None:
    """A pass whose fixes together do not parse tries them one by one; each is planned against
    the pass's text, so a rename that shortens a line must not shift the next fix's edits."""
    source = SourceText("train.yaml", (OLD + b"seed: 7\n").decode())
    result = _with(_Breaking, "CE001").fix_source(source)
    assert result.fixed_text == (NEW + b"seed: 7\n").decode()
    # Only the broken fix is reported as not applied (the shifted rename was refused too).
    assert {n.split()[3] for n in result.notices} == {"CE001"}
