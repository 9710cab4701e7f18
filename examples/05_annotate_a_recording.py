"""Annotate a recording of your own with the pretrained model: any format, any rate.
=================================================================================

python examples/05_annotate_a_recording.py [--quick] [--record 213] [--fs 250] [--out annotated]

Writes a bundled MIT-BIH record (an unseen DS2 patient by default) as a CSV file at another
sampling rate, as a user's own recording would arrive, reads it back with
``ecgkit.data.read_signal``, labels every beat with the model shipped in the package, and
compares the labels with the record's reference annotations (EC57 matching, 150 ms).
The files ``ecgkit annotate`` writes land in ``annotated/``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ecgkit.annotate import Predictor, write_report
from ecgkit.data import AAMI_MAPPING, BEAT_SYMBOLS, EXAMPLE_RECORDS, load_example, read_signal
from ecgkit.signal import match_peaks, resample


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--record", default="213", choices=EXAMPLE_RECORDS)
    parser.add_argument("--fs", type=float, default=250.0, help="rate of the CSV written (Hz)")
    parser.add_argument("--quick", action="store_true", help="the first two minutes only")
    parser.add_argument("--out", type=Path, default=Path("annotated"))
    args = parser.parse_args()

    record, annotations = load_example(args.record)
    n = int(120 * record.fs) if args.quick else record.n_samples
    signal = resample(record.signal[:n], record.fs, args.fs, axis=0)
    args.out.mkdir(parents=True, exist_ok=True)
    csv = args.out / f"{args.record}.csv"
    time = np.arange(signal.shape[0]) / args.fs
    np.savetxt(csv, np.column_stack([time, signal[:, 0]]), delimiter=",",
               header="time_s,MLII", comments="", fmt="%.5f")  # fmt: skip

    mine = read_signal(csv)  # the time column gives the rate
    print(f"{csv}: {mine.n_samples} samples at {mine.fs:.1f} Hz, leads {mine.lead_names}")
    predictor = Predictor.from_pretrained()
    beats = predictor.prepare(mine)
    # the lead gives the P-wave evidence of the rhythm (atrial fibrillation) assessment
    labelled = predictor.annotations_of(beats, lead_signal=predictor.rhythm_lead(mine))
    print(f"{len(labelled)} beats: {labelled.counts()}")

    reference = annotations.select(BEAT_SYMBOLS)
    inside = reference.sample < n
    truth = np.array([AAMI_MAPPING.get(s) or "?" for s in reference.symbol[inside]])
    at_360 = np.rint(labelled.sample * record.fs / mine.fs).astype(np.int64)
    match = match_peaks(at_360, reference.sample[inside], record.fs)
    agree = labelled.class_names[match.detected_index] == truth[match.reference_index]
    print(
        f"beats found: Se {100 * match.sensitivity:.2f} %, +P "
        f"{100 * match.positive_predictivity:.2f} %; class agrees with the reference on "
        f"{100 * agree.mean():.1f} % of the matched beats"
    )
    files = write_report(labelled, beats, predictor, args.out, record=mine)
    for role, path in files.items():
        print(f"{role:>8}: {path}")


if __name__ == "__main__":
    main()
