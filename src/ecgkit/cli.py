"""The ``ecgkit`` command line."""

from __future__ import annotations

import argparse
import dataclasses
import errno
import functools
import math
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from ecgkit import __version__

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``ecgkit`` command."""
    from ecgkit.signal import FIDUCIALS, PEAK_METHODS

    parser = argparse.ArgumentParser(
        prog="ecgkit", description="ECG beat detection, classification and explanation."
    )
    parser.add_argument("--version", action="version", version=f"ecgkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    detect = commands.add_parser(
        "detect",
        help="detect R peaks in any recording; score them where a reference exists (EC57)",
        description="Detect R peaks in recordings (WFDB, EDF/BDF, CSV/TSV, NPY/NPZ files) or "
        "in MIT-BIH records named by id (the bundled excerpt, or --data-dir). Peaks are scored "
        "beat by beat (ANSI/AAMI EC57, 150 ms window) against a reference when one exists: "
        "--reference, or a .atr file beside a WFDB record.",
    )
    detect.add_argument(
        "inputs", nargs="*", help="recording files, or record ids (default: every record)"
    )
    detect.add_argument("--data-dir", type=Path, help="folder of WFDB records (.hea/.dat/.atr)")
    detect.add_argument("--method", default="ecgkit", choices=PEAK_METHODS)
    detect.add_argument(
        "--all-leads",
        action="store_true",
        help="fuse every lead instead of using the first (either way only the leads named "
        "like an ECG, where any is, unless --leads chooses)",
    )
    detect.add_argument("--fs", type=_positive_float, help="sampling rate in Hz (CSV, NPY)")
    detect.add_argument("--leads", nargs="+", help="leads to read, by name or number")
    _add_reading_options(detect)
    detect.add_argument(
        "--fiducial",
        default="extremum",
        choices=FIDUCIALS,
        help="place each beat on the QRS's largest deflection (extremum, as MIT-BIH marks "
        "beats) or on its R wave (r_wave, as LUDB and clinicians mark the R peak; differs "
        "where a lead's QRS is mostly negative, as in aVR and V1-V3)",
    )
    detect.add_argument(
        "--reference", type=Path, help="WFDB annotation file of the reference beats"
    )
    detect.add_argument("--out", type=Path, help="write the peaks (sample, time_s) as CSV")
    annotate = commands.add_parser(
        "annotate",
        help="label every beat of a recording with a trained model, and explain the ectopic ones",
        description="Detect the beats of a recording (WFDB, EDF/BDF, CSV/TSV, NPY/NPZ; any "
        "sampling rate, any length), classify each one (AAMI N, S, V, F) with the pretrained "
        "model shipped with ecgkit or a run folder of 'ecgkit train', and write beats.csv, a "
        "WFDB annotation file, summary.json and a figure of the non-N beats with their "
        "Grad-CAM maps. Research use only, not a medical device.",
    )
    annotate.add_argument("input", type=Path, help="the recording")
    annotate.add_argument(
        "--model", help="run folder, or pretrained model name (default: the shipped one)"
    )
    annotate.add_argument("--fs", type=_positive_float, help="sampling rate in Hz (CSV, NPY)")
    annotate.add_argument("--leads", nargs="+", help="the recording's leads that feed the model")
    _add_reading_options(annotate)
    annotate.add_argument("--out", type=Path, required=True, help="output folder")
    annotate.add_argument(
        "--chunk-s",
        type=_positive_float,
        default=1800.0,
        help="about this many seconds are processed at a time (bounded memory)",
    )
    annotate.add_argument("--no-figure", action="store_true", help="skip the figure")
    annotate.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1 ...")
    _add_train(commands)
    evaluate = commands.add_parser(
        "evaluate",
        help="evaluate a run's best checkpoint on its test records again",
        description="Reopen a run folder written by 'ecgkit train' and score its best "
        "checkpoint on the test records (DS2).",
    )
    evaluate.add_argument("run", type=Path, help="run folder")
    evaluate.add_argument("--data-dir", type=Path, help="override the run's data folder")
    explain = commands.add_parser(
        "explain",
        help="draw Grad-CAM maps of a run's test beats",
        description="Reopen a run folder and draw attribution maps of test beats, one or "
        "more per class, over the beats' waveforms.",
    )
    explain.add_argument("run", type=Path, help="run folder")
    explain.add_argument(
        "--method", default="gradcam", choices=("gradcam", "gradcam++", "saliency")
    )
    explain.add_argument("--beats", type=_positive_int, default=8, help="beats to show")
    explain.add_argument("--data-dir", type=Path, help="override the run's data folder")
    explain.add_argument("--out", type=Path, help="PNG to write (default: in the run folder)")
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be finite and > 0, got {text}")
    return value


def _add_train(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    train = commands.add_parser(
        "train",
        help="train, evaluate and explain a beat classifier (the main job)",
        description="Train a beat classifier on the de Chazal DS1 records (AAMI classes "
        "N, S, V, F), evaluate it on the DS2 patients, and write a run folder (config, "
        "history, checkpoints, metrics.json, confusion matrix, training curves, Grad-CAM "
        "figure). The defaults are the recipe that generalised best to unseen patients on "
        "the full database (z-scored beats with the record template channel, unweighted "
        "loss, decisions adjusted halfway towards equal class priors). Without --data-dir "
        "it uses the MIT-BIH excerpt bundled with ecgkit and takes under a minute on 2 CPU "
        "cores.",
    )
    train.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="start from the recipe of a run's config.json (options given as well change it)",
    )
    try:
        from ecgkit.options import add_config_options
    except ImportError:
        # no torch: the recipe options cannot be generated; take whatever was given, and
        # running 'ecgkit train' then says in one line which extra to install
        train.set_defaults(needs_torch=True)
    else:
        add_config_options(train)
    train.add_argument(
        "--resume",
        type=Path,
        metavar="RUN",
        help="continue the stopped run RUN with its own recipe (no other recipe option)",
    )
    train.add_argument(
        "--allow-changes",
        action="store_true",
        help="with --resume: continue with the training options given changed (more epochs, "
        "another learning rate ...; not the optimizer, seed or data recipe); the "
        "learning-rate schedule is rebuilt for them and the run's history records the change",
    )


def _is_file_input(text: str) -> bool:
    path = Path(text)
    return path.is_file() or path.with_suffix(".hea").is_file() or bool(path.suffix)


def _records_to_score(
    inputs: list[str], data_dir: Path | None, parser: argparse.ArgumentParser
) -> list[str]:
    from ecgkit.data import EXAMPLE_RECORDS

    if data_dir is None:
        available = list(EXAMPLE_RECORDS)
    else:
        if not data_dir.is_dir():
            parser.error(f"--data-dir {data_dir} is not a folder")
        available = sorted(p.stem for p in data_dir.glob("*.hea"))
        if not available:
            parser.error(f"--data-dir {data_dir} holds no WFDB header (.hea)")
    unknown = [r for r in inputs if r not in available]
    if unknown:
        parser.error(f"unknown record(s) {', '.join(unknown)}; available: {' '.join(available)}")
    return inputs or available


def _reference_of(path: Path, explicit: Path | None) -> Path | None:
    """The reference annotation file: given, or a .atr beside a WFDB record."""
    if explicit is not None:
        if not explicit.is_file():
            raise FileNotFoundError(f"reference annotation file not found: {explicit}")
        return explicit
    beside = path.with_suffix(".atr")
    return beside if path.with_suffix(".hea").is_file() and beside.is_file() else None


def _add_reading_options(command: argparse.ArgumentParser) -> None:
    """``--units`` and ``--time-column``, passed to :func:`ecgkit.data.read_signal`."""
    command.add_argument(
        "--units",
        choices=("mV", "uV", "V"),
        help="unit of a file that states none (CSV, NPY; default mV)",
    )
    command.add_argument(
        "--time-column",
        help="name of a CSV's time column, in seconds unless its name ends in a unit "
        "('Zeit (ms)'), where it is not one of the names known",
    )


def _detect(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ecgkit.data import BEAT_SYMBOLS, load_example, read_annotations, read_record, read_signal
    from ecgkit.data.leads import named_like_ecg
    from ecgkit.signal import detect_r_peaks, match_peaks

    files = [text for text in args.inputs if args.data_dir is None and _is_file_input(text)]
    if files and len(files) != len(args.inputs):
        parser.error("give either recording files or record ids, not both")
    if args.out is not None and len(files) != 1:
        parser.error("--out needs exactly one recording file")
    if args.reference is not None and len(files) != 1:
        parser.error("--reference needs exactly one recording file")
    if files:
        jobs = files
        source = "files"
    else:
        jobs = _records_to_score(list(args.inputs), args.data_dir, parser)
        source = str(args.data_dir) if args.data_dir else "bundled MIT-BIH excerpt (5 min, lead 1)"
    print(f"ecgkit detect: method {args.method}, {len(jobs)} recording(s) from {source}")
    print(
        f"{'record':>8} {'beats':>6} {'bpm':>6} {'TP':>6} {'FP':>5} {'FN':>5} "
        f"{'Se %':>7} {'+P %':>7}"
    )
    tp = fp = fn = 0
    scored = False
    for job in jobs:
        reference = None
        if files:
            path = Path(job)
            record = read_signal(
                path, fs=args.fs, leads=args.leads, units=args.units, time_column=args.time_column
            )
            ref_file = _reference_of(path, args.reference)
            if ref_file is not None:
                annotations = read_annotations(ref_file.with_suffix(""), ref_file.suffix[1:])
                reference = annotations.select(BEAT_SYMBOLS).sample
        else:
            if args.data_dir is None:
                record, annotations = load_example(job)
            else:
                record = read_record(args.data_dir / job)
                annotations = read_annotations(args.data_dir / job)
            reference = annotations.select(BEAT_SYMBOLS).sample
        # the channels named like an ECG, where any is and --leads did not choose: an
        # export's Pleth or Resp channel may come first
        leads = record.lead_names
        named = [i for i, name in enumerate(leads) if named_like_ecg(name)]
        chosen = named if named and args.leads is None else list(range(len(leads)))
        signal = record.leads_first[chosen] if args.all_leads else record.leads_first[chosen[0]]
        peaks = detect_r_peaks(
            signal, record.fs, method=args.method, chunk_s=1800.0, fiducial=args.fiducial
        )
        bpm = 60 * record.fs / np.diff(peaks).mean() if peaks.size > 1 else float("nan")
        if args.out is not None:
            _write_peaks(args.out, peaks, record.fs, record.start_s)
        if reference is None:
            print(f"{record.record_id:>8} {peaks.size:>6} {bpm:>6.1f}  (no reference)")
            continue
        m = match_peaks(peaks, reference, record.fs)
        tp, fp, fn, scored = tp + m.tp, fp + m.fp, fn + m.fn, True
        print(
            f"{record.record_id:>8} {peaks.size:>6} {bpm:>6.1f} {m.tp:>6} {m.fp:>5} {m.fn:>5} "
            f"{100 * m.sensitivity:>7.2f} {100 * m.positive_predictivity:>7.2f}"
        )
    if scored:
        se = 100 * tp / max(tp + fn, 1)
        ppv = 100 * tp / max(tp + fp, 1)
        print(f"{'total':>8} {tp + fn:>6} {'':>6} {tp:>6} {fp:>5} {fn:>5} {se:>7.2f} {ppv:>7.2f}")
    if args.out is not None:
        print(f"peaks written to {args.out}")
    return 0


def _write_peaks(path: Path, peaks: np.ndarray, fs: float, start_s: float) -> None:
    """Write ``sample, time_s`` rows: time on the recording's clock (``start_s`` first)."""
    from ecgkit._files import atomic_write

    lines = ["sample,time_s", *(f"{int(p)},{start_s + p / fs:.4f}" for p in peaks)]
    with atomic_write(path) as handle:
        handle.write(("\n".join(lines) + "\n").encode())


