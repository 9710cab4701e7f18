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


def _bundled_csv(folder, record_id, *, header="MLII"):
    import numpy as np

    from ecgkit.data import load_example

    record, _ = load_example(record_id)
    path = folder / f"{record_id}.csv"
    np.savetxt(path, record.signal, delimiter=",", header=header, comments="", fmt="%.4f")
    return path


def test_detect_a_csv_file_writes_its_peaks_and_scores_a_wfdb_record_with_its_atr(tmp_path, capsys):
    import numpy as np
    import wfdb

    from ecgkit.data import BEAT_SYMBOLS, load_example

    recording = _bundled_csv(tmp_path, "105")
    peaks_file = tmp_path / "peaks.csv"
    assert main(["detect", str(recording), "--fs", "360", "--out", str(peaks_file)]) == 0
    out = capsys.readouterr().out
    assert "(no reference)" in out
    rows = peaks_file.read_text().splitlines()
    assert rows[0] == "sample,time_s"
    record, annotations = load_example("105")
    reference = annotations.select(BEAT_SYMBOLS).sample
    assert abs(len(rows) - 1 - reference.size) < 0.05 * reference.size
    wfdb.wrsamp("105", fs=360, units=["mV"], sig_name=["MLII"], p_signal=record.signal,
                fmt=["16"], write_dir=str(tmp_path))  # fmt: skip
    wfdb.wrann("105", "atr", reference, symbol=["N"] * reference.size, write_dir=str(tmp_path))
    assert main(["detect", str(tmp_path / "105.hea")]) == 0
    total = next(line for line in capsys.readouterr().out.splitlines() if "total" in line)
    se, ppv = (float(v) for v in total.split()[-2:])
    assert se > 95
    assert ppv > 90
    assert np.isfinite(se)


@pytest.mark.parametrize("fuse", [False, True])
def test_detect_uses_the_channels_named_like_an_ecg(tmp_path, capsys, fuse):
    # a respiration channel first: detect took it (a 0.25-Hz sine gave 103 "beats")
    import numpy as np

    from ecgkit.data import load_example

    record, _ = load_example("100")
    lead = np.asarray(record.signal[: 60 * 360, 0])
    resp = np.sin(2 * np.pi * 0.25 * np.arange(lead.size) / 360)
    path = tmp_path / "psg.csv"
    np.savetxt(path, np.column_stack([resp, lead]), delimiter=",", header="Resp,ECG", comments="")
    alone = tmp_path / "ecg.csv"
    np.savetxt(alone, lead, delimiter=",", header="ECG", comments="")
    extra = ["--all-leads"] if fuse else []
    for recording, out in ((path, "psg.txt"), (alone, "ecg.txt")):
        peaks = tmp_path / out
        args = ["detect", str(recording), "--fs", "360", "--out", str(peaks), *extra]
        assert main(args) == 0
    capsys.readouterr()
    assert (tmp_path / "psg.txt").read_text() == (tmp_path / "ecg.txt").read_text()
    # --leads chooses, whatever the names
    assert main(["detect", str(path), "--fs", "360", "--leads", "Resp"]) == 0
    assert "psg" in capsys.readouterr().out


def test_detect_places_beats_on_the_fiducial_asked_for(tmp_path, capsys):
    import numpy as np

    # an rS lead (V1-like): a small r 30 ms before a deep S, every 0.8 s
    fs = 500
    t = np.arange(10 * fs) / fs
    starts = np.arange(0.4, 9.6, 0.8)
    signal = sum(
        0.3 * np.exp(-0.5 * ((t - r) / 0.008) ** 2)
        - np.exp(-0.5 * ((t - r - 0.03) / 0.01) ** 2)
        + 0.25 * np.exp(-0.5 * ((t - r - 0.3) / 0.05) ** 2)
        for r in starts
    )
    recording = tmp_path / "v1.csv"
    np.savetxt(recording, signal[:, None], delimiter=",", header="V1", comments="")
    placed = {}
    for fiducial in ("extremum", "r_wave"):
        out = tmp_path / f"{fiducial}.csv"
        argv = ["detect", str(recording), "--fs", str(fs), "--fiducial", fiducial]
        assert main([*argv, "--out", str(out)]) == 0
        placed[fiducial] = np.loadtxt(out, delimiter=",", skiprows=1)[:, 0]
    capsys.readouterr()
    r_wave = np.round(starts * fs)
    assert np.abs(placed["r_wave"] - r_wave).max() <= 1
    assert np.abs(placed["extremum"] - (r_wave + 0.03 * fs)).max() <= 1
    with pytest.raises(SystemExit):
        main(["detect", str(recording), "--fs", str(fs), "--fiducial", "peak"])


