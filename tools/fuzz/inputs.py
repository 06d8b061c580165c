"""One fuzz input: a seed (or a generated file) and the mutations applied to it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .generate import generated
from .mutate import Pick, mutate
from .seeds import seeds

MUTATION_COUNTS = (0, 1, 1, 1, 2, 2, 3, 4)


@dataclass
class FuzzInput:
    fmt: str
    origin: str  # the seed's name, or "generated"
    data: bytes
    mutations: list[str] = field(default_factory=list)


def make_input(fmt: str, pick: Pick) -> FuzzInput:
    """A seed or a generated file, mutated 0 to 4 times, all chosen by `pick`."""
    if pick(5) == 0:
        origin, base = "generated", generated(fmt, pick)
    else:
        pool = seeds(fmt)
        seed = pool[pick(len(pool))]
        origin, base = seed.name, seed.data
    data, names = mutate(base, fmt, pick, MUTATION_COUNTS[pick(len(MUTATION_COUNTS))])
    return FuzzInput(fmt, origin, data, names)


def campaign_input(fmt: str, seed: int, index: int) -> FuzzInput:
    """Input `index` of a campaign: the same for the same (format, seed, index) everywhere."""
    rng = random.Random(f"{seed}:{fmt}:{index}")
    return make_input(fmt, rng.randrange)