def _annotate(args: argparse.Namespace) -> int:
    from ecgkit.annotate import PAUSE_MIN_S, Predictor, gate_effect, write_report
    from ecgkit.data import read_signal
    from ecgkit.signal import (
        MAINS_NOTCH_MV,
        NOISE_RATIO_MAX,
        NOISE_RATIO_RELIABLE,
        RATE_RELIABLE_BPM,
        REPEAT_RELIABLE,
        SPIKE_MAX_S,
        SPIKE_MV_PER_S,
        STEP_MIN_MV,
    )

    predictor = Predictor.load(args.model, device=args.device)
    if not args.input.exists() and not args.input.with_suffix(".hea").is_file():
        raise FileNotFoundError(f"recording not found: {args.input}")
    record = read_signal(
        args.input, fs=args.fs, units=args.units, time_column=args.time_column, missing="keep"
    )
    beats = predictor.prepare(record, leads=args.leads, chunk_s=args.chunk_s, progress=None)
    annotations = predictor.annotations_of(
        beats, lead_signal=predictor.rhythm_lead(record, leads=args.leads)
    )
    files = write_report(
        annotations, beats, predictor, args.out, record=record, figure=not args.no_figure
    )
    summary = annotations.summary()
    started = f" from {record.start_time}" if record.start_time else ""
    print(
        f"ecgkit annotate: {record.record_id}, {annotations.duration_s / 60:.1f} min at "
        f"{record.fs:g} Hz{started}, lead(s) {', '.join(annotations.lead_names)}, "
        f"model {predictor.name}"
    )
    rate = summary["mean_heart_rate_bpm"]
    if rate:
        print(
            f"{len(annotations)} beats, mean heart rate {rate:.0f} bpm "
            f"({summary['slowest_heart_rate_bpm']:.0f}-{summary['fastest_heart_rate_bpm']:.0f} "
            "bpm around a beat, the median of the 8 intervals about it)"
        )
    else:
        print(f"{len(annotations)} beats, no heart rate (no interval between two beats)")
    if summary["gaps_s"]:
        print(
            f"gaps: {len(summary['gaps_s'])} stretch(es) without an ECG (missing samples, "
            f"the lead held at one value, or a calibration signal), {annotations.gap_s:.1f} s; "
            "no interval measured across them"
        )
    if summary["mains_hz"]:
        print(
            f"mains hum: {' and '.join(f'{hz:g}' for hz in summary['mains_hz'])} Hz "
            f"(a line of {MAINS_NOTCH_MV:g} mV or more) notched out before classifying"
        )
    if summary["spikes_removed"]:
        print(
            f"spikes: {summary['spikes_removed']} (steeper than {SPIKE_MV_PER_S:g} mV/s and back "
            f"within {SPIKE_MAX_S * 1000:g} ms) replaced by a straight line before filtering"
        )
    if summary["steps_removed"]:
        print(
            f"baseline steps: {summary['steps_removed']} (a jump of {STEP_MIN_MV:g} mV or more "
            "between two samples that stays) subtracted before filtering"
        )
    noise = summary["unclassified_reasons"].get("noise", 0)
    if noise:
        print(
            f"noise: {noise} beat(s) over {annotations.noise_s:.1f} s, where the lead does not "
            "repeat from beat to beat or a burst of noise covers the beat (noise ratio "
            f"{NOISE_RATIO_MAX:g} or more; broadband noise, or not an ECG): not classified, no "
            "interval measured to them, their time left out of the rates"
        )
    if summary["pauses_s"]:
        longest = max(summary["pauses_s"], key=lambda pause: pause[1] - pause[0])
        print(
            f"pauses: {len(summary['pauses_s'])} interval(s) of {PAUSE_MIN_S:g} s or more "
            f"between two beats, the longest {longest[1] - longest[0]:.1f} s from "
            f"{longest[0]:.1f} s (no beat found there: a sinus arrest or block, or beats "
            "missed)"
        )
    flutter = summary["unclassified_reasons"].get("vf", 0)
    if flutter:
        print(
            f"ventricular flutter or fibrillation: {flutter} wave(s) taken for beats, in "
            f"{len(summary['vf_s'])} stretch(es) where the lead is a sinusoid: not classified, "
            "no interval measured to them"
        )
    paced = summary["unclassified_reasons"].get("paced", 0)
    if paced:
        print(
            f"paced: {paced} beat(s) after a pacemaker spike: not classified (paced beats, "
            "AAMI class Q, are not in the model's training data)"
        )
    fast = summary["fast_beats"]
    noisy = summary["less_reliable_beats"] - fast  # beats both noisy and fast count as fast
    if noisy:
        print(
            f"less reliable: {noisy} classified beat(s) where noise distorts the beats "
            f"(repeatability under {REPEAT_RELIABLE:g} or noise ratio {NOISE_RATIO_RELIABLE:g} "
            "or more, the 'repeatability' and 'noise_ratio' columns of beats.csv): their "
            "labels agree less often with those of a clean recording"
        )
    if fast:
        print(
            f"less reliable: {fast} classified beat(s) in a rhythm of {RATE_RELIABLE_BPM:g} bpm "
            f"or more, in {len(summary['fast_s'])} stretch(es) (summary.json's 'fast_s', the "
            "'heart_rate_bpm' column of beats.csv), which the model saw little of in "
            "training: their labels are right less often"
        )
    for name, count in summary["counts"].items():
        per_hour = (summary["per_hour"] or {}).get(name)
        extra = f"  ({per_hour:.0f} per hour)" if per_hour is not None else ""
        if name == "unclassified" and count:
            reasons = summary["unclassified_reasons"].items()
            extra = "  (" + ", ".join(f"{reason} {n}" for reason, n in reasons) + ")"
        print(f"  {name:>12}: {count}{extra}")
    if "af_burden_percent" in summary:
        print(_af_line(summary, gate_effect(predictor.recipe.rhythm_gate)))
    for role, path in files.items():
        print(f"{role:>10}: {path}")
    return 0


