"""Build labelled beats from MIT-BIH records and split them by patient, never by beat.
===================================================================================

python examples/02_dataset_and_split.py [--quick] [--data-dir ../shared/data/mitdb]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ecgkit.data import (
    MITBIH,
    BeatConfig,
    BeatDataset,
    PatientKFold,
    PatientLeakError,
    build_beats,
    check_patient_disjoint,
    inter_patient_split,
    intra_patient_split,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--data-dir", type=Path, help="full MIT-BIH copy (default: bundled excerpt)"
    )
    parser.add_argument("--quick", action="store_true", help="bundled excerpt, no cache")
    parser.add_argument("--cache-dir", type=Path, default=Path("ecgkit-cache"))
    args = parser.parse_args()

    db = MITBIH.bundled() if args.quick or args.data_dir is None else MITBIH(args.data_dir)
    split = inter_patient_split()
    print(f"{split.name}: {len(split.train)} train records, {len(split.test)} test records")
    print(f"  excluded (paced): {', '.join(split.excluded)}")
    print(f"  note: {split.note}")

    beats = build_beats(
        db,
        split.train + split.test,
        BeatConfig(leads=("MLII",)),
        cache_dir=None if args.quick else args.cache_dir,
    )
    print(f"{len(beats)} labelled beats, windows {beats.windows.shape}, {beats.fs:g} Hz")
    print(f"  dropped: {beats.report.totals()}")
    train, test = beats.select_records(split.train), beats.select_records(split.test)
    print(f"  DS1 {train.class_counts()}")
    print(f"  DS2 {test.class_counts()}")

    check_patient_disjoint(train.patient, test.patient, allow=split.shared_patients)
    try:
        check_patient_disjoint(train.patient, test.patient)
    except PatientLeakError as error:
        print(f"  without acknowledging 201/202 the guard refuses: {error}")

    print("patient-wise 5-fold cross-validation on DS1 (stratified by class):")
    for fold, (_, val_index) in enumerate(
        PatientKFold(5).split(train.windows, train.labels, train.patient)
    ):
        shares = np.bincount(train.labels[val_index], minlength=5) / val_index.size
        patients = sorted(set(train.patient[val_index]))
        print(
            f"  fold {fold}: {len(patients)} patients held out, class shares {np.round(shares, 3)}"
        )

    try:
        intra_patient_split(len(beats))
    except PatientLeakError:
        print("a beat-level random split needs acknowledge_patient_leak=True, on purpose")

    dataset = BeatDataset(train, features=True)
    x, rr, label = dataset[0]
    print(f"torch dataset: {len(dataset)} items, x {tuple(x.shape)}, rr {tuple(rr.shape)}")
    print(f"first item's label: {beats.classes[int(label)]}")


if __name__ == "__main__":
    main()
