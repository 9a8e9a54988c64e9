"""Experiments: random streams, variants, chunked runs and executors."""

from autosim.experiment.rng import Streams
from autosim.experiment.runner import Variant, default_variants, run_experiment, run_replication

__all__ = ["Streams", "Variant", "default_variants", "run_experiment", "run_replication"]
