"""Experiments: random streams, variants, chunked runs and executors."""

from autosim.experiment.runner import Variant, default_variants, run_experiment, run_replication
from autosim.experiment.streams import Streams

__all__ = ["Streams", "Variant", "default_variants", "run_experiment", "run_replication"]
