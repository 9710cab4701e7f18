import pytest
import torch

from ecgkit.train import BeatAugment


def test_augment_keeps_shape_and_changes_each_window_differently():
    torch.manual_seed(0)
    x = torch.randn(8, 2, 100)
    y = BeatAugment()(x)
    assert y.shape == x.shape
    assert not torch.equal(x, y)
    ratios = (y.std(dim=(1, 2)) / x.std(dim=(1, 2))).tolist()
    assert len({round(r, 3) for r in ratios}) > 1


def test_augment_with_no_change_is_the_identity():
    x = torch.randn(4, 1, 50)
    same = BeatAugment(scale=(1.0, 1.0), offset_sd=0.0, noise_sd=0.0, max_shift=0)(x)
    torch.testing.assert_close(same, x)


def test_augment_is_reproducible_under_a_seed_and_rejects_bad_settings():
    x = torch.randn(4, 1, 50)
    torch.manual_seed(3)
    a = BeatAugment()(x)
    torch.manual_seed(3)
    b = BeatAugment()(x)
    torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match="scale"):
        BeatAugment(scale=(1.2, 0.8))
    with pytest.raises(ValueError, match=r"\[B, C, L\]"):
        BeatAugment()(torch.randn(10))
