"""One flagship sweep in a fresh process; prints its time, chunking and peak memory as JSON.

Sweeps are measured in their own process so that each starts from the same state and its peak
resident memory (``getrusage`` max RSS) belongs to that sweep alone — a long-lived benchmark
process would report the largest thing it ever did. The time is taken inside, around
:func:`autosim.run_experiment`, so interpreter start-up and imports are not counted.

With ``--stream`` the sweep is run the way a long CLI sweep is: KPIs only (no daily cash), each
finished chunk written to a temporary output folder (:class:`~autosim.experiment.store.ChunkStore`)
instead of kept in memory, and the whole replications frame read back once at the end — the
bounded-memory path whose peak the memory benchmark judges.

Usage: ``python -m benchmarks.sweep_child --replications 500 --jobs 2 [--horizon-days 14]
[--stream]``
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time


def _max_rss_mb(who: int) -> float:
    """Peak resident set size in MiB (Linux reports KiB)."""
    kib = resource.getrusage(who).ru_maxrss
    return kib / 1024.0 if sys.platform != "darwin" else kib / 2**20


def _cpu_seconds(who: int) -> float:
    """User + system CPU time: with the wall time it shows whether the cores were really ours."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    """Run the sweep described by the arguments and print one JSON object on stdout."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (1: in-process)")
    parser.add_argument("--horizon-days", type=int, default=None)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stream", action="store_true", help="KPIs only, chunks to disk")
    args = parser.parse_args(argv)

    from autosim import run_experiment
    from autosim.experiment.store import ChunkStore
    from benchmarks.workloads import all_variants, flagship_scenario

    scenario = flagship_scenario(args.horizon_days)
    variants = all_variants(scenario)
    rss_before = _max_rss_mb(resource.RUSAGE_SELF)
    cpu_before = _cpu_seconds(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="autosim-bench-") as folder:
        results = run_experiment(
            scenario,
            args.replications,
            seed=args.seed,
            variants=variants,
            executor="processes",
            n_jobs=args.jobs,
            chunk_size=args.chunk_size,
            keep_cash=not args.stream,
            store=ChunkStore(folder) if args.stream else None,
        )
        if args.stream:
            results.summary()  # what the CLI does next: the peak must include it
    seconds = time.perf_counter() - started
    kept = results.replications.memory_usage(deep=True).sum()
    kept += results.cash.memory_usage(deep=True).sum()
    out = {
        "stream": args.stream,
        "replications": args.replications,
        "jobs": args.jobs,
        "horizon_days": scenario.n_days,
        "variants": [v.id for v in variants],
        "seconds": seconds,
        "chunk_size": results.timing.get("chunk_size"),
        "n_tasks": -(-args.replications // int(results.timing.get("chunk_size") or 1)),
        "n_events": results.timing.get("n_events"),
        "cash_rows": len(results.cash),
        "results_mb": float(kept) / 2**20,
        "rss_before_mb": rss_before,
        "max_rss_mb": _max_rss_mb(resource.RUSAGE_SELF),
        "max_rss_children_mb": _max_rss_mb(resource.RUSAGE_CHILDREN),
        "cpu_seconds": _cpu_seconds(resource.RUSAGE_SELF) - cpu_before,
        "cpu_seconds_children": _cpu_seconds(resource.RUSAGE_CHILDREN),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
