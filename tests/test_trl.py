"""trl's arguments classes (SFTConfig, ...) as TrainingArguments subclasses, and trainers'
`tokenizer=` keyword (CE505). Inputs are small and self-written."""

from __future__ import annotations

import textwrap

from ce_lint.knowledge import Knowledge, V
from ce_lint.knowledge.layout import build_data
from ce_lint.knowledge.sources import trl_snapshot
from ce_lint.targets import resolve
from tests.helpers import TODAY, check, codes, fixed_text

KN = Knowledge.load()


def _py(text: str) -> str:
    return textwrap.dedent(text).lstrip()


SFT = _py(
    """
    from trl import SFTConfig

    args = SFTConfig(output_dir="o", evaluation_strategy="steps", max_seq_length=512)
    """
)


def test_sft_config_is_judged_like_training_arguments() -> None:
    result = check(SFT, "train.py", targets=(*TODAY, "trl==0.19"))
    found = {f.code: f for f in result.findings if f.severity != "info"}
    assert set(found) == {"CE101", "CE140"}  # no CE190: max_seq_length is SFTConfig's own
    assert "SFTConfig of transformers 5.25" in found["CE101"].message
    assert found["CE140"].severity == "warning"  # deprecated in trl 0.16, still taken by 0.19
    fixed = fixed_text(SFT, "train.py", targets=(*TODAY, "trl==0.19"))
    assert 'eval_strategy="steps", max_length=512' in fixed


def test_trl_field_by_the_trl_target() -> None:
    newest = check(SFT, "train.py")
    ce140 = [f for f in newest.findings if f.code == "CE140"]
    assert ce140 and ce140[0].severity == "error" and "trl 0.20" in ce140[0].message
    old = check(SFT, "train.py", targets=(*TODAY, "trl==0.15"))
    assert "CE140" not in codes(old) and "CE190" not in codes(old)


def test_unknown_key_of_sft_config() -> None:
    text = _py(
        """
        from trl import SFTConfig
        args = SFTConfig(output_dir="o", max_lenght=3)
        """
    )
    found = [f for f in check(text, "train.py").findings if f.code == "CE190"]
    assert found and "`max_length`" in found[0].message


def test_look_alikes_stay_quiet() -> None:
    for text in (
        # setfit's TrainingArguments is its own dataclass, with its own evaluation_strategy
        """
        from setfit import Trainer, TrainingArguments
        args = TrainingArguments(output_dir="o", evaluation_strategy="steps")
        trainer = Trainer(model=model, args=args, tokenizer=tok)
        """,
        # a project's own SFTConfig
        """
        from mylib.configs import SFTConfig
        args = SFTConfig(output_dir="o", evaluation_strategy="steps", max_seq_length=512)
        """,
        # a trl class that does not extend TrainingArguments
        """
        from trl import ModelConfig
        model_args = ModelConfig(evaluation_strategy="steps")
        """,
    ):
        assert codes(check(_py(text), "train.py")) == []


def test_trl_parser_fills_sft_config() -> None:
    text = _py(
        """
        from trl import ModelConfig, ScriptArguments, SFTConfig, TrlParser

        parser = TrlParser((ScriptArguments, SFTConfig, ModelConfig))
        script_args, training_args, model_args = parser.parse_args_and_config()
        if training_args.evaluation_strategy == "no":
            pass
        """
    )
    result = check(text, "train.py")
    assert "CE101" in codes(result)


def test_trl_target_raises_the_transformers_floor() -> None:
    targets = resolve(KN, ["transformers>=4.40,<5", "trl==0.12"], use_installed=False)
    assert targets.transformers.lo >= V("4.46.0")  # trl 0.12 requires transformers>=4.46
    assert "trl 0.12 (cli)" in targets.describe()
    plain = resolve(KN, ["transformers>=4.40,<5"], use_installed=False)
    assert plain.transformers.lo < V("4.46.0")
    assert "trl" not in plain.describe()


