"""Calibration trains (ecgkit.signal.calibration_pulses): found at an ECG's ends or inside it.

False trains: every 10-s strip of MIT-BIH's 48 records (both leads, at 1 and 3 times its
scale: 44,160 strip-leads), each read as a recording of its own so that every strip's
start and end are searched; the first lead clipped at a share f of the distance from its
median to its 0.1 / 99.9 % quantiles (f 0.3, 0.5, 0.7; a strip every 100 s); LUDB's 200
strips, 12 leads, at 1, 3 and 10 times its scale (its leads span 1 mV).

Trains found: three rectangular pulses of 0.5, 1 and 2 mV lasting 0.1, 0.2 and 0.5 s, one
a second, before or after the first 20 s of MIT-BIH 100 (resampled to the rate), ideal,
through a 100 Hz low-pass, or that and a 0.05 Hz high-pass (rounded edges, drooping
plateaus), with 0, 0.01 and 0.02 mV of white noise. A train counts as found where one
stretch starts at the first sample (ends at the last) and reaches past the last pulse
but not 50 ms into the ECG.

Inside a recording (``inside=True``, trains of 3 or more pulses at one period): false
trains in MIT-BIH's 48 whole records (both leads, at 1 and 3 times its scale; the first
lead clipped as above) and LUDB's 200 strips (12 leads, x1, x3, x10); trains found: 3 or
5 pulses as above, 0.3 s after the ECG of MIT-BIH 100's first minute is replaced by a
flat level at 30 s (a recorder's test signal switched on), found where one stretch starts
within 50 ms (4 samples at 50 Hz) before the first pulse and ends after the last but not
50 ms after the stretch replaced. Prints a table and writes JSON.

    python benchmarks/bench_calibration.py --data-dir ../shared/data/mitdb
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import wfdb
from _common import MITDB_RECORDS, default_data_dir, environment, ludb_records, write_json
from scipy.signal import butter, sosfilt

from ecgkit.signal import calibration_pulses, resample

RATES = (50.0, 100.0, 128.0, 250.0, 360.0, 500.0, 1000.0)
HEIGHTS_MV = (0.5, 1.0, 2.0)
WIDTHS_S = (0.1, 0.2, 0.5)
NOISES_MV = (0.0, 0.01, 0.02)
SHAPES = ("ideal", "low-pass 100 Hz", "low-pass and high-pass 0.05 Hz")
CLIP_SHARES = (0.3, 0.5, 0.7)


def false_trains(data_dir: Path, ludb_dir: Path) -> dict[str, Any]:
    """Strip-leads of real ECGs in which a calibration train is found (should be none)."""
    found: dict[str, list[str]] = {"mitdb": [], "mitdb_clipped": [], "ludb": []}
    checked = dict.fromkeys(found, 0)
    strip = 3600
    for record in MITDB_RECORDS:
        signal = np.asarray(wfdb.rdrecord(str(data_dir / record)).p_signal, dtype=np.float64)
        for start, scale, lead in itertools.product(
            range(0, signal.shape[0] - strip, strip), (1.0, 3.0), range(signal.shape[1])
        ):
            checked["mitdb"] += 1
            if calibration_pulses(scale * signal[start : start + strip, lead], 360.0).size:
                found["mitdb"].append(f"{record} lead {lead} x{scale:g} at {start}")
        for share in CLIP_SHARES:
            clipped = _clipped(signal[:, 0], share)
            for start in range(0, signal.shape[0] - strip, 10 * strip):
                checked["mitdb_clipped"] += 1
                if calibration_pulses(clipped[start : start + strip], 360.0).size:
                    found["mitdb_clipped"].append(f"{record} clipped at {share:g}, at {start}")
    if (ludb_dir / "data").is_dir():
        for header in ludb_records(ludb_dir):
            signal = np.asarray(wfdb.rdrecord(str(header.with_suffix(""))).p_signal, float)
            for scale, lead in itertools.product((1.0, 3.0, 10.0), range(signal.shape[1])):
                checked["ludb"] += 1
                if calibration_pulses(scale * signal[:, lead], 500.0).size:
                    found["ludb"].append(f"{header.stem} lead {lead} x{scale:g}")
    return {"checked": checked, "found": found}


def false_trains_inside(data_dir: Path, ludb_dir: Path) -> dict[str, Any]:
    """Whole records (leads) of real ECGs with a train found inside them (should be none)."""
    found: dict[str, list[str]] = {"mitdb": [], "mitdb_clipped": [], "ludb": []}
    checked = dict.fromkeys(found, 0)
    for record in MITDB_RECORDS:
        signal = np.asarray(wfdb.rdrecord(str(data_dir / record)).p_signal, dtype=np.float64)
        for scale, lead in itertools.product((1.0, 3.0), range(signal.shape[1])):
            checked["mitdb"] += 1
            trains = calibration_pulses(scale * signal[:, lead], 360.0, ends=(), inside=True)
            found["mitdb"].extend(f"{record} lead {lead} x{scale:g} at {a}-{b}" for a, b in trains)
        for share in CLIP_SHARES:
            checked["mitdb_clipped"] += 1
            trains = calibration_pulses(_clipped(signal[:, 0], share), 360.0, ends=(), inside=True)
            found["mitdb_clipped"].extend(
                f"{record} clipped at {share:g}, at {a}-{b}" for a, b in trains
            )
    if (ludb_dir / "data").is_dir():
        for header in ludb_records(ludb_dir):
            signal = np.asarray(wfdb.rdrecord(str(header.with_suffix(""))).p_signal, float)
            for scale, lead in itertools.product((1.0, 3.0, 10.0), range(signal.shape[1])):
                checked["ludb"] += 1
                if calibration_pulses(scale * signal[:, lead], 500.0, ends=(), inside=True).size:
                    found["ludb"].append(f"{header.stem} lead {lead} x{scale:g}")
    return {"checked": checked, "found": found}


def _clipped(lead: np.ndarray, share: float) -> np.ndarray:
    """``lead`` clipped at ``share`` of the way from its median to its 0.1 / 99.9 % quantiles."""
    middle = float(np.median(lead))
    low, high = np.quantile(lead, [0.001, 0.999])
    return np.clip(lead, middle - share * (middle - low), middle + share * (high - middle))


def _train_recording(
    ecg: np.ndarray, fs: float, height: float, width_s: float, where: str
) -> tuple[np.ndarray, int]:
    """Three pulses, one a second, the first 0.2 s in, joined to ``ecg`` at ``where``."""
    train = np.zeros(round(3 * fs))
    for k in range(3):
        start = round((0.2 + k) * fs)
        train[start : start + round(width_s * fs)] = height
    if where == "start":
        return np.concatenate([train + ecg[0], ecg]), train.size
    return np.concatenate([ecg, train + ecg[-1]]), train.size


def _shaped(x: np.ndarray, fs: float, shape: str) -> np.ndarray:
    if shape == SHAPES[0] or fs <= 200.0:  # no 100 Hz low-pass under 200 Hz
        return x
    y = sosfilt(butter(2, 100.0, fs=fs, output="sos"), x - x[0]) + x[0]
    if shape == SHAPES[2]:
        y = sosfilt(butter(1, 0.05, "high", fs=fs, output="sos"), y - y[0]) + y[0]
    return np.asarray(y)


def _record_100_at_rates(data_dir: Path, seconds: int) -> Iterator[tuple[float, np.ndarray]]:
    """The first ``seconds`` of MIT-BIH 100's first lead at each of :data:`RATES`."""
    ecg_360 = np.asarray(wfdb.rdrecord(str(data_dir / "100"), sampto=360 * seconds).p_signal)
    for fs in RATES:
        yield fs, resample(ecg_360[:, 0], 360.0, fs) if fs != 360.0 else ecg_360[:, 0]


