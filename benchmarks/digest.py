"""Fingerprints of the shipped scenarios' numbers, to prove a refactor changed none of them.

Runs every ``scenarios/*.yaml`` through the CLI (``autosim run``, serial, a fixed seed, a few
replications, no figures) and hashes what the run wrote: summary.json byte for byte, and the
content of replications.parquet and cash.parquet (values, column names and dtypes).

    python -m benchmarks.digest --save before.json     # on the old code
    python -m benchmarks.digest --check before.json    # on the new code: exit 1 on any change

The fingerprints depend on the installed numpy/pandas/scipy, so compare runs made in the same
environment.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

from autosim.cli import main as autosim_main

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def frame_digest(path: Path) -> str:
    """Hash a Parquet file's content (not its bytes, which carry writer metadata)."""
    frame = pd.read_parquet(path)
    h = hashlib.sha256()
    h.update(json.dumps([[c, str(t)] for c, t in frame.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def scenario_digest(scenario: Path, replications: int, seed: int) -> dict[str, str]:
    """Run one scenario into a temporary folder and fingerprint its outputs."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        argv = [
            "run",
            str(scenario),
            "-n",
            str(replications),
            "--seed",
            str(seed),
            "--executor",
            "serial",
            "--no-plots",
            "-q",
            "--out",
            str(out),
        ]
        code = autosim_main(argv)
        if code not in (0, None):
            raise SystemExit(f"autosim run {scenario.name} exited {code}")
        return {
            "summary.json": hashlib.sha256((out / "summary.json").read_bytes()).hexdigest(),
            "replications.parquet": frame_digest(out / "replications.parquet"),
            "cash.parquet": frame_digest(out / "cash.parquet"),
        }


def digests(replications: int, seed: int) -> dict[str, dict[str, str]]:
    """Fingerprints of every shipped scenario."""
    return {s.name: scenario_digest(s, replications, seed) for s in SCENARIOS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="write the fingerprints to this JSON file")
    parser.add_argument("--check", type=Path, help="compare with fingerprints saved earlier")
    parser.add_argument("-n", "--replications", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args(argv)
    found = digests(args.replications, args.seed)
    if args.save:
        args.save.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    if args.check:
        saved = json.loads(args.check.read_text(encoding="utf-8"))
        changed = [
            f"{name}: {file}"
            for name in sorted(set(saved) | set(found))
            for file in ("summary.json", "replications.parquet", "cash.parquet")
            if saved.get(name, {}).get(file) != found.get(name, {}).get(file)
        ]
        for line in changed:
            print(f"CHANGED {line}")
        print("identical" if not changed else f"{len(changed)} file(s) differ")
        return 1 if changed else 0
    print(json.dumps(found, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
