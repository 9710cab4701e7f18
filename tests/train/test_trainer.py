import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from ecgkit.models import create_model
from ecgkit.train import (
    CPU_PREDICT_BATCH,
    BeatAugment,
    CheckpointError,
    TrainConfig,
    Trainer,
    load_checkpoint,
    save_checkpoint,
)

sys.path.insert(0, str(Path(__file__).parent))
from helpers import TinyNet, separable_dataset


def _cnn(seed=0):
    torch.manual_seed(seed)
    return create_model("beat_cnn", num_classes=3, width=8)


def _config(**kwargs):
    return TrainConfig(**{"epochs": 4, "batch_size": 32, "lr": 3e-3, "progress": False, **kwargs})


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_training_on_a_separable_problem_reaches_near_perfect_accuracy():
    trainer = Trainer(_cnn(), _config(epochs=6))
    history = trainer.fit(separable_dataset(), separable_dataset(seed=1))
    metrics = trainer.evaluate(separable_dataset(n=300, seed=2))
    assert metrics.accuracy >= 0.98
    assert history.column("train_loss")[-1] < history.column("train_loss")[0]
    assert len(history) == 6
    assert history.best_epoch is not None


def test_the_same_seed_gives_the_same_weights_twice():
    runs = []
    for _ in range(2):
        trainer = Trainer(_cnn(), _config(epochs=2, sampler="balanced"))
        trainer.fit(separable_dataset())
        runs.append(_weights(trainer.model))
    for name in runs[0]:
        assert torch.equal(runs[0][name], runs[1][name]), name


def test_a_run_resumed_after_epoch_2_ends_with_the_same_weights_as_one_that_never_stopped(tmp_path):
    train, val = separable_dataset(), separable_dataset(seed=1)
    full = Trainer(_cnn(), _config(), run_dir=tmp_path / "full", augment=BeatAugment())
    full.fit(train, val)

    def crash_after_epoch_2(trainer, record):
        if record["epoch"] == 2:
            raise KeyboardInterrupt

    stopped = Trainer(
        _cnn(),
        _config(),
        run_dir=tmp_path / "stopped",
        callbacks=[crash_after_epoch_2],
        augment=BeatAugment(),
    )
    with pytest.raises(KeyboardInterrupt):
        stopped.fit(train, val)
    resumed = Trainer(
        _cnn(seed=123), _config(), run_dir=tmp_path / "stopped", augment=BeatAugment()
    )
    history = resumed.fit(train, val, resume_from=tmp_path / "stopped" / "checkpoints" / "last.pt")

    expected = _weights(full.model)
    for name, value in resumed.model.state_dict().items():
        assert torch.equal(value, expected[name]), name

    def timeless(records):
        return [{k: v for k, v in r.items() if k != "seconds"} for r in records]

    assert timeless(history.records) == timeless(full.history.records)


def test_the_trainer_writes_only_its_checkpoints_and_history(tmp_path):
    trainer = Trainer(_cnn(), _config(epochs=2), run_dir=tmp_path, metadata={"model": "beat_cnn"})
    history = trainer.fit(separable_dataset(), separable_dataset(seed=1))
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["checkpoints/best.pt", "checkpoints/last.pt", "history.csv", "history.json"]
    assert (tmp_path / "history.csv").read_text().startswith("epoch,train_loss,lr,val_loss")
    assert json.loads((tmp_path / "history.json").read_text()) == history.to_json()
    assert len(history.to_json()["epochs"]) == 2
    state = load_checkpoint(tmp_path / "checkpoints" / "best.pt")
    assert state["epoch"] == trainer.history.best_epoch
    assert state["metadata"] == {"model": "beat_cnn"}
    assert state["config"]["epochs"] == 2
    assert not list(tmp_path.rglob("*.tmp"))


