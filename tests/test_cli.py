import subprocess
import sys

import pytest

from ecgkit.cli import main


def test_detect_on_the_bundled_excerpt_prints_totals(capsys):
    assert main(["detect", "100", "105"]) == 0
    out = capsys.readouterr().out
    assert "100" in out
    assert "total" in out
    total = next(line for line in out.splitlines() if line.strip().startswith("total"))
    se, ppv = (float(v) for v in total.split()[-2:])
    assert se > 98
    assert ppv > 95


@pytest.mark.parametrize(
    "argv",
    [
        ["detect", "999"],
        ["detect", "--method", "magic"],
        ["detect", "--data-dir", "/nope"],
        [],
        ["train", "--epochs", "0"],
        ["train", "--model", "vgg"],
        ["train", "--lr", "-1"],
        ["train", "--data-dir", "/nope"],
        ["train", "--val-fraction", "0.9"],
        ["train", "--prior-adjustment", "2"],
        ["train", "--rr-features", "seconds"],
        ["evaluate", "/nope"],
        ["explain", "/nope"],
        ["explain", "/nope", "--method", "magic"],
    ],
)
def test_bad_arguments_exit_with_code_2(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_console_script_reports_its_version():
    out = subprocess.run(
        [sys.executable, "-m", "ecgkit.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.startswith("ecgkit ")


@pytest.mark.slow
def test_train_evaluate_and_explain_end_to_end_on_the_bundled_excerpt(tmp_path, capsys):
    import json

    run = tmp_path / "run"
    assert main(["train", "--epochs", "1", "--out", str(run), "--model", "beat_cnn"]) == 0
    out = capsys.readouterr().out
    assert "macro F1" in out
    for name in ("config.json", "history.csv", "metrics.json", "confusion.png", "curves.png",
                 "gradcam.png", "checkpoints/best.pt", "checkpoints/last.pt"):  # fmt: skip
        assert (run / name).is_file(), name
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["n_test"] > 7000
    assert set(metrics["test"]["per_class"]) == {"N", "S", "V", "F"}
    config = json.loads((run / "config.json").read_text())
    assert config["model"]["in_channels"] == 2  # the lead and its template residual
    assert config["experiment"]["prior_adjustment"] == 0.5
    assert config["experiment"]["train"]["class_weighting"] == "none"
    assert main(["evaluate", str(run)]) == 0
    evaluated = capsys.readouterr().out
    accuracy = f"accuracy {100 * metrics['test']['accuracy']:.2f} %"
    assert accuracy in evaluated
    assert main(["explain", str(run), "--method", "saliency", "--beats", "3"]) == 0
    assert (run / "saliency.png").stat().st_size > 10_000


@pytest.mark.slow
def test_five_classes_in_mv_with_validation_and_weights_is_reused_by_evaluate(tmp_path, capsys):
    import json

    run = tmp_path / "run"
    argv = ["train", "--epochs", "1", "--out", str(run), "--no-template", "--val-fraction", "0.2"]
    options = ["--classes", "NSVFQ", "--normalize", "none", "--class-weighting", "balanced"]
    assert main([*argv, *options, "--model", "beat_cnn"]) == 0
    out = capsys.readouterr().out
    assert "validation beats (DS1, split by patient)" in out
    config = json.loads((run / "config.json").read_text())
    assert config["model"]["in_channels"] == 1
    assert config["experiment"]["prior_adjustment"] == 0.0  # weighted loss: no adjustment
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["n_val"] > 0
    assert set(metrics["test"]["per_class"]) == {"N", "S", "V", "F", "Q"}
    assert main(["evaluate", str(run)]) == 0
    accuracy = f"accuracy {100 * metrics['test']['accuracy']:.2f} %"
    assert accuracy in capsys.readouterr().out
    assert (run / "gradcam.png").stat().st_size > 10_000
