"""Pick the rhythm-gate strength on DS1 alone, by patient-wise cross-validation.

The gate (``BeatRecipe.rhythm_gate``, :func:`ecgkit.annotate.gate_supraventricular`)
moves a share of the S probability of beats inside atrial fibrillation onto N. Choosing
that share on DS2 would tune on the test patients, so it is chosen inside DS1, as the
prior adjustment is (``select_prior_adjustment.py``, whose folds this reuses): 5 folds by
patient, the benchmark's model trained on 4 and predicting the fifth, decisions adjusted
for the fold's priors at the default strength, AF found per record as the annotate path
finds it (the beats the model calls V or F left out, lead MLII for the P waves), then
every gate strength scored on the out-of-fold predictions of all DS1 beats. The strength
with the best macro F1 is the default. Prints a table, writes JSON.

    python benchmarks/select_rhythm_gate.py --data-dir ../shared/data/mitdb
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from _common import beat_rhythm
from _recipe import RESULTS
from select_prior_adjustment import (
    add_cv_arguments,
    adjust_per_fold,
    cross_validate,
    write_selection,
)

from ecgkit.annotate import gate_supraventricular
from ecgkit.experiment import UNWEIGHTED_PRIOR_ADJUSTMENT, split_beats
from ecgkit.metrics import compute_metrics

STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_cv_arguments(parser)
    parser.add_argument(
        "--json", type=Path, default=RESULTS / "rhythm_gate.json", help="results file"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    config, (probabilities, priors, labels, classes) = cross_validate(args)
    adjusted = adjust_per_fold(probabilities, priors, UNWEIGHTED_PRIOR_ADJUSTMENT)
    train, _, _ = split_beats(config)
    predicted = [classes[i] for i in adjusted.argmax(axis=1)]
    in_af, reference_af = beat_rhythm(args.data_dir, train.record, train.r_sample, predicted)
    s = list(classes).index("S")
    scores, s_in_af = {}, {}
    n_af = int(reference_af.sum())
    print(f"\nDS1 out of fold, {labels.size} beats ({n_af} in AF), seeds {args.seeds}")
    print(f"{'gate':>5}  " + "  ".join(f"{c} Se / +P  " for c in classes) + "macro F1  S in AF")
    for strength in STRENGTHS:
        decided = gate_supraventricular(adjusted, in_af, classes, strength).argmax(axis=1)
        metrics = compute_metrics(labels, decided, classes)
        scores[strength] = metrics
        s_in_af[strength] = 100 * float(np.mean(decided[reference_af] == s))
        cells = "  ".join(
            f"{100 * metrics.sensitivity[i]:4.1f} / {100 * metrics.positive_predictivity[i]:4.1f}"
            for i in range(len(classes))
        )
        print(
            f"{strength:5.2f}  {cells}  {100 * metrics.macro_f1:8.1f}  {s_in_af[strength]:6.2f} %"
        )
    extra = {
        "detected_af_beats": int(in_af.sum()),
        "reference_af_beats": int(reference_af.sum()),
        "s_in_af_percent": {str(k): v for k, v in s_in_af.items()},
    }
    write_selection(args, config, start, scores, extra)


if __name__ == "__main__":
    main()
