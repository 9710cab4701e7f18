import statistics

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.signal import RATE_HALF_WINDOW, sustained_rate


@st.composite
def peaks_and_usable(draw):
    """Strictly increasing R-peak samples, 1 to 2000 apart, and a usable flag per interval."""
    size = draw(st.integers(0, 60))
    gaps = draw(
        st.lists(st.integers(1, 2000), min_size=max(size - 1, 0), max_size=max(size - 1, 0))
    )
    peaks = np.cumsum([draw(st.integers(0, 1000)), *gaps], dtype=np.int64)[:size]
    usable = np.array(draw(st.lists(st.booleans(), min_size=len(gaps), max_size=len(gaps))), bool)
    return peaks, usable


def _reference(peaks, fs, usable, half_window):
    """60 over the median usable interval among the beats ``half_window`` either side."""
    out = []
    for i in range(len(peaks)):
        around = [
            (int(peaks[j + 1]) - int(peaks[j])) / fs
            for j in range(max(i - half_window, 0), min(i + half_window, len(peaks) - 1))
            if usable[j]
        ]
        out.append(60 / statistics.median(around) if around else np.nan)
    return np.array(out)


@given(
    case=peaks_and_usable(),
    fs=st.sampled_from([100.0, 250.0, 360.0, 1000.0]),
    half_window=st.integers(1, 6),
)
def test_the_rate_is_60_over_the_median_usable_interval_beside_each_beat(case, fs, half_window):
    peaks, usable = case
    rate = sustained_rate(peaks, fs, usable=usable, half_window=half_window)
    assert rate.shape == peaks.shape
    np.testing.assert_allclose(rate, _reference(peaks, fs, usable, half_window), rtol=1e-12)


@given(case=peaks_and_usable(), fs=st.floats(50.0, 2000.0), k=st.integers(2, 5))
def test_the_rate_is_unchanged_when_peaks_and_fs_scale_together(case, fs, k):
    peaks, usable = case
    np.testing.assert_allclose(
        sustained_rate(peaks * k, fs * k, usable=usable),
        sustained_rate(peaks, fs, usable=usable),
        rtol=1e-12,
    )


@given(case=peaks_and_usable(), fs=st.floats(50.0, 2000.0))
def test_the_rate_lies_between_the_slowest_and_fastest_usable_interval(case, fs):
    peaks, usable = case
    rate = sustained_rate(peaks, fs, usable=usable)
    used = np.diff(peaks)[usable]
    if used.size == 0:
        assert np.isnan(rate).all()
        return
    measured = rate[~np.isnan(rate)]
    assert measured.size > 0
    assert np.all(measured <= 60 * fs / used.min() * (1 + 1e-12))
    assert np.all(measured >= 60 * fs / used.max() * (1 - 1e-12))


def test_a_premature_beat_and_its_pause_leave_the_rate_but_a_run_moves_it():
    fs = 100.0
    premature = np.cumsum([0, 80, 80, 80, 80, 50, 110, 80, 80, 80, 80])
    np.testing.assert_allclose(sustained_rate(premature, fs), 75.0)
    run = np.cumsum([0, *[80] * 6, *[40] * (RATE_HALF_WINDOW + 3), *[80] * 6])
    rate = sustained_rate(run, fs)
    inside = np.arange(6 + 2, 6 + RATE_HALF_WINDOW + 2)
    np.testing.assert_allclose(rate[inside], 150.0)
    np.testing.assert_allclose(rate[:3], 75.0)
    np.testing.assert_allclose(rate[-3:], 75.0)


def test_unusable_intervals_are_left_out_and_a_beat_without_any_has_no_rate():
    peaks = np.array([0, 100, 200, 1000, 1100, 1200])
    usable = np.array([True, True, False, True, True])  # a gap between 200 and 1000
    rate = sustained_rate(peaks, 100.0, usable=usable)
    np.testing.assert_allclose(rate, 60.0)
    alone = sustained_rate([0, 50, 100], 100.0, usable=np.array([False, False]))
    assert np.isnan(alone).all()
    assert np.isnan(sustained_rate([7], 100.0)).all()
    assert sustained_rate([], 100.0).shape == (0,)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"r_peaks": [0, 10, 5]}, ValueError, "r_peaks must be strictly increasing"),
        ({"r_peaks": [[0, 10]]}, ValueError, "r_peaks must be a 1-D"),
        ({"fs": 0.0}, ValueError, "fs"),
        ({"usable": [1, 0]}, TypeError, "usable must hold booleans"),
        ({"usable": np.array([True])}, ValueError, "usable must have one value per interval"),
        ({"half_window": 0}, ValueError, "half_window must be >= 1"),
        ({"half_window": 2.5}, TypeError, "half_window must be an integer"),
        ({"half_window": True}, TypeError, "half_window must be an integer"),
    ],
)
def test_bad_arguments_are_rejected_with_their_name(kwargs, error, match):
    arguments = {"r_peaks": [0, 100, 200], "fs": 100.0, **kwargs}
    with pytest.raises(error, match=match):
        sustained_rate(**arguments)
