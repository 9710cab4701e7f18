"""The optional numba kernels give what the numpy path gives, to the bit and to the beat."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal as sps

from ecgkit.data import EXAMPLE_RECORDS, load_example
from ecgkit.signal import detect_r_peaks
from ecgkit.signal._compiled import compiled, filtfilt_pairs
from ecgkit.signal._feature import qrs_slope_energy, qrs_sos
from ecgkit.signal._maxima import largest_magnitude, peaks_apart
from ecgkit.signal._median import window_medians
from ecgkit.signal._r_wave import refine_sos
from ecgkit.signal.filters import apply_sos, butter_sos

pytest.importorskip("numba", reason="the kernels are the fast extra's")


def with_numba(flag: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECGKIT_NUMBA", "1" if flag else "0")
    assert compiled() is flag


def on_both_paths(function, *args):
    """``function(*args)`` without numba, then with it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        with_numba(False, monkeypatch)
        interpreted = function(*args)
        with_numba(True, monkeypatch)
        return interpreted, function(*args)


def test_ecgkit_numba_0_turns_the_kernels_off(monkeypatch):
    with_numba(False, monkeypatch)
    with_numba(True, monkeypatch)


def test_without_numba_installed_the_detector_runs_on_numpy(monkeypatch):
    import ecgkit.signal._compiled as kernels

    record, _ = load_example("100")
    expected = detect_r_peaks(record.signal[:, 0], record.fs)
    monkeypatch.setattr(kernels, "_numba_installed", lambda: False)
    monkeypatch.setenv("ECGKIT_NUMBA", "1")
    assert not compiled()
    assert np.array_equal(detect_r_peaks(record.signal[:, 0], record.fs), expected)


@settings(max_examples=25, deadline=None)
@given(
    fs=st.sampled_from([128.0, 250.0, 360.0, 500.0, 1000.0]),
    n=st.integers(40, 3000),
    n_leads=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_paired_filters_equal_scipys_sosfiltfilt_to_the_bit(fs, n, n_leads, seed):
    rng = np.random.default_rng(seed)
    leads = rng.normal(size=(n_leads, n)).cumsum(axis=-1) + 5 * rng.normal()
    jobs = [(qrs_sos(fs), lead) for lead in leads] + [(refine_sos(fs), leads[0])]
    for y, (sos, x) in zip(filtfilt_pairs(jobs), jobs, strict=True):
        assert np.array_equal(y, sps.sosfiltfilt(sos, x))


@settings(max_examples=25, deadline=None)
@given(
    shape=st.sampled_from([(700,), (3, 700), (700, 2), (2, 700, 3), (20, 200), (12, 500)]),
    low_hz=st.sampled_from([0.5, 3.0, None]),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**16),
)
def test_every_filter_gives_scipys_values_to_the_bit(shape, low_hz, dtype, seed):
    # apply_sos runs a two-section filter (a band-pass) compiled along the longest axis, a
    # lone line or several, and hands one section (a low-pass) or many lines to scipy
    axis = int(np.argmax(shape))
    x = np.random.default_rng(seed).normal(size=shape).cumsum(axis=axis).astype(dtype)
    sos = butter_sos(250.0, low_hz=low_hz, high_hz=40.0)
    expected = sps.sosfiltfilt(sos, x.astype(np.float64), axis=axis).astype(dtype)
    filtered = apply_sos(x, sos, axis=axis)
    assert filtered.dtype == dtype
    assert np.array_equal(filtered, expected)


def test_a_lone_filter_runs_compiled(monkeypatch):
    import ecgkit.signal._compiled as kernels

    def refuse(*args, **kwargs):
        raise AssertionError("scipy ran a filter the kernel takes")

    x = np.random.default_rng(1).normal(size=2000)
    expected = sps.sosfiltfilt(qrs_sos(360.0), x)
    monkeypatch.setattr(kernels.sps, "sosfiltfilt", refuse)
    (alone,) = filtfilt_pairs([(qrs_sos(360.0), x)])
    assert np.array_equal(alone, expected)
    assert np.array_equal(apply_sos(x, qrs_sos(360.0)), expected)


def test_filters_of_other_orders_fall_back_to_scipy():
    x = np.random.default_rng(0).normal(size=500)
    fourth = sps.butter(4, (3.0, 25.0), btype="bandpass", fs=360.0, output="sos")
    jobs = [(fourth, x), (qrs_sos(360.0), x)]
    for y, (sos, signal) in zip(filtfilt_pairs(jobs), jobs, strict=True):
        assert np.array_equal(y, sps.sosfiltfilt(sos, signal))


