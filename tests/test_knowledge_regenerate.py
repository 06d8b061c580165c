"""Tests of ce_lint.knowledge.regenerate: no network, transformers is never imported.

The installed-library tests read the installed sources as text (located through
importlib.metadata) and compare what the parser derives with the committed data files.
"""

from __future__ import annotations

import importlib.metadata
import json
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ce_lint.knowledge import SENTENCE_TRANSFORMERS, TRANSFORMERS, layout
from ce_lint.knowledge import regenerate as rg
from ce_lint.knowledge import sources as src


def _data(library: str) -> dict[str, Any]:
    return json.loads(rg.DATA_FILES[library].read_text(encoding="utf-8"))


def _installed(dist: str, wanted: Callable[[str], bool]) -> tuple[str, dict[str, str], str | None]:
    """(version, {wheel path: source text}, METADATA text) of an installed distribution."""
    try:
        version = importlib.metadata.version(dist)
        files = importlib.metadata.files(dist)
        metadata = importlib.metadata.distribution(dist).read_text("METADATA")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"{dist} is not installed")
    if not files:
        pytest.skip(f"{dist} has no RECORD listing its files")
    sources = {}
    for file in files:
        path = str(file).replace("\\", "/")
        if wanted(path):
            sources[path] = Path(str(file.locate())).read_text(encoding="utf-8")
    data = _data(TRANSFORMERS if dist == "transformers" else SENTENCE_TRANSFORMERS)
    if version not in data["versions"]:
        pytest.skip(f"installed {dist} {version} is not an examined release of the data file")
    return version, sources, metadata


TF_WANTED = {
    src.TF_TRAINING_ARGS,
    src.TF_SEQ2SEQ_ARGS,
    *src.TF_ENUM_FILES,
    *src.TF_INTEGRATION_FILES,
}


# --------------------------------------------------------------------------- installed libraries


def test_installed_transformers_fields_match_data() -> None:
    version, sources, _ = _installed("transformers", TF_WANTED.__contains__)
    snap = src.transformers_snapshot(sources)
    expected = layout.fields_at(_data(TRANSFORMERS), version)
    assert set(snap.fields) == set(expected)
    for name, spec in snap.fields.items():
        assert spec["default"] == expected[name]["default"], name
        assert spec["type"] == expected[name]["type"], name
        assert spec["choices"] == expected[name]["choices"], name
        assert spec["cls"] == expected[name]["class"], name
    derived = layout.build_data(TRANSFORMERS, {version: snap})
    assert layout.compare_at(_data(TRANSFORMERS), derived, version) == []


def test_installed_transformers_enums_match_data() -> None:
    version, sources, _ = _installed("transformers", TF_WANTED.__contains__)
    snap = src.transformers_snapshot(sources)
    assert snap.enums == layout.enums_at(_data(TRANSFORMERS), version)
    assert src.REPORT_TO_ENUM in snap.enums


def test_installed_sentence_transformers_match_data() -> None:
    version, sources, metadata = _installed("sentence-transformers", src.is_st_source)
    snap = src.sentence_transformers_snapshot(sources, metadata)
    data = _data(SENTENCE_TRANSFORMERS)
    expected = layout.fields_at(data, version)
    assert set(snap.fields) == set(expected)
    for name, spec in snap.fields.items():
        assert spec["default"] == expected[name]["default"], name
        assert spec["type"] == expected[name]["type"], name
        assert spec["cls"] == expected[name]["class"], name
    assert snap.enums == layout.enums_at(data, version)
    assert snap.requires == data["requires"][version]
    derived = layout.build_data(SENTENCE_TRANSFORMERS, {version: snap})
    layout.apply_curated_overrides(derived, data)
    assert layout.compare_at(data, derived, version) == []


# --------------------------------------------------------------------------- synthetic sources

