"""Seeded ECG noise of the kinds in the MIT-BIH Noise Stress Test, at a chosen SNR.

The Noise Stress Test (Moody, Muldrow and Mark, 1984) adds recorded baseline wander (bw),
muscle artefact (ma) and electrode motion (em) to clean records 118 and 119, from minute 5
on, in alternating 2-minute blocks. Those recordings are not redistributable with a
library, so this module synthesises noise with the same character, plus powerline (pl):

- bw: respiration-like sinusoids and a random walk below 1 Hz;
- ma: broadband (5-100 Hz) Gaussian noise with a bursty envelope, as muscle activity;
- em: electrode-motion-like steps that relax exponentially, plus 1-15 Hz motion bursts
  that overlap the QRS band (the hardest kind, as in the real NST);
- pl: 60 Hz powerline with slow amplitude and frequency wander.

The SNR follows the NST definition: signal power is the square of the median peak-to-peak
QRS amplitude divided by 8, noise power is the mean square of the noise where it is on.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy import signal as sps

NOISE_KINDS = ("bw", "ma", "em", "pl", "mix")


def _unit_rms(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.mean(x**2))


def _band(x: np.ndarray, fs: float, low: float | None, high: float | None) -> np.ndarray:
    if low and high:
        sos = sps.butter(2, [low, min(high, 0.45 * fs)], "bandpass", fs=fs, output="sos")
    elif low:
        sos = sps.butter(2, low, "highpass", fs=fs, output="sos")
    else:
        sos = sps.butter(2, high, "lowpass", fs=fs, output="sos")
    return sps.sosfiltfilt(sos, x)


def baseline_wander(n: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / fs
    x = sum(
        rng.uniform(0.5, 1.0) * np.sin(2 * np.pi * rng.uniform(0.05, 0.5) * t + rng.uniform(0, 6.3))
        for _ in range(3)
    )
    walk = _band(np.cumsum(rng.normal(size=n)), fs, None, 0.5)
    return _unit_rms(_unit_rms(np.asarray(x)) + 0.7 * _unit_rms(walk - walk.mean()))


def muscle(n: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    white = _band(rng.normal(size=n), fs, 5.0, 100.0)
    envelope = 1.0 + 0.8 * np.abs(_band(rng.normal(size=n), fs, None, 0.3))
    return _unit_rms(white * envelope / envelope.mean())


def electrode_motion(n: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    steps = np.zeros(n)
    n_steps = rng.poisson(0.5 * n / fs)
    steps[rng.integers(0, n, n_steps)] = rng.normal(size=n_steps)
    tau = 0.3 * fs
    kernel = np.exp(-np.arange(int(5 * tau)) / tau)
    relax = sps.fftconvolve(steps, kernel)[:n]
    bursts = _band(rng.normal(size=n), fs, 1.0, 15.0)
    gate = _band(rng.normal(size=n), fs, None, 0.2)
    bursts *= gate > np.quantile(gate, 0.6)
    return _unit_rms(_unit_rms(relax) + _unit_rms(bursts + 1e-12))


def powerline(n: int, fs: float, rng: np.random.Generator, freq: float = 60.0) -> np.ndarray:
    t = np.arange(n) / fs
    drift = 0.2 * _band(rng.normal(size=n), fs, None, 0.05)
    amplitude = 1.0 + 0.1 * _unit_rms(_band(rng.normal(size=n), fs, None, 0.1))
    phase = 2 * np.pi * freq * t + np.cumsum(drift) / fs + rng.uniform(0, 6.3)
    return _unit_rms(amplitude * np.sin(phase))


def make_noise(kind: str, n: int, fs: float, seed: int) -> np.ndarray:
    """Unit-RMS noise of ``kind`` (one of :data:`NOISE_KINDS`), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    makers = {"bw": baseline_wander, "ma": muscle, "em": electrode_motion}
    if kind in makers:
        return makers[kind](n, fs, rng)
    if kind == "pl":
        return powerline(n, fs, rng)
    if kind == "mix":
        parts = [baseline_wander(n, fs, rng), muscle(n, fs, rng), electrode_motion(n, fs, rng)]
        return _unit_rms(sum(parts) + 0.5 * powerline(n, fs, rng))
    raise ValueError(f"kind must be one of {NOISE_KINDS}, got {kind!r}")


def nst_gate(n: int, fs: float, start_s: float = 300.0, block_s: float = 120.0) -> np.ndarray:
    """True where the NST adds noise: from ``start_s`` on, alternating ``block_s`` blocks."""
    t = np.arange(n) / fs
    return (t >= start_s) & (((t - start_s) // block_s) % 2 == 0)


def qrs_power(x: np.ndarray, fs: float, r_peaks: np.ndarray) -> float:
    """NST signal power: (median peak-to-peak QRS amplitude) squared, divided by 8."""
    half = int(0.05 * fs)
    inside = r_peaks[(r_peaks >= half) & (r_peaks < x.size - half)]
    windows = np.stack([x[r - half : r + half] for r in inside])
    return float(np.median(np.ptp(windows, axis=1)) ** 2 / 8)


def add_nst_noise(
    x: np.ndarray, fs: float, r_peaks: np.ndarray, kind: str, snr_db: float, record: str
) -> np.ndarray:
    """Add seeded noise of ``kind`` at ``snr_db`` in the NST's alternating blocks."""
    seed = zlib.crc32(f"{record}:{kind}:{snr_db}".encode())
    gate = nst_gate(x.size, fs)
    noise = make_noise(kind, x.size, fs, seed)
    noise_power = qrs_power(x, fs, r_peaks) / 10 ** (snr_db / 10)
    scale = np.sqrt(noise_power / np.mean(noise[gate] ** 2))
    return x + scale * noise * gate
