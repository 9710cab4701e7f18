"""Pick the rhythm-gate strength on DS1 alone, by patient-wise cross-validation.

The gate (``BeatRecipe.rhythm_gate``, :func:`ecgkit.annotate.gate_supraventricular`)
moves a share of the S probability of beats inside atrial fibrillation, or with clearly
absent P waves, onto N. Choosing that share on DS2 would tune on the test patients, so it
is chosen inside DS1, as the prior adjustment is (``select_prior_adjustment.py``, whose
folds this reuses): 5 folds by patient, the benchmark's model trained on 4 and predicting
the fifth, decisions adjusted for the fold's priors at the recipe's strength, AF and absent
P waves found per record as the annotate path finds them (the beats the model calls V or F
left out, lead MLII for the P waves), then every gate strength scored on the out-of-fold
predictions of all DS1 beats, once for each shortest AF run the gate acts on
(``MIN_EPISODES_S``: the 30 s of the clinical definition of an episode, or shorter runs
too). The pair with the best macro F1 is the default (of equal scores, the longer minimum,
then the stronger gate). Prints a table, writes JSON.

    python benchmarks/select_rhythm_gate.py --data-dir ../shared/data/mitdb
    python benchmarks/select_rhythm_gate.py --data-dir ../shared/data/mitdb --reuse
"""

from __future__ import annotations

import time

import numpy as np
from _common import rhythm_of_calls
from select_prior_adjustment import (
    cross_validate,
    print_table_head,
    se_ppv_cells,
    selection_arguments,
    write_selection,
)

from ecgkit.annotate import gate_supraventricular
from ecgkit.experiment import split_beats
from ecgkit.metrics import ClassificationMetrics, compute_metrics

STRENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)
MIN_EPISODES_S = (30.0, 20.0, 10.0, 0.0)


def main() -> None:
    args = selection_arguments(__doc__.splitlines()[0], "rhythm_gate.json")
    start = time.perf_counter()
    config, predictions = cross_validate(args)
    labels, classes = predictions.labels, predictions.classes
    adjusted = predictions.ensemble(config.prior_adjustment)
    train, _, _ = split_beats(config)
    s = list(classes).index("S")
    scores: dict[str, ClassificationMetrics] = {}
    s_in_af: dict[str, float] = {}
    gated_beats: dict[str, int] = {}
    print_table_head(
        labels.size, args.seeds, f"{'min run':>7} {'gate':>5}", classes, "macro F1  S in AF"
    )
    for min_episode_s in MIN_EPISODES_S:
        gated, reference_af = rhythm_of_calls(
            adjusted, classes, config.data_dir, train.record, train.r_sample, min_episode_s
        )
        for strength in STRENGTHS:
            key = f"min_episode_s={min_episode_s:g}, strength={strength:g}"
            decided = gate_supraventricular(adjusted, gated, classes, strength).argmax(axis=1)
            metrics = compute_metrics(labels, decided, classes)
            scores[key] = metrics
            s_in_af[key] = 100 * float(np.mean(decided[reference_af] == s))
            gated_beats[key] = int(gated.sum())
            print(
                f"{min_episode_s:6g}s {strength:5.2f}  {se_ppv_cells(metrics)}  "
                f"{100 * metrics.macro_f1:8.1f}  {s_in_af[key]:6.2f} %"
            )
    # the first best in this order: longer minimum first, then the stronger gate
    order = [
        f"min_episode_s={m:g}, strength={g:g}" for m in MIN_EPISODES_S for g in STRENGTHS[::-1]
    ]
    extra = {
        "reference_af_beats": int(reference_af.sum()),
        "gated_beats": gated_beats,
        "s_in_af_percent": s_in_af,
    }
    write_selection(args, config, start, {k: scores[k] for k in order}, extra)


if __name__ == "__main__":
    main()
