"""The de Chazal DS1 -> DS2 inter-patient experiment on the full MIT-BIH Arrhythmia Database.

Trains on DS1 (22 records, lead MLII, AAMI classes N, S, V, F), optionally picking the best
epoch on DS1 patients held out by patient, tests on DS2 (22 other patients) and prints
per-class Se and +P beside published results. It trains one model per seed and class
weighting and also scores their ensemble (mean class probabilities), which evens out how
much a single seed's result depends on record 232 (three quarters of DS2's
supraventricular beats). Writes one run folder per model and a JSON summary. The
defaults are the best configuration measured (see docs/benchmarks.rst for the others).

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
    default_data_dir,
    environment,
    rr_features_of,
    write_json,
)

from ecgkit.experiment import ExperimentConfig, default_prior_adjustment, run_experiment
from ecgkit.metrics import ClassificationMetrics, compute_metrics
from ecgkit.train import TrainConfig

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


def targets_met(m: ClassificationMetrics) -> dict[str, bool]:
    return {
        "S": bool(m.sensitivity[1] >= 0.80 and m.positive_predictivity[1] >= 0.50),
        "V": bool(m.sensitivity[2] >= 0.90 and m.positive_predictivity[2] >= 0.90),
    }


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
    if len(models) > 1:
        mean = np.mean(probabilities, axis=0)
        rows[f"ecgkit ensemble of {len(models)}"] = compute_metrics(
            labels, mean.argmax(axis=1), classes
        )
    minutes = (time.perf_counter() - start) / 60
    final = list(rows.values())[-1]
    print()
    print(f"DS2, {labels.size} beats, {minutes:.1f} min on {torch.get_num_threads()} threads")
    print_table(rows)
    met = targets_met(final)
    verdict = {True: "met", False: "NOT met"}
    print(
        f"targets ({list(rows)[-1]}): S Se>=80 & +P>=50 {verdict[met['S']]}; "
        f"V Se>=90 & +P>=90 {verdict[met['V']]}"
    )
    write_json(
        args.out / "summary.json",
        {
            "environment": {**environment(), "torch": torch.__version__},
            "config": config.to_json(),
            "models": [{"class_weighting": w, "seed": seed} for w, seed in models],
            "minutes": minutes,
            "runs": {name: m.to_dict() for name, m in rows.items()},
            "test": final.to_dict(),
            "published": PUBLISHED,
            "targets_met": met,
        },
    )


if __name__ == "__main__":
    main()
