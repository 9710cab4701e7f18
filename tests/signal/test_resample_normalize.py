import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ecgkit.signal import normalize, resample, resample_indices, resampled_length

RATES = st.sampled_from([100.0, 125.0, 128.0, 250.0, 256.0, 257.0, 360.0, 500.0, 1000.0])
finite = st.floats(-100, 100, allow_nan=False, width=64)


@given(n=st.integers(1, 5000), fs_in=RATES, fs_out=RATES, leads=st.integers(1, 3))
def test_resample_output_length_is_exact(n, fs_in, fs_out, leads):
    x = np.random.default_rng(n).normal(size=(leads, n))
    y = resample(x, fs_in, fs_out)
    assert y.shape == (leads, math.ceil(n * fs_out / fs_in))
    assert y.shape[-1] == resampled_length(n, fs_in, fs_out)


@given(fs_in=RATES, fs_out=RATES)
def test_resample_keeps_a_slow_sine_and_its_timing(fs_in, fs_out):
    seconds = 4.0
    t_in = np.arange(int(seconds * fs_in)) / fs_in
    y = resample(np.sin(2 * np.pi * 2.0 * t_in), fs_in, fs_out)
    t_out = np.arange(y.size) / fs_out
    inner = (t_out > 0.5) & (t_out < seconds - 0.5)
    np.testing.assert_allclose(y[inner], np.sin(2 * np.pi * 2.0 * t_out[inner]), atol=0.02)


def test_resample_keeps_float32_and_axis():
    x = np.random.default_rng(0).normal(size=(3600, 2)).astype(np.float32)
    y = resample(x, 360, 250, axis=0)
    assert y.shape == (2500, 2)
    assert y.dtype == np.float32


def test_resample_indices_maps_peaks_to_the_nearest_sample():
    assert resample_indices([0, 360, 719], 360, 250).tolist() == [0, 250, 499]
    assert resample_indices([719], 360, 250, n_samples_out=400).tolist() == [399]


def test_resample_rejects_bad_rates():
    with pytest.raises(ValueError, match="fs_out"):
        resample(np.ones(100), 360, 0)
    with pytest.raises(TypeError, match="fs_in"):
        resample(np.ones(100), "360", 250)  # type: ignore[arg-type]


arrays = hnp.arrays(
    np.float64, st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(2, 60)), elements=finite
)


@given(x=arrays, method=st.sampled_from(["zscore", "robust", "minmax"]))
def test_normalize_is_idempotent_and_keeps_shape(x, method):
    once = normalize(x, method)
    assert once.shape == x.shape
    assert np.isfinite(once).all()
    np.testing.assert_allclose(normalize(once, method), once, atol=1e-7)


@given(x=arrays)
def test_normalize_statistics_per_beat(x):
    z = normalize(x, "zscore", axis=-1)
    spread = x.std(axis=-1)
    varied = spread > 1e-6 * (1 + np.abs(x).max(axis=-1))
    np.testing.assert_allclose(z.mean(axis=-1), 0, atol=1e-9)
    np.testing.assert_allclose(z.std(axis=-1)[varied], 1, atol=1e-6)
    m = normalize(x, "minmax", axis=-1)
    assert m.min() >= -1e-12
    assert m.max() <= 1 + 1e-12


def test_normalize_per_record_uses_one_statistic_per_lead():
    x = np.random.default_rng(1).normal(3, 2, size=(50, 2, 100))
    z = normalize(x, "zscore", axis=(0, 2))
    np.testing.assert_allclose(z.mean(axis=(0, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=(0, 2)), 1, atol=1e-12)


def test_normalize_flat_line_is_centred_not_nan():
    flat = np.full((2, 100), 3.0)
    assert np.array_equal(normalize(flat, "zscore"), np.zeros((2, 100)))
    assert np.array_equal(normalize(flat, "robust"), np.zeros((2, 100)))
    assert np.array_equal(normalize(flat, "minmax"), np.zeros((2, 100)))


def test_normalize_robust_ignores_an_outlier():
    x = np.random.default_rng(2).normal(size=1000)
    spiked = x.copy()
    spiked[0] = 1e3
    np.testing.assert_allclose(
        normalize(spiked, "robust")[1:], normalize(x, "robust")[1:], atol=0.02
    )


def test_normalize_rejects_unknown_method():
    with pytest.raises(ValueError, match="method"):
        normalize(np.ones(10), "l2")  # type: ignore[arg-type]
