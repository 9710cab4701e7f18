"""Hostile inputs to ecgkit.signal found by benchmarks/bench_hostile.py: each refused in one
line naming the argument, or answered right, never a raw numpy/scipy error or a hang."""

import time

import numpy as np
import pytest

from ecgkit.signal import (
    bandpass,
    clean,
    detect_af,
    detect_r_peaks,
    normalize,
    p_wave_consistency,
    resample,
    resample_indices,
    resampled_length,
    rr_irregularity,
    segment_beats,
)

ECG = np.sin(np.linspace(0, 60 * np.pi, 3600))
PEAKS = np.arange(100, 3500, 300)
RAGGED = [[1.0, 2.0], [3.0]]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: bandpass(RAGGED, 360, 0.5, 40), ValueError, "x must be a rectangular"),
        (lambda: detect_r_peaks(RAGGED, 360), ValueError, "rectangular"),
        (lambda: segment_beats(RAGGED, 360, [0]), ValueError, "rectangular"),
        (lambda: bandpass(ECG, 1e12, 0.5, 40), ValueError, "low_hz=0.5 Hz is below fs/1e6"),
        (lambda: clean(ECG, 1e12), ValueError, "below fs/1e6"),
        (lambda: bandpass(ECG, 360, 0.5, 40, order=100_000), ValueError, "order must be at most"),
        (lambda: clean(ECG, 360, powerline_hz="50"), TypeError, "powerline_hz"),
        (lambda: clean(ECG, 360, powerline_hz=float("nan")), ValueError, "powerline_hz"),
        (lambda: detect_af(PEAKS, 360, p_wave_threshold="0.5"), TypeError, "p_wave_threshold"),
        (lambda: detect_af(PEAKS, 360, p_wave_threshold=None), TypeError, "p_wave_threshold"),
        (
            lambda: detect_af(PEAKS, 360, clearly_absent_p_wave_threshold="0.3"),
            TypeError,
            "clearly_absent_p_wave_threshold",
        ),
        (
            lambda: detect_af(PEAKS, 360, slow_response_irregularity_threshold=None),
            TypeError,
            "slow_response_irregularity_threshold",
        ),
        (lambda: detect_r_peaks(ECG, 360, reference_lead="0"), TypeError, "reference_lead"),
        (lambda: detect_r_peaks(ECG, 360, reference_lead=1.5), TypeError, "reference_lead"),
        (lambda: normalize(ECG, axis=1.5), TypeError, "axis"),
        (lambda: normalize(ECG, axis=None), TypeError, "axis"),
        (lambda: resample(ECG, 360, 1e12), ValueError, "fs_out / fs_in"),
        (lambda: resample(ECG, 1e12, 360), ValueError, "fs_out / fs_in"),
        (lambda: resample(ECG, 360, 1e-6), ValueError, "fs_out / fs_in"),
        (lambda: resampled_length(1000, 1e12, 360), ValueError, "fs_out / fs_in"),
        (lambda: resampled_length(-5, 360, 250), ValueError, "n_samples"),
        (lambda: resampled_length("100", 360, 250), TypeError, "n_samples"),
        (lambda: resample_indices([1, 2], 360, 250, n_samples_out=0), ValueError, "n_samples_out"),
        (lambda: resample_indices([1, 2], 360, 250, n_samples_out=1.5), TypeError, "n_samples_out"),
        (lambda: segment_beats(ECG, 360, PEAKS, edge="pad", pad_value="x"), TypeError, "pad_value"),
        (lambda: segment_beats(ECG, 360, PEAKS, before_s=1e9, edge="pad"), ValueError, "60 s"),
        (lambda: p_wave_consistency(ECG, PEAKS, 1e12), ValueError, "resample it first"),
    ],
)
def test_bad_arguments_get_one_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_huge_half_window_is_the_whole_recording_not_a_huge_allocation():
    start = time.perf_counter()
    wide = rr_irregularity(PEAKS, 360, half_window=10**9)
    np.testing.assert_array_equal(wide, rr_irregularity(PEAKS, 360, half_window=PEAKS.size))
    consistency = p_wave_consistency(ECG, PEAKS, 360, half_window=10**9)
    assert consistency.shape == PEAKS.shape
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("gain", [1e200, 1e-200])
def test_detection_is_gain_invariant_where_the_squared_slope_would_overflow(gain):
    import neurokit2 as nk

    ecg = np.asarray(nk.ecg_simulate(duration=10, sampling_rate=360, heart_rate=75, random_state=0))
    np.testing.assert_array_equal(detect_r_peaks(ecg * gain, 360), detect_r_peaks(ecg, 360))


def test_one_baseline_step_is_not_a_burst_of_beats():
    # bench_hostile's detect_r_peaks/step: the 3-25 Hz band-pass rings around the step, and
    # each lobe of the ringing used to count as a beat (5 of them, 140-240 ms apart)
    step = np.concatenate([np.zeros(1800), np.ones(1800)])
    assert detect_r_peaks(step, 360).size <= 1


@pytest.mark.parametrize("at", [[900], [360, 720]])
def test_real_beats_in_a_flat_line_are_all_found(at):
    # bench_hostile's one_beat and two_beats: a lone beat is found, not taken for ringing
    x = np.zeros(5 * 360)
    spike = np.exp(-0.5 * (np.arange(-15, 16) / 4.0) ** 2)
    for centre in at:
        x[centre - 15 : centre + 16] += spike
    found = detect_r_peaks(x, 360)
    assert found.size == len(at)
    assert np.all(np.abs(found - np.asarray(at)) <= 5)