def trains_found(data_dir: Path) -> dict[str, Any]:
    """Share of synthetic calibration trains found, by rate, height and noise."""
    rng = np.random.default_rng(0)
    rows = []
    for fs, ecg in _record_100_at_rates(data_dir, 20):
        for height, width_s, noise, shape, where in itertools.product(
            HEIGHTS_MV, WIDTHS_S, NOISES_MV, SHAPES, ("start", "end")
        ):
            x, size = _train_recording(ecg, fs, height, width_s, where)
            x = _shaped(x, fs, shape) + noise * rng.standard_normal(x.size)
            got = calibration_pulses(x, fs)
            into_ecg = round(0.05 * fs)
            if where == "start":
                last_pulse = round((2.2 + width_s) * fs)
                ok = (
                    got.shape == (1, 2)
                    and got[0, 0] == 0
                    and last_pulse < got[0, 1] <= size + into_ecg
                )
            else:
                n = x.size
                ok = (
                    got.shape == (1, 2)
                    and got[0, 1] == n
                    and n - size - into_ecg <= got[0, 0] < n - size + round(0.2 * fs)
                )
            rows.append({"fs": fs, "height_mv": height, "noise_mv": noise, "found": bool(ok)})
    return {"rows": rows}


def trains_found_inside(data_dir: Path) -> dict[str, Any]:
    """Share of synthetic test-signal trains found inside an ECG, by rate, height and noise."""
    rng = np.random.default_rng(0)
    rows = []
    for fs, ecg in _record_100_at_rates(data_dir, 60):
        at = round(30 * fs)
        for height, width_s, noise, shape, n in itertools.product(
            HEIGHTS_MV, WIDTHS_S, NOISES_MV, SHAPES, (3, 5)
        ):
            x = ecg.copy()
            size = round((n + 0.4) * fs)
            x[at : at + size] = x[at]
            for k in range(n):
                start = at + round((0.3 + k) * fs)
                x[start : start + round(width_s * fs)] += height
            x = _shaped(x, fs, shape) + noise * rng.standard_normal(x.size)
            got = calibration_pulses(x, fs, ends=(), inside=True)
            first = at + round(0.3 * fs)
            last_pulse = at + round((n - 0.7 + width_s) * fs)
            slack = max(round(0.05 * fs), 4)  # an edge's flat stretch: 3 samples or more
            ok = (
                got.shape == (1, 2)
                and first - slack <= got[0, 0] < first
                and last_pulse < got[0, 1] <= at + size + slack
            )
            rows.append({"fs": fs, "height_mv": height, "noise_mv": noise, "found": bool(ok)})
    return {"rows": rows}


