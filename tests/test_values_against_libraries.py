"""The value and cross-field rules agree with the installed libraries.

Every embedded example of a CE2xx/CE3xx rule that is judged against today's releases is
built as CrossEncoderTrainingArguments by the real transformers + sentence-transformers, in
one subprocess (the static path never imports them): an example the rule reports must raise
when the arguments are built (for the rules whose check runs there), and an accepted example
must build. `use_cpu` is added so that the host's GPU (or its absence) does not decide.
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

from ce_lint.rulebook import load_specs
from tests.helpers import TODAY

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


def _cases() -> list[tuple[str, str, bool, dict[str, Any]]]:
    out = []
    for spec in load_specs():
        if not spec.code.startswith(("CE2", "CE3")):
            continue
        for i, example in enumerate(spec.examples):
            if example.targets or example.written_for or example.cls:
                continue
            text = example.before if example.reported else example.valid
            if text is None:
                continue
            mapping = yaml.safe_load(text)
            if not isinstance(mapping, dict):
                continue
            if example.reported and spec.code not in AT_CONSTRUCTION:
                continue
            out.append((f"{spec.code}-{i}", spec.code, example.reported, mapping))
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
    installed = {
        f"transformers=={version('transformers')}",
        f"sentence-transformers=={version('sentence-transformers')}",
    }
    wanted = {t.rsplit(".", 0)[0] for t in TODAY}
    assert all(any(i.startswith(w) for i in installed) for w in wanted), (installed, wanted)


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
