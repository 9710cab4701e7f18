"""Atrial fibrillation detection (ecgkit.signal.detect_af) on MIT-BIH and LUDB.

1. MIT-BIH Arrhythmia, all 48 records, reference R peaks: beat-level Se / +P for AF
   (the ``(AFIB`` and ``(AFL`` rhythm episodes of 201, 202, 203, 210, 217, 219, 221, 222)
   and episode-level Se / +P (an episode counts as found when a detected one overlaps it,
   and a detected one as right when it overlaps a reference one), for DS1 (where the
   thresholds were chosen), DS2 and all records, in three modes: intervals alone,
   intervals with the ventricular beats left out, and intervals plus P-wave evidence.
   A fourth mode scores intervals plus P-wave evidence with AF runs of any length kept
   (``--gated-run``, default the annotate recipe's shortest gated run,
   ``ecgkit.experiment.DEFAULT_RHYTHM_MIN_EPISODE_S``: the AF the classifier's rhythm gate
   acts on), where the other modes drop runs under the clinical 30 s. For intervals plus
   P-wave evidence, the false AF beats by the rhythm annotated there and the missed ones
   by record (in the JSON per record).
2. LUDB (10-s 12-lead strips, lead II, reference QRS marks): records called AF (more than
   half of their beats in AF, no minimum episode length) against the diagnosis.
3. Low sampling rates (``--rates``, default 62.5, 50 and 40 Hz): 1 (intervals plus P-wave
   evidence only) and 2, with each lead resampled (``ecgkit.signal.resample``) and the
   reference R peaks mapped to the rate (``resample_indices``).

    python benchmarks/bench_af.py --data-dir ../shared/data/mitdb
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from _common import (
    AF_RHYTHMS,
    default_data_dir,
    environment,
    ludb_group,
    ludb_records,
    ludb_rhythm,
    mitdb_rhythm_labels,
    write_json,
)

from ecgkit.data import BEAT_SYMBOLS, DS1_RECORDS, DS2_RECORDS, read_annotations, read_signal
from ecgkit.experiment import DEFAULT_RHYTHM_MIN_EPISODE_S
from ecgkit.signal import AF_MIN_EPISODE_S, AFDetection, detect_af, resample, resample_indices
from ecgkit.signal.atrial import true_runs

VENTRICULAR = ("V", "E", "F")

#: Published RR-only detectors scored on the same database (beat level, all 48 records):
#: Zhou et al. 2014 (BioMed. Eng. OnLine 13:18, symbolic dynamics and Shannon entropy) and
#: Zhou et al. 2015 (PLoS ONE 10:e0136544), both with thresholds set on other databases.
PUBLISHED = {"Zhou 2014 (RR only)": (97.33, 55.29), "Zhou 2015 (RR only)": (97.83, 47.67)}

MODES = {
    "intervals": {"signal": False, "exclude": False},
    "intervals, V left out": {"signal": False, "exclude": True},
    "intervals + P waves": {"signal": True, "exclude": True},
}
#: The mode the annotate path's rhythm gate uses, scored with its shortest gated run.
GATED_MODE = "intervals + P waves"


def gated_mode_name(run_s: float) -> str:
    """The row name of :data:`GATED_MODE` with AF runs from ``run_s`` seconds kept."""
    return f"{GATED_MODE}, runs >= {run_s:g} s"


def mitdb_reference(data_dir: Path, record: str) -> dict[str, Any]:
    samples, rhythm = mitdb_rhythm_labels(data_dir, record)
    annotations = read_annotations(data_dir / record)
    beats = np.isin(annotations.symbol, sorted(BEAT_SYMBOLS))
    return {
        "samples": samples,
        "ventricular": np.isin(annotations.symbol[beats], VENTRICULAR),
        "in_af": np.isin(rhythm, AF_RHYTHMS),
        "rhythm": rhythm,
    }


def overlaps(a: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(a[0] <= b[1] and b[0] <= a[1] for b in others)


def score(rows: list[dict[str, Any]]) -> dict[str, float]:
    tp = sum(r["tp"] for r in rows)
    fp = sum(r["fp"] for r in rows)
    fn = sum(r["fn"] for r in rows)
    found = sum(r["episodes_found"] for r in rows)
    reference = sum(r["episodes"] for r in rows)
    right = sum(r["detected_right"] for r in rows)
    detected = sum(r["detected"] for r in rows)
    return {
        "beat_se": 100 * tp / max(tp + fn, 1),
        "beat_ppv": 100 * tp / max(tp + fp, 1),
        "episode_se": 100 * found / max(reference, 1),
        "episode_ppv": 100 * right / max(detected, 1),
        "fp_beats": fp,
        "fn_beats": fn,
    }


def record_row(result: AFDetection, truth: np.ndarray, rhythm: np.ndarray) -> dict[str, Any]:
    """One record's counts; ``rhythm`` is the rhythm annotated at each reference beat."""
    reference = [(int(a), int(b)) for a, b in true_runs(truth)]
    detected = [(int(a), int(b)) for a, b in result.episodes]
    false, missed = result.in_af & ~truth, ~result.in_af & truth
    return {
        "tp": int((result.in_af & truth).sum()),
        "fp": int(false.sum()),
        "fn": int(missed.sum()),
        # the annotated rhythm of each false and each missed AF beat: the failure classes
        "fp_by_rhythm": dict(Counter(rhythm[false].tolist()).most_common()),
        "fn_by_rhythm": dict(Counter(rhythm[missed].tolist()).most_common()),
        "episodes": len(reference),
        "episodes_found": sum(overlaps(e, detected) for e in reference),
        "detected": len(detected),
        "detected_right": sum(overlaps(e, reference) for e in detected),
    }


