"""R-peak detection under stress: where each detector loses beats or finds false ones.

Every method is measured in the same run on the same inputs: ecgkit
(``detect_r_peaks(..., method="ecgkit")``, with its 60 ms refinement), neurokit2's
``neurokit`` and ``pantompkins1985`` (through ``detect_r_peaks``, on their own placement)
and sleepecg's ``detect_heartbeats`` when ``import sleepecg`` works. Each row is scored
with ``ecgkit.signal.match_peaks`` (EC57 one-to-one matching; 150 ms unless said): Se, +P
and F1 (%) and the median absolute placement error (ms) of the matched peaks. A method
that raises on an input counts as finding no peaks there, and the error is listed in the
JSON. MIT-BIH rows use lead 0 (MLII, but V5 on 102 and 104) and every annotation in
``BEAT_SYMBOLS`` as reference (ventricular flutter waves ``!`` included), nothing
excluded. The subset is records 100, 105, 114, 119, 203, 208, 215, 228 and 233.

Rows, by group:

1. gain: the subset with the second half of each record multiplied by 0.1, 0.25 and 4
   (a lead moved mid-record); scored on the whole record. A ``clean`` row (no step) on the
   same records is the baseline.
2. vt: each ventricular tachycardia episode (rhythm annotation ``(VT`` to the next rhythm
   annotation, found in all 48 records) cut out with 5 s of context on both sides
   (episodes whose context overlaps are merged into one segment), detected and scored
   inside the cut segment.
3. strips: 20 seeded 10-s strips from each of the 44 non-paced records, each starting
   0-0.2 s before a reference beat (the strip's first beat), scored at 75 ms.
4. spikes: the subset with a triangular spike of 10-50 mV (random sign) and 1-20 ms base
   width added at a random place in every 10 s block (seeded); spikes are not beats.
5. inverted: the subset's lead multiplied by -1.
6. resampled: all 48 records resampled (``ecgkit.signal.resample``, polyphase) to 64,
   128, 200 and 250 Hz, the reference mapped with ``resample_indices``.
7. paced: records 102, 104, 107 and 217.
8. nst: records 118 and 119 with ``_noise.py``'s ``mix`` noise (bw + ma + em + pl) at
   24, 12, 6 and 0 dB in the Noise Stress Test's alternating 2-minute blocks from minute 5
   on, scored from minute 5, as ``bench_rpeaks.py`` does.
9. joined: all 48 records one after another as one 24-hour signal (31.2 million samples,
   one pass, each record's gain and rhythm as recorded), beside the same records detected
   one by one (``each record alone``); the joined row shows what a detector that
   normalises over the whole recording loses when its amplitude changes from patient to
   patient.
10. ludb: each of LUDB's 12 leads alone in all 200 records (500 Hz, 10 s), against that
   lead's own QRS marks (``N``), scored inside the lead's annotated span (from its first
   to its last annotation; a detection outside may match but never counts as false), at
   150 and 75 ms; ``all`` pools the 12 leads. ``fused``: ecgkit given all 12 leads at
   once (``detect_r_peaks(leads, fs, reference_lead=<lead II>)``, one fused detection
   placed on lead II) against lead II's QRS marks in lead II's span; the single-lead
   peers get lead II alone there (their ``fused`` score is their ``ii`` score). LUDB
   marks the R wave of each lead (its positive peak, also in aVR and V1-V3 where the S
   is larger), so ecgkit places its LUDB beats with ``fiducial="r_wave"``; MIT-BIH's
   rows keep the default, the largest deflection, where MIT-BIH places its beats.

For each row it prints F1 per method (and for LUDB the median error), ecgkit's Se and +P,
the best method and whether ecgkit's F1 is the best or within 0.2 points of it; then the
total detection time per method and its ratio to ecgkit's. Writes results/stress.json.

    python benchmarks/bench_stress.py --data-dir ../shared/data/mitdb

``--quick`` runs a few records, strips and LUDB records (for development) and writes JSON
only where ``--out`` says; ``--groups`` runs only the groups named.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from _common import (
    MITDB_RECORDS,
    default_data_dir,
    environment,
    ludb_records,
    sleepecg_version,
    write_json,
)
from _noise import add_nst_noise
from _stress import (
    LUDB_LEADS,
    Case,
    Tally,
    add_spikes,
    gain_step,
    ludb_case,
    ludb_fused_case,
    ludb_leads,
    ludb_paced,
    mitdb_lead,
    resampled,
    seed_of,
    strips,
    vt_episodes,
    with_context,
)

from ecgkit.signal import detect_r_peaks

NEUROKIT = ("neurokit", "pantompkins1985")
SUBSET = ("100", "105", "114", "119", "203", "208", "215", "228", "233")
PACED = ("102", "104", "107", "217")
GAINS = (0.1, 0.25, 4.0)
RATES_HZ = (64.0, 128.0, 200.0, 250.0)
SNRS_DB = (24, 12, 6, 0)
NST_RECORDS = ("118", "119")
NST_START_S = 300.0
STRIPS_PER_RECORD = 20
TOLERANCE_S = 0.15
STRIP_TOLERANCE_S = 0.075
LUDB_TOLERANCES_S = (0.15, 0.075)
NEAR_BEST = 0.2
WORST_CASES = 10
GROUPS = (
    "gain", "vt", "strips", "spikes", "inverted", "resampled", "paced", "nst", "joined", "ludb",
)  # fmt: skip
SHORT = {"pantompkins1985": "pantompkins"}
GROUP_TITLES = {
    "gain": "second half of each subset record scaled (F1 %, 150 ms)",
    "vt": "VT episodes with 5 s of context, all records (F1 %, 150 ms)",
    "strips": "10-s strips starting 0-0.2 s before a beat, 44 non-paced records (F1 %, 75 ms)",
    "spikes": "10-50 mV, 1-20 ms spikes every ~10 s in the subset (F1 %, 150 ms)",
    "inverted": "subset lead multiplied by -1 (F1 %, 150 ms)",
    "resampled": "all records resampled (F1 %, 150 ms)",
    "paced": "records 102, 104, 107, 217 (F1 %, 150 ms)",
    "nst": "records 118, 119 with NST-style mix noise, scored from minute 5 (F1 %, 150 ms)",
    "joined": "all records one by one, and joined into one signal, 24 h for all 48 (F1 %, 150 ms)",
    "ludb": (
        "each lead alone against its own QRS marks; all: every lead; paced: every lead of"
        " the 10 paced records; fused: ecgkit on all 12 leads, the peers on lead II,"
        " against lead II's marks (F1 %, median |error| ms)"
    ),
}


def detect(case: Case, method: str) -> tuple[np.ndarray, float, str | None]:
    """Run one method; returns (peaks, seconds, error text or None when it ran).

    ecgkit gets every lead of a case that has them (``case.leads``), the others ``case.x``.
    """
    x, fs = case.x, case.fs
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method == "sleepecg":
                import sleepecg

                found = sleepecg.detect_heartbeats(np.ascontiguousarray(x, dtype=np.float64), fs)
            elif method == "ecgkit" and case.leads is not None:
                found = detect_r_peaks(
                    case.leads, fs, refine_window_s=0.06, reference_lead=case.lead,
                    fiducial=case.fiducial,
                )  # fmt: skip
            elif method == "ecgkit":
                found = detect_r_peaks(x, fs, refine_window_s=0.06, fiducial=case.fiducial)
            else:
                found = detect_r_peaks(x, fs, method=method, refine_window_s=0.0)
        peaks, error = np.asarray(found, dtype=np.int64), None
    except Exception as caught:  # a failing method finds no peaks here; noted in the JSON
        peaks, error = np.zeros(0, dtype=np.int64), f"{type(caught).__name__}: {caught}"
    return peaks, time.perf_counter() - start, error


@dataclass
class Row:
    """One stress condition: its tolerance and every method's tally over its cases."""

    name: str
    methods: tuple[str, ...]
    tolerance_s: float = TOLERANCE_S
    tallies: dict[str, Tally] = field(init=False)
    per_case: list[tuple[str, dict[str, tuple[int, int, int]]]] = field(default_factory=list)
    seconds: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        self.tallies = {m: Tally() for m in self.methods}
        self.seconds = dict.fromkeys(self.methods, 0.0)

    def result(self) -> dict[str, Any]:
        """The row's scores per method, the best F1, whether ecgkit is near it, worst cases."""
        methods = {m: {**t.summary(), "seconds": self.seconds[m]} for m, t in self.tallies.items()}
        top = max(r["f1"] for r in methods.values())
        best = [m for m, r in methods.items() if r["f1"] >= top - 1e-9]
        worst = {
            m: sorted(
                ([name, *counts[m]] for name, counts in self.per_case if sum(counts[m][1:])),
                key=lambda c: -(c[2] + c[3]),
            )[:WORST_CASES]
            for m in self.methods
        }
        return {
            "name": self.name,
            "tolerance_ms": 1000 * self.tolerance_s,
            "cases": len(self.per_case),
            "methods": methods,
            "best": best,
            "ecgkit_ok": methods["ecgkit"]["f1"] >= top - NEAR_BEST,
            "worst_cases": worst,
        }


