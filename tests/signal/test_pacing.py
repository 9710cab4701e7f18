"""Pacemaker spikes and paced beats (ecgkit.signal.pacing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.signal import (
    PACED_HALF_WINDOW,
    PACED_MIN_SHARE,
    PACED_WINDOW_S,
    detect_r_peaks,
    paced_beats,
    paced_from_delays,
    pacemaker_spikes,
    pacing_spike_delays,
    resample,
)

from ..synthetic import paced_ecg as _ecg

FS = 500.0


def test_spikes_are_found_where_they_leave_the_baseline() -> None:
    x, _, spikes = _ecg()
    assert np.array_equal(pacemaker_spikes(x, FS), spikes)


def test_every_paced_beat_is_flagged_and_an_unpaced_recording_has_none() -> None:
    x, r_peaks, _ = _ecg()
    assert paced_beats(x, FS, r_peaks).all()
    unpaced, r_unpaced, _ = _ecg(paced=())
    assert pacemaker_spikes(unpaced, FS).size == 0
    assert not paced_beats(unpaced, FS, r_unpaced).any()


def test_a_beat_placed_on_the_spike_itself_is_paced_and_one_before_it_is_not() -> None:
    x, _, spikes = _ecg()
    assert paced_beats(x, FS, spikes).all()
    assert not paced_beats(x, FS, spikes - 5).any()


@pytest.mark.parametrize("factor", [2, 4])
def test_a_spike_spread_over_samples_at_a_high_rate_is_found(factor: int) -> None:
    # resampled from 500 Hz, the jump spreads over 2-4 samples (a band-limited front end)
    x, r_peaks, _ = _ecg()
    fast = resample(x, FS, factor * FS)
    assert paced_beats(fast, factor * FS, r_peaks * factor).all()
    unpaced, r_unpaced, _ = _ecg(paced=())
    assert not paced_beats(
        resample(unpaced, FS, factor * FS), factor * FS, r_unpaced * factor
    ).any()


def test_beats_are_paced_only_where_most_beats_have_a_spike() -> None:
    half = int(np.ceil(PACED_MIN_SHARE * 10))
    x, r_peaks, _ = _ecg(paced=tuple(range(half)))
    assert np.array_equal(paced_beats(x, FS, r_peaks), np.arange(10) < half)
    fewer, r_fewer, _ = _ecg(paced=tuple(range(half - 1)))
    assert not paced_beats(fewer, FS, r_fewer).any()


def test_a_pacemaker_that_paces_part_of_a_long_recording_is_found_there() -> None:
    # 60 paced beats after 140 unpaced ones: under half of the recording's beats, but
    # most of the beats around each of them
    assert PACED_HALF_WINDOW < 60  # longer than a window's half, under half the beats
    x, r_peaks, _ = _ecg(n_beats=200, paced=tuple(range(140, 200)))
    flags = paced_beats(x, FS, r_peaks)
    assert np.array_equal(flags, np.arange(200) >= 140)


def test_glitches_at_any_time_are_not_a_pacemaker_even_before_most_beats() -> None:
    # at 170 bpm the 0.35-s windows cover most of the time: one-sample glitches three
    # times a second land in most of them, but at any delay from the R peak
    x, r_peaks, _ = _ecg(n_beats=120, rr_s=0.35, paced=())
    rng = np.random.default_rng(3)
    glitches = np.sort(rng.choice(x.size - 2, size=int(3 * x.size / FS), replace=False))
    x[glitches] += 0.5
    delays = pacing_spike_delays(x, FS, r_peaks)
    assert np.isfinite(delays).mean() > PACED_MIN_SHARE  # a spike before most beats ...
    assert not paced_beats(x, FS, r_peaks).any()  # ... but not one that starts them


def test_a_clipped_r_wave_falling_from_its_plateau_is_not_a_spike() -> None:
    x, r_peaks, _ = _ecg(paced=())
    clipped = np.minimum(x, 0.6)
    for r in r_peaks:  # a fast fall from the rail 10 ms after the R peak
        clipped[r + 5] = -0.3
    assert not paced_beats(clipped, FS, r_peaks).any()


def test_a_spike_on_a_qrs_upstroke_is_not_taken() -> None:
    # the jump must leave a flat baseline: one on a steep upstroke is the QRS's own
    x, r_peaks, _ = _ecg(paced=())
    for r in r_peaks:
        x[r - 3] += 0.3
    assert not paced_beats(x, FS, r_peaks).any()


def test_an_abrupt_qrs_onset_is_not_a_spike() -> None:
    # a jump off a flat PR segment followed by jumps as steep (the QRS's own upstroke)
    x, r_peaks, _ = _ecg(paced=())
    for r in r_peaks:
        x[r - 20 : r - 9] += 0.3 * np.arange(11)
        x[r - 9 : r + 2] += 0.3 * np.arange(10, -1, -1)
    assert not paced_beats(x, FS, r_peaks).any()


def test_a_one_step_jump_of_a_coarse_converter_is_not_a_spike() -> None:
    # noiseless and rounded to 5 uV, a baseline one step higher from 300 ms before each
    # beat (before its P wave) leaves a flat line and stays flat: too small against the
    # lead's span
    x, r_peaks, _ = _ecg(paced=())
    x = np.round((x - 0.01 * np.random.default_rng(0).standard_normal(x.size)) / 0.005) * 0.005
    for r in r_peaks:
        x[r - 150 :] += 0.005
    assert not paced_beats(x, FS, r_peaks).any()


def test_spikes_in_one_lead_of_several_flag_the_beats() -> None:
    x, r_peaks, _ = _ecg()
    unpaced, _, _ = _ecg(paced=())
    both = np.stack([unpaced, x])
    delays = pacing_spike_delays(both, FS, r_peaks)
    assert delays.shape == (2, r_peaks.size)
    assert np.isnan(delays[0]).all()
    assert np.allclose(delays[1], 0.08)  # each spike 80 ms before its R peak
    assert paced_beats(both, FS, r_peaks).all()
    assert paced_beats(both.T, FS, r_peaks, axis=0).all()


@given(
    power=st.integers(-8, 8),
    offset_quarters=st.integers(-40, 40),
    paced=st.sets(st.integers(0, 9), max_size=10),
)
def test_the_test_is_the_same_at_any_gain_and_offset(
    power: int, offset_quarters: int, paced: set[int]
) -> None:
    x, r_peaks, _ = _ecg(paced=tuple(sorted(paced)), seed=len(paced))
    x = np.round(x * 1024) / 1024  # exact in binary: scaling and offsets lose nothing
    moved = x * 2.0**power + offset_quarters / 4
    assert np.array_equal(pacemaker_spikes(moved, FS), pacemaker_spikes(x, FS))
    flags = paced_beats(x, FS, r_peaks)
    assert np.array_equal(paced_beats(moved, FS, r_peaks), flags)
    assert flags.sum() in (0, len(paced))


@given(
    paced=st.sets(st.integers(0, 29), max_size=30),
    rr_s=st.floats(0.4, 1.2),
    spike_mv=st.floats(0.05, 2.0),
    seed=st.integers(0, 50),
)
def test_delays_lie_in_the_window_and_only_beats_with_one_are_paced(
    paced: set[int], rr_s: float, spike_mv: float, seed: int
) -> None:
    x, r_peaks, _ = _ecg(30, rr_s=rr_s, paced=tuple(sorted(paced)), spike_mv=spike_mv, seed=seed)
    delays = pacing_spike_delays(np.stack([x, -x]), FS, r_peaks)
    found = delays[np.isfinite(delays)]
    assert np.all((found >= PACED_WINDOW_S[1]) & (found <= PACED_WINDOW_S[0]))
    flags = paced_beats(np.stack([x, -x]), FS, r_peaks)
    assert not (flags & ~np.isfinite(delays).any(axis=0)).any()
    assert np.array_equal(flags, paced_beats(-x, FS, r_peaks))  # a lead's sign is no matter


def test_bad_input_is_refused() -> None:
    x, r_peaks, _ = _ecg()
    with pytest.raises(ValueError, match="NaN"):
        pacemaker_spikes(np.where(np.arange(x.size) == 7, np.nan, x), FS)
    with pytest.raises(ValueError, match="dimension"):
        pacemaker_spikes(np.stack([x, x]), FS)
    with pytest.raises(ValueError, match="fs"):
        pacemaker_spikes(x, 0.0)
    with pytest.raises(ValueError, match="peaks"):
        paced_beats(x, FS, r_peaks[::-1])
    with pytest.raises(ValueError, match="peaks"):
        paced_beats(x, FS, [x.size + 3])
    with pytest.raises(ValueError, match="delays"):
        paced_from_delays(np.ones(4))
    with pytest.raises(TypeError, match="delays"):
        paced_from_delays(np.ones((2, 4), dtype=bool))
    assert pacemaker_spikes([0.0], FS).size == 0
    assert paced_beats(x, FS, np.zeros(0, dtype=np.int64)).size == 0


def _ludb(ludb_dir: Path, number: int) -> tuple[np.ndarray, float]:
    import wfdb

    record = wfdb.rdrecord(str(ludb_dir / "data" / str(number)))
    return np.asarray(record.p_signal, dtype=np.float64), float(record.fs)


def test_ludb_paced_strips_are_found_and_sinus_strips_are_not(ludb_dir: Path) -> None:
    # 104: unipolar ventricular pacing (spikes in lead II); 72: P-synchronous pacing
    # whose spikes show in other leads than II; 1-5: sinus strips without a pacemaker
    for number, paced in ((104, True), (72, True), (1, False), (2, False), (3, False)):
        signal, fs = _ludb(ludb_dir, number)
        r_peaks = detect_r_peaks(signal[:, 1], fs)
        flags = paced_beats(signal, fs, r_peaks, axis=0)
        assert flags.mean() >= 0.9 if paced else not flags.any(), number


def test_mitdb_unpaced_record_has_no_paced_beats(mitdb_dir: Path) -> None:
    import wfdb

    record = wfdb.rdrecord(str(mitdb_dir / "100"), sampto=108_000)
    signal = np.asarray(record.p_signal, dtype=np.float64)
    r_peaks = detect_r_peaks(signal[:, 0], record.fs)
    assert not paced_beats(signal, record.fs, r_peaks, axis=0).any()
