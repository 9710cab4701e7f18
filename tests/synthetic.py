"""Synthetic signals shared by the tests of several layers."""

import numpy as np


def ecg_with_atrial_waves(peaks, fs, *, p_waves=None, f_waves=False, seed=0):
    """Synthetic ECG in mV: a Gaussian QRS (1 mV, sigma 10 ms) at every R peak, a Gaussian
    P wave (0.15 mV, sigma 25 ms) 160 ms before it where ``p_waves`` says so, white noise
    (0.01 mV) and, with ``f_waves``, random 4-9 Hz fibrillatory waves (0.05 mV RMS) that
    bear no relation to the QRS complexes."""
    from scipy.signal import butter, sosfiltfilt

    rng = np.random.default_rng(seed)
    n = int(peaks[-1] + fs)
    x = rng.normal(0.0, 0.01, n)
    t = np.arange(n)
    half = int(0.15 * fs)

    def add_gaussian(centre, amplitude, sigma_s):
        lo, hi = max(int(centre) - half, 0), min(int(centre) + half, n)
        x[lo:hi] += amplitude * np.exp(-0.5 * ((t[lo:hi] - centre) / (sigma_s * fs)) ** 2)

    has_p = np.ones(peaks.size, dtype=bool) if p_waves is None else p_waves
    for r, p in zip(peaks, has_p, strict=True):
        add_gaussian(r, 1.0, 0.010)
        if p:
            add_gaussian(r - 0.16 * fs, 0.15, 0.025)
    if f_waves:
        sos = butter(2, [4.0, 9.0], "bandpass", fs=fs, output="sos")
        waves = sosfiltfilt(sos, rng.normal(size=n))
        x += 0.05 * waves / waves.std()
    return x
