"""ecgkit.signal.rescale_rhythm: a recording rebuilt at another heart rate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecgkit.signal import (
    FRIDERICIA_EXPONENT,
    RESCALE_KEEP_S,
    RESCALE_QRS_S,
    rescale_rhythm,
    rescaled_peaks,
)

FS = 250.0


def _beats(intervals_s: list[float], fs: float = FS, t_peak_s: float = 0.3) -> tuple:
    """Identical synthetic beats (a narrow QRS, a T wave ``t_peak_s`` after each R peak, a
    P wave 0.16 s before) on a slow baseline wander, and their R peaks."""
    peaks = np.round(np.r_[0.5, 0.5 + np.cumsum(intervals_s)] * fs).astype(np.int64)
    t = np.arange(int(peaks[-1] + 0.5 * fs)) / fs
    x = 0.1 * np.sin(2 * np.pi * 0.2 * t)
    for r in peaks / fs:
        x += 1.0 * np.exp(-(((t - r) / 0.01) ** 2))
        x += 0.3 * np.exp(-(((t - r - t_peak_s) / 0.04) ** 2))
        x += 0.1 * np.exp(-(((t - r + 0.16) / 0.02) ** 2))
    return x, peaks


rhythms = st.lists(st.floats(0.3, 1.6), min_size=1, max_size=12)
scales = st.floats(0.4, 1.6)


@settings(max_examples=60, deadline=None)
@given(rhythms, scales, st.sampled_from([0.0, FRIDERICIA_EXPONENT]))
def test_length_peaks_and_values(intervals: list[float], scale: float, qt: float) -> None:
    x, peaks = _beats(intervals)
    y = rescale_rhythm(x, FS, peaks, scale, qt_exponent=qt)
    moved = rescaled_peaks(peaks, scale)
    assert y.shape == (moved[-1] + 1,)
    assert np.isfinite(y).all()
    assert moved[0] == 0
    assert np.all(np.diff(moved) >= 0)
    # the new intervals are the old times scale, to a sample, with no drift
    assert np.all(np.abs(moved - (peaks - peaks[0]) * scale) <= 0.5)
    # every R peak keeps its value where its interval holds both kept parts
    whole = np.diff(moved) >= round(sum(RESCALE_KEEP_S) * FS)
    starts = moved[:-1][whole]
    assert np.array_equal(y[starts], x[peaks[:-1][whole]])
    assert y[-1] == x[peaks[-1]]


@settings(max_examples=40, deadline=None)
@given(rhythms, scales, st.floats(0.1, 10.0), st.floats(-5.0, 5.0))
def test_affine_in_the_signal(intervals: list[float], scale: float, a: float, b: float) -> None:
    # interpolation, fades and the baseline (a median) all follow a gain and an offset
    x, peaks = _beats(intervals)
    y = rescale_rhythm(x, FS, peaks, scale, qt_exponent=FRIDERICIA_EXPONENT)
    z = rescale_rhythm(a * x + b, FS, peaks, scale, qt_exponent=FRIDERICIA_EXPONENT)
    np.testing.assert_allclose(z, a * y + b, rtol=1e-9, atol=1e-9 * (1 + abs(b)))


def test_scale_one_is_the_recording_between_its_first_and_last_peak() -> None:
    x, peaks = _beats([0.8, 0.62, 1.1, 0.35, 0.9])
    y = rescale_rhythm(x, FS, peaks, 1.0, qt_exponent=FRIDERICIA_EXPONENT)
    assert np.array_equal(y, x[peaks[0] : peaks[-1] + 1])


def test_leads_are_rebuilt_alike_along_any_axis() -> None:
    x, peaks = _beats([0.8, 0.6, 0.9, 0.4])
    leads = np.stack([x, -2.0 * x + 0.3, np.roll(x, 7)], axis=1)  # (n, 3)
    together = rescale_rhythm(leads, FS, peaks, 0.7, axis=0)
    transposed = rescale_rhythm(leads.T, FS, peaks, 0.7)
    assert np.array_equal(together, transposed.T)
    for k in range(3):
        assert np.array_equal(together[:, k], rescale_rhythm(leads[:, k], FS, peaks, 0.7))


def test_a_faster_rhythm_keeps_the_qrs_and_the_p_wave() -> None:
    x, peaks = _beats([1.0] * 6)
    y = rescale_rhythm(x, FS, peaks, 0.75)  # 60 -> 80 bpm: 0.75 s, both parts whole
    moved = rescaled_peaks(peaks, 0.75)
    before, after = round(RESCALE_KEEP_S[1] * FS), round(RESCALE_QRS_S * FS)
    for old, new in zip(peaks[1:-1], moved[1:-1], strict=True):
        assert np.array_equal(y[new - before : new + after], x[old - before : old + after])


def test_the_qt_follows_fridericia_when_asked() -> None:
    x, peaks = _beats([1.0] * 6, t_peak_s=0.3)
    moved = rescaled_peaks(peaks, 0.5)
    for exponent, t_peak in ((0.0, 0.3), (FRIDERICIA_EXPONENT, 0.1 + 0.2 * 0.5 ** (1 / 3))):
        y = rescale_rhythm(x, FS, peaks, 0.5, qt_exponent=exponent)
        start = int(moved[2]) + round(RESCALE_QRS_S * FS)
        found = start + int(np.argmax(y[start : int(moved[3]) - 20]))
        assert abs((found - moved[2]) / FS - t_peak) <= 1.5 / FS


def test_overlapping_parts_add_on_the_baseline_not_twice() -> None:
    # a flat recording with an offset stays flat however much the parts overlap
    x = np.full(2000, 0.7)
    peaks = np.arange(100, 1900, 200)
    y = rescale_rhythm(x, FS, peaks, 0.3)
    np.testing.assert_allclose(y, 0.7, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"r_peaks": [100]}, ValueError, "at least 2 R peaks"),
        ({"r_peaks": [100, 50]}, ValueError, "strictly increasing"),
        ({"r_peaks": [100, 5000]}, ValueError, "r_peaks"),
        ({"scale": 0.0}, ValueError, "scale"),
        ({"scale": float("nan")}, ValueError, "scale"),
        ({"scale": True}, TypeError, "scale"),
        ({"qt_exponent": -0.1}, ValueError, "qt_exponent"),
        ({"fs": 0.0}, ValueError, "fs"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, error: type, match: str) -> None:
    arguments = {"x": np.zeros(1000), "fs": FS, "r_peaks": [100, 300, 500], "scale": 0.8}
    with pytest.raises(error, match=match):
        rescale_rhythm(**(arguments | kwargs))


def test_bad_signals_are_named() -> None:
    with pytest.raises(ValueError, match="NaN"):
        rescale_rhythm(np.r_[np.zeros(500), np.nan], FS, [10, 200], 0.8)
    with pytest.raises(TypeError, match="x must be a real numeric array"):
        rescale_rhythm(np.zeros(500, dtype=bool), FS, [10, 200], 0.8)
    with pytest.raises(ValueError, match="scale"):
        rescaled_peaks([10, 200], -1.0)
