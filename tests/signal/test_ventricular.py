"""Ventricular flutter and fibrillation: the VF filter's leakage and the stretches it finds."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecgkit.data import BEAT_SYMBOLS, EXAMPLE_RECORDS, load_example
from ecgkit.signal import (
    VF_LEAKAGE_MAX,
    VF_MIN_MEAN_MV,
    clean,
    detect_r_peaks,
    resample,
    touches_gaps,
    ventricular_flutter,
    vf_filter_leakage,
)

from ..synthetic import ecg_with_atrial_waves, paced_ecg


def _flutter(fs, hz=4.0, seconds=30.0, seed=0):
    """A sinusoid of ``hz`` whose phase and amplitude wander, with 0.05 mV of noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * fs)) / fs
    wave = np.sin(2 * np.pi * hz * t + 0.3 * np.sin(2 * np.pi * 0.3 * t))
    return wave * (1.0 + 0.3 * np.sin(2 * np.pi * 0.2 * t)) + 0.05 * rng.standard_normal(t.size)


@pytest.mark.parametrize("fs", [62.5, 128.0, 250.5, 360.0, 1000.0])  # odd rates: 62.5, 250.5
@pytest.mark.parametrize("hz", [2.6, 4.0, 7.0])
def test_a_flutter_wave_is_found_over_its_whole_length(fs, hz):
    x = clean(_flutter(fs, hz), fs)
    found = ventricular_flutter(x, fs)
    # to the end of the last window a step apart (the end itself where the grid meets it)
    assert found.shape == (1, 2)
    assert found[0, 0] == 0
    assert x.size - round(fs) < found[0, 1] <= x.size
    start, leakage, rate = vf_filter_leakage(x, fs)
    assert np.all(leakage < VF_LEAKAGE_MAX)
    assert np.allclose(rate, 60.0 * hz, rtol=0.1)
    assert np.array_equal(start, np.arange(start.size) * round(fs))


def test_the_leakage_of_a_sinusoid_is_near_zero_and_of_narrow_beats_near_one():
    fs = 250.0
    t = np.arange(round(10 * fs)) / fs
    _, leakage, rate = vf_filter_leakage(np.sin(2 * np.pi * 5.0 * t), fs)
    assert leakage.max() < 0.02
    assert np.allclose(rate, 300.0, rtol=0.01)
    x, _, _ = paced_ecg(12, fs=fs, paced=())  # narrow QRS, P and T waves, 75 bpm
    _, leakage, _ = vf_filter_leakage(clean(x, fs), fs)
    assert leakage.min() > 0.6


@pytest.mark.parametrize("rr_s", [1.0, 0.6, 0.4, 0.3, 0.25])
def test_sinus_rhythm_at_any_rate_and_atrial_fibrillation_are_no_flutter(rr_s):
    fs = 360.0
    for paced in ((), None):  # narrow complexes; wide ones (a paced shape, no spike)
        x, _, _ = paced_ecg(round(30 / rr_s), fs=fs, rr_s=rr_s, paced=paced, spike_mv=0.0)
        assert ventricular_flutter(clean(x, fs), fs).shape == (0, 2), (rr_s, paced)
    rng = np.random.default_rng(1)
    peaks = np.cumsum(rng.uniform(0.4, 1.0, 60) * fs).astype(np.int64)
    af = ecg_with_atrial_waves(peaks, fs, p_waves=np.zeros(peaks.size, bool), f_waves=True)
    assert ventricular_flutter(clean(af, fs), fs).shape == (0, 2)


def test_a_sinusoid_slower_than_a_ventricular_flutter_is_none():
    # 120 a minute (a baseline's or a large T wave's sinusoid): no flutter however clean;
    # 150 a minute and faster is
    fs = 360.0
    assert ventricular_flutter(clean(_flutter(fs, 2.0), fs), fs).shape == (0, 2)
    assert ventricular_flutter(clean(_flutter(fs, 2.6), fs), fs).shape == (1, 2)