def test_early_stopping_stops_when_the_monitor_stalls():
    trainer = Trainer(
        _cnn(), _config(epochs=50, lr=1e-9, early_stopping_patience=2, monitor="val_loss")
    )
    history = trainer.fit(separable_dataset(n=64), separable_dataset(n=64, seed=1))
    assert len(history) < 50


@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign"])
def test_a_corrupt_or_foreign_checkpoint_raises_a_clear_error(tmp_path, damage):
    path = tmp_path / "c.pt"
    save_checkpoint(path, {"model": _cnn().state_dict()})
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "garbage":
        path.write_bytes(os.urandom(1000))
    else:
        torch.save({"weights": torch.zeros(3)}, path)
    with pytest.raises(CheckpointError, match=str(path.name)):
        load_checkpoint(path)
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "missing.pt")


def test_predict_keeps_dataset_order_and_restores_train_mode():
    data = separable_dataset(n=50)
    trainer = Trainer(_cnn(), _config(epochs=1))
    trainer.model.train()
    prediction = trainer.predict(data)
    assert trainer.model.training
    assert prediction.probabilities.shape == (50, 3)
    np.testing.assert_allclose(prediction.probabilities.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(prediction.labels, data.labels)


def test_predict_on_the_cpu_runs_cpu_predict_batch_items_a_pass_whatever_the_training_batch():
    # large batches' activations cost page faults on the CPU (CPU_PREDICT_BATCH)
    data = separable_dataset(n=2 * CPU_PREDICT_BATCH + 10)
    trainer = Trainer(_cnn(), _config(epochs=1, batch_size=1024, device="cpu"))
    sizes = []
    hook = trainer.model.register_forward_pre_hook(lambda _, inputs: sizes.append(len(inputs[0])))
    try:
        default = trainer.predict(data)
        chosen = trainer.predict(data, batch_size=7)
    finally:
        hook.remove()
    assert sizes[:3] == [CPU_PREDICT_BATCH, CPU_PREDICT_BATCH, 10]
    assert set(sizes[3:-1]) == {7}
    np.testing.assert_allclose(chosen.probabilities, default.probabilities, atol=1e-6)


@pytest.mark.parametrize("batch_size", [0, -3])
def test_predict_names_a_batch_size_under_one(batch_size):
    trainer = Trainer(_cnn(), _config(epochs=1))
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        trainer.predict(separable_dataset(n=10), batch_size=batch_size)


def test_predict_takes_plain_arrays_and_unlabelled_datasets_alike():
    data = separable_dataset(n=40)
    trainer = Trainer(_cnn(), _config(epochs=1))
    labelled = trainer.predict(data)
    windows = data.tensors[0].numpy()
    from_array = trainer.predict(windows)
    from_unlabelled = trainer.predict(torch.utils.data.TensorDataset(data.tensors[0]))
    for prediction in (from_array, from_unlabelled):
        np.testing.assert_array_equal(prediction.probabilities, labelled.probabilities)
        assert (prediction.labels == -1).all()
    with pytest.raises(ValueError, match="no labels"):
        from_array.metrics(["a", "b", "c"])


def test_predict_passes_extra_inputs_of_a_two_input_model():
    torch.manual_seed(0)
    model = create_model("beat_rr_cnn", num_classes=3, n_features=2, width=8)
    trainer = Trainer(model, _config(epochs=1))
    windows = np.random.default_rng(0).normal(size=(10, 1, 64)).astype(np.float32)
    features = np.ones((10, 2), dtype=np.float32)
    prediction = trainer.predict(windows, features)
    assert prediction.probabilities.shape == (10, 3)
    with pytest.raises(ValueError, match="items have 1 elements"):
        trainer.predict(torch.utils.data.TensorDataset(torch.from_numpy(windows)))
    with pytest.raises(ValueError, match="first"):
        trainer.predict(windows, features[:5])
    with pytest.raises(ValueError, match="NaN"):
        trainer.predict(windows, np.full((10, 2), np.nan, dtype=np.float32))


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="epochs"):
        TrainConfig(epochs=0)
    with pytest.raises(ValueError, match="optimizer"):
        TrainConfig(optimizer="lbfgs")
    with pytest.raises(ValueError, match="needs validation"):
        Trainer(_cnn(), _config(early_stopping_patience=2)).fit(separable_dataset())


