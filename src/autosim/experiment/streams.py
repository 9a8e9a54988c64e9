"""Random streams: one seed per experiment, one named stream per source of randomness.

Replication ``r`` owns the seed-sequence branch ``(r,)`` of the experiment's entropy, and each
source of randomness inside it ("jobs:emergency", "adopt:auto_dispatch", "input:...") gets its
own child keyed by a stable hash of its name. Adding a new source therefore never shifts the
numbers of the others, and every variant of a replication draws the same customers (common
random numbers) because it asks for the same names. Workers receive the entropy and a
replication number — never a Generator — so any executor reproduces the same numbers.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["SeedLike", "Streams", "fresh_entropy", "name_key"]

SeedLike = int | None


def fresh_entropy() -> int:
    """OS entropy for a run without a seed (it is recorded, so the run can be repeated)."""
    return int(np.random.SeedSequence().entropy)


def name_key(name: str) -> int:
    """A stable 64-bit integer for a stream name (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class Streams:
    """Named generators of one replication.

    Each call returns a *new* generator at the start of that name's stream, so every variant
    that asks for "adopt:auto_dispatch" gets the same draws, whatever ran before it. Code must
    therefore ask for each name once per use and draw everything it needs from that generator.

    ``salt`` separates variants when common random numbers are switched off (for comparisons
    that show what CRN buys).
    """

    def __init__(self, entropy: int, replication: int, salt: int | None = None) -> None:
        self.entropy = entropy
        self.key: tuple[int, ...] = (replication,) if salt is None else (replication, salt)

    def __call__(self, name: str) -> np.random.Generator:
        seq = np.random.SeedSequence(self.entropy, spawn_key=(*self.key, name_key(name)))
        return np.random.Generator(np.random.PCG64(seq))
