"""Benchmarks of autosim against reference models; run ``python -m benchmarks.run``."""
