"""Choose the training augmentation for tremor on DS1 alone, by patient-wise cross-validation.

A smooth interference inside the QRS band (a tremor's artefact, 4-12 Hz) changes the
shipped model's labels with no flag (``bench_recording_conditions.py --parts tremor``):
the model never saw one. This script compares the recipe's augmentation (``"shifts"``)
with ``"interference"`` (the shifts and a tremor-like sinusoid on half the beats,
:class:`ecgkit.train.InterferenceAugment`) inside DS1: 5 folds by patient
(``PatientKFold``, the folds of ``select_prior_adjustment.py``), one model per seed and
fold for each augmentation, then for each

1. clean: the out-of-fold probabilities of every DS1 beat (the seeds' ensemble, each
   member adjusted for its folds' priors at the recipe's strength, then the recipe's
   decision weights; no rhythm gate): per-class Se / +P and macro F1;
2. robustness: each fold's held-out records annotated as ``ecgkit annotate`` does (the
   fold's model alone, its priors, the recipe's decisions and gate) at the reference beats,
   clean and with 8-s bursts every 20 s of a 5-Hz sinusoid (0.2 and 0.1 mV) and of
   Gaussian noise band-passed to 3-12 Hz (0.1 mV SD, not the kind trained with): the beats
   inside the bursts whose label changed with no flag and not less reliable (the silent
   changes), summed over the seeds' models.

Rule, written before the first run: ``"interference"`` is chosen if its macro F1 is at
most 1.0 point under the shifts' and its silent changes under the 0.2-mV sinusoid are at
most half the shifts'; otherwise the shifts stay. ``--probability`` and
``--max-amplitude`` set the candidate's share of windows and largest amplitude
(:class:`~ecgkit.train.InterferenceAugment`'s defaults unless given). Prints a table,
writes JSON (``results/interference.json``); each seed's results are saved under
``results/cross_validation`` and ``--reuse`` loads them (the shifts' once for every
candidate).

    python benchmarks/select_interference.py --data-dir ../shared/data/mitdb --seeds 0 1
    python benchmarks/select_interference.py --data-dir ../shared/data/mitdb --seeds 0 1 \
        --reuse --probability 0.25 --max-amplitude 1
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from _recipe import recipes
from bench_annotate import reference_of
from bench_recording_conditions import BURST_COUNTS, burst_row, inside_bursts, with_bursts
from select_prior_adjustment import (
    RESULTS,
    OutOfFold,
    cached_out_of_fold,
    decisions_tag,
    out_of_fold_probabilities,
    print_table_head,
    se_ppv_cells,
    selection_arguments,
    training_key,
    write_selection,
)

from ecgkit.annotate import BeatAnnotations, Predictor, PreparedBeats, prepare_beats
from ecgkit.data import BeatSet, read_signal
from ecgkit.data.records import Record
from ecgkit.experiment import ExperimentConfig, split_beats
from ecgkit.metrics import ClassificationMetrics, class_priors, compute_metrics, weigh_decisions
from ecgkit.train import (
    Augmentation,
    ChainedAugment,
    InterferenceAugment,
    Trainer,
    beat_augmentation,
)

KINDS: tuple[Augmentation, ...] = ("shifts", "interference")
BURST_S = 8.0
#: (name, with_bursts kind, mV): the first is the rule's criterion.
CONDITIONS = (
    ("sinusoid 5 Hz 0.2 mV", "tremor", 0.2),
    ("sinusoid 5 Hz 0.1 mV", "tremor", 0.1),
    ("band 3-12 Hz 0.1 mV", "band", 0.1),
)
MAX_F1_LOSS = 0.01
MAX_SILENT_SHARE = 0.5
RULE = (
    "interference if its macro F1 is at most 1.0 point under the shifts' and its silent "
    "changes under the 0.2-mV sinusoid at most half the shifts'; else shifts"
)


@dataclasses.dataclass(frozen=True)
class Recording:
    """One DS1 record's prepared beats and rhythm lead, clean and under each condition."""

    beats: dict[str, PreparedBeats]
    lead: dict[str, np.ndarray]
    inside: np.ndarray


