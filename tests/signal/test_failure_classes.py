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


def _gaussians(t, at, height, width):
    return height * np.exp(-0.5 * ((t[:, None] - np.asarray(at)[None, :]) / width) ** 2).sum(axis=1)


def bigeminy(ectopic_to_normal: float) -> tuple[np.ndarray, np.ndarray]:
    """Small narrow normal beats (0.25 mV) each followed by a wide ectopic beat."""
    rng = np.random.default_rng(0)
    t = np.arange(round(20 * FS)) / FS
    x = 0.01 * rng.normal(size=t.size)
    normal = np.arange(0.6, 19.0, 1.6)
    big = 0.25 * ectopic_to_normal
    x += _gaussians(t, normal, 0.25, 0.01) + _gaussians(t, normal + 0.28, 0.08, 0.05)
    x += _gaussians(t, normal + 0.6, big, 0.035) - _gaussians(t, normal + 0.67, 0.6 * big, 0.04)
    return x, np.round(normal * FS).astype(np.int64)


def ectopic_pattern(pattern: str, ectopic_to_normal: float, seconds: float = 30.0):
    """Normal beats (0.25 mV, narrow, with P and T waves) and wide ectopic beats (with a
    large T wave) in a repeating ``pattern`` of "N" and "V": 0.8 s between normal beats,
    0.45 s from a beat to an ectopic one, 0.25 s more after each ectopic beat."""
    times, kinds, now, k = [], [], 0.6, 0
    while now < seconds - 1.0:
        kind = pattern[k % len(pattern)]
        times.append(now)
        kinds.append(kind)
        now += (0.45 if pattern[(k + 1) % len(pattern)] == "V" else 0.8) + 0.25 * (kind == "V")
        k += 1
    t = np.arange(round(seconds * FS)) / FS
    x = 0.01 * np.random.default_rng(0).normal(size=t.size)
    normal = np.array([a for a, kind in zip(times, kinds, strict=True) if kind == "N"])
    ectopic = np.array([a for a, kind in zip(times, kinds, strict=True) if kind == "V"])
    big = 0.25 * ectopic_to_normal
    x += _gaussians(t, normal, 0.25, 0.01) + _gaussians(t, normal + 0.28, 0.08, 0.05)
    x += _gaussians(t, normal - 0.16, 0.05, 0.03)
    x += _gaussians(t, ectopic, big, 0.035) - _gaussians(t, ectopic + 0.07, 0.6 * big, 0.04)
    x += _gaussians(t, ectopic + 0.35, 0.3 * big, 0.07)
    return x, np.round(normal * FS).astype(np.int64), np.round(ectopic * FS).astype(np.int64)


@pytest.mark.parametrize("ectopic_to_normal", [2.0, 3.0, 4.0])
def test_small_normal_beats_beside_ectopic_beats_up_to_four_times_their_size_are_found(
    ectopic_to_normal,
):
    # the threshold follows the large beats: at 3x and more every normal beat of this
    # bigeminy once stayed under it; they recur at the same place of every interval
    x, normal = bigeminy(ectopic_to_normal)
    found = detect_r_peaks(x, FS)
    match = match_peaks(found, normal, FS, tolerance_s=0.075)
    assert match.fn == 0
    assert found.size == 2 * normal.size  # and nothing else


@pytest.mark.parametrize("pattern", ["NV", "NNV", "NNNV"])
@pytest.mark.parametrize("ectopic_to_normal", [3.0, 4.0])
def test_every_normal_beat_of_a_repeating_ectopic_pattern_is_found(pattern, ectopic_to_normal):
    x, normal, ectopic = ectopic_pattern(pattern, ectopic_to_normal)
    found = detect_r_peaks(x, FS)
    everything = np.sort(np.concatenate([normal, ectopic]))
    assert match_peaks(found, everything, FS, tolerance_s=0.075).fp == 0
    # all of them between the second and the second-to-last ectopic beat (nearer the
    # ends of the recording too few intervals may show the pattern)
    inner = normal[(normal > ectopic[1]) & (normal < ectopic[-2])]
    assert inner.size >= 5
    assert match_peaks(found, inner, FS, tolerance_s=0.075).fn == 0


