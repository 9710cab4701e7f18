import shutil

import numpy as np
import pytest
import torch

from ecgkit.models import PretrainedError, list_pretrained, load_pretrained
from ecgkit.models.pretrained import pretrained_dir

NAME = "beat_rr_cnn.mitdb_ds1"


def _predict(pretrained, windows, features):
    with torch.no_grad():
        return [
            m(torch.from_numpy(windows), torch.from_numpy(features)).numpy()
            for m in pretrained.models
        ]


def test_the_shipped_model_is_listed_with_its_card_and_recipe():
    assert NAME in list_pretrained()
    pretrained = load_pretrained(NAME)
    assert len(pretrained.models) >= 1
    assert pretrained.recipe["fs"] == 360.0
    assert "not a medical device" in pretrained.card["intended_use"]
    assert all(not m.training for m in pretrained.models)
    size = sum(p.stat().st_size for p in pretrained_dir().glob(f"{NAME}.*"))
    assert size < 5e6


def test_two_loads_predict_bit_identically():
    rng = np.random.default_rng(0)
    first, second = load_pretrained(NAME), load_pretrained(NAME)
    channels = first.specs[0].in_channels
    windows = rng.normal(size=(16, channels, 252)).astype(np.float32)
    features = rng.uniform(0.5, 1.5, size=(16, first.specs[0].kwargs["n_features"]))
    features = features.astype(np.float32)
    for a, b in zip(
        _predict(first, windows, features), _predict(second, windows, features), strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_a_tampered_weight_file_is_refused(tmp_path):
    for suffix in (".json", ".npz"):
        shutil.copy(pretrained_dir() / f"{NAME}{suffix}", tmp_path)
    weights = tmp_path / f"{NAME}.npz"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(PretrainedError, match="SHA-256"):
        load_pretrained(NAME, root=tmp_path)


def test_an_unknown_name_lists_the_available_ones():
    with pytest.raises(PretrainedError, match=NAME):
        load_pretrained("resnet1d.nothing")
