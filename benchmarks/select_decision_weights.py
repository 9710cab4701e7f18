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

Beside the choice, how sure DS1 is of it: the chosen tuple against the recipe's own
decisions, their macro F1 difference with a paired bootstrap over DS1's patients
(:func:`ecgkit.metrics.bootstrap_macro_f1_difference`; 2,000 resamples, 90 % interval,
printed and in the JSON's ``versus_recipe``). Beats of one patient succeed or fail
together, so this spread, not the beats', is the one a difference must clear: from
session 23 on, a new tuple replaces the recipe's only where it is better by more than
one standard error (printed as the one-standard-error rule's verdict).

``--out-of-fold`` chooses for predictions another script saved (one file per seed), e.g.
those of a training candidate, so that it is scored with decisions of its own.

``--priors``, ``--gates`` and ``--gated-runs`` choose the prior-adjustment strength, the
rhythm-gate strength and the shortest gated AF run with the weights, in one run (the
joint rule of session 18): every tuple is scored, the best macro F1 wins, and of tuples
within ``TIE_POINTS`` of it the nearest to no weighting, then the recipe's own prior,
gate and run. Each record's rhythm is found once per set of beats the decisions call V
or F in it (``_common.RhythmCache``), so a joint grid takes minutes where one run per
prior and gated run took hours.

    python benchmarks/select_decision_weights.py --data-dir ../shared/data/mitdb --reuse
    python benchmarks/select_decision_weights.py --data-dir ../shared/data/mitdb --reuse \
        --seeds 0 1 2 3 4 --priors 0.5 0.75 --gated-runs 20 30
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _common import RhythmCache, rhythm_of_calls
from _recipe import recipes
from select_prior_adjustment import (
    RESULTS,
    OutOfFold,
    cross_validate,
    print_table_head,
    saved_out_of_fold,
    se_ppv_cells,
    selection_arguments,
    write_selection,
)

from ecgkit.annotate import gate_supraventricular
from ecgkit.data import BeatSet
from ecgkit.experiment import ExperimentConfig, split_beats
from ecgkit.metrics import (
    ClassificationMetrics,
    bootstrap_macro_f1_difference,
    compute_metrics,
    weigh_decisions,
)

WEIGHTS = tuple(2.0 ** (k / 2) for k in range(-4, 5))
TIE_POINTS = 0.05


def distance(pair: tuple[float, float]) -> tuple[float, float, float]:
    """How far a pair of weights is from no weighting, for the tie-break."""
    return (sum(abs(math.log2(w)) for w in pair), pair[0], pair[1])


@dataclass(frozen=True, order=True)
class Decisions:
    """One tuple of the grid: prior-adjustment strength, gate strength, shortest gated run
    (s) and the S and V weights."""

    prior: float
    gate: float
    gated_run_s: float
    s_weight: float
    v_weight: float

    def name(self, joint: bool) -> str:
        """How the tuple is named in the printed choice and the JSON (the weights alone,
        as before, when the prior, gate and run are the recipe's only ones)."""
        weights = f"S={self.s_weight:.4g}, V={self.v_weight:.4g}"
        if not joint:
            return weights
        return f"prior={self.prior:g}, gate={self.gate:g}, run={self.gated_run_s:g} s, {weights}"


def weighted(
    adjusted: np.ndarray, classes: tuple[str, ...], s_weight: float, v_weight: float
) -> np.ndarray:
    """The adjusted probabilities weighed by the S and V weights (N and F keep 1)."""
    weights = np.ones(len(classes))
    weights[classes.index("S")], weights[classes.index("V")] = s_weight, v_weight
    return weigh_decisions(adjusted, weights)


def decide(
    predictions: OutOfFold,
    decisions: Decisions,
    config: ExperimentConfig,
    train: BeatSet,
    rhythms: RhythmCache,
) -> np.ndarray:
    """The class of every DS1 beat under one tuple, as the grid scores it."""
    classes = predictions.classes
    weighed = weighted(
        predictions.ensemble(decisions.prior), classes, decisions.s_weight, decisions.v_weight
    )
    without_atrial_rhythm, _ = rhythm_of_calls(
        weighed, classes, config.data_dir, train.record, train.r_sample,
        decisions.gated_run_s, rhythms,
    )  # fmt: skip
    gated = gate_supraventricular(weighed, without_atrial_rhythm, classes, decisions.gate)
    return np.asarray(gated.argmax(axis=1))


def recipe_decisions(config: ExperimentConfig) -> Decisions:
    """The recipe's own tuple (the config's prior, gate, gated run and S, V weights)."""
    weights = config.decision_weights
    return Decisions(
        config.prior_adjustment,
        config.rhythm_gate,
        config.rhythm_min_episode_s,
        float(weights.get("S", 1.0)),
        float(weights.get("V", 1.0)),
    )


def add_grid_options(parser: argparse.ArgumentParser) -> None:
    """``--priors``, ``--gates`` and ``--gated-runs``, chosen with the weights when given."""
    parser.add_argument(
        "--priors", type=float, nargs="+", help="prior-adjustment strengths (default: the recipe's)"
    )
    parser.add_argument(
        "--gates", type=float, nargs="+", help="rhythm-gate strengths (default: the recipe's)"
    )
    parser.add_argument(
        "--gated-runs",
        type=float,
        nargs="+",
        help="shortest gated AF runs in s (default: the recipe's rhythm_min_episode_s)",
    )
    parser.add_argument(
        "--out-of-fold",
        type=Path,
        nargs="+",
        help="choose for these saved out-of-fold predictions (.npz, one per seed, e.g. a "
        "training candidate's from select_interference.py) instead of the recipe's",
    )


def main() -> None:
    args = selection_arguments(__doc__.splitlines()[0], "decision_weights.json", add_grid_options)
    start = time.perf_counter()
    if args.out_of_fold:
        config = recipes(args, RESULTS / "cross_validation")[-1]
        predictions = saved_out_of_fold(args.out_of_fold)
    else:
        config, predictions = cross_validate(args)
    labels, classes = predictions.labels, predictions.classes
    priors = args.priors or [config.prior_adjustment]
    gates = args.gates or [config.rhythm_gate]
    runs = args.gated_runs or [config.rhythm_min_episode_s]
    joint = len(priors) > 1 or len(gates) > 1 or len(runs) > 1
    train, _, _ = split_beats(config)
    rhythms = RhythmCache(config.data_dir)
    scores: dict[Decisions, ClassificationMetrics] = {}
    columns = f"{'prior':>5} {'gate':>4} {'run':>4} {'S w':>5} {'V w':>5}"
    print_table_head(labels.size, args.seeds, columns, classes)
    for prior in priors:
        adjusted = predictions.ensemble(prior)
        for run in runs:
            for s_weight in WEIGHTS:
                for v_weight in WEIGHTS:
                    weighed = weighted(adjusted, classes, s_weight, v_weight)
                    without_atrial_rhythm, _ = rhythm_of_calls(
                        weighed, classes, config.data_dir, train.record, train.r_sample,
                        run, rhythms,
                    )  # fmt: skip
                    for gate in gates:
                        gated = gate_supraventricular(weighed, without_atrial_rhythm, classes, gate)
                        metrics = compute_metrics(labels, gated.argmax(axis=1), classes)
                        scores[Decisions(prior, gate, run, s_weight, v_weight)] = metrics
                        print(
                            f"{prior:5.2f} {gate:4.2f} {run:4g} {s_weight:5.2f} {v_weight:5.2f}"
                            f"  {se_ppv_cells(metrics)}  {100 * metrics.macro_f1:8.2f}",
                            flush=True,
                        )
    top = max(m.macro_f1 for m in scores.values())
    near = [d for d, m in scores.items() if 100 * (top - m.macro_f1) <= TIE_POINTS]
    best = min(
        near,
        key=lambda d: (
            distance((d.s_weight, d.v_weight)),
            d.prior != config.prior_adjustment,
            d.gate != config.rhythm_gate,
            d.gated_run_s != config.rhythm_min_episode_s,
            d,
        ),
    )
    print(f"best macro F1 {100 * top:.2f} %")
    own = recipe_decisions(config)
    versus = bootstrap_macro_f1_difference(
        labels,
        decide(predictions, best, config, train, rhythms),
        decide(predictions, own, config, train, rhythms),
        train.patient,
        len(classes),
    )
    low, high = versus.interval
    width = round(100 * versus.confidence)
    print(
        f"chosen against the recipe's own ({own.name(True)}): macro F1 "
        f"{100 * versus.difference:+.2f} points, {width} % interval by patient "
        f"[{100 * low:+.2f}, {100 * high:+.2f}], not better in "
        f"{100 * versus.probability_not_better:.1f} % of resamples"
    )
    # the rule for choices from session 23 on (docs/benchmarks.rst): an alternative must
    # beat the recipe in place by more than one bootstrap standard error
    clears = versus.difference > versus.standard_error
    print(
        "one-standard-error rule: "
        + ("take the chosen tuple" if clears else "keep the recipe's own decisions")
    )
    rule = f"best macro F1; within {TIE_POINTS} points, nearest to no weighting"
    chosen: dict[str, object] = {
        "weights": {"S": best.s_weight, "V": best.v_weight},
        "versus_recipe": {
            "recipe": own.name(True),
            **versus.to_dict(),
            "clears_one_standard_error": bool(clears),
        },
    }
    if joint:
        rule += ", then the recipe's prior strength, gate and gated run"
        chosen |= {
            "prior_adjustment": best.prior,
            "rhythm_gate": best.gate,
            "rhythm_min_episode_s": best.gated_run_s,
        }
    write_selection(
        args,
        config,
        start,
        {d.name(joint): metrics for d, metrics in scores.items()},
        chosen,
        best=best.name(joint),
        rule=rule,
    )


if __name__ == "__main__":
    main()