@pytest.mark.xfail(
    strict=True,
    reason="known limit (issue 11, class 2): beside ectopic beats 6 times their amplitude "
    "normal beats fall under the least height that keeps LUDB's long-PR P waves out",
)
def test_small_normal_beats_beside_ectopic_beats_six_times_their_size_are_found():
    x, normal = bigeminy(6.0)
    assert match_peaks(detect_r_peaks(x, FS), normal, FS, tolerance_s=0.075).fn == 0


def _sinus(seconds=30.0, rr=1.0, p_height=0.15, pr=0.2, t_height=0.3, blocked_p=False):
    """Sinus rhythm: narrow 1 mV QRS every ``rr`` s, a P wave ``pr`` s before each, a T
    wave 0.3 s after; ``blocked_p`` adds a non-conducted P wave midway (2:1 AV block)."""
    t = np.arange(round(seconds * FS)) / FS
    beats = np.arange(0.8, seconds - 0.5, rr)
    x = 0.01 * np.random.default_rng(1).normal(size=t.size)
    x += _gaussians(t, beats, 1.0, 0.012) + _gaussians(t, beats + 0.3, t_height, 0.05)
    x += _gaussians(t, beats - pr, p_height, 0.03)
    if blocked_p:
        x += _gaussians(t, beats - pr - rr / 2, p_height, 0.03)
    return x, np.round(beats * FS).astype(np.int64)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"p_height": 0.25, "pr": 0.35},  # first-degree AV block, large P waves
        {"rr": 1.5, "t_height": 0.6},  # slow rhythm, tall T waves
        {"rr": 1.6, "p_height": 0.2, "blocked_p": True},  # 2:1 AV block
    ],
    ids=["long-pr", "slow-tall-t", "blocked-p"],
)
def test_recurring_p_and_t_waves_are_not_taken_for_small_beats(kwargs):
    x, beats = _sinus(**kwargs)
    found = detect_r_peaks(x, FS)
    match = match_peaks(found, beats, FS)
    assert (match.fp, match.fn) == (0, 0)


def _smaller_beat_early(rr: float, small: int, seconds: float = 10.0):
    """Narrow 1 mV beats every ``rr`` s from 0.1 s on, with P and T waves; beat ``small``
    is half as tall (a beat of a different height, as respiration or an ectopic focus
    gives)."""
    t = np.arange(round(seconds * FS)) / FS
    beats = np.arange(0.1, seconds - 0.2, rr)
    height = np.ones(beats.size)
    height[small] = 0.5
    x = 0.01 * np.random.default_rng(0).normal(size=t.size)
    for at, tall in zip(beats, height, strict=True):
        x += _gaussians(t, [at], tall, 0.012)
    x += _gaussians(t, beats + 0.2, 0.25, 0.04) + _gaussians(t, beats - 0.12, 0.1, 0.02)
    return x, np.round(beats * FS).astype(np.int64)


@pytest.mark.parametrize("rr", [0.375, 0.6])
@pytest.mark.parametrize("small", [1, 2, 5])
def test_a_smaller_beat_among_the_first_is_found_as_later_in_the_signal(rr, small):
    # search-back needs the rhythm: the first pass of the adaptive threshold knows it only
    # after two intervals, so a smaller second or third beat was lost (it is found at 5)
    x, beats = _smaller_beat_early(rr, small)
    match = match_peaks(detect_r_peaks(x, FS), beats, FS, tolerance_s=0.075)
    assert (match.fn, match.fp) == (0, 0)


def _with_dropouts(record_id, fill):
    """Reference beats, beats found, beats found with three dropouts, and the dropouts.

    The dropouts: three 10-s stretches of a bundled excerpt (at a fifth, half and four
    fifths) held at ``fill`` mV, as ``(start, stop)`` in samples.
    """
    record, annotations = load_example(record_id)
    x = np.asarray(record.signal[:, 0], dtype=np.float64).copy()
    whole = detect_r_peaks(x, FS)
    dropouts = [(round(f * x.size), round(f * x.size + 10 * FS)) for f in (0.2, 0.5, 0.8)]
    for start, stop in dropouts:
        x[start:stop] = fill
    return annotations.select(BEAT_SYMBOLS).sample, whole, detect_r_peaks(x, FS), dropouts


