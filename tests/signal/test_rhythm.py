import math
import statistics

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.signal import RELATIVE_RR_FEATURES, RR_FEATURES, rr_features

SECONDS = [RR_FEATURES.index(name) for name in RR_FEATURES if name.endswith("_s")]
RELATIVE = [RR_FEATURES.index(name) for name in RELATIVE_RR_FEATURES]
RATIOS = [RR_FEATURES.index(name) for name in RR_FEATURES if name.endswith("_ratio")]


def _column(rr, name):
    return rr[:, RR_FEATURES.index(name)]


def _peaks_from(intervals_s, fs=360.0):
    """R-peak samples of beats ``intervals_s`` seconds apart, the first at 1 s."""
    return np.round(np.cumsum(np.r_[1.0, intervals_s]) * fs).astype(np.int64)


@st.composite
def sorted_peaks(draw, min_size=0):
    """Strictly increasing R-peak samples, 1 to 2000 samples apart."""
    size = draw(st.integers(min_size, 70))
    start = draw(st.integers(0, 1000))
    n_gaps = max(size - 1, 0)
    gaps = draw(st.lists(st.integers(1, 2000), min_size=n_gaps, max_size=n_gaps))
    return np.cumsum([start, *gaps], dtype=np.int64)[:size]


def _reference(peaks, fs, local_beats):
    """Every column beat by beat, straight from the definitions in rr_features."""
    n = len(peaks)
    intervals = [(int(peaks[i + 1]) - int(peaks[i])) / fs for i in range(n - 1)]
    pre = [intervals[max(i - 1, 0)] for i in range(n)]
    post = [intervals[min(i, n - 2)] for i in range(n)]
    change = [0.0] + [abs(pre[i] - pre[i - 1]) for i in range(1, n)]
    mean = sum(intervals) / len(intervals)

    def clamped(values, i, half):
        return [values[min(max(j, 0), n - 1)] for j in range(i - half, i + half + 1)]

    rows = []
    for i in range(n):
        previous = pre[max(i - local_beats + 1, 0) : i + 1]
        local = sum(previous) / len(previous)
        around = clamped(pre, i, 5)
        around_mean = sum(around) / len(around)
        cv = math.sqrt(sum((a - around_mean) ** 2 for a in around) / len(around)) / around_mean
        median = statistics.median(clamped(pre, i, 15))
        irregularity = statistics.median(clamped(change, i, 15)) / median
        rows.append(
            [
                *(pre[i], post[i], local, mean),
                *(pre[i] / mean, post[i] / mean, pre[i] / local, cv),
                *(pre[i] / median, post[i] / median, irregularity),
            ]
        )
    return np.array(rows)


@given(peaks=sorted_peaks(), fs=st.sampled_from([100.0, 250.0, 360.0, 1000.0]))
def test_one_row_per_peak_and_one_column_per_feature_name(peaks, fs):
    rr = rr_features(peaks, fs)
    assert rr.shape == (peaks.size, len(RR_FEATURES))
    assert rr.dtype == np.float64


@given(
    peaks=sorted_peaks(min_size=2),
    fs=st.floats(50.0, 2000.0),
    local_beats=st.integers(1, 15),
)
def test_every_column_equals_its_beat_by_beat_definition(peaks, fs, local_beats):
    rr = rr_features(peaks, fs, local_beats=local_beats)
    assert np.isfinite(rr).all()
    np.testing.assert_allclose(rr, _reference(peaks, fs, local_beats), rtol=1e-9, atol=1e-12)


@given(
    peaks=sorted_peaks(min_size=2),
    fs=st.sampled_from([128.0, 250.0, 360.0]),
    k=st.integers(2, 8),
)
def test_relative_columns_are_unchanged_when_peaks_and_fs_scale_together(peaks, fs, k):
    rr = rr_features(peaks, fs)
    scaled = rr_features(peaks * k, fs * k)
    np.testing.assert_allclose(scaled[:, RELATIVE], rr[:, RELATIVE], rtol=1e-12, atol=1e-15)


@given(peaks=sorted_peaks(min_size=2), fs=st.floats(50.0, 2000.0), factor=st.floats(0.25, 8.0))
def test_seconds_columns_scale_with_one_over_fs_and_relative_columns_do_not(peaks, fs, factor):
    rr = rr_features(peaks, fs)
    faster = rr_features(peaks, fs * factor)
    np.testing.assert_allclose(faster[:, SECONDS] * factor, rr[:, SECONDS], rtol=1e-12)
    np.testing.assert_allclose(faster[:, RELATIVE], rr[:, RELATIVE], rtol=1e-9, atol=1e-12)


