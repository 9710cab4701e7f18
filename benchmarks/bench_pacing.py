"""Pacemaker spikes (ecgkit.signal.paced_beats) on LUDB and MIT-BIH, at several rates.

For every record, ecgkit's R peaks of one lead (LUDB lead II, MIT-BIH's first lead) and
:func:`ecgkit.signal.paced_beats` over the leads named, at the record's own rate and
resampled (``--factors``, ecgkit's polyphase resampler: a band-limited front end spreads a
stimulus's edge over samples). A record counts as flagged when any of its beats is
taken as paced. LUDB's paced strips are those whose ``Cardiac pacing`` column in
``ludb.csv`` is not empty (10); MIT-BIH's are 102, 104, 107 and 217. Prints a table and
writes JSON.

    python benchmarks/bench_pacing.py --data-dir ../shared/data/mitdb
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import wfdb
from _common import (
    MITDB_RECORDS,
    default_data_dir,
    environment,
    ludb_records,
    ludb_table,
    write_json,
)

from ecgkit.signal import detect_r_peaks, paced_beats, resample

MITDB_PACED = ("102", "104", "107", "217")


def flagged_share(signal: np.ndarray, fs: float, detect_lead: int, leads: list[int]) -> float:
    """Share of the beats (R peaks of ``detect_lead``) taken as paced over ``leads``."""
    peaks = detect_r_peaks(signal[:, detect_lead], fs)
    if peaks.size == 0:
        return 0.0
    return float(paced_beats(signal[:, leads], fs, peaks, axis=0).mean())


def score(shares: dict[str, float], paced: set[str]) -> dict[str, Any]:
    """Paced records flagged (and the share of their beats), unpaced records flagged."""
    found = sorted((r for r in shares if r in paced and shares[r] > 0), key=int)
    false = sorted((r for r in shares if r not in paced and shares[r] > 0), key=int)
    return {
        "paced_records": len([r for r in shares if r in paced]),
        "paced_found": found,
        "paced_beat_share": {r: round(shares[r], 3) for r in sorted(paced & set(shares), key=int)},
        "unpaced_records": len([r for r in shares if r not in paced]),
        "unpaced_flagged": false,
    }


def run_ludb(ludb_dir: Path, factors: list[int]) -> dict[str, Any]:
    paced = {row["ID"].strip() for row in ludb_table(ludb_dir) if row["Cardiac pacing"].strip()}
    shares: dict[str, dict[str, float]] = {}
    for header in ludb_records(ludb_dir):
        record = wfdb.rdrecord(str(header.with_suffix("")))
        signal = np.asarray(record.p_signal, dtype=np.float64)
        lead_ii = [name.lower() for name in record.sig_name].index("ii")
        every = list(range(signal.shape[1]))
        for factor in factors:
            fs = float(record.fs) * factor
            x = signal if factor == 1 else resample(signal, float(record.fs), fs, axis=0)
            for leads, name in ((every, "12 leads"), ([lead_ii], "lead II")):
                key = f"{name}, {fs:g} Hz"
                shares.setdefault(key, {})[header.stem] = flagged_share(x, fs, lead_ii, leads)
    return {key: score(values, paced) for key, values in shares.items()}


def run_mitdb(data_dir: Path, factors: list[int]) -> dict[str, Any]:
    shares: dict[str, dict[str, float]] = {}
    for name in MITDB_RECORDS:
        record = wfdb.rdrecord(str(data_dir / name))
        signal = np.asarray(record.p_signal, dtype=np.float64)
        for factor in factors:
            fs = float(record.fs) * factor
            x = signal if factor == 1 else resample(signal, float(record.fs), fs, axis=0)
            key = f"both leads, {fs:g} Hz"
            shares.setdefault(key, {})[name] = flagged_share(x, fs, 0, [0, 1])
    return {key: score(values, set(MITDB_PACED)) for key, values in shares.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--ludb-dir", type=Path, default=default_data_dir().parent / "ludb")
    parser.add_argument(
        "--factors",
        type=int,
        nargs="+",
        default=[1, 2, 4],
        help="rates as multiples of each database's own (1: as recorded)",
    )
    parser.add_argument("--mitdb-factors", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/pacing.json"))
    args = parser.parse_args()
    started = time.perf_counter()
    results: dict[str, Any] = {"environment": environment()}
    if (args.ludb_dir / "data").is_dir():
        results["ludb"] = run_ludb(args.ludb_dir, args.factors)
    results["mitdb"] = run_mitdb(args.data_dir, args.mitdb_factors)
    print(f"{'database, leads, rate':34} {'paced found':>12} {'unpaced flagged':>16}")
    for database in ("ludb", "mitdb"):
        for key, s in results.get(database, {}).items():
            print(
                f"{database.upper() + ', ' + key:34} "
                f"{len(s['paced_found']):>5} of {s['paced_records']:<4} "
                f"{len(s['unpaced_flagged']):>7} of {s['unpaced_records']:<5}"
                f"  found: {' '.join(s['paced_found']) or '-'}"
            )
    results["seconds"] = round(time.perf_counter() - started, 1)
    write_json(args.out, results)
    print(f"wrote {args.out} ({results['seconds']} s)")


if __name__ == "__main__":
    main()
