"""Pick the prior-adjustment strength on DS1 alone, by patient-wise cross-validation.

The inter-patient benchmark trains with an unweighted loss and adjusts its decisions for
DS1's class priors (``ExperimentConfig.prior_adjustment``). Choosing that strength on DS2
would tune on the test patients, so this script chooses it inside DS1: 5 folds by patient
(``PatientKFold``), the benchmark's model and features trained on 4 folds and predicting
the fifth, then every strength scored on the out-of-fold predictions of all DS1 beats.
The strength with the best macro F1 is the benchmark's default. Prints a table, writes JSON.

    python benchmarks/select_prior_adjustment.py --data-dir ../shared/data/mitdb
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch
from _common import environment, write_json
from _recipe import RESULTS, add_recipe_options, recipes

from ecgkit.data import BeatDataset, BeatSet, PatientKFold, RateCopies
from ecgkit.experiment import (
    BENCHMARK_RECIPE,
    ExperimentConfig,
    build_model,
    predict_beats,
    split_beats,
    with_rate_copies,
)
from ecgkit.metrics import ClassificationMetrics, adjust_for_priors, class_priors, compute_metrics
from ecgkit.train import Trainer, beat_augmentation

STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)

Choice = TypeVar("Choice", float, str)


#: Builds the training augmentation from the windows' rate in Hz.
AugmentOf = Callable[[float], Callable[[torch.Tensor], torch.Tensor] | None]
#: Called after each fold with its trained model, the fitted and the held-out beats.
AfterFold = Callable[[Trainer, BeatSet, BeatSet], None]
#: The beats a fold's model trains on, from the fold's own (e.g. with more beats added).
FitOf = Callable[[BeatSet], BeatSet]


def out_of_fold_probabilities(
    config: ExperimentConfig,
    n_splits: int,
    *,
    augment_of: AugmentOf | None = None,
    after_fold: AfterFold | None = None,
    fit_of: FitOf | None = None,
) -> tuple[np.ndarray, ...]:
    """Probabilities of every DS1 beat from a model that never saw its patient.

    ``augment_of`` replaces the recipe's augmentation (``config.augment``); ``after_fold``
    sees each fold's model (e.g. to annotate its held-out records); ``fit_of`` gives the
    beats each fold's model trains on from the fold's (the priors stay the fold's; with
    ``config.rate_copies`` the fold's records and their copies, as ``ecgkit train``). Returns the
    probabilities ``[n, n_classes]``, the class priors of the folds that trained each
    beat's model ``[n, n_classes]``, the labels and the class names.
    """
    train, _, _ = split_beats(config)
    if config.rate_copies is not None:  # as ecgkit train: copies of the fold's records
        if fit_of is not None:
            raise ValueError("config.rate_copies and fit_of both add training beats: give one")
        fit_of = fit_with_copies(with_rate_copies(config, train))
    n_classes = len(train.classes)
    probabilities = np.zeros((len(train), n_classes))
    priors = np.zeros((len(train), n_classes))
    features = config.model_features()
    folds = PatientKFold(n_splits, random_state=config.train.seed)
    for fit_index, held_index in folds.split(train.labels, train.labels, train.patient):
        fit, held = train.subset(fit_index), train.subset(held_index)
        augment = (
            augment_of(fit.fs)
            if augment_of is not None
            else beat_augmentation(config.augment, fs=fit.fs, template=config.template)
        )
        trainer = Trainer(
            build_model(config, fit.n_leads, n_classes), config.train, augment=augment
        )
        trainer.fit(BeatDataset(fit if fit_of is None else fit_of(fit), features=features))
        prediction = predict_beats(trainer, held, features, adapt_batchnorm=config.adapt_batchnorm)
        probabilities[held_index] = prediction.probabilities
        priors[held_index] = class_priors(fit.labels, n_classes)
        if after_fold is not None:
            after_fold(trainer, fit, held)
        print(f"  fold of records {sorted(set(held.record.tolist()))} done", flush=True)
    return probabilities, priors, train.labels, train.classes


def fit_with_copies(everything: BeatSet) -> FitOf:
    """A fold's beats and those of its records' copies, from ``everything`` (DS1's beats
    and their copies, :func:`ecgkit.experiment.with_rate_copies`)."""
    originals = np.array([RateCopies.original_of(r) for r in everything.record.tolist()])

    def fit_of(fit: BeatSet) -> BeatSet:
        return everything.subset(np.isin(originals, sorted(set(fit.record.tolist()))))

    return fit_of


def save_arrays(path: Path, **arrays: np.ndarray) -> None:
    """``arrays`` in ``path`` (.npz), whole or not at all (written aside, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npz")
    np.savez(partial, **arrays)
    partial.replace(path)


def selection_arguments(
    description: str,
    json_name: str,
    add_options: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """The command line of a DS1 selection script: the recipe (as ecgkit train), seeds,
    folds, ``--reuse`` and ``--json`` (``RESULTS / json_name`` unless given), and the
    script's own options (``add_options``)."""
    parser = argparse.ArgumentParser(description=description)
    if add_options is not None:
        add_options(parser)
    add_recipe_options(parser, seeds=[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="load the out-of-fold predictions an earlier run saved for the same recipe, "
        "seeds and folds instead of training again",
    )
    parser.add_argument("--json", type=Path, default=RESULTS / json_name, help="results file")
    return parser.parse_args()


#: Recipe fields applied after the models: they do not change out-of-fold predictions.
DECISION_FIELDS = ("prior_adjustment", "rhythm_gate", "rhythm_min_episode_s", "decision_weights")


#: Recipe fields added after out-of-fold predictions were saved, at the value that
#: changes nothing: left out of the key there, so that those files still load.
NEUTRAL_FIELDS = {"rate_copies": None}


def training_key(configs: list[ExperimentConfig]) -> str:
    """What the out-of-fold predictions of ``configs`` depend on, as a JSON string."""
    values = [
        {
            k: v
            for k, v in c.to_json().items()
            if k not in DECISION_FIELDS and not (k in NEUTRAL_FIELDS and v == NEUTRAL_FIELDS[k])
        }
        for c in configs
    ]
    return json.dumps(values, sort_keys=True, default=str)


def decisions_tag(config: ExperimentConfig) -> tuple[str, str]:
    """What the name and key of a saved file gain when it holds counts made with decisions
    (:data:`DECISION_FIELDS`) other than the benchmark recipe's: ``("", "")`` for the
    recipe's own, else a short hash for the name and the decisions as JSON for the key."""
    ours = {name: getattr(config, name) for name in DECISION_FIELDS}
    if ours == {name: getattr(BENCHMARK_RECIPE, name) for name in DECISION_FIELDS}:
        return "", ""
    text = json.dumps(ours, sort_keys=True, default=str)
    return "_d" + hashlib.sha1(text.encode()).hexdigest()[:8], text


@dataclasses.dataclass(frozen=True)
class OutOfFold:
    """Out-of-fold DS1 predictions of one model per seed, and what they are scored on.

    ``probabilities`` holds one ``[n, n_classes]`` array per seed, ``priors`` the class
    priors of the folds that trained each beat's model (one array per seed).
    """

    probabilities: list[np.ndarray]
    priors: list[np.ndarray]
    labels: np.ndarray
    classes: tuple[str, ...]

    def ensemble(self, strength: float) -> np.ndarray:
        """The seeds' ensemble as shipped: each model adjusted for its priors, then averaged.

        ``tools/train_pretrained.py`` and ``ecgkit annotate`` adjust each member before
        averaging; averaging first and adjusting the average gives other decisions (about
        a point of DS1 macro F1 on seeds 0 and 1, session 18).
        """
        return np.mean(self.members(strength), axis=0)

    def members(self, strength: float) -> list[np.ndarray]:
        """Each seed's probabilities adjusted for the priors of the folds that trained it."""
        return [
            adjust_per_fold(p, q, strength)
            for p, q in zip(self.probabilities, self.priors, strict=True)
        ]


def cross_validate(args: argparse.Namespace) -> tuple[ExperimentConfig, OutOfFold]:
    """Out-of-fold DS1 predictions of the benchmark's recipe, one model per ``args.seeds``.

    Each seed's predictions are saved (``out_of_fold_seeds<k>_folds<f>.npz``) and, with
    ``--reuse``, loaded instead of trained where the saved recipe is the same. Returns the
    last seed's config and the predictions.
    """
    configs = recipes(args, RESULTS / "cross_validation")
    runs = [_seed_out_of_fold(config, args.folds, args.reuse) for config in configs]
    labels, classes = runs[0]["labels"], runs[0]["classes"]
    probabilities = [r["probabilities"] for r in runs]
    return configs[-1], OutOfFold(probabilities, [r["priors"] for r in runs], labels, classes)


def saved_out_of_fold(paths: list[Path]) -> OutOfFold:
    """The out-of-fold predictions saved by any DS1 selection script, one file per seed
    (e.g. a training candidate's, whose decisions are then chosen for it)."""
    probabilities, priors = [], []
    labels: np.ndarray | None = None
    classes: tuple[str, ...] = ()
    for path in paths:
        with np.load(path) as stored:
            probabilities.append(stored["probabilities"])
            priors.append(stored["priors"])
            if labels is None:
                labels, classes = stored["labels"], tuple(stored["classes"].tolist())
            elif not np.array_equal(labels, stored["labels"]):
                raise ValueError(f"{path} holds other beats than {paths[0]}")
    if labels is None:
        raise ValueError("paths must name at least one saved file")
    return OutOfFold(probabilities, priors, labels, classes)


def _seed_out_of_fold(config: ExperimentConfig, folds: int, reuse: bool) -> dict[str, Any]:
    """One seed's out-of-fold predictions, loaded where saved for the same recipe."""

    def run() -> dict[str, Any]:
        print(f"seed {config.train.seed}: {folds}-fold patient-wise cross-validation on DS1")
        probabilities, priors, labels, classes = out_of_fold_probabilities(config, folds)
        arrays = {"probabilities": probabilities, "priors": priors, "labels": labels}
        return {**arrays, "classes": classes}

    # models trained with copies are saved apart: they never replace the recipe's own
    copies = "" if config.rate_copies is None else "_copies{:g}-{:g}".format(*config.rate_copies)
    name = f"out_of_fold_seeds{config.train.seed}_folds{folds}{copies}.npz"
    saved = RESULTS / "cross_validation" / name
    return cached_out_of_fold(saved, training_key([config]), reuse, run)


def cached_out_of_fold(
    saved: Path, key: str, reuse: bool, run: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """One seed's out-of-fold results: loaded from ``saved`` where an earlier run saved them
    for the same ``key`` and ``reuse`` is set, else ``run()`` and saved there.

    The results hold ``probabilities`` and ``priors`` (``[n, n_classes]``), ``labels``,
    ``classes`` and ``counts`` (anything JSON holds: what the fold models did besides
    predicting; ``{}`` where ``run`` gives none or the file predates it).
    """
    if reuse and saved.is_file():
        with np.load(saved) as stored:
            if str(stored["recipe"]) == key:
                print(f"loaded from {saved}")
                counts = json.loads(str(stored["counts"])) if "counts" in stored else {}
                return {
                    "probabilities": stored["probabilities"],
                    "priors": stored["priors"],
                    "labels": stored["labels"],
                    "classes": tuple(stored["classes"].tolist()),
                    "counts": counts,
                }
        print(f"{saved} holds another recipe: training again")
    result = {"counts": {}, **run()}
    save_arrays(
        saved,
        probabilities=result["probabilities"],
        priors=result["priors"],
        labels=result["labels"],
        classes=np.asarray(result["classes"]),
        counts=np.asarray(json.dumps(result["counts"])),
        recipe=np.asarray(key),
    )
    return result


def adjust_per_fold(probabilities: np.ndarray, priors: np.ndarray, strength: float) -> np.ndarray:
    """Each beat's probabilities adjusted for the priors of the folds that trained its model."""
    adjusted = np.zeros_like(probabilities)
    for fold_priors in np.unique(priors, axis=0):  # one row of priors per fold
        rows = (priors == fold_priors).all(axis=1)
        adjusted[rows] = adjust_for_priors(probabilities[rows], fold_priors, strength)
    return adjusted


def main() -> None:
    args = selection_arguments(__doc__.splitlines()[0], "prior_adjustment.json")
    start = time.perf_counter()
    config, predictions = cross_validate(args)
    labels, classes = predictions.labels, predictions.classes
    scores = {}
    print_table_head(labels.size, args.seeds, f"{'strength':>8}", classes)
    for strength in STRENGTHS:
        adjusted = predictions.ensemble(strength)
        metrics = compute_metrics(labels, adjusted.argmax(axis=1), classes)
        scores[strength] = metrics
        print(f"{strength:8.2f}  {se_ppv_cells(metrics)}  {100 * metrics.macro_f1:.1f}")
    write_selection(args, config, start, scores, {})


def print_table_head(
    n_beats: int, seeds: list[int], columns: str, classes: tuple[str, ...], last: str = "macro F1"
) -> None:
    """The head of a selection table: what was scored, then the columns (the grid's own
    ``columns``, each class's "Se / +P" as :func:`se_ppv_cells` writes them, ``last``)."""
    print(f"\nDS1 out of fold, {n_beats} beats, seeds {seeds}")
    print(f"{columns}  " + "  ".join(f"{c} Se / +P  " for c in classes) + last)


def se_ppv_cells(metrics: ClassificationMetrics) -> str:
    """Each class's "Se / +P" in % for a selection table row."""
    return "  ".join(
        f"{100 * se:4.1f} / {100 * ppv:4.1f}"
        for se, ppv in zip(metrics.sensitivity, metrics.positive_predictivity, strict=True)
    )


def write_selection(
    args: argparse.Namespace,
    config: ExperimentConfig,
    start: float,
    scores: dict[Choice, ClassificationMetrics],
    extra: dict[str, object],
    *,
    best: Choice | None = None,
    rule: str = "best macro F1, the first of equal ones",
) -> Choice:
    """Print and write (``args.json``) the chosen option and the rule that chose it.

    Without ``best``, the choice with the best macro F1 (the first of equal ones, in
    ``scores``' order); a script whose rule breaks ties otherwise passes its ``best`` and
    says how in ``rule``. Returns the choice.
    """
    if best is None:
        best = max(scores, key=lambda choice: scores[choice].macro_f1)
    minutes = (time.perf_counter() - start) / 60
    print(f"chosen by {rule}: {best} ({minutes:.1f} min)")
    write_json(
        args.json,
        {
            "environment": {**environment(), "torch": torch.__version__},
            "config": config.to_json(),
            "seeds": args.seeds,
            "folds": args.folds,
            "minutes": minutes,
            "rule": rule,
            "scores": {str(k): m.to_dict() for k, m in scores.items()},
            "best": best,
            **extra,
        },
    )
    return best


if __name__ == "__main__":
    main()
