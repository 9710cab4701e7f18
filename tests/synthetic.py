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


def _gauss(t, centre, width, height):
    return height * np.exp(-0.5 * ((t - centre) / width) ** 2)


def paced_ecg(n_beats=10, *, fs=500.0, rr_s=0.8, paced=None, spike_mv=0.5, seed=0):
    """An ECG (mV) of P, QRS and T waves; where ``paced`` (beat numbers, default all) a
    pacemaker spike (a jump of ``spike_mv`` within a sample and a 4-ms decay) 80 ms before
    a wide QRS instead. Returns the signal, the R peaks and the spikes' first samples."""
    rng = np.random.default_rng(seed)
    paced = tuple(range(n_beats)) if paced is None else paced
    r_peaks = np.round((0.6 + rr_s * np.arange(n_beats)) * fs).astype(np.int64)
    n = int(r_peaks[-1] + fs)
    t = np.arange(n) / fs
    x = 0.01 * rng.standard_normal(n)
    spikes = []
    for i, r in enumerate(r_peaks):
        tr = r / fs
        x += _gauss(t, tr + 0.25, 0.04, 0.25)  # T wave
        if i in paced:
            x += _gauss(t, tr, 0.03, -0.8)  # wide paced QRS, its R peak at tr
            start = int(r - round(0.08 * fs))
            x[start : start + 12] += spike_mv * np.exp(-np.arange(12) / (0.004 * fs))
            spikes.append(start)
        else:
            x += _gauss(t, tr - 0.16, 0.02, 0.12) + _gauss(t, tr, 0.01, 1.2)
    return x, r_peaks, np.asarray(spikes, dtype=np.int64)
