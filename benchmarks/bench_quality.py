"""Noise beats (ecgkit.signal.noisy_beats) on MIT-BIH, LUDB, non-ECG signals and NST-style noise.

Each lead is taken as ``ecgkit annotate`` takes the shipped model's lead: resampled to
360 Hz, cleaned (0.5-40 Hz), R peaks detected on it, 0.25 + 0.45 s windows.

1. MIT-BIH Arrhythmia, all 48 records, each of the two leads alone: beats flagged as noise
   and the lowest typical repeatability (the running median of beat_repeatability).
2. LUDB, 200 records, each of the 12 leads alone (500 Hz resampled to 360 Hz): the same.
3. Signals that are not an ECG (5 minutes at 128, 360 and 500 Hz): white, pink (1/f) and
   brown (1/f^2) noise, muscle-like and electrode-motion-like noise (benchmarks/_noise.py),
   powerline hum with a little white noise, a 1-Hz sine: the share of their "beats" flagged.
4. NST-style noise (benchmarks/_noise.py; the MIT-BIH Noise Stress Test's design: records
   118 and 119, noise from minute 5 on in alternating 2-minute blocks) of each kind at
   24 to -6 dB: the share of beats flagged inside and outside the noise blocks, and how
   many of the shipped model's labels inside the blocks agree with its labels of the clean
   record, for flagged beats (the labels they would have had without the check) and kept
   beats, and for the kept beats by their typical repeatability (what the annotate path
   writes as ``repeatability``; under REPEAT_RELIABLE it counts a label less reliable)
   and by their noise ratio (``ecgkit.signal.noise_ratio``, ``noise_ratio``; from
   NOISE_RATIO_RELIABLE less reliable) (``--no-labels`` skips the model). Flagged beats
   are those of either test (REPEAT_MIN, NOISE_RATIO_MAX).
5. The detector after a burst of noise: 30 s of white noise (0.3, 1 and 3 mV) in place of
   MIT-BIH's first lead from a third of each record on; the beats the detector finds in
   the clean record 1-10 s and 10-60 s after the burst that it misses now (a failure
   class of the detector, measured here because the noise check meets it).
6. Mains hum (``ecgkit.signal.mains_amplitude``): the 50 and 60 Hz lines of MIT-BIH's 48
   records (both leads) and LUDB's 200 records (12 leads), and the shipped model's labels
   of the first 3 minutes of the 22 DS1 excerpts with a 50 or 60 Hz sinusoid of 0.02-1 mV
   added (seeded phases), against its labels without it: as shipped (a line of at least
   MAINS_NOTCH_MV notched out of the model's leads and the rhythm lead) and with no notch.
7. Spikes (``ecgkit.signal.spike_stretches``): 20 spikes in the first 3 minutes of each of
   the 22 DS1 excerpts (5 mV within a sample; 10-50 mV lasting 1-20 ms, as the stress
   suite's; 2 mV within a sample, under the limit), and 2 mV baseline steps every 20 s
   (not spikes): labels changed, beats lost and false detections against the clean run,
   as shipped (spikes bridged and steps subtracted before filtering) and without that.

    python benchmarks/bench_quality.py --data-dir ../shared/data/mitdb

``--sections`` runs some of them (real, non_ecg, nst, bursts, mains, spikes; default all).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import time
import warnings
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import wfdb
from _common import MITDB_RECORDS, default_data_dir, environment, ludb_records, write_json
from _noise import NOISE_KINDS, add_nst_noise, make_noise, nst_gate

from ecgkit.signal import (
    MAINS_HZ,
    MAINS_NOTCH_MV,
    NOISE_RATIO_MAX,
    NOISE_RATIO_RELIABLE,
    REPEAT_MIN,
    REPEAT_RELIABLE,
    beat_repeatability,
    clean,
    detect_r_peaks,
    mains_amplitude,
    resample,
    running_median,
    segment_beats,
)

MODEL_FS = 360.0
BEFORE_S, AFTER_S = 0.25, 0.45
SNRS_DB = (24.0, 12.0, 6.0, 0.0, -6.0)
#: Edges of the typical-repeatability bins the kept beats' label agreement is counted in.
REPEAT_BINS = (REPEAT_MIN, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)
#: Edges of the noise-ratio bins the same is counted in (kept beats are under the last).
NOISE_RATIO_BINS = (0.0, 1.5, 2.0, 3.0, NOISE_RATIO_RELIABLE, 8.0, NOISE_RATIO_MAX)


def lead_repeatability(lead: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """R peaks (at 360 Hz) and each beat's typical repeatability, as annotate takes a lead."""
    x = clean(resample(lead, fs, MODEL_FS) if fs != MODEL_FS else lead, MODEL_FS)
    peaks = detect_r_peaks(x, MODEL_FS)
    if peaks.size < 2:
        return peaks, np.zeros(0)
    windows = segment_beats(
        x, MODEL_FS, peaks, before_s=BEFORE_S, after_s=AFTER_S, edge="pad"
    ).windows[:, 0, :]
    return peaks, running_median(beat_repeatability(windows))


