from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import butter, sosfilt

from ecgkit.data import EXAMPLE_RECORDS, load_example
from ecgkit.signal import calibration_pulses, detect_r_peaks, resample

ECG = np.asarray(load_example("100")[0].signal[: 360 * 20, 0], dtype=np.float64)


def _train(fs, *, height=1.0, width_s=0.2, n=3, period_s=1.0, lead_in_s=0.2):
    """``n`` rectangular pulses on a flat line, the first ``lead_in_s`` after its start."""
    x = np.zeros(round((lead_in_s + n * period_s) * fs))
    for k in range(n):
        start = round((lead_in_s + k * period_s) * fs)
        x[start : start + round(width_s * fs)] = height
    return x


def _ecg(fs):
    return resample(ECG, 360.0, fs) if fs != 360.0 else ECG


def _with_train(fs, where="start", **train):
    cal, ecg = _train(fs, **train), _ecg(fs)
    if where == "start":
        return np.concatenate([cal + ecg[0], ecg]), cal.size
    return np.concatenate([ecg, cal + ecg[-1]]), cal.size


@pytest.mark.parametrize("fs", [50.0, 128.0, 250.0, 360.0, 500.0, 1000.0])
@pytest.mark.parametrize("height", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("width_s", [0.1, 0.2, 0.5])
def test_a_calibration_train_before_or_after_an_ecg_is_found_up_to_its_last_pulse(
    fs, height, width_s
):
    x, size = _with_train(fs, height=height, width_s=width_s)
    found = calibration_pulses(x, fs)
    last_pulse_ends = round((0.2 + 2.0 + width_s) * fs)
    assert found.shape == (1, 2)
    assert found[0, 0] == 0
    assert last_pulse_ends < found[0, 1] <= size + round(0.05 * fs)
    # the same train after the ECG, reaching the last sample
    x, size = _with_train(fs, "end", height=height, width_s=width_s)
    found = calibration_pulses(x, fs)
    assert found.shape == (1, 2)
    assert found[0, 1] == x.size
    assert x.size - size - round(0.05 * fs) <= found[0, 0] < x.size - size + round(0.2 * fs)


@pytest.mark.parametrize("fs", [250.0, 500.0, 1000.0])
def test_a_train_a_recorder_filtered_is_found(fs):
    # a 100 Hz low-pass (rounded, ringing edges) and a 0.05 Hz high-pass (drooping
    # plateaus, 15 % over a 0.5 s pulse), with 0.01 mV of noise
    for width_s in (0.2, 0.5):
        x, size = _with_train(fs, width_s=width_s)
        x = sosfilt(butter(2, 100.0, fs=fs, output="sos"), x - x[0])
        x = sosfilt(butter(1, 0.05, "high", fs=fs, output="sos"), x)
        x += 0.01 * np.random.default_rng(0).standard_normal(x.size)
        found = calibration_pulses(x, fs)
        assert found.shape == (1, 2)
        assert found[0, 0] == 0
        assert round((2.2 + width_s) * fs) < found[0, 1] <= size + round(0.05 * fs)


def test_the_bundled_excerpts_have_no_calibration_train():
    for record in EXAMPLE_RECORDS:
        signal = np.asarray(load_example(record)[0].signal, dtype=np.float64)
        assert calibration_pulses(signal, 360.0, axis=0, inside=True).shape == (0, 2), record
        # every 10-s strip of the first minute, each read as a recording of its own
        for start in range(0, 360 * 60, 3600):
            strip = signal[start : start + 3600]
            assert calibration_pulses(strip, 360.0, axis=0).shape == (0, 2), (record, start)


def _inside(fs, at_s=10.0, **train):
    """The 20-s ECG with ``train`` (flat before its first pulse) in place of it from ``at_s``."""
    cal, ecg = _train(fs, **train), _ecg(fs)
    at = round(at_s * fs)
    x = ecg.copy()
    x[at : at + cal.size] = cal + ecg[at]
    return x, at, cal.size


@pytest.mark.parametrize("fs", [50.0, 128.0, 360.0, 1000.0])
@pytest.mark.parametrize(("width_s", "period_s"), [(0.2, 1.0), (0.5, 1.0), (0.1, 0.5)])
def test_a_test_signal_inside_a_recording_is_found_from_its_first_to_its_last_pulse(
    fs, width_s, period_s
):
    # a pulse a second, a 1 Hz square wave, a pulse every half second; 3 or 5 pulses
    for n in (3, 5):
        x, at, _ = _inside(fs, width_s=width_s, period_s=period_s, n=n, lead_in_s=0.3)
        first = at + round(0.3 * fs)
        last_ends = first + round((n - 1) * period_s * fs) + round(width_s * fs)
        found = calibration_pulses(x, fs, ends=(), inside=True)
        assert found.shape == (1, 2), n
        slack = max(round(0.05 * fs), 4)  # the flat stretch beside an edge: 3 samples or more
        assert first - slack <= found[0, 0] < first
        assert last_ends < found[0, 1] <= last_ends + slack
        # with the ends searched too, the same (the ECG's ends hold no train)
        np.testing.assert_array_equal(calibration_pulses(x, fs, inside=True), found)
        # and not without inside
        assert calibration_pulses(x, fs).shape == (0, 2)


def test_a_filtered_noisy_test_signal_inside_is_found_and_its_sign_does_not_matter():
    fs = 500.0
    x, at, _ = _inside(fs, width_s=0.5, n=4, lead_in_s=0.3)
    x = sosfilt(butter(2, 100.0, fs=fs, output="sos"), x - x[0])
    x = sosfilt(butter(1, 0.05, "high", fs=fs, output="sos"), x)
    x += 0.01 * np.random.default_rng(1).standard_normal(x.size)
    for sign, offset in ((1.0, 0.0), (-1.0, 3.0)):
        found = calibration_pulses(sign * x + offset, fs, ends=(), inside=True)
        assert found.shape == (1, 2)
        assert at < found[0, 0] < at + round(0.3 * fs) < found[0, 1] < at + round(4.3 * fs)


@settings(max_examples=40, deadline=None)
@given(
    offset=st.floats(-50.0, 50.0),
    sign=st.sampled_from([-1.0, 1.0]),
    height=st.floats(0.5, 2.5),
    width_s=st.floats(0.1, 0.5),
    n=st.integers(3, 6),
    level_s=st.floats(0.1, 1.5),
    at_s=st.floats(1.0, 9.0),
)
def test_a_train_inside_is_found_whatever_its_offset_sign_pulses_and_place(
    offset, sign, height, width_s, n, level_s, at_s
):
    fs = 250.0
    period_s = width_s + level_s
    x, at, _ = _inside(fs, at_s=at_s, height=height, width_s=width_s, n=n, period_s=period_s)
    x = np.concatenate([x, _ecg(fs)])  # room for the longest train
    found = calibration_pulses(sign * x + offset, fs, ends=(), inside=True)
    assert found.shape == (1, 2)
    # from within 40 ms before the first edge (an ideal edge's alignments tie: the first is
    # taken) to within 40 ms after the last
    first = at + round(0.2 * fs)
    assert first - 0.04 * fs <= found[0, 0] < first
    last_ends = first + round((n - 1) * period_s * fs) + round(width_s * fs)
    assert last_ends < found[0, 1] <= last_ends + 0.04 * fs
    # the output depends on the shape alone
    np.testing.assert_array_equal(found, calibration_pulses(x, fs, ends=(), inside=True))


def test_inside_a_recording_only_three_pulses_at_one_period_are_a_train():
    fs = 360.0
    # two pulses are not (nor is one: a deep V1 complex or a rail makes a rectangle)
    x, _, _ = _inside(fs, n=2)
    assert calibration_pulses(x, fs, inside=True).shape == (0, 2)
    x, _, _ = _inside(fs, n=3)
    assert calibration_pulses(x, fs, inside=True).shape == (1, 2)
    # pulses of different widths, heights or spacing are no clock's
    for widths, heights, starts in (
        ((0.2, 0.3, 0.2), (1.0, 1.0, 1.0), (0.2, 1.2, 2.2)),
        ((0.2, 0.2, 0.2), (1.0, 0.6, 1.0), (0.2, 1.2, 2.2)),
        ((0.2, 0.2, 0.2), (1.0, 1.0, 1.0), (0.2, 1.2, 1.7)),
        ((0.2, 0.2, 0.2), (1.0, -1.0, 1.0), (0.2, 1.2, 2.2)),  # one pointing down
    ):
        x = ECG.copy()
        at = round(5 * fs)
        x[at : at + round(3 * fs)] = ECG[at]
        for width, height, start in zip(widths, heights, starts, strict=True):
            first = at + round(start * fs)
            x[first : first + round(width * fs)] += height
        assert calibration_pulses(x, fs, inside=True).shape == (0, 2), (widths, heights, starts)
    # levels between the pulses shorter than a pulse may be, or longer
    for period_s in (0.26, 2.5):
        x, _, _ = _inside(fs, at_s=5.0, n=4, period_s=period_s)
        assert calibration_pulses(x, fs, inside=True).shape == (0, 2), period_s
    x, _, _ = _inside(fs, n=4)
    assert calibration_pulses(x, fs, inside=True).shape == (1, 2)
    # a wave between the second and third pulse (no steep edge, a T wave's shape): the
    # level is not flat, and neither run of two pulses is a train
    t = np.arange(x.size) / fs
    x += 0.3 * np.exp(-0.5 * ((t - (10.2 + 1.6)) / 0.05) ** 2)
    assert calibration_pulses(x, fs, inside=True).shape == (0, 2)


def test_a_rectangle_after_a_beat_is_no_calibration():
    # the same pulse, but an ECG before it: the ECG has started (an amplifier at its
    # limit inside a recording, as MIT-BIH 200's V1 has, is no calibration)
    fs = 360.0
    pulse = _train(fs, n=1, period_s=0.6)
    x = np.concatenate([ECG[:720], pulse + ECG[719], ECG[720:] + ECG[719] - ECG[720]])
    assert calibration_pulses(x, fs, ends=["start"]).shape == (0, 2)
    # and one in the middle of a recording is never looked at
    x = np.concatenate([ECG, pulse + ECG[-1], ECG + ECG[-1] - ECG[0]])
    assert calibration_pulses(x, fs).shape == (0, 2)


def test_the_flat_stretch_between_two_steep_waves_is_no_pulse():
    # two clipped waves (at +1 mV, 60 ms) around a flat baseline: the steep edges and the
    # flat level between them are the lead's baseline, not a plateau away from it
    fs = 360.0
    x = np.zeros(round(4 * fs))
    for start_s in (0.0, 0.5, 1.0):
        start = round(start_s * fs)
        x[start : start + round(0.06 * fs)] = 1.0
    x[round(1.5 * fs) :] = ECG[: x.size - round(1.5 * fs)] - ECG[0]
    assert calibration_pulses(x, fs).shape == (0, 2)


def test_pulses_too_short_too_long_too_large_or_not_coming_back_are_not_taken():
    fs = 360.0
    ecg = _ecg(fs)
    for train in (
        {"width_s": 0.05},  # a QRS's flat part is shorter
        {"width_s": 2.5, "period_s": 3.0},
        {"height": 4.0},  # an amplifier at its limit, not a standard pulse
        {"height": 0.1},
    ):
        cal = _train(fs, **train)
        assert calibration_pulses(np.concatenate([cal, ecg - ecg[0]]), fs).shape == (0, 2), train
    # a step that does not come back within a quarter of it
    cal = _train(fs, n=1)
    cal[round(0.4 * fs) :] = 0.5
    assert calibration_pulses(np.concatenate([cal, ecg - ecg[0] + 0.5]), fs).shape == (0, 2)


def test_a_rectangle_small_beside_the_beats_or_with_a_wave_on_it_is_no_calibration():
    fs = 360.0
    ecg = 3.0 * (_ecg(fs) - ECG[0])  # beats spanning about 5 mV
    # 0.3 mV: under a tenth of the lead's span (a digitised trace's flat stretches, such
    # as LUDB's, hold small rectangles)
    small = _train(fs, height=0.3, n=1)
    assert calibration_pulses(np.concatenate([small, ecg]), fs).shape == (0, 2)
    assert calibration_pulses(np.concatenate([3.0 * small, ecg]), fs).shape == (1, 2)
    # a wave riding on the plateau: not flat, not a calibration
    bumped = _train(fs, width_s=0.3, n=1)
    t = np.arange(bumped.size) / fs
    bumped += 0.3 * np.exp(-0.5 * ((t - 0.35) / 0.03) ** 2)
    assert calibration_pulses(np.concatenate([bumped, ECG - ECG[0]]), fs).shape == (0, 2)


@settings(max_examples=60, deadline=None)
@given(
    offset=st.floats(-50.0, 50.0),
    sign=st.sampled_from([-1.0, 1.0]),
    height=st.floats(0.5, 2.5),
    width_s=st.floats(0.1, 0.5),
    n=st.integers(1, 5),
    lead_in_s=st.floats(0.03, 1.0),  # an edge needs 20 ms of flat level before it
)
def test_a_train_is_found_whatever_its_offset_sign_and_pulses(
    offset, sign, height, width_s, n, lead_in_s
):
    fs = 250.0
    # at most half of the 10 s searched at the pulses' level (else the median is theirs)
    cal = _train(fs, height=height, width_s=width_s, n=n, period_s=2 * width_s, lead_in_s=lead_in_s)
    ecg = _ecg(fs)
    x = sign * np.concatenate([cal, ecg - ecg[0]]) + offset
    found = calibration_pulses(x, fs)
    assert found.shape == (1, 2)
    assert found[0, 0] == 0
    last_pulse_ends = round((lead_in_s + (n - 1) * 2 * width_s) * fs) + round(width_s * fs)
    assert last_pulse_ends < found[0, 1] <= last_pulse_ends + round(0.05 * fs)
    # the same as for the train alone before the ECG, the output depends on shape alone
    np.testing.assert_array_equal(
        found, calibration_pulses(np.concatenate([cal, ecg - ecg[0]]), fs)
    )


def test_several_leads_give_one_stretch_and_bad_input_is_refused():
    fs = 360.0
    x, size = _with_train(fs)
    both = np.stack([x, np.concatenate([np.full(size, ECG[0]), ECG])])
    found = calibration_pulses(both, fs)
    assert found.tolist() == calibration_pulses(x, fs).tolist()
    assert calibration_pulses(both.T, fs, axis=0).tolist() == found.tolist()
    assert calibration_pulses(x, fs, ends=["end"]).shape == (0, 2)
    assert calibration_pulses(x, fs, ends=[]).shape == (0, 2)
    assert calibration_pulses(x, fs, ends="start").tolist() == found.tolist()
    with pytest.raises(ValueError, match="ends"):
        calibration_pulses(x, fs, ends=["middle"])
    with pytest.raises(ValueError, match="NaN"):
        calibration_pulses(np.array([1.0, np.nan, 2.0]), fs)
    with pytest.raises(ValueError, match="at most 2 dimension"):
        calibration_pulses(np.zeros((2, 2, 10)), fs)
    with pytest.raises(ValueError, match="sampling rate"):
        calibration_pulses(x, 0.0)
    assert calibration_pulses(np.zeros(3), fs).shape == (0, 2)
    assert calibration_pulses(np.zeros(3), fs, inside=True).shape == (0, 2)
    with pytest.raises(TypeError, match="inside must be True or False"):
        calibration_pulses(x, fs, inside="yes")  # type: ignore[arg-type]


def test_ludb_strips_have_no_calibration_train(ludb_dir: Path) -> None:
    import wfdb

    for number in range(1, 201, 7):
        record = wfdb.rdrecord(str(ludb_dir / "data" / str(number)))
        for scale in (1.0, 3.0):
            signal = scale * np.asarray(record.p_signal, dtype=np.float64)
            found = calibration_pulses(signal, 500.0, axis=0, inside=True)
            assert found.shape == (0, 2), number


@pytest.mark.parametrize("fs", [100.0, 360.0, 500.0])
def test_the_detector_finds_no_beat_in_a_calibration_train_and_the_same_beats_after_it(fs):
    x, size = _with_train(fs, n=5)
    plain = detect_r_peaks(_ecg(fs), fs)
    found = detect_r_peaks(x, fs)
    # each pulse's edges had been two beats; the ECG's beats are found as without it
    np.testing.assert_array_equal(found, plain + size)
    x, size = _with_train(fs, "end", n=5)
    np.testing.assert_array_equal(detect_r_peaks(x, fs), plain)
    # in chunks (about 17 minutes in 10-minute chunks), the recording's own ends alone
    long = np.concatenate([x[: x.size - size]] * 50 + [x[x.size - size :]])
    np.testing.assert_array_equal(detect_r_peaks(long, fs, chunk_s=600), detect_r_peaks(long, fs))
