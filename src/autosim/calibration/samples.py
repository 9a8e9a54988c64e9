"""Sample exports of a known business, to try calibration on and to test it with.

``python -m autosim.calibration.samples`` simulates the baseline of the flagship plumbing
scenario (``scenarios/plumbing_residential_emergency.yaml``) for 90 days from 2027-01-04, seed 10,
and writes what its systems would have exported into ``data/samples/``:

* ``jobs.csv`` — the job log ("Job #", "Created", "Job Type", "Customer Type", "Tech On Site",
  "Completed", "Status", "Invoice Total", "X (km)", "Y (km)"). "Tech On Site" is deliberately
  not one of the built-in names, so the example needs ``--map "Tech On Site=arrived"``.
* ``invoices.csv`` — the invoice register ("Invoice No", "Job #", "Customer Type",
  "Service Date", "Invoice Date", "Due Date", "Date Paid", "Amount", "Paid On Site",
  "Written Off").
* ``stock.csv`` — stock movements ("Date", "SKU", "Movement", "Qty", "PO Number").

The numbers are known (they are the scenario's), which is what makes them useful: fitting them
must give the scenario back, and back-testing the scenario against them must pass.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from autosim.atomic import write_atomic
from autosim.calibration.backtest import over_period
from autosim.calibration.simrecords import SimRecords, simulate_records

__all__ = ["EXPORT_COLUMNS", "SAMPLE", "export_frame", "make_samples"]

#: What the sample files are made from.
SAMPLE = {
    "scenario": "scenarios/plumbing_residential_emergency.yaml",
    "seed": 10,
    "start": "2027-01-04",
    "days": 90,
}
#: Canonical field -> the column name the sample export uses.
EXPORT_COLUMNS = {
    "jobs": {
        "job_id": "Job #",
        "created": "Created",
        "job_type": "Job Type",
        "segment": "Customer Type",
        "arrived": "Tech On Site",
        "finished": "Completed",
        "status": "Status",
        "revenue": "Invoice Total",
        "x_km": "X (km)",
        "y_km": "Y (km)",
    },
    "invoices": {
        "invoice_id": "Invoice No",
        "job_id": "Job #",
        "segment": "Customer Type",
        "completed": "Service Date",
        "issued": "Invoice Date",
        "due": "Due Date",
        "paid": "Date Paid",
        "amount": "Amount",
        "paid_on_site": "Paid On Site",
        "written_off": "Written Off",
    },
    "inventory": {
        "date": "Date",
        "item": "SKU",
        "kind": "Movement",
        "quantity": "Qty",
        "order_ref": "PO Number",
    },
}
_WORDS = {
    "status": {"completed": "Completed", "lost": "Cancelled", "open": "Open"},
    "kind": {"issue": "Issued to job", "sale": "Sale", "order": "PO raised", "receipt": "Received"},
}
_DATE = "%Y-%m-%d %H:%M"


def export_frame(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """A canonical table as an export: the system's column names, dates and words."""
    out = pd.DataFrame(index=frame.index)
    for name, column in EXPORT_COLUMNS[kind].items():
        values = frame[name]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime(_DATE).fillna("")
        elif name in _WORDS:
            values = values.map(_WORDS[name])
        elif name == "paid_on_site":
            values = values.map({True: "Yes", False: "No"})
        elif name in ("quantity",):
            values = values.round().astype(int)
        out[column] = values
    return out


def make_samples(
    scenario_path: str | Path = SAMPLE["scenario"],
    out_dir: str | Path = "data/samples",
    *,
    seed: int = SAMPLE["seed"],
    days: int = SAMPLE["days"],
    start: str = SAMPLE["start"],
) -> list[Path]:
    """Simulate the scenario's baseline and write its exports; return the files written."""
    from autosim.scenario import load_scenario

    scenario = over_period(load_scenario(scenario_path), pd.Timestamp(start), days)
    records: SimRecords = simulate_records(scenario, seed)
    folder = Path(out_dir)
    written = []
    for kind, table, name in (
        ("jobs", records.jobs, "jobs.csv"),
        ("invoices", records.invoices, "invoices.csv"),
        ("inventory", records.stock, "stock.csv"),
    ):
        if table is None:
            continue
        text = export_frame(table.frame, kind).to_csv(index=False, lineterminator="\n")
        written.append(write_atomic(folder / name, text))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m autosim.calibration.samples [--scenario FILE] [--out DIR] ...``"""
    parser = argparse.ArgumentParser(description="Write sample exports of a simulated business.")
    parser.add_argument("--scenario", default=SAMPLE["scenario"])
    parser.add_argument("--out", default="data/samples")
    parser.add_argument("--seed", type=int, default=SAMPLE["seed"])
    parser.add_argument("--days", type=int, default=SAMPLE["days"])
    parser.add_argument("--start", default=SAMPLE["start"])
    args = parser.parse_args(argv)
    for path in make_samples(
        args.scenario, args.out, seed=args.seed, days=args.days, start=args.start
    ):
        print(f"wrote {path} ({path.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
