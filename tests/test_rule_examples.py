"""Every rule's embedded examples, run in every format ce-lint reads.

An example is written once in YAML; the JSON, Python and shell forms are derived from it (an
example may also give its Python form explicitly, or be Python-only). A reported example
must produce the rule's finding, and fixing it must give `after` (exactly for YAML and for
an explicit `python_after`; the same data otherwise). An accepted example must not produce
the rule's finding.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from ce_lint import ruledoc
from ce_lint.adapters import jsonpos
from ce_lint.hardware.select import resolve_spec
from ce_lint.rulebook import Example, RuleSpec, load_specs
from tests.helpers import TODAY, check, fix, knowledge_with

SPECS = [s for s in load_specs() if s.kind != "input-problem"]
CASES = [
    pytest.param(
        spec,
        example,
        id=f"{spec.code}-{i}-{example.name or ('invalid' if example.reported else 'valid')}",
    )
    for spec in SPECS
    for i, example in enumerate(spec.examples)
]
FILE_NAMES = {"yaml": "config.yaml", "json": "config.json", "python": "train.py", "shell": "run.sh"}


def _targets(example: Example) -> tuple[str, ...]:
    given = {t.split("=")[0].split(">")[0].split("<")[0].strip() for t in example.targets}
    return tuple(example.targets) + tuple(t for t in TODAY if t.split("=")[0] not in given)


def _hardware(example: Example) -> dict[str, object]:
    """Engine arguments that judge the example against its hardware profile, if it names one."""
    if example.hardware is None:
        return {}
    profile = resolve_spec(example.hardware, Path.cwd())
    return {"hardware": lambda path: profile}


def _data(name: str, text: str) -> object:
    if name.endswith(".json"):
        return jsonpos.parse(text).py  # comments allowed, as ce-lint reads them
    if name.endswith(".py"):
        call = next(n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call) and n.keywords)
        return {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    if name.endswith(".sh"):
        return ruledoc.shell_values(text, None)
    return yaml.safe_load(text)


def _expected_after(example: Example, form: str, name: str, fixed: str) -> None:
    if form == "python" and example.python_after is not None:
        assert fixed == example.python_after
    elif form == "python" and example.python is not None:
        raise AssertionError("a Python-only example needs python_after")
    elif form == "yaml":
        assert fixed == example.after
    elif form == "shell":
        assert example.after is not None
        expected = ruledoc.shell_values(ruledoc.as_shell(example.after, example.cls), example.cls)
        assert _data(name, fixed) == expected
    else:
        assert example.after is not None
        assert _data(name, fixed) == yaml.safe_load(example.after)


def _shell_after(example: Example) -> bool:
    """Whether flags can say what the fixed example says (not None, not an empty list)."""
    return example.after is not None and bool(ruledoc.as_shell(example.after, example.cls))


@pytest.mark.parametrize("spec,example", CASES)
def test_example(spec: RuleSpec, example: Example) -> None:
    targets = _targets(example)
    forms = ruledoc.example_forms(example)
    assert forms, "the example has no text"
    for form, body in forms.items():
        name = FILE_NAMES[form]
        options = {
            "targets": targets,
            "cls": example.cls,
            "era": example.written_for,
            "knowledge": knowledge_with(example.release),
        }
        result = check(body, name, **options, **_hardware(example))
        found = [f for f in result.findings if f.code == spec.code]
        if not example.reported:
            assert not found, f"{form}: unexpected {spec.code}: {[f.message for f in found]}"
            continue
        assert found, (
            f"{form}: {spec.code} not reported; got {[(f.code, f.message) for f in result.findings]}"
        )
        fixed = fix(body, name, unsafe=example.unsafe, **options, **_hardware(example))
        if form == "shell" and example.after is not None and not _shell_after(example):
            continue
        expects_fix = example.after is not None or (
            form == "python" and example.python_after is not None
        )
        if not expects_fix:
            assert all(f.fix is None for f in found), (
                f"{form}: a fix was offered but the example expects none"
            )
            continue
        assert fixed.fixed_text is not None, f"{form}: nothing was fixed"
        assert spec.code not in [f.code for f in fixed.findings], (
            f"{form}: still reported after fix"
        )
        _expected_after(example, form, name, fixed.fixed_text)
        if form == "python":
            compile(fixed.fixed_text, name, "exec")
        if not example.unsafe:
            again = fix(body, name, unsafe=False, **options, **_hardware(example))
            assert again.fixed_text == fixed.fixed_text, (
                "a safe example must not need --unsafe-fixes"
            )


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.code)
def test_every_rule_has_examples(spec: RuleSpec) -> None:
    assert any(e.reported for e in spec.examples), "needs a reported example"
    assert any(not e.reported for e in spec.examples), "needs an accepted example"