TRAINING_ARGS = textwrap.dedent(
    '''
    import warnings
    from dataclasses import dataclass, field
    from typing import ClassVar, Optional


    @dataclass
    class TrainingArguments:
        """Docstring mentioning that `old_flag` is deprecated does not count."""

        framework = "pt"
        registry: ClassVar[dict] = {}
        output_dir: str = field(metadata={"help": "Where to write."})
        seed: int = 42
        lr: float = field(default=5e-5, metadata={"help": "The learning rate."})
        tags: list[str] = field(default_factory=list, metadata={"help": "Tags."})
        logdir: Optional[str] = field(default_factory=default_logdir)
        _n_gpu: int = field(init=False, repr=False, default=-1)
        backend: str = field(
            default="auto", metadata={"help": "Backend.", "choices": ["auto", "apex"]}
        )
        per_gpu_batch: Optional[int] = field(
            default=None, metadata={"help": "Deprecated, the use of `--per_device_batch` is preferred."}
        )
        no_cuda: bool = field(default=False, metadata={"help": "This argument is deprecated. Gone in v5."})
        old_flag: bool = field(default=False, metadata={"help": "An old flag."})
        hub_a: str = field(default=None)
        hub_b: str = field(default=None)
        eval_mode: str = field(default="no")
        fsdp: str = field(default="")
        local_rank: int = field(
            default=-1, metadata={"help": "When using torch.distributed.launch (Deprecated), it is set."}
        )
        grad_ckpt: bool = False
        grad_ckpt_kwargs: dict = field(default=None, metadata={"help": "Deprecated alias of `x`."})
        raised: bool = False

        default_optim = "adamw_torch"
        if is_torch_available():
            if is_torch_greater_or_equal_than_2_8:
                default_optim = "adamw_torch_fused"
        optim: str = field(default=default_optim)

        def __post_init__(self):
            if self.old_flag:
                warnings.warn("`--old_flag` is deprecated and will be removed in v5.", FutureWarning)
            if self.hub_a or self.hub_b:
                warnings.warn("`--hub_a` and `--hub_b` are deprecated. Use `--hub` instead.")
            if isinstance(self.eval_mode, int):
                warnings.warn("using `EvalMode` for `eval_mode` is deprecated, use `Mode`.")
            if isinstance(self.fsdp, str):
                warnings.warn("Passing `fsdp` as a string is deprecated.")
            if self.raised:
                raise ValueError(f"Using `--raised` is deprecated since {self.seed}.")
    '''
)


def _fields(text: str = TRAINING_ARGS, **kwargs: Any) -> dict[str, src.FieldSpec]:
    return src.parse_training_args_source(text, **kwargs)


def test_parse_fields_and_defaults() -> None:
    fields = _fields()
    assert "framework" not in fields and "registry" not in fields
    assert fields["output_dir"]["default"] is None
    assert fields["seed"] == {
        "type": "int",
        "default": "42",
        "choices": None,
        "help": "",
        "init": True,
        "deprecated": False,
        "cls": None,
    }
    assert fields["lr"]["default"] == "5e-05"
    assert fields["lr"]["help"] == "The learning rate."
    assert fields["backend"]["default"] == "'auto'"
    assert fields["backend"]["choices"] == "['auto', 'apex']"
    assert fields["_n_gpu"]["init"] is False
    assert fields["_n_gpu"]["default"] == "-1"
    assert fields["logdir"]["type"] == "Optional[str]"
    assert fields["optim"]["default"] == (
        "default_optim = 'adamw_torch' "
        "('adamw_torch_fused' if is_torch_available() and is_torch_greater_or_equal_than_2_8)"
    )


def test_default_factory_formats() -> None:
    fields = _fields()
    assert fields["tags"]["default"] == "<factory list>"
    assert fields["logdir"]["default"] == "<factory default_logdir>"
    st = _fields(factory_format=src.FACTORY_FORMATS[SENTENCE_TRANSFORMERS])
    assert st["tags"]["default"] == "factory:list"
    text = textwrap.dedent(
        """
        @dataclass
        class TrainingArguments:
            ratio: float | None = field(default_factory=lambda: None if new else 0.0)
        """
    )
    ratio = _fields(text, factory_format="factory:{}")["ratio"]
    assert ratio["default"] == "factory:lambda: None if new else 0.0"


