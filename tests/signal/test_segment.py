import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.signal import rr_intervals, segment_beats


@st.composite
def signal_and_peaks(draw):
    n_leads = draw(st.integers(1, 3))
    n = draw(st.integers(200, 3000))
    peaks = sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=40)))
    x = np.random.default_rng(n).normal(size=(n_leads, n))
    return x, np.asarray(peaks)


@given(
    data=signal_and_peaks(),
    fs=st.sampled_from([100.0, 250.0, 360.0]),
    before=st.floats(0.0, 0.4),
    after=st.floats(0.05, 0.6),
)
def test_every_window_equals_the_signal_slice_around_its_r_peak(data, fs, before, after):
    x, peaks = data
    beats = segment_beats(x, fs, peaks, before_s=before, after_s=after)
    assert beats.windows.shape == (len(beats), x.shape[0], round(before * fs) + round(after * fs))
    assert beats.r_index == round(before * fs)
    assert not beats.padded.any()
    for window, r, i in zip(beats.windows, beats.r_sample, beats.beat_index, strict=True):
        assert r == peaks[i]
        start = r - beats.r_index
        np.testing.assert_array_equal(window, x[:, start : start + beats.n_samples])


@given(data=signal_and_peaks(), pad=st.sampled_from([None, 0.0, -1.5]))
def test_pad_policy_keeps_every_beat_and_marks_the_padded_ones(data, pad):
    x, peaks = data
    fs = 250.0
    dropped = segment_beats(x, fs, peaks)
    padded = segment_beats(x, fs, peaks, edge="pad", pad_value=pad)
    assert len(padded) == len(peaks)
    assert padded.beat_index.tolist() == list(range(len(peaks)))
    assert (~padded.padded).sum() == len(dropped)
    np.testing.assert_array_equal(padded.windows[~padded.padded], dropped.windows)
    for window, r in zip(padded.windows, padded.r_sample, strict=True):
        np.testing.assert_array_equal(window[:, padded.r_index], x[:, r])


def test_time_axis_first_gives_the_same_windows():
    x = np.random.default_rng(0).normal(size=(2, 2000))
    a = segment_beats(x, 360, [400, 900, 1500])
    b = segment_beats(x.T, 360, [400, 900, 1500], axis=0)
    np.testing.assert_array_equal(a.windows, b.windows)


def test_one_dimensional_signal_gives_one_lead():
    beats = segment_beats(np.arange(1000.0), 100, [300, 600], before_s=0.1, after_s=0.2)
    assert beats.windows.shape == (2, 1, 30)
    np.testing.assert_array_equal(beats.windows[0, 0], np.arange(290.0, 320.0))


def test_rr_features_use_dropped_neighbours():
    beats = segment_beats(np.zeros(4000), 100, [10, 110, 310, 610, 3990])
    assert beats.beat_index.tolist() == [1, 2, 3]
    np.testing.assert_allclose(beats.pre_rr, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(beats.post_rr, [2.0, 3.0, 33.8])
    np.testing.assert_allclose(beats.mean_rr, np.full(3, 3980 / 4 / 100))
    assert beats.rr_features().shape == (3, 4)


def test_rr_intervals_local_mean_and_single_beat():
    pre, post, local, _ = rr_intervals([0, 100, 300, 600], 100, local_beats=2)
    np.testing.assert_allclose(pre, [1, 1, 2, 3])
    np.testing.assert_allclose(post, [1, 2, 3, 3])
    np.testing.assert_allclose(local, [1, 1, 1.5, 2.5])
    assert np.isnan(rr_intervals([5], 100)[0]).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"r_peaks": [5, 3]}, ValueError, "strictly increasing"),
        ({"r_peaks": [5, 5000]}, ValueError, "signal length"),
        ({"r_peaks": [-1]}, ValueError, ">= 0"),
        ({"r_peaks": [[1, 2]]}, ValueError, "1-D"),
        ({"r_peaks": [1.5]}, TypeError, "integer"),
        ({"r_peaks": [5], "edge": "wrap"}, ValueError, "edge"),
        ({"r_peaks": [5], "before_s": -0.1}, ValueError, "before_s"),
        ({"r_peaks": [5], "before_s": 0.0, "after_s": 0.0}, ValueError, "at least one sample"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        segment_beats(np.zeros(1000), 100, **kwargs)


def test_old_window_keywords_still_work_with_a_deprecation_warning():
    x = np.arange(1000.0)
    new = segment_beats(x, 100, [300, 600], before_s=0.1, after_s=0.2)
    with pytest.warns(DeprecationWarning, match="before_s"):
        old = segment_beats(x, 100, [300, 600], before=0.1, after=0.2)
    np.testing.assert_array_equal(old.windows, new.windows)
