"""The ``r_wave`` fiducial: beats placed on the R wave of leads whose QRS is mostly negative."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.signal import FIDUCIALS, detect_r_peaks, refine_peaks

RR_S = 0.8
N_BEATS = 12


def wave(t: np.ndarray, at_s: float, height_mv: float, width_s: float) -> np.ndarray:
    return height_mv * np.exp(-0.5 * ((t - at_s) / width_s) ** 2)


def complexes(
    fs: float, waves: list[tuple[float, float, float]], gain: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Beats every 0.8 s, each the sum of ``waves`` (offset s from the beat, mV, width s).

    Returns the signal and the sample of each beat's time 0.
    """
    t = np.arange(round((N_BEATS + 1) * RR_S * fs)) / fs
    beats = RR_S * np.arange(1, N_BEATS + 1) - RR_S / 2
    x = np.zeros_like(t)
    for beat in beats:
        for offset, height, width in waves:
            x += wave(t, beat + offset, height, width)
    return gain * x, np.round(beats * fs).astype(np.int64)


# a small r 30 ms before a deep S, then an upright T (V1-V2)
RS = [(0.0, 0.3, 0.008), (0.03, -1.0, 0.01), (0.3, 0.25, 0.05)]
# a deep Q, then a terminal r 35 ms after it, then an inverted T (aVR)
QR = [(0.0, -1.0, 0.01), (0.035, 0.25, 0.008), (0.3, -0.2, 0.05)]
# a QS complex with the ST segment raised into a slow hump 70 ms after the nadir
QS_ST = [(0.0, -1.0, 0.012), (0.07, 0.35, 0.03), (0.3, 0.3, 0.05)]
# an upright R with a small s (leads I, II, V5-V6)
QRS_UPRIGHT = [(0.0, 1.0, 0.01), (0.03, -0.2, 0.008), (0.3, 0.3, 0.05)]


def placement_error(found: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Distance in samples of each wave in ``where`` to the nearest beat found."""
    return np.abs(found[np.abs(found[:, None] - where[None, :]).argmin(axis=0)] - where)


@pytest.mark.parametrize("fs", [250.0, 360.0, 500.0])
def test_rs_complex_is_placed_on_its_small_r_not_on_the_deep_s(fs):
    x, start = complexes(fs, RS)
    r_wave = detect_r_peaks(x, fs, fiducial="r_wave")
    extremum = detect_r_peaks(x, fs)
    assert r_wave.size == extremum.size == N_BEATS
    assert placement_error(r_wave, start).max() <= 1
    s_wave = start + round(0.03 * fs)
    assert placement_error(extremum, s_wave).max() <= 1


def test_qr_complex_is_placed_on_the_terminal_r_after_the_q():
    fs = 500.0
    x, start = complexes(fs, QR)
    found = detect_r_peaks(x, fs, fiducial="r_wave")
    assert found.size == N_BEATS
    assert placement_error(found, start + round(0.035 * fs)).max() <= 1


def test_qs_complex_keeps_its_nadir_and_a_raised_st_is_not_taken_for_an_r_wave():
    fs = 500.0
    x, start = complexes(fs, QS_ST)
    found = detect_r_peaks(x, fs, fiducial="r_wave")
    assert found.size == N_BEATS
    assert placement_error(found, start).max() <= 1


@pytest.mark.parametrize("waves", [QRS_UPRIGHT, [(0.0, -1.0, 0.012)]], ids=["qRs", "QS"])
def test_fiducials_agree_where_the_r_wave_is_the_extremum_or_absent(waves):
    x, _ = complexes(360.0, waves)
    np.testing.assert_array_equal(
        detect_r_peaks(x, 360.0, fiducial="r_wave"), detect_r_peaks(x, 360.0)
    )


def test_an_inverted_lead_has_its_r_wave_where_the_original_had_its_s():
    fs = 500.0
    x, start = complexes(fs, QRS_UPRIGHT)
    found = detect_r_peaks(-x, fs, fiducial="r_wave")
    assert placement_error(found, start + round(0.03 * fs)).max() <= 1
    np.testing.assert_array_equal(detect_r_peaks(-x, fs), detect_r_peaks(x, fs))


@given(
    r_height=st.floats(0.2, 0.9),  # twice the 10 % below which a QRS counts as QS and more
    r_before_s=st.floats(0.02, 0.045),
    terminal=st.booleans(),
    fs=st.sampled_from([250.0, 360.0, 500.0, 1000.0]),
    gain=st.floats(1e-3, 1e3),
)
def test_r_wave_is_found_on_either_side_at_any_gain(r_height, r_before_s, terminal, fs, gain):
    sign = 1.0 if terminal else -1.0
    waves = [(0.0, -1.0, 0.01), (sign * r_before_s, r_height, 0.008), (0.3, 0.25, 0.05)]
    x, start = complexes(fs, waves, gain)
    found = detect_r_peaks(x, fs, fiducial="r_wave")
    assert found.dtype == np.int64
    assert np.all(np.diff(found) > 0)
    assert found.size == N_BEATS
    # the S wave's flank moves the r's maximum off its centre: the truth is the maximum
    r_centre = start + round(sign * r_before_s * fs)
    reach = round(0.008 * fs)
    around = r_centre[:, None] + np.arange(-reach, reach + 1)
    r_at = around[np.arange(N_BEATS), x[around].argmax(axis=1)]
    assert placement_error(found, r_at).max() <= max(1, round(0.002 * fs))
    np.testing.assert_array_equal(found, detect_r_peaks(x / gain, fs, fiducial="r_wave"))


def test_refine_peaks_takes_the_same_fiducials_and_rejects_others():
    x, start = complexes(500.0, RS)
    near = start + 10
    assert placement_error(refine_peaks(x, near, 500.0, fiducial="r_wave"), start).max() <= 1
    assert FIDUCIALS == ("extremum", "r_wave")
    with pytest.raises(ValueError, match="fiducial must be one of extremum, r_wave"):
        refine_peaks(x, near, 500.0, fiducial="R")
    with pytest.raises(ValueError, match="fiducial"):
        detect_r_peaks(np.zeros(1000), 500.0, fiducial="peak")