@pytest.mark.parametrize(
    ("name", "deprecated"),
    [
        ("per_gpu_batch", True),  # help starts with "Deprecated"
        ("no_cuda", True),  # "This argument is deprecated"
        ("grad_ckpt_kwargs", True),  # "Deprecated alias of ..."
        ("old_flag", True),  # warning "`--old_flag` is deprecated"
        ("hub_a", True),  # "`--hub_a` and `--hub_b` are deprecated"
        ("hub_b", True),
        ("raised", True),  # f-string in a raise
        ("eval_mode", False),  # only a value type of it is deprecated
        ("fsdp", False),  # only a value form of it is deprecated
        ("local_rank", False),  # "(Deprecated)" is about something else
        ("grad_ckpt", False),  # prefix of grad_ckpt_kwargs
        ("seed", False),
    ],
)
def test_deprecation_detection(name: str, deprecated: bool) -> None:
    assert _fields()[name]["deprecated"] is deprecated


def test_mentions_deprecated() -> None:
    assert src.mentions_deprecated(
        "The `evaluate_during_training` argument is deprecated", "evaluate_during_training"
    )
    assert src.mentions_deprecated("warmup_ratio is deprecated and will be removed", "warmup_ratio")
    assert not src.mentions_deprecated("`warmup_ratio_x` is deprecated", "warmup_ratio")
    assert not src.mentions_deprecated("apex.amp is deprecated", "amp")


def test_missing_class_gives_no_fields() -> None:
    assert src.parse_training_args_source("x = 1\n") == {}


def test_parse_enums_source() -> None:
    text = textwrap.dedent(
        """
        class ExplicitEnum(str, Enum):
            @classmethod
            def _missing_(cls, value):
                raise ValueError(value)

        class IntervalStrategy(ExplicitEnum):
            NO = "no"
            STEPS = "steps"
            EPOCH = "epoch"
            ALIAS = "steps"
            COUNT = 3

        class EvaluationStrategy(IntervalStrategy):
            pass

        class Helper:
            def method(self):
                return "x"
        """
    )
    assert src.parse_enums_source(text) == {
        "IntervalStrategy": ["epoch", "no", "steps"],
        "EvaluationStrategy": ["epoch", "no", "steps"],
    }
    assert src.parse_enums_source(text, ["IntervalStrategy", "Helper", "Missing"]) == {
        "IntervalStrategy": ["epoch", "no", "steps"],
        "Helper": [],
    }


def test_parse_report_to_source() -> None:
    mapping = 'INTEGRATION_TO_CALLBACK = {"wandb": WandbCallback, "azure_ml": AzureMLCallback}\n'
    assert src.parse_report_to_source(mapping) == ["azure_ml", "wandb"]
    listing = textwrap.dedent(
        """
        def get_available_reporting_integrations():
            integrations = []
            if is_wandb_available():
                integrations.append("wandb")
            if is_tensorboard_available():
                integrations.append("tensorboard")
            return integrations
        """
    )
    assert src.parse_report_to_source(listing) == ["tensorboard", "wandb"]
    assert src.parse_report_to_source("def other():\n    pass\n") is None


def test_parse_requires() -> None:
    metadata = (
        "Name: sentence-transformers\n"
        "Requires-Dist: transformers <5.0.0,>=4.34.0\n"
        'Requires-Dist: transformers[vision]; extra == "image"\n'
    )
    assert src.parse_requires(metadata, "transformers") == "<5.0.0,>=4.34.0"
    assert src.parse_requires("Name: x\n", "transformers") is None


