"""The shipped model on recordings that differ from its training data the way users' do.

1. ``noise``: the 22 DS1 records of MIT-BIH (lead MLII, the reference R peaks) with bursts
   of white noise (3 mV SD, 8 s) every 20 s or every 40 s, annotated as ``ecgkit
   annotate`` does: the beats in AF episodes against the reference AF and flutter
   episodes (beats flagged noise left out), and the episodes ``summary.json`` lists
   (those under 30 s apart). MIT-BIH end to end holds almost no beat flagged noise, so
   the rhythm's handling of noise (``ecgkit.signal.af_runs``) is measured here.
2. ``bursts``: the same records with shorter bursts (2, 4 and 6 s of 3 mV SD every 20 s;
   2 s of 1 and 0.3 mV SD): of the beats inside a burst, how many are flagged noise, how
   many are "less reliable" (``BeatAnnotations.less_reliable``), and how many take
   another label than without the noise, with no flag and not less reliable (the silent
   changes), and of those how many become S or V.
3. ``tremor``: the same with 8-s bursts of a 5-Hz sinusoid (0.1, 0.2, 0.5 mV) every 20 s,
   a tremor's artefact (Parkinsonian tremor, 4-6 Hz): smooth, so the noise ratio, a
   slope, hardly sees it.
4. ``lead``: the 22 DS2 records, each lead alone as a one-lead recording named as in its
   header (MLII, and the second lead: V1 in 18 records, V2 and V5 in 2 each), at the
   reference R peaks: per-class Se / +P against the reference labels, and the share of
   each record's beats labelled alike on both leads.
5. ``rate``: the 22 DS2 records (MLII) from the first to the last reference R peak, as
   they are and with every RR interval times 0.75 and 0.5 (a sinus rhythm of 75 bpm at
   100 and 150 bpm; :func:`ecgkit.signal.rescale_rhythm` shortens the diastole, and in
   a second rebuild the ST-T too, by Fridericia's cube root), annotated at the moved
   reference R peaks:
   per-class Se / +P against the reference labels, the labels that differ from those
   at the record's own rate (and of them the silent ones: not less reliable), and the
   beats at a heart rate of ``RATE_RELIABLE_BPM`` or more (``BeatAnnotations.fast``)
   with the share of them, and of the others, labelled as the reference labels them.

Prints tables and writes JSON (results/recording_conditions.json).

    python benchmarks/bench_recording_conditions.py --data-dir ../shared/data/mitdb
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from _common import default_data_dir, environment, mitdb_rhythm, write_json
from bench_annotate import ClassScore, print_rows, reference_of
from scipy.signal import butter, sosfiltfilt

from ecgkit.annotate import BeatAnnotations, Predictor
from ecgkit.data import DS1_RECORDS, DS2_RECORDS, read_signal
from ecgkit.data.records import Record
from ecgkit.signal import FRIDERICIA_EXPONENT, RATE_RELIABLE_BPM, rescale_rhythm, rescaled_peaks

#: (seconds from one burst's start to the next, seconds of each burst); (0, 0) is none.
NOISE_BURSTS = ((0.0, 0.0), (20.0, 8.0), (40.0, 8.0))
NOISE_SD_MV = 3.0
#: (kind, seconds, mV) of the shorter bursts, one every 20 s: white noise of that SD, or a
#: tremor of that amplitude (a sinusoid at TREMOR_HZ, as a Parkinsonian tremor's artefact).
SHORT_BURSTS = (
    ("white", 2.0, NOISE_SD_MV),
    ("white", 4.0, NOISE_SD_MV),
    ("white", 6.0, NOISE_SD_MV),
    ("white", 2.0, 1.0),
    ("white", 2.0, 0.3),
)
TREMOR_HZ = 5.0
#: Band of the "band" kind's smooth noise, in Hz (a tremor's or a shiver's range).
BAND_HZ = (3.0, 12.0)
TREMOR_BURSTS = (("tremor", 8.0, 0.1), ("tremor", 8.0, 0.2), ("tremor", 8.0, 0.5))


def with_bursts(
    signal: np.ndarray,
    fs: float,
    every_s: float,
    burst_s: float,
    seed: int,
    level_mv: float = NOISE_SD_MV,
    kind: str = "white",
) -> np.ndarray:
    """``signal`` (n, 1) with a burst added for ``burst_s`` every ``every_s``.

    ``kind`` "white": white noise of ``level_mv`` SD; "tremor": a sinusoid of ``level_mv``
    amplitude at TREMOR_HZ (random phase per burst); "band": Gaussian noise band-passed to
    BAND_HZ (4th-order Butterworth, forwards and backwards) scaled to ``level_mv`` SD, a
    smooth interference without one frequency.
    """
    noisy = np.array(signal, dtype=np.float64)
    if every_s <= 0:
        return noisy
    rng = np.random.default_rng(seed)
    length = int(burst_s * fs)
    band = butter(4, BAND_HZ, btype="bandpass", fs=fs, output="sos")
    for start_s in np.arange(every_s, noisy.shape[0] / fs - burst_s, every_s):
        start = int(start_s * fs)
        if kind == "tremor":
            phase = 2 * np.pi * (TREMOR_HZ * np.arange(length) / fs + rng.uniform())
            noisy[start : start + length, 0] += level_mv * np.sin(phase)
        elif kind == "band":
            smooth = sosfiltfilt(band, rng.normal(size=length))
            noisy[start : start + length, 0] += level_mv * smooth / smooth.std()
        else:
            noisy[start : start + length, 0] += rng.normal(0, level_mv, length)
    return noisy


def inside_bursts(time_s: np.ndarray, duration_s: float, burst_s: float) -> np.ndarray:
    """Which beats (at ``time_s``) lie inside :func:`with_bursts`'s bursts, one every 20 s."""
    inside = (time_s >= 20.0) & (time_s % 20.0 < burst_s)
    return inside & (time_s < duration_s - burst_s)