def prepare_recordings(config: ExperimentConfig, train: BeatSet) -> dict[str, Recording]:
    """Every record's inputs at its reference beats, clean and with each condition's bursts
    (the same for every model: only the decisions and BatchNorm statistics differ)."""
    uniform = (1.0 / len(train.classes),) * len(train.classes)  # priors change no input
    recipe = config.recipe(train.fs, train.classes, uniform)
    data_dir = config.data_dir
    assert data_dir is not None
    prepared = {}
    for record_id in sorted(set(train.record.tolist())):
        record = read_signal(data_dir / f"{record_id}.hea", leads=["MLII"])
        reference, _ = reference_of(data_dir, record_id)
        signals = {"clean": np.asarray(record.signal, dtype=np.float64)}
        for name, kind, mv in CONDITIONS:
            signals[name] = with_bursts(
                record.signal, record.fs, 20.0, BURST_S, int(record_id), mv, kind
            )
        beats, lead = {}, {}
        for name, signal in signals.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                beats[name] = prepare_beats(
                    Record(signal, record.fs, record.lead_names, record_id), recipe, peaks=reference
                )
            lead[name] = signal[:, 0]
        duration_s = record.n_samples / record.fs
        inside = inside_bursts(reference / record.fs, duration_s, BURST_S)
        prepared[record_id] = Recording(beats, lead, inside)
    return prepared


def annotate(predictor: Predictor, recording: Recording, condition: str) -> BeatAnnotations:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return predictor.annotations_of(
            recording.beats[condition], lead_signal=recording.lead[condition]
        )


#: InterferenceAugment's settings unless the command line changes them.
DEFAULT_INTERFERENCE = InterferenceAugment(360.0)


def add_interference_options(parser: argparse.ArgumentParser) -> None:
    """The candidate's settings (:class:`InterferenceAugment`'s defaults unless given)."""
    parser.add_argument(
        "--probability",
        type=float,
        default=DEFAULT_INTERFERENCE.probability,
        help="share of the training windows that get a sinusoid",
    )
    parser.add_argument(
        "--max-amplitude",
        type=float,
        default=DEFAULT_INTERFERENCE.amplitude[1],
        help="largest amplitude in z-units (the smallest stays "
        f"{DEFAULT_INTERFERENCE.amplitude[0]:g})",
    )


def interference_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The InterferenceAugment fields the candidate trains with (beside ``fs``, ``template``)."""
    return {
        "probability": args.probability,
        "hz": DEFAULT_INTERFERENCE.hz,
        "amplitude": (DEFAULT_INTERFERENCE.amplitude[0], args.max_amplitude),
    }


def augmentation(
    config: ExperimentConfig, fs: float, settings: dict[str, Any]
) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """The recipe's augmentation; ``"interference"`` with the candidate's ``settings``."""
    if config.augment != "interference":
        return beat_augmentation(config.augment, fs=fs, template=config.template)
    interference = InterferenceAugment(fs, template=config.template, **settings)
    shifts = beat_augmentation("shifts")
    assert shifts is not None
    return ChainedAugment((interference, shifts))


def run_seed(
    config: ExperimentConfig,
    folds: int,
    recordings: dict[str, Recording],
    settings: dict[str, Any],
) -> dict[str, Any]:
    """One seed's out-of-fold probabilities and burst counts for ``config``'s augmentation."""
    counts = {name: dict.fromkeys(BURST_COUNTS, 0) for name, _, _ in CONDITIONS}

    def count_bursts(trainer: Trainer, fit: BeatSet, held: BeatSet) -> None:
        """The fold's model on its held-out records, clean and under each condition."""
        fold_priors = tuple(float(p) for p in class_priors(fit.labels, len(fit.classes)))
        predictor = Predictor([trainer.model], config.recipe(fit.fs, fit.classes, fold_priors))
        s_or_v = [fit.classes.index(name) for name in ("S", "V")]
        for record_id in sorted(set(held.record.tolist())):
            recording = recordings[record_id]
            clean = annotate(predictor, recording, "clean")
            for name, _, _ in CONDITIONS:
                noisy = annotate(predictor, recording, name)
                row = burst_row(clean, noisy, recording.inside, s_or_v)
                for key, value in row.items():
                    counts[name][key] += value

    probabilities, priors, labels, classes = out_of_fold_probabilities(
        config,
        folds,
        augment_of=lambda fs: augmentation(config, fs, settings),
        after_fold=count_bursts,
    )
    return {
        "probabilities": probabilities,
        "priors": priors,
        "labels": labels,
        "classes": classes,
        "counts": counts,
    }