def at_rate(
    signal: np.ndarray, peaks: np.ndarray, fs: float, rate: float | None
) -> tuple[np.ndarray, np.ndarray, float]:
    """``signal`` resampled to ``rate`` and ``peaks`` mapped to it; unchanged for None."""
    if rate is None or rate == fs:
        return signal, peaks, fs
    moved = resample(signal, fs, rate)
    return moved, resample_indices(peaks, fs, rate, moved.size), rate


def run_mitdb(
    data_dir: Path,
    rate: float | None = None,
    modes: tuple[str, ...] = tuple(MODES),
    gated_run_s: float | None = None,
) -> dict[str, Any]:
    """Every record scored in ``modes`` (AF runs under 30 s dropped) and, with
    ``gated_run_s``, in :data:`GATED_MODE` with runs from that many seconds kept."""
    # each row: whether the ECG and the ventricular beats are given, and the shortest run
    settings = {mode: (MODES[mode], AF_MIN_EPISODE_S) for mode in modes}
    if gated_run_s is not None:
        settings[gated_mode_name(gated_run_s)] = (MODES[GATED_MODE], gated_run_s)
    rows: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in settings}
    records = sorted((*DS1_RECORDS, *DS2_RECORDS, *sorted(extra_records(data_dir))))
    for record in records:
        reference = mitdb_reference(data_dir, record)
        signal, peaks, fs = at_rate(
            read_signal(data_dir / f"{record}.hea").signal[:, 0], reference["samples"], 360.0, rate
        )
        for name, (options, min_episode_s) in settings.items():
            result = detect_af(
                peaks,
                fs,
                signal=signal if options["signal"] else None,
                exclude=reference["ventricular"] if options["exclude"] else None,
                min_episode_s=min_episode_s,
            )
            rows[name][record] = record_row(result, reference["in_af"], reference["rhythm"])
    groups = {"DS1": DS1_RECORDS, "DS2": DS2_RECORDS, "all": records}
    out: dict[str, Any] = {}
    for mode, by_record in rows.items():
        out[mode] = {g: score([by_record[r] for r in rs]) for g, rs in groups.items()}
        out[mode]["per_record"] = by_record
    return out


def print_failure_classes(per_record: dict[str, dict[str, Any]]) -> None:
    """False AF beats by the rhythm annotated there, missed ones by record, all 48."""
    false: Counter[str] = Counter()
    for row in per_record.values():
        false.update(row["fp_by_rhythm"])
    missed = sorted(((row["fn"], record) for record, row in per_record.items()), reverse=True)
    print(f"\n{GATED_MODE}, all: false AF beats by annotated rhythm: ", end="")
    print(", ".join(f"{rhythm} {n}" for rhythm, n in false.most_common()))
    print(f"{GATED_MODE}, all: missed AF beats by record: ", end="")
    print(", ".join(f"{record} {n}" for n, record in missed if n))


