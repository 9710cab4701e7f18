"""Ventricular flutter (ecgkit.signal.ventricular_flutter) on real and synthetic ECGs.

1. MIT-BIH Arrhythmia, 48 records, each lead alone (band-passed as for beat detection,
   ``ecgkit.signal.clean``): the reference's ventricular flutter waves (WFDB ``!``, all
   in 207's ``(VFL`` episodes) inside a stretch found (sensitivity), and the other
   reference beats inside one (false), by record and reference rhythm; the share of each
   record's time inside a stretch.
2. LUDB, 200 strips, each of the 12 leads at 500 Hz and resampled to 250 and 128 Hz:
   strip-leads with a stretch (none wanted: no ventricular flutter is diagnosed there).
3. Synthetic: a sinusoid of 1.5-10 Hz whose phase and amplitude wander, with 0.05 mV of
   noise (found where a stretch covers it whole); sinus rhythms of narrow and of wide
   complexes at 60-300 beats a minute (``tests/synthetic.py``'s ``paced_ecg`` without
   the spike; found where any stretch is).
4. A tremor (a sinusoid of 4-7 Hz, 0.2-0.8 mV, its phase wandering) over each of the 48
   bundled excerpts: the share of the time inside a stretch (none wanted).

Each part with the signal alone and with the beats ``ecgkit.signal.detect_r_peaks`` finds
in the lead (``r_peaks``: a window's beats at most two of its waves apart, as
``ecgkit annotate`` runs it).

Prints a table and writes JSON.

    python benchmarks/bench_vf.py --data-dir ../shared/data/mitdb
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import wfdb
from _common import (
    MITDB_RECORDS,
    default_data_dir,
    environment,
    ludb_records,
    mitdb_rhythm_labels,
    write_json,
)

from ecgkit.data import EXAMPLE_RECORDS, load_example, read_annotations
from ecgkit.signal import clean, detect_r_peaks, resample, touches_gaps, ventricular_flutter

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from synthetic import paced_ecg

LUDB_RATES = (500.0, 250.0, 128.0)
SINE_HZ = (1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0)
RR_S = (1.0, 0.6, 0.4, 0.3, 0.25, 0.2)
TREMOR_HZ = (4.0, 5.0, 6.0, 7.0)
TREMOR_MV = (0.2, 0.3, 0.5, 0.8)
MODES = ("signal alone", "with beats")


def _flutter(x: np.ndarray, fs: float, mode: str) -> np.ndarray:
    """ventricular_flutter of ``x`` (as recorded) in one of :data:`MODES`."""
    beats = detect_r_peaks(x, fs) if mode == MODES[1] else None
    return ventricular_flutter(clean(x, fs), fs, r_peaks=beats)


def mitdb(data_dir: Path) -> dict[str, Any]:
    """Flutter waves found and other beats taken, per record and lead."""
    rows = []
    for record in MITDB_RECORDS:
        signal = np.asarray(wfdb.rdrecord(str(data_dir / record)).p_signal, dtype=np.float64)
        annotations = read_annotations(data_dir / record)
        symbols = np.asarray(annotations.symbol)
        samples, rhythms = mitdb_rhythm_labels(data_dir, record)
        waves = np.asarray(annotations.sample)[symbols == "!"]
        for lead, mode in itertools.product(range(signal.shape[1]), MODES):
            stretches = _flutter(signal[:, lead], 360.0, mode)
            inside = touches_gaps(samples, samples + 1, stretches)
            is_wave = np.isin(samples, waves)
            taken = Counter(rhythms[inside & ~is_wave].tolist())
            rows.append(
                {
                    "record": record,
                    "lead": lead,
                    "mode": mode,
                    "waves": int(is_wave.sum()),
                    "waves_found": int((inside & is_wave).sum()),
                    "other_beats_taken": int((inside & ~is_wave).sum()),
                    "taken_by_rhythm": dict(taken),
                    "share_of_time": float((stretches[:, 1] - stretches[:, 0]).sum())
                    / signal.shape[0],
                }
            )
    return {"rows": rows}


def ludb(ludb_dir: Path) -> dict[str, Any]:
    """LUDB strip-leads with a stretch found, by rate."""
    found: dict[str, list[str]] = {f"{fs:g} Hz, {mode}": [] for fs in LUDB_RATES for mode in MODES}
    checked = 0
    for header in ludb_records(ludb_dir):
        signal = np.asarray(wfdb.rdrecord(str(header.with_suffix(""))).p_signal, float)
        for lead in range(signal.shape[1]):
            checked += 1
            for fs, mode in itertools.product(LUDB_RATES, MODES):
                x = signal[:, lead] if fs == 500.0 else resample(signal[:, lead], 500.0, fs)
                if _flutter(x, fs, mode).size:
                    found[f"{fs:g} Hz, {mode}"].append(f"{header.stem} lead {lead}")
    return {"checked": checked, "found": found}


def synthetic() -> dict[str, Any]:
    """Sinusoids found over their whole length, and sinus rhythms with any stretch."""
    fs = 360.0
    rng = np.random.default_rng(0)
    t = np.arange(round(30 * fs)) / fs
    sines = {}
    for hz in SINE_HZ:
        wave = np.sin(2 * np.pi * hz * t + 0.3 * np.sin(2 * np.pi * 0.3 * t))
        x = wave * (1.0 + 0.3 * np.sin(2 * np.pi * 0.2 * t)) + 0.05 * rng.standard_normal(t.size)
        sines[f"{hz:g}"] = ventricular_flutter(clean(x, fs), fs).tolist() == [[0, t.size]]
    rhythms = {}
    for rr_s in RR_S:
        for name, paced in (("narrow", ()), ("wide", None)):
            x, _, _ = paced_ecg(round(30 / rr_s), fs=fs, rr_s=rr_s, paced=paced, spike_mv=0.0)
            rhythms[f"{name} {60 / rr_s:.0f}/min"] = bool(
                ventricular_flutter(clean(x, fs), fs).size
            )
    return {"sinusoid_found": sines, "rhythm_taken": rhythms}


def tremor() -> dict[str, Any]:
    """Share of each excerpt's time inside a stretch under a tremor, by amplitude and mode."""
    fs = 360.0
    shares: dict[str, list[float]] = {
        f"{mv:g} mV, {mode}": [] for mv in TREMOR_MV for mode in MODES
    }
    for record in EXAMPLE_RECORDS:
        ecg = np.asarray(load_example(record)[0].signal[:, 0], dtype=np.float64)
        t = np.arange(ecg.size) / fs
        for hz, mv, mode in itertools.product(TREMOR_HZ, TREMOR_MV, MODES):
            wave = mv * np.sin(2 * np.pi * hz * t + 0.5 * np.sin(2 * np.pi * 0.1 * t))
            stretches = _flutter(ecg + wave, fs, mode)
            covered = float((stretches[:, 1] - stretches[:, 0]).sum()) / ecg.size
            shares[f"{mv:g} mV, {mode}"].append(covered)
    return {
        key: {"mean_share": float(np.mean(v)), "cases_with_any": int(np.sum(np.asarray(v) > 0)),
              "cases": len(v)}
        for key, v in shares.items()
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--ludb-dir", type=Path, default=default_data_dir().parent / "ludb")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/vf.json"))
    args = parser.parse_args()
    started = time.perf_counter()
    results: dict[str, Any] = {"environment": environment()}
    results["mitdb"] = mitdb(args.data_dir)
    rows = results["mitdb"]["rows"]
    print("MIT-BIH, each lead alone (flutter waves: WFDB '!')")
    for lead, mode in itertools.product((0, 1), MODES):
        mine = [r for r in rows if r["lead"] == lead and r["mode"] == mode]
        waves = sum(r["waves"] for r in mine)
        found = sum(r["waves_found"] for r in mine)
        taken = [r for r in mine if r["other_beats_taken"]]
        print(
            f"  lead {lead}, {mode}: flutter waves found {found} of {waves}; other beats taken "
            f"{sum(r['other_beats_taken'] for r in mine)} in "
            + (", ".join(f"{r['record']} ({r['other_beats_taken']}: {r['taken_by_rhythm']})"
                         for r in taken) or "no record")
        )  # fmt: skip
    if (args.ludb_dir / "data").is_dir():
        results["ludb"] = ludb(args.ludb_dir)
        print(f"LUDB, {results['ludb']['checked']} strip-leads with a stretch (none wanted):")
        for key, hits in results["ludb"]["found"].items():
            print(f"  {key}: {len(hits)} {'; '.join(hits[:5])}")
    results["synthetic"] = synthetic()
    sines = results["synthetic"]["sinusoid_found"]
    print(
        "sinusoid found whole: "
        + ", ".join(f"{hz} Hz {'yes' if v else 'no'}" for hz, v in sines.items())
    )
    taken = results["synthetic"]["rhythm_taken"]
    print(
        "sinus rhythm taken: " + ", ".join(f"{k} {'YES' if v else 'no'}" for k, v in taken.items())
    )
    results["tremor"] = tremor()
    print(f"tremor of {', '.join(f'{hz:g}' for hz in TREMOR_HZ)} Hz over the 48 excerpts:")
    for key, row in results["tremor"].items():
        print(
            f"  {key}: {100 * row['mean_share']:.1f} % of the time in a stretch, "
            f"{row['cases_with_any']} of {row['cases']} cases with any"
        )
    results["seconds"] = round(time.perf_counter() - started, 1)
    write_json(args.out, results)
    print(f"wrote {args.out} ({results['seconds']} s)")


if __name__ == "__main__":
    main()