@dataclass
class Suite:
    """The methods under test, their total detection time, and every failure to run."""

    methods: tuple[str, ...]
    seconds: dict[str, float] = field(init=False)
    failures: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.seconds = dict.fromkeys(self.methods, 0.0)

    def rows(self, *names: str, tolerance_s: float = TOLERANCE_S) -> list[Row]:
        return [Row(name, self.methods, tolerance_s) for name in names]

    def measure(self, case: Case, rows: Iterable[Row], group: str) -> None:
        """Detect once per method on ``case`` and score it into each of ``rows``."""
        rows = list(rows)
        counts: list[dict[str, tuple[int, int, int]]] = [{} for _ in rows]
        for method in self.methods:
            peaks, seconds, error = detect(case, method)
            self.seconds[method] += seconds
            if error is not None:
                where = {"group": group, "case": case.name, "method": method, "error": error}
                self.failures.append(where)
            for row, row_counts in zip(rows, counts, strict=True):
                row.seconds[method] += seconds
                row_counts[method] = row.tallies[method].add(peaks, case, row.tolerance_s)
        for row, row_counts in zip(rows, counts, strict=True):
            row.per_case.append((case.name, row_counts))


def run_gain(suite: Suite, data_dir: Path, records: list[str]) -> list[Row]:
    rows = suite.rows("clean", *(f"gain x{g:g}" for g in GAINS))
    for record in records:
        x, fs, reference = mitdb_lead(data_dir, record)
        suite.measure(Case(record, x, fs, reference), rows[:1], "gain")
        for row, gain in zip(rows[1:], GAINS, strict=True):
            suite.measure(Case(record, gain_step(x, gain), fs, reference), [row], "gain")
    return rows


