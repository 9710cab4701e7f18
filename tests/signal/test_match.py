import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.signal import match_peaks

peak_sets = st.sets(st.integers(0, 20_000), max_size=60).map(lambda s: np.array(sorted(s)))


@given(detected=peak_sets, reference=peak_sets, tol=st.sampled_from([0.0, 0.05, 0.15, 0.5]))
def test_swapping_detected_and_reference_swaps_fp_and_fn(detected, reference, tol):
    forward = match_peaks(detected, reference, 360, tolerance_s=tol)
    backward = match_peaks(reference, detected, 360, tolerance_s=tol)
    assert forward.tp == backward.tp
    assert (forward.fp, forward.fn) == (backward.fn, backward.fp)
    assert forward.tp + forward.fp == detected.size
    assert forward.tp + forward.fn == reference.size


@given(detected=peak_sets, reference=peak_sets)
def test_each_beat_is_matched_at_most_once_and_within_tolerance(detected, reference):
    m = match_peaks(detected, reference, 100, tolerance_s=0.15)
    assert len(set(m.detected_index.tolist())) == m.tp
    assert len(set(m.reference_index.tolist())) == m.tp
    gaps = np.abs(detected[m.detected_index] - reference[m.reference_index])
    assert (gaps <= 15).all()
    np.testing.assert_allclose(
        m.timing_error_s * 100, detected[m.detected_index] - reference[m.reference_index]
    )


# beats at least 200 ms apart at 360 Hz, farther than twice the 150 ms tolerance of 54 samples
spaced_beats = st.lists(st.integers(110, 1000), min_size=1, max_size=60).map(np.cumsum)


@given(reference=spaced_beats, shift=st.integers(-54, 54))
def test_shifted_copy_within_tolerance_matches_every_beat(reference, shift):
    m = match_peaks(reference + shift, reference, 360, tolerance_s=0.15)
    assert (m.tp, m.fp, m.fn) == (reference.size, 0, 0)
    np.testing.assert_allclose(m.timing_error_s, shift / 360)


@given(reference=spaced_beats, shift=st.integers(55, 200))
def test_shifted_copy_beyond_tolerance_matches_nothing(reference, shift):
    detected = reference[::2] + shift
    gaps = np.abs(detected[:, None] - reference[None, :]).min(axis=1)
    m = match_peaks(detected, reference, 360, tolerance_s=0.15)
    assert m.tp == int((gaps <= 54).sum())


def test_counts_and_scores_on_a_small_example():
    m = match_peaks([100, 205, 400, 900], [100, 200, 300, 400], 100, tolerance_s=0.15)
    assert (m.tp, m.fp, m.fn) == (3, 1, 1)
    assert m.sensitivity == pytest.approx(0.75)
    assert m.positive_predictivity == pytest.approx(0.75)
    assert m.f1 == pytest.approx(0.75)
    assert m.mean_timing_error_s == pytest.approx(0.05 / 3)


def test_closest_pair_wins():
    m = match_peaks([110], [100, 112], 100, tolerance_s=0.15)
    assert m.reference_index.tolist() == [1]


def test_empty_sides_give_documented_nan():
    m = match_peaks([], [1, 2, 3], 100)
    assert (m.tp, m.fp, m.fn) == (0, 0, 3)
    assert m.sensitivity == 0.0
    assert np.isnan(m.positive_predictivity)
    assert np.isnan(m.mean_timing_error_s)


def test_rejects_negative_tolerance_and_bad_indices():
    with pytest.raises(ValueError, match="tolerance_s"):
        match_peaks([1], [1], 100, tolerance_s=-1)
    with pytest.raises(ValueError, match="detected"):
        match_peaks([-5], [1], 100)
