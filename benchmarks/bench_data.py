"""Build the MIT-BIH beat dataset: cold, then from the cache.

Builds labelled beat windows for all 48 records (both leads, 0.25 s + 0.45 s around each
reference R position, AAMI labels, RR features) with an empty cache folder, then again from
that cache. Each build runs in its own process so its peak resident memory is its own. Prints
a table and writes JSON.

    python benchmarks/bench_data.py --data-dir ../shared/data/mitdb
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import default_data_dir, environment, write_json

from ecgkit.data import MITBIH, BeatConfig, build_beats


def _build(data_dir: str, cache_dir: str, leads: tuple[str, ...] | None) -> dict[str, Any]:
    start = time.perf_counter()
    beats = build_beats(MITBIH(Path(data_dir)), config=BeatConfig(leads=leads), cache_dir=cache_dir)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "beats": len(beats),
        "beats_per_s": len(beats) / seconds,
        "from_cache": all(beats.report.from_cache),
        "windows_mb": beats.windows.nbytes / 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "class_counts": beats.class_counts(),
        "dropped": beats.report.totals(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--leads", nargs="*", default=None, help="lead names (default: all)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "data.json")
    args = parser.parse_args()
    leads = tuple(args.leads) if args.leads else None
    context = mp.get_context("spawn")
    rows = {}
    with tempfile.TemporaryDirectory() as cache, context.Pool(1, maxtasksperchild=1) as pool:
        for phase in ("cold", "cached"):
            rows[phase] = pool.apply(_build, (str(args.data_dir), cache, leads))
    speedup = rows["cold"]["seconds"] / rows["cached"]["seconds"]
    print(f"{'build':8} {'seconds':>8} {'beats':>8} {'beats/s':>10} {'peak RSS MB':>12}")
    for phase, row in rows.items():
        print(
            f"{phase:8} {row['seconds']:8.2f} {row['beats']:8d} {row['beats_per_s']:10.0f} "
            f"{row['peak_rss_mb']:12.0f}"
        )
    print(f"cache speed-up: {speedup:.1f}x (cold / cached, same run)")
    cold = rows["cold"]
    print(f"windows: {cold['windows_mb']:.0f} MB float32; classes {cold['class_counts']}")
    write_json(
        args.out,
        {"environment": environment(), "leads": leads, "builds": rows, "cache_speedup": speedup},
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
