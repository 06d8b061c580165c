"""A read of a removed field whose value the removing release fixed (`save_safetensors`:
transformers 5 always saves safetensors) is replaced by that value, as an unsafe fix; the
fact lives in the knowledge (`after_removal`), never in the rule. Inputs are self-written,
modelled on Qwen2-VL-Finetune's Trainer subclass."""

from __future__ import annotations

import ast
import textwrap

from ce_lint.findings import Applicability, ReplaceRead
from ce_lint.knowledge import Knowledge, layout
from tests.helpers import check, fixed_text

CE1 = {"select": ["CE1"]}


def _py(text: str) -> str:
    return textwrap.dedent(text).lstrip()


TRAINER = _py(
    """
    from transformers import Trainer

    class MyTrainer(Trainer):
        def _save(self, output_dir=None, state_dict=None):
            self.model.save_pretrained(output_dir, safe_serialization=self.args.save_safetensors)
            if self.args.save_safetensors and not self.args.tpu_num_cores:
                print(f"saved {self.args.save_safetensors!r}")
    """
)


def test_the_knowledge_states_the_fixed_value() -> None:
    kn = Knowledge.load()
    assert kn.tf.fields["save_safetensors"].after_removal == (True, True)
    assert "trainer.py" in kn.tf.fields["save_safetensors"].raw["after_removal"]["source"]
    assert kn.tf.fields["tpu_num_cores"].after_removal == (False, None)
    assert "after_removal" in layout.CURATED_KEYS  # regenerating keeps it


def test_reads_become_the_value_as_an_unsafe_fix() -> None:
    result = check(TRAINER, "trainer.py", **CE1)
    reads = [f for f in result.findings if f.fields == ("save_safetensors",)]
    assert len(reads) == 3
    for finding in reads:
        assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
        assert "behaves as if it were always true" in finding.message
    [other] = [f for f in result.findings if f.fields == ("tpu_num_cores",)]
    assert other.fix is None or not any(isinstance(e, ReplaceRead) for e in other.fix.edits)
    assert fixed_text(TRAINER, "trainer.py", **CE1) == TRAINER  # nothing without --unsafe-fixes
    after = fixed_text(TRAINER, "trainer.py", unsafe=True, **CE1)
    assert after == TRAINER.replace("self.args.save_safetensors", "True")  # tpu_num_cores stays
    ast.parse(after)


def test_assignments_and_deletions_are_no_reads() -> None:
    text = _py(
        """
        from transformers import Trainer

        class MyTrainer(Trainer):
            def f(self, x):
                self.args.save_safetensors = x
                self.args.save_safetensors |= x
                del self.args.save_safetensors
        """
    )
    after = fixed_text(text, "trainer.py", unsafe=True, **CE1)
    assert "True" not in after


def test_a_subclass_that_declares_the_field_reads_its_own() -> None:
    text = _py(
        """
        from dataclasses import dataclass
        from transformers import TrainingArguments

        @dataclass
        class MyArgs(TrainingArguments):
            save_safetensors: bool = True

            def __post_init__(self):
                super().__post_init__()
                self.format = "st" if self.save_safetensors else "bin"
        """
    )
    result = check(text, "args.py", **CE1)
    assert [f.code for f in result.findings] == []  # CE501 (the declaration) is a CE5 rule
    assert fixed_text(text, "args.py", unsafe=True, **CE1) == text


def test_targets_that_keep_the_field_read_it() -> None:
    old = ("transformers==4.57.1", "sentence-transformers==5.1")
    assert check(TRAINER, "trainer.py", targets=old, **CE1).findings == []
