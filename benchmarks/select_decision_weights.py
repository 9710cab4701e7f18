"""Pick the S and V decision weights on DS1 alone, by patient-wise cross-validation.

A decision weight multiplies one class's prior-adjusted probability before the class is
decided (``ExperimentConfig.decision_weights``, :func:`ecgkit.metrics.weigh_decisions`):
above 1 the class is called more often, below 1 less. The prior adjustment makes the
decisions balanced for the training priors; whether the S or the V boundary should sit
elsewhere for new patients is a choice, and it is made inside DS1: the out-of-fold
predictions of ``select_rhythm_gate.py`` (5 folds by patient, the shipped recipe, one
file per seed; ``--reuse`` loads them without training), each seed adjusted per fold and
the seeds averaged as the shipped ensemble does (the shipped weights were chosen on
seeds 0-4, jointly with the prior strength and the gated run: docs/benchmarks.rst), then for
every pair of weights the AF and absent P waves found per record as the annotate path
finds them (the beats the weighted decision calls V or F left out), the gate as shipped,
and all DS1 beats scored.

The rule, fixed before the first run (2026-11-26): the S and V weights each take one of
``WEIGHTS`` (half-octave steps from 1/4 to 4; N is the reference and F, 90 % of whose DS1
beats are one patient's, keeps 1); the pair with the best macro F1 wins, of pairs within
``TIE_POINTS`` of it the one nearest to no weighting (smallest sum of ``|log2 w|``, then
the smaller weights). Prints a table, writes JSON.

    python benchmarks/select_decision_weights.py --data-dir ../shared/data/mitdb --reuse
"""

from __future__ import annotations

import math
import time

import numpy as np
from _common import beat_rhythm
from select_prior_adjustment import (
    cross_validate,
    se_ppv_cells,
    selection_arguments,
    write_selection,
)

from ecgkit.annotate import VENTRICULAR_CLASSES, gate_supraventricular
from ecgkit.experiment import split_beats
from ecgkit.metrics import ClassificationMetrics, compute_metrics, weigh_decisions

WEIGHTS = tuple(2.0 ** (k / 2) for k in range(-4, 5))
TIE_POINTS = 0.05


def distance(pair: tuple[float, float]) -> tuple[float, float, float]:
    """How far a pair of weights is from no weighting, for the tie-break."""
    return (sum(abs(math.log2(w)) for w in pair), pair[0], pair[1])


def weights_name(pair: tuple[float, float]) -> str:
    """How a pair of weights is named in the printed choice and the JSON."""
    return f"S={pair[0]:.4g}, V={pair[1]:.4g}"


def main() -> None:
    args = selection_arguments(__doc__.splitlines()[0], "decision_weights.json")
    start = time.perf_counter()
    config, predictions = cross_validate(args)
    labels, classes = predictions.labels, predictions.classes
    adjusted = predictions.ensemble(config.prior_adjustment)
    train, _, _ = split_beats(config)
    s, v = list(classes).index("S"), list(classes).index("V")
    ventricular = np.isin(np.asarray(classes), VENTRICULAR_CLASSES)
    rhythm_cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
    scores: dict[tuple[float, float], ClassificationMetrics] = {}
    print(f"\nDS1 out of fold, {labels.size} beats, seeds {args.seeds}, gate as shipped")
    print(f"{'S w':>5} {'V w':>5}  " + "  ".join(f"{c} Se / +P  " for c in classes) + "macro F1")
    for s_weight in WEIGHTS:
        for v_weight in WEIGHTS:
            weights = np.ones(len(classes))
            weights[s], weights[v] = s_weight, v_weight
            weighted = weigh_decisions(adjusted, weights)
            called = weighted.argmax(axis=1)
            key = np.packbits(ventricular[called]).tobytes()
            if key not in rhythm_cache:
                rhythm_cache[key] = beat_rhythm(
                    config.data_dir,
                    train.record,
                    train.r_sample,
                    [classes[i] for i in called],
                    config.rhythm_min_episode_s,
                )
            without_atrial_rhythm, _ = rhythm_cache[key]
            gated = gate_supraventricular(
                weighted, without_atrial_rhythm, classes, config.rhythm_gate
            )
            metrics = compute_metrics(labels, gated.argmax(axis=1), classes)
            scores[(s_weight, v_weight)] = metrics
            print(
                f"{s_weight:5.2f} {v_weight:5.2f}  {se_ppv_cells(metrics)}  "
                f"{100 * metrics.macro_f1:8.2f}"
            )
    top = max(m.macro_f1 for m in scores.values())
    near = [pair for pair, m in scores.items() if 100 * (top - m.macro_f1) <= TIE_POINTS]
    best = min(near, key=distance)
    print(f"best macro F1 {100 * top:.2f} %")
    write_selection(
        args,
        config,
        start,
        {weights_name(pair): metrics for pair, metrics in scores.items()},
        {"weights": {"S": best[0], "V": best[1]}},
        best=weights_name(best),
        rule=f"best macro F1; within {TIE_POINTS} points, nearest to no weighting",
    )


if __name__ == "__main__":
    main()
