"""Inputs that used to give a silently wrong result: each now gives the right one or an error."""

import warnings

import numpy as np
import pytest

from ecgkit.data import load_example
from ecgkit.signal import detect_r_peaks


@pytest.mark.parametrize("value", [0.0, 0.5, 1.0, 1.23, 100.0, -3.0])
@pytest.mark.parametrize("method", ["ecgkit", "neurokit"])
def test_a_flat_line_has_no_heartbeat(value, method):
    with pytest.warns(UserWarning, match="flat"):
        peaks = detect_r_peaks(np.full(21600, value), 360.0, method=method)
    assert peaks.size == 0


def test_a_lead_off_beside_a_working_lead_does_not_change_the_beats():
    record, _ = load_example("100")
    lead = record.signal[:, 0]
    alone = detect_r_peaks(lead, 360.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for position in (0, 1):
            both = np.stack([lead, np.full_like(lead, 1.0)])[:: 1 if position == 0 else -1]
            np.testing.assert_array_equal(
                detect_r_peaks(both, 360.0, reference_lead=position), alone
            )