@pytest.mark.parametrize("fill", [0.0, 1.5])
def test_a_dropout_gives_no_beat_in_it_or_at_its_edges_and_keeps_the_others(fill):
    # three 10-s stretches held at one value (a lead off, a zero-filled dropout, an
    # amplifier at its limit) in each of six bundled excerpts: the steps at their edges
    # once passed for beats (MIT-BIH's 48 records, three dropouts each: 30 at 0 mV and
    # 122 at 1.5 mV within 1 s of an edge, 8 and 65 inside)
    made_up = inside = lost = 0
    for record_id in ("100", "106", "119", "203", "208", "231"):
        beats, whole, peaks, dropouts = _with_dropouts(record_id, fill)
        for start, stop in dropouts:
            inside += int(((peaks >= start) & (peaks < stop)).sum())
            before = (peaks >= start - FS) & (peaks < start)
            near = before | ((peaks >= stop) & (peaks < stop + FS))
            made_up += match_peaks(peaks[near], beats, FS).fp
        away = np.all([(beats < a - FS) | (beats >= b + FS) for a, b in dropouts], axis=0)
        # beats more than 1 s from a dropout missed beyond those missed without it
        lost += match_peaks(peaks, beats[away], FS).fn - match_peaks(whole, beats[away], FS).fn
    assert inside <= 1  # a beat at an edge may be placed a few samples inside
    assert made_up <= 1
    assert lost <= 2


def _beats_after_a_burst(record_id, after_s):
    """Beats found ``after_s`` (start, end) after a burst, and how far the burst moves them.

    The burst: 30 s of 3 mV white noise at 60-90 s. Returns the beats found without it in
    that span and the distance (samples) from each to the nearest beat found with it.
    """
    record, _ = load_example(record_id)
    lead = np.asarray(record.signal[:, 0], dtype=np.float64)
    fs = record.fs
    clean_beats = detect_r_peaks(lead, fs)
    noisy = lead.copy()
    burst = slice(round(60 * fs), round(90 * fs))
    noisy[burst] = np.random.default_rng(7).normal(0.0, 3.0, burst.stop - burst.start)
    found = detect_r_peaks(noisy, fs)
    lo, hi = (90 + t for t in after_s)
    after = clean_beats[(clean_beats >= lo * fs) & (clean_beats < hi * fs)]
    return after, np.abs(found[np.newaxis, :] - after[:, np.newaxis]).min(axis=1)


@pytest.mark.parametrize("record_id", ["106", "203", "228"])
def test_beats_after_a_burst_of_loud_noise_are_found(record_id):
    # the burst's peaks pass for beats and used to lift the threshold's signal level so
    # far that the beats after it stayed under it
    after, distance = _beats_after_a_burst(record_id, (10, 60))
    assert after.size > 40
    assert (distance <= 0.05 * FS).all()


def test_beats_in_the_seconds_after_a_burst_of_loud_noise_are_found():
    # the same burst in each bundled excerpt: the threshold learnt its levels from the
    # burst's candidates, and the noise level took seconds to fall after it (65 of 547
    # beats 1-10 s after it missed when the levels learnt there; 3 now)
    missed = total = 0
    for record_id in EXAMPLE_RECORDS:
        after, distance = _beats_after_a_burst(record_id, (1, 10))
        missed += int((distance > 0.05 * FS).sum())
        total += after.size
    assert total > 500
    assert missed <= 0.01 * total


def test_the_rhythm_does_not_count_an_interval_across_a_dropout():
    # the first interval after a 10-s dropout spans it: in the mean of the last 8
    # intervals it kept search-back off for the next 8 beats, and small beats were lost
    # (207: 3 of the beats 1-10 s after three dropouts in each bundled excerpt)
    lost = total = 0
    for record_id in EXAMPLE_RECORDS:
        beats, whole, peaks, dropouts = _with_dropouts(record_id, 0.0)
        after = np.any([(beats >= b + FS) & (beats < b + 10 * FS) for _, b in dropouts], axis=0)
        lost += match_peaks(peaks, beats[after], FS).fn - match_peaks(whole, beats[after], FS).fn
        total += int(after.sum())
    assert total > 1500
    assert lost <= 0
