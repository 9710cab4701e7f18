import numpy as np
import pytest

from ecgkit.data import load_example
from ecgkit.signal import detect_r_peaks
from ecgkit.signal._validation import as_signal, samples_first_hint


def test_record_signal_passed_leads_first_gets_an_axis_0_hint():
    record, _ = load_example("100")  # signal [108000, 1]: samples first
    with pytest.raises(
        ValueError,
        match=r"along axis 1, got 1; the array looks samples-first \(shape \(108000, 1\)\): "
        r"pass axis=0",
    ):
        detect_r_peaks(record.signal, record.fs)
    assert detect_r_peaks(record.signal[:3600], record.fs, axis=0).size > 5


def test_too_short_error_names_the_longest_axis_of_a_samples_first_array():
    with pytest.raises(
        ValueError, match=r"needs at least 16 samples along axis 2, got 2; .*axis=1"
    ):
        as_signal(np.zeros((3, 5000, 2)), min_samples=16)


@pytest.mark.parametrize(
    ("shape", "axis", "min_samples"),
    [
        ((2, 10), -1, 16),  # leads first but genuinely short: no hint
        ((20, 40), 0, 30),  # time axis longer than any lead count
        ((8, 12), 0, 10),  # the other axis is not much longer
        ((5,), 0, 10),  # 1-D: nothing to swap with
    ],
)
def test_no_hint_when_the_array_does_not_look_samples_first(shape, axis, min_samples):
    ax = axis % len(shape)
    assert samples_first_hint(shape, ax, min_samples) == ""
    with pytest.raises(ValueError, match=r"too short") as error:
        as_signal(np.zeros(shape), axis=axis, min_samples=min_samples)
    assert "samples-first" not in str(error.value)


def test_a_filter_given_a_samples_first_record_says_pass_axis_0():
    from ecgkit.signal import bandpass

    with pytest.raises(ValueError, match="pass axis=0"):
        bandpass(np.zeros((3600, 2)), 360.0, 0.5, 40.0)
