import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ecgkit.experiment import ExperimentConfig
from ecgkit.signal import normalize
from ecgkit.train import ChainedAugment, InterferenceAugment, beat_augmentation

FS = 360.0


def _beats_with_residuals(batch: int, n_leads: int, length: int, seed: int) -> torch.Tensor:
    """z-scored random beats with their residuals against a fixed template, [B, 2 * leads, L]."""
    rng = np.random.default_rng(seed)
    leads = normalize(rng.normal(size=(batch, n_leads, length)), "zscore", axis=-1)
    template = normalize(rng.normal(size=(1, n_leads, length)), "zscore", axis=-1)
    return torch.from_numpy(np.concatenate([leads, leads - template], axis=1)).float()


def test_the_added_wave_is_a_sinusoid_of_the_asked_frequency_under_a_new_z_score():
    x = _beats_with_residuals(4, 1, 252, seed=0)
    torch.manual_seed(0)
    augment = InterferenceAugment(FS, probability=1.0, hz=(5.0, 5.0), amplitude=(0.6, 0.6))
    y = augment(x)
    t = np.arange(252) / FS
    for row in range(4):
        lead, moved = x[row, 0].double().numpy(), y[row, 0].double().numpy()
        # moved = (lead + 0.6 sin(2 pi 5 t + phase) - centre) / scale, for some centre, scale
        basis = np.column_stack(
            [lead, np.ones_like(t), np.sin(2 * math.pi * 5 * t), np.cos(2 * math.pi * 5 * t)]
        )
        coef, *_ = np.linalg.lstsq(basis, moved, rcond=None)
        np.testing.assert_allclose(basis @ coef, moved, atol=1e-5)
        assert math.hypot(coef[2], coef[3]) / coef[0] == pytest.approx(0.6, rel=1e-4)
        assert moved.mean() == pytest.approx(0.0, abs=1e-5)
        assert moved.std() == pytest.approx(1.0, abs=1e-5)


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 9),
    n_leads=st.integers(1, 3),
    seed=st.integers(0, 2**16),
    probability=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_residuals_keep_their_template_and_unchosen_beats_are_untouched(
    batch, n_leads, seed, probability
):
    x = _beats_with_residuals(batch, n_leads, 120, seed)
    torch.manual_seed(seed)
    y = InterferenceAugment(FS, probability=probability)(x)
    assert y.shape == x.shape
    # lead minus residual is the template, before and after
    torch.testing.assert_close(y[:, :n_leads] - y[:, n_leads:], x[:, :n_leads] - x[:, n_leads:])
    changed = (y != x).flatten(1).any(dim=1)
    if probability == 0.0:  # every beat left exactly as it was
        assert not bool(changed.any())
    if probability == 1.0:
        assert bool(changed.all())
    torch.testing.assert_close(
        y[:, :n_leads].mean(-1), torch.zeros(batch, n_leads), atol=1e-5, rtol=0
    )
    torch.testing.assert_close(
        y[:, :n_leads].std(-1, correction=0), torch.ones(batch, n_leads), atol=1e-4, rtol=0
    )


def test_about_the_asked_share_of_beats_gets_a_wave_and_a_seed_repeats_it():
    x = _beats_with_residuals(400, 1, 100, seed=1)
    torch.manual_seed(5)
    y = InterferenceAugment(FS)(x)
    torch.manual_seed(5)
    torch.testing.assert_close(InterferenceAugment(FS)(x), y)
    share = float((y != x).flatten(1).any(dim=1).float().mean())
    assert 0.4 < share < 0.6


def test_without_template_channels_only_the_leads_are_there():
    x = _beats_with_residuals(3, 2, 80, seed=2)[:, :2]
    torch.manual_seed(0)
    y = InterferenceAugment(FS, template=False, probability=1.0)(x)
    assert y.shape == x.shape
    assert not torch.equal(y, x)


def test_bad_settings_and_inputs_are_named():
    with pytest.raises(ValueError, match="fs"):
        InterferenceAugment(0.0)
    with pytest.raises(ValueError, match="hz"):
        InterferenceAugment(20.0, hz=(3.0, 12.0))
    with pytest.raises(ValueError, match="probability"):
        InterferenceAugment(FS, probability=1.5)
    with pytest.raises(ValueError, match="amplitude"):
        InterferenceAugment(FS, amplitude=(0.0, 1.0))
    with pytest.raises(ValueError, match="even number of channels"):
        InterferenceAugment(FS)(torch.randn(4, 3, 50))
    with pytest.raises(ValueError, match=r"\[B, C, L\]"):
        InterferenceAugment(FS, template=False)(torch.randn(4, 50))


def test_the_recipe_name_chains_the_interference_before_the_shifts():
    augment = beat_augmentation("interference", fs=FS, template=True)
    assert isinstance(augment, ChainedAugment)
    assert augment.steps[0] == InterferenceAugment(FS, template=True)
    assert augment.steps[1] == beat_augmentation("shifts")
    with pytest.raises(ValueError, match="needs fs"):
        beat_augmentation("interference")
    with pytest.raises(ValueError, match="normalize='zscore'"):
        ExperimentConfig(augment="interference", normalize="robust")
