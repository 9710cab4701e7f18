import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecgkit.data import load_example
from ecgkit.signal import GAP_MIN_FLAT_S, merge_intervals, signal_gaps

FS = 100.0


def _covered(intervals, n):
    mask = np.zeros(n, dtype=bool)
    for start, stop in intervals:
        mask[start:stop] = True
    return mask


def test_a_lead_off_and_missing_samples_are_gaps_short_plateaus_are_not():
    x = np.sin(np.arange(2000) / 7.0)
    x[300:600] = 0.0  # 3 s held at zero
    x[700:750] = x[700]  # 0.5 s held: a plateau, not a gap
    x[900] = np.nan
    x[1200:1210] = np.inf
    x[1500:1700] = 2.5  # 2 s held at an amplifier's limit
    gaps = signal_gaps(x, FS)
    np.testing.assert_array_equal(gaps, [[300, 600], [900, 901], [1200, 1210], [1500, 1700]])


def test_multi_lead_gaps_need_every_lead_held_or_any_missing():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 1000))
    x[0, 100:400] = 0.0  # one lead off, the other recording: no gap
    x[:, 500:700] = 0.0  # both off
    x[1, 800] = np.nan  # one missing sample is missing for the recording
    np.testing.assert_array_equal(signal_gaps(x, FS), [[500, 700], [800, 801]])
    np.testing.assert_array_equal(signal_gaps(x.T, FS, axis=0), [[500, 700], [800, 801]])


def test_real_recordings_have_no_gap():
    for record_id in ("100", "116", "207", "232"):
        record, _ = load_example(record_id)
        assert signal_gaps(record.signal, record.fs, axis=0).shape == (0, 2)


def test_arguments_are_checked_by_name():
    with pytest.raises(ValueError, match="min_flat_s"):
        signal_gaps(np.zeros(10), FS, min_flat_s=0.0)
    with pytest.raises(ValueError, match="fs"):
        signal_gaps(np.zeros(10), -1.0)
    with pytest.raises(ValueError, match="empty"):
        signal_gaps(np.zeros(0), FS)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        signal_gaps(np.zeros((2, 2, 2)), FS)
    with pytest.raises(TypeError, match="numeric"):
        signal_gaps(np.array(["a", "b"]), FS)
    with pytest.raises(ValueError, match="start < stop"):
        merge_intervals([[3, 3]])


@st.composite
def _recordings(draw):
    n = draw(st.integers(10, 600))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal(n)
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, n - 1))
        stop = draw(st.integers(start + 1, min(n, start + 300)))
        x[start:stop] = draw(st.sampled_from([0.0, 1.0, np.nan, -3.0]))
    return x


@settings(max_examples=60, deadline=None)
@given(_recordings(), st.floats(0.1, 5.0), st.floats(-10.0, 10.0))
def test_gaps_are_sorted_disjoint_in_range_and_ignore_gain_and_offset(x, gain, offset):
    gaps = signal_gaps(x, FS)
    assert gaps.dtype == np.int64
    assert gaps.shape[1] == 2
    assert (gaps[:, 0] < gaps[:, 1]).all()
    assert (gaps[1:, 0] > gaps[:-1, 1]).all()  # neither overlapping nor touching
    assert gaps.size == 0 or (gaps.min() >= 0 and gaps.max() <= x.size)
    covered = _covered(gaps, x.size)
    assert covered[~np.isfinite(x)].all()
    # every stretch of one value of at least GAP_MIN_FLAT_S is covered
    shortest = round(GAP_MIN_FLAT_S * FS)
    for start in range(x.size - shortest + 1):
        piece = x[start : start + shortest]
        if np.isfinite(piece).all() and (piece == piece[0]).all():
            assert covered[start : start + shortest].all()
    np.testing.assert_array_equal(signal_gaps(gain * x + offset, FS), gaps)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(1, 30)), max_size=8))
def test_merged_intervals_cover_the_same_samples_once(pairs):
    intervals = [(start, start + length) for start, length in pairs]
    merged = merge_intervals(intervals)
    assert (merged[1:, 0] > merged[:-1, 1]).all()
    np.testing.assert_array_equal(_covered(merged, 200), _covered(intervals, 200))