BURST_COUNTS = ("beats", "noise", "less_reliable", "changed", "silently_changed", "to_s_or_v")


def burst_row(
    clean: BeatAnnotations, noisy: BeatAnnotations, inside: np.ndarray, s_or_v: list[int]
) -> dict[str, int]:
    """BURST_COUNTS of the beats ``inside`` the bursts: flagged noise, less reliable, with
    another label than ``clean``'s, with another and no flag and not less reliable (the
    silent changes), and of those the ones that became S or V (classes ``s_or_v``)."""
    less = noisy.less_reliable
    changed = inside & (noisy.label != clean.label)
    silent = changed & (noisy.flag == "") & ~less
    return {
        "beats": int(inside.sum()),
        "noise": int((inside & (noisy.flag == "noise")).sum()),
        "less_reliable": int((inside & less).sum()),
        "changed": int(changed.sum()),
        "silently_changed": int(silent.sum()),
        "to_s_or_v": int((silent & np.isin(noisy.label, s_or_v)).sum()),
    }


def noise_part(predictor: Predictor, data_dir: Path) -> dict[str, Any]:
    totals = {f"{every:g}/{burst:g}": dict.fromkeys(
        ("tp", "fp", "fn", "noise_beats", "episodes", "under_30_s"), 0
    ) for every, burst in NOISE_BURSTS}  # fmt: skip
    records: dict[str, Any] = {}
    for record_id in DS1_RECORDS:
        record = read_signal(data_dir / f"{record_id}.hea", leads=["MLII"])
        reference, _ = reference_of(data_dir, record_id)
        in_af = mitdb_rhythm(data_dir, record_id)[1]
        for every, burst in NOISE_BURSTS:
            if every <= 0:  # no noise: the annotation the other parts compare with
                beats = clean_annotations(predictor, record, reference)
            else:
                signal = with_bursts(record.signal, record.fs, every, burst, int(record_id))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    beats = predictor.annotate(
                        Record(signal, record.fs, record.lead_names, record_id), peaks=reference
                    )
            noise = beats.flag == "noise"
            episode = beats.af_episode
            listed = beats.summary()["af_episodes_s"]
            row = {
                "tp": int((episode & in_af & ~noise).sum()),
                "fp": int((episode & ~in_af & ~noise).sum()),
                "fn": int((~episode & in_af & ~noise).sum()),
                "noise_beats": int(noise.sum()),
                "episodes": len(listed),
                "under_30_s": sum(end - start < 30 for start, end in listed),
            }
            key = f"{every:g}/{burst:g}"
            records.setdefault(record_id, {})[key] = row
            for name, value in row.items():
                totals[key][name] += value
        print(f"  {record_id} done", flush=True)
    print("\nDS1, bursts of 3 mV noise (every s / seconds each), beats in AF episodes:")
    print(
        f"{'bursts':>8} {'TP':>6} {'FP':>6} {'FN':>6} {'noise beats':>12} {'episodes':>9} "
        f"{'<30 s':>6}"
    )
    for key, row in totals.items():
        print(
            f"{key:>8} {row['tp']:6d} {row['fp']:6d} {row['fn']:6d} {row['noise_beats']:12d} "
            f"{row['episodes']:9d} {row['under_30_s']:6d}"
        )
    return {"totals": totals, "records": records}


