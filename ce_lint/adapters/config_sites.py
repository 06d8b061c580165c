"""Which mappings of a YAML/JSON document are training arguments.

Shared by the YAML and JSON adapters; it looks at key names only, never at text.
A mapping is a Site when at least half of its keys are fields of some release of
TrainingArguments (or of sentence-transformers' classes), and
  * at least two of its keys are such fields (one at the top of a document whose class is
    declared, or that has no other key), or
  * it sits under a key that names training arguments (`training_args:`, `args:` of a
    `trainer:` ...).
Keys foreign to the whole family outnumbering the fields mean another program's settings.
Mappings inside a Site (accelerator_config, fsdp_config ...) are never Sites themselves.
"""

from __future__ import annotations

import re

from ..knowledge import Knowledge
from ..model import ClassChoice
from ..spelling import near_typos
from .base import Adapter, ScriptClassOf
from .patterns import flag_pattern, trigger_pattern

# Keys that name the training arguments themselves, whatever else their mapping holds.
EXPLICIT_KEYS = frozenset(
    {
        "training_args",
        "training_arguments",
        "trainingarguments",
        "train_args",
        "trainer_args",
        "trainer_arguments",
        "hf_args",
        "hf_training_args",
        "crossencodertrainingarguments",
        "cross_encoder_training_args",
    }
)
CONTAINER_KEYS = EXPLICIT_KEYS | frozenset({"training", "train", "args", "arguments"})


def _normal(key: str) -> str:
    return key.strip().lower().replace("-", "_")


def holds_arguments(
    keys: list[str],
    parent_key: str | None,
    knowledge: Knowledge,
    chosen: ClassChoice,
    root: bool = False,
    nested: frozenset[str] = frozenset(),
) -> bool:
    """Whether a mapping of a config file read as `chosen` is training arguments."""
    if chosen.owner is not None:
        return False  # the project's own reader takes the file's keys
    own = {k for k in keys if not k.startswith("_")}
    nearby = chosen.nearby_dataclasses if not chosen.source.declared and len(own) >= 2 else ()
    if any(_declares(fields, own, knowledge) for fields in nearby):
        return False  # the keys are the fields of one of the project's dataclasses
    return is_arguments_mapping(keys, parent_key, knowledge, root, nested, chosen.source.declared)


def other_fields(
    keys: list[str], knowledge: Knowledge, chosen: ClassChoice, root: bool
) -> frozenset[str] | None:
    """Site.other_fields of a mapping: a whole file whose class is only assumed, holding keys
    foreign to the family (`stage`, `lora_rank`), feeds a parser that fills other dataclasses
    ce-lint cannot read (None: any key may be theirs)."""
    if root and not chosen.source.declared:
        family = knowledge.family_field_names
        if any(k not in family and not k.startswith("_") for k in keys):
            return None
    return chosen.other_fields


def _declares(fields: frozenset[str], keys: set[str], knowledge: Knowledge) -> bool:
    """Whether the keys are the settings of a dataclass with `fields`: it declares most of them
    and every one that names a training-argument field (a key a slip of the keyboard away from
    one of its fields is the project's own typo; a stale key nobody declares is no evidence)."""
    declared = {k for k in keys if k in fields or near_typos(k, fields)}
    rest = keys - declared
    return len(declared) * 2 > len(keys) and not rest & knowledge.family_field_names


def is_arguments_mapping(
    keys: list[str],
    parent_key: str | None,
    knowledge: Knowledge,
    root: bool = False,
    nested: frozenset[str] = frozenset(),
    declared: bool = False,
) -> bool:
    """`nested` names the keys whose value is itself a mapping: such a key counts as a field
    only when the field takes a mapping (a CI workflow's `inputs: {seed: {...}}` is no Site)."""
    fields = knowledge.all_field_names
    distinct = set(keys)
    known = sum(
        1 for k in distinct if k in fields and (k not in nested or _takes_mapping(k, knowledge))
    )
    if known == 0 or known * 2 < len(distinct):
        return False  # keys foreign to the whole family outnumber the fields
    if "fsdp_config" not in distinct and all(_normal(k).startswith("fsdp_") for k in distinct):
        return False  # the file given to `--fsdp_config` (it takes the fields' fsdp_ names)
    parent = _normal(parent_key) if parent_key is not None else None
    own = frozenset(k for k in distinct if not k.startswith("_"))
    if (
        not root
        and not declared
        and parent not in EXPLICIT_KEYS
        and not knowledge.one_class_takes(own)
    ):
        # A nested section goes to the class whole (`TrainingArguments(**cfg["train"])`),
        # which refuses unknown keys: one that holds `epochs`, or keys of trl classes or
        # releases that never met, is read by the project's own code. (Hydra's `_target_` and
        # the like are not keys of the object.)
        return False
    if parent in CONTAINER_KEYS:
        return True
    # One field beside other keys is enough only where the file's class is declared.
    return known >= 2 or (root and (declared or known == len(distinct)))


def _takes_mapping(name: str, knowledge: Knowledge) -> bool:
    info = knowledge.field(name)
    types = " ".join(info.types) if info else ""
    return "dict" in types.lower() or "config" in types.lower()


class ConfigAdapter(Adapter):
    """What the YAML and JSON adapters share: worth parsing when fields appear as keys, or
    when training flags appear (a command string or an argument list in the file)."""

    def __init__(self, knowledge: Knowledge, script_class: ScriptClassOf | None = None):
        super().__init__(knowledge, script_class)
        self.pattern = trigger_pattern(knowledge)
        self.flags = flag_pattern(knowledge)

    def may_hold_arguments(self, data: bytes) -> bool:
        return may_hold_arguments(data, self.pattern) or self.flags.search(data) is not None


def may_hold_arguments(data: bytes, pattern: re.Pattern[bytes]) -> bool:
    """Whether a file is worth parsing: two field names written as keys, or one in a small
    file or next to a container key such as `training_args:`, or a ce-lint directive."""
    if b"ce-lint:" in data:
        return True
    seen: set[bytes] = set()
    for match in pattern.finditer(data):
        seen.add(match.group(1))
        if len(seen) >= 2:
            return True
    return bool(seen) and (len(data) < SMALL_FILE or _CONTAINER_KEY.search(data) is not None)


SMALL_FILE = 64 * 1024


_CONTAINER_KEY = re.compile(
    rb"(?i)[\"']?\b(" + b"|".join(k.encode() for k in sorted(CONTAINER_KEYS)) + rb")\b[\"']?[ \t]*:"
)