def _af_line(summary: dict[str, Any], gated: str) -> str:
    """The printout's line on atrial fibrillation, from ``summary.json``'s fields."""
    from ecgkit.signal import AF_MIN_EPISODE_S

    absent = summary["p_waves_absent_beats"]
    p_waves = (
        f"P waves not assessed, AF from the intervals alone (rhythm gate: {gated})"
        if absent is None
        else f"{absent} other beat(s) with no P waves (rhythm gate on all: {gated})"
    )
    burden = summary["af_burden_percent"]
    share = "no time analysed" if burden is None else f"{burden:.1f} % of the time"
    episodes = summary["af_episodes_s"]
    short = sum(end - start < AF_MIN_EPISODE_S for start, end in episodes)
    # an episode a ventricular run splits is listed in its parts; a strip is judged whole
    shorter = (
        f" and {short} shorter (a recording under 30 s judged whole, or the parts of one "
        "a ventricular run splits)"
        if short
        else ""
    )
    return (
        f"atrial fibrillation: {len(episodes) - short} episode(s) of 30 s or more{shorter}, "
        f"{share}; {summary['af_like_beats']} beat(s) in shorter AF-like runs; {p_waves}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ecgkit`` command; return its exit code (2 for bad arguments)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "needs_torch", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    with warnings.catch_warnings():
        # a warning reads as the command's own line, not as a Python source location
        warnings.showwarning = functools.partial(_show_warning, command=args.command, shown=set())
        try:
            if args.command == "detect":
                return _detect(args, parser)
            if args.command == "annotate":
                return _annotate(args)
            if args.command == "train":
                code = _train(args, parser)
                _leave_process_group()
                return code
            if args.command == "evaluate":
                return _evaluate(args)
            return _explain(args)
        except (OSError, ValueError, FloatingPointError, ImportError) as error:
            print(f"ecgkit {args.command}: error: {_one_line(error)}", file=sys.stderr)
            return 2


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
    *,
    command: str,
    shown: set[str],
) -> None:
    """Print a warning as ``ecgkit <command>: warning: <message>`` on stderr, once.

    ``shown`` holds the messages printed so far: one raised again from another place (the
    lead choice, made for the model's input and again for the rhythm's lead) is not.
    """
    text = str(message)
    if text in shown:
        return
    shown.add(text)
    print(f"ecgkit {command}: warning: {text}", file=sys.stderr if file is None else file)