_CLEAN: dict[str, BeatAnnotations] = {}


def clean_annotations(
    predictor: Predictor, record: Record, reference: np.ndarray
) -> BeatAnnotations:
    """The record annotated without noise at ``reference``, once for all the parts."""
    if record.record_id not in _CLEAN:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _CLEAN[record.record_id] = predictor.annotate(record, peaks=reference)
    return _CLEAN[record.record_id]


def bursts_part(
    predictor: Predictor, data_dir: Path, cases: tuple[tuple[str, float, float], ...]
) -> dict[str, Any]:
    totals = {
        f"{kind} {burst:g} s {mv:g} mV": dict.fromkeys(BURST_COUNTS, 0) for kind, burst, mv in cases
    }
    s_or_v = [predictor.recipe.classes.index(name) for name in ("S", "V")]
    for record_id in DS1_RECORDS:
        record = read_signal(data_dir / f"{record_id}.hea", leads=["MLII"])
        reference, _ = reference_of(data_dir, record_id)
        clean = clean_annotations(predictor, record, reference)
        time_s = reference / record.fs
        for kind, burst, mv in cases:
            signal = with_bursts(record.signal, record.fs, 20.0, burst, int(record_id), mv, kind)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                noisy = predictor.annotate(
                    Record(signal, record.fs, record.lead_names, record_id), peaks=reference
                )
            inside = inside_bursts(time_s, record.n_samples / record.fs, burst)
            row = totals[f"{kind} {burst:g} s {mv:g} mV"]
            for name, value in burst_row(clean, noisy, inside, s_or_v).items():
                row[name] += value
        print(f"  {record_id} done", flush=True)
    print("\nDS1, a burst every 20 s, the beats inside the bursts:")
    print(f"{'burst':>18} " + " ".join(f"{name:>16}" for name in BURST_COUNTS))
    for key, row in totals.items():
        print(f"{key:>18} " + " ".join(f"{row[name]:16d}" for name in BURST_COUNTS))
    return totals


def lead_part(predictor: Predictor, data_dir: Path) -> dict[str, Any]:
    scores = {"MLII": ClassScore(), "second lead": ClassScore()}
    alike: dict[str, float] = {}
    for record_id in DS2_RECORDS:
        record = read_signal(data_dir / f"{record_id}.hea")
        reference, labels = reference_of(data_dir, record_id)
        found = []
        for channel, name in enumerate(record.lead_names):
            one = Record(record.signal[:, channel : channel + 1], record.fs, (name,), record_id)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                beats = predictor.annotate(one, peaks=reference)
            scores["MLII" if name == "MLII" else "second lead"].add(
                beats, reference, labels, record.fs
            )
            found.append(beats.label)
        alike[record_id] = float(np.mean(found[0] == found[1]))
        print(f"  {record_id} {record.lead_names}: {alike[record_id]:.3f} alike", flush=True)
    print("\nDS2 at the reference R peaks, one lead at a time, Se / +P in %:")
    print_rows(scores)
    values = np.array(list(alike.values()))
    print(
        f"labels alike on both leads: median {np.median(values):.3f}, "
        f"range {values.min():.3f}-{values.max():.3f}"
    )
    return {"scores": {k: s.summary() for k, s in scores.items()}, "alike": alike}


#: RR intervals scaled by these factors in the ``rate`` part (1: the rebuilt record itself).
RATE_SCALES = (1.0, 0.75, 0.5)