def run_vt(suite: Suite, data_dir: Path, records: list[str]) -> list[Row]:
    (row,) = suite.rows("VT episodes +-5 s")
    for record in records:
        x, fs, reference = mitdb_lead(data_dir, record)
        for lo, hi in with_context(vt_episodes(data_dir, record), x.size, fs):
            inside = reference[(reference >= lo) & (reference < hi)] - lo
            suite.measure(Case(f"{record}@{lo}", x[lo:hi], fs, inside), [row], "vt")
    return rows_with_cases([row])


def rows_with_cases(rows: list[Row]) -> list[Row]:
    """The rows that scored at least one case (a quick run may find no VT)."""
    return [row for row in rows if row.per_case]


def run_strips(suite: Suite, data_dir: Path, records: list[str], n_strips: int) -> list[Row]:
    rows = suite.rows("10-s strips", tolerance_s=STRIP_TOLERANCE_S)
    for record in records:
        for case in strips(data_dir, record, n_strips):
            suite.measure(case, rows, "strips")
    return rows


def run_spikes(suite: Suite, data_dir: Path, records: list[str]) -> list[Row]:
    rows = suite.rows("spikes 10-50 mV")
    for record in records:
        x, fs, reference = mitdb_lead(data_dir, record)
        spiked, _ = add_spikes(x, fs, seed_of(record, "spikes"))
        suite.measure(Case(record, spiked, fs, reference), rows, "spikes")
    return rows


