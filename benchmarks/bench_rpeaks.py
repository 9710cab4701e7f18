"""R-peak detection on the MIT-BIH Arrhythmia Database: accuracy and speed, clean and noisy.

For every record (first lead, all beat annotations, EC57 150 ms window) it scores ecgkit's
detector, neurokit2's ``neurokit`` and ``pantompkins1985`` methods and, when ``import
sleepecg`` works, sleepecg's ``detect_heartbeats`` (compiled C), all measured in the same
run, then repeats on records 118 and 119 with Noise-Stress-Test-style noise (see
``_noise.py``) at 24, 18, 12, 6 and 0 dB SNR. It prints tables and writes JSON; speed is
each method's total time as a ratio to sleepecg's (to neurokit2's ``neurokit`` without
sleepecg): each record is detected ``--repeats`` times by every method in turn (3 by
default) and the fastest of its calls counts, as ``timeit`` counts, so that a moment of
load on a shared machine does not land on one method's record; the first pass's times
are kept beside it.

    python benchmarks/bench_rpeaks.py --data-dir ../shared/data/mitdb
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import (
    MITDB_RECORDS,
    default_data_dir,
    environment,
    load_mitdb_record,
    sleepecg_version,
    write_json,
)
from _noise import NOISE_KINDS, add_nst_noise

from ecgkit.signal import detect_r_peaks, match_peaks

PEERS = ("neurokit", "pantompkins1985")
SNRS_DB = (24, 18, 12, 6, 0)
NST_RECORDS = ("118", "119")


SLEEPECG = sleepecg_version()
METHODS = ("ecgkit", *PEERS, *(("sleepecg",) if SLEEPECG else ()))
# the method every time is a ratio to: the compiled one when it is there
SPEED_REFERENCE = "sleepecg" if SLEEPECG else "neurokit"


def run_method(x: np.ndarray, fs: float, method: str) -> tuple[np.ndarray, float]:
    # the peers are scored on their own placement (no ecgkit refinement)
    refine = 0.06 if method == "ecgkit" else 0.0
    start = time.perf_counter()
    if method == "sleepecg":
        import sleepecg

        found = sleepecg.detect_heartbeats(np.ascontiguousarray(x, dtype=np.float64), fs)
        peaks = np.asarray(found, dtype=np.int64)
    else:
        peaks = detect_r_peaks(x, fs, method=method, refine_window_s=refine)
    return peaks, time.perf_counter() - start


def score(peaks: np.ndarray, ref: np.ndarray, fs: float, start_sample: int = 0) -> dict[str, Any]:
    m = match_peaks(peaks[peaks >= start_sample], ref[ref >= start_sample], fs, tolerance_s=0.15)
    return {"tp": m.tp, "fp": m.fp, "fn": m.fn}


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    tp, fp, fn = (sum(r[k] for r in rows) for k in ("tp", "fp", "fn"))
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "se": 100 * tp / max(tp + fn, 1),
        "ppv": 100 * tp / max(tp + fp, 1),
        "seconds": sum(r.get("seconds", 0.0) for r in rows),
    }


def clean_benchmark(data_dir: Path, records: list[str], repeats: int) -> dict[str, Any]:
    # one untimed call each first, so that no method's time holds its imports and caches
    x, fs, _ = load_mitdb_record(data_dir, records[0])
    for method in METHODS:
        run_method(x[0, : int(60 * fs)], fs, method)
    per_record: dict[str, dict[str, Any]] = {}
    for record in records:
        x, fs, ref = load_mitdb_record(data_dir, record)
        times: dict[str, list[float]] = {m: [] for m in METHODS}
        found: dict[str, np.ndarray] = {}
        # the methods take turns, so that a slow moment of the machine is shared out
        for _ in range(repeats):
            for method in METHODS:
                peaks, seconds = run_method(x[0], fs, method)
                if method in found and not np.array_equal(peaks, found[method]):
                    raise RuntimeError(f"{method} found other beats in record {record} again")
                found[method] = peaks
                times[method].append(seconds)
        per_record[record] = {
            m: {**score(found[m], ref, fs), "seconds": min(times[m]), "first_seconds": times[m][0]}
            for m in METHODS
        }
    summary = {m: totals([per_record[r][m] for r in records]) for m in METHODS}
    first = {m: sum(per_record[r][m]["first_seconds"] for r in records) for m in METHODS}
    reference = summary[SPEED_REFERENCE]["seconds"]
    return {
        "per_record": per_record,
        "total": summary,
        "repeats": repeats,
        "speed_reference": SPEED_REFERENCE,
        "seconds_ratio": {m: t["seconds"] / reference for m, t in summary.items()},
        "first_pass_seconds": first,
        "first_pass_ratio": {m: first[m] / first[SPEED_REFERENCE] for m in METHODS},
    }


def noise_benchmark(data_dir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for kind in NOISE_KINDS:
        for snr in SNRS_DB:
            rows: dict[str, list[dict[str, Any]]] = {m: [] for m in METHODS}
            for record in NST_RECORDS:
                x, fs, ref = load_mitdb_record(data_dir, record)
                noisy = add_nst_noise(x[0], fs, ref, kind, snr, record)
                for method in METHODS:
                    peaks, seconds = run_method(noisy, fs, method)
                    rows[method].append(
                        {**score(peaks, ref, fs, int(300 * fs)), "seconds": seconds}
                    )
            results[f"{kind}@{snr}dB"] = {m: totals(rows[m]) for m in METHODS}
    return results


def print_clean(result: dict[str, Any]) -> None:
    header = f"{'record':>7}" + "".join(f" | {m[:15]:>15} Se     +P      s" for m in METHODS)
    print(header)
    print("-" * len(header))
    for record, row in result["per_record"].items():
        cells = []
        for m in METHODS:
            t = totals([row[m]])
            cells.append(f" | {t['se']:>18.2f} {t['ppv']:6.2f} {row[m]['seconds']:6.3f}")
        print(f"{record:>7}" + "".join(cells))
    print("-" * len(header))
    reference = result["speed_reference"]
    for m, t in result["total"].items():
        print(
            f"TOTAL {m:>16}: TP {t['tp']:6d}  FP {t['fp']:5d}  FN {t['fn']:5d}  "
            f"Se {t['se']:7.3f} %  +P {t['ppv']:7.3f} %  time {t['seconds']:6.2f} s "
            f"({t['seconds'] / len(result['per_record']) * 1e3:5.1f} ms/record, "
            f"{result['seconds_ratio'][m]:.2f}x {reference}; first pass "
            f"{result['first_pass_seconds'][m]:.2f} s, {result['first_pass_ratio'][m]:.2f}x)"
        )
    print(f"(time: the fastest of {result['repeats']} calls per record, summed)")


def f1(cell: dict[str, Any]) -> float:
    se, ppv = float(cell["se"]), float(cell["ppv"])
    return 2 * se * ppv / (se + ppv) if se + ppv > 0 else 0.0


def noise_summary(result: dict[str, Any]) -> dict[str, dict[str, float]]:
    """How much each method degrades over all noise cells: mean and worst F1 (%), and the
    cells where its F1 is the best of the methods (ties count for each)."""
    best = {m: 0 for m in METHODS}
    for row in result.values():
        top = max(f1(row[m]) for m in METHODS)
        for m in METHODS:
            best[m] += f1(row[m]) >= top - 1e-9
    return {
        m: {
            "mean_f1": float(np.mean([f1(row[m]) for row in result.values()])),
            "worst_f1": min(f1(row[m]) for row in result.values()),
            "best_cells": best[m],
            "cells": len(result),
        }
        for m in METHODS
    }


def print_noise(result: dict[str, Any], summary: dict[str, dict[str, float]]) -> None:
    print(f"\n{'noise':>10}" + "".join(f" | {m[:15]:>15}  Se     +P  " for m in METHODS))
    for key, row in result.items():
        cells = "".join(f" | {row[m]['se']:>17.2f} {row[m]['ppv']:6.2f}" for m in METHODS)
        print(f"{key:>10}{cells}")
    print()
    for m, row in summary.items():
        print(
            f"{m:>16}: mean F1 {row['mean_f1']:6.2f} %  worst F1 {row['worst_f1']:6.2f} %  "
            f"best F1 in {row['best_cells']} of {row['cells']} noise cells"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--records", nargs="*", default=MITDB_RECORDS)
    parser.add_argument("--skip-noise", action="store_true")
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed calls per record and method (>= 1)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "bench_rpeaks.json"
    )
    args = parser.parse_args()
    if not (args.data_dir / "100.hea").is_file():
        parser.error(f"--data-dir {args.data_dir} holds no MIT-BIH records (100.hea)")
    payload: dict[str, Any] = {
        "environment": {**environment(), "sleepecg": SLEEPECG},
        "methods": list(METHODS),
    }
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1, got {args.repeats}")
    payload["clean"] = clean_benchmark(args.data_dir, list(args.records), args.repeats)
    print_clean(payload["clean"])
    if not args.skip_noise:
        payload["noise"] = noise_benchmark(args.data_dir)
        payload["noise_summary"] = noise_summary(payload["noise"])
        print_noise(payload["noise"], payload["noise_summary"])
    write_json(args.out, payload)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