def lead_rows(name: str, leads: list[tuple[str, np.ndarray, float]]) -> dict[str, Any]:
    flagged = beats = 0
    lowest = (np.inf, "")
    values = []
    for label, lead, fs in leads:
        _, typical = lead_repeatability(lead, fs)
        if typical.size == 0:
            continue
        beats += typical.size
        flagged += int((typical < REPEAT_MIN).sum())
        values.append(typical)
        if typical.min() < lowest[0]:
            lowest = (float(typical.min()), label)
    every = np.concatenate(values)
    return {
        "set": name,
        "leads": len(values),
        "beats": beats,
        "flagged": flagged,
        "lowest": round(lowest[0], 3),
        "lowest_at": lowest[1],
        "p01": round(float(np.percentile(every, 1)), 3),
        "under_0.5": int((every < 0.5).sum()),
        # beats whose labels annotate counts as less reliable
        "under_reliable_percent": round(100 * float(np.mean(every < REPEAT_RELIABLE)), 2),
    }


def run_mitdb(data_dir: Path) -> list[dict[str, Any]]:
    rows = []
    for lead in (0, 1):
        signals = []
        for record in MITDB_RECORDS:
            rec = wfdb.rdrecord(str(data_dir / record), channels=[lead])
            signals.append((f"{record} {rec.sig_name[0]}", rec.p_signal[:, 0], float(rec.fs)))
        rows.append(lead_rows(f"MIT-BIH lead {lead + 1}", signals))
    return rows


def run_ludb(ludb_dir: Path) -> list[dict[str, Any]]:
    signals = []
    for header in ludb_records(ludb_dir):
        rec = wfdb.rdrecord(str(header.with_suffix("")))
        for j, name in enumerate(rec.sig_name):
            signals.append((f"{header.stem} {name}", rec.p_signal[:, j], float(rec.fs)))
    return [lead_rows("LUDB 12 leads", signals)]