def _leave_process_group() -> None:
    """Leave the process group that ``ecgkit train`` joined under torchrun, all ranks at once.

    Only after success: a rank that failed never gets here, and a barrier would wait for
    it. Without it, gloo's threads can abort the interpreter's exit after a finished run.
    """
    distributed = sys.modules.get("torch.distributed")
    if distributed is None or not distributed.is_available() or not distributed.is_initialized():
        return
    distributed.barrier()
    distributed.destroy_process_group()


def _one_line(error: BaseException) -> str:
    """The error as one line, saying plainly what a full or read-only disk is."""
    if isinstance(error, OSError) and error.errno in _DISK_ERRORS:
        where = f" while writing {error.filename}" if error.filename else ""
        return f"{_DISK_ERRORS[error.errno]}{where}"
    return " ".join(str(error).split())


_DISK_ERRORS = {
    errno.ENOSPC: "disk full",
    errno.EROFS: "read-only file system",
    errno.EDQUOT: "disk quota exceeded",
}


def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ecgkit.experiment import ExperimentConfig, read_run_config, run_experiment
    from ecgkit.options import config_from_options

    if args.resume is not None:
        return _resume(args, parser)
    if args.allow_changes:
        parser.error("--allow-changes goes with --resume RUN")
    base = ExperimentConfig()
    if args.config is not None:
        folder = args.config.parent if args.config.name == "config.json" else args.config
        base = read_run_config(folder)
    config = config_from_options(args, base)
    if config.data_dir is not None and not config.data_dir.is_dir():
        parser.error(f"--data-dir {config.data_dir} is not a folder")
    run_experiment(config)
    return 0


