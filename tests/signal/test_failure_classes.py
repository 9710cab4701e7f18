"""The R-peak detector on the failure classes seen on databases it was not tuned on.

Ventricular tachycardia and recordings that start mid-beat come from the bundled MIT-BIH
excerpt (real ECG); small normal beats beside large ectopic ones are synthetic, so that
the amplitude ratio is known.
"""

from __future__ import annotations

import numpy as np
import pytest

from ecgkit.data import BEAT_SYMBOLS, EXAMPLE_RECORDS, load_example
from ecgkit.signal import detect_r_peaks, match_peaks

FS = 360.0
PACED = ("102", "104", "107", "217")


def test_ventricular_tachycardia_runs_keep_their_beats():
    # every (VT episode of the bundled excerpt with 5 s on either side: a gate on the local
    # noise floor once rejected almost every wide beat of a run (2 of 25 found)
    tp = fp = fn = 0
    for record_id in ("106", "200", "203", "205", "207", "215", "233"):
        record, annotations = load_example(record_id)
        x = record.signal[:, 0]
        beats = annotations.select(BEAT_SYMBOLS).sample
        rhythm = annotations.sample[np.char.startswith(annotations.aux_note.astype(str), "(")]
        for start in annotations.sample[annotations.aux_note == "(VT"]:
            later = rhythm[rhythm > start]
            stop = int(later[0]) if later.size else x.size
            lo, hi = max(int(start - 5 * FS), 0), min(int(stop + 5 * FS), x.size)
            reference = beats[(beats >= lo) & (beats < hi)] - lo
            match = match_peaks(detect_r_peaks(x[lo:hi], FS), reference, FS)
            tp, fp, fn = tp + match.tp, fp + match.fp, fn + match.fn
    assert tp + fn >= 200
    assert tp / (tp + fn) >= 0.85  # 0.90 measured; 207's ventricular flutter keeps the rest
    assert tp / (tp + fp) >= 0.97


def test_strips_cut_in_the_middle_of_a_qrs_find_their_first_whole_beat():
    # 10-s strips starting 10-40 ms after an R peak: the start-up once hid the first beats
    rng = np.random.default_rng(0)
    tp = fp = fn = first_missed = strips = 0
    for record_id in EXAMPLE_RECORDS:
        if record_id in PACED:
            continue
        record, annotations = load_example(record_id)
        x = record.signal[:, 0]
        beats = annotations.select(BEAT_SYMBOLS).sample
        for k in rng.choice(np.arange(5, beats.size - 40), 2, replace=False):
            start = int(beats[k] + rng.uniform(0.01, 0.04) * FS)
            stop = start + int(10 * FS)
            edge = int(0.25 * FS)
            reference = beats[(beats >= start + edge) & (beats < stop - edge)] - start
            found = detect_r_peaks(x[start:stop], FS)
            found = found[(found >= edge - 0.075 * FS) & (found < stop - start - edge + 0.075 * FS)]
            match = match_peaks(found, reference, FS, tolerance_s=0.075)
            tp, fp, fn = tp + match.tp, fp + match.fp, fn + match.fn
            strips += 1
            first_missed += not np.any(np.abs(found - reference[0]) <= 0.075 * FS)
    assert strips == 2 * (len(EXAMPLE_RECORDS) - len(PACED))
    assert tp / (tp + fn) >= 0.97
    assert tp / (tp + fp) >= 0.98
    assert first_missed <= 0.05 * strips


def bigeminy(ectopic_to_normal: float) -> tuple[np.ndarray, np.ndarray]:
    """Small narrow normal beats (0.25 mV) each followed by a wide ectopic beat."""
    rng = np.random.default_rng(0)
    t = np.arange(round(20 * FS)) / FS
    x = 0.01 * rng.normal(size=t.size)
    normal = np.arange(0.6, 19.0, 1.6)

    def wave(at: np.ndarray, height: float, width: float) -> np.ndarray:
        return height * np.exp(-0.5 * ((t[:, None] - at[None, :]) / width) ** 2).sum(axis=1)

    big = 0.25 * ectopic_to_normal
    x += wave(normal, 0.25, 0.01) + wave(normal + 0.28, 0.08, 0.05)
    x += wave(normal + 0.6, big, 0.035) - wave(normal + 0.67, 0.6 * big, 0.04)
    return x, np.round(normal * FS).astype(np.int64)


def test_small_normal_beats_beside_ectopic_beats_twice_their_size_are_found():
    x, normal = bigeminy(2.0)
    match = match_peaks(detect_r_peaks(x, FS), normal, FS, tolerance_s=0.075)
    assert match.fn == 0


@pytest.mark.xfail(
    strict=True,
    reason="known limit (issue 11, class 2): the threshold follows the large beats; a "
    "recovery by recurrence found these but also 108's P and 231's blocked P waves",
)
def test_small_normal_beats_beside_ectopic_beats_four_times_their_size_are_found():
    x, normal = bigeminy(4.0)
    match = match_peaks(detect_r_peaks(x, FS), normal, FS, tolerance_s=0.075)
    assert match.fn == 0