@pytest.mark.slow
def test_train_under_torchrun_writes_one_run_folder_from_rank_0(tmp_path):
    import json
    import os

    out = tmp_path / "ddp"
    launcher = "import sys; from ecgkit.cli import main; sys.exit(main())"
    child = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
         "--no-python", sys.executable, "-c", launcher, "train", "--epochs", "1",
         "--out", str(out)],
        env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=300, capture_output=True, text=True,
    )  # fmt: skip
    assert child.returncode == 0, f"{child.stdout[-2000:]}\n{child.stderr[-2000:]}"
    assert "is in use by process" not in child.stderr
    assert child.stdout.count("run folder:") == 1
    assert json.loads((out / "config.json").read_text())["world_size"] == 2
    assert (out / "metrics.json").is_file()
    assert (out / "checkpoints" / "best.pt").is_file()
    assert not (out / ".ecgkit.lock").exists()


def _annotate_csv(tmp_path, capsys, name, signal):
    """Write ``signal`` (one lead, MLII, 360 Hz) as a CSV and annotate it without a figure.

    Returns the CSV's path, what the command printed and its summary.json.
    """
    import json

    import numpy as np

    path = tmp_path / f"{name}.csv"
    np.savetxt(path, signal, delimiter=",", header="MLII", comments="", fmt="%.4f")
    out = tmp_path / f"out-{name}"
    assert main(["annotate", str(path), "--fs", "360", "--out", str(out), "--no-figure"]) == 0
    return path, capsys.readouterr().out, json.loads((out / "summary.json").read_text())


def test_annotate_reports_the_gaps_of_a_recording_with_a_lead_off(tmp_path, capsys):
    import json

    import numpy as np

    from ecgkit.data import load_example

    record, _ = load_example("208")
    signal = np.asarray(record.signal, dtype=np.float64).copy()
    signal[30 * 360 : 35 * 360] = 0.0
    path, printed, summary = _annotate_csv(tmp_path, capsys, "208-lead-off", signal)
    assert "gaps: 1 stretch(es) without an ECG" in printed
    assert "5.0 s; no interval measured across them" in printed
    assert summary["gaps_s"] == [[30.0, 35.0]]
    # the same stretch missing (NaN) is the same gap, and the figure is drawn
    lines = path.read_text().splitlines()
    for row in range(1 + 30 * 360, 1 + 35 * 360):
        lines[row] = "NaN"
    missing = tmp_path / "208-missing.csv"
    missing.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out-missing"
    assert main(["annotate", str(missing), "--fs", "360", "--out", str(out)]) == 0
    assert json.loads((out / "summary.json").read_text())["gaps_s"] == [[30.0, 35.0]]
    assert (out / "beats.png").is_file()


