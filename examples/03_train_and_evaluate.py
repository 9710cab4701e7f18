"""Train a beat classifier on DS1 patients and evaluate it on unseen DS2 patients.
===============================================================================

python examples/03_train_and_evaluate.py [--quick] [--epochs 12] [--out runs/example]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ecgkit.data import (
    MITBIH,
    RELATIVE_RR_FEATURES,
    BeatConfig,
    BeatDataset,
    build_beats,
    inter_patient_split,
    patient_train_val_split,
)
from ecgkit.models import create_model, model_info
from ecgkit.plot import plot_confusion_matrix, plot_history
from ecgkit.train import TrainConfig, Trainer


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="2 epochs on 8 DS1 records")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--out", type=Path, default=Path("runs/example"))
    args = parser.parse_args()

    split = inter_patient_split()
    train_records = split.train[:8] if args.quick else split.train
    beats = build_beats(MITBIH.bundled(), train_records + split.test, BeatConfig(leads=("MLII",)))
    train_all, test = beats.select_records(train_records), beats.select_records(split.test)
    fit_index, val_index = patient_train_val_split(
        train_all.labels, train_all.patient, val_fraction=0.2
    )

    # rate-independent RR features only: seconds would let the model recognise patients
    rr = RELATIVE_RR_FEATURES
    model = create_model("beat_rr_cnn", in_channels=1, num_classes=5, n_features=len(rr))
    print(f"beat_rr_cnn: {model_info(model)['parameters']:,} parameters")
    config = TrainConfig(epochs=2 if args.quick else args.epochs, batch_size=128, lr=2e-3, seed=0)
    trainer = Trainer(model, config, run_dir=args.out)
    history = trainer.fit(
        BeatDataset(train_all.subset(fit_index), features=rr),
        BeatDataset(train_all.subset(val_index), features=rr),
    )
    trainer.load_weights(args.out / "checkpoints" / "best.pt")
    metrics = trainer.evaluate(BeatDataset(test, features=rr))
    print(f"best epoch {history.best_epoch} of {len(history)}; DS2 (unseen patients):")
    print(metrics.table())
    plot_confusion_matrix(metrics.confusion, metrics.classes, path=args.out / "confusion.png")
    plot_history(history, path=args.out / "curves.png")
    print(f"wrote {args.out}/confusion.png, curves.png, history.csv, checkpoints/")


if __name__ == "__main__":
    main()