def _resume(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``ecgkit train --resume RUN``: the run's own recipe, continued from its last epoch."""
    import json

    from ecgkit.experiment import read_run_config, run_experiment
    from ecgkit.options import config_from_options, given_options

    if args.config is not None:
        parser.error("--resume continues a run with its own recipe: leave out --config")
    given = [
        flag
        for flag in given_options(args)
        if flag not in ("--device", "--cache-dir", "--data-dir")
    ]
    if given and not args.allow_changes:
        parser.error(
            f"--resume continues {args.resume} with the recipe it started with; leave out "
            f"{' '.join(given)}, add --allow-changes to change its training options, or "
            "start a new run"
        )
    history = args.resume / "history.json"
    finished = history.is_file() and json.loads(history.read_text()).get("finished")
    if finished and not given:
        raise ValueError(f"{args.resume} finished training already: nothing to resume")
    # where the data, the cache and the device are may change; the recipe only if allowed
    config = config_from_options(args, read_run_config(args.resume))
    run_experiment(
        dataclasses.replace(config, out_dir=args.resume),
        resume=True,
        allow_changes=args.allow_changes,
    )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from ecgkit.experiment import evaluate_run

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        metrics = evaluate_run(args.run, data_dir=args.data_dir)
    for warning in caught:
        print(f"ecgkit evaluate: warning: {warning.message}", file=sys.stderr)
    print(f"ecgkit evaluate: {args.run}, best checkpoint on the test records")
    print(metrics.table())
    return 0


def _explain(args: argparse.Namespace) -> int:
    from ecgkit.experiment import explain_run

    path = explain_run(
        args.run, n_beats=args.beats, method=args.method, data_dir=args.data_dir, path=args.out
    )
    print(f"ecgkit explain: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