def test_relative_columns_are_the_ones_without_seconds():
    assert set(RELATIVE_RR_FEATURES) | {RR_FEATURES[i] for i in SECONDS} == set(RR_FEATURES)
    assert len(RELATIVE_RR_FEATURES) == 7
    assert len(SECONDS) == 4


def test_a_regular_rhythm_has_every_ratio_one_and_no_irregularity():
    rr = rr_features(np.arange(40) * 288, fs=360.0)
    np.testing.assert_allclose(rr[:, SECONDS], 0.8)
    np.testing.assert_allclose(rr[:, RATIOS], 1.0)
    np.testing.assert_allclose(_column(rr, "local_rr_cv"), 0.0, atol=1e-12)
    np.testing.assert_array_equal(_column(rr, "rr_irregularity"), 0.0)


def test_an_isolated_premature_beat_is_premature_against_the_median_rhythm_not_irregular():
    intervals = np.full(60, 0.8)
    intervals[30], intervals[31] = 0.5, 1.1  # premature beat, then a compensatory pause
    rr = rr_features(_peaks_from(intervals), fs=360.0)
    ectopic = int(np.argmin(_column(rr, "pre_rr_s")))
    assert ectopic == 31
    assert _column(rr, "pre_median_ratio")[ectopic] == pytest.approx(0.5 / 0.8, rel=1e-3)
    assert _column(rr, "post_median_ratio")[ectopic] == pytest.approx(1.1 / 0.8, rel=1e-3)
    assert _column(rr, "rr_irregularity").max() == pytest.approx(0.0, abs=1e-6)  # 2 in 31


def test_atrial_fibrillation_like_intervals_are_irregular_wherever_a_full_window_is_seen():
    rng = np.random.default_rng(0)
    irregularity = _column(
        rr_features(_peaks_from(rng.uniform(0.4, 1.0, 80)), 360.0), "rr_irregularity"
    )
    assert np.median(irregularity) > 0.15
    assert irregularity[15:-15].min() > 0.15  # the ends repeat the first and last interval


def test_a_rate_change_is_not_premature_against_the_median_but_is_against_the_local_mean():
    rr = rr_features(_peaks_from(np.r_[np.full(40, 1.2), np.full(40, 0.6)]), fs=360.0)
    after_change = slice(60, None)  # 20 beats into the faster rate
    np.testing.assert_allclose(_column(rr, "pre_median_ratio")[after_change], 1.0, rtol=1e-3)
    assert _column(rr, "pre_local_ratio")[45] < 0.8  # the previous ten remember the slow rate


def test_local_beats_sets_how_many_previous_intervals_the_local_rr_averages():
    rr = rr_features([0, 100, 300, 600], 100, local_beats=2)
    np.testing.assert_allclose(_column(rr, "local_rr_s"), [1.0, 1.0, 1.5, 2.5])
    np.testing.assert_allclose(_column(rr, "mean_rr_s"), 2.0)


def test_no_peak_gives_no_row_and_a_single_peak_has_no_rhythm():
    assert rr_features([], 360.0).shape == (0, len(RR_FEATURES))
    (row,) = rr_features([500], 360.0)
    assert np.isnan(row[: RR_FEATURES.index("local_rr_cv")]).all()
    np.testing.assert_array_equal(row[RR_FEATURES.index("local_rr_cv") :], [0.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize(
    "peaks", [[0, 300, 200], [0, 300, 300, 600]], ids=["unsorted", "duplicate"]
)
def test_peaks_that_do_not_strictly_increase_are_rejected(peaks):
    with pytest.raises(ValueError, match="r_peaks must be strictly increasing sample indices"):
        rr_features(peaks, 360.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"fs": 0.0}, ValueError, "fs"),
        ({"fs": -360.0}, ValueError, "fs"),
        ({"fs": float("nan")}, ValueError, "fs"),
        ({"fs": "360"}, TypeError, "fs"),
        ({"fs": 360.0, "local_beats": 0}, ValueError, "local_beats"),
        ({"fs": 360.0, "r_peaks": [[0, 100]]}, ValueError, "r_peaks"),
        ({"fs": 360.0, "r_peaks": [-5, 100]}, ValueError, "r_peaks"),
        ({"fs": 360.0, "r_peaks": [0.5, 100.0]}, TypeError, "r_peaks"),
    ],
    ids=[
        "zero-fs",
        "negative-fs",
        "nan-fs",
        "str-fs",
        "zero-local-beats",
        "2d",
        "negative",
        "float",
    ],
)
def test_bad_arguments_are_rejected_with_their_name(kwargs, error, match):
    arguments = {"r_peaks": [0, 300, 600], **kwargs}
    with pytest.raises(error, match=match):
        rr_features(**arguments)