def run_inverted(suite: Suite, data_dir: Path, records: list[str]) -> list[Row]:
    rows = suite.rows("inverted")
    for record in records:
        x, fs, reference = mitdb_lead(data_dir, record)
        suite.measure(Case(record, -x, fs, reference), rows, "inverted")
    return rows


def run_resampled(suite: Suite, data_dir: Path, records: list[str]) -> list[Row]:
    rows = suite.rows(*(f"{rate:g} Hz" for rate in RATES_HZ))
    for record in records:
        x, fs, reference = mitdb_lead(data_dir, record)
        for row, rate in zip(rows, RATES_HZ, strict=True):
            case = resampled(x, fs, reference, rate)
            named = Case(record, case.x, case.fs, case.reference)
            suite.measure(named, [row], "resampled")
    return rows


def run_paced(suite: Suite, data_dir: Path, records: list[str]) -> list[Row]:
    rows = suite.rows("paced")
    for record in records:
        x, fs, reference = mitdb_lead(data_dir, record)
        suite.measure(Case(record, x, fs, reference), rows, "paced")
    return rows


def run_nst(suite: Suite, data_dir: Path, records: list[str]) -> list[Row]:
    rows = suite.rows(*(f"mix {snr} dB" for snr in SNRS_DB))
    for record in records:
        x, fs, reference = mitdb_lead(data_dir, record)
        span = (round(NST_START_S * fs), x.size)
        for row, snr in zip(rows, SNRS_DB, strict=True):
            noisy = add_nst_noise(x, fs, reference, "mix", snr, record)
            suite.measure(Case(record, noisy, fs, reference, span), [row], "nst")
    return rows


def run_joined(suite: Suite, data_dir: Path, records: list[str]) -> list[Row]:
    alone, joined = suite.rows("each record alone", "joined into one")
    parts, references, offset, fs = [], [], 0, 0.0
    for record in records:
        x, fs, reference = mitdb_lead(data_dir, record)
        suite.measure(Case(record, x, fs, reference), [alone], "joined")
        parts.append(x)
        references.append(reference + offset)
        offset += x.size
    name = f"{len(records)} records, {offset / fs / 3600:.1f} h"
    suite.measure(
        Case(name, np.concatenate(parts), fs, np.concatenate(references)), [joined], "joined"
    )
    return [alone, joined]


def run_ludb(suite: Suite, ludb_dir: Path, limit: int | None) -> list[Row]:
    rows = {
        (lead, tol): Row(f"{lead} @{1000 * tol:g} ms", suite.methods, tol)
        for lead in (*LUDB_LEADS, "all", "paced", "fused")
        for tol in LUDB_TOLERANCES_S
    }
    paced = ludb_paced(ludb_dir)
    for header in ludb_records(ludb_dir)[:limit]:
        signal, fs, names = ludb_leads(header)
        # each lead counts in its own row, in "all" and, for a paced record, in "paced"
        counted_in = ("all", "paced") if header.stem in paced else ("all",)
        for lead in LUDB_LEADS:
            case = ludb_case(header, lead, signal[names.index(lead)], fs) if lead in names else None
            if case is not None:
                row_names = (lead, *counted_in)
                targets = [rows[(name, tol)] for name in row_names for tol in LUDB_TOLERANCES_S]
                suite.measure(case, targets, "ludb")
        fused = ludb_fused_case(header, signal, fs, names)
        if fused is not None:
            suite.measure(fused, [rows[("fused", tol)] for tol in LUDB_TOLERANCES_S], "ludb")
    return list(rows.values())