def test_annotate_a_csv_with_the_pretrained_model_writes_every_file(tmp_path, capsys):
    import json

    import wfdb

    recording = _bundled_csv(tmp_path, "119")
    out = tmp_path / "out"
    assert main(["annotate", str(recording), "--fs", "360", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "beats, mean heart rate" in printed
    assert "atrial fibrillation: 0 episode(s) of 30 s or more, 0.0 % of the time" in printed
    for name in ("beats.csv", "119.ecgkit", "summary.json", "beats.png"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["V"] > 50  # record 119: bigeminy
    assert wfdb.rdann(str(out / "119"), "ecgkit").sample.size == summary["n_beats"]


@pytest.mark.parametrize(
    "argv",
    [
        ["annotate", "/nope.csv", "--fs", "360", "--out", "/tmp/x"],
        ["annotate", "README.md", "--out", "/tmp/x"],
        ["annotate", "/nope.csv"],
        ["annotate", "README.md", "--model", "no_such_model", "--out", "/tmp/x"],
        ["detect", "/nope.csv", "--fs", "360"],
        ["detect", "100", "--out", "peaks.csv"],
        ["detect", "999"],
        ["detect", "--method", "magic"],
        ["detect", "--data-dir", "/nope"],
        [],
        ["train", "--epochs", "0"],
        ["train", "--model", "vgg"],
        ["train", "--lr", "-1"],
        ["train", "--lr", "inf"],
        ["train", "--device", "tpu"],
        ["train", "--seed", "-1"],
        ["detect", "100", "--method", "emrich2023"],
        ["train", "--lr", "nan"],
        ["train", "--data-dir", "/nope"],
        ["train", "--val-fraction", "0.9"],
        ["train", "--prior-adjustment", "2"],
        ["train", "--rr-features", "seconds"],
        ["evaluate", "/nope"],
        ["explain", "/nope"],
        ["explain", "/nope", "--method", "magic"],
        ["explain", "/nope", "--beats", "100000"],
        ["explain", "/nope", "--out", "figure.pdf"],
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
    assert config["format"] == 2
    assert config["in_channels"] == 2  # the lead and its template residual
    assert config["experiment"]["prior_adjustment"] == 0.75
    assert config["recipe"]["adapt_batchnorm"] is config["experiment"]["adapt_batchnorm"] is True
    assert config["experiment"]["train"]["class_weighting"] is None
    assert main(["evaluate", str(run)]) == 0
    evaluated = capsys.readouterr().out
    accuracy = f"accuracy {100 * metrics['test']['accuracy']:.2f} %"
    assert accuracy in evaluated
    assert main(["explain", str(run), "--method", "saliency", "--beats", "3"]) == 0
    assert (run / "saliency.png").stat().st_size > 10_000
    # the run folder applies to a new recording, with the recipe it stored
    recording = _bundled_csv(tmp_path, "119")
    out = tmp_path / "annotated"
    assert (
        main(["annotate", str(recording), "--fs", "360", "--model", str(run), "--out", str(out)])
        == 0
    )
    assert (out / "beats.csv").is_file()
    # the rhythm gate travels with the run's recipe into the annotate path
    assert config["recipe"]["rhythm_gate"] == config["experiment"]["rhythm_gate"] == 0.5
    from ecgkit.annotate import Predictor

    assert Predictor.from_run(run).recipe.rhythm_gate == 0.5
    assert config["recipe"]["rhythm_min_episode_s"] == 0.0
    assert Predictor.from_run(run).recipe.rhythm_min_episode_s == 0.0
    assert Predictor.from_run(run).recipe.adapt_batchnorm
    assert "rhythm" in (out / "beats.csv").read_text().splitlines()[0].split(",")
    assert "af_burden_percent" in json.loads((out / "summary.json").read_text())
    # a run folder from before the recipe was stored (format 1) says so in one line
    older = {
        "experiment": config["experiment"],
        "model": {"name": "beat_cnn", "in_channels": 2, "num_classes": 4, "kwargs": {}},
        "class_priors": config["recipe"]["class_priors"],
    }
    (run / "config.json").write_text(json.dumps(older))
    assert (
        main(["annotate", str(recording), "--fs", "360", "--model", str(run), "--out", str(out)])
        == 2
    )
    assert "no beat recipe" in capsys.readouterr().err


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
    assert config["in_channels"] == 1
    assert config["experiment"]["prior_adjustment"] == 0.0  # weighted loss: no adjustment
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["n_val"] > 0
    assert set(metrics["test"]["per_class"]) == {"N", "S", "V", "F", "Q"}
    assert main(["evaluate", str(run)]) == 0
    accuracy = f"accuracy {100 * metrics['test']['accuracy']:.2f} %"
    assert accuracy in capsys.readouterr().out
    assert (run / "gradcam.png").stat().st_size > 10_000


def test_annotate_says_where_a_recording_is_noise_and_classifies_none_of_it(tmp_path, capsys):
    import numpy as np

    noise = np.random.default_rng(5).normal(0, 1.0, 360 * 60)
    _, printed, summary = _annotate_csv(tmp_path, capsys, "noise", noise)
    assert "no heart rate" in printed
    assert "where the lead does not repeat from beat to beat" in printed
    assert summary["counts"]["unclassified"] == summary["n_beats"] > 0
    assert summary["unclassified_reasons"]["noise"] > 0.9 * summary["n_beats"]
    assert summary["mean_heart_rate_bpm"] is None
    assert summary["af_episodes_s"] == []


def test_annotate_takes_a_calibration_train_for_a_gap_and_says_where(tmp_path, capsys):
    import numpy as np

    from ecgkit.data import load_example

    lead = np.asarray(load_example("100")[0].signal[: 60 * 360, 0], dtype=np.float64)
    cal = np.full(3 * 360, lead[0])
    for k in range(3):
        cal[k * 360 + 90 : k * 360 + 162] += 1.0  # 1 mV for 200 ms, once a second
    _, printed, summary = _annotate_csv(tmp_path, capsys, "cal", np.concatenate([cal, lead]))
    assert "or a calibration signal), 2.5 s" in printed
    (start, stop), *rest = summary["calibration_s"]
    assert not rest
    assert start == 0.0
    assert 2.4 < stop < 2.5
    assert summary["gaps_s"] == summary["calibration_s"]
    assert summary["counts"]["S"] + summary["counts"]["V"] <= 2  # the pulses were 6 beats


def test_annotate_says_which_beats_a_pacemaker_paced_and_classifies_none_of_them(tmp_path, capsys):
    from .synthetic import paced_ecg

    paced, _, _ = paced_ecg(70, fs=360.0, paced=tuple(range(10, 70)))
    _, printed, summary = _annotate_csv(tmp_path, capsys, "paced", paced)
    assert "after a pacemaker spike: not classified" in printed
    assert 55 <= summary["unclassified_reasons"]["paced"] <= 60
    import wfdb

    symbols = wfdb.rdann(str(tmp_path / "out-paced" / "paced"), "ecgkit").symbol
    assert symbols.count("/") == summary["unclassified_reasons"]["paced"]  # WFDB's paced beat


def test_annotate_flags_the_waves_of_ventricular_flutter_and_classifies_none(tmp_path, capsys):
    import numpy as np
    import wfdb

    from ecgkit.data import load_example

    # MIT-BIH 207's excerpt: five episodes of ventricular flutter, whose 132 waves the model
    # had called S, N, V and F beats (and their intervals atrial fibrillation)
    lead = np.asarray(load_example("207")[0].signal[:, 0], dtype=np.float64)
    _, printed, summary = _annotate_csv(tmp_path, capsys, "vf", lead)
    assert "ventricular flutter or fibrillation: " in printed
    flagged = summary["unclassified_reasons"]["vf"]
    assert 60 <= flagged <= 100  # 76 measured
    assert len(summary["vf_s"]) == 4
    read = wfdb.rdann(str(tmp_path / "out-vf" / "vf"), "ecgkit")
    assert read.symbol.count("!") == flagged  # WFDB's ventricular flutter wave
    # no AF episode inside a stretch of flutter
    for start, stop in summary["af_episodes_s"]:
        for first, last in summary["vf_s"]:
            assert stop <= first or start >= last


def test_flutter_inside_a_sinus_recording_is_flagged_and_left_out_of_the_heart_rate(
    tmp_path, capsys
):
    import numpy as np

    from ecgkit.data import load_example

    lead = np.asarray(load_example("100")[0].signal[: 90 * 360, 0], dtype=np.float64)
    _, _, plain = _annotate_csv(tmp_path, capsys, "plain", lead)
    # 20 s of a 4.5 Hz sinusoid (270 waves a minute, 1 mV) from 30 s
    t = np.arange(20 * 360) / 360.0
    with_flutter = lead.copy()
    with_flutter[30 * 360 : 50 * 360] = lead[30 * 360] + 0.5 * np.sin(2 * np.pi * 4.5 * t)
    _, printed, summary = _annotate_csv(tmp_path, capsys, "flutter", with_flutter)
    assert "ventricular flutter or fibrillation" in printed
    ((start, stop),) = summary["vf_s"]
    # inside the sinusoid (32-41 s measured: the detector takes every second or third wave
    # of so smooth a sinusoid, and where its beats are further apart than two waves the
    # windows are taken for a tremor over a slower rhythm)
    assert 26.0 < start < stop < 54.0
    assert 10 <= summary["unclassified_reasons"]["vf"] <= 50  # 19 measured
    # no interval to or from a flutter wave: the heart rate is the sinus rhythm's
    assert summary["mean_heart_rate_bpm"] == pytest.approx(plain["mean_heart_rate_bpm"], rel=0.05)
    assert "vf" not in plain["unclassified_reasons"]
    assert plain["vf_s"] == []


def test_annotate_lists_the_pauses_but_not_the_gaps(tmp_path, capsys):
    import numpy as np

    from ecgkit.annotate import PAUSE_MIN_S
    from ecgkit.data import load_example

    lead = np.asarray(load_example("100")[0].signal[: 60 * 360, 0], dtype=np.float64)
    _, printed, plain = _annotate_csv(tmp_path, capsys, "plain", lead)
    assert plain["pauses_s"] == []
    assert 0.8 < plain["longest_rr_s"] < PAUSE_MIN_S
    assert "pauses:" not in printed
    # 4 s without a beat (a sinus arrest: the baseline and its noise go on)
    arrest = lead.copy()
    at, stop = 30 * 360, 34 * 360
    noise = 0.01 * np.random.default_rng(0).standard_normal(stop - at)
    arrest[at:stop] = np.median(lead[at - 360 : at]) + noise
    _, printed, summary = _annotate_csv(tmp_path, capsys, "arrest", arrest)
    ((first, last),) = summary["pauses_s"]
    assert first < 30.0
    assert last > 34.0
    assert summary["longest_rr_s"] == pytest.approx(last - first)
    assert "pauses: 1 interval(s) of 2 s or more" in printed
    # the same 4 s missing (a gap): no interval across it, no pause
    missing = lead.copy()
    missing[at:stop] = np.nan
    _, _, summary = _annotate_csv(tmp_path, capsys, "missing", missing)
    assert summary["pauses_s"] == []
    assert summary["longest_rr_s"] < PAUSE_MIN_S


def test_annotate_says_where_bursts_of_noise_cover_beats(tmp_path, capsys):
    import numpy as np

    from ecgkit.data import load_example

    signal = load_example("119")[0].signal[:, 0].copy()
    rng = np.random.default_rng(1)
    for start_s in range(20, 280, 30):
        signal[start_s * 360 : (start_s + 2) * 360] += rng.normal(0, 2.0, 720)
    _, printed, summary = _annotate_csv(tmp_path, capsys, "bursts", signal)
    noise = summary["unclassified_reasons"]["noise"]
    assert noise >= 9  # at least a beat in each of the nine bursts
    assert f"noise: {noise} beat(s) over" in printed
    assert "a burst of noise covers the beat (noise ratio 11 or more" in printed


def test_annotate_counts_the_beats_whose_labels_noise_makes_less_reliable(tmp_path, capsys):
    import csv

    import numpy as np

    from ecgkit.data import load_example

    record, _ = load_example("100")
    signal = record.signal[:, 0].copy()
    half = signal.size // 2
    signal[half:] += np.random.default_rng(0).normal(0, 0.4, signal.size - half)
    _, printed, summary = _annotate_csv(tmp_path, capsys, "noisy", signal)
    with (tmp_path / "out-noisy" / "beats.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    repeat = np.array([float(row["repeatability"]) for row in rows])
    classified = np.array([row["class"] != "?" for row in rows])
    noisy = np.array([int(row["sample"]) >= half for row in rows])
    # clean beats repeat, beats in the noise less, not so little as to be noise
    assert np.median(repeat[~noisy]) > 0.95
    assert 0.4 < np.median(repeat[noisy]) < 0.8
    assert summary["less_reliable_beats"] == int((classified & (repeat < 0.8)).sum()) > 100
    assert f"less reliable: {summary['less_reliable_beats']} classified beat(s)" in printed


def test_annotate_counts_the_beats_of_a_fast_rhythm_as_less_reliable(tmp_path, capsys):
    import csv
    import json

    import numpy as np

    from ecgkit.data import load_example

    # record 100's excerpt (about 75 bpm) declared at twice its rate: about 150 bpm
    record, _ = load_example("100")
    path = tmp_path / "fast.csv"
    np.savetxt(path, record.signal[:, 0], delimiter=",", header="MLII", comments="", fmt="%.4f")
    out = tmp_path / "out-fast"
    assert main(["annotate", str(path), "--fs", "720", "--out", str(out), "--no-figure"]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    with (out / "beats.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    rate = np.array([float(row["heart_rate_bpm"] or "nan") for row in rows])
    classified = np.array([row["class"] != "?" for row in rows])
    assert np.nanmedian(rate) > 140
    fast = int((classified & (rate >= 120)).sum())
    assert summary["fast_beats"] == fast > 0.9 * len(rows)
    assert summary["less_reliable_beats"] >= fast
    assert f"less reliable: {fast} classified beat(s) in a rhythm of 120 bpm or more" in printed
    assert f"in {len(summary['fast_s'])} stretch(es)" in printed
    assert summary["fast_s"][0][1] - summary["fast_s"][0][0] > 60  # most of the 2.5 minutes
    low, high = summary["slowest_heart_rate_bpm"], summary["fastest_heart_rate_bpm"]
    assert 100 < low < 150 < high < 200
    assert f"({low:.0f}-{high:.0f} bpm around a beat" in printed


def test_annotate_says_which_mains_hum_it_notched_out(tmp_path, capsys):
    import numpy as np

    from ecgkit.data import load_example

    signal = load_example("201")[0].signal[: 360 * 60, 0]
    _, printed, summary = _annotate_csv(tmp_path, capsys, "clean", signal)
    assert summary["mains_hz"] == []
    assert "mains hum" not in printed
    hum = 0.5 * np.sin(2 * np.pi * 60.0 * np.arange(signal.size) / 360.0)
    _, printed, summary = _annotate_csv(tmp_path, capsys, "hum", signal + hum)
    assert summary["mains_hz"] == [60.0]
    assert "mains hum: 60 Hz (a line of 0.1 mV or more) notched out before classifying" in printed


def test_annotate_says_how_many_spikes_it_bridged(tmp_path, capsys):
    from ecgkit.data import load_example

    signal = load_example("100")[0].signal[: 360 * 60, 0].copy()
    signal[[1000, 5000, 9000]] += 8.0
    _, printed, summary = _annotate_csv(tmp_path, capsys, "spikes", signal)
    assert summary["spikes_removed"] == 3
    assert "spikes: 3 (steeper than 700 mV/s and back within 50 ms) replaced" in printed


def test_annotate_says_how_many_baseline_steps_it_subtracted(tmp_path, capsys):
    from ecgkit.data import load_example

    signal = load_example("100")[0].signal[: 360 * 60, 0].copy()
    signal[360 * 30 + 100 :] += 3.0  # between two beats (t = 30.28 s)
    _, printed, summary = _annotate_csv(tmp_path, capsys, "step", signal)
    assert summary["steps_removed"] == 1
    assert "baseline steps: 1 (a jump of 1 mV or more between two samples that stays)" in printed


def test_annotate_takes_a_wfdb_records_invalid_samples_as_a_gap(tmp_path, capsys):
    import json

    import numpy as np
    import wfdb

    from ecgkit.data import load_example

    record, _ = load_example("208")
    signal = np.asarray(record.signal, dtype=np.float64)[: 60 * 360].copy()
    signal[30 * 360 : 35 * 360] = np.nan  # WFDB writes them as its invalid value
    wfdb.wrsamp(
        "lost", fs=360, units=["mV"], sig_name=["MLII"], p_signal=signal, fmt=["16"],
        adc_gain=[200], baseline=[0], write_dir=str(tmp_path),
    )  # fmt: skip
    out = tmp_path / "out"
    assert main(["annotate", str(tmp_path / "lost.hea"), "--out", str(out), "--no-figure"]) == 0
    assert "gaps: 1 stretch(es) without an ECG" in capsys.readouterr().out
    assert json.loads((out / "summary.json").read_text())["gaps_s"] == [[30.0, 35.0]]


def test_annotate_reports_the_date_and_time_a_header_states(tmp_path, capsys):
    import datetime
    import json

    import numpy as np
    import wfdb

    from ecgkit.data import load_example

    record, _ = load_example("208")
    start = datetime.datetime(2024, 1, 31, 22, 15, 30)
    wfdb.wrsamp(
        "dated", fs=360, units=["mV"], sig_name=["MLII"], fmt=["16"],
        p_signal=np.asarray(record.signal, dtype=np.float64)[: 60 * 360],
        base_date=start.date(), base_time=start.time(), write_dir=str(tmp_path),
    )  # fmt: skip
    out = tmp_path / "out"
    assert main(["annotate", str(tmp_path / "dated.hea"), "--out", str(out), "--no-figure"]) == 0
    assert "at 360 Hz from 2024-01-31T22:15:30," in capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["start_time"] == "2024-01-31T22:15:30"
    assert summary["start_s"] == 0.0


@pytest.mark.parametrize("fill", [0.0, float("nan")])
def test_annotate_a_recording_without_a_beat_writes_every_file(tmp_path, capsys, fill):
    # all of it a lead off or missing (one gap, no beat): the rhythm's loop over the
    # stretches between gaps indexed a beat that was not there, wfdb refused to write no
    # annotation, and a lead all NaN reached the P-wave measure, which refuses NaN
    import numpy as np
    import wfdb

    _, printed, summary = _annotate_csv(tmp_path, capsys, "off", np.full(10 * 360, fill))
    assert "0 beats, no heart rate" in printed
    assert "no time analysed" in printed
    assert summary["n_beats"] == 0
    assert summary["gaps_s"] == [[0.0, 10.0]]
    # nothing to divide by: null, not 0
    for key in ("mean_heart_rate_bpm", "per_hour", "burden_percent", "af_burden_percent"):
        assert summary[key] is None
    out = tmp_path / "out-off"
    assert (out / "beats.csv").read_text().splitlines() == [
        "sample,time_s,class,flag,rhythm,p_N,p_S,p_V,p_F,repeatability,noise_ratio,heart_rate_bpm"
    ]
    assert wfdb.rdann(str(out / "off"), "ecgkit").sample.size == 0


def test_cli_prints_a_warning_raised_twice_once(tmp_path, capsys):
    # the lead choice is made for the model's input and again for the rhythm's lead
    import numpy as np

    from ecgkit.data import load_example

    record, _ = load_example("100")
    path = tmp_path / "two.csv"
    lead = np.asarray(record.signal[: 20 * 360, 0])
    np.savetxt(path, np.column_stack([lead, lead]), delimiter=",", header="A,B", comments="")
    out = tmp_path / "out"
    assert main(["annotate", str(path), "--fs", "360", "--out", str(out), "--no-figure"]) == 0
    errors = capsys.readouterr().err
    assert errors.count("does not name: using 'A'") == 1


def test_annotate_says_why_beats_are_unclassified_and_reads_units(tmp_path, capsys):
    # a CSV in volts: every beat under 0.05 mV, "unclassified: 74" and no word on why
    import numpy as np

    from ecgkit.data import load_example

    record, _ = load_example("100")
    volts = np.asarray(record.signal[: 60 * 360, 0]) / 1000
    path = tmp_path / "volts.csv"
    np.savetxt(path, volts, delimiter=",", header="MLII", comments="", fmt="%.8f")
    args = ["annotate", str(path), "--fs", "360", "--no-figure"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    printed = capsys.readouterr()
    assert "beats are flat (under 0.05 mV peak to peak)" in printed.err
    assert "--units V" in printed.err
    unclassified = next(line for line in printed.out.splitlines() if "unclassified" in line)
    assert "flat" in unclassified
    assert main([*args, "--units", "V", "--out", str(tmp_path / "b")]) == 0
    printed = capsys.readouterr()
    assert "flat" not in printed.err + printed.out
    n_line = next(line for line in printed.out.splitlines() if line.strip().startswith("N:"))
    assert int(n_line.split()[1]) > 60


def test_a_time_column_is_named_on_the_command_line(tmp_path, capsys):
    import numpy as np

    from ecgkit.data import load_example

    record, _ = load_example("100")
    lead = np.asarray(record.signal[: 20 * 360, 0])
    path = tmp_path / "zeit.csv"
    table = np.column_stack([np.arange(lead.size) / 0.36, lead])
    np.savetxt(path, table, delimiter=",", header="Zeit (ms),MLII", comments="", fmt="%.4f")
    assert main(["detect", str(path), "--time-column", "Zeit (ms)"]) == 0
    row = capsys.readouterr().out.splitlines()[-1].split()
    assert row[0] == "zeit"
    assert 20 < int(row[1]) < 30


def test_annotate_reports_times_on_the_recordings_own_clock(tmp_path, capsys):
    # a CSV whose time column starts at 3600 s: beats.csv and summary.json said 0.2 s
    import json

    import numpy as np

    from ecgkit.data import load_example

    record, _ = load_example("100")
    lead = np.asarray(record.signal[: 40 * 360, 0]).copy()
    lead[20 * 360 : 25 * 360] = np.nan
    table = np.column_stack([3600 + np.arange(lead.size) / 360, lead])
    path = tmp_path / "late.csv"
    np.savetxt(path, table, delimiter=",", header="time,MLII", comments="", fmt="%.6f")
    out = tmp_path / "out"
    assert main(["annotate", str(path), "--out", str(out), "--no-figure"]) == 0
    capsys.readouterr()
    rows = (out / "beats.csv").read_text().splitlines()[1:]
    first = [float(row.split(",")[1]) for row in rows]
    assert 3600 < first[0] < 3602
    summary = json.loads((out / "summary.json").read_text())
    assert summary["start_s"] == pytest.approx(3600.0)
    assert np.allclose(summary["gaps_s"], [[3620.0, 3625.0]], atol=0.01)


@pytest.mark.parametrize(
    ("episodes", "expected"),
    [
        ([], "0 episode(s) of 30 s or more, "),
        ([[0.0, 40.0]], "1 episode(s) of 30 s or more, "),
        # the parts a ventricular run splits, or a 10-s strip judged whole
        ([[0.0, 40.0], [42.0, 50.0]], "1 episode(s) of 30 s or more and 1 shorter (a "),
        ([[0.0, 9.5]], "0 episode(s) of 30 s or more and 1 shorter (a "),
    ],
)
def test_the_af_line_counts_only_episodes_of_30_s_as_such(episodes, expected):
    from ecgkit.cli import _af_line

    summary = {
        "af_episodes_s": episodes, "af_burden_percent": 10.0, "af_like_beats": 0,
        "p_waves_absent_beats": 0,
    }  # fmt: skip
    assert _af_line(summary, "none called S").startswith(f"atrial fibrillation: {expected}")
