import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ecgkit.signal import bandpass, clean, highpass, lowpass, notch, remove_baseline

FS = st.sampled_from([100.0, 128.0, 250.0, 360.0, 500.0, 1000.0])
finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False, width=64)


def signals(min_len: int = 400, max_len: int = 1200):
    return hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 3), st.integers(min_len, max_len)),
        elements=finite,
    )


@given(x=signals(), fs=FS, dtype=st.sampled_from([np.float32, np.float64]))
def test_filters_preserve_shape_and_dtype(x, fs, dtype):
    x = x.astype(dtype)
    for y in (
        bandpass(x, fs, 0.5, 0.4 * fs),
        highpass(x, fs, 0.5),
        lowpass(x, fs, 0.3 * fs),
        notch(x, fs, 0.2 * fs),
        clean(x, fs),
    ):
        assert y.shape == x.shape
        assert y.dtype == dtype
        assert np.isfinite(y).all()


@given(x=signals(), y=signals(), a=st.floats(-3, 3), b=st.floats(-3, 3), fs=FS)
def test_bandpass_is_linear(x, y, a, b, fs):
    n = min(x.shape[1], y.shape[1])
    x, y = x[:1, :n], y[:1, :n]
    combined = bandpass(a * x + b * y, fs, 1.0, 0.3 * fs)
    separate = a * bandpass(x, fs, 1.0, 0.3 * fs) + b * bandpass(y, fs, 1.0, 0.3 * fs)
    np.testing.assert_allclose(combined, separate, atol=1e-9 * (1 + np.abs(separate).max()))


@given(fs=FS, centre=st.floats(0.3, 0.7), width_s=st.floats(0.02, 0.08))
def test_zero_phase_filters_do_not_move_a_symmetric_pulse(fs, centre, width_s):
    n = int(4 * fs)
    t = np.arange(n) / fs
    peak = round(centre * n)
    x = np.exp(-0.5 * ((t - t[peak]) / width_s) ** 2)
    for y in (bandpass(x, fs, 0.5, 0.45 * fs), lowpass(x, fs, 0.2 * fs), clean(x, fs)):
        assert int(np.argmax(y)) == peak


@pytest.mark.parametrize(("fs", "freq"), [(360.0, 60.0), (500.0, 50.0), (250.0, 50.0)])
def test_notch_removes_its_frequency(fs, freq):
    t = np.arange(int(20 * fs)) / fs
    ecg_like = np.sin(2 * np.pi * 1.2 * t)
    y = notch(ecg_like + 0.5 * np.sin(2 * np.pi * freq * t), fs, freq)
    middle = slice(int(2 * fs), int(18 * fs))
    residual = y[middle] - ecg_like[middle]
    assert np.sqrt(np.mean(residual**2)) < 0.01


@given(x=signals(), fs=FS)
def test_filters_work_along_any_axis(x, fs):
    along_last = bandpass(x, fs, 0.5, 0.4 * fs, axis=-1)
    along_first = bandpass(x.T, fs, 0.5, 0.4 * fs, axis=0)
    np.testing.assert_allclose(along_first.T, along_last, atol=1e-12)


def test_remove_baseline_median_removes_slow_wander_and_keeps_qrs():
    fs = 360.0
    t = np.arange(int(30 * fs)) / fs
    beats = np.zeros_like(t)
    beats[(np.arange(1, 30) * fs).astype(int)] = 1.0
    qrs = np.convolve(beats, np.hanning(int(0.06 * fs)), mode="same")
    wander = 0.8 * np.sin(2 * np.pi * 0.15 * t)
    for method in ("median", "highpass"):
        y = remove_baseline(qrs + wander, fs, method=method)
        assert np.abs(np.median(y)) < 0.05
        assert np.percentile(y, 99.9) > 0.7


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bandpass(np.ones(1000), 360, 0.5, 180), "Nyquist"),
        (lambda: bandpass(np.ones(1000), 360, 40, 10), "below high_hz"),
        (lambda: bandpass(np.ones(1000), -1, 0.5, 40), "fs must be"),
        (lambda: bandpass(np.ones(1000), float("nan"), 0.5, 40), "fs must be"),
        (lambda: bandpass(np.array([1.0, np.nan] * 500), 360, 0.5, 40), "NaN"),
        (lambda: bandpass(np.array([1.0, np.inf] * 500), 360, 0.5, 40), "NaN or infinite"),
        (lambda: bandpass(np.ones(5), 360, 0.5, 40), "too short"),
        (lambda: bandpass(np.ones(0), 360, 0.5, 40), "empty"),
        (lambda: bandpass(np.float64(1.0), 360, 0.5, 40), "scalar"),
        (lambda: notch(np.ones(1000), 100, 50), "Nyquist"),
        (lambda: remove_baseline(np.ones(1000), 360, method="wavelet"), "method"),  # type: ignore[arg-type]
        (lambda: bandpass(np.ones(1000), 360, 0.5, 40, axis=3), "axis"),
    ],
)
def test_bad_input_raises_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "x", [np.ones(1000, dtype=bool), np.ones(1000, dtype=complex), ["a"] * 1000, "ecg"]
)
def test_non_numeric_input_raises_type_error(x):
    with pytest.raises(TypeError, match="x must be"):
        bandpass(x, 360, 0.5, 40)


def test_integer_input_is_promoted_without_overflow():
    x = (np.sin(np.linspace(0, 60, 3600)) * 30000).astype(np.int16)
    y = bandpass(x, 360, 0.5, 40)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, bandpass(x.astype(np.float64), 360, 0.5, 40))
