import pytest
import torch

from ecgkit.train import AUGMENTATIONS, BeatAugment, beat_augmentation


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


def test_shift_only_augmentation_moves_windows_without_changing_their_values():
    x = torch.randn(6, 2, 40)
    torch.manual_seed(0)
    shifted = [beat_augmentation("shifts")(x) for _ in range(20)]
    for y in shifted:
        # one circular shift of at most 3 samples, amplitudes exactly as they were
        assert any(torch.equal(y, torch.roll(x, k, dims=-1)) for k in range(-3, 4))
    assert any(not torch.equal(y, x) for y in shifted)
    assert beat_augmentation("none") is None
    assert beat_augmentation("full") == BeatAugment()
    assert AUGMENTATIONS == ("none", "shifts", "full", "interference")
    with pytest.raises(ValueError, match="augment must be one of"):
        beat_augmentation("noise")  # type: ignore[arg-type]
