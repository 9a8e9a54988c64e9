"""Each item's own random numbers, fixed when it arrives, whatever route it later takes.

Common random numbers ask that everything about a customer that does not depend on how the
business works — how long *their* order takes at the counter, whether *they* change their mind,
how patient *they* are — be the same in every variant. With loops (rework) and branches an item
may visit a step any number of times, and a variant that changes a branch's probabilities sends
it along another route, so a fixed table of draws per item would either be huge or get out of
step. Instead each item gets one random 64-bit key from its flow's generator when it arrives,
and the uniform for "the v-th visit of step s, for purpose p" is read off SplitMix64's stream
seeded by that key at position (s, v, p): a counter-based generator, so the same item, step,
visit and purpose give the same uniform in every variant, and nothing else shifts it. The keys
come from the numpy Generators the experiment layer hands down; this module only indexes them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Purpose", "derived_keys", "new_keys", "uniforms"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_VISITS = 1 << 20  # visits of one step an item can have (far beyond any route's cap)


class Purpose:
    """What a uniform is for (its position in the item's stream)."""

    SERVICE = 0
    PATIENCE = 1
    DELAY = 2
    BRANCH = 3
    REWORK = 4
    REVENUE = 5
    ADOPT = 6
    N = 8


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's output function (a bijection of 64-bit words with full avalanche)."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def uniforms(
    keys: np.ndarray, step: int | np.ndarray, visit: int | np.ndarray, purpose: int
) -> np.ndarray:
    """Uniforms in [0, 1): item ``keys``' draw for ``purpose`` at the ``visit``-th visit of
    ``step`` (SplitMix64 stream of each key, at that position)."""
    # arrays, not numpy scalars: array arithmetic wraps around silently, as 64-bit words should
    position = np.atleast_1d(np.asarray(step, np.uint64) * np.uint64(_VISITS))
    position = (position + np.asarray(visit, np.uint64)) * np.uint64(Purpose.N)
    x = _mix(keys + (position + np.uint64(purpose + 1)) * _GOLDEN)
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def new_keys(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` fresh item keys from the flow's generator."""
    return rng.integers(0, np.iinfo(np.uint64).max, size=n, dtype=np.uint64, endpoint=True)


def derived_keys(seed: int, *parts: np.ndarray) -> np.ndarray:
    """Keys named by integers (a scheduled item: entry, day, number), so that changing one
    entry's quantity leaves every other item's key where it was."""
    x = np.full(np.broadcast(*parts).shape, np.uint64(seed), dtype=np.uint64)
    for part in parts:
        x = _mix(x + (np.atleast_1d(np.asarray(part, np.uint64)) + np.uint64(1)) * _GOLDEN)
    return x
