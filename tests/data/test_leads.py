"""Lead names as recorders and exports write them (ecgkit.data.leads)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.data.leads import first_ecg_channel, lead_key, named_like_ecg


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("II", "ii"),
        ("ECG II [mV]", "ii"),
        ("EKG_II", "ii"),
        ("Lead-II", "ii"),
        ("II (mV)", "ii"),
        ("MLII", "mlii"),
        ("ECG2", "ecg2"),
        ("ECG 2", "2"),
        ("V5", "v5"),
    ],
)
def test_lead_key_reads_a_name_as_devices_write_it(name, key):
    assert lead_key(name) == key


@pytest.mark.parametrize(
    "name", ["ECG", "EKG 2", "ECG1", "V5", "MLII", "Lead II", "aVF", "DII", "II (mV)", "ecg_lead"]
)
def test_ecg_channels_are_named_like_an_ecg(name):
    assert named_like_ecg(name)


@pytest.mark.parametrize(
    "name", ["Pleth", "Resp", "SpO2", "EEG C3-A2", "Thorax", "Abdomen", "lead0", "EMG chin", "A"]
)
def test_other_channels_are_not(name):
    assert not named_like_ecg(name)


def test_first_ecg_channel():
    assert first_ecg_channel(("Pleth", "Resp", "ECG", "V1")) == 2
    assert first_ecg_channel(("Pleth", "Resp")) is None
    assert first_ecg_channel(()) is None


_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.()[]")


@given(_NAME)
def test_lead_key_is_idempotent_and_ignores_case(name):
    assert lead_key(lead_key(name)) == lead_key(name)
    assert lead_key(name.upper()) == lead_key(name.lower()) == lead_key(name)


_BARE_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.")


@given(_BARE_NAME, st.sampled_from(["mV", "uV", "lead"]))
def test_a_unit_in_brackets_changes_nothing(name, unit):
    assert lead_key(f"{name} ({unit})") == lead_key(name)
    assert named_like_ecg(f"{name} [{unit}]") == named_like_ecg(name)