def fmt(value: float | None, width: int, digits: int = 2) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def print_group(title: str, rows: list[dict[str, Any]], methods: tuple[str, ...]) -> None:
    with_error = title.startswith("ludb")
    width = 18 if with_error else 11
    head = "".join(f" {SHORT.get(m, m)[:width]:>{width}}" for m in methods)
    print(f"\n== {title}: {GROUP_TITLES[title]}")
    print(f"{'row':<18}{head} | {'ecgkit Se':>9} {'+P':>6} | ok  best")
    if with_error:
        sub = "".join(f" {'F1':>9} {'err ms':>8}" for _ in methods)
        print(f"{'':<18}{sub} |")
    print("-" * (18 + len(head) + 40))
    for row in rows:
        cells = []
        for m in methods:
            r = row["methods"][m]
            extra = " " + fmt(r["median_error_ms"], 8, 1) if with_error else ""
            cells.append(f" {fmt(r['f1'], 9 if with_error else width)}{extra}")
        ek = row["methods"]["ecgkit"]
        best = ",".join(SHORT.get(b, b)[:11] for b in row["best"])
        print(
            f"{row['name']:<18}{''.join(cells)} | {ek['se']:9.2f} {ek['ppv']:6.2f} | "
            f"{'yes' if row['ecgkit_ok'] else 'NO ':<3} {best}"
        )


def print_times(suite: Suite) -> None:
    print("\ntotal detection time per method:")
    base = suite.seconds["ecgkit"]
    for method, seconds in suite.seconds.items():
        print(f"  {method:>16}: {seconds:8.2f} s  ({seconds / base:5.2f} x ecgkit)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--ludb-dir", type=Path, default=None, help="default: DATA_DIR/../ludb")
    parser.add_argument("--quick", action="store_true", help="few records and strips")
    parser.add_argument("--groups", nargs="*", choices=GROUPS, default=list(GROUPS))
    parser.add_argument(
        "--out", type=Path, default=None, help="default: results/stress.json (none with --quick)"
    )
    args = parser.parse_args()
    if not (args.data_dir / "100.hea").is_file():
        parser.error(f"--data-dir {args.data_dir} holds no MIT-BIH records (100.hea)")
    ludb_dir = args.ludb_dir or args.data_dir.parent / "ludb"
    out = args.out or (None if args.quick else Path(__file__).parent / "results" / "stress.json")
    version = sleepecg_version()
    methods = ("ecgkit", *NEUROKIT, *(("sleepecg",) if version else ()))
    suite = Suite(methods)
    quick = args.quick
    subset = ["105", "203"] if quick else list(SUBSET)
    every = ["203", "207"] if quick else list(MITDB_RECORDS)
    non_paced = ["100", "203", "208"] if quick else [r for r in every if r not in PACED]
    runs = {
        "gain": lambda: run_gain(suite, args.data_dir, subset),
        "vt": lambda: run_vt(suite, args.data_dir, every),
        "strips": lambda: run_strips(suite, args.data_dir, non_paced, 5 if quick else 20),
        "spikes": lambda: run_spikes(suite, args.data_dir, subset),
        "inverted": lambda: run_inverted(suite, args.data_dir, subset),
        "resampled": lambda: run_resampled(suite, args.data_dir, subset if quick else every),
        "paced": lambda: run_paced(suite, args.data_dir, PACED[:1] if quick else list(PACED)),
        "nst": lambda: run_nst(
            suite, args.data_dir, list(NST_RECORDS[:1] if quick else NST_RECORDS)
        ),
        "joined": lambda: run_joined(suite, args.data_dir, every),
        "ludb": lambda: run_ludb(suite, ludb_dir, 10 if quick else None),
    }
    if "ludb" in args.groups and not (ludb_dir / "data").is_dir():
        print(f"no LUDB at {ludb_dir}; skipping the ludb group")
        args.groups.remove("ludb")
    started = time.perf_counter()
    groups: dict[str, list[dict[str, Any]]] = {}
    for group in (g for g in GROUPS if g in args.groups):
        groups[group] = [row.result() for row in runs[group]()]
        print_group(group, groups[group], methods)
    wall = time.perf_counter() - started
    print_times(suite)
    print(f"wall time {wall:.1f} s; methods that raised: {len(suite.failures)} time(s)")
    payload: dict[str, Any] = {
        "environment": {**environment(), "sleepecg": version},
        "methods": list(methods),
        "quick": quick,
        "wall_seconds": wall,
        "seconds": suite.seconds,
        "seconds_ratio_to_ecgkit": {
            m: s / suite.seconds["ecgkit"] for m, s in suite.seconds.items()
        },
        "failures": suite.failures,
        "groups": groups,
    }
    if out is not None:
        write_json(out, payload)
        print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