def _share(rows: list[dict[str, Any]], **where: float) -> str:
    chosen = [r["found"] for r in rows if all(r[k] == v for k, v in where.items())]
    return f"{sum(chosen)}/{len(chosen)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--ludb-dir", type=Path, default=default_data_dir().parent / "ludb")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/calibration.json"))
    args = parser.parse_args()
    started = time.perf_counter()
    results: dict[str, Any] = {"environment": environment()}
    results["false"] = false_trains(args.data_dir, args.ludb_dir)
    results["found"] = trains_found(args.data_dir)
    results["false_inside"] = false_trains_inside(args.data_dir, args.ludb_dir)
    results["found_inside"] = trains_found_inside(args.data_dir)
    for where, unit, false, found in (
        ("at the ends", "strip-leads", "false", "found"),
        ("inside", "record-leads", "false_inside", "found_inside"),
    ):
        print(f"trains {where}: real ECGs, {unit} with a train found (none wanted):")
        for key, n in results[false]["checked"].items():
            hits = results[false]["found"][key]
            print(f"  {key:14} {len(hits):>4} of {n:<6} {'; '.join(hits[:4])}")
        rows = results[found]["rows"]
        print("synthetic trains found, by rate (columns: noise 0 / 0.01 / 0.02 mV; heights pooled)")
        for fs in RATES:
            cells = [_share(rows, fs=fs, noise_mv=noise) for noise in NOISES_MV]
            print(f"  {fs:>6g} Hz  " + "  ".join(f"{c:>7}" for c in cells))
        print("by height (rates pooled): " + ", ".join(
            f"{h:g} mV " + " / ".join(_share(rows, height_mv=h, noise_mv=n) for n in NOISES_MV)
            for h in HEIGHTS_MV
        ))  # fmt: skip
    results["seconds"] = round(time.perf_counter() - started, 1)
    write_json(args.out, results)
    print(f"wrote {args.out} ({results['seconds']} s)")


if __name__ == "__main__":
    main()
