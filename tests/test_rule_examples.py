"""Every rule's embedded examples, run in every format ce-lint reads.

An example is written once in YAML; the JSON form (and the Python form, once Python
scripts are supported) is derived from it. A `before` example must produce the rule's
finding, and fixing it must give `after` (exactly, for YAML; the same data for the
other formats). A `valid` example must not produce the rule's finding.
"""

from __future__ import annotations

import json

import pytest
import yaml

from ce_lint import ruledoc
from ce_lint.rulebook import Example, RuleSpec, load_specs
from tests.helpers import TODAY, check, fix

SPECS = [s for s in load_specs() if s.kind != "input-problem"]
CASES = [
    pytest.param(
        spec,
        example,
        id=f"{spec.code}-{i}-{example.name or ('valid' if example.valid else 'invalid')}",
    )
    for spec in SPECS
    for i, example in enumerate(spec.examples)
]


def _targets(example: Example) -> tuple[str, ...]:
    given = {t.split("=")[0].split(">")[0].split("<")[0].strip() for t in example.targets}
    return tuple(example.targets) + tuple(t for t in TODAY if t.split("=")[0] not in given)


def _formats(example: Example, text: str) -> dict[str, tuple[str, str]]:
    """name -> (file name, text) for each format the example can be written in."""
    forms = ruledoc.forms(text, example.cls, example.python)
    names = {"yaml": "config.yaml", "json": "config.json", "python": "train.py"}
    supported = {"yaml", "json"} | ({"python"} if _python_supported() else set())
    return {k: (names[k], v) for k, v in forms.items() if k in supported}


def _python_supported() -> bool:
    from ce_lint.adapters import build_adapters
    from ce_lint.knowledge import Knowledge

    return any(a.matches("train.py") for a in build_adapters(Knowledge.load()))


def _data(name: str, text: str) -> object:
    if name.endswith(".json"):
        return json.loads(text)
    if name.endswith(".py"):
        import ast

        call = next(n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call) and n.keywords)
        return {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    return yaml.safe_load(text)


@pytest.mark.parametrize("spec,example", CASES)
def test_example(spec: RuleSpec, example: Example) -> None:
    targets = _targets(example)
    text = example.valid if example.valid is not None else example.before
    assert text is not None
    for form, (name, body) in _formats(example, text).items():
        result = check(body, name, targets=targets, cls=example.cls)
        found = [f for f in result.findings if f.code == spec.code]
        if example.valid is not None:
            assert not found, f"{form}: unexpected {spec.code}: {[f.message for f in found]}"
            continue
        assert found, (
            f"{form}: {spec.code} not reported; got {[(f.code, f.message) for f in result.findings]}"
        )
        fixed = fix(body, name, unsafe=example.unsafe, targets=targets, cls=example.cls)
        if example.after is None:
            assert all(f.fix is None for f in found), (
                f"{form}: a fix was offered but the example expects none"
            )
            assert fixed.fixed_text is None or spec.code in [f.code for f in fixed.findings]
            continue
        assert fixed.fixed_text is not None, f"{form}: nothing was fixed"
        assert spec.code not in [f.code for f in fixed.findings], (
            f"{form}: still reported after fix"
        )
        if form == "yaml":
            assert fixed.fixed_text == example.after
        else:
            assert _data(name, fixed.fixed_text) == yaml.safe_load(example.after)
        if not example.unsafe:
            # A safe example must not need --unsafe-fixes.
            again = fix(body, name, unsafe=False, targets=targets, cls=example.cls)
            assert again.fixed_text == fixed.fixed_text


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.code)
def test_every_rule_has_examples(spec: RuleSpec) -> None:
    assert any(e.before is not None for e in spec.examples), "needs a reported example"
    assert any(e.valid is not None for e in spec.examples), "needs an accepted example"
