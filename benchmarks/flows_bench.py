"""Speed of operations built from blocks: a flow-built M/M/c against plain SimPy.

Issue #20's target: an M/M/c (c = 10, rho = 0.9) written as an ``operations`` section (one pool,
one flow, one serve step) must handle at least twice the customers per second of the plain
SimPy idiom (one process per customer requesting a ``simpy.Resource``, :func:`benchmarks.refs.
mmc_simpy`). Both are fed the very same customers — the arrivals and service times the flows
layer drew — and must give the same waits as the exact FIFO recursion (:func:`benchmarks.refs.
mmc_heap`). Timed in alternating rounds (A B, then B A) in one process; the median of the
per-round ratios is quoted, and events per customer are counted by wrapping
``simpy.Environment.schedule`` in an untimed run.

    .venv/bin/python -m benchmarks.flows_bench            # about 200,000 customers, 5 rounds
    .venv/bin/python -m benchmarks.flows_bench --quick    # a smoke run
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from autosim import scenario_from_dict
from autosim.experiment.streams import Streams
from autosim.model.flows import run_operations
from autosim.model.flows.engine import simulate_work
from autosim.model.flows.plan import plan_operations
from benchmarks.refs import MMcCustomers, count_simpy_events, mmc_heap, mmc_simpy

TARGET = 2.0


def mmc_flow_scenario(servers: int, rho: float, days: int):
    """M/M/c as an operations section: exponential service of mean 1 minute, open 24/7."""
    return scenario_from_dict(
        {
            "name": "flow-built M/M/c",
            "horizon": f"{days} day",
            "calendar": {"hours": "00:00-24:00"},
            "operations": {
                "resources": [{"id": "servers", "count": servers}],
                "flows": [
                    {
                        "id": "customers",
                        "arrivals": {"rate_per_day": rho * servers * 1440.0},
                        "steps": [
                            {
                                "id": "serve",
                                "serve": {
                                    "pool": "servers",
                                    "time": {"dist": "exponential", "mean": "1 min"},
                                },
                            }
                        ],
                    }
                ],
            },
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--servers", type=int, default=10)
    parser.add_argument("--rho", type=float, default=0.9)
    args = parser.parse_args(argv)
    days, rounds = (2, 3) if args.quick else (16, 5)
    scenario = mmc_flow_scenario(args.servers, args.rho, days)
    plan = plan_operations(scenario, (), Streams(1, 0))
    work, pools = plan.work, plan.pools
    horizon = 1e12  # run until every customer has been served, like the reference
    customers = MMcCustomers(work.arrival, work.service, args.servers)
    n = len(customers)

    record = simulate_work(work, pools, horizon)
    exact = mmc_heap(customers)
    assert np.allclose(record.start - record.ready, exact, atol=1e-9), "flows waits != exact"
    assert np.allclose(mmc_simpy(customers), exact, atol=1e-9), "SimPy waits != exact"
    events_flow = count_simpy_events(lambda: simulate_work(work, pools, horizon))
    events_simpy = count_simpy_events(lambda: mmc_simpy(customers))

    ratios, t_flow, t_simpy, t_whole = [], [], [], []
    for r in range(rounds):
        order = ("flow", "simpy") if r % 2 == 0 else ("simpy", "flow")
        took = {}
        for who in order:
            start = time.perf_counter()
            if who == "flow":
                simulate_work(work, pools, horizon)
            else:
                mmc_simpy(customers)
            took[who] = time.perf_counter() - start
        t_flow.append(took["flow"])
        t_simpy.append(took["simpy"])
        ratios.append(took["simpy"] / took["flow"])
        start = time.perf_counter()
        run_operations(scenario, (), Streams(1, 0))  # arrivals, routes, floor, KPIs, money
        t_whole.append(time.perf_counter() - start)

    ratio = statistics.median(ratios)
    print(f"flow-built M/M/c (c={args.servers}, rho={args.rho}): {n:,} customers, {rounds} rounds")
    print(
        f"  waits equal the exact FIFO recursion: yes (max diff "
        f"{np.max(np.abs(record.start - record.ready - exact)):.1e} min)"
    )
    print(
        f"  flows floor   {n / statistics.median(t_flow):>10,.0f} customers/s  "
        f"{events_flow / n:.2f} events/customer"
    )
    print(
        f"  plain SimPy   {n / statistics.median(t_simpy):>10,.0f} customers/s  "
        f"{events_simpy / n:.2f} events/customer"
    )
    print(
        f"  whole flows run (draws, routes, floor, KPIs, money): "
        f"{n / statistics.median(t_whole):,.0f} customers/s"
    )
    verdict = "PASS" if ratio >= TARGET else "FAIL"
    print(
        f"  speed ratio {ratio:.2f}x (rounds {min(ratios):.2f}-{max(ratios):.2f}x): "
        f"{verdict} (target >= {TARGET:g}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