@pytest.mark.slow
def test_two_process_ddp_matches_the_single_process_run(tmp_path):
    # same seed, same global batches: each process takes half of every batch and DDP
    # averages the gradients, so weights agree with one process up to float rounding
    from ddp_worker import train

    single = train(tmp_path / "single").model.state_dict()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("WORLD_SIZE", None)
    child = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
         str(Path(__file__).parent / "ddp_worker.py"), str(tmp_path / "ddp")],
        env=env, timeout=300, capture_output=True, text=True,
    )  # fmt: skip
    output = f"{child.stdout[-3000:]}\n{child.stderr[-3000:]}"
    assert child.returncode == 0, f"torchrun failed:\n{output}"
    ddp = torch.load(tmp_path / "ddp" / "weights.pt", weights_only=True)
    for name, value in single.items():
        torch.testing.assert_close(ddp[name], value, rtol=1e-4, atol=1e-5)
    assert not torch.equal(ddp["conv.weight"], TinyNet().conv.weight)


class _ItemsOnly(torch.utils.data.Dataset):
    """A dataset without .tensors or .labels: the Trainer must go through DataLoader."""

    def __init__(self, data):
        self.data = data

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        return self.data[index]


@pytest.mark.parametrize("workers", [0, 1])
def test_any_map_style_dataset_trains_the_same_through_a_dataloader(workers):
    data = separable_dataset(n=96)
    fast = Trainer(_cnn(), _config(epochs=2))
    fast.fit(data)
    generic = Trainer(_cnn(), _config(epochs=2, num_workers=workers))
    generic.fit(_ItemsOnly(data))
    for name, value in generic.model.state_dict().items():
        torch.testing.assert_close(value, fast.model.state_dict()[name])


def test_the_decision_rule_scores_validation_as_it_scores_evaluate(tmp_path):
    # the best epoch must be chosen by the rule the run reports (e.g. prior-adjusted)
    def favour_last_class(prediction):
        probabilities = prediction.probabilities.copy()
        probabilities[:, -1] += 10.0
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return type(prediction)(probabilities, probabilities.argmax(axis=1), prediction.labels)

    torch.manual_seed(0)
    trainer = Trainer(TinyNet(), _config(epochs=2), decision=favour_last_class)
    trainer.fit(separable_dataset(), separable_dataset(seed=1))
    validation = trainer.evaluate(separable_dataset(seed=1))
    assert trainer.history.records[-1]["val_macro_f1"] == pytest.approx(validation.macro_f1)
    # everything called the last class: the decision rule, not the model, was scored
    assert validation.confusion[:, :-1].sum() == 0
    plain = Trainer(trainer.model, _config(epochs=1)).evaluate(separable_dataset(seed=1))
    assert plain.confusion[:, -1].sum() < plain.confusion.sum()


def test_off_is_none_and_the_old_none_string_still_works_for_one_release():
    from ecgkit.experiment import ExperimentConfig
    from ecgkit.train.trainer import migrate_train_config

    assert TrainConfig(class_weighting=None, scheduler=None).class_weighting is None
    with pytest.warns(DeprecationWarning, match="class_weighting=None"):
        old = TrainConfig(class_weighting="none")
    assert old.class_weighting is None
    assert migrate_train_config({"scheduler": "none", "lr": 0.1}) == {"scheduler": None, "lr": 0.1}
    # a run folder written before the change reads back without a warning
    stored = ExperimentConfig().to_json()
    stored["train"] = {**stored["train"], "class_weighting": "none", "scheduler": "none"}
    config = ExperimentConfig.from_json(stored)
    assert (config.train.class_weighting, config.train.scheduler) == (None, None)
