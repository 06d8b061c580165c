"""Another package's class handed to a trainer as `args` is an unread subclass of
TrainingArguments: removed fields of the base are reported, as warnings with unsafe fixes (it
may re-declare them), and its other keys are its own. Inputs are small and self-written;
the first is modelled on optimum-habana's sentence-transformers NLI example."""

from __future__ import annotations

import textwrap

from ce_lint.findings import Applicability, Severity
from tests.helpers import check, codes, fixed_text


def _py(text: str) -> str:
    return textwrap.dedent(text).lstrip()


GAUDI = _py(
    """
    from optimum.habana import GaudiSTTrainer, GaudiSTTrainingArguments

    stargs = GaudiSTTrainingArguments(
        output_dir="out",
        evaluation_strategy="steps",
        use_habana=True,
        gaudi_config_name="Habana/bert-base-uncased",
    )
    trainer = GaudiSTTrainer(model=model, args=stargs, loss=loss)
    """
)


def test_a_same_package_trainer_shows_the_subclass() -> None:
    result = check(GAUDI, "train.py")
    assert codes(result) == ["CE101"]  # use_habana, gaudi_config_name: its own fields
    [finding] = [f for f in result.findings if f.code == "CE101"]
    assert finding.severity is Severity.WARNING
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert "GaudiSTTrainingArguments (a subclass of TrainingArguments, not read)" in finding.message
    assert "re-declares" in finding.message
    assert fixed_text(GAUDI, "train.py") == GAUDI  # not without --unsafe-fixes
    after = fixed_text(GAUDI, "train.py", unsafe=True)
    assert after == GAUDI.replace("evaluation_strategy=", "eval_strategy=")


def test_a_known_trainer_shows_it_too_inline_or_through_a_parser() -> None:
    inline = _py(
        """
        from transformers import Trainer
        from unsloth import UnslothTrainingArguments

        trainer = Trainer(model, UnslothTrainingArguments("out", no_cuda=True, embedding_lr=1e-5))
        """
    )
    assert codes(check(inline, "train.py")) == ["CE104"]
    parsed = _py(
        """
        from transformers import HfArgumentParser
        from trl import SFTTrainer
        from mypkg.config import ModelArguments
        from optimum.neuron import NeuronTrainingArguments

        def main():
            parser = HfArgumentParser((ModelArguments, NeuronTrainingArguments))
            model_args, training_args = parser.parse_args_into_dataclasses()
            if training_args.overwrite_output_dir and training_args.zero_1:
                pass
            trainer = SFTTrainer(model=m, args=training_args)
        """
    )
    result = check(parsed, "train.py")
    assert codes(result) == ["CE123"]  # zero_1 is the subclass's own
    assert all(f.severity is not Severity.ERROR for f in result.findings)
    assert "NeuronTrainingArguments (a subclass" in result.findings[0].message


def test_look_alikes_stay_quiet() -> None:
    for text in (
        # setfit's TrainingArguments is its own dataclass (its own evaluation_strategy), and
        # its Trainer is its own class: names of transformers' own classes mean a
        # re-implementation, not a subclass
        """
        from setfit import Trainer, TrainingArguments
        args = TrainingArguments(output_dir="o", evaluation_strategy="steps", num_epochs=1)
        trainer = Trainer(model=model, args=args)
        """,
        """
        import setfit
        trainer = setfit.Trainer(model=model, args=setfit.TrainingArguments(evaluation_strategy="steps"))
        """,
        """
        from setfit import SetFitTrainer, TrainingArguments
        trainer = SetFitTrainer(model=model, args=TrainingArguments(evaluation_strategy="steps"))
        """,
        # filled by HfArgumentParser, but never handed to a trainer (peft's LoraConfig)
        """
        from transformers import HfArgumentParser
        from peft import LoraConfig
        parser = HfArgumentParser((LoraConfig,))
        (lora,) = parser.parse_args_into_dataclasses()
        lora.evaluation_strategy = "steps"
        """,
        # a trainer of another package than the arguments class
        """
        from lightning_extras import FabricTrainer
        from mylib.configs import RunConfig
        trainer = FabricTrainer(args=RunConfig(evaluation_strategy="steps"))
        """,
        # a class handed to a trainer by another keyword
        """
        from transformers import Trainer, TrainingArguments
        from mylib.callbacks import SaveConfig
        trainer = Trainer(model, TrainingArguments("o"), callbacks=[SaveConfig(no_cuda=True)])
        """,
    ):
        assert codes(check(_py(text), "train.py")) == [], text
