"""Detect R peaks in a bundled MIT-BIH record, score them, and cut fixed-length beats.
===================================================================================

python examples/01_detect_and_segment.py [--quick] [--record 208]
"""

from __future__ import annotations

import argparse

from ecgkit.data import BEAT_SYMBOLS, EXAMPLE_RECORDS, load_example
from ecgkit.signal import clean, detect_r_peaks, match_peaks, normalize, segment_beats


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--record", default="208", choices=EXAMPLE_RECORDS)
    parser.add_argument("--quick", action="store_true", help="use the first minute only")
    args = parser.parse_args()

    record, annotations = load_example(args.record)
    fs = record.fs
    n = int(60 * fs) if args.quick else record.n_samples
    signal = record.leads_first[:, :n]
    reference = annotations.select(BEAT_SYMBOLS).sample
    reference = reference[reference < n]

    peaks = detect_r_peaks(signal, fs)
    score = match_peaks(peaks, reference, fs)
    print(f"record {args.record}: {reference.size} annotated beats, {peaks.size} detected")
    print(
        f"Se {100 * score.sensitivity:.2f} %  +P {100 * score.positive_predictivity:.2f} %  "
        f"timing error {1000 * score.mean_timing_error_s:+.1f} ms"
    )

    beats = segment_beats(clean(signal, fs), fs, peaks, before_s=0.25, after_s=0.45)
    windows = normalize(beats.windows, "robust", axis=-1)
    print(f"beat tensor {windows.shape} (beats, leads, samples), R peak at sample {beats.r_index}")
    print(f"RR features {beats.rr_features().shape}: first beat pre-RR {beats.pre_rr[0]:.3f} s")


if __name__ == "__main__":
    main()
