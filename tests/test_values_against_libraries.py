"""The value and cross-field rules agree with the installed libraries.

Every embedded example of a CE2xx/CE3xx rule written for the default targets is judged by
ce-lint at the installed releases (as `ce-lint check` would judge: read from their sources
when newer than the data files) and built as CrossEncoderTrainingArguments by the real
transformers + sentence-transformers, in one subprocess (the static path never imports
them): what ce-lint reports must raise when the arguments are built (for the rules whose
check runs there), and what it accepts must build. `use_cpu` is added so that the host's
GPU (or its absence) does not decide.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest
import yaml
from packaging.version import Version

from ce_lint.knowledge import Knowledge
from ce_lint.knowledge.installed import learn_installed
from ce_lint.rulebook import load_specs
from ce_lint.targets import resolve
from tests.helpers import check

# Rules whose check runs when the arguments are built (the others fire later: in the
# Trainer, the optimizer or the dataloader).
AT_CONSTRUCTION = {
    "CE201", "CE202", "CE203", "CE204", "CE205", "CE213", "CE214", "CE301", "CE302", "CE303",
    "CE304", "CE305", "CE306", "CE307", "CE308", "CE309",
}  # fmt: skip

BUILD = textwrap.dedent(
    """
    import json, os, sys, tempfile, warnings
    warnings.simplefilter("ignore")
    os.environ["HF_HUB_OFFLINE"] = "1"
    from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for mapping in json.load(sys.stdin):
            mapping = {"output_dir": tmp, **mapping, "use_cpu": True}
            mapping.pop("ddp_backend", None)  # it needs a launcher's process group
            try:
                CrossEncoderTrainingArguments(**mapping)
                out.append(None)
            except Exception as exc:
                out.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps(out))
    """
)


def _judged() -> tuple[Knowledge, tuple[str, ...]]:
    """What ce-lint judges with here: the installed releases (read from their sources when
    they are newer than the data files), as `ce-lint check` resolves them."""
    knowledge = learn_installed(Knowledge.load())
    targets = resolve(knowledge, (), None, use_installed=True)
    return knowledge, tuple(
        f"{t.library}=={t.hi}" for t in (targets.transformers, targets.sentence_transformers)
    )


def _cases() -> list[tuple[str, str, bool, dict[str, Any]]]:
    """(id, code, whether ce-lint reports it at the installed releases, the mapping)."""
    knowledge, targets = _judged()
    out = []
    for spec in load_specs():
        if not spec.code.startswith(("CE2", "CE3")):
            continue
        for i, example in enumerate(spec.examples):
            if example.targets or example.written_for or example.cls or example.release:
                continue
            text = example.before if example.reported else example.valid
            if text is None:
                continue
            mapping = yaml.safe_load(text)
            if not isinstance(mapping, dict):
                continue
            result = check(text, targets=targets, knowledge=knowledge)
            reported = spec.code in [f.code for f in result.findings]
            if reported and spec.code not in AT_CONSTRUCTION:
                continue
            out.append((f"{spec.code}-{i}", spec.code, reported, mapping))
    return out


@pytest.fixture(scope="module")
def built() -> dict[str, str | None]:
    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("sentence-transformers is not installed (the verify extra)")
    cases = _cases()
    proc = subprocess.run(
        [sys.executable, "-c", BUILD],
        input=json.dumps([c[3] for c in cases]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    return {c[0]: r for c, r in zip(cases, results, strict=True)}


def test_the_installed_libraries_are_the_ones_judged() -> None:
    from importlib.metadata import version

    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("sentence-transformers is not installed")
    knowledge = learn_installed(Knowledge.load())
    targets = resolve(knowledge, (), None, use_installed=True)
    for target in (targets.transformers, targets.sentence_transformers):
        installed = Version(version(target.library))
        assert target.origin == "installed", target
        assert target.hi.release[:2] == installed.release[:2], target
        assert "judged as" not in target.facts, target


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c[0])
def test_example_matches_the_library(
    case: tuple[str, str, bool, dict[str, Any]], built: dict[str, str | None]
) -> None:
    name, code, reported, mapping = case
    error = built[name]
    if reported:
        assert error is not None, f"{code} reports {mapping}, but the library builds it"
    else:
        assert error is None, f"{code} accepts {mapping}, but the library raises {error}"
