"""Pick the number of seeds the shipped ensemble averages, on DS1 alone.

The recipe's models differ only by their seed, and the shipped model averages several
(each adjusted for the training priors first, as ``ecgkit annotate`` does). How many is a
recipe choice, made inside DS1 like the others: every seed's out-of-fold predictions
(5 folds by patient; saved per seed by the selection scripts, trained here when missing),
each adjusted for the priors of the folds that trained it, averaged over every subset of
``k`` seeds, then
decided with the shipped decision weights and rhythm gate, and all DS1 beats scored. The
score of ``k`` is the mean macro F1 over its subsets (one draw of seeds can be lucky).

The rule, fixed before the first run (2026-11-26, session 18): the ``k`` with the best
mean macro F1; a smaller ``k`` than the shipped one only where it beats it by more than
``TIE_POINTS``. Prints a table, writes JSON.

    python benchmarks/select_ensemble_size.py --data-dir ../shared/data/mitdb --seeds 0 1 2 3 4
"""

from __future__ import annotations

import itertools
import time

import numpy as np
from _common import rhythm_of_calls
from select_prior_adjustment import (
    cross_validate,
    se_ppv_cells,
    selection_arguments,
    write_selection,
)

from ecgkit.annotate import gate_supraventricular
from ecgkit.experiment import split_beats
from ecgkit.metrics import ClassificationMetrics, compute_metrics, weigh_decisions

TIE_POINTS = 0.05
# the seeds the shipped model and the inter-patient benchmark average (the default
# --seeds of tools/train_pretrained.py and bench_mitdb_inter_patient.py)
SHIPPED_SIZE = 5


def main() -> None:
    args = selection_arguments(__doc__.splitlines()[0], "ensemble_size.json")
    start = time.perf_counter()
    config, predictions = cross_validate(args)
    labels, classes = predictions.labels, predictions.classes
    # each member adjusted for its folds' priors, as the shipped ensemble adjusts them
    adjusted = predictions.members(config.prior_adjustment)
    train, _, _ = split_beats(config)
    weights = np.array([config.decision_weights.get(c, 1.0) for c in classes])
    print(
        f"\nDS1 out of fold, {labels.size} beats, seeds {args.seeds}, weights and gate as shipped"
    )
    by_size: dict[int, list[float]] = {}
    examples: dict[str, ClassificationMetrics] = {}
    for k in range(1, len(adjusted) + 1):
        scores = []
        for subset in itertools.combinations(range(len(adjusted)), k):
            averaged = np.mean([adjusted[i] for i in subset], axis=0)
            weighted = weigh_decisions(averaged, weights)
            without_atrial_rhythm, _ = rhythm_of_calls(
                weighted, classes, config.data_dir, train.record, train.r_sample,
                config.rhythm_min_episode_s,
            )  # fmt: skip
            gated = gate_supraventricular(
                weighted, without_atrial_rhythm, classes, config.rhythm_gate
            )
            metrics = compute_metrics(labels, gated.argmax(axis=1), classes)
            scores.append(100 * metrics.macro_f1)
            name = f"k={k} seeds " + "+".join(str(args.seeds[i]) for i in subset)
            examples[name] = metrics
            print(f"{name:<22} {se_ppv_cells(metrics)}  {100 * metrics.macro_f1:8.2f}", flush=True)
        by_size[k] = scores
    print(f"\n{'k':>2} {'subsets':>7} {'mean F1':>8} {'SD':>6} {'min':>6} {'max':>6}")
    for k, scores in by_size.items():
        print(
            f"{k:>2} {len(scores):>7} {np.mean(scores):8.2f} {np.std(scores):6.2f} "
            f"{min(scores):6.2f} {max(scores):6.2f}"
        )
    means = {k: float(np.mean(scores)) for k, scores in by_size.items()}
    best = max(means, key=lambda k: means[k])
    chosen = best if means[best] - means[SHIPPED_SIZE] > TIE_POINTS else SHIPPED_SIZE
    print(f"best mean macro F1 at k = {best}; chosen k = {chosen} (shipped {SHIPPED_SIZE})")
    write_selection(
        args,
        config,
        start,
        examples,
        {
            "ensemble_size": chosen,
            "mean_macro_f1": means,
            "sd_macro_f1": {k: float(np.std(s)) for k, s in by_size.items()},
        },
        best=f"k={chosen}",
        rule=(
            f"best mean macro F1 over the k-subsets of seeds; another k than the shipped "
            f"{SHIPPED_SIZE} only where it beats it by more than {TIE_POINTS} points"
        ),
    )


if __name__ == "__main__":
    main()