def test_a_burst_of_large_waves_or_a_small_oscillation_is_no_flutter():
    fs = 360.0
    ecg = clean(np.asarray(load_example("100")[0].signal[: 60 * 360, 0], dtype=np.float64), fs)
    # a second of large 8 Hz waves (an artefact, as in MIT-BIH 209's V1) sets the sums of
    # every window it is in; each half of a window must be a sinusoid too
    t = np.arange(round(1.0 * fs)) / fs
    x = ecg.copy()
    at = round(20 * fs)
    x[at : at + t.size] += 1.5 * np.sin(2 * np.pi * 8.0 * t)
    assert ventricular_flutter(x, fs).shape == (0, 2)
    _, leakage, _ = vf_filter_leakage(x, fs)
    assert leakage.min() < VF_LEAKAGE_MAX  # the whole window alone would have taken it
    # six seconds of it are flutter
    t = np.arange(round(6.0 * fs)) / fs
    x[at : at + t.size] = 1.5 * np.sin(2 * np.pi * 8.0 * t)
    assert ventricular_flutter(x, fs).shape == (1, 2)
    # a small oscillation alone (0.08 mV peak: a tremor on a lead with little ECG) is none
    small = 0.08 * clean(_flutter(fs, 7.0), fs) / 1.3
    assert np.abs(small).mean() < VF_MIN_MEAN_MV
    assert ventricular_flutter(small, fs).shape == (0, 2)
    assert ventricular_flutter(10 * small, fs).shape == (1, 2)


def test_a_tremor_over_a_sinus_rhythm_is_no_flutter_given_the_beats():
    # a 6 Hz tremor of 0.5 mV over 100's excerpt is a sinusoid as much as a flutter is;
    # the beats a detector finds there come every few waves, a flutter's every wave or two
    fs = 360.0
    ecg = np.asarray(load_example("100")[0].signal[:, 0], dtype=np.float64)
    t = np.arange(ecg.size) / fs
    x = ecg + 0.5 * np.sin(2 * np.pi * 6.0 * t + 0.5 * np.sin(2 * np.pi * 0.1 * t))
    alone = ventricular_flutter(clean(x, fs), fs)
    assert (alone[:, 1] - alone[:, 0]).sum() > 0.9 * x.size  # 0.997 measured
    beats = detect_r_peaks(x, fs)
    assert ventricular_flutter(clean(x, fs), fs, r_peaks=beats).shape == (0, 2)
    # a flutter's own waves as beats (WFDB "!" in 207's excerpt) keep it
    record, annotations = load_example("207")
    lead = clean(np.asarray(record.signal[:, 0], dtype=np.float64), fs)
    waves = np.asarray(annotations.sample)[np.isin(np.asarray(annotations.symbol), ["!"])]
    np.testing.assert_array_equal(
        ventricular_flutter(lead, fs, r_peaks=waves), ventricular_flutter(lead, fs)
    )
    # and so do beats every wave or every 1.5 waves, not every third
    sine = clean(_flutter(fs, 4.0), fs)
    every = np.arange(0, sine.size, round(fs / 4.0))
    assert ventricular_flutter(sine, fs, r_peaks=every).shape == (1, 2)
    one_and_half = np.arange(0, sine.size, round(1.5 * fs / 4.0))
    assert ventricular_flutter(sine, fs, r_peaks=one_and_half).shape == (1, 2)
    assert ventricular_flutter(sine, fs, r_peaks=every[::3]).shape == (0, 2)
    # fewer than two beats in a window say nothing
    assert ventricular_flutter(sine, fs, r_peaks=every[::20]).shape == (1, 2)


def test_flutter_inside_an_ecg_is_found_about_where_it_is():
    fs = 360.0
    ecg = clean(np.asarray(load_example("100")[0].signal[:, 0], dtype=np.float64), fs)
    x = ecg[: round(60 * fs)].copy()
    at, stop = round(20 * fs), round(40 * fs)
    x[at:stop] = clean(_flutter(fs, 4.5, 20.0), fs)
    found = ventricular_flutter(x, fs)
    assert found.shape == (1, 2)
    # windows (4 s) wholly or mostly in the flutter: its start and end within a window
    assert at - round(4 * fs) < found[0, 0] <= at + round(1 * fs)
    assert stop - round(1 * fs) <= found[0, 1] < stop + round(4 * fs)


def test_the_bundled_excerpts_hold_flutter_in_207_alone_over_its_flutter_waves():
    fs = 360.0
    for record_id in EXAMPLE_RECORDS:
        record, annotations = load_example(record_id)
        lead = clean(np.asarray(record.signal[:, 0], dtype=np.float64), fs)  # MLII
        stretches = ventricular_flutter(lead, fs)
        if record_id != "207":
            assert stretches.shape == (0, 2), record_id
            continue
        # 207's excerpt holds five episodes of ventricular flutter (132 waves, WFDB "!")
        sample = np.asarray(annotations.sample)
        symbol = np.asarray(annotations.symbol)
        beats = np.isin(symbol, list(BEAT_SYMBOLS))
        inside = touches_gaps(sample, sample + 1, stretches)
        waves = symbol == "!"
        assert inside[waves].mean() >= 0.55  # 0.64 measured
        # and no beat that is not a flutter wave
        assert not (inside & beats & ~waves).any()


