"""BatchNorm statistics of the recording being classified (AdaBN)."""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from ecgkit.models import create_model
from ecgkit.train import TrainConfig, Trainer
from ecgkit.train.batchnorm import recording_statistics, time_series_norms


def _rr_model() -> nn.Module:
    torch.manual_seed(0)
    model = create_model("beat_rr_cnn", in_channels=2, num_classes=4, n_features=7)
    # trained statistics that differ from a fresh layer's zeros and ones
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.running_mean.uniform_(-1.0, 1.0)
            m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def _inputs(n: int, offset: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, 2, 252)) + offset).astype(np.float32)
    return x, rng.standard_normal((n, 7)).astype(np.float32)


def test_only_the_layers_over_time_series_are_chosen():
    model = _rr_model()
    x, f = _inputs(4)
    chosen = time_series_norms(model, (torch.from_numpy(x), torch.from_numpy(f)))
    waveform = [m for m in model.waveform.modules() if isinstance(m, nn.BatchNorm1d)]
    assert chosen == waveform
    assert model.rr[0] not in chosen


def test_statistics_are_the_recordings_inside_the_block_and_the_trained_ones_after():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv1d(1, 3, 5, padding=2), nn.BatchNorm1d(3), nn.ReLU()).eval()
    model[1].running_mean.fill_(5.0)
    before = copy.deepcopy(model.state_dict())
    x = torch.randn(20, 1, 64) * 3 + 2
    halves = [x[:10], x[10:]]
    with torch.no_grad():
        conv = [model[0](h) for h in halves]
    with recording_statistics(model, lambda: ((h,) for h in halves)):
        assert not model.training
        assert not model[1].training
        mean = torch.stack([c.mean(dim=(0, 2)) for c in conv]).mean(dim=0)
        var = torch.stack([c.var(dim=(0, 2), unbiased=True) for c in conv]).mean(dim=0)
        torch.testing.assert_close(model[1].running_mean, mean)
        torch.testing.assert_close(model[1].running_var, var)
    for key, value in before.items():
        torch.testing.assert_close(model.state_dict()[key], value, rtol=0, atol=0)
    assert model[1].momentum == 0.1


def test_no_batch_is_refused():
    with (
        pytest.raises(ValueError, match="no batch"),
        recording_statistics(_rr_model(), lambda: iter(())),
    ):
        pass


def test_trainer_predicts_with_the_recordings_statistics_and_keeps_its_own():
    model = _rr_model()
    trainer = Trainer(model, TrainConfig(epochs=1))
    before = copy.deepcopy(model.state_dict())
    x, f = _inputs(300, offset=2.0)
    plain = trainer.predict(x, f).probabilities
    adapted = trainer.predict(x, f, adapt_batchnorm=True).probabilities
    # by hand: a copy whose waveform layers hold these beats' statistics (one batch)
    by_hand = copy.deepcopy(model)
    for m in by_hand.waveform.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.reset_running_stats()
            m.momentum = None
            m.train()
    with torch.no_grad():
        by_hand(torch.from_numpy(x), torch.from_numpy(f))
        by_hand.eval()
        expected = torch.softmax(by_hand(torch.from_numpy(x), torch.from_numpy(f)), dim=1)
    np.testing.assert_allclose(adapted, expected.numpy(), atol=1e-5)
    assert np.abs(adapted - plain).max() > 1e-3
    for key, value in before.items():
        torch.testing.assert_close(model.state_dict()[key], value, rtol=0, atol=0)
    np.testing.assert_array_equal(trainer.predict(x, f).probabilities, plain)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 700), offset=st.floats(-50, 50))
def test_adapted_predictions_are_probabilities_of_every_item(n, offset):
    trainer = Trainer(_rr_model(), TrainConfig(epochs=1))
    x, f = _inputs(n, offset)
    probabilities = trainer.predict(x, f, adapt_batchnorm=True).probabilities
    assert probabilities.shape == (n, 4)
    assert np.isfinite(probabilities).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_an_offset_of_the_whole_recording_is_largely_undone():
    trainer = Trainer(_rr_model(), TrainConfig(epochs=1))
    x, f = _inputs(200)
    plain = trainer.predict(x, f, adapt_batchnorm=True).probabilities
    shifted = trainer.predict(x + 3.0, f, adapt_batchnorm=True).probabilities
    unadapted = trainer.predict(x + 3.0, f).probabilities
    assert np.abs(shifted - plain).max() < 0.2 * np.abs(unadapted - plain).max()


def test_each_group_is_predicted_with_its_own_statistics():
    trainer = Trainer(_rr_model(), TrainConfig(epochs=1))
    x, f = _inputs(300)
    x[100:] += 2.0  # a second "record" with other statistics
    groups = np.where(np.arange(300) < 100, "a", "b")
    grouped = trainer.predict(x, f, adapt_batchnorm=True, groups=groups).probabilities
    first = trainer.predict(x[:100], f[:100], adapt_batchnorm=True).probabilities
    second = trainer.predict(x[100:], f[100:], adapt_batchnorm=True).probabilities
    np.testing.assert_array_equal(grouped, np.concatenate([first, second]))
    whole = trainer.predict(x, f, adapt_batchnorm=True).probabilities
    assert np.abs(grouped - whole).max() > 1e-3
    with pytest.raises(ValueError, match="groups are for adapt_batchnorm"):
        trainer.predict(x, f, groups=groups)
    with pytest.raises(ValueError, match="one label per item"):
        trainer.predict(x, f, adapt_batchnorm=True, groups=groups[:10])