def test_knowledge_of_trl_classes() -> None:
    sft = KN.third_party("SFTConfig")
    assert sft is not None and sft.base == "TrainingArguments"
    assert sft.fields["max_seq_length"].removed_in == V("0.20.0")
    assert KN.third_party("PPOConfig").first == V("0.12.0")  # a plain dataclass before 0.12
    for name in ("DPOConfig", "GRPOConfig", "RewardConfig", "KTOConfig", "ORPOConfig", "CPOConfig",
                 "BCOConfig", "PRMConfig", "GKDConfig", "OnlineDPOConfig", "XPOConfig",
                 "NashMDConfig", "RLOOConfig", "IterativeSFTConfig"):  # fmt: skip
        assert KN.third_party(name) is not None, name
    assert KN.third_party("DDPOConfig") is None and KN.third_party("AlignPropConfig") is None
    assert KN.trl.requires(V("0.12.0")).contains("4.46.0")


# ---- CE505: tokenizer= -> processing_class= --------------------------------------------------

TRAINER = _py(
    """
    from transformers import Trainer
    trainer = Trainer(model=model, args=args, tokenizer=tok)
    """
)


def test_trainer_tokenizer_by_the_transformers_target() -> None:
    found = [f for f in check(TRAINER, "train.py").findings if f.code == "CE505"]
    assert found and found[0].severity == "error"
    assert "processing_class=tok" in fixed_text(TRAINER, "train.py")
    deprecated = check(TRAINER, "train.py", targets=("transformers==4.50",))
    assert [f.severity for f in deprecated.findings if f.code == "CE505"] == ["warning"]
    assert "CE505" not in codes(check(TRAINER, "train.py", targets=("transformers==4.44",)))
    floor = check(TRAINER, "train.py", targets=("transformers>=4.44,<5",))
    [finding] = [f for f in floor.findings if f.code == "CE505"]
    assert finding.fix is None and "transformers>=4.46" in finding.message


def test_trl_trainer_tokenizer_by_the_trl_target() -> None:
    text = _py(
        """
        from trl import DPOTrainer
        trainer = DPOTrainer(model, ref, args=args, tokenizer=tok, processing_class=tok)
        """
    )
    [finding] = [f for f in check(text, "train.py").findings if f.code == "CE505"]
    assert finding.fix is None and "remove `tokenizer=`" in finding.message
    old = check(text, "train.py", targets=(*TODAY, "trl==0.11"))
    assert "CE505" not in codes(old)


def test_trl_snapshot_reads_a_chain_of_classes() -> None:
    sources = {
        "trl/trainer/base.py": _py(
            """
            from transformers import TrainingArguments
            @dataclass
            class _Base(TrainingArguments):
                shared: int = 1
            """
        ),
        "trl/trainer/sft_config.py": _py(
            """
            @dataclass
            class SFTConfig(_Base):
                max_length: int = 1024
            @dataclass
            class ModelConfig:
                model_name_or_path: str = None
            class SFTTrainer(Trainer):
                @deprecate_kwarg("tokenizer", new_name="processing_class", version="0.14")
                def __init__(self, model, args=None, processing_class=None):
                    pass
            """
        ),
    }
    snap = trl_snapshot(sources, "Requires-Dist: transformers>=4.46.0\n")
    assert set(snap.classes) == {"_Base", "SFTConfig"}
    assert set(snap.classes["SFTConfig"]["fields"]) == {"shared", "max_length"}
    assert snap.trainers["SFTTrainer"] == [
        "model",
        "args",
        "processing_class",
        "tokenizer->processing_class",
    ]
    assert snap.requires == {"transformers": ">=4.46.0"}
    data = build_data("trl", {"0.1.0": snap})
    assert data["arguments_classes"]["SFTConfig"]["base"] == [["0.1.0", "TrainingArguments"]]