@settings(max_examples=40, deadline=None)
@given(
    gain=st.floats(0.01, 100.0),
    sign=st.sampled_from([-1.0, 1.0]),
    hz=st.floats(2.0, 9.0),
    seed=st.integers(0, 2**16),
    window_s=st.floats(1.0, 6.0),
    step_s=st.floats(0.2, 2.0),
)
def test_the_leakage_is_bounded_and_does_not_depend_on_gain_or_sign(
    gain, sign, hz, seed, window_s, step_s
):
    fs = 250.0
    x = _flutter(fs, hz, 12.0, seed) + 0.5 * np.random.default_rng(seed).standard_normal(3000)
    start, leakage, rate = vf_filter_leakage(x, fs, window_s=window_s, step_s=step_s)
    assert start.size == leakage.size == rate.size >= 1
    assert np.all(np.diff(start) == round(step_s * fs))
    assert start[-1] + round(window_s * fs) <= x.size
    assert np.all((leakage >= 0) & (leakage <= 1))
    scaled = vf_filter_leakage(sign * gain * x, fs, window_s=window_s, step_s=step_s)
    np.testing.assert_allclose(scaled[1], leakage, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scaled[2], rate, rtol=1e-9)


def test_short_flat_and_bad_input():
    fs = 360.0
    start, leakage, rate = vf_filter_leakage(np.ones(100), fs)
    assert start.size == leakage.size == rate.size == 0
    assert ventricular_flutter(np.ones(100), fs).shape == (0, 2)
    # a flat window has no period: NaN, no flutter
    _, leakage, rate = vf_filter_leakage(np.zeros(2000), fs)
    assert np.isnan(leakage).all()
    assert np.isnan(rate).all()
    assert ventricular_flutter(np.zeros(2000), fs).shape == (0, 2)
    with pytest.raises(ValueError, match="NaN"):
        vf_filter_leakage(np.array([0.0, np.nan] * 1000), fs)
    with pytest.raises(ValueError, match="dimension"):
        ventricular_flutter(np.zeros((2, 2000)), fs)
    with pytest.raises(ValueError, match="sampling rate"):
        ventricular_flutter(np.zeros(2000), 0.0)
    x = clean(_flutter(fs), fs)
    with pytest.raises(ValueError, match="r_peaks must be a 1-D array"):
        ventricular_flutter(x, fs, r_peaks=np.zeros((2, 2), np.int64))
    with pytest.raises(TypeError, match="r_peaks must hold integer"):
        ventricular_flutter(x, fs, r_peaks=[1.5, 2.5])
    with pytest.raises(ValueError, match="r_peaks must be < the signal length"):
        ventricular_flutter(x, fs, r_peaks=[0, x.size])
    with pytest.raises(ValueError, match="r_peaks must be >= 0"):
        ventricular_flutter(x, fs, r_peaks=[-1, 10])
    with pytest.raises(ValueError, match="r_peaks must be sorted"):
        ventricular_flutter(x, fs, r_peaks=[30, 10])
    assert ventricular_flutter(x, fs, r_peaks=[]).shape == (1, 2)
    for bad in ("2", None, True):
        with pytest.raises(TypeError, match="window_s must be a number"):
            vf_filter_leakage(np.zeros(2000), fs, window_s=bad)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="window_s"):
            vf_filter_leakage(np.zeros(2000), fs, window_s=bad)
        with pytest.raises(ValueError, match="step_s"):
            vf_filter_leakage(np.zeros(2000), fs, step_s=bad)


def test_ludb_strips_hold_no_flutter(ludb_dir: Path) -> None:
    import wfdb

    for number in range(1, 201, 9):
        signal = np.asarray(wfdb.rdrecord(str(ludb_dir / "data" / str(number))).p_signal)
        for lead in range(signal.shape[1]):
            x = clean(signal[:, lead], 500.0)
            assert ventricular_flutter(x, 500.0).shape == (0, 2), (number, lead)
            # and at a Holter's 128 Hz
            low = clean(resample(signal[:, lead], 500.0, 128.0), 128.0)
            assert ventricular_flutter(low, 128.0).shape == (0, 2), (number, lead)