def seed_results(
    config: ExperimentConfig,
    folds: int,
    reuse: bool,
    recordings: dict[str, Recording] | None,
    settings: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Recording] | None]:
    """:func:`run_seed`'s results, loaded where saved for the same recipe and, for
    ``"interference"``, the same ``settings`` (``--reuse``)."""
    name = config.augment
    key = training_key([config])
    if config.augment == "interference":
        name += f"_p{settings['probability']:g}_a{settings['amplitude'][1]:g}"
        key += json.dumps(settings, sort_keys=True)
    tag, decisions = decisions_tag(config)  # the counts are made with the decisions
    name += tag
    key += decisions
    saved = (
        RESULTS
        / "cross_validation"
        / (f"interference_{name}_seed{config.train.seed}_folds{folds}.npz")
    )

    def run() -> dict[str, Any]:
        nonlocal recordings
        if recordings is None:
            print("preparing the DS1 records, clean and with each condition's bursts", flush=True)
            train, _, _ = split_beats(config)
            recordings = prepare_recordings(config, train)
        return run_seed(config, folds, recordings, settings)

    return cached_out_of_fold(saved, key, reuse, run), recordings


def clean_metrics(config: ExperimentConfig, results: list[dict[str, Any]]) -> ClassificationMetrics:
    """The seeds' ensemble out of fold, adjusted per fold, weighed as the recipe weighs."""
    classes = results[0]["classes"]
    predictions = OutOfFold(
        [r["probabilities"] for r in results], [r["priors"] for r in results],
        results[0]["labels"], classes,
    )  # fmt: skip
    mean = predictions.ensemble(config.prior_adjustment)
    if config.decision_weights:
        weights = [config.decision_weights.get(name, 1.0) for name in classes]
        mean = weigh_decisions(mean, weights)
    return compute_metrics(results[0]["labels"], mean.argmax(axis=1), classes)


def main() -> None:
    args = selection_arguments(
        __doc__.splitlines()[0], "interference.json", add_interference_options
    )
    settings = interference_settings(args)
    start = time.perf_counter()
    scores: dict[str, ClassificationMetrics] = {}
    silent: dict[str, dict[str, dict[str, int]]] = {}
    recordings: dict[str, Recording] | None = None
    config = None
    for kind in KINDS:
        configs = [
            dataclasses.replace(c, augment=kind)
            for c in recipes(args, RESULTS / "cross_validation")
        ]
        results = []
        for config in configs:
            result, recordings = seed_results(config, args.folds, args.reuse, recordings, settings)
            results.append(result)
        scores[kind] = clean_metrics(configs[0], results)
        n_beats, classes = len(results[0]["labels"]), results[0]["classes"]
        totals = {name: dict.fromkeys(BURST_COUNTS, 0) for name, _, _ in CONDITIONS}
        for result in results:
            for name, row in result["counts"].items():
                for key, value in row.items():
                    totals[name][key] += value
        silent[kind] = totals
    assert config is not None
    shifts, interference = scores["shifts"], scores["interference"]
    criterion = CONDITIONS[0][0]
    chosen = (
        "interference"
        if interference.macro_f1 >= shifts.macro_f1 - MAX_F1_LOSS
        and silent["interference"][criterion]["silently_changed"]
        <= MAX_SILENT_SHARE * silent["shifts"][criterion]["silently_changed"]
        else "shifts"
    )
    print_table_head(n_beats, args.seeds, f"{'augment':>12}", classes)
    for kind in KINDS:
        print(f"{kind:>12}  {se_ppv_cells(scores[kind])}  {100 * scores[kind].macro_f1:.1f}")
    print(f"\nbeats inside 8-s bursts every 20 s, held-out records, seeds {args.seeds} summed:")
    print(f"{'augment':>12} {'condition':>22} " + " ".join(f"{n:>16}" for n in BURST_COUNTS))
    for kind in KINDS:
        for name, row in silent[kind].items():
            print(f"{kind:>12} {name:>22} " + " ".join(f"{row[n]:16d}" for n in BURST_COUNTS))
    extra = {"bursts": silent, "interference": settings}
    write_selection(args, config, start, scores, extra, best=chosen, rule=RULE)


if __name__ == "__main__":
    main()