def rate_cases() -> dict[str, tuple[float, float]]:
    """The ``rate`` part's rebuilds by name: (RR scale, QT exponent of
    :func:`ecgkit.signal.rescale_rhythm`)."""
    cases = {"RR x 1": (1.0, 0.0)}
    for scale in RATE_SCALES[1:]:
        cases[f"RR x {scale:g}, QT kept"] = (scale, 0.0)
        cases[f"RR x {scale:g}, QT shortened"] = (scale, FRIDERICIA_EXPONENT)
    return cases


#: Columns of the rate part's count of fast beats (``rate_part``).
FAST_COLUMNS = ("fast", "fast_right", "others", "others_right")


def rate_part(predictor: Predictor, data_dir: Path) -> dict[str, Any]:
    cases = rate_cases()
    scores = {name: ClassScore() for name in cases}
    changed = dict.fromkeys(scores, 0)
    silent = dict.fromkeys(scores, 0)
    # per scale: fast beats, of them right, other beats, of them right (reference-labelled)
    fast = {name: np.zeros(4, dtype=np.int64) for name in scores}
    for record_id in DS2_RECORDS:
        record = read_signal(data_dir / f"{record_id}.hea", leads=["MLII"])
        reference, labels = reference_of(data_dir, record_id)
        first = None
        for name, (scale, qt_exponent) in cases.items():
            signal = rescale_rhythm(
                record.signal, record.fs, reference, scale, qt_exponent=qt_exponent, axis=0
            )
            peaks = rescaled_peaks(reference, scale)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                beats = predictor.annotate(
                    Record(signal, record.fs, record.lead_names, record_id), peaks=peaks
                )
            scores[name].add(beats, peaks, labels, record.fs)
            first = beats.label if first is None else first
            differs = beats.label != first
            changed[name] += int(differs.sum())
            silent[name] += int((differs & ~beats.less_reliable).sum())
            assert np.array_equal(beats.sample, peaks)  # one beat per reference peak
            scored = (labels >= 0) & (beats.label >= 0)
            right = beats.label == labels
            for column, part in ((0, beats.fast & scored), (2, ~beats.fast & scored)):
                fast[name][column : column + 2] += [int(part.sum()), int((part & right).sum())]
        print(f"  {record_id} done", flush=True)
    print("\nDS2 (MLII), RR intervals scaled from the reference R peaks, Se / +P (%):")
    print_rows(scores)
    print(
        "labels other than at the record's own rate (of them silent, not less reliable): "
        + ", ".join(f"{name} {changed[name]} ({silent[name]})" for name in scores)
    )
    print(f"beats at {RATE_RELIABLE_BPM:g} bpm or more (fast) and the others, labelled right:")
    for name, (n_fast, right_fast, n_other, right_other) in fast.items():
        print(
            f"  {name}: fast {n_fast} ({100 * right_fast / max(n_fast, 1):.1f} % right), "
            f"others {n_other} ({100 * right_other / max(n_other, 1):.1f} % right)"
        )
    return {
        "scores": {k: s.summary() for k, s in scores.items()},
        "changed": changed,
        "silently_changed": silent,
        "fast_beats": {
            name: dict(zip(FAST_COLUMNS, counts.tolist(), strict=True))
            for name, counts in fast.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--model", default="beat_rr_cnn.mitdb_ds1")
    parser.add_argument(
        "--parts",
        nargs="*",
        default=["noise", "bursts", "tremor", "lead", "rate"],
        choices=["noise", "bursts", "tremor", "lead", "rate"],
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "recording_conditions.json"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    predictor = Predictor.load(args.model)
    results: dict[str, Any] = {"environment": environment(), "model": args.model}
    if "noise" in args.parts:
        results["noise"] = noise_part(predictor, args.data_dir)
    if "bursts" in args.parts:
        results["bursts"] = bursts_part(predictor, args.data_dir, SHORT_BURSTS)
    if "tremor" in args.parts:
        results["tremor"] = bursts_part(predictor, args.data_dir, TREMOR_BURSTS)
    if "lead" in args.parts:
        results["lead"] = lead_part(predictor, args.data_dir)
    if "rate" in args.parts:
        results["rate"] = rate_part(predictor, args.data_dir)
    results["seconds"] = time.perf_counter() - start
    write_json(args.out, results)
    print(f"wrote {args.out} ({results['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
