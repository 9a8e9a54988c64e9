"""Operations from building blocks: items flowing through steps served by pools (SimPy).

Any small business is work flowing through people and equipment: a café's walk-ins queue at the
counter, a repair shop's jobs wait for the bench, a help desk's tickets for an agent. The
``operations`` section of a scenario describes pools and flows
(:mod:`autosim.scenario.operations_schema`); this package runs them for one variant of one
replication:

* :mod:`~autosim.model.flows.draws` — each item's own uniforms, fixed at its arrival (CRN);
* :mod:`~autosim.model.flows.arrivals` — arrivals by rate and profiles, or by schedule;
* :mod:`~autosim.model.flows.plan` — adoption, pools over time, every item's route as legs;
* :mod:`~autosim.model.flows.engine` — the SimPy floor: queues, shifts, balking, reneging;
* :mod:`~autosim.model.flows.measures` — the KPIs from the recorded arrays;
* :mod:`~autosim.model.flows.outcome` — the whole run, and its money for the ledger.
"""

from autosim.model.flows.outcome import (
    FlowsOutcome,
    dispatch_view,
    field_crew_kpi,
    merge_ledger,
    operations_only,
    run_operations,
)

__all__ = [
    "FlowsOutcome",
    "dispatch_view",
    "field_crew_kpi",
    "merge_ledger",
    "operations_only",
    "run_operations",
]