def extra_records(data_dir: Path) -> set[str]:
    """The four paced records, in neither DS1 nor DS2 (217 has AF)."""
    every = {p.stem for p in data_dir.glob("*.hea")}
    return every - set(DS1_RECORDS) - set(DS2_RECORDS)


def run_ludb(ludb_dir: Path, rate: float | None = None) -> dict[str, Any]:
    calls: dict[str, list[bool]] = {}
    for header in ludb_records(ludb_dir):
        rhythm = ludb_rhythm(header)
        record = read_signal(header, leads=["ii"])
        marks = read_annotations(header.with_suffix(""), extension="ii")
        if (marks.symbol == "N").sum() < 3:
            continue
        signal, peaks, fs = at_rate(
            record.signal[:, 0], marks.sample[marks.symbol == "N"], record.fs, rate
        )
        result = detect_af(peaks, fs, signal=signal, min_episode_s=0.0)
        calls.setdefault(rhythm, []).append(bool(result.in_af.mean() > 0.5))
    return {
        rhythm: {"records": len(called), "called_af": int(sum(called))}
        for rhythm, called in sorted(calls.items())
    }


def run_low_rates(data_dir: Path, ludb_dir: Path, rates: list[float]) -> dict[str, Any]:
    """Intervals plus P waves with every lead at each of ``rates`` (Hz)."""
    out: dict[str, Any] = {}
    for rate in rates:
        mitdb = run_mitdb(data_dir, rate, ("intervals + P waves",))["intervals + P waves"]
        mitdb.pop("per_record")
        found: dict[str, Any] = {"mitdb": mitdb}
        if (ludb_dir / "data").is_dir():
            found["ludb"] = run_ludb(ludb_dir, rate)
        out[f"{rate:g}"] = found
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--ludb-dir", type=Path, default=default_data_dir().parent / "ludb")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/af.json"))
    parser.add_argument("--rates", type=float, nargs="*", default=[62.5, 50.0, 40.0])
    parser.add_argument(
        "--gated-run",
        type=float,
        default=DEFAULT_RHYTHM_MIN_EPISODE_S,
        help="shortest AF run (s) of the fourth mode (default: the annotate recipe's)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    results: dict[str, Any] = {"environment": environment()}
    results["mitdb"] = run_mitdb(args.data_dir, gated_run_s=args.gated_run)
    header = f"{'beats Se':>9} {'+P':>6} {'episodes Se':>12} {'+P':>6}"
    print(f"{'MIT-BIH, reference R peaks':44} {header}")
    for mode, groups in results["mitdb"].items():
        for group in ("DS1", "DS2", "all"):
            s = groups[group]
            print(
                f"{mode + ', ' + group:44} {s['beat_se']:9.1f} {s['beat_ppv']:6.1f}"
                f" {s['episode_se']:12.1f} {s['episode_ppv']:6.1f}"
            )
    for name, (se, ppv) in PUBLISHED.items():
        print(f"{name + ', all':44} {se:9.1f} {ppv:6.1f}")
    print_failure_classes(results["mitdb"][GATED_MODE]["per_record"])
    if (args.ludb_dir / "data").is_dir():
        results["ludb"] = run_ludb(args.ludb_dir)
        print("\nLUDB lead II, records called AF (over half their beats):")
        for rhythm, counts in results["ludb"].items():
            print(f"  {rhythm:40} {counts['called_af']:3d} of {counts['records']:3d}")
    if args.rates:
        results["low_rates"] = low = run_low_rates(args.data_dir, args.ludb_dir, args.rates)
        print("\nlow rates, intervals + P waves: MIT-BIH beats Se / +P; LUDB records called AF")
        for rate, found in low.items():
            mit = "  ".join(
                f"{g} {found['mitdb'][g]['beat_se']:5.1f} / {found['mitdb'][g]['beat_ppv']:5.1f}"
                for g in ("DS1", "DS2", "all")
            )
            called = {"af": [0, 0], "sinus": [0, 0]}
            for rhythm, counts in found.get("ludb", {}).items():
                group = ludb_group(rhythm)
                if group is not None:
                    called[group][0] += counts["called_af"]
                    called[group][1] += counts["records"]
            ludb = ", ".join(f"{g} {n} of {total}" for g, (n, total) in called.items())
            print(f"  {rate:>5} Hz: {mit};  LUDB called AF: {ludb}")
    results["seconds"] = time.perf_counter() - started
    write_json(args.out, results)
    print(f"\nwrote {args.out} in {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