def non_ecg(kind: str, n: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / fs
    if kind in ("white", "pink", "brown"):
        beta = {"white": 0.0, "pink": 1.0, "brown": 2.0}[kind]
        freq = np.fft.rfftfreq(n, 1 / fs)
        freq[0] = freq[1]
        spectrum = rng.standard_normal(freq.size) + 1j * rng.standard_normal(freq.size)
        return np.fft.irfft(spectrum / freq ** (beta / 2), n)
    if kind == "muscle":
        return make_noise("ma", n, fs, int(rng.integers(1 << 30)))
    if kind == "motion":
        return make_noise("em", n, fs, int(rng.integers(1 << 30)))
    if kind == "hum":
        hum = np.sin(2 * np.pi * 50.0 * t) if fs > 100 else np.zeros(n)
        return hum + 0.05 * rng.standard_normal(n)
    return np.sin(2 * np.pi * 1.0 * t)


def run_non_ecg() -> list[dict[str, Any]]:
    rng = np.random.default_rng(20261127)
    rows = []
    for kind in ("white", "pink", "brown", "muscle", "motion", "hum", "sine 1 Hz"):
        for fs in (128.0, 360.0, 500.0):
            _, typical = lead_repeatability(non_ecg(kind, int(300 * fs), fs, rng), fs)
            rows.append(
                {
                    "signal": kind,
                    "fs": fs,
                    "beats": int(typical.size),
                    "flagged": int((typical < REPEAT_MIN).sum()),
                    "median": round(float(np.median(typical)), 3) if typical.size else None,
                }
            )
    return rows


def nearest(reference: np.ndarray, found: np.ndarray, tolerance: int) -> np.ndarray:
    """For each ``reference`` sample, the index of the ``found`` one within ``tolerance``, or -1."""
    if found.size == 0:
        return np.full(reference.size, -1)
    j = np.clip(np.searchsorted(found, reference), 1, max(found.size - 1, 1))
    left = np.clip(j - 1, 0, found.size - 1)
    j = np.minimum(j, found.size - 1)
    pick = np.where(np.abs(found[j] - reference) < np.abs(found[left] - reference), j, left)
    return np.where(np.abs(found[pick] - reference) <= tolerance, pick, -1)


def run_nst(data_dir: Path, labels: bool) -> list[dict[str, Any]]:
    predictor = None
    if labels:
        from ecgkit.annotate import Predictor

        predictor = Predictor.load()
    rows = []
    for record in ("118", "119"):
        rec = wfdb.rdrecord(str(data_dir / record), channels=[0])
        lead, fs = rec.p_signal[:, 0], float(rec.fs)
        reference = detect_r_peaks(clean(lead, fs), fs)
        clean_labels = None
        if predictor is not None:
            clean_labels = predictor.annotate(lead, fs)
        gate = nst_gate(lead.size, fs)
        for kind in NOISE_KINDS:
            for snr in SNRS_DB:
                noisy = add_nst_noise(lead, fs, reference, kind, snr, record)
                peaks, typical = lead_repeatability(noisy, fs)
                flagged = typical < REPEAT_MIN
                inside = gate[np.minimum(peaks, lead.size - 1)]
                row: dict[str, Any] = {
                    "record": record,
                    "noise": kind,
                    "snr_db": snr,
                    "beats_in_noise": int(inside.sum()),
                    "flagged_in_noise": int((flagged & inside).sum()),
                    "flagged_outside": int((flagged & ~inside).sum()),
                }
                if predictor is not None and clean_labels is not None:
                    found = predictor.annotate(noisy, fs)
                    # the labels the flagged beats would have had without the check
                    with (
                        mock.patch("ecgkit.annotate.prepare.REPEAT_MIN", -np.inf),
                        mock.patch("ecgkit.annotate.prepare.NOISE_RATIO_MAX", np.inf),
                    ):
                        unchecked = predictor.annotate(noisy, fs).label
                    in_noise = gate[found.sample]
                    match = nearest(found.sample, clean_labels.sample, round(0.05 * fs))
                    for name, which, label in (
                        ("noise", found.flag == "noise", unchecked),
                        ("kept", found.label >= 0, found.label),
                    ):
                        pick = in_noise & which
                        agree = (match[pick] >= 0) & (
                            label[pick] == clean_labels.label[np.maximum(match[pick], 0)]
                        )
                        row[f"{name}_beats"] = int(pick.sum())
                        row[f"{name}_agree"] = int(agree.sum())
                        if name == "kept":
                            row["kept_by_repeatability"] = agreement_by_bin(
                                found.repeatability[pick], agree, REPEAT_BINS
                            )
                            row["kept_by_noise_ratio"] = agreement_by_bin(
                                found.noise_ratio[pick], agree, NOISE_RATIO_BINS
                            )
                rows.append(row)
    return rows


def agreement_by_bin(
    values: np.ndarray, agree: np.ndarray, edges: tuple[float, ...]
) -> list[list[int]]:
    """[beats, agreeing] per bin between ``edges`` (the last bin includes its top; NaN out)."""
    known = ~np.isnan(values)
    bins = np.clip(np.digitize(values[known], edges[1:-1]), 0, len(edges) - 2)
    agree = agree[known]
    return [[int((bins == b).sum()), int(agree[bins == b].sum())] for b in range(len(edges) - 1)]


def reliability_rows(
    nst: list[dict[str, Any]], measure: str, edges: tuple[float, ...]
) -> list[dict[str, Any]]:
    """The kept beats inside the noise blocks of every NST cell, pooled by bin of ``measure``."""
    rows = []
    for b, (low, high) in enumerate(itertools.pairwise(edges)):
        beats = sum(row[f"kept_by_{measure}"][b][0] for row in nst)
        agree = sum(row[f"kept_by_{measure}"][b][1] for row in nst)
        rows.append(
            {
                measure: f"{low:g}-{high:g}",
                "kept_beats": beats,
                "agree_percent": round(100 * agree / beats, 1) if beats else None,
            }
        )
    return rows


def run_bursts(data_dir: Path) -> list[dict[str, Any]]:
    rows = []
    for sd in (0.3, 1.0, 3.0):
        counts = {"beats_1_10_s": 0, "missed_1_10_s": 0, "beats_10_60_s": 0, "missed_10_60_s": 0}
        worst = (0, "")
        for record in MITDB_RECORDS:
            rec = wfdb.rdrecord(str(data_dir / record), channels=[0])
            lead, fs = rec.p_signal[:, 0].copy(), float(rec.fs)
            clean_peaks = detect_r_peaks(lead, fs)
            start = lead.size // 3
            stop = start + round(30 * fs)
            rng = np.random.default_rng([int(record), round(sd * 10)])
            lead[start:stop] = rng.normal(0.0, sd, stop - start)
            peaks = detect_r_peaks(lead, fs)
            missed_here = 0
            for name, (lo, hi) in (("1_10_s", (1, 10)), ("10_60_s", (10, 60))):
                after = clean_peaks[
                    (clean_peaks >= stop + lo * fs) & (clean_peaks < stop + hi * fs)
                ]
                found = nearest(after, peaks, round(0.05 * fs)) >= 0
                counts[f"beats_{name}"] += after.size
                counts[f"missed_{name}"] += int((~found).sum())
                missed_here += int((~found).sum())
            worst = max(worst, (missed_here, record))
        rows.append({"burst_mv": sd, **counts, "worst_record": worst[1], "worst_missed": worst[0]})
    return rows


HUM_MV = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
HUM_S = 180.0


def mains_levels(data_dir: Path, ludb_dir: Path) -> list[dict[str, Any]]:
    """The 50 and 60 Hz lines of every lead of MIT-BIH and LUDB, in mV."""
    databases = [("MIT-BIH", [data_dir / r for r in MITDB_RECORDS])]
    if (ludb_dir / "data").is_dir():
        ludb = ludb_records(ludb_dir)
        databases.append(("LUDB", [h.with_suffix("") for h in ludb]))
    rows = []
    for name, records in databases:
        levels = []
        for path in records:
            rec = wfdb.rdrecord(str(path))
            levels.append(np.stack([mains_amplitude(rec.p_signal, rec.fs, hz, axis=0)
                                    for hz in MAINS_HZ], axis=1))  # fmt: skip
        every = np.concatenate(levels)
        for k, hz in enumerate(MAINS_HZ):
            rows.append({
                "database": name, "mains_hz": hz, "leads": int(every.shape[0]),
                "median_mv": round(float(np.median(every[:, k])), 4),
                "max_mv": round(float(every[:, k].max()), 4),
                "at_threshold": int((every[:, k] >= MAINS_NOTCH_MV).sum()),
            })  # fmt: skip
    return rows


def run_mains() -> list[dict[str, Any]]:
    """Label agreement with hum added, as shipped and with no notch (DS1 excerpts)."""
    import ecgkit.annotate.prepare as prepare
    from ecgkit.annotate import Predictor
    from ecgkit.data import inter_patient_split, load_example

    predictor = Predictor.from_pretrained()
    rng = np.random.default_rng(0)
    counts: dict[tuple[str, float, float], list[int]] = {}
    for record in sorted(set(inter_patient_split().train)):
        lead = load_example(record)[0].signal[: round(HUM_S * MODEL_FS), :1].astype(np.float64)
        time_s = np.arange(lead.shape[0]) / MODEL_FS
        reference = predictor.annotate(lead, fs=MODEL_FS, axis=0)
        for hz, mv in itertools.product(MAINS_HZ, HUM_MV):
            hum = mv * np.sin(2 * np.pi * hz * time_s + rng.uniform(0, 2 * np.pi))[:, None]
            for mode in ("shipped", "no notch"):
                with (
                    mock.patch.object(prepare, "mains_to_remove", side_effect=lambda *a, **k: ())
                    if mode == "no notch"
                    else contextlib.nullcontext()
                ):
                    found = predictor.annotate(lead + hum, fs=MODEL_FS, axis=0)
                pick = nearest(reference.sample, found.sample, round(0.05 * MODEL_FS))
                same = (pick >= 0) & (found.label[pick] == reference.label)
                cell = counts.setdefault((mode, hz, mv), [0, 0, 0])
                cell[0] += int(same.sum())
                cell[1] += reference.sample.size
                cell[2] += int(bool(found.mains_hz))
    rows = []
    for (mode, hz, mv), (agree, n, notched) in counts.items():
        row = {"mode": mode, "mains_hz": hz, "hum_mv": mv, "beats": n}
        rows.append({**row, "agree_percent": round(100 * agree / n, 2), "notched": notched})
    return rows


SPIKE_KINDS = ("5 mV, 1 sample", "10-50 mV, 1-20 ms", "2 mV, 1 sample", "2 mV steps every 20 s")


def with_artefacts(lead: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """``lead`` (360 Hz, mV) with 20 spikes of ``kind``, or with baseline steps."""
    out = lead.copy()
    if kind.startswith("2 mV steps"):
        time_s = np.arange(lead.size) / MODEL_FS + rng.uniform(0, 20)
        return out + 2.0 * (np.floor(time_s / 20) % 2)
    for at in rng.choice(np.arange(500, lead.size - 500), 20, replace=False):
        sign = rng.choice([-1.0, 1.0])
        if kind == "10-50 mV, 1-20 ms":
            width = max(1, round(rng.uniform(1, 20) / 1000 * MODEL_FS))
            out[at : at + width] += sign * rng.uniform(10, 50)
        else:
            out[at] += sign * (5.0 if kind.startswith("5 mV") else 2.0)
    return out


def run_spikes() -> list[dict[str, Any]]:
    """Labels with spikes or steps added, as shipped and without removing them (DS1)."""
    import ecgkit.annotate.prepare as prepare
    from ecgkit.annotate import Predictor
    from ecgkit.data import inter_patient_split, load_example

    predictor = Predictor.from_pretrained()
    none = np.zeros((0, 2), dtype=np.int64)
    rows = []
    for kind, mode in itertools.product(SPIKE_KINDS, ("shipped", "not removed")):
        rng = np.random.default_rng(7)
        cell = {"artefact": kind, "mode": mode, "classified": 0, "changed": 0, "lost": 0}
        cell.update({"false_beats": 0, "S_more": 0, "V_more": 0, "spikes": 0, "steps": 0})
        for record in sorted(set(inter_patient_split().train)):
            lead = load_example(record)[0].signal[: round(HUM_S * MODEL_FS), 0].astype(float)
            reference = predictor.annotate(lead, fs=MODEL_FS)
            spiked = with_artefacts(lead, kind, rng)
            with contextlib.ExitStack() as stack:
                if mode == "not removed":
                    for name in ("spike_stretches", "baseline_steps"):
                        stack.enter_context(mock.patch.object(prepare, name, return_value=none))
                found = predictor.annotate(spiked, fs=MODEL_FS)
            pick = nearest(reference.sample, found.sample, round(0.05 * MODEL_FS))
            classified = reference.label >= 0
            cell["classified"] += int(classified.sum())
            cell["changed"] += int(
                (classified & (pick >= 0) & (found.label[pick] != reference.label)).sum()
            )
            cell["lost"] += int((pick < 0).sum())
            cell["false_beats"] += len(found) - int((pick >= 0).sum())
            for name, code in (("S_more", 1), ("V_more", 2)):
                cell[name] += int((found.label == code).sum() - (reference.label == code).sum())
            cell["spikes"] += found.n_spikes
            cell["steps"] += found.n_steps
        rows.append(cell)
    return rows


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n{title}")
    keys = list(rows[0])
    print("  ".join(f"{k:>16s}" for k in keys))
    for row in rows:
        print("  ".join(f"{row.get(k, '')!s:>16s}" for k in keys))


SECTIONS = ("real", "non_ecg", "nst", "bursts", "mains", "spikes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--ludb-dir", type=Path, default=default_data_dir().parent / "ludb")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/quality.json"))
    parser.add_argument("--no-labels", action="store_true", help="skip the shipped model")
    parser.add_argument(
        "--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="what to run"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    result: dict[str, Any] = {
        "environment": environment(),
        "threshold": REPEAT_MIN,
        "reliable": REPEAT_RELIABLE,
    }
    if "real" in args.sections:
        result["real"] = run_mitdb(args.data_dir)
        if (args.ludb_dir / "data").is_dir():
            result["real"] += run_ludb(args.ludb_dir)
        title = "Real ECG: beats under the threshold, lowest typical repeatability"
        print_table(title, result["real"])
    if "non_ecg" in args.sections:
        result["non_ecg"] = run_non_ecg()
        print_table("Not an ECG: share of the detected beats flagged", result["non_ecg"])
    if "nst" in args.sections:
        result["nst"] = run_nst(args.data_dir, labels=not args.no_labels)
        table = [
            {k: v for k, v in row.items() if not k.startswith("kept_by_")} for row in result["nst"]
        ]
        print_table("NST-style noise on 118 and 119 (labels against the clean record)", table)
        if not args.no_labels:
            result["reliability"] = reliability_rows(result["nst"], "repeatability", REPEAT_BINS)
            result["reliability_by_noise_ratio"] = reliability_rows(
                result["nst"], "noise_ratio", NOISE_RATIO_BINS
            )
            for measure, key in (
                ("typical repeatability", "reliability"),
                ("noise ratio", "reliability_by_noise_ratio"),
            ):
                print_table(
                    f"Kept beats in the noise blocks, every cell, by {measure}: labels "
                    "agreeing with the clean record's",
                    result[key],
                )
    if "bursts" in args.sections:
        result["bursts"] = run_bursts(args.data_dir)
        print_table("The detector after a 30-s burst of white noise (MIT-BIH)", result["bursts"])
    if "mains" in args.sections:
        result["mains_levels"] = mains_levels(args.data_dir, args.ludb_dir)
        print_table("Mains lines of the real records (mV)", result["mains_levels"])
        with warnings.catch_warnings():
            # the rhythm's warnings (a record without P waves ...) are not what is measured
            warnings.simplefilter("ignore", UserWarning)
            result["mains"] = run_mains()
        title = "Hum added to the DS1 excerpts: labels agreeing with those without it "
        title += f"(notch from {MAINS_NOTCH_MV:g} mV as shipped)"
        print_table(title, result["mains"])
    if "spikes" in args.sections:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            result["spikes"] = run_spikes()
        print_table("Spikes added to the DS1 excerpts (20 in 3 minutes each)", result["spikes"])
    result["seconds"] = round(time.perf_counter() - started, 1)
    write_json(args.out, result)
    print(f"\n{result['seconds']} s; wrote {args.out}")


if __name__ == "__main__":
    main()
