"""Run folders and checkpoints: damage is detected, never evaluated silently."""

import struct
import zipfile

import pytest
import torch

from ecgkit.models import create_model
from ecgkit.train import CheckpointError, load_checkpoint, save_checkpoint


def _flip_a_byte_inside_the_largest_tensor(path):
    with zipfile.ZipFile(path) as archive:
        info = max(
            (i for i in archive.infolist() if "/data/" in i.filename), key=lambda i: i.file_size
        )
    raw = bytearray(path.read_bytes())
    name_length, extra_length = struct.unpack(
        "<HH", raw[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_length + extra_length
    raw[start + info.file_size // 2] ^= 0x10
    path.write_bytes(bytes(raw))


def test_a_flipped_byte_inside_a_tensor_is_refused_naming_the_file(tmp_path):
    torch.manual_seed(0)
    model = create_model("beat_cnn", num_classes=3, width=8)
    path = tmp_path / "best.pt"
    save_checkpoint(path, {"model": model.state_dict(), "epoch": 3})
    assert load_checkpoint(path)["epoch"] == 3
    _flip_a_byte_inside_the_largest_tensor(path)
    with pytest.raises(CheckpointError, match=r"best\.pt"):
        load_checkpoint(path)


def test_a_checkpoint_without_a_recorded_digest_still_loads(tmp_path):
    path = tmp_path / "old.pt"
    torch.save({"format": "ecgkit-checkpoint-1", "epoch": 1, "w": torch.ones(3)}, path)
    assert load_checkpoint(path)["epoch"] == 1


def test_a_second_writer_to_a_run_folder_gets_a_clear_error(tmp_path):
    import subprocess
    import sys
    import time

    from ecgkit._files import RunFolderLockedError, run_lock

    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom ecgkit._files import run_lock\n"
         f"with run_lock({str(tmp_path)!r}):\n    print('held', flush=True)\n    time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(RunFolderLockedError, match=rf"in use by process {holder.pid}"),
            run_lock(tmp_path),
        ):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=30)
    started = time.perf_counter()
    with run_lock(tmp_path):  # the killed holder's lock is stale: taken over
        assert (tmp_path / ".ecgkit.lock").read_text().split()[0] != str(holder.pid)
    assert time.perf_counter() - started < 5
    assert not (tmp_path / ".ecgkit.lock").exists()


def test_taking_a_run_folder_removes_the_temp_files_of_killed_writers(tmp_path):
    from ecgkit._files import run_lock

    (tmp_path / "checkpoints").mkdir()
    leftovers = [tmp_path / ".last.pt.abc.tmp", tmp_path / "checkpoints" / ".best.pt.x.tmp"]
    for path in leftovers:
        path.write_bytes(b"half")
    (tmp_path / "keep.json").write_text("{}")
    with run_lock(tmp_path):
        pass
    assert not any(path.exists() for path in leftovers)
    assert (tmp_path / "keep.json").exists()


def test_a_run_that_fails_before_writing_leaves_no_empty_folder(tmp_path):
    from ecgkit._files import run_lock

    target = tmp_path / "run"
    with pytest.raises(RuntimeError), run_lock(target):
        raise RuntimeError("failed early")
    assert not target.exists()


def test_history_says_whethertraining_finished(tmp_path):
    import json

    import numpy as np

    from ecgkit.data import ArrayDataset
    from ecgkit.train import TrainConfig, Trainer

    rng = np.random.default_rng(0)
    data = ArrayDataset(rng.normal(size=(32, 1, 64)), rng.integers(0, 3, 32))

    def stop(_trainer, record):
        if record["epoch"] == 1:
            raise KeyboardInterrupt

    torch.manual_seed(0)
    config = TrainConfig(epochs=3, batch_size=16, progress=False)
    stopped = Trainer(create_model("beat_cnn", num_classes=3, width=8), config,
                      run_dir=tmp_path / "a", callbacks=[stop])  # fmt: skip
    with pytest.raises(KeyboardInterrupt):
        stopped.fit(data)
    history = json.loads((tmp_path / "a" / "history.json").read_text())
    assert (history["finished"], history["planned_epochs"], len(history["epochs"])) == (False, 3, 1)
    assert not (tmp_path / "a" / ".ecgkit.lock").exists()
    done = Trainer(create_model("beat_cnn", num_classes=3, width=8), config, run_dir=tmp_path / "b")
    done.fit(data)
    assert json.loads((tmp_path / "b" / "history.json").read_text())["finished"] is True


def test_an_unfinished_run_is_known_as_such_and_older_runs_are_assumed_finished(tmp_path):
    import json

    from ecgkit.experiment.run_folder import training_finished

    (tmp_path / "history.json").write_text(json.dumps({"finished": False, "epochs": []}))
    assert training_finished(tmp_path) is False
    (tmp_path / "history.json").write_text(json.dumps({"best_epoch": 2, "epochs": []}))
    assert training_finished(tmp_path) is True
    (tmp_path / "history.json").unlink()
    assert training_finished(tmp_path) is False


def test_resuming_with_another_training_config_is_refused_by_name(tmp_path):
    import numpy as np

    from ecgkit.data import ArrayDataset
    from ecgkit.train import TrainConfig, Trainer

    rng = np.random.default_rng(0)
    data = ArrayDataset(rng.normal(size=(32, 1, 64)), rng.integers(0, 3, 32))
    config = TrainConfig(epochs=2, batch_size=16, progress=False)
    Trainer(create_model("beat_cnn", num_classes=3, width=8), config, run_dir=tmp_path).fit(data)
    longer = TrainConfig(epochs=5, batch_size=16, progress=False)
    again = Trainer(create_model("beat_cnn", num_classes=3, width=8), longer)
    with pytest.raises(ValueError, match=r"different training config \(epochs: 2 -> 5\)"):
        again.fit(data, resume_from=tmp_path / "checkpoints" / "last.pt")
    moved = TrainConfig(epochs=2, batch_size=16, progress=True, num_workers=0, device="cpu")
    same = Trainer(create_model("beat_cnn", num_classes=3, width=8), moved)
    same.fit(data, resume_from=tmp_path / "checkpoints" / "last.pt")  # run-only fields may differ


@pytest.mark.parametrize("scheduler", ["cosine", "onecycle"])
def test_a_change_allowed_on_resume_follows_the_new_schedule_and_is_recorded(tmp_path, scheduler):
    import json

    import numpy as np

    from ecgkit.data import ArrayDataset
    from ecgkit.train import TrainConfig, Trainer

    rng = np.random.default_rng(0)
    data = ArrayDataset(rng.normal(size=(32, 1, 64)), rng.integers(0, 3, 32))

    def config(epochs, **changes):
        values = {"batch_size": 16, "scheduler": scheduler, "progress": False, **changes}
        return TrainConfig(epochs=epochs, **values)

    def model():
        return create_model("beat_cnn", num_classes=3, width=8)

    Trainer(model(), config(2), run_dir=tmp_path).fit(data)
    planned = Trainer(model(), config(5)).fit(data)
    longer = Trainer(model(), config(5), run_dir=tmp_path)
    with pytest.warns(UserWarning, match=r"after epoch 2 with a changed training config"):
        history = longer.fit(
            data, resume_from=tmp_path / "checkpoints" / "last.pt", allow_changes=True
        )
    assert len(history) == 5
    assert history.finished
    # epochs 3-5 run on the 5-epoch schedule, as if it had been planned from the start
    np.testing.assert_allclose(history.column("lr")[2:], planned.column("lr")[2:], rtol=1e-12)
    assert history.amendments == [{"after_epoch": 2, "changes": {"epochs": [2, 5]}}]
    assert json.loads((tmp_path / "history.json").read_text())["amendments"] == history.amendments
    # never another optimiser or seed, and never fewer epochs than done
    for changes, message in (
        ({"optimizer": "sgd"}, "another optimizer"),
        ({"seed": 7}, "another seed"),
    ):
        refused = Trainer(model(), config(6, **changes))
        with pytest.raises(ValueError, match=message):
            refused.fit(data, resume_from=tmp_path / "checkpoints" / "last.pt", allow_changes=True)
    with pytest.raises(ValueError, match="trained 5 epochs already"):
        Trainer(model(), config(4)).fit(
            data, resume_from=tmp_path / "checkpoints" / "last.pt", allow_changes=True
        )


@pytest.mark.slow
def test_ecgkit_train_resume_continues_a_stopped_run_and_refuses_a_changed_recipe(
    tmp_path, monkeypatch, capsys
):
    import json

    from ecgkit.cli import main
    from ecgkit.train import Trainer

    run = tmp_path / "run"
    original = Trainer._save_epoch

    def save_then_die(self, epoch, *args):
        original(self, epoch, *args)
        if epoch == 1:
            raise KeyboardInterrupt  # killed after the first checkpoint

    monkeypatch.setattr(Trainer, "_save_epoch", save_then_die)
    argv = ["train", "--epochs", "2", "--model", "beat_cnn", "--out", str(run)]
    with pytest.raises(KeyboardInterrupt):
        main(argv)
    assert json.loads((run / "history.json").read_text())["finished"] is False
    monkeypatch.setattr(Trainer, "_save_epoch", original)
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--resume", str(run), "--epochs", "3"])
    assert exit_.value.code == 2
    assert "leave out --epochs" in capsys.readouterr().err
    assert main(["train", "--resume", str(run)]) == 0
    history = json.loads((run / "history.json").read_text())
    assert (history["finished"], len(history["epochs"])) == (True, 2)
    assert main(["train", "--resume", str(run)]) == 2
    assert "finished training already" in capsys.readouterr().err
    # told to, it goes on with more epochs, and the run says so
    assert main(["train", "--resume", str(run), "--allow-changes", "--epochs", "3"]) == 0
    # the command prints its warnings as its own lines, not as Python source locations
    err = capsys.readouterr().err
    assert "ecgkit train: warning: " in err
    assert "changed training config" in err
    assert "UserWarning" not in err
    history = json.loads((run / "history.json").read_text())
    assert (history["finished"], len(history["epochs"])) == (True, 3)
    assert history["amendments"] == [{"after_epoch": 2, "changes": {"epochs": [2, 3]}}]
    assert json.loads((run / "config.json").read_text())["experiment"]["train"]["epochs"] == 3
    # but never with another data or model recipe
    changed = ["train", "--resume", str(run), "--allow-changes", "--epochs", "4"]
    assert main([*changed, "--model", "resnet1d"]) == 2
    assert "only the training options may change" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--allow-changes", "--epochs", "1"])
    assert "--allow-changes goes with --resume" in capsys.readouterr().err


def test_a_checkpoint_of_another_architecture_is_a_checkpoint_error(tmp_path):
    from ecgkit.train import Trainer

    save_checkpoint(tmp_path / "best.pt", {"model": create_model("resnet1d").state_dict()})
    trainer = Trainer(create_model("beat_cnn", num_classes=5))
    with pytest.raises(CheckpointError, match=r"another architecture than BeatCNN"):
        trainer.load_weights(tmp_path / "best.pt")


@pytest.mark.parametrize("edit", ["drop", "add"])
def test_a_hand_edited_run_config_is_one_clear_error(tmp_path, edit):
    import json

    from ecgkit.experiment import ExperimentConfig, load_run

    config = ExperimentConfig().to_json()
    if edit == "drop":
        del config["leads"]
    else:
        config["colour"] = "blue"
    model = {"name": "beat_cnn", "in_channels": 2, "num_classes": 4, "kwargs": {}}
    (tmp_path / "config.json").write_text(json.dumps({"experiment": config, "model": model}))
    with pytest.raises(ValueError, match="edited by hand"):
        load_run(tmp_path)
