"""The experiment: random streams, inputs, variants, replications, chunks, executors, stores.

It runs a scenario's variants over many replications and returns the frames as data
(:class:`autosim.experiment.run.Run`); judging them is :mod:`autosim.decide`'s work.
"""
