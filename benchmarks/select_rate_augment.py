"""Choose whether to train on faster copies of the training records, on DS1 alone.

Rebuilt faster (``bench_recording_conditions.py --parts rate``, the diastole and the ST-T
shortened), DS2's labels change with no word at a third faster, a rate under
``RATE_RELIABLE_BPM`` that the fast-rhythm flag leaves alone (session 39). This script
compares the recipe (``"shifts"``) with the recipe trained on each fold's records and,
beside them, a copy of each rebuilt at one rate (every RR interval times a scale drawn
once per record, uniform in ``COPY_SCALES``, the ST-T by its cube root, the beats at the
moved reference R peaks with the reference labels, the template of each copy its own):
5 folds by patient (``PatientKFold``, the folds of ``select_prior_adjustment.py``), one
model per seed and fold for each, then for each

1. clean: the out-of-fold probabilities of every DS1 beat (the seeds' ensemble, each
   member adjusted for its folds' priors at the recipe's strength, then the recipe's
   decision weights; no rhythm gate): per-class Se / +P and macro F1;
2. faster: each fold's held-out records rebuilt with every interval times 0.75 and 0.5
   (the ST-T by the cube root) and annotated as ``ecgkit annotate`` does (the fold's
   model alone, its priors, the recipe's decisions and gate) at the moved reference
   beats: the labels other than the clean record's with no flag and not less reliable
   (the silent changes), and per-class Se / +P against the reference labels at x0.75,
   summed over the seeds' models.

Decisions other than the recipe's (``--prior-adjustment``, ``--decision-weights``, the
gate options; e.g. those ``select_decision_weights.py --out-of-fold`` chose for each
kind's saved predictions) apply to both parts, and their results are saved apart.
``--copies-decision-weights`` gives the copies decision weights of their own (the shifts
keep the recipe's or ``--decision-weights``), so that each kind is scored with the
decisions chosen for it and only the kind whose decisions changed trains again.

Rule, written before the first run: the copies are taken if their macro F1 is at most
1.0 point under the shifts' and their silent changes at x0.75 at most half the shifts';
otherwise the recipe stays. Prints a table, writes JSON (``results/rate_augment.json``);
each seed's results are saved under ``results/cross_validation`` and ``--reuse`` loads
them.

    python benchmarks/select_rate_augment.py --data-dir ../shared/data/mitdb --seeds 0 1
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
import warnings
from typing import Any

import numpy as np
from _recipe import recipes
from bench_annotate import CLASSES, ClassScore, reference_of
from select_interference import clean_metrics
from select_prior_adjustment import (
    RESULTS,
    FitOf,
    cached_out_of_fold,
    decisions_tag,
    fit_with_copies,
    out_of_fold_probabilities,
    print_table_head,
    se_ppv_cells,
    selection_arguments,
    training_key,
    write_selection,
)

from ecgkit.annotate import BeatAnnotations, Predictor, PreparedBeats, prepare_beats
from ecgkit.data import (
    BeatSet,
    read_signal,
)
from ecgkit.data.records import Record
from ecgkit.experiment import RATE_COPY_SEED, ExperimentConfig, split_beats, with_rate_copies
from ecgkit.metrics import class_priors
from ecgkit.options import _json_object
from ecgkit.signal import FRIDERICIA_EXPONENT, rescale_rhythm, rescaled_peaks
from ecgkit.train import Trainer

KINDS = ("shifts", "shifts + faster copies")
#: The range the scale of each record's copy is drawn from (uniform, once per record).
COPY_SCALES = (0.5, 0.9)
#: Seed of the draw: the copies are data, the same for every seed and fold.
COPY_SEED = RATE_COPY_SEED
#: Held-out rebuilds scored: the first is the rule's criterion.
HELD_SCALES = (0.75, 0.5)
MAX_F1_LOSS = 0.01
MAX_SILENT_SHARE = 0.5
RULE = (
    "faster copies if their macro F1 is at most 1.0 point under the shifts' and their "
    "silent changes at x0.75 at most half the shifts'; else shifts"
)


def with_copies(config: ExperimentConfig, train: BeatSet) -> BeatSet:
    """DS1's beats as ``split_beats`` builds them, then those of each record's copy (the
    training path of ``ecgkit train --rate-copies``; checked: the same arrays as this
    script's own build before it moved into the library)."""
    return with_rate_copies(dataclasses.replace(config, rate_copies=COPY_SCALES), train)


@dataclasses.dataclass(frozen=True)
class Rebuilt:
    """One DS1 record's prepared beats, as recorded and at each held-out scale."""

    beats: dict[float, PreparedBeats]
    lead: dict[float, np.ndarray]
    labels: np.ndarray


def prepare_rebuilt(config: ExperimentConfig, train: BeatSet) -> dict[str, Rebuilt]:
    """Every DS1 record's inputs at its (moved) reference beats, as recorded (scale 1) and
    rebuilt at each of HELD_SCALES (the same for every model)."""
    uniform = (1.0 / len(train.classes),) * len(train.classes)  # priors change no input
    recipe = config.recipe(train.fs, train.classes, uniform)
    assert config.data_dir is not None
    prepared = {}
    for record_id in sorted(set(train.record.tolist())):
        record = read_signal(config.data_dir / f"{record_id}.hea", leads=["MLII"])
        reference, labels = reference_of(config.data_dir, record_id)
        beats, lead = {}, {}
        for scale in (1.0, *HELD_SCALES):
            signal = rescale_rhythm(
                record.signal, record.fs, reference, scale,
                qt_exponent=FRIDERICIA_EXPONENT, axis=0,
            )  # fmt: skip
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                beats[scale] = prepare_beats(
                    Record(signal, record.fs, record.lead_names, record_id),
                    recipe,
                    peaks=rescaled_peaks(reference, scale),
                )
            lead[scale] = signal[:, 0]
        prepared[record_id] = Rebuilt(beats, lead, labels)
        print(f"  {record_id} prepared", flush=True)
    return prepared


def annotate(predictor: Predictor, rebuilt: Rebuilt, scale: float) -> BeatAnnotations:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return predictor.annotations_of(rebuilt.beats[scale], lead_signal=rebuilt.lead[scale])


def run_seed(
    config: ExperimentConfig,
    folds: int,
    rebuilt: dict[str, Rebuilt],
    fit_of: FitOf | None,
) -> dict[str, Any]:
    """One seed's out-of-fold probabilities and its fold models' counts on the rebuilds."""
    silent = {str(scale): 0 for scale in HELD_SCALES}
    score = ClassScore()

    def count_rebuilt(trainer: Trainer, fit: BeatSet, held: BeatSet) -> None:
        fold_priors = tuple(float(p) for p in class_priors(fit.labels, len(fit.classes)))
        predictor = Predictor([trainer.model], config.recipe(fit.fs, fit.classes, fold_priors))
        for record_id in sorted(set(held.record.tolist())):
            record = rebuilt[record_id]
            clean = annotate(predictor, record, 1.0)
            for scale in HELD_SCALES:
                beats = annotate(predictor, record, scale)
                changed = (beats.label != clean.label) & (beats.flag == "")
                silent[str(scale)] += int((changed & ~beats.less_reliable).sum())
                if scale == HELD_SCALES[0]:
                    score.add(beats, beats.sample, record.labels, beats.fs)

    probabilities, priors, labels, classes = out_of_fold_probabilities(
        config, folds, after_fold=count_rebuilt, fit_of=fit_of
    )
    return {
        "probabilities": probabilities,
        "priors": priors,
        "labels": labels,
        "classes": classes,
        "counts": {
            "silent": silent,
            "confusion": score.confusion.tolist(),
            "extra": score.extra.tolist(),
        },
    }


def seed_results(
    config: ExperimentConfig, kind: str, folds: int, reuse: bool, state: dict[str, Any]
) -> dict[str, Any]:
    """:func:`run_seed`'s results for ``kind``, loaded where saved for the same recipe."""
    key = training_key([config]) + json.dumps(
        {"kind": kind, "copies": COPY_SCALES, "seed": COPY_SEED, "held": HELD_SCALES}
    )
    name = "copies" if kind != KINDS[0] else "shifts"
    tag, decisions = decisions_tag(config)  # the counts are made with the decisions
    key += decisions
    saved = (
        RESULTS / "cross_validation" / f"rate_{name}{tag}_seed{config.train.seed}_folds{folds}.npz"
    )

    def run() -> dict[str, Any]:
        if "train" not in state:
            train, _, _ = split_beats(config)
            state["train"] = train
            print("preparing the DS1 records as recorded and rebuilt faster", flush=True)
            state["rebuilt"] = prepare_rebuilt(config, train)
        fit_of = None
        if kind != KINDS[0]:
            if "everything" not in state:
                print("building the beats of the faster copies", flush=True)
                state["everything"] = with_copies(config, state["train"])
            fit_of = fit_with_copies(state["everything"])
        return run_seed(config, folds, state["rebuilt"], fit_of)

    return cached_out_of_fold(saved, key, reuse, run)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--copies-decision-weights",
        type=_json_object,
        help='decision weights of the copies alone, as JSON (e.g. \'{"S": 1.41, "V": 2.83}\'); '
        "the shifts keep the recipe's",
    )


