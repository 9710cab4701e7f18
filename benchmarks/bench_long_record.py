"""R-peak detection on a 24-hour two-lead record, in bounded memory.

    python benchmarks/bench_long_record.py --data-dir ../shared/data/mitdb

All 48 MIT-BIH records joined into one two-lead record of 24.1 hours (31.2 million samples
a lead), stored as a float32 ``.npy`` and memory-mapped by a child process that imports no
torch, which detects its R peaks with ``detect_r_peaks(..., chunk_s=1800)`` (both leads
fused). Reports wall time and peak RSS against the signal's size (target: at most 2x the
float64 signal), and Se/+P (EC57, 150 ms) against the joined reference beside the same
detector run on each record alone. The annotation of the same record with the pretrained
model is measured by ``bench_annotate.py``. Writes results/long_record.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import build_joined, default_data_dir, environment, write_json

from ecgkit.data import BEAT_SYMBOLS, MITBIH_RECORDS, read_annotations, read_signal
from ecgkit.signal import detect_r_peaks, match_peaks


def child(path: Path, out: Path, chunk_s: float) -> None:
    started = time.perf_counter()
    signal = np.load(path, mmap_mode="r")
    first = detect_r_peaks(signal[:, 0], 360.0, chunk_s=chunk_s)
    seconds_first = time.perf_counter() - started
    fused = detect_r_peaks(signal, 360.0, axis=0, chunk_s=chunk_s)
    seconds = time.perf_counter() - started - seconds_first
    np.save(out / "first.npy", first)
    np.save(out / "fused.npy", fused)
    payload = {
        "seconds_first_lead": seconds_first,
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "n_samples": int(signal.shape[0]),
        "torch_imported": "torch" in sys.modules,
    }
    (out / "child.json").write_text(json.dumps(payload))


def one_by_one(data_dir: Path) -> dict[str, tuple[int, int, int]]:
    counts = {"first": np.zeros(3, int), "fused": np.zeros(3, int)}
    for record in MITBIH_RECORDS:
        signal = read_signal(data_dir / f"{record}.hea").signal
        reference = read_annotations(data_dir / record).select(BEAT_SYMBOLS).sample
        for name, x, axis in (("first", signal[:, 0], -1), ("fused", signal, 0)):
            match = match_peaks(detect_r_peaks(x, 360.0, axis=axis), reference, 360.0)
            counts[name] += (match.tp, match.fp, match.fn)
    return {name: (int(c[0]), int(c[1]), int(c[2])) for name, c in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--chunk-s", type=float, default=1800.0)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "long_record.json"
    )
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.child_out, args.chunk_s)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, reference = build_joined(args.data_dir, folder)
        subprocess.run(
            [sys.executable, __file__, "--child", str(path), "--child-out", tmp,
             "--chunk-s", str(args.chunk_s)],
            check=True, timeout=1800,
        )  # fmt: skip
        result = json.loads((folder / "child.json").read_text())
        joined = {
            name: match_peaks(np.load(folder / f"{name}.npy"), reference, 360.0)
            for name in ("first", "fused")
        }
    alone = one_by_one(args.data_dir)
    signal_mb = result["n_samples"] * 2 * 8 / 2**20
    rows = {}
    for name, label in (("first", "first lead"), ("fused", "both leads fused")):
        m = joined[name]
        rows[f"24 h record, {label}"] = (m.tp, m.fp, m.fn)
        rows[f"each record alone, {label}"] = alone[name]
    print(f"{'':38} {'TP':>8} {'FP':>6} {'FN':>6} {'Se %':>8} {'+P %':>8}")
    scores = {}
    for name, (t, f, n) in rows.items():
        se, ppv = 100 * t / (t + n), 100 * t / (t + f)
        scores[name] = {"tp": t, "fp": f, "fn": n, "se": se, "ppv": ppv}
        print(f"{name:38} {t:>8} {f:>6} {n:>6} {se:>8.3f} {ppv:>8.3f}")
    ratio = result["peak_rss_mb"] / signal_mb
    print(
        f"24.1 h: first lead {result['seconds_first_lead']:.1f} s, both leads "
        f"{result['seconds']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB "
        f"= {ratio:.2f}x the float64 signal ({signal_mb:.0f} MB; target <= 2): "
        f"{'met' if ratio <= 2 else 'NOT met'}; torch imported: {result['torch_imported']}"
    )
    write_json(
        args.out,
        {
            "environment": environment(),
            "chunk_s": args.chunk_s,
            **result,
            "signal_float64_mb": signal_mb,
            "rss_over_signal": ratio,
            "scores": scores,
        },
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
