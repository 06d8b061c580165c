"""libyaml reads large configs for speed: on the text it is given, its nodes, marks and verdicts
must be PyYAML's (the reference: it is what `yaml.safe_load` and HfArgumentParser use)."""

from __future__ import annotations

import pytest
import yaml

from ce_lint.adapters import yaml_config
from ce_lint.adapters.yaml_config import _NOT_FOR_C, compose
from tests.helpers import engine, fix
from tools.fuzz.inputs import campaign_input

pytestmark = pytest.mark.skipif(
    not hasattr(yaml, "CSafeLoader"), reason="PyYAML was built without libyaml"
)


def shape(roots: list) -> list[tuple]:
    """Every node as the adapter reads it: type, tag, marks, style, value, flow style."""
    out: list[tuple] = []
    stack = list(reversed([r for r in roots if r is not None]))
    while stack:
        node = stack.pop()
        out.append(
            (
                type(node).__name__,
                node.tag,
                node.start_mark.index,
                node.end_mark.index,
                node.style if isinstance(node, yaml.ScalarNode) else None,
                node.value if isinstance(node, yaml.ScalarNode) else None,
                getattr(node, "flow_style", None),
            )
        )
        if isinstance(node, yaml.MappingNode):
            stack += [x for pair in reversed(node.value) for x in reversed(pair)]
        elif isinstance(node, yaml.SequenceNode):
            stack += list(reversed(node.value))
    return out


def composed(text: str, loader: type) -> list[tuple] | str:
    try:
        return shape(list(yaml.compose_all(text, Loader=loader)))
    except (yaml.YAMLError, RecursionError) as exc:
        return f"refused: {type(exc).__name__}"


def ours(text: str) -> list[tuple] | str:
    try:
        return shape(compose(text))
    except (yaml.YAMLError, RecursionError) as exc:
        return f"refused: {type(exc).__name__}"


def test_libyaml_reads_the_text_it_is_given_as_pyyaml_does(monkeypatch) -> None:
    monkeypatch.setattr(yaml_config, "C_COMPOSER_MIN", 0)
    given = agreed = 0
    for seed in (1,):
        for index in range(1200):
            try:
                text = campaign_input("yaml", seed, index).data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if _NOT_FOR_C.search(text):
                continue
            given += 1
            reference = composed(text, yaml.SafeLoader)
            assert ours(text) == reference, text
            agreed += isinstance(reference, list)
    assert given > 600 and agreed > 400  # the comparison covered real documents


@pytest.mark.parametrize(
    "text",
    [
        "a: !!str 1\nb: !custom x\n",  # tags
        "a: b\t\n",  # a tab PyYAML refuses and libyaml takes
        "name: caf\u00e9\nseed: 1\n",  # libyaml counts the bytes of a character
        "a: 1\r\nb: 2\r\n",
    ],
)
def test_text_libyaml_reads_otherwise_goes_to_pyyaml(text: str, monkeypatch) -> None:
    monkeypatch.setattr(yaml_config, "C_COMPOSER_MIN", 0)
    assert _NOT_FOR_C.search(text)
    assert ours(text) == composed(text, yaml.SafeLoader)


def test_a_large_config_is_judged_and_fixed_alike(monkeypatch) -> None:
    filler = "".join(f"note_{i}: value {i}  # a comment\n" for i in range(4000))
    text = (
        "training:\n  output_dir: out\n  evaluation_strategy: steps\n  no_cuda: true\n"
        + filler
        + "other:\n  seed: 3\n  flow: [1, 2, {a: b}]\n  block: |\n    kept\n"
    )
    assert len(text) > yaml_config.C_COMPOSER_MIN and not _NOT_FOR_C.search(text)
    fast = engine().check_source(yaml_config.SourceText("big.yaml", text))
    fast_fix = fix(text, "big.yaml", unsafe=True).fixed_text
    monkeypatch.setattr(yaml_config, "C_COMPOSER_MIN", 10**12)
    slow = engine().check_source(yaml_config.SourceText("big.yaml", text))
    slow_fix = fix(text, "big.yaml", unsafe=True).fixed_text
    assert [(f.code, f.span, f.message) for f in fast.findings] == [
        (f.code, f.span, f.message) for f in slow.findings
    ]
    assert fast.findings and fast_fix == slow_fix and fast_fix != text