def test_sentence_transformers_snapshot() -> None:
    sources = {
        "sentence_transformers/base/training_args.py": textwrap.dedent(
            """
            from transformers import TrainingArguments as TransformersTrainingArguments

            @dataclass
            class BaseTrainingArguments(TransformersTrainingArguments):
                router_mapping: dict[str, str] = field(default_factory=dict)
                batch_sampler: str = field(default=BatchSamplers.BATCH_SAMPLER)
            """
        ),
        "sentence_transformers/base/sampler.py": textwrap.dedent(
            """
            class BatchSamplers(ExplicitEnum):
                BATCH_SAMPLER = "batch_sampler"
                NO_DUPLICATES = "no_duplicates"
            """
        ),
        "sentence_transformers/multi_vector_encoder/training_args.py": textwrap.dedent(
            """
            @dataclass
            class MultiVectorEncoderTrainingArguments(BaseTrainingArguments):
                max_length: int | None = field(default=None)
            """
        ),
        "sentence_transformers/cross_encoder/training_args.py": textwrap.dedent(
            """
            @dataclass
            class CrossEncoderTrainingArguments(BaseTrainingArguments):
                pass
            """
        ),
    }
    snap = src.sentence_transformers_snapshot(sources, "Requires-Dist: transformers>=5.0.0\n")
    assert snap.fields["router_mapping"]["default"] == "factory:dict"
    assert snap.fields["batch_sampler"]["default"] == "BatchSamplers.BATCH_SAMPLER"
    assert snap.fields["batch_sampler"]["cls"] is None
    assert snap.fields["max_length"]["cls"] == "MultiVectorEncoderTrainingArguments"
    assert snap.enums == {"BatchSamplers": ["batch_sampler", "no_duplicates"]}
    assert snap.requires == {"transformers": ">=5.0.0"}


# --------------------------------------------------------------------------- histories


def _spec(default: str | None, type_: str = "int", **kw: Any) -> src.FieldSpec:
    spec: src.FieldSpec = {
        "type": type_,
        "default": default,
        "choices": None,
        "help": "",
        "init": True,
        "deprecated": False,
        "cls": None,
    }
    spec.update(kw)  # type: ignore[typeddict-item]
    return spec


def test_build_data_histories() -> None:
    snapshots = {
        "1.0.0": src.Snapshot(
            fields={"a": _spec("1"), "b": _spec("'x'", "str", choices="['x']")},
            enums={"E": ["a"], "Gone": ["z"]},
        ),
        "1.1.0": src.Snapshot(
            fields={"a": _spec("1"), "b": _spec("'x'", "str", deprecated=True)},
            enums={"E": ["a", "b"]},
        ),
        "1.10.0": src.Snapshot(fields={"a": _spec("2", "float")}, enums={"E": ["a", "b"]}),
    }
    data = layout.build_data(TRANSFORMERS, snapshots)
    assert data["versions"] == ["1.0.0", "1.1.0", "1.10.0"]
    assert data["fields"]["a"] == {
        "first": "1.0.0",
        "removed_in": None,
        "deprecated_in": None,
        "defaults": [["1.0.0", "1"], ["1.10.0", "2"]],
        "types": [["1.0.0", "int"], ["1.10.0", "float"]],
    }
    assert data["fields"]["b"]["removed_in"] == "1.10.0"
    assert data["fields"]["b"]["deprecated_in"] == "1.1.0"
    assert data["fields"]["b"]["choices"] == [["1.0.0", "['x']"], ["1.1.0", None]]
    assert data["enums"] == {
        "E": [["1.0.0", ["a"]], ["1.1.0", ["a", "b"]]],
        "Gone": [["1.0.0", ["z"]], ["1.1.0", None]],
    }
    assert layout.fields_at(data, "1.1.0")["b"]["deprecated"] is True
    assert "b" not in layout.fields_at(data, "1.10.0")
    assert layout.enums_at(data, "1.10.0") == {"E": ["a", "b"]}


def test_merge_keeps_curated_and_reports() -> None:
    report: list[str] = []
    kept: list[str] = []
    merged = layout.merge(
        {"fields": {"a": {"first": "2"}}},
        {"fields": {"a": {"first": "1", "note": "n"}, "gone": {}}, "classes": {}},
        report=report,
        kept=kept,
    )
    assert merged == {"fields": {"a": {"first": "2", "note": "n"}, "gone": {}}, "classes": {}}
    assert report == ['fields.a.first: committed "1" -> derived "2"']
    assert kept == ["fields.gone: not derived, kept {}"]


def test_merge_reports_histories_release_by_release() -> None:
    report: list[str] = []
    layout.merge(
        {"E": [["1.0.0", ["a", "b"]]], "d": [["1.0.0", "1"], ["2.0.0", "2"]]},
        {"E": [["1.0.0", ["a", "c"]]], "d": [["1.0.0", "1"]]},
        report=report,
    )
    assert report == [
        "E: 1.0.0 committed-only ['c'] derived-only ['b']",
        'd: 2.0.0 committed "<none>" derived "2"',
    ]


