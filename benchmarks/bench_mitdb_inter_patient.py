"""The de Chazal DS1 -> DS2 inter-patient experiment on the full MIT-BIH Arrhythmia Database.

Trains on DS1 (22 records, lead MLII, AAMI classes N, S, V, F), optionally picking the best
epoch on DS1 patients held out by patient, tests on DS2 (22 other patients) and prints
per-class Se and +P beside published results. It trains one model per seed and class
weighting and also scores their ensemble (mean class probabilities), which evens out how
much a single seed's result depends on record 232 (three quarters of DS2's
supraventricular beats). Every model and the ensemble are scored twice: as trained, and
as the annotate path decides (the recipe's decision weights, which
select_decision_weights.py picked on DS1, then the rhythm gate: atrial fibrillation found
per DS2 record from its beats and lead MLII, the S probability of beats inside it moved to
N by the strength select_rhythm_gate.py picked on DS1); single models also as mean +/- SD.
The final row's Se, +P and macro F1 also get 90 % intervals from resampling DS2's 22
patients whole (ecgkit.metrics.bootstrap_metrics): its S beats are mostly one record's.
Writes
one run folder per model and a JSON summary. The defaults are the best configuration
measured (see docs/benchmarks.rst for the others).

    python benchmarks/bench_mitdb_inter_patient.py --data-dir ../shared/data/mitdb

It takes every option of ``ecgkit train`` (the recipe, generated from ExperimentConfig;
``--help`` lists them) and ``--seeds``; run folders go to ``--out-dir``/seed<k>.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from _common import environment, rhythm_of_calls, write_json
from _recipe import RESULTS, add_recipe_options, recipes

from ecgkit.annotate import gate_supraventricular
from ecgkit.experiment import (
    run_experiment,
    split_beats,
)
from ecgkit.metrics import (
    ClassificationMetrics,
    MetricIntervals,
    bootstrap_metrics,
    compute_metrics,
    weigh_decisions,
)

CLASS_NAMES = ("N", "S", "V", "F")

#: Published DS2 results, Se / +P in % per class and overall accuracy (de Chazal et al.
#: 2004, linear discriminants on morphology + RR features). Mondejar-Guerra et al. (2019,
#: ensemble of SVMs) report overall accuracy 94.5 % and j-index 0.773 on DS2.
PUBLISHED = {
    "de Chazal 2004": {
        "N": (86.9, 99.2),
        "S": (75.9, 38.5),
        "V": (77.7, 81.9),
        "F": (89.4, 8.6),
        "accuracy": 86.2,
    },
    "Mondejar-Guerra 2019": {"accuracy": 94.5},
}


def print_table(rows: dict[str, ClassificationMetrics]) -> None:
    print(f"{'':26} " + " ".join(f"{c + ' Se':>7} {c + ' +P':>7}" for c in "NSVF") + f" {'acc':>6}")
    for name, m in rows.items():
        cells = " ".join(
            f"{100 * m.sensitivity[i]:7.1f} {100 * m.positive_predictivity[i]:7.1f}"
            for i in range(4)
        )
        print(f"{name:26} {cells} {100 * m.accuracy:6.1f}  macro F1 {100 * m.macro_f1:.1f}")
    for name, values in PUBLISHED.items():
        cells = " ".join(
            f"{values[c][0]:7.1f} {values[c][1]:7.1f}" if c in values else f"{'-':>7} {'-':>7}"
            for c in "NSVF"
        )
        print(f"{name:26} {cells} {values['accuracy']:6.1f}")


def targets_met(m: ClassificationMetrics, s_in_af_percent: float) -> dict[str, bool]:
    """The targets of the rhythm-aware recipe (S >= 80 / 60, V >= 95 / 95, <= 1 % S in AF)."""
    return {
        "S": bool(m.sensitivity[1] >= 0.80 and m.positive_predictivity[1] >= 0.60),
        "V": bool(m.sensitivity[2] >= 0.95 and m.positive_predictivity[2] >= 0.95),
        "S in AF": bool(s_in_af_percent <= 1.0),
    }


def print_spread(rows: dict[str, ClassificationMetrics]) -> None:
    """Mean +/- SD over single models of each class's Se and +P."""
    cells = []
    for i, name in enumerate(CLASS_NAMES):
        se = [100 * m.sensitivity[i] for m in rows.values()]
        ppv = [100 * m.positive_predictivity[i] for m in rows.values()]
        spread = (
            f"{np.mean(se):.1f} +/- {np.std(se):.1f} / {np.mean(ppv):.1f} +/- {np.std(ppv):.1f}"
        )
        cells.append(f"{name} {spread}")
    print(f"single models (mean +/- SD of {len(rows)}): " + "; ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_recipe_options(parser, seeds=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    start = time.perf_counter()
    rows: dict[str, ClassificationMetrics] = {}
    probabilities = []
    configs = recipes(args, RESULTS / "mitdb_inter_patient")
    for config in configs:
        result = run_experiment(config)
        rows[f"ecgkit seed {config.train.seed}"] = result.metrics
        probabilities.append(result.prediction.probabilities)
        labels, classes = result.prediction.labels, result.metrics.classes
    models = [config.train.seed for config in configs]
    single = dict(rows)
    if len(models) > 1:
        probabilities.append(np.mean(probabilities, axis=0))
        rows[f"ecgkit ensemble of {len(models)}"] = compute_metrics(
            labels, probabilities[-1].argmax(axis=1), classes
        )
    # the decisions as the annotate path takes them: the mean probabilities weighed by
    # class, AF and absent P waves per DS2 record from all its beats (those then called V
    # or F left out) and lead MLII, then S moved to N inside AF and where P waves are absent
    _, test, _ = split_beats(config)
    weights = [float(config.decision_weights.get(name, 1.0)) for name in classes]
    suffix = " + weights + gate" if config.decision_weights else " + gate"
    gated_rows: dict[str, ClassificationMetrics] = {}
    s_in_af: dict[str, float] = {}
    decisions: dict[str, np.ndarray] = {}
    for name, probs in zip(list(rows), probabilities, strict=True):
        weighed = weigh_decisions(probs, weights)
        gated, reference_af = rhythm_of_calls(
            weighed, classes, config.data_dir, test.record, test.r_sample,
            config.rhythm_min_episode_s,
        )  # fmt: skip
        decided = gate_supraventricular(weighed, gated, classes, config.rhythm_gate)
        decided = decided.argmax(axis=1)
        gated_rows[name + suffix] = compute_metrics(labels, decided, classes)
        decisions[name + suffix] = decided
        s = list(classes).index("S")
        s_in_af[name] = 100 * float(np.mean(probs.argmax(axis=1)[reference_af] == s))
        s_in_af[name + suffix] = 100 * float(np.mean(decided[reference_af] == s))
    rows.update(gated_rows)
    minutes = (time.perf_counter() - start) / 60
    final_name = list(rows)[-1]
    final = rows[final_name]
    print()
    print(f"DS2, {labels.size} beats, {minutes:.1f} min on {torch.get_num_threads()} threads")
    print_table(rows)
    if len(single) > 1:
        print_spread(single)
        print_spread({name: gated_rows[name + suffix] for name in single})
    for name, share in s_in_af.items():
        print(f"beats of DS2's AF and flutter episodes called S, {name}: {share:.2f} %")
    # how sure: DS2's 22 patients resampled whole (a class may live in one or two of them)
    spread = bootstrap_metrics(labels, decisions[final_name], test.patient, classes)
    print_intervals(final_name, spread)
    met = targets_met(final, s_in_af[final_name])
    verdict = {True: "met", False: "NOT met"}
    print(
        f"targets ({final_name}): S Se>=80 & +P>=60 {verdict[met['S']]}; "
        f"V Se>=95 & +P>=95 {verdict[met['V']]}; S in AF <= 1 % {verdict[met['S in AF']]}"
    )
    write_json(
        config.out_dir.parent / "summary.json",
        {
            "environment": {**environment(), "torch": torch.__version__},
            "config": config.to_json(),
            "seeds": models,
            "minutes": minutes,
            "runs": {name: m.to_dict() for name, m in rows.items()},
            "decision_weights": config.decision_weights,
            "rhythm_gate": config.rhythm_gate,
            "rhythm_min_episode_s": config.rhythm_min_episode_s,
            "s_in_af_percent": s_in_af,
            "test": final.to_dict(),
            "test_intervals_by_patient": spread.to_dict(),
            "published": PUBLISHED,
            "targets_met": met,
        },
    )


def print_intervals(name: str, spread: MetricIntervals) -> None:
    """Se / +P and macro F1 of ``name`` with their intervals by patient, in %."""
    width = round(100 * spread.confidence)
    print(
        f"{width} % intervals by patient ({name}; {spread.n_resamples} resamples of the "
        f"{spread.n_groups} patients):"
    )
    for i, cls in enumerate(spread.classes):
        se_low, se_high = 100 * spread.sensitivity_interval[i]
        ppv_low, ppv_high = 100 * spread.positive_predictivity_interval[i]
        print(
            f"  {cls}  Se {100 * spread.sensitivity[i]:5.1f} [{se_low:5.1f}, {se_high:5.1f}]"
            f"  +P {100 * spread.positive_predictivity[i]:5.1f} [{ppv_low:5.1f}, {ppv_high:5.1f}]"
        )
    low, high = spread.macro_f1_interval
    print(f"  macro F1 {100 * spread.macro_f1:.1f} [{100 * low:.1f}, {100 * high:.1f}]")


if __name__ == "__main__":
    main()
