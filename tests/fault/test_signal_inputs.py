"""Signal functions given out-of-range, unsorted or huge parameters: an error or bounded work."""

import time
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.signal import match_peaks, refine_peaks, resample, resampled_length, rr_intervals


def _match_pairs_brute_force(detected, reference, tol):
    """The EC57 closest-first matching over every pair within tol (the O(n m) definition)."""
    pairs = sorted(
        (abs(d - r), d + r, i, j)
        for i, d in enumerate(detected)
        for j, r in enumerate(reference)
        if abs(d - r) <= tol
    )
    used_d, used_r, matched = set(), set(), 0
    for _, _, i, j in pairs:
        if i not in used_d and j not in used_r:
            used_d.add(i)
            used_r.add(j)
            matched += 1
    return matched


@given(
    detected=st.lists(st.integers(0, 400), max_size=30, unique=True),
    reference=st.lists(st.integers(0, 400), max_size=30, unique=True),
    tolerance=st.integers(0, 120),
)
def test_match_peaks_equals_the_closest_first_definition(detected, reference, tolerance):
    match = match_peaks(np.array(detected, int), np.array(reference, int), 1.0,
                        tolerance_s=float(tolerance))  # fmt: skip
    assert match.tp == _match_pairs_brute_force(sorted(detected), sorted(reference), tolerance)
    assert (np.abs(match.timing_error_s) <= tolerance).all()


def test_match_peaks_with_a_huge_tolerance_stays_fast():
    rng = np.random.default_rng(0)
    detected = np.sort(rng.choice(10_000_000, 20_000, replace=False))
    reference = np.sort(rng.choice(10_000_000, 20_000, replace=False))
    started = time.perf_counter()
    match = match_peaks(detected, reference, 360.0, tolerance_s=1e6)
    assert match.tp == 20_000
    assert time.perf_counter() - started < 30  # was over 60 s: n^2 candidate pairs


@pytest.mark.parametrize("peaks", [[-5, 100], [100, 4000], [1.5, 10.0]])
def test_refine_peaks_refuses_indices_outside_the_signal_or_not_integers(peaks):
    x = np.sin(np.linspace(0, 20, 3600))
    with pytest.raises((ValueError, TypeError), match="peaks"):
        refine_peaks(x, np.array(peaks), 360.0)


def test_refine_peaks_with_an_absurd_window_stays_in_range_and_bounded():
    x = np.sin(np.linspace(0, 20, 3600))
    refined = refine_peaks(x, np.array([100, 2000]), 360.0, window_s=1e9)
    assert ((refined >= 0) & (refined < x.size)).all()


def test_refine_peaks_at_a_low_rate_never_returns_a_negative_index():
    x = np.random.default_rng(1).normal(size=64)
    refined = refine_peaks(x, np.array([0, 1, 62, 63]), 8.0)
    assert refined.min() >= 0
    assert refined.max() < x.size


def test_rr_intervals_refuse_unsorted_peaks():
    with pytest.raises(ValueError, match="strictly increasing"):
        rr_intervals([300, 100, 500], 360.0)


def test_resampling_between_rates_without_a_small_ratio_warns_of_the_drift():
    with pytest.warns(UserWarning, match="off by"):
        y = resample(np.zeros(3356), 333.33, 250.0)
    with pytest.warns(UserWarning, match="off by"):
        assert y.size == resampled_length(3356, 333.33, 250.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resample(np.zeros(3600), 360.0, 250.0).size == 2500


def test_median_baseline_removal_at_an_absurd_rate_is_refused_at_once():
    from ecgkit.signal import remove_baseline

    started = time.perf_counter()
    with pytest.raises(ValueError, match="resample to an ECG rate"):
        remove_baseline(np.zeros(2_000_000), 1e6)
    assert time.perf_counter() - started < 1
    assert remove_baseline(np.zeros(5000), 500.0).shape == (5000,)


def test_chunked_detection_of_a_long_record_equals_one_pass_with_no_border_beat_lost():
    # six patients joined: chunks start right after abrupt changes of amplitude
    from ecgkit.data import load_example
    from ecgkit.signal import detect_r_peaks

    records = ("100", "119", "208", "105", "213", "232")
    joined = np.concatenate([load_example(r)[0].signal[:, 0] for r in records])
    one = detect_r_peaks(joined, 360.0)
    for chunk_s in (600.0, 700.0):
        np.testing.assert_array_equal(detect_r_peaks(joined, 360.0, chunk_s=chunk_s), one)
    with pytest.raises(ValueError, match="chunk_s must be"):
        detect_r_peaks(joined, 360.0, chunk_s=300.0)
