import subprocess
import sys

import numpy as np
import pytest
import torch

from ecgkit.data import (
    MITBIH,
    RELATIVE_RR_FEATURES,
    RR_FEATURES,
    ArrayDataset,
    BeatDataset,
    build_beats,
)


def test_array_dataset_items_are_float32_signal_and_int64_label():
    ds = ArrayDataset(
        np.random.default_rng(0).normal(size=(5, 2, 64)), [0, 1, 2, 1, 0], patient=list("aabbc")
    )
    x, y = ds[3]
    assert x.dtype == torch.float32
    assert x.shape == (2, 64)
    assert y.dtype == torch.int64
    assert int(y) == 1
    assert ds.n_leads == 2
    assert ds.n_samples == 64
    assert ds.n_features == 0
    assert ds.classes == ("0", "1", "2")
    np.testing.assert_array_equal(ds.class_counts(), [2, 2, 1])


def test_a_two_dimensional_signal_array_is_one_lead_and_features_come_before_the_label():
    ds = ArrayDataset(np.zeros((3, 10)), [0, 0, 1], features=np.ones((3, 4)))
    x, f, y = ds[0]
    assert x.shape == (1, 10)
    assert f.shape == (4,)
    assert int(y) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"signals": np.full((2, 1, 5), np.nan), "labels": [0, 1]}, "NaN"),
        ({"signals": np.zeros((2, 1, 5)), "labels": [0]}, "labels"),
        ({"signals": np.zeros((2, 1, 5)), "labels": [0, -1]}, "labels"),
        ({"signals": np.zeros((2, 1, 5)), "labels": [0.5, 1.0]}, "labels"),
        ({"signals": np.zeros((0, 1, 5)), "labels": []}, "non-empty"),
        ({"signals": np.zeros((2, 1, 1, 5)), "labels": [0, 1]}, "n_leads"),
        ({"signals": np.zeros((2, 5)), "labels": [0, 1], "patient": ["a"]}, "patient"),
        ({"signals": np.zeros((2, 5)), "labels": [0, 1], "features": np.zeros(2)}, "features"),
        ({"signals": np.array([["a"]]), "labels": [0]}, "numeric"),
    ],
)
def test_array_dataset_rejects_bad_input_naming_the_argument(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        ArrayDataset(**kwargs)


def test_npz_round_trip_and_subset(tmp_path):
    rng = np.random.default_rng(1)
    ds = ArrayDataset(
        rng.normal(size=(6, 1, 32)),
        [0, 1, 0, 1, 0, 1],
        list("aabbcc"),
        rng.normal(size=(6, 3)),
        classes=("N", "V"),
    )
    ds.save_npz(tmp_path / "d.npz")
    back = ArrayDataset.from_npz(tmp_path / "d.npz")
    np.testing.assert_array_equal(back.signals, ds.signals)
    np.testing.assert_array_equal(back.features, ds.features)
    np.testing.assert_array_equal(back.patient, ds.patient)
    assert back.classes == ("N", "V")
    part = back.subset(back.patient == "b")
    assert len(part) == 2
    assert set(part.patient) == {"b"}
    (tmp_path / "bad.npz").write_bytes(b"nope")
    with pytest.raises(ValueError, match=r"bad\.npz"):
        ArrayDataset.from_npz(tmp_path / "bad.npz")
    with pytest.raises(FileNotFoundError, match="missing"):
        ArrayDataset.from_npz(tmp_path / "missing.npz")


def test_beat_dataset_wraps_a_beat_set_with_rr_features():
    beats = build_beats(MITBIH.bundled(), ["100", "119"])
    ds = BeatDataset(beats, features=True)
    x, rr, _y = ds[0]
    assert x.shape == (1, beats.n_samples)
    assert rr.shape == (len(RR_FEATURES),)
    assert ds.classes == beats.classes
    assert len(ds) == len(beats)
    np.testing.assert_array_equal(ds.patient, beats.patient)
    loader = torch.utils.data.DataLoader(ds, batch_size=8)
    xb, _rrb, yb = next(iter(loader))
    assert xb.shape == (8, 1, beats.n_samples)
    assert yb.shape == (8,)


def test_beat_dataset_yields_the_named_rr_features_in_order():
    beats = build_beats(MITBIH.bundled(), ["100"])
    ds = BeatDataset(beats, features=RELATIVE_RR_FEATURES)
    assert ds.n_features == len(RELATIVE_RR_FEATURES)
    _x, rr, _y = ds[3]
    expected = [beats.rr[3, RR_FEATURES.index(name)] for name in RELATIVE_RR_FEATURES]
    np.testing.assert_array_equal(rr.numpy(), np.array(expected, dtype=np.float32))
    with pytest.raises(ValueError, match="names"):
        BeatDataset(beats, features=["pre_rr_s", "qt_interval"])
    with pytest.raises(TypeError, match="features"):
        BeatDataset(beats, features="pre_rr_s")


def test_importing_ecgkit_data_does_not_import_torch():
    code = "import sys, ecgkit.data; ecgkit.data.build_beats; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_old_patients_name_still_works_with_a_deprecation_warning(tmp_path):
    x = np.zeros((3, 1, 16))
    with pytest.warns(DeprecationWarning, match="patient="):
        ds = ArrayDataset(x, [0, 1, 0], patients=["a", "b", "b"])
    np.testing.assert_array_equal(ds.patient, ["a", "b", "b"])
    with pytest.warns(DeprecationWarning, match=".patient"):
        assert ds.patients is ds.patient
    np.savez(tmp_path / "old.npz", signals=x, labels=[0, 1, 0], patients=["a", "b", "b"])
    np.testing.assert_array_equal(ArrayDataset.from_npz(tmp_path / "old.npz").patient, ds.patient)