def both_paths(*args, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """detect_r_peaks(*args, **kwargs) without the kernels, then with them."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        with_numba(False, monkeypatch)
        interpreted = detect_r_peaks(*args, **kwargs)
        with_numba(True, monkeypatch)
        return interpreted, detect_r_peaks(*args, **kwargs)


@pytest.mark.parametrize("record_id", EXAMPLE_RECORDS[:6])
def test_the_same_beats_on_real_records_with_and_without_numba(record_id):
    record, _ = load_example(record_id)
    fs = record.fs
    for kwargs in ({}, {"fiducial": "r_wave"}, {"refine_window_s": 0.0}):
        interpreted, fast = both_paths(record.signal, fs, axis=0, **kwargs)
        assert interpreted.size > 100
        assert np.array_equal(interpreted, fast)
    interpreted, fast = both_paths(record.signal[::4, 0], fs / 4)
    assert np.array_equal(interpreted, fast)


@settings(max_examples=20, deadline=None)
@given(
    fs=st.sampled_from([128.0, 250.0, 360.0]),
    rate_bpm=st.floats(40.0, 220.0),
    spikes=st.integers(0, 3),
    gain_step=st.sampled_from([1.0, 0.1, 4.0]),
    seed=st.integers(0, 2**16),
)
def test_the_same_beats_on_stressed_signals_with_and_without_numba(
    fs, rate_bpm, spikes, gain_step, seed
):
    # beats of a random rhythm, in noise, with spikes and a gain step: the threshold loop's
    # search-back, T-wave and refractory branches all run
    rng = np.random.default_rng(seed)
    n = int(20 * fs)
    x = 0.05 * rng.normal(size=n)
    t = np.arange(n) / fs
    beat_times = np.cumsum(rng.uniform(0.6, 1.4, size=60) * 60 / rate_bpm)
    for at in beat_times[beat_times < 19.8]:
        x += rng.uniform(0.3, 1.5) * np.exp(-0.5 * ((t - at) / 0.012) ** 2)
    for at in rng.integers(0, n, size=spikes):
        x[at] += rng.uniform(10, 50)
    x[n // 2 :] *= gain_step
    interpreted, fast = both_paths(x, fs)
    assert np.array_equal(interpreted, fast)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 2000),
    width=st.integers(1, 300),
    n_rows=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_slope_energy_equals_numpys_to_the_bit(n, width, n_rows, seed):
    rng = np.random.default_rng(seed)
    filtered = rng.normal(size=(n_rows, n)).cumsum(axis=-1)
    interpreted, kernel = on_both_paths(qrs_slope_energy, filtered, width)
    assert np.array_equal(kernel, interpreted)


def compiled_peaks(x: np.ndarray, distance: int) -> np.ndarray:
    with pytest.MonkeyPatch.context() as monkeypatch:
        with_numba(True, monkeypatch)
        return peaks_apart(x, distance)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 3000),
    distance=st.integers(1, 200),
    levels=st.sampled_from([0, 3, 20]),
    smooth=st.integers(1, 30),
    seed=st.integers(0, 2**16),
)
def test_peaks_apart_equals_scipys_find_peaks(n, distance, levels, smooth, seed):
    # levels > 0 rounds the signal to a few values: plateaus and equal heights within the
    # distance, where scipy's own order decides and the kernel must hand over to it
    rng = np.random.default_rng(seed)
    x = np.convolve(rng.normal(size=n + smooth), np.ones(smooth) / smooth, mode="valid")[:n]
    if levels:
        x = np.round(x * levels) / levels
    expected, _ = sps.find_peaks(x, distance=distance)
    found = compiled_peaks(x, distance)
    assert found.dtype == np.int64
    assert np.array_equal(found, expected)


@pytest.mark.parametrize(
    "x",
    [
        np.zeros(50),  # one long plateau: no maximum
        np.tile([0.0, 1.0, 1.0, 0.0], 30),  # plateaus of two, a maximum each
        np.tile([0.0, 1.0], 40),  # equal heights two apart: scipy's order decides
        np.arange(400.0) + np.tile([0.0, 3.0], 200),  # maxima rising within the distance
        np.array([1.0, 2.0]),
        np.array([]),
    ],
)
def test_peaks_apart_on_plateaus_ties_and_ramps(x):
    for distance in (1, 3, 50):
        assert np.array_equal(compiled_peaks(x, distance), sps.find_peaks(x, distance=distance)[0])


def test_the_feature_of_a_real_record_is_decided_without_scipy(monkeypatch):
    # the compiled path must not hand every real signal over to scipy: it is the speed-up
    import ecgkit.signal._maxima as maxima

    record, _ = load_example("100")
    feature = np.abs(np.gradient(sps.sosfiltfilt(qrs_sos(record.fs), record.signal[:, 0])))
    expected, _ = sps.find_peaks(feature, distance=72)

    def refuse(*args, **kwargs):
        raise AssertionError("scipy was asked")

    monkeypatch.setattr(maxima.sps, "find_peaks", refuse)
    assert np.array_equal(compiled_peaks(feature, 72), expected)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 700),
    half=st.integers(0, 200),
    ties=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_window_medians_are_numpys_medians_on_both_paths(n, half, ties, seed):
    # the detector's 5-minute QRS levels: a sorted window slid along the 2-s block maxima
    # must give numpy's median of each truncated window, to the bit, or beats move
    rng = np.random.default_rng(seed)
    values = rng.lognormal(sigma=2.0, size=n)
    if ties:
        values = np.round(values)
    expected = np.array([np.median(values[max(i - half, 0) : i + half + 1]) for i in range(n)])
    for found in on_both_paths(window_medians, values, half):
        assert found.dtype == np.float64
        assert np.array_equal(found, expected)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 500),
    n_centres=st.integers(0, 40),
    half=st.integers(0, 60),
    levels=st.sampled_from([0, 2]),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**16),
)
def test_largest_magnitude_is_the_same_on_both_paths(n, n_centres, half, levels, dtype, seed):
    # windows reaching past either end (zeros there) and equal magnitudes (the first wins)
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n).astype(dtype)
    if levels:
        y = np.round(y * levels).astype(dtype)
    centres = np.sort(rng.integers(0, n, size=n_centres)).astype(np.int64)
    interpreted, kernel = on_both_paths(largest_magnitude, y, centres, half)
    assert kernel.dtype == np.int64
    assert np.array_equal(kernel, interpreted)
    for centre, at in zip(centres, kernel, strict=True):
        lo, hi = max(centre - half, 0), min(centre + half, n - 1)
        assert lo <= at <= hi or np.all(y[lo : hi + 1] == 0)
        assert abs(y[at]) == np.abs(y[lo : hi + 1]).max()