def test_curated_conditional_deprecation_is_kept() -> None:
    derived = {"fields": {"warmup_ratio": {"deprecated_in": "5.3.0"}}}
    curated = {
        "fields": {
            "warmup_ratio": {"deprecated_in": None, "deprecated_with": {"transformers": ">=5"}}
        }
    }
    notes = layout.apply_curated_overrides(derived, curated)
    assert derived["fields"]["warmup_ratio"]["deprecated_in"] is None
    assert len(notes) == 1


# --------------------------------------------------------------------------- command, offline


def _fake_wheel(cache: Path, version: str, training_args: str) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(cache / f"transformers-{version}-py3-none-any.whl", "w") as zf:
        zf.writestr(src.TF_TRAINING_ARGS, training_args)
        zf.writestr(
            "transformers/trainer_utils.py",
            'class IntervalStrategy(ExplicitEnum):\n    NO = "no"\n',
        )
        zf.writestr(f"transformers-{version}.dist-info/METADATA", "Name: transformers\n")


def test_main_write_then_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "wheels"
    old = "@dataclass\nclass TrainingArguments:\n    seed: int = 42\n"
    new = old + "    extra: bool = False\n"
    _fake_wheel(cache, "1.0.0", old)
    _fake_wheel(cache, "1.1.0", new)
    data_file = tmp_path / "transformers.json"
    data_file.write_text(
        json.dumps({"library": "transformers", "source": "test", "versions": ["1.0.0", "1.1.0"]})
    )
    monkeypatch.setitem(rg.DATA_FILES, TRANSFORMERS, data_file)
    args = ["--library", "transformers", "--cache", str(cache)]

    assert rg.main(["--check", *args]) == 1
    assert rg.main(["--write", *args]) == 0
    written = json.loads(data_file.read_text())
    assert written["source"] == "test"
    assert written["fields"]["extra"]["first"] == "1.1.0"
    assert written["enums"] == {"IntervalStrategy": [["1.0.0", ["no"]]]}
    capsys.readouterr()
    assert rg.main(["--check", *args]) == 0

    written["fields"]["seed"]["defaults"] = [["1.0.0", "7"]]
    data_file.write_text(layout.dumps(written))
    assert rg.main(["--check", *args]) == 1
    assert 'fields.seed.defaults: 1.0.0 committed "7" derived "42"' in capsys.readouterr().out
    # Another release list: compared release by release.
    assert rg.main(["--check", "--versions", "1.1.0", *args]) == 1
    assert "1.1.0: seed.default: committed '7', wheel '42'" in capsys.readouterr().out


def test_json_text_fields_on_the_module_then_on_the_class() -> None:
    module_level = '_VALID_DICT_FIELDS = ["fsdp_config", "accelerator_config"]\n\nclass TrainingArguments:\n    seed: int = 42\n'
    on_class = 'class TrainingArguments:\n    _VALID_DICT_FIELDS = ["lr_scheduler_kwargs"]\n    seed: int = 42\n'
    assert src.parse_json_text_fields(module_level) == {
        "fields": ["accelerator_config", "fsdp_config"],
        "on_class": False,
    }
    assert src.parse_json_text_fields(on_class) == {
        "fields": ["lr_scheduler_kwargs"],
        "on_class": True,
    }
    assert src.parse_json_text_fields("class TrainingArguments:\n    seed: int = 42\n") is None
    data = layout.build_data(
        TRANSFORMERS,
        {
            "1.0.0": src.Snapshot(fields={"seed": _spec("42")}),
            "1.1.0": src.transformers_snapshot({src.TF_TRAINING_ARGS: module_level}),
            "1.2.0": src.transformers_snapshot({src.TF_TRAINING_ARGS: on_class}),
        },
    )
    assert [v for v, _ in data["json_text_fields"]] == ["1.1.0", "1.2.0"]
    assert layout.snapshot_at(data, "1.0.0").json_text_fields is None
