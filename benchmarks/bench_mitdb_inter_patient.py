"""The de Chazal DS1 -> DS2 inter-patient experiment on the full MIT-BIH Arrhythmia Database.

Trains on DS1 (22 records, lead MLII, AAMI classes N, S, V, F), optionally picking the best
epoch on DS1 patients held out by patient, tests on DS2 (22 other patients) and prints
per-class Se and +P beside published results. It trains one model per seed and class
weighting and also scores their ensemble (mean class probabilities), which evens out how
much a single seed's result depends on record 232 (three quarters of DS2's
supraventricular beats). Every model and the ensemble are scored twice: as trained, and
with the rhythm gate the annotate path applies (atrial fibrillation found per DS2 record
from its beats and lead MLII, the S probability of beats inside it moved to N by the
strength select_rhythm_gate.py picked on DS1); single models also as mean +/- SD. Writes
one run folder per model and a JSON summary. The defaults are the best configuration
measured (see docs/benchmarks.rst for the others).

    python benchmarks/bench_mitdb_inter_patient.py --data-dir ../shared/data/mitdb
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from _common import (
    add_rr_model_arguments,
    beat_rhythm,
    default_data_dir,
    environment,
    rr_features_of,
    write_json,
)

from ecgkit.annotate import gate_supraventricular
from ecgkit.experiment import (
    DEFAULT_RHYTHM_GATE,
    ExperimentConfig,
    default_prior_adjustment,
    run_experiment,
    split_beats,
)
from ecgkit.metrics import ClassificationMetrics, compute_metrics
from ecgkit.train import TrainConfig

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
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--model", default="beat_rr_cnn")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--strict", action="store_true", help="202 moved to DS1")
    parser.add_argument(
        "--class-weighting",
        nargs="+",
        default=["none"],
        choices=("balanced", "sqrt", "none"),
    )
    parser.add_argument(
        "--prior-adjustment",
        type=float,
        help="strength of the test-time adjustment for DS1's class priors (0: none); "
        "default 0.5 for an unweighted loss (picked by patient-wise cross-validation on DS1, "
        "select_prior_adjustment.py) and 0 for a weighted one",
    )
    parser.add_argument(
        "--rhythm-gate",
        type=float,
        default=DEFAULT_RHYTHM_GATE,
        help="share of the S probability of beats inside detected AF moved to N "
        "(select_rhythm_gate.py picks it on DS1)",
    )
    add_rr_model_arguments(parser)
    parser.add_argument("--classes", default="NSVF", choices=("NSVFQ", "NSVF"))
    parser.add_argument("--augment", action="store_true", help="train with BeatAugment")
    parser.add_argument(
        "--no-template", action="store_true", help="no record-template residual channel"
    )
    parser.add_argument(
        "--val-fraction",
        type=float,
        default=0.0,
        help="DS1 patients held out to pick the best epoch (0: keep the last epoch)",
    )
    parser.add_argument(
        "--normalize", default="zscore", choices=("zscore", "robust", "minmax", "none")
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "mitdb_inter_patient"
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=Path(__file__).parent / "results" / "cache"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    rows: dict[str, ClassificationMetrics] = {}
    probabilities = []
    models = [(weighting, seed) for weighting in args.class_weighting for seed in args.seeds]
    for weighting, seed in models:
        config = ExperimentConfig(
            data_dir=args.data_dir,
            split="de-chazal-strict" if args.strict else "de-chazal",
            model=args.model,
            model_kwargs=(
                {"fusion_width": args.fusion_width} if args.model == "beat_rr_cnn" else {}
            ),
            rr_features=rr_features_of(args),
            classes=args.classes,
            prior_adjustment=(
                args.prior_adjustment
                if args.prior_adjustment is not None
                else default_prior_adjustment(weighting)
            ),
            augment=args.augment,
            template=not args.no_template,
            val_fraction=args.val_fraction,
            normalize=None if args.normalize == "none" else args.normalize,
            train=TrainConfig(
                epochs=args.epochs,
                batch_size=args.batch_size,
                lr=args.lr,
                seed=seed,
                class_weighting=weighting,
            ),
            out_dir=args.out / f"{weighting}-seed{seed}",
            cache_dir=args.cache_dir,
        )
        result = run_experiment(config)
        rows[f"ecgkit {weighting} seed {seed}"] = result.metrics
        probabilities.append(result.prediction.probabilities)
        labels, classes = result.prediction.labels, result.metrics.classes
    single = dict(rows)
    if len(models) > 1:
        probabilities.append(np.mean(probabilities, axis=0))
        rows[f"ecgkit ensemble of {len(models)}"] = compute_metrics(
            labels, probabilities[-1].argmax(axis=1), classes
        )
    # the rhythm gate as the annotate path applies it: AF per DS2 record from all its
    # beats (those the model calls V or F left out) and lead MLII, then S moved to N
    _, test, _ = split_beats(config)
    gated_rows: dict[str, ClassificationMetrics] = {}
    s_in_af: dict[str, float] = {}
    for name, probs in zip(list(rows), probabilities, strict=True):
        predicted = [classes[i] for i in probs.argmax(axis=1)]
        in_af, reference_af = beat_rhythm(args.data_dir, test.record, test.r_sample, predicted)
        decided = gate_supraventricular(probs, in_af, classes, args.rhythm_gate).argmax(axis=1)
        gated_rows[f"{name} + gate"] = compute_metrics(labels, decided, classes)
        s = list(classes).index("S")
        s_in_af[name] = 100 * float(np.mean(probs.argmax(axis=1)[reference_af] == s))
        s_in_af[f"{name} + gate"] = 100 * float(np.mean(decided[reference_af] == s))
    rows.update(gated_rows)
    minutes = (time.perf_counter() - start) / 60
    final_name = list(rows)[-1]
    final = rows[final_name]
    print()
    print(f"DS2, {labels.size} beats, {minutes:.1f} min on {torch.get_num_threads()} threads")
    print_table(rows)
    if len(single) > 1:
        print_spread(single)
        print_spread({name: gated_rows[f"{name} + gate"] for name in single})
    for name, share in s_in_af.items():
        print(f"beats of DS2's AF and flutter episodes called S, {name}: {share:.2f} %")
    met = targets_met(final, s_in_af[final_name])
    verdict = {True: "met", False: "NOT met"}
    print(
        f"targets ({final_name}): S Se>=80 & +P>=60 {verdict[met['S']]}; "
        f"V Se>=95 & +P>=95 {verdict[met['V']]}; S in AF <= 1 % {verdict[met['S in AF']]}"
    )
    write_json(
        args.out / "summary.json",
        {
            "environment": {**environment(), "torch": torch.__version__},
            "config": config.to_json(),
            "models": [{"class_weighting": w, "seed": seed} for w, seed in models],
            "minutes": minutes,
            "runs": {name: m.to_dict() for name, m in rows.items()},
            "rhythm_gate": args.rhythm_gate,
            "s_in_af_percent": s_in_af,
            "test": final.to_dict(),
            "published": PUBLISHED,
            "targets_met": met,
        },
    )


if __name__ == "__main__":
    main()