def main() -> None:
    args = selection_arguments(__doc__.splitlines()[0], "rate_augment.json", add_options)
    start = time.perf_counter()
    configs = [
        dataclasses.replace(c, augment="shifts")
        for c in recipes(args, RESULTS / "cross_validation")
    ]
    decided = {KINDS[0]: configs, KINDS[1]: configs}
    if args.copies_decision_weights is not None:
        weights = {str(k): float(v) for k, v in args.copies_decision_weights.items()}
        decided[KINDS[1]] = [dataclasses.replace(c, decision_weights=weights) for c in configs]
    state: dict[str, Any] = {}
    scores, silent, faster_scores = {}, {}, {}
    for kind in KINDS:
        kind_configs = decided[kind]
        results = [seed_results(c, kind, args.folds, args.reuse, state) for c in kind_configs]
        scores[kind] = clean_metrics(kind_configs[0], results)
        counts = [r["counts"] for r in results]
        silent[kind] = {str(s): sum(c["silent"][str(s)] for c in counts) for s in HELD_SCALES}
        total = ClassScore()
        for count in counts:
            total.confusion += np.asarray(count["confusion"])
            total.extra += np.asarray(count["extra"])
        faster_scores[kind] = total.table()
    shifts, copies = scores[KINDS[0]], scores[KINDS[1]]
    criterion = str(HELD_SCALES[0])
    chosen = (
        KINDS[1]
        if copies.macro_f1 >= shifts.macro_f1 - MAX_F1_LOSS
        and silent[KINDS[1]][criterion] <= MAX_SILENT_SHARE * silent[KINDS[0]][criterion]
        else KINDS[0]
    )
    n_beats, classes = len(results[0]["labels"]), results[0]["classes"]
    print_table_head(n_beats, args.seeds, f"{'training':>22}", classes)
    for kind in KINDS:
        print(f"{kind:>22}  {se_ppv_cells(scores[kind])}  {100 * scores[kind].macro_f1:.1f}")
    print(f"\nheld-out records rebuilt faster (seeds {args.seeds} summed):")
    for kind in KINDS:
        cells = "  ".join(
            f"{c} {faster_scores[kind][c]['se']:.1f} / {faster_scores[kind][c]['ppv']:.1f}"
            for c in CLASSES
        )
        changes = ", ".join(f"x{s}: {silent[kind][str(s)]}" for s in HELD_SCALES)
        print(f"{kind:>22}  silent changes {changes};  at x{HELD_SCALES[0]}: {cells}")
    extra = {
        "silent": silent,
        "faster_scores": faster_scores,
        "copy_scales": COPY_SCALES,
        "decision_weights": {kind: decided[kind][0].decision_weights for kind in KINDS},
    }
    write_selection(args, configs[-1], start, scores, extra, best=chosen, rule=RULE)


if __name__ == "__main__":
    main()
